//! An events input: checked whole before anything runs, then read again for its events. A
//! regular file is read twice, a piece at a time, so memory does not grow with it; standard
//! input and other streams, which cannot be read twice, are held.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::pipeline;
use crate::segment::{self, Event, EventReader, EventsError, MAX_INPUT_BYTES};

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
    /// many inputs).
    File(String),
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
                let events = match pipeline::check(&mut &file, jobs) {
                    Some(events) => events,
                    // The whole text, for the error (or the count) as one reading of it gives.
                    None => {
                        (&file).seek(SeekFrom::Start(0)).map_err(|e| EventsError::io(path, &e))?;
                        let size = file.metadata().map_or(0, |m| m.len());
                        let size = usize::try_from(size).unwrap_or(usize::MAX);
                        let (text, _) = segment::read_capped(&file, path, size, MAX_INPUT_BYTES)?;
                        segment::check_syntax(&text, path)?
                    }
                };
                Ok(Source { label: path.to_string(), events, body: Body::File(path.to_string()) })
            }
            Some(file) => Source::held(segment::read_capped(file, path, 0, MAX_INPUT_BYTES)?, jobs),
            None => Source::held(super::common::read_text(path)?, jobs),
        }
    }

    /// A text read whole, checked.
    fn held((text, label): (String, String), jobs: usize) -> Result<Source, EventsError> {
        let events = match pipeline::check(&mut text.as_bytes(), jobs) {
            Some(events) => events,
            None => segment::check_syntax(&text, &label)?,
        };
        Ok(Source { label, events, body: Body::Text(text) })
    }

    /// Its text from the start.
    pub(super) fn reader(&self) -> std::io::Result<Box<dyn Read + '_>> {
        match &self.body {
            Body::File(path) => Ok(Box::new(File::open(path)?)),
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
