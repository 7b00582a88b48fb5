//! JSON text read as JavaScript's `JSON.parse` reads it, into serde_json values:
//!
//! - numbers as the nearest double (serde_json's `float_roundtrip`), whole numbers beyond 2^53
//!   as the double JavaScript holds for them (`9007199254740993` is `9007199254740992`);
//! - numbers past the double range (`1e400`) as ±Infinity ([`crate::mapping::infinity`]);
//! - lone surrogate escapes (`"\ud83c"`) kept ([`crate::identity::js::lone_surrogate`]);
//! - nesting up to [`MAX_DEPTH`] levels (`JSON.parse` has no limit; the console's bounds the
//!   stack its recursive readers and mappings take), a clear error past it.
//!
//! serde_json refuses the second and third: a value it refuses for them only (rare) is read
//! again from a rewritten text ([`Rewritten`]) whose positions map back to the original's.

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::identity::js::lone_surrogate;

/// The deepest nesting read: objects and arrays within one another, the event itself counting
/// as one. The readers and the mappings recurse: at about 2.3 KB a level in a debug build, 512
/// levels take about 1.2 MB of a thread's 2 MB stack (a release build, a fifth of it).
pub const MAX_DEPTH: usize = 512;

/// Why a value could not be read: `offset` is a byte offset into the text given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub offset: usize,
    pub message: String,
}

impl ReadError {
    fn from_serde(text: &[u8], e: &serde_json::Error) -> ReadError {
        let offset = offset_of_position(text, e.line(), e.column());
        ReadError { offset, message: serde_message(e, text.get(offset..).unwrap_or_default()) }
    }
}

/// serde_json's message without the " at line L column C" it appends (our position replaces it),
/// said plainly where its words mislead: `rest` is the text from the error's position, and a byte
/// order mark there is no "expected value".
pub(crate) fn serde_message(e: &serde_json::Error, rest: &[u8]) -> String {
    if rest.starts_with("\u{feff}".as_bytes()) {
        return "a byte order mark (U+FEFF) in the middle of the input: only the very start may have one (were files joined?)".into();
    }
    let message = e.to_string();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    }
}

/// Byte offset of serde_json's (line, byte column) position in `text`.
pub(crate) fn offset_of_position(text: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize =
        text.split_inclusive(|&b| b == b'\n').take(line.saturating_sub(1)).map(<[u8]>::len).sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// A serde_json deserializer over `text` without serde_json's recursion limit (128): the
/// readers here count depth against [`MAX_DEPTH`] themselves.
pub(crate) fn deserializer(text: &str) -> serde_json::Deserializer<serde_json::de::StrRead<'_>> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    de
}

/// [`deserializer`] over bytes.
pub(crate) fn slice_deserializer(bytes: &[u8]) -> serde_json::Deserializer<serde_json::de::SliceRead<'_>> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    de
}

/// Whether serde_json refused the text only for what `JSON.parse` reads: a lone surrogate escape
/// or a number past the double range.
pub(crate) fn is_tolerable(e: &serde_json::Error) -> bool {
    let m = e.to_string();
    m.starts_with("lone leading surrogate")
        || m.starts_with("unexpected end of hex escape")
        || m.starts_with("number out of range")
}

/// The end (a byte offset) of the one value at the start of `bytes`, whitespace before it
/// included: serde_json's skipping reader, which takes lone surrogates, any number and any depth.
pub(crate) fn value_end(bytes: &[u8]) -> Result<usize, serde_json::Error> {
    let mut values = slice_deserializer(bytes).into_iter::<IgnoredAny>();
    match values.next() {
        Some(Ok(_)) => Ok(values.byte_offset()),
        Some(Err(e)) => Err(e),
        None => Err(serde::de::Error::custom("EOF while parsing a value")),
    }
}

/// A value serde_json refused only for what JSON.parse reads, read again.
pub(crate) enum Reread<T> {
    /// The value and its end (a byte offset, whitespace before it included).
    Read(T, usize),
    Failed(ReadError),
    /// The bytes end inside the value: more input may finish it.
    CutOff,
}

