//! Events prepared on a worker per core and handed back in input order.
//!
//! The calling thread cuts each text into chunks of about [`CHUNK_BYTES`] at line breaks and
//! deals them out, round robin, to the workers, which read each chunk's events and run the
//! caller's per-event step; it takes the results back in the same round robin, so in input
//! order. A chunk cut inside a value (a pretty-printed file) fails to read: the rest of that
//! text is then read on the calling thread, as with one job. Each worker holds at most
//! [`IN_FLIGHT`] chunks (queued, being prepared, or done and waiting), so memory beyond the input
//! texts is bounded by `jobs × IN_FLIGHT × CHUNK_BYTES` of events in the making.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use clap::Args;

use crate::segment::{self, Event, EventStream, EventsError, stream_events, stream_range};

/// Bytes of text in one chunk handed to a worker (it ends at the next line break).
const CHUNK_BYTES: usize = 256 << 10;

/// Chunks one worker may hold at a time.
const IN_FLIGHT: usize = 2;

/// `--jobs`: how many workers prepare events.
#[derive(Debug, Args)]
pub(super) struct JobsArg {
    /// Workers reading and preparing events (default: one per core); 1 runs everything on one
    /// thread. The output is the same either way.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

impl JobsArg {
    /// The number of workers: as asked, or one per available core.
    pub(super) fn get(&self) -> usize {
        self.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            usize::from,
        )
    }
}

/// One event's result: the label of its text and what `prepare` made of it; or why the text
/// cannot be read on (the last item).
pub(super) type Ready<'t, T> = Result<(&'t str, T), EventsError>;

/// Runs `prepare` on every event of `texts` ((text, label) pairs, their syntax checked) on `jobs`
/// workers and hands `consume` the results in input order, exactly as one thread reading the
/// texts in turn would. `jobs` = 1 runs everything on the calling thread.
pub(super) fn run<'t, T: Send, R>(
    texts: &'t [(String, String)],
    jobs: usize,
    prepare: impl Fn(&Event) -> T + Sync,
    consume: impl FnOnce(&mut dyn Iterator<Item = Ready<'t, T>>) -> R,
) -> R {
    if jobs <= 1 {
        let mut sequential = texts.iter().flat_map(|(text, label)| {
            stream_events(text, label).map(|event| Ok((label.as_str(), prepare(&event?))))
        });
        return consume(&mut sequential);
    }
    std::thread::scope(|scope| {
        let mut to_workers = Vec::with_capacity(jobs);
        let mut from_workers = Vec::with_capacity(jobs);
        for _ in 0..jobs {
            let (chunk_tx, chunk_rx) = sync_channel::<Chunk<'t>>(IN_FLIGHT);
            let (done_tx, done_rx) = sync_channel(IN_FLIGHT);
            let prepare = &prepare;
            scope.spawn(move || {
                for Chunk { text, label, range } in chunk_rx {
                    // A cut value (or any error) is read again on the calling thread.
                    let done: Option<Vec<T>> = stream_range(text, label, range)
                        .map(|event| event.ok().map(|e| prepare(&e)))
                        .collect();
                    if done_tx.send(done).is_err() {
                        break;
                    }
                }
            });
            to_workers.push(chunk_tx);
            from_workers.push(done_rx);
        }
        let mut ordered = Ordered {
            prepare: &prepare,
            texts: texts.iter(),
            text: None,
            next_byte: 0,
            to_workers,
            from_workers,
            sent: 0,
            received: 0,
            in_flight: VecDeque::new(),
            label: "",
            current: Vec::new().into_iter(),
            sequential: None,
            ended: false,
        };
        consume(&mut ordered)
    })
}

/// Reads an events file as [`super::common::read_text`] does; a regular file of a few chunks or more
/// in `jobs` parts side by side (each thread reads and checks its own part). Anything unusual (a
/// byte JSON never holds, a size that changes, text that is not UTF-8, stdin) reads it again on
/// the calling thread, for the error as one thread reports it.
pub(super) fn read_text(path: &str, jobs: usize) -> Result<(String, String), EventsError> {
    match read_in_parts(path, jobs) {
        Some(text) => Ok((text, path.to_string())),
        None => super::common::read_text(path),
    }
}

fn read_in_parts(path: &str, jobs: usize) -> Option<String> {
    if jobs <= 1 || path == "-" {
        return None;
    }
    let metadata = std::fs::metadata(path).ok()?;
    let size = usize::try_from(metadata.len()).ok()?;
    if !metadata.is_file() || !(2 * CHUNK_BYTES..=segment::MAX_INPUT_BYTES).contains(&size) {
        return None;
    }
    let mut bytes = vec![0; size];
    let part = size.div_ceil(jobs);
    let read = |offset: usize, buf: &mut [u8]| -> std::io::Result<bool> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(offset as u64))?;
        file.read_exact(buf)?;
        // The last part also checks that the file ends where it did.
        if offset + buf.len() == size && file.read(&mut [0])? != 0 {
            return Ok(false);
        }
        // A fold, not a search: it runs on whole vectors of bytes.
        Ok(buf.chunks(4096).all(|c| c.iter().fold(true, |ok, &b| ok & segment::is_text_byte(b))))
    };
    let read_all = std::thread::scope(|scope| {
        let parts: Vec<_> = bytes
            .chunks_mut(part)
            .enumerate()
            .map(|(i, buf)| scope.spawn(move || read(i * part, buf).unwrap_or(false)))
            .collect();
        parts.into_iter().all(|p| p.join().unwrap_or(false))
    });
    if read_all { String::from_utf8(bytes).ok() } else { None }
}

