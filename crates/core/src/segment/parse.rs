//! Reading events from text: one JSON object, a JSON array of objects, or JSON Lines (any
//! whitespace-separated stream of objects or arrays). Errors name the source, line and column.

use std::io::Read;

use serde_json::Value;
use serde_json::value::RawValue;

use super::Event;
use super::json::{self, JsValue, ReadError, Reread, Syntax};

/// Why events could not be read. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}{}: {message}", position(*.line, *.column))]
pub struct EventsError {
    /// A file path, `<stdin>`, or another label given by the caller.
    pub source_name: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// `:line:column`, or nothing for an error about the whole input (line 0: it could not be
/// opened, or it is too large), never a made-up `:0:0`.
fn position(line: usize, column: usize) -> String {
    if line == 0 { String::new() } else { format!(":{line}:{column}") }
}

/// Parses every event in `text`; `source_name` labels errors.
pub fn parse_events(text: &str, source_name: &str) -> Result<Vec<Event>, EventsError> {
    stream_events(text, source_name).collect()
}

/// Checks the whole text's JSON syntax without building anything (fast), so that a command can
/// refuse a broken file before it prints a single result. Top-level values must be objects or
/// arrays. Returns how many events the text holds.
pub fn check_syntax(text: &str, source_name: &str) -> Result<usize, EventsError> {
    let bom = bom_len(text);
    let mut events = 0;
    // Where the stream reading the text starts: past a value read again after serde_json refused
    // it for what JSON.parse reads (a lone surrogate, a number past the double range).
    let mut base = bom;
    'stream: loop {
        let mut values = json::deserializer(&text[base..]).into_iter::<Syntax>();
        loop {
            let previous_end = base + values.byte_offset();
            let end = match values.next() {
                None => return Ok(events),
                Some(Ok(_)) => base + values.byte_offset(),
                Some(Err(e)) if json::is_tolerable(&e) => {
                    let end = reread_whole(text, source_name, previous_end, json::check_value)?.1;
                    events += count_events(text, source_name, previous_end, end)?;
                    base = end;
                    continue 'stream;
                }
                Some(Err(e)) => return Err(serde_error(text, source_name, base, &e)),
            };
            events += count_events(text, source_name, previous_end, end)?;
        }
    }
}

/// [`json::reread`] of the value at `from` in a whole text: the value and its end in `text`.
fn reread_whole<T>(
    text: &str,
    source_name: &str,
    from: usize,
    read: impl Fn(&str) -> Result<T, ReadError>,
) -> Result<(T, usize), EventsError> {
    match json::reread(&text.as_bytes()[from..], false, read) {
        Reread::Read(value, len) => Ok((value, from + len)),
        Reread::Failed(e) => Err(read_error(text, source_name, from, e)),
        Reread::CutOff => unreachable!("a whole text is never cut off"),
    }
}

/// The events of the checked top-level value in `text[from..end]` (whitespace before it
/// included): one for an object, one per element for an array of objects; an error otherwise.
fn count_events(text: &str, source_name: &str, from: usize, end: usize) -> Result<usize, EventsError> {
    let rest = &text[from..end];
    let start = from + (rest.len() - rest.trim_start().len());
    let not_an_event = |at: usize, raw: &str| {
        let value = json::read_value(raw).unwrap_or(Value::Null);
        let (line, column) = line_column(text, at);
        EventsError {
            source_name: source_name.to_string(),
            line,
            column,
            message: format!("expected a Segment event (a JSON object), found {}", json_kind(&value)),
        }
    };
    match text.as_bytes().get(start) {
        Some(b'{') => Ok(1),
        Some(b'[') => {
            // A JSON array of events: every element must be an object.
            let items: Vec<&RawValue> = serde_json::from_str(&text[start..end]).unwrap_or_default();
            if let Some(bad) = items.iter().find(|r| !r.get().starts_with('{')) {
                return Err(not_an_event(offset_of(text, bad.get()), bad.get()));
            }
            Ok(items.len())
        }
        _ => Err(not_an_event(start, &text[start..end])),
    }
}

