//! Events inputs read in pieces by a thread per core, results handed back in input order.
//!
//! The calling thread reads each input in pieces of about [`PIECE_BYTES`] that end at line
//! breaks, into buffers it reuses, and queues them, numbered; workers take the oldest waiting
//! piece, and so does the calling thread whenever the next result in input order is not ready,
//! so one thread per core, the calling one included, is always busy. Results are taken back by
//! number, so in input order. At most [`IN_FLIGHT`] pieces per thread are queued, being worked
//! on, or done and waiting, so memory is bounded by `jobs × IN_FLIGHT` pieces, whatever the size
//! of the input.
//!
//! A piece that does not hold whole values (one cut inside a pretty-printed value) or that holds
//! anything unusual is done again the one-thread way: [`check`] gives up, for the caller's check
//! of the whole text; [`run`] reads the rest of that input on the calling thread.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::Scope;

use clap::Args;

use super::source::Source;
use crate::segment::{self, Event, EventsError, MAX_INPUT_BYTES};

/// Bytes of text in one piece: it ends at its last line break. On 2 cores (`preview --batch`,
/// 100,000 events, medians of 10 runs), from 32 to 256 KiB and 2 to 8 pieces per thread in
/// flight all took 0.67–0.73 s; 16 KiB pieces were slower.
const PIECE_BYTES: usize = 64 << 10;

/// The most bytes of one piece: a longer line (a whole file's array on one line, binary data) is
/// cut there, inside a value; the worker gives up on it, and the rest of that input is read an
/// event at a time on the calling thread, so memory holds a piece and an event, never the line.
const MAX_PIECE_BYTES: usize = 1 << 20;

/// Pieces in flight per thread: enough that a worker rarely finds the queue empty while the
/// calling thread prints.
const IN_FLIGHT: usize = 4;

/// `--jobs`: how many threads prepare events.
#[derive(Debug, Args)]
pub(super) struct JobsArg {
    /// Threads reading and preparing events (default: one per core): this one and N-1 workers;
    /// 1 runs everything on one thread. The output is the same either way.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS))]
    jobs: Option<u16>,
}

/// The most threads `--jobs` takes: far more than any machine gains from (two cores gain from
/// two), few enough that the threads and their pieces in flight always fit.
pub(super) const MAX_JOBS: i64 = 256;

impl JobsArg {
    /// The number of threads: as asked, or one per available core.
    pub(super) fn get(&self) -> usize {
        self.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            usize::from,
        )
    }
}

/// Part of an input that ends at a line break, at the input's end, or (a line longer than
/// [`MAX_PIECE_BYTES`]) inside that line.
pub(super) struct Piece {
    bytes: Vec<u8>,
    /// The input's first piece (the only one that may begin with a byte order mark).
    first: bool,
}

impl Piece {
    /// The piece as text: `None` when it holds a byte JSON text never holds, is not UTF-8, or
    /// begins with a byte order mark after the input's start.
    fn text(&self) -> Option<&str> {
        // A fold, not a search: it runs on whole vectors of bytes.
        let text_bytes =
            self.bytes.chunks(4096).all(|c| c.iter().fold(true, |ok, &b| ok & segment::is_text_byte(b)));
        let text = std::str::from_utf8(&self.bytes).ok().filter(|_| text_bytes)?;
        (self.first || !text.starts_with('\u{feff}')).then_some(text)
    }
}

/// An input cut into pieces.
struct Pieces<'r> {
    reader: Box<dyn Read + 'r>,
    /// What was read after the last piece's final line break.
    rest: Vec<u8>,
    read: usize,
    first: bool,
    ended: bool,
}

