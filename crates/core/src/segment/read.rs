//! Events streamed from bytes (a file, stdin, an opened file's contents) a chunk at a time: the
//! same inputs as [`super::stream_events`] — objects, arrays of objects, JSON Lines — in memory
//! bounded by the largest single event, not by the input, and one value may hold at most
//! [`MAX_INPUT_BYTES`] (what `preview` takes as a whole input). A value cut off by the buffer's
//! end is parsed again only once the buffer has doubled, so a long line from a pipe (which hands
//! out 64 KiB at a time) costs a few parses, not one per read. Errors name the source, line and
//! column.

use std::io::Read;

use serde_json::Value;

use super::json::{self, JsValue, Reread, serde_message};
use super::parse::{MAX_INPUT_BYTES, json_kind};
use super::{Event, EventsError};

/// How much is read at a time (more when one value is larger).
const CHUNK: usize = 1 << 20;

/// An iterator of events read from `R`; it stops after the first error.
pub struct EventReader<R> {
    reader: R,
    source_name: String,
    buf: Vec<u8>,
    /// Where parsing continues in `buf`.
    pos: usize,
    eof: bool,
    started: bool,
    /// The most bytes one value may take.
    max_value: usize,
    /// Parses started (a value cut off by the buffer's end is parsed again after a fill).
    parses: usize,
    failed: bool,
    /// Inside a top-level array: `Some(true)` before its first element.
    array: Option<bool>,
    /// Bytes dropped from the front of `buf` so far.
    dropped: u64,
    /// Newlines in the dropped bytes.
    dropped_lines: usize,
    /// Characters of the current line among the dropped bytes.
    dropped_columns: usize,
}

impl<R: Read> EventReader<R> {
    /// Reads events from `reader`; `source_name` labels errors.
    pub fn new(reader: R, source_name: impl Into<String>) -> EventReader<R> {
        EventReader {
            reader,
            source_name: source_name.into(),
            buf: Vec::new(),
            pos: 0,
            eof: false,
            started: false,
            max_value: MAX_INPUT_BYTES,
            parses: 0,
            failed: false,
            array: None,
            dropped: 0,
            dropped_lines: 0,
            dropped_columns: 0,
        }
    }

    /// With another cap on one value's size (tests).
    pub fn with_max_value(mut self, bytes: usize) -> EventReader<R> {
        self.max_value = bytes;
        self
    }