/// Events one at a time, parsed as they are asked for (one pass over the text; positions are
/// worked out only when something is wrong). A top-level array is handed out element by element:
/// only the event being handed out is ever built, however large the array.
pub fn stream_events<'t>(text: &'t str, source_name: &'t str) -> EventStream<'t> {
    let bom = bom_len(text);
    EventStream {
        text,
        source_name,
        values: json::deserializer(&text[bom..]).into_iter::<&RawValue>(),
        array: None,
        failed: false,
    }
}

/// The iterator behind [`stream_events`].
pub struct EventStream<'t> {
    text: &'t str,
    source_name: &'t str,
    values: serde_json::StreamDeserializer<'t, serde_json::de::StrRead<'t>, &'t RawValue>,
    /// Elements of a top-level array being handed out.
    array: Option<std::vec::IntoIter<&'t RawValue>>,
    failed: bool,
}

impl<'t> EventStream<'t> {
    /// A read error inside `part` (a slice of the text), placed in the whole text.
    fn error_in(&self, part: &str, e: ReadError) -> EventsError {
        read_error(self.text, self.source_name, offset_of(self.text, part), e)
    }

    /// The event in `raw`, or why it is not one.
    fn event(&self, raw: &'t RawValue) -> Result<Event, EventsError> {
        match json::read_value(raw.get()) {
            Ok(value @ Value::Object(_)) => Ok(Event::from_value(value).expect("an object")),
            Ok(other) => {
                let (line, column) = line_column(self.text, offset_of(self.text, raw.get()));
                let message =
                    format!("expected a Segment event (a JSON object), found {}", json_kind(&other));
                Err(EventsError { source_name: self.source_name.to_string(), line, column, message })
            }
            Err(e) => Err(self.error_in(raw.get(), e)),
        }
    }
}

impl Iterator for EventStream<'_> {
    type Item = Result<Event, EventsError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = loop {
            if let Some(items) = &mut self.array {
                match items.next() {
                    Some(raw) => break self.event(raw),
                    None => self.array = None,
                }
                continue;
            }
            let raw = match self.values.next()? {
                Ok(raw) => raw,
                // The raw scan places some errors a column off (a control character in a
                // string): the full syntax check, which fails here too, gives the canonical one.
                Err(e) => {
                    break Err(check_syntax(self.text, self.source_name).err().unwrap_or_else(|| {
                        serde_error(self.text, self.source_name, bom_len(self.text), &e)
                    }));
                }
            };
            if !raw.get().starts_with('[') {
                break self.event(raw);
            }
            // The whole array's syntax first (nothing is built), so an error anywhere in it comes
            // before any "not an event"; then its elements, unparsed until they are handed out.
            if let Err(e) = json::check_value(raw.get()) {
                break Err(self.error_in(raw.get(), e));
            }
            let items: Vec<&RawValue> = serde_json::from_str(raw.get()).expect("checked just above");
            self.array = Some(items.into_iter());
        };
        self.failed = result.is_err();
        Some(result)
    }
}

/// The events of a piece of checked text that holds whole top-level values, parsed straight into
/// values with no positions kept: `None` (and nothing after it) at anything else (a value cut off,
/// a top-level value that is not an object or an array of objects), which the caller then reads
/// with [`stream_events`] or [`super::EventReader`] for its error. A leading byte order mark is
/// skipped.
pub fn quick_events(text: &str) -> QuickEvents<'_> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    QuickEvents { text, base: 0, values: json::deserializer(text).into_iter(), array: None, failed: false }
}

/// The iterator behind [`quick_events`].
pub struct QuickEvents<'t> {
    text: &'t str,
    /// Where `values` started reading `text`.
    base: usize,
    values: serde_json::StreamDeserializer<'t, serde_json::de::StrRead<'t>, JsValue>,
    /// Elements of a top-level array being handed out.
    array: Option<std::vec::IntoIter<Value>>,
    failed: bool,
}

