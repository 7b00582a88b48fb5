//! Inputs as Segment writes them: plain text or gzip (Segment's S3 destination and warehouse
//! exports write gzip JSON Lines), told apart by the first bytes, not the name; a directory (the
//! S3 archive layout) is its files in name order. Every command and the app open inputs here.
//!
//! Decompression streams: readers hand out the decompressed text a piece at a time, so the
//! callers' caps count decompressed bytes and a gzip bomb is stopped like any large input.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

/// The two bytes every gzip member starts with (RFC 1952).
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened input: its text, decompressed when it was gzip.
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    /// Whether it was gzip.
    pub gzip: bool,
    /// A regular file (it can be opened again and read the same way), not a pipe or device.
    pub regular: bool,
    /// Bytes to reserve for its text: a plain regular file's length, else 0.
    pub size_hint: usize,
}

/// Opens a file for its text (gzip or plain).
pub fn open(path: &Path) -> io::Result<Opened> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(io::ErrorKind::IsADirectory, "is a directory"));
    }
    let (reader, gzip) = decoded(file)?;
    let size_hint = if gzip { 0 } else { usize::try_from(meta.len()).unwrap_or(usize::MAX) };
    Ok(Opened { reader, gzip, regular: meta.is_file(), size_hint })
}

/// The text `reader` holds, decompressed when it starts with [`GZIP_MAGIC`]; and whether it
/// did. Concatenated gzip members (as `cat a.gz b.gz` makes) are read one after the other.
pub fn decoded(mut reader: impl Read + Send + 'static) -> io::Result<(Box<dyn Read + Send>, bool)> {
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < head.len() {
        match reader.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let whole = Cursor::new(head).take(got as u64).chain(reader);
    if got == head.len() && head == GZIP_MAGIC {
        let decoder = flate2::bufread::MultiGzDecoder::new(BufReader::with_capacity(64 << 10, whole));
        Ok((Box::new(Gunzip(decoder)), true))
    } else {
        Ok((Box::new(whole), false))
    }
}

/// The decompressed text of `bytes` (gzip or plain), up to `cap` bytes: `None` when larger.
pub fn decoded_bytes(bytes: Vec<u8>, cap: u64) -> io::Result<Option<Vec<u8>>> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok((bytes.len() as u64 <= cap).then_some(bytes));
    }
    let (reader, _) = decoded(Cursor::new(bytes))?;
    let mut text = Vec::new();
    reader.take(cap + 1).read_to_end(&mut text)?;
    Ok((text.len() as u64 <= cap).then_some(text))
}

/// A gzip decoder whose errors say the file is damaged (flate2's alone say "corrupt deflate
/// stream" or nothing at all for a file cut short).
struct Gunzip<R>(flate2::bufread::MultiGzDecoder<R>);

impl<R: io::BufRead> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            let what = match e.kind() {
                io::ErrorKind::UnexpectedEof => {
                    "gzip data cut short (the file is truncated or damaged)".to_string()
                }
                io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
                    format!("damaged gzip data ({e})")
                }
                _ => return e,
            };
            io::Error::new(e.kind(), what)
        })
    }
}

/// The files `path` stands for: itself, or for a directory every file below it (hidden names
/// skipped, symbolic links to directories not followed) in name order, as Segment's S3 archive
/// lays out a source's days. A directory without files is an error.
pub fn files(path: &Path) -> io::Result<Vec<PathBuf>> {
    if !std::fs::metadata(path)?.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    walk(path, &mut found)?;
    if found.is_empty() {
        return Err(io::Error::new(io::ErrorKind::NotFound, "a directory without files"));
    }
    found.sort();
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, found)?;
        } else if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            found.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::{TestDir, gzip};

    fn text(opened: Opened) -> io::Result<String> {
        let mut text = String::new();
        opened.reader.take(1 << 20).read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn gzip_is_told_by_its_first_bytes_not_its_name() {
        let dir = TestDir::created("input-magic");
        let plain = dir.join("events.gz");
        let packed = dir.join("events.jsonl");
        std::fs::write(&plain, "{\"a\":1}\n").unwrap();
        std::fs::write(&packed, gzip(b"{\"a\":1}\n")).unwrap();
        let opened = open(&plain).unwrap();
        assert!(!opened.gzip && opened.regular && opened.size_hint == 8);
        assert_eq!(text(opened).unwrap(), "{\"a\":1}\n");
        let opened = open(&packed).unwrap();
        assert!(opened.gzip && opened.size_hint == 0);
        assert_eq!(text(opened).unwrap(), "{\"a\":1}\n");
    }

    #[test]
    fn concatenated_members_are_read_whole_and_short_inputs_pass_through() {
        let mut both = gzip(b"one\n");
        both.extend(gzip(b"two\n"));
        let (mut reader, gzip) = decoded(Cursor::new(both)).unwrap();
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        assert!(gzip);
        assert_eq!(text, "one\ntwo\n");
        for short in [&b""[..], b"\x1f", b"x"] {
            let (mut reader, gzip) = decoded(Cursor::new(short.to_vec())).unwrap();
            let mut back = Vec::new();
            reader.read_to_end(&mut back).unwrap();
            assert!(!gzip);
            assert_eq!(back, short);
        }
    }

    #[test]
    fn truncated_or_damaged_gzip_is_an_error_saying_so() {
        let whole = gzip(&b"{\"type\":\"track\",\"event\":\"E\"}\n".repeat(1000));
        let truncated = whole[..whole.len() / 2].to_vec();
        let mut damaged = whole.clone();
        let middle = damaged.len() / 2;
        damaged[middle..middle + 8].copy_from_slice(b"\xff\xff\xff\xff\xff\xff\xff\xff");
        for (bytes, says) in [(truncated, "truncated"), (damaged, "damaged")] {
            let (mut reader, _) = decoded(Cursor::new(bytes)).unwrap();
            let e = reader.read_to_end(&mut Vec::new()).unwrap_err();
            assert!(e.to_string().contains(says), "{e}");
        }
    }

    #[test]
    fn bytes_are_decompressed_up_to_the_cap() {
        let text = b"x".repeat(1000);
        assert_eq!(decoded_bytes(gzip(&text), 1000).unwrap().unwrap(), text);
        assert_eq!(decoded_bytes(gzip(&text), 999).unwrap(), None);
        assert_eq!(decoded_bytes(text.clone(), 1000).unwrap().unwrap(), text);
        assert_eq!(decoded_bytes(text, 10).unwrap(), None);
    }

    #[test]
    fn a_directory_is_its_files_in_name_order_below_it() {
        let dir = TestDir::created("input-dir");
        for name in ["b/2.gz", "b/10.gz", "a.gz", ".hidden", "c/.x/skip.gz"] {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let names: Vec<PathBuf> = files(&dir).unwrap();
        let relative: Vec<&Path> = names.iter().map(|p| p.strip_prefix(&*dir).unwrap()).collect();
        assert_eq!(relative, [Path::new("a.gz"), Path::new("b/10.gz"), Path::new("b/2.gz")]);
        assert_eq!(files(&dir.join("a.gz")).unwrap(), [dir.join("a.gz")]);
        let empty = dir.join("c");
        assert!(files(&empty).unwrap_err().to_string().contains("without files"));
    }
}