impl<'r> Pieces<'r> {
    fn new(reader: Box<dyn Read + 'r>) -> Pieces<'r> {
        Pieces { reader, rest: Vec::new(), read: 0, first: true, ended: false }
    }

    /// Reads onto the end of `bytes` up to a piece's size (at least 16 KiB), into its spare
    /// capacity (not zeroed first, as `resize` would: that memset was 1–3 % of `preview`'s CPU):
    /// how much came. Less than asked means the input ended.
    fn read_more(&mut self, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
        let want = PIECE_BYTES.saturating_sub(bytes.len()).max(16 << 10);
        bytes.reserve(want);
        (&mut self.reader).take(want as u64).read_to_end(bytes)
    }

    /// The next piece, in `bytes` (a buffer to reuse); `None` at the end.
    fn next(&mut self, mut bytes: Vec<u8>) -> std::io::Result<Option<Piece>> {
        bytes.clear();
        bytes.append(&mut self.rest);
        // No line break before `searched` (what was left after the last piece's break holds none).
        let mut searched = 0;
        while !self.ended && bytes.len() < MAX_PIECE_BYTES {
            let n = self.read_more(&mut bytes)?;
            self.read += n;
            self.ended = n == 0;
            if bytes.len() < PIECE_BYTES {
                continue;
            }
            if let Some(i) = bytes[searched..].iter().rposition(|&b| b == b'\n') {
                let cut = searched + i + 1;
                self.rest.extend_from_slice(&bytes[cut..]);
                bytes.truncate(cut);
                break;
            }
            searched = bytes.len();
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        let first = std::mem::replace(&mut self.first, false);
        Ok(Some(Piece { bytes, first }))
    }
}

/// Pieces waiting for a thread and results waiting for the calling thread, shared by the
/// workers and the calling thread.
struct Shared<O> {
    state: Mutex<State<O>>,
    /// A piece was queued, or the pool closed.
    queued: Condvar,
    /// A piece's result came in.
    finished: Condvar,
}

struct State<O> {
    /// Pieces no thread has taken yet, with their number, oldest first.
    waiting: VecDeque<(usize, Piece)>,
    /// The results of pieces `first..`, in order (`None`: not done yet).
    results: VecDeque<Option<(O, Piece)>>,
    first: usize,
    closed: bool,
    /// A worker panicked: its piece's result never comes.
    failed: bool,
}

/// Raises [`State::failed`] when a worker unwinds, so the calling thread panics too instead of
/// waiting for that worker's result.
struct PanicAlarm<'a, O>(&'a Shared<O>);

impl<O> Drop for PanicAlarm<'_, O> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().failed = true;
            self.0.finished.notify_all();
        }
    }
}

impl<O> Shared<O> {
    fn lock(&self) -> MutexGuard<'_, State<O>> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `work` on the oldest waiting piece, with the state unlocked meanwhile, and files its
    /// result; `false` when no piece is waiting. The state comes back locked either way.
    fn work_on_one<'a>(
        &'a self,
        mut state: MutexGuard<'a, State<O>>,
        work: &dyn Fn(&Piece) -> O,
    ) -> (MutexGuard<'a, State<O>>, bool) {
        let Some((n, piece)) = state.waiting.pop_front() else {
            return (state, false);
        };
        drop(state);
        let out = work(&piece);
        let mut state = self.lock();
        let slot = n - state.first;
        state.results[slot] = Some((out, piece));
        self.finished.notify_one();
        (state, true)
    }
}

/// `jobs` threads running `work` on pieces: `jobs - 1` workers and the calling thread, which
/// reads the pieces, takes the results in input order and, while the next one is not ready,
/// works on the oldest waiting piece itself. Two threads on two cores, not three: the calling
/// thread's own work (batching, printing) no longer competes with two workers for the cores.
struct Pool<'r, 'w, O> {
    shared: Arc<Shared<O>>,
    work: &'w (dyn Fn(&Piece) -> O + Sync),
    /// Pieces in flight at most: [`IN_FLIGHT`] per thread.
    capacity: usize,
    /// The input being cut into pieces.
    pieces: Option<Pieces<'r>>,
    /// Buffers of finished pieces, for the next pieces.
    free: Vec<Vec<u8>>,
    /// Bytes read from the current input so far.
    bytes_read: usize,
    /// Pieces queued and results taken.
    sent: usize,
    received: usize,
}