impl Iterator for QuickEvents<'_> {
    type Item = Option<Event>;

    fn next(&mut self) -> Option<Option<Event>> {
        if self.failed {
            return None;
        }
        let value = loop {
            if let Some(element) = self.array.as_mut().and_then(Iterator::next) {
                break Some(element);
            }
            self.array = None;
            let start = self.base + self.values.byte_offset();
            let value = match self.values.next()? {
                Ok(JsValue(value)) => value,
                // Read again (a lone surrogate, a number past the double range), then on after it.
                Err(e) if json::is_tolerable(&e) => {
                    let Reread::Read(value, len) =
                        json::reread(&self.text.as_bytes()[start..], false, json::read_value)
                    else {
                        break None;
                    };
                    self.base = start + len;
                    self.values = json::deserializer(&self.text[self.base..]).into_iter();
                    value
                }
                Err(_) => break None,
            };
            match value {
                Value::Array(elements) => self.array = Some(elements.into_iter()),
                value => break Some(value),
            }
        };
        let event = value.and_then(|v| Event::from_value(v).ok());
        self.failed = event.is_none();
        Some(event)
    }
}

/// The most of one events input (a file or standard input) that is read: 256 MiB. Memory is
/// bounded by it; a larger input is refused, not truncated.
pub const MAX_INPUT_BYTES: usize = 256 << 20;

/// Makes room for `additional` more bytes in a buffer that may grow up to `cap` (plus a chunk).
/// Growing by doubling leaves every smaller buffer behind, and the allocator keeps freed large
/// blocks for a while: reading 256 MiB that way peaked near three times that. Past 8 MiB the
/// buffer is given room for the cap at once (address space; pages count only once written).
pub(super) fn grow(buf: &mut Vec<u8>, additional: usize, cap: usize) {
    const DOUBLING_UP_TO: usize = 8 << 20;
    let needed = buf.len() + additional;
    if needed <= buf.capacity() {
        return;
    }
    if needed <= DOUBLING_UP_TO {
        buf.reserve(additional);
    } else {
        buf.reserve_exact(needed.max(cap.saturating_add(1 << 20)) - buf.len());
    }
}

/// Whether a byte can stand in JSON text: anything but a control character other than tab, CR
/// and LF (which JSON allows only between tokens).
#[inline]
pub fn is_text_byte(b: u8) -> bool {
    b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r')
}

/// The text of an events input and its label for errors, read in chunks: `size_hint` reserves
/// room (a regular file's length), `cap` bounds it (a larger input is refused, not truncated). A
/// byte JSON never holds (a NUL or another control character outside tab, CR and LF) stops the
/// read at once, so binary data and endless devices fail within their first chunk.
pub fn read_capped(
    mut reader: impl Read,
    label: &str,
    size_hint: usize,
    cap: usize,
) -> Result<(String, String), EventsError> {
    let mut bytes = Vec::with_capacity(size_hint.min(cap) + 1);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // Where the text stopped (a damaged compressed file breaks off mid-text).
            Err(e) if bytes.is_empty() => return Err(EventsError::io(label, &e)),
            Err(e) => {
                let text = String::from_utf8_lossy(&bytes);
                let (line, column) = line_column(&text, text.len());
                return Err(EventsError {
                    source_name: label.to_string(),
                    line,
                    column,
                    message: e.to_string(),
                });
            }
        };
        if let Some(i) = chunk[..n].iter().position(|&b| !is_text_byte(b)) {
            let at = bytes.len() + i;
            bytes.extend_from_slice(&chunk[..=i]);
            let text = String::from_utf8_lossy(&bytes);
            let (line, column) = line_column(&text, text.len() - 1);
            let message = format!(
                "byte 0x{:02x} cannot appear in JSON text (at byte {at}): is this a binary file?",
                chunk[i]
            );
            return Err(EventsError { source_name: label.to_string(), line, column, message });
        }
        if bytes.len() + n > cap {
            let message = format!("larger than {} MiB, the most one input may hold: split it", cap >> 20);
            return Err(EventsError { source_name: label.to_string(), line: 0, column: 0, message });
        }
        grow(&mut bytes, n, cap);
        bytes.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let (line, column) = line_column(&text, offset);
        EventsError {
            source_name: label.to_string(),
            line,
            column,
            message: "the file is not valid UTF-8".into(),
        }
    })?;
    Ok((text, label.to_string()))
}