    /// Bytes consumed so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.dropped + self.pos as u64
    }

    /// Reads more input: as much as is still unparsed (at least a chunk), until that much came
    /// or the input ended, so what was unparsed is parsed again only once it has doubled;
    /// false at the end.
    fn fill(&mut self) -> Result<bool, EventsError> {
        if self.eof {
            return Ok(false);
        }
        self.compact();
        // What is still unparsed is one value cut off: past the most one value may take, it is
        // refused at its start, so memory stays bounded (a decompressed bomb of one endless line).
        if self.buf.len() > self.max_value {
            let message = format!(
                "one value larger than {} MiB, the most one event may hold: is this a whole file on one line? Split it",
                self.max_value >> 20
            );
            return Err(self.error_at(0, message));
        }
        // Past the cap on one value, a chunk more is enough to tell.
        let want = CHUNK.max(self.buf.len().min((self.max_value + 1).saturating_sub(self.buf.len())));
        let old = self.buf.len();
        super::parse::grow(&mut self.buf, want, self.max_value);
        self.buf.resize(old + want, 0);
        let (mut n, mut ended) = (0, false);
        while n < want && !ended {
            match self.reader.read(&mut self.buf[old + n..]) {
                Ok(0) => ended = true,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    // Where the text stopped (a damaged compressed file breaks off mid-text).
                    self.buf.truncate(old + n);
                    return Err(self.error_at(old + n, e.to_string()));
                }
            }
        }
        self.buf.truncate(old + n);
        if !self.started {
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                // A byte order mark is invisible in editors: it takes no column.
                self.buf.drain(..3);
                self.dropped += 3;
            }
        }
        self.eof = ended;
        Ok(n > 0)
    }

    /// Drops the parsed bytes from the front of the buffer, keeping the position counters.
    fn compact(&mut self) {
        if self.pos == 0 {
            return;
        }
        let gone = &self.buf[..self.pos];
        let lines = gone.iter().filter(|&&b| b == b'\n').count();
        let tail = gone.iter().rposition(|&b| b == b'\n').map_or(gone, |i| &gone[i + 1..]);
        let chars = String::from_utf8_lossy(tail).chars().count();
        self.dropped_columns = if lines > 0 { chars } else { self.dropped_columns + chars };
        self.dropped_lines += lines;
        self.dropped += self.pos as u64;
        self.buf.drain(..self.pos);
        self.pos = 0;
    }

    /// The next byte that is not whitespace, reading more as needed (None at the end).
    fn peek(&mut self) -> Result<Option<u8>, EventsError> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// One JSON value at the position, reading more while it is cut off by the buffer's end.
    fn value(&mut self) -> Result<Value, EventsError> {
        loop {
            self.parses += 1;
            let mut values = json::slice_deserializer(&self.buf[self.pos..]).into_iter::<JsValue>();
            match values.next() {
                Some(Ok(JsValue(v))) => {
                    self.pos += values.byte_offset();
                    return Ok(v);
                }
                // Cut off by the buffer's end (a number cut after `1e` is "invalid" there).
                Some(Err(e)) if !self.eof && json::cut_off(&self.buf[self.pos..], &e) => {
                    self.fill()?;
                }
                // Read again (a lone surrogate, a number past the double range).
                Some(Err(e)) if json::is_tolerable(&e) => {
                    match json::reread(&self.buf[self.pos..], !self.eof, json::read_value) {
                        Reread::Read(v, len) => {
                            self.pos += len;
                            return Ok(v);
                        }
                        Reread::Failed(e) => return Err(self.error_at(self.pos + e.offset, e.message)),
                        Reread::CutOff => {
                            self.fill()?;
                        }
                    }
                }
                Some(Err(e)) => {
                    let at = self.pos + json::offset_of_position(&self.buf[self.pos..], e.line(), e.column());
                    return Err(self.error_at(at, serde_message(&e, self.buf.get(at..).unwrap_or_default())));
                }
                None => return Err(self.error_at(self.pos, "EOF while parsing a value".into())),
            }
        }
    }

    fn error_at(&self, at: usize, message: String) -> EventsError {
        let before = &self.buf[..at.min(self.buf.len())];
        let lines = before.iter().filter(|&&b| b == b'\n').count();
        let (line_start, base) = match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => (i + 1, 0),
            None => (0, self.dropped_columns),
        };
        let column = base + String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        EventsError {
            source_name: self.source_name.clone(),
            line: self.dropped_lines + lines + 1,
            column,
            message,
        }
    }

    fn event(&mut self) -> Result<Event, EventsError> {
        // Reading more may drop bytes from the buffer's front: remember the absolute start.
        let start = self.bytes_read();
        let value = self.value()?;
        Event::from_value(value).map_err(|v| {
            let at = (start - self.dropped) as usize;
            self.error_at(at, format!("expected a Segment event (a JSON object), found {}", json_kind(&v)))
        })
    }

    fn step(&mut self) -> Result<Option<Event>, EventsError> {
        loop {
            let Some(b) = self.peek()? else {
                return match self.array {
                    Some(_) => Err(self.error_at(self.pos, "EOF while parsing a list".into())),
                    None => Ok(None),
                };
            };
            match self.array {
                None if b == b'[' => {
                    self.pos += 1;
                    self.array = Some(true);
                }
                None => return self.event().map(Some),
                Some(_) if b == b']' => {
                    self.pos += 1;
                    self.array = None;
                }
                Some(true) => {
                    self.array = Some(false);
                    return self.event().map(Some);
                }
                Some(false) if b == b',' => {
                    self.pos += 1;
                    self.peek()?;
                    return self.event().map(Some);
                }
                Some(false) => return Err(self.error_at(self.pos, "expected `,` or `]`".into())),
            }
        }
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<Event, EventsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = self.step().transpose()?;
        self.failed = result.is_err();
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::parse_events;
    use proptest::prelude::*;

    /// Reads with a reader that hands out `step` bytes at a time, to cross chunk boundaries.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn read_all(text: &str, step: usize) -> Result<Vec<Event>, EventsError> {
        EventReader::new(Trickle(text.as_bytes(), step), "t").collect()
    }

    #[test]
    fn reads_what_the_text_parser_reads() {
        let texts = [
            "{\"type\":\"track\",\"event\":\"A\"}\n\n{\"type\":\"alias\"}\n",
            "\u{feff}[{\"type\":\"page\",\"name\":\"Home\"}, {\"type\":\"identify\"}]\n{\"a\":[1,{}]}",
            "  [ ] [{}]  ",
            "",
            // What serde_json refuses and JSON.parse reads, cut anywhere by the chunks.
            "{\"a\":\"x\\ud83c\",\"n\":1e400}\n[{\"\\udc00\": -1e400}, {\"d\": 1593.4099999999999}]\n{\"b\":1}",
        ];
        for text in texts {
            for step in [1, 3, 1 << 20] {
                assert_eq!(read_all(text, step), parse_events(text, "t"), "{text:?} by {step}");
            }
        }
    }

    #[test]
    fn errors_name_line_and_column_like_the_text_parser() {
        let texts = [
            "{\"type\":\"track\"}\n{\"type\": tr}\n",
            "{\"a\":1}\n  42\n",
            "[{\"a\":1},\n 7]",
            "[{\"a\":1} {\"b\":2}]",
            "{\"é\":\"x\"} {\"a\": ",
            "{\"a\":1}\n{\"s\": \"\\ud83c\", \"t\": \"\\ud83c\\x\"}",
            "{\"a\":1}\n{\"n\": 1e400, \"t\": tru}",
        ];
        for text in texts {
            for step in [1, 2, 1 << 20] {
                let ours = read_all(text, step).unwrap_err();
                let theirs = parse_events(text, "t").unwrap_err();
                assert_eq!(
                    (ours.line, ours.column),
                    (theirs.line, theirs.column),
                    "{text:?} by {step}: {ours}"
                );
            }
        }
    }

    #[test]
    fn an_unfinished_array_is_an_error() {
        for text in ["[{\"a\":1},", "[{\"a\":1}", "["] {
            let err = read_all(text, 1).unwrap_err();
            assert_eq!(err.line, 1, "{text:?}");
            assert!(err.message.contains("EOF"), "{text:?}: {err}");
            assert!(parse_events(text, "t").is_err());
        }
    }

    #[test]
    fn counts_bytes_read() {
        let text = "{\"a\":1}\n{\"b\":2}\n";
        let mut reader = EventReader::new(text.as_bytes(), "t");
        reader.next().unwrap().unwrap();
        assert_eq!(reader.bytes_read(), 7);
        reader.next().unwrap().unwrap();
        assert!(reader.next().is_none());
        assert_eq!(reader.bytes_read(), text.len() as u64);
    }

    #[test]
    fn a_long_line_from_a_pipe_is_parsed_a_few_times_not_once_per_read() {
        // 8 MiB on one line, handed out 64 KiB at a time as a pipe does.
        let text = format!("{{\"type\":\"track\",\"pad\":\"{}\"}}\n{{}}\n", "x".repeat(8 << 20));
        let mut reader = EventReader::new(Trickle(text.as_bytes(), 64 << 10), "t");
        assert_eq!(reader.by_ref().map(Result::unwrap).count(), 2);
        // 1, 2, 4, 8 and 16 MiB buffers, then the second event: not 130 parses.
        assert!(reader.parses <= 8, "{} parses", reader.parses);
    }

    #[test]
    fn one_value_over_the_cap_is_an_error_at_its_start() {
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(3 << 20));
        let text = format!("{{\"a\":1}}\n{big}\n{{\"b\":2}}\n");
        for step in [64 << 10, 1 << 22] {
            let mut reader = EventReader::new(Trickle(text.as_bytes(), step), "t").with_max_value(1 << 20);
            assert!(reader.next().unwrap().is_ok());
            let e = reader.next().unwrap().unwrap_err();
            assert_eq!((e.line, e.column), (2, 1), "{e}");
            assert!(e.message.starts_with("one value larger than 1 MiB"), "{e}");
            assert!(reader.next().is_none());
            // Only a chunk past the cap was read, not the whole value.
            assert!(reader.buf.len() <= (1 << 20) + 2 * CHUNK, "{}", reader.buf.len());
        }
        // Under the cap, the same value is read.
        let reader = EventReader::new(Trickle(text.as_bytes(), 64 << 10), "t").with_max_value(4 << 20);
        assert_eq!(reader.map(Result::unwrap).count(), 3);
    }

    proptest! {
        #[test]
        fn any_split_reads_the_same(n in 0usize..20, step in 1usize..64, array in any::<bool>()) {
            let events: Vec<String> = (0..n).map(|i| format!("{{\"i\":{i},\"s\":\"ü{}\"}}", "x".repeat(i))).collect();
            let text = if array { format!("[{}]", events.join(",\n")) } else { events.join("\n") };
            prop_assert_eq!(read_all(&text, step).unwrap(), parse_events(&text, "t").unwrap());
        }
    }
}