impl<'r, 'w, O: Send + 'w> Pool<'r, 'w, O> {
    /// A pool of `jobs` threads (this one and `jobs - 1` workers on `scope`).
    fn start<'s>(
        scope: &'s Scope<'s, '_>,
        jobs: usize,
        work: &'w (dyn Fn(&Piece) -> O + Sync),
    ) -> Pool<'r, 'w, O>
    where
        'w: 's,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                results: VecDeque::new(),
                first: 0,
                closed: false,
                failed: false,
            }),
            queued: Condvar::new(),
            finished: Condvar::new(),
        });
        let mut threads = 1;
        while threads < jobs {
            let shared = Arc::clone(&shared);
            // A thread the system refuses (a thread limit) leaves the work to those running.
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                let _alarm = PanicAlarm(&shared);
                let mut state = shared.lock();
                loop {
                    let worked;
                    (state, worked) = shared.work_on_one(state, work);
                    if worked {
                        continue;
                    }
                    if state.closed {
                        return;
                    }
                    state = shared.queued.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            });
            if spawned.is_err() {
                break;
            }
            threads += 1;
        }
        Pool {
            shared,
            work,
            capacity: threads * IN_FLIGHT,
            pieces: None,
            free: Vec::new(),
            bytes_read: 0,
            sent: 0,
            received: 0,
        }
    }
}

impl<'r, O> Pool<'r, '_, O> {
    /// Cuts `reader` into pieces next (after taking back what is in flight).
    fn read(&mut self, reader: Box<dyn Read + 'r>) {
        self.drain();
        self.pieces = Some(Pieces::new(reader));
        self.bytes_read = 0;
    }

    /// Stops reading: the pieces no thread has taken are dropped unread (they are the newest, as
    /// pieces are taken oldest first), and those being worked on are waited for.
    fn drain(&mut self) {
        self.pieces = None;
        let mut state = self.shared.lock();
        let untaken = state.waiting.len();
        let kept = state.results.len() - untaken;
        state.results.truncate(kept);
        self.free.extend(state.waiting.drain(..).map(|(_, piece)| piece.bytes));
        drop(state);
        self.sent -= untaken;
        while self.next().is_some() {}
    }

    /// The next piece's result, in input order; `None` once every piece read is back. A read that
    /// fails ends the input.
    fn next(&mut self) -> Option<std::io::Result<O>> {
        while self.sent - self.received < self.capacity
            && let Some(pieces) = &mut self.pieces
        {
            let buffer = self.free.pop().unwrap_or_else(|| Vec::with_capacity(PIECE_BYTES * 2));
            let next = pieces.next(buffer);
            self.bytes_read = pieces.read;
            match next {
                Ok(Some(piece)) => {
                    let mut state = self.shared.lock();
                    state.waiting.push_back((self.sent, piece));
                    state.results.push_back(None);
                    drop(state);
                    self.shared.queued.notify_one();
                    self.sent += 1;
                }
                Ok(None) => self.pieces = None,
                Err(e) => {
                    self.pieces = None;
                    return Some(Err(e));
                }
            }
        }
        if self.received == self.sent {
            return None;
        }
        let mut state = self.shared.lock();
        loop {
            if let Some(Some(_)) = state.results.front() {
                let (done, piece) = state.results.pop_front().flatten().expect("a result is there");
                state.first += 1;
                drop(state);
                self.received += 1;
                self.free.push(piece.bytes);
                return Some(Ok(done));
            }
            let worked;
            (state, worked) = self.shared.work_on_one(state, self.work);
            if worked {
                continue;
            }
            if state.failed {
                panic!("a worker thread panicked");
            }
            state = self.shared.finished.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl<O> Drop for Pool<'_, '_, O> {
    /// Lets the workers go (they finish the piece in hand).
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.closed = true;
        state.waiting.clear();
        drop(state);
        self.shared.queued.notify_all();
    }
}

/// A text that checked: how many events it holds (as [`segment::check_syntax`] counts them) in
/// how many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Checked {
    pub events: usize,
    pub bytes: usize,
}