impl EventsError {
    /// An input that could not be read at all.
    pub fn io(source: &str, e: &std::io::Error) -> EventsError {
        EventsError { source_name: source.to_string(), line: 0, column: 0, message: e.to_string() }
    }
}

/// A JSON value's kind in words, for error messages.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Byte offset of `part` (a slice of `whole`) within `whole`.
fn offset_of(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize).min(whole.len())
}

/// 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    // A byte order mark is invisible in editors: it takes no column.
    let line_text = &before[line_start..];
    let line_text =
        if line_start == 0 { line_text.strip_prefix('\u{feff}').unwrap_or(line_text) } else { line_text };
    (line, line_text.chars().count() + 1)
}

/// The length of a leading byte order mark.
fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// A serde_json error of a stream that started reading `text` at `base`, placed in `text`.
fn serde_error(text: &str, source_name: &str, base: usize, e: &serde_json::Error) -> EventsError {
    let offset = base + json::offset_of_position(&text.as_bytes()[base..], e.line(), e.column());
    let (line, column) = line_column(text, offset);
    let message = json::serde_message(e, text.as_bytes().get(offset..).unwrap_or_default());
    EventsError { source_name: source_name.to_string(), line, column, message }
}

/// A read error of `text[base..]`, placed in `text`.
fn read_error(text: &str, source_name: &str, base: usize, e: ReadError) -> EventsError {
    let (line, column) = line_column(text, base + e.offset);
    EventsError { source_name: source_name.to_string(), line, column, message: e.message }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(events: &[Event]) -> Vec<String> {
        events.iter().map(Event::label).collect()
    }

    #[test]
    fn reads_object_array_and_json_lines() {
        let one = parse_events(r#"{"type":"track","event":"A"}"#, "t").unwrap();
        assert_eq!(names(&one), ["track \"A\""]);
        let array = parse_events(r#"[{"type":"page","name":"Home"},{"type":"identify"}]"#, "t").unwrap();
        assert_eq!(names(&array), ["page \"Home\"", "identify"]);
        let lines =
            parse_events("{\"type\":\"track\",\"event\":\"A\"}\n\n{\"type\":\"alias\"}\n", "t").unwrap();
        assert_eq!(names(&lines), ["track \"A\"", "alias"]);
        assert!(parse_events("  \n", "t").unwrap().is_empty());
    }

    #[test]
    fn syntax_errors_name_source_line_and_column() {
        let err = parse_events("{\"type\":\"track\"}\n{\"type\": tr}\n", "events.jsonl").unwrap_err();
        assert_eq!((err.source_name.as_str(), err.line, err.column), ("events.jsonl", 2, 12));
        assert!(err.message.contains("expected ident"), "{}", err.message);
        assert_eq!(err.to_string(), format!("events.jsonl:2:12: {}", err.message));
    }

    #[test]
    fn errors_inside_arrays_keep_absolute_positions() {
        let err = parse_events("[\n  {\"a\": 1},\n  {\"a\": }\n]", "x").unwrap_err();
        assert_eq!((err.line, err.column), (3, 9));
    }

    #[test]
    fn non_objects_are_refused_where_they_stand() {
        let err = parse_events("[{\"type\":\"track\"},\n 42]", "x").unwrap_err();
        assert_eq!((err.line, err.column), (2, 2));
        assert_eq!(err.message, "expected a Segment event (a JSON object), found a number");
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let events = parse_events("\u{feff}{\"type\":\"track\"}", "x").unwrap();
        assert_eq!(events.len(), 1);
        let err = parse_events("\u{feff}{\"type\": }", "x").unwrap_err();
        assert_eq!((err.line, err.column), (1, 10), "the mark takes no column");
    }

    #[test]
    fn columns_count_characters() {
        let err = parse_events("{\"é\": nope}", "x").unwrap_err();
        assert_eq!((err.line, err.column), (1, 8));
    }

    /// `depth` arrays within one another inside an event (which counts as one level).
    fn nested(depth: usize) -> String {
        format!("{{\"a\": {}{}}}", "[".repeat(depth - 1), "]".repeat(depth - 1))
    }

    #[test]
    fn json_parse_reads_deep_nesting_up_to_the_consoles_limit() {
        // serde_json stops at 128 levels; JSON.parse reads them.
        for depth in [129, 200, crate::segment::MAX_DEPTH] {
            let events = parse_events(&nested(depth), "x").unwrap();
            assert_eq!(events.len(), 1, "{depth}");
            assert_eq!(check_syntax(&nested(depth), "x"), Ok(1), "{depth}");
        }
        // Past it, a clear error where the level opens (the readers recurse: the stack bounds it).
        let text = format!("{{\"ok\": 1}}\n{}", nested(crate::segment::MAX_DEPTH + 1));
        let err = parse_events(&text, "x").unwrap_err();
        assert_eq!(err.message, "nesting deeper than 512 levels (the most the console reads)");
        assert_eq!((err.line, err.column), (2, 519));
        assert_eq!(check_syntax(&text, "x"), Err(err));
    }

    #[test]
    fn json_parse_reads_lone_surrogates_as_javascript_keeps_them() {
        use crate::identity::js::{lone_surrogate, utf16_len};
        let text = r#"{"a": "x\ud83c", "\udc00": "\ud83c\ud83c\udf89\udfff"}"#;
        let events = parse_events(text, "x").unwrap();
        let a = events[0].value()["a"].as_str().unwrap();
        assert_eq!(a, format!("x{}", lone_surrogate(0xD83C)));
        assert_eq!(utf16_len(a), 2, r#"as "x\ud83c".length"#);
        let key = lone_surrogate(0xDC00).to_string();
        let b = events[0].value()[key.as_str()].as_str().unwrap();
        assert_eq!(b, format!("{}🎉{}", lone_surrogate(0xD83C), lone_surrogate(0xDFFF)));
        assert_eq!(quick(text), Some(events));
        // Broken escapes stay errors, where they stand.
        let err = parse_events("{\"a\": \"\\ud83c\",\n \"b\": \"\\ud83c\\x\"}", "x").unwrap_err();
        let plain = parse_events("{\"a\": \"\\ud83c\",\n \"b\": \"\\u0041\\x\"}", "x").unwrap_err();
        assert_eq!((err.line, err.column, err.message.as_str()), (2, 15, "invalid escape"));
        assert_eq!(err, plain);
    }

    #[test]
    fn json_parse_reads_numbers_as_the_nearest_double() {
        // Known answers from Node: JSON.parse, then String(n) (the writer prints as JavaScript).
        let text = r#"{"a": 1593.4099999999999, "b": 1755507896.6650605, "c": 9007199254740993.0,
            "d": 9007199254740993, "e": 1.7976931348623158e308, "f": 1e400, "g": -1e400,
            "h": 18446744073709551615, "i": -9223372036854775808, "j": 1e-400, "k": 123456789012345678901234567890}"#;
        let event = &parse_events(text, "x").unwrap()[0];
        let js = |k: &str| crate::mapping::js_string(&event.value()[k]);
        assert_eq!(js("a"), "1593.4099999999999");
        assert_eq!(js("b"), "1755507896.6650605");
        assert_eq!(js("c"), "9007199254740992");
        assert_eq!(js("d"), "9007199254740992");
        assert_eq!(js("e"), "1.7976931348623157e+308");
        assert_eq!((js("f").as_str(), js("g").as_str()), ("Infinity", "-Infinity"));
        assert_eq!(js("h"), "18446744073709552000");
        assert_eq!(js("i"), "-9223372036854776000");
        assert_eq!(js("j"), "0");
        assert_eq!(js("k"), "1.2345678901234568e+29");
        // The same from every reader.
        assert_eq!(quick(text), Some(parse_events(text, "x").unwrap()));
        assert_eq!(check_syntax(text, "x"), Ok(1));
    }

    #[test]
    fn a_bom_mid_file_and_whole_input_errors_are_told_plainly() {
        // Lone surrogates are read as JSON.parse reads them (`json_parse_reads_lone_surrogates…`).
        let joined = "{\"a\": 1}\n\u{feff}{\"b\": 2}";
        for err in [parse_events(joined, "x").unwrap_err(), check_syntax(joined, "x").unwrap_err()] {
            assert!(err.message.starts_with("a byte order mark (U+FEFF) in the middle"), "{}", err.message);
            assert_eq!((err.line, err.column), (2, 1));
        }
        let whole =
            EventsError { source_name: "big.jsonl".into(), line: 0, column: 0, message: "too large".into() };
        assert_eq!(whole.to_string(), "big.jsonl: too large");
        let placed = EventsError { line: 3, column: 12, ..whole };
        assert_eq!(placed.to_string(), "big.jsonl:3:12: too large");
    }

    #[test]
    fn check_syntax_refuses_what_parsing_refuses() {
        // Found by the event_parser fuzz target: IgnoredAny skipped these, so a command checked a
        // file, then printed (or sent) the events before the bad one and failed half way; and it
        // placed a control character in a string one column early.
        let deep = nested(crate::segment::MAX_DEPTH + 1);
        for text in [
            "{\"a\": 1}\n{\"currency\": \"\u{0}USD\"}",
            "{\"a\": 1}\n{\"s\": \"\\ud800\\u00\"}",
            "{\"a\": 1}\n{\"n\": 1e400, \"s\": \"\\ud800\", \"t\": tru}",
            &deep,
        ] {
            let parsed = parse_events(text, "x").map(|_| ());
            assert!(parsed.is_err(), "{text:?}");
            assert_eq!(check_syntax(text, "x").map(|_| ()), parsed, "{text:?}");
        }
        // And reads what JSON.parse reads.
        for text in [
            "{\"a\": 1}\n{\"total\": 1e400}",
            "{\"a\": 1}\n{\"n\": -123456789012345678901234567890e300}",
            "{\"a\": 1}\n{\"s\": \"\\ud800\"}",
            "{\"a\": 1}\n[{\"\\udc00\": 1}, {}]",
        ] {
            assert_eq!(check_syntax(text, "x"), Ok(parse_events(text, "x").unwrap().len()), "{text:?}");
        }
        assert_eq!(check_syntax("{\"n\": 1e308, \"s\": \"\\ud83d\\ude00\"}", "x"), Ok(1));
    }

    #[test]
    fn input_is_read_with_a_cap_and_binary_stops_at_its_first_bytes() {
        // An endless reader of NULs (like /dev/zero): refused within the first chunk.
        let err = read_capped(std::io::repeat(0), "zero", 0, 1 << 20).unwrap_err();
        assert_eq!((err.source_name.as_str(), err.line, err.column), ("zero", 1, 1));
        assert!(err.message.contains("0x00"), "{}", err.message);
        let err = read_capped(&b"{\"a\": 1}\n{\"b\":\x01}"[..], "x", 0, 1 << 20).unwrap_err();
        assert_eq!((err.line, err.column), (2, 6));
        // An endless reader of JSON whitespace: stopped at the cap.
        let err = read_capped(std::io::repeat(b' '), "spaces", 0, 1 << 20).unwrap_err();
        assert!(err.message.contains("larger than 1 MiB"), "{}", err.message);
        let (text, label) = read_capped(&b"\t{\"del\": \"\x7f\"}\r\n"[..], "ok", 0, 1 << 20).unwrap();
        assert_eq!((text.as_str(), label.as_str()), ("\t{\"del\": \"\u{7f}\"}\r\n", "ok"));
    }

    #[test]
    fn check_syntax_counts_the_events() {
        assert_eq!(check_syntax("", "x"), Ok(0));
        assert_eq!(check_syntax(" \n[]\n", "x"), Ok(0));
        assert_eq!(check_syntax("{}\n[{}, {}]\n{}", "x"), Ok(4));
    }

    #[test]
    fn array_elements_are_streamed_with_their_errors_in_place() {
        let text = "[{\"a\": 1},\n {\"b\": 2}, 7]";
        let mut stream = stream_events(text, "x");
        assert_eq!(stream.next().unwrap().unwrap().value()["a"], 1);
        assert_eq!(stream.next().unwrap().unwrap().value()["b"], 2);
        let err = stream.next().unwrap().unwrap_err();
        assert_eq!((err.line, err.column), (2, 12));
        assert!(stream.next().is_none());
        // A syntax error anywhere in the array comes first, where it stands.
        let err = parse_events("[7,\n {\"n\": 1e400, \"m\": -}]", "x").unwrap_err();
        assert_eq!((err.line, err.column), (2, 21));
        assert!(err.message.contains("invalid number"), "{}", err.message);
    }

    #[test]
    fn accessors_read_common_fields() {
        let e = &parse_events(
            r#"{"type":"track","event":"E","userId":"u","anonymousId":"a","messageId":"m",
                "timestamp":"t","properties":{"x":1},"context":{"ip":"i"},"traits":{}}"#,
            "x",
        )
        .unwrap()[0];
        assert_eq!(e.event_type(), Some(super::super::EventType::Track));
        assert_eq!(
            (e.event_name(), e.user_id(), e.anonymous_id(), e.message_id(), e.timestamp()),
            (Some("E"), Some("u"), Some("a"), Some("m"), Some("t"))
        );
        assert_eq!(e.properties().unwrap()["x"], 1);
        assert_eq!(e.context().unwrap()["ip"], "i");
        assert!(e.traits().is_some());
    }

    /// What [`quick_events`] makes of `text`: the events, or `None` once it gives up.
    fn quick(text: &str) -> Option<Vec<Event>> {
        quick_events(text).collect()
    }

    #[test]
    fn quick_events_reads_what_the_text_parser_reads() {
        for text in [
            "{\"type\":\"track\",\"event\":\"A\"}\n\n{\"type\":\"alias\"}\n",
            "\u{feff}[{\"type\":\"page\",\"name\":\"Home\"}, {\"type\":\"identify\"}]\n{\"a\":[1,{}]}",
            "  [ ] [{}] [] []\n[]",
            "{\n  \"pretty\": [1, 2]\n}\n{}{}",
            "",
        ] {
            assert_eq!(quick(text), Some(parse_events(text, "t").unwrap()), "{text:?}");
        }
    }

    #[test]
    fn quick_events_gives_up_where_positions_are_needed() {
        // A value cut at the piece's end, a top-level value that is not an event, broken JSON.
        for text in
            ["{\"a\":1}\n{\"b\":", "{}\n42\n{}", "[{}, 7]", "{}\n\"x\"", "{} {\"a\": tr}", "{\"a\":1}\n]"]
        {
            let events: Vec<Option<Event>> = quick_events(text).collect();
            assert_eq!(events.last(), Some(&None), "{text:?}");
            assert_eq!(events.iter().filter(|e| e.is_none()).count(), 1, "{text:?}: nothing after giving up");
            assert!(events.iter().rev().skip(1).all(Option::is_some), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,64}") {
            let _ = parse_events(&s, "p");
        }

        #[test]
        fn quick_events_never_reads_what_the_text_parser_refuses(s in "[\\[\\]{}\":,0-9a \n]{0,40}") {
            if let Some(events) = quick(&s) {
                prop_assert_eq!(Ok(events), parse_events(&s, "p"));
            }
        }

        #[test]
        fn every_object_in_a_json_lines_stream_is_read(n in 0usize..20) {
            let text: String = (0..n).map(|i| format!("{{\"type\":\"track\",\"event\":\"E{i}\"}}\n")).collect();
            let events = parse_events(&text, "p").unwrap();
            prop_assert_eq!(events.len(), n);
        }
    }
}