/// Checks the syntax of `text` as [`segment::check_syntax`] does, in `jobs` parts cut at line
/// breaks and checked side by side; when a part fails (or a cut falls inside a value), the whole
/// text is checked again on the calling thread, for the error as one thread reports it.
pub(super) fn check_syntax(text: &str, label: &str, jobs: usize) -> Result<usize, EventsError> {
    if jobs <= 1 || text.len() < 2 * CHUNK_BYTES {
        return segment::check_syntax(text, label);
    }
    let mut parts = Vec::with_capacity(jobs);
    let mut start = 0;
    while start < text.len() {
        let end = line_end(text, start, text.len().div_ceil(jobs));
        parts.push(&text[start..end]);
        start = end;
    }
    let counts: Vec<Option<usize>> = std::thread::scope(|scope| {
        let checks: Vec<_> = parts
            .iter()
            .enumerate()
            // Only the text's first part may begin with a byte order mark.
            .map(|(i, part)| {
                scope.spawn(move || {
                    (i == 0 || !part.starts_with('\u{feff}'))
                        .then(|| segment::check_syntax(part, label).ok())
                        .flatten()
                })
            })
            .collect();
        checks.into_iter().map(|check| check.join().expect("a syntax check does not panic")).collect()
    });
    match counts.into_iter().sum::<Option<usize>>() {
        Some(events) => Ok(events),
        None => segment::check_syntax(text, label),
    }
}

/// The end of the line at least `bytes` after `start` (just after its line break), or of the text.
fn line_end(text: &str, start: usize, bytes: usize) -> usize {
    let from = start.saturating_add(bytes).min(text.len());
    text.as_bytes()[from..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| from + i + 1)
}

/// Part of one text, for a worker.
struct Chunk<'t> {
    text: &'t str,
    label: &'t str,
    range: Range<usize>,
}

/// The workers' results, in input order.
struct Ordered<'t, 'p, T, P> {
    prepare: &'p P,
    texts: std::slice::Iter<'t, (String, String)>,
    /// The text being cut into chunks, and where its next chunk starts.
    text: Option<&'t (String, String)>,
    next_byte: usize,
    to_workers: Vec<SyncSender<Chunk<'t>>>,
    /// Each chunk's events prepared, or `None` when they could not be read from the chunk alone.
    from_workers: Vec<Receiver<Option<Vec<T>>>>,
    /// Chunks sent and received so far: chunk `n` goes to worker `n % jobs`.
    sent: usize,
    received: usize,
    /// The text and start of each chunk sent and not yet received, oldest first.
    in_flight: VecDeque<(&'t (String, String), usize)>,
    /// The label of the events being handed out.
    label: &'t str,
    current: std::vec::IntoIter<T>,
    /// The rest of a text, read here after one of its chunks could not be read alone.
    sequential: Option<EventStream<'t>>,
    ended: bool,
}

impl<'t, T, P: Fn(&Event) -> T> Ordered<'t, '_, T, P> {
    /// Sends chunks of the current text until every worker holds [`IN_FLIGHT`]; goes on to the
    /// next text once every chunk of this one is back, so that all in flight share one text.
    fn fill(&mut self) {
        let jobs = self.to_workers.len();
        while self.in_flight.len() < jobs * IN_FLIGHT {
            let Some(source) = self.text else {
                if !self.in_flight.is_empty() {
                    return;
                }
                let Some(next) = self.texts.next() else { return };
                (self.text, self.next_byte) = (Some(next), 0);
                continue;
            };
            let (text, label) = source;
            if self.next_byte == text.len() {
                self.text = None;
                continue;
            }
            let start = self.next_byte;
            let end = line_end(text, start, CHUNK_BYTES);
            self.to_workers[self.sent % jobs]
                .send(Chunk { text, label, range: start..end })
                .expect("a worker outlives its channel");
            self.sent += 1;
            self.in_flight.push_back((source, start));
            self.next_byte = end;
        }
    }

    /// The next chunk's results, in order.
    fn receive(&mut self) -> Option<Vec<T>> {
        let worker = self.received % self.to_workers.len();
        self.received += 1;
        self.from_workers[worker].recv().expect("a worker answers every chunk")
    }
}

impl<'t, T, P: Fn(&Event) -> T> Iterator for Ordered<'t, '_, T, P> {
    type Item = Ready<'t, T>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.ended {
            if let Some(prepared) = self.current.next() {
                return Some(Ok((self.label, prepared)));
            }
            if let Some(stream) = &mut self.sequential {
                match stream.next() {
                    Some(Ok(event)) => return Some(Ok((self.label, (self.prepare)(&event)))),
                    Some(Err(e)) => {
                        self.ended = true;
                        return Some(Err(e));
                    }
                    None => self.sequential = None,
                }
            }
            self.fill();
            let Some(((text, label), start)) = self.in_flight.pop_front() else {
                self.ended = true;
                continue;
            };
            self.label = label;
            match self.receive() {
                Some(prepared) => self.current = prepared.into_iter(),
                None => {
                    // The rest of this text is read here, from this chunk on.
                    while self.in_flight.pop_front().is_some() {
                        self.receive();
                    }
                    self.sequential = Some(stream_range(text, label, start..text.len()));
                    self.next_byte = text.len();
                }
            }
        }
        None
    }
}