/// A text checked in pieces on `jobs` threads (one: this one); `None` for anything but a text of
/// whole lines of valid events, no larger than [`MAX_INPUT_BYTES`]: the caller then checks it
/// whole, for the error as one reading gives it.
pub(super) fn check(reader: &mut dyn Read, jobs: usize) -> Option<Checked> {
    let check = |piece: &Piece| piece.text().and_then(|text| segment::check_syntax(text, "").ok());
    let within = |read: usize| (read <= MAX_INPUT_BYTES).then_some(());
    if jobs <= 1 {
        let mut pieces = Pieces::new(Box::new(reader));
        let mut events = 0;
        let mut buffer = Vec::with_capacity(PIECE_BYTES * 2);
        while let Some(piece) = pieces.next(buffer).ok()? {
            within(pieces.read)?;
            events += check(&piece)?;
            buffer = piece.bytes;
        }
        return Some(Checked { events, bytes: pieces.read });
    }
    std::thread::scope(|scope| {
        let mut pool = Pool::start(scope, jobs, &check);
        pool.read(Box::new(reader));
        let mut events = 0;
        while let Some(checked) = pool.next() {
            within(pool.bytes_read)?;
            events += checked.ok()??;
        }
        Some(Checked { events, bytes: pool.bytes_read })
    })
}

/// One event's result: the label of its input and what `prepare` made of it; or why the input
/// cannot be read on (the last item).
pub(super) type Ready<'s, T> = Result<(&'s str, T), EventsError>;

/// Runs `prepare` on every event of `sources` on `jobs` workers and hands `consume` the results
/// in input order, exactly as one thread reading the sources in turn would. `jobs` = 1 runs
/// everything on the calling thread.
pub(super) fn run<'s, T: Send, R>(
    sources: &'s [Source],
    jobs: usize,
    prepare: impl Fn(&Event) -> T + Sync,
    consume: impl FnOnce(&mut dyn Iterator<Item = Ready<'s, T>>) -> R,
) -> R {
    if jobs <= 1 {
        let mut sequential = sources
            .iter()
            .flat_map(|source| source.events().map(|event| Ok((source.label.as_str(), prepare(&event?)))));
        return consume(&mut sequential);
    }
    // A piece's events prepared, or `None` when they cannot be read from the piece alone.
    let work = |piece: &Piece| -> Option<Vec<T>> {
        let text = piece.text()?;
        segment::quick_events(text).map(|event| event.map(|e| prepare(&e))).collect()
    };
    std::thread::scope(|scope| {
        let mut ordered = Ordered {
            pool: Pool::start(scope, jobs, &work),
            prepare: &prepare,
            sources: sources.iter(),
            source: None,
            handed: 0,
            current: Vec::new().into_iter(),
            sequential: None,
            ended: false,
        };
        consume(&mut ordered)
    })
}

/// The workers' results, in input order.
struct Ordered<'s, 'p, T, P> {
    pool: Pool<'s, 'p, Option<Vec<T>>>,
    prepare: &'p P,
    sources: std::slice::Iter<'s, Source>,
    /// The source being read, and how many of its events have been handed out.
    source: Option<&'s Source>,
    handed: usize,
    /// A piece's events, being handed out.
    current: std::vec::IntoIter<T>,
    /// The rest of a source, read here after one of its pieces could not be read alone.
    sequential: Option<super::source::Events<'s>>,
    ended: bool,
}

impl<'s, T, P: Fn(&Event) -> T> Ordered<'s, '_, T, P> {
    fn item(&mut self, prepared: T) -> Option<Ready<'s, T>> {
        self.handed += 1;
        Some(Ok((self.source.map_or("", |s| s.label.as_str()), prepared)))
    }

    fn fail(&mut self, e: EventsError) -> Option<Ready<'s, T>> {
        self.ended = true;
        Some(Err(e))
    }
}