/// Reads the value at the start of `bytes` again with `read` (after serde_json refused it for a
/// lone surrogate or a number past the double range): found with serde_json's skipping reader,
/// then read whole. With `more_may_come`, a value cut off by the end of `bytes` is
/// [`Reread::CutOff`]; otherwise it is an error, as `read` gives it.
pub(crate) fn reread<T>(
    bytes: &[u8],
    more_may_come: bool,
    read: impl Fn(&str) -> Result<T, ReadError>,
) -> Reread<T> {
    let (end, skipped) = match value_end(bytes) {
        Ok(end) => (end, None),
        Err(e) if more_may_come && cut_off(bytes, &e) => return Reread::CutOff,
        // The value is broken: reading it whole (to the end of the bytes) gives the error where
        // the readers give it; the skipping reader's is the fallback.
        Err(e) => (bytes.len(), Some(e)),
    };
    let text = match std::str::from_utf8(&bytes[..end]) {
        Ok(text) => text,
        Err(e) => {
            let message = "invalid unicode code point".to_string();
            return Reread::Failed(ReadError { offset: e.valid_up_to(), message });
        }
    };
    match (read(text), skipped) {
        (Ok(value), None) => Reread::Read(value, end),
        (Err(e), _) => Reread::Failed(e),
        (Ok(_), Some(e)) => Reread::Failed(ReadError::from_serde(bytes, &e)),
    }
}

/// Whether serde_json's error on `bytes` may only mean that they end too soon: an EOF, or any
/// error at their last byte (a number cut after `1e` or `1.` is "invalid" there).
pub(crate) fn cut_off(bytes: &[u8], e: &serde_json::Error) -> bool {
    e.is_eof() || offset_of_position(bytes, e.line(), e.column()) + 1 >= bytes.len()
}

/// The one value of `text` (whitespace around it allowed).
pub(crate) fn read_value(text: &str) -> Result<Value, ReadError> {
    read_with(text, |de, markers| Seed { depth: 0, markers }.deserialize(de))
}

/// Checks that `text` holds one value [`read_value`] reads, building nothing.
pub(crate) fn check_value(text: &str) -> Result<(), ReadError> {
    read_with(text, |de, _| SyntaxSeed(0).deserialize(de).map(|Syntax| ()))
}

/// Reads `text` with `read`, then again from the rewritten text if serde_json refused it only
/// for what JSON.parse reads.
fn read_with<T>(
    text: &str,
    read: impl Fn(&mut serde_json::Deserializer<serde_json::de::StrRead<'_>>, bool) -> serde_json::Result<T>,
) -> Result<T, ReadError> {
    let whole = |text: &str, markers| {
        let mut de = deserializer(text);
        let value = read(&mut de, markers)?;
        de.end().map(|()| value)
    };
    match whole(text, false) {
        Ok(value) => Ok(value),
        Err(e) if is_tolerable(&e) => {
            let rewritten = Rewritten::new(text);
            whole(&rewritten.text, true).map_err(|e| {
                let error = ReadError::from_serde(rewritten.text.as_bytes(), &e);
                ReadError { offset: rewritten.original_offset(error.offset), ..error }
            })
        }
        Err(e) => Err(ReadError::from_serde(text.as_bytes(), &e)),
    }
}

/// A JSON value read by [`Seed`] from the start of a stream (`into_iter::<JsValue>()`).
pub(crate) struct JsValue(pub Value);

impl<'de> serde::Deserialize<'de> for JsValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<JsValue, D::Error> {
        Seed { depth: 0, markers: false }.deserialize(deserializer).map(JsValue)
    }
}

/// The largest whole number a double holds exactly with all below it: 2^53.
const EXACT: u64 = 1 << 53;

/// Builds a [`Value`] at nesting `depth`. With `markers` (a [`Rewritten`] text), the whole
/// numbers `u64::MAX` and `i64::MIN` are the rewriter's ±Infinity (it writes real ones as
/// fractions).
#[derive(Clone, Copy)]
struct Seed {
    depth: usize,
    markers: bool,
}

impl Seed {
    fn inner<E: serde::de::Error>(self) -> Result<Seed, E> {
        deeper(self.depth).map(|depth| Seed { depth, ..self })
    }
}

/// The depth one level in, or the error past [`MAX_DEPTH`].
fn deeper<E: serde::de::Error>(depth: usize) -> Result<usize, E> {
    if depth >= MAX_DEPTH {
        return Err(E::custom(format_args!(
            "nesting deeper than {MAX_DEPTH} levels (the most the console reads)"
        )));
    }
    Ok(depth + 1)
}

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        if self.markers && n == i64::MIN {
            return Ok(crate::mapping::infinity(true));
        }
        Ok(if n.unsigned_abs() > EXACT { float(n as f64) } else { Value::Number(n.into()) })
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        if self.markers && n == u64::MAX {
            return Ok(crate::mapping::infinity(false));
        }
        Ok(if n > EXACT { float(n as f64) } else { Value::Number(n.into()) })
    }

    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(float(x))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A finite double as a JSON number.
