//! An events input: checked whole before anything runs, then read again for its events. A
//! regular file (plain or gzip: its decompressed text) is read twice, a piece at a time, so
//! memory does not grow with it, both times only as far as it reached when it was opened (what a
//! writer appends meanwhile is not read, nor a last line it is still writing); standard input and
//! other streams, which cannot be read twice, are held.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::common::{read_open, read_text, settled_text};
use super::pipeline::{self, Checked};
use crate::input;
use crate::segment::{self, Event, EventReader, EventsError};

/// An events input whose syntax has been checked.
pub(super) struct Source {
    /// The file path, or `<stdin>`: errors name it.
    pub label: String,
    /// How many events it holds.
    pub events: usize,
    body: Body,
}

enum Body {
    /// A regular file, opened again to be read on (one open file per input at a time, however
    /// many inputs), up to the bytes of text checked: what is written to it meanwhile is not read.
    File { path: String, checked_bytes: u64 },
    /// The text of something that cannot be read twice.
    Text(String),
}

/// One event read on, or why the input cannot be read on.
pub(super) type Events<'s> = Box<dyn Iterator<Item = Result<Event, EventsError>> + 's>;

impl Source {
    /// Opens `path` (`-`: standard input) and checks its syntax, on `jobs` threads.
    pub(super) fn check(path: &str, jobs: usize) -> Result<Source, EventsError> {
        let file = match path {
            "-" => None,
            _ => Some(File::open(path).map_err(|e| EventsError::io(path, &e))?),
        };
        match file {
            Some(file) if file.metadata().is_ok_and(|m| m.is_file()) => {
                let (mut reader, _) = settled_text(&file, path)?;
                let checked = match pipeline::check(&mut reader, jobs) {
                    Some(checked) => checked,
                    // The whole text, for the error (or the count) as one reading of it gives.
                    None => {
                        let (text, _) = read_open(&file, path)?;
                        Checked { events: segment::check_syntax(&text, path)?, bytes: text.len() }
                    }
                };
                let body = Body::File { path: path.to_string(), checked_bytes: checked.bytes as u64 };
                Ok(Source { label: path.to_string(), events: checked.events, body })
            }
            Some(file) => Source::held(read_open(&file, path)?, jobs),
            None => Source::held(read_text(path)?, jobs),
        }
    }

    /// A text read whole, checked.
    fn held((text, label): (String, String), jobs: usize) -> Result<Source, EventsError> {
        let events = match pipeline::check(&mut text.as_bytes(), jobs) {
            Some(checked) => checked.events,
            None => segment::check_syntax(&text, &label)?,
        };
        Ok(Source { label, events, body: Body::Text(text) })
    }

    /// Its text from the start.
    pub(super) fn reader(&self) -> std::io::Result<Box<dyn Read + '_>> {
        match &self.body {
            Body::File { path, checked_bytes } => {
                Ok(Box::new(input::open(Path::new(path))?.reader.take(*checked_bytes)))
            }
            Body::Text(text) => Ok(Box::new(text.as_bytes())),
        }
    }

    /// Its events, read on this thread.
    pub(super) fn events(&self) -> Events<'_> {
        match self.reader() {
            Ok(reader) => Box::new(EventReader::new(reader, self.label.as_str())),
            Err(e) => Box::new(std::iter::once(Err(EventsError::io(&self.label, &e)))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TestDir;

    #[test]
    fn what_is_written_to_a_file_after_its_check_is_not_read() {
        let dir = TestDir::created("source");
        let path = dir.join("events.jsonl");
        let line = "{\"type\":\"track\",\"event\":\"E\",\"pad\":\"".to_string() + &"x".repeat(900) + "\"}\n";
        let path = path.to_str().unwrap();
        for jobs in [1, 2] {
            std::fs::write(path, line.repeat(2000)).unwrap();
            let sources = [Source::check(path, jobs).unwrap()];
            assert_eq!(sources[0].events, 2000);
            // A writer appends more events, then half of one, after the check.
            let mut more = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            std::io::Write::write_all(&mut more, (line.repeat(1000) + "{\"type\": ").as_bytes()).unwrap();
            assert_eq!(sources[0].events().map(Result::unwrap).count(), 2000);
            let read = pipeline::run(&sources, jobs, |_| (), |events| events.map(Result::unwrap).count());
            assert_eq!(read, 2000, "{jobs} jobs");
        }
    }
}