impl<'s, T, P: Fn(&Event) -> T> Iterator for Ordered<'s, '_, T, P> {
    type Item = Ready<'s, T>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.ended {
            if let Some(prepared) = self.current.next() {
                return self.item(prepared);
            }
            if let Some(events) = &mut self.sequential {
                match events.next() {
                    Some(Ok(event)) => {
                        let prepared = (self.prepare)(&event);
                        return self.item(prepared);
                    }
                    Some(Err(e)) => return self.fail(e),
                    None => self.sequential = None,
                }
            }
            match self.pool.next() {
                Some(Ok(Some(prepared))) => self.current = prepared.into_iter(),
                // The rest of this source is read here: all of it again, past what was handed out.
                Some(_) => {
                    self.pool.drain();
                    let source = self.source.expect("pieces come from a source");
                    let mut events = source.events();
                    for _ in 0..self.handed {
                        match events.next() {
                            Some(Ok(_)) => {}
                            Some(Err(e)) => return self.fail(e),
                            None => break,
                        }
                    }
                    self.sequential = Some(events);
                }
                None => {
                    let Some(source) = self.sources.next() else {
                        self.ended = true;
                        continue;
                    };
                    (self.source, self.handed) = (Some(source), 0);
                    match source.reader() {
                        Ok(reader) => self.pool.read(reader),
                        Err(e) => return self.fail(EventsError::io(&source.label, &e)),
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text of `n` one-line events, some of them long, with a byte order mark first.
    fn lines(n: usize) -> String {
        let mut text = String::from("\u{feff}");
        for i in 0..n {
            text +=
                &format!("{{\"type\":\"track\",\"event\":\"E{i}\",\"pad\":\"{}\"}}\n", "é".repeat(i % 700));
        }
        text
    }

    #[test]
    fn pieces_end_at_line_breaks_and_add_up_to_the_text() {
        let text = lines(3000) + "{\"last\": \"line without a break\"}";
        let mut pieces = Pieces::new(Box::new(text.as_bytes()));
        let (mut joined, mut count, mut buffer) = (Vec::new(), 0, Vec::new());
        while let Some(piece) = pieces.next(buffer).unwrap() {
            assert_eq!(piece.first, count == 0);
            let lines = piece.text().expect("whole lines of UTF-8 text");
            assert!(lines.ends_with('\n') || lines.ends_with('}'));
            // Cut at the last line break before the piece's size, or at the text's end.
            let last = joined.len() + piece.bytes.len() == text.len();
            assert!(last || (PIECE_BYTES - 2000..=PIECE_BYTES).contains(&piece.bytes.len()));
            joined.extend_from_slice(&piece.bytes);
            count += 1;
            buffer = piece.bytes;
        }
        assert!(count > 4, "{count} pieces");
        assert_eq!(joined, text.as_bytes());
        assert_eq!(pieces.read, text.len());
    }

    #[test]
    fn results_come_back_in_input_order_whatever_finishes_first() {
        let text = lines(3000);
        // A piece's first line; pieces starting on a line of even length take longer.
        let work = |piece: &Piece| {
            let first = piece.text().expect("whole lines").lines().next().unwrap_or_default().to_string();
            if first.len().is_multiple_of(2) {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            first
        };
        let mut pieces = Pieces::new(Box::new(text.as_bytes()));
        let mut expected = Vec::new();
        while let Some(piece) = pieces.next(Vec::new()).unwrap() {
            expected.push(work(&piece));
        }
        assert!(expected.len() > 10, "{} pieces", expected.len());
        for jobs in [2, 3, 4] {
            let got = std::thread::scope(|scope| {
                let mut pool = Pool::start(scope, jobs, &work);
                pool.read(Box::new(text.as_bytes()));
                std::iter::from_fn(|| pool.next()).map(Result::unwrap).collect::<Vec<_>>()
            });
            assert_eq!(got, expected, "{jobs} threads");
            // A worker that panics makes the calling thread panic, not wait for its result.
            let panics = |piece: &Piece| {
                let first = work(piece);
                assert!(first != expected[3], "a bug in the work");
                first
            };
            let run = std::panic::catch_unwind(|| {
                std::thread::scope(|scope| {
                    let mut pool = Pool::start(scope, jobs, &panics);
                    pool.read(Box::new(text.as_bytes()));
                    while pool.next().is_some() {}
                })
            });
            assert!(run.is_err(), "{jobs} threads");
            // A pool drained with pieces in flight reads the next input from its first piece.
            let again = std::thread::scope(|scope| {
                let mut pool = Pool::start(scope, jobs, &work);
                pool.read(Box::new(text.as_bytes()));
                assert_eq!(pool.next().unwrap().unwrap(), expected[0]);
                pool.drain();
                assert!(pool.next().is_none(), "nothing left after draining");
                pool.read(Box::new(text.as_bytes()));
                std::iter::from_fn(|| pool.next()).map(Result::unwrap).collect::<Vec<_>>()
            });
            assert_eq!(again, expected, "{jobs} threads, after draining");
            // A pool dropped with pieces in flight lets its workers go (the scope ends).
            std::thread::scope(|scope| {
                let mut pool = Pool::start(scope, jobs, &work);
                pool.read(Box::new(text.as_bytes()));
                assert_eq!(pool.next().unwrap().unwrap(), expected[0]);
            });
        }
    }

    #[test]
    fn a_long_line_stays_whole_up_to_the_most_a_piece_holds() {
        let long = format!("{{\"a\":\"{}\"}}\n", "x".repeat(3 * PIECE_BYTES));
        let text = format!("{{}}\n{long}{{}}\n");
        let mut pieces = Pieces::new(Box::new(text.as_bytes()));
        assert_eq!(pieces.next(Vec::new()).unwrap().unwrap().bytes, b"{}\n");
        let long_piece = pieces.next(Vec::new()).unwrap().unwrap();
        assert_eq!(long_piece.bytes, format!("{long}{{}}\n").as_bytes());
        assert!(pieces.next(Vec::new()).unwrap().is_none());

        // Longer still (or binary data with no line break): cut, and the pieces add up to it.
        let longer = format!("[{}]", vec!["{}"; 5 * MAX_PIECE_BYTES / 3].join(","));
        let mut pieces = Pieces::new(Box::new(longer.as_bytes()));
        let mut joined = Vec::new();
        while let Some(piece) = pieces.next(Vec::new()).unwrap() {
            assert!(piece.bytes.len() <= MAX_PIECE_BYTES + (16 << 10), "{}", piece.bytes.len());
            joined.extend_from_slice(&piece.bytes);
        }
        assert_eq!(joined, longer.as_bytes());
    }

    #[test]
    fn checks_count_what_one_thread_counts_or_give_up() {
        let good = lines(4000);
        // The same lines later in a file, without the byte order mark.
        let rest = good.trim_start_matches('\u{feff}');
        // A pretty-printed array longer than a piece: some piece cuts it.
        let pretty = serde_json::to_string_pretty(&vec![serde_json::json!({"a": [1, 2]}); 20_000]).unwrap();
        let cases = [
            (good.clone(), true),
            (format!("{good}[{{}}, {{}}]\n\n{rest}"), true),
            (format!("{good}{pretty}\n{rest}"), false),
            (format!("{good}{{\"a\": tr}}\n{rest}"), false),
            (format!("{good}\u{feff}{{}}\n"), false),
            (format!("{good}{{\"a\": \"\u{1}\"}}\n"), false),
            (format!("{good}42\n"), false),
            // One line longer than a piece holds: cut inside its value.
            (format!("{good}[{}]\n{rest}", vec!["{}"; MAX_PIECE_BYTES].join(",")), false),
            (format!("{good}[{{}}, 7]\n"), false),
            (String::new(), true),
        ];
        for (text, whole_lines_of_events) in cases {
            for jobs in [1, 2, 3] {
                let checked = check(&mut text.as_bytes(), jobs);
                if whole_lines_of_events {
                    let events = segment::check_syntax(&text, "t").unwrap();
                    assert_eq!(checked, Some(Checked { events, bytes: text.len() }), "{jobs} jobs");
                } else {
                    assert_eq!(checked, None, "{jobs} jobs: {}", &text[text.len().saturating_sub(40)..]);
                }
            }
        }
        // Bytes that are not UTF-8 in a later piece.
        let mut bytes = good.clone().into_bytes();
        bytes.extend_from_slice(b"{\"a\": \"\xff\"}\n");
        assert_eq!(check(&mut bytes.as_slice(), 2), None);
    }
}