fn float(x: f64) -> Value {
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// A JSON value read for its syntax only, with depth counted: nothing is kept, but every number
/// and string is decoded, so the text is refused exactly where [`Seed`] refuses it.
pub(crate) struct Syntax;

impl<'de> serde::Deserialize<'de> for Syntax {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Syntax, D::Error> {
        SyntaxSeed(0).deserialize(deserializer)
    }
}

/// [`Syntax`] at a nesting depth.
#[derive(Clone, Copy)]
struct SyntaxSeed(usize);

impl<'de> DeserializeSeed<'de> for SyntaxSeed {
    type Value = Syntax;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Syntax, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SyntaxSeed {
    type Value = Syntax;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_str<E>(self, _: &str) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_unit<E>(self) -> Result<Syntax, E> {
        Ok(Syntax)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Syntax, A::Error> {
        let inner = SyntaxSeed(deeper(self.0)?);
        while seq.next_element_seed(inner)?.is_some() {}
        Ok(Syntax)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Syntax, A::Error> {
        let inner = SyntaxSeed(deeper(self.0)?);
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value_seed(inner)?;
        }
        Ok(Syntax)
    }
}

/// A JSON text rewritten so that serde_json reads what JSON.parse reads: each lone surrogate
/// escape becomes the character that stands for it, each number past the double range the
/// marker [`Seed`] reads as ±Infinity (`18446744073709551615`, `-9223372036854775808`), and a
/// real number written as one of the markers a fraction (`….0`). Lexical only: a text that is
/// not JSON stays as broken, where it was.
pub(crate) struct Rewritten {
    pub text: String,
    /// (end in the new text, end in the original) of each change, in order.
    edits: Vec<(usize, usize)>,
}

impl Rewritten {
    pub(crate) fn new(original: &str) -> Rewritten {
        let bytes = original.as_bytes();
        let mut out = Rewritten { text: String::with_capacity(original.len()), edits: Vec::new() };
        let mut copied = 0;
        let mut i = 0;
        let mut in_string = false;
        while i < bytes.len() {
            let b = bytes[i];
            if in_string {
                match b {
                    b'"' => in_string = false,
                    b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                        let unit = hex4(bytes, i + 2);
                        let low = |at| hex4(bytes, at).filter(|u| (0xDC00..=0xDFFF).contains(u));
                        match unit {
                            Some(0xD800..=0xDBFF)
                                if bytes.get(i + 6..i + 8) == Some(b"\\u") && low(i + 8).is_some() =>
                            {
                                i += 12;
                                continue;
                            }
                            Some(unit @ 0xD800..=0xDFFF) => {
                                out.replace(
                                    original,
                                    &mut copied,
                                    i,
                                    i + 6,
                                    lone_surrogate(unit).encode_utf8(&mut [0; 4]),
                                );
                                i += 6;
                                continue;
                            }
                            _ => i += 1,
                        }
                    }
                    b'\\' => i += 1,
                    _ => {}
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'-' | b'0'..=b'9' => {
                    let end = i + bytes[i..]
                        .iter()
                        .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                        .unwrap_or(bytes.len() - i);
                    let token = &original[i..end];
                    if token == "18446744073709551615" || token == "-9223372036854775808" {
                        out.replace(original, &mut copied, i, end, &format!("{token}.0"));
                    } else if let Ok(x) = token.parse::<f64>()
                        && x.is_infinite()
                    {
                        let marker = if x > 0.0 { "18446744073709551615" } else { "-9223372036854775808" };
                        out.replace(original, &mut copied, i, end, marker);
                    }
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        out.text.push_str(&original[copied..]);
        out
    }

    /// Writes `with` for `original[start..end]` (the text up to it copied first).
    fn replace(&mut self, original: &str, copied: &mut usize, start: usize, end: usize, with: &str) {
        self.text.push_str(&original[*copied..start]);
        self.text.push_str(with);
        *copied = end;
        self.edits.push((self.text.len(), end));
    }

    /// The original's offset of an offset into the rewritten text (an offset inside a change
    /// maps to the change's end).
    pub(crate) fn original_offset(&self, offset: usize) -> usize {
        let before = self.edits.partition_point(|&(new_end, _)| new_end <= offset);
        match before.checked_sub(1).map(|i| self.edits[i]) {
            Some((new_end, old_end)) => old_end + (offset - new_end),
            None => offset,
        }
    }
}

/// The four hex digits at `at`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
    u16::from_str_radix(digits, 16).ok().filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::js::{from_utf16_units, utf16_units, write_json_string};
    use proptest::prelude::*;

    /// The double read for a number's text: ±Infinity for the markers.
    fn read_number(text: &str) -> f64 {
        match read_value(text).unwrap() {
            Value::Number(n) => crate::mapping::js_f64(&n),
            other => panic!("{text}: {other}"),
        }
    }

    /// A UTF-16 string as `JSON.stringify` writes it: surrogates (paired or not) as escapes.
    fn stringify(units: &[u16]) -> String {
        let mut out = String::from("\"");
        for &u in units {
            match u {
                0x22 => out.push_str("\\\""),
                0x5C => out.push_str("\\\\"),
                0..0x20 | 0xD800..=0xDFFF => out.push_str(&format!("\\u{u:04x}")),
                _ => out.push(char::from_u32(u32::from(u)).unwrap()),
            }
        }
        out.push('"');
        out
    }

    proptest! {
        #[test]
        fn numbers_read_as_the_nearest_double(
            digits in "[1-9][0-9]{0,24}",
            point in 0usize..26,
            exponent in -340i32..340,
            negative: bool,
        ) {
            // Rust's parser is correctly rounded: it is the reference.
            let point = point.min(digits.len());
            let text = format!("{}{}.{}e{exponent}", if negative { "-" } else { "" }, &digits[..point.max(1)], &digits[point.max(1)..]);
            let text = text.replace(".e", "e");
            let expected: f64 = text.parse().unwrap();
            prop_assert_eq!(read_number(&text).to_bits(), expected.to_bits(), "{}", text);
            let whole = format!("{}{digits}", if negative { "-" } else { "" });
            prop_assert_eq!(read_number(&whole), whole.parse::<f64>().unwrap(), "{}", whole);
        }

        #[test]
        fn strings_of_any_utf16_units_read_and_write_back(units in prop::collection::vec(
            prop_oneof![0u16..0x80, 0xD800u16..0xE000, 0x80u16..0xFFFF], 0..12)
        ) {
            // A pair for U+10F800..U+10FFFF is read as the lone surrogate it stands for (the
            // documented limit of holding lone surrogates in Rust strings): not generated.
            prop_assume!(!units.windows(2).any(|w| (0xDBFE..=0xDBFF).contains(&w[0]) && (0xDC00..0xE000).contains(&w[1])));
            let text = stringify(&units);
            let Value::String(s) = read_value(&text).unwrap() else { panic!("{text}") };
            prop_assert_eq!(utf16_units(&s).collect::<Vec<_>>(), units.clone());
            prop_assert_eq!(from_utf16_units(&units), s.clone());
            // Written back as JSON.stringify writes the string JavaScript holds (pairs as
            // characters, the rest escaped as above).
            let mut written = Vec::new();
            write_json_string(&mut written, &s);
            let Value::String(again) = read_value(std::str::from_utf8(&written).unwrap()).unwrap() else { panic!() };
            prop_assert_eq!(again, s);
        }

        #[test]
        fn errors_after_a_rewrite_stand_where_they_stand_without_it(
            lone in prop::collection::vec(0xD800u16..0xE000, 1..4),
            before in "[a-z ]{0,6}",
            broken in prop_oneof![Just("tru"), Just("-"), Just("\"\\x\""), Just("01"), Just("}")],
        ) {
            // A value rewritten for its lone surrogates or its 1e400 reports a later error at the
            // same place as the same text with plain escapes and numbers.
            let escapes: String = lone.iter().map(|u| format!("\\u{u:04x}")).collect();
            let plain: String = lone.iter().map(|_| "\\u0041").collect();
            let text = |s: &str, n: &str| format!("{{\"a\": \"{before}{s}\",\n \"n\": {n}, \"b\": {broken}}}");
            let ours = read_value(&text(&escapes, "1e400")).unwrap_err();
            let plain = read_value(&text(&plain, "1e300")).unwrap_err();
            prop_assert_eq!(ours, plain);
        }
    }

    #[test]
    fn a_rewritten_text_maps_offsets_back() {
        let original = r#"["\ud83c", 1e400, "\ud83d\ude00", 18446744073709551615, x]"#;
        let rewritten = Rewritten::new(original);
        assert_eq!(
            rewritten.text,
            "[\"\u{10F83C}\", 18446744073709551615, \"\\ud83d\\ude00\", 18446744073709551615.0, x]"
        );
        let x = rewritten.text.find('x').unwrap();
        assert_eq!(rewritten.original_offset(x), original.find('x').unwrap());
        let value = read_value(&original.replace(", x", "")).unwrap();
        assert_eq!(crate::mapping::js_string(&value), "\u{10F83C},Infinity,😀,18446744073709552000");
    }
}
