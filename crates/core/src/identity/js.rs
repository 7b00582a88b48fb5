//! The few JavaScript string semantics Segment's normalization depends on, reproduced exactly.
//!
//! Segment's destination code is TypeScript running on V8; to send byte-identical hashes the
//! Segment profile must trim, lowercase and index strings the way JavaScript does, which is
//! not always the way Rust's standard library does.

/// Whether `c` is stripped by JavaScript's `String.prototype.trim`.
///
/// That is ECMAScript *WhiteSpace* (U+0009, U+000B, U+000C, U+0020, U+00A0, U+FEFF and every
/// `Zs` character: U+1680, U+2000–U+200A, U+202F, U+205F, U+3000) plus *LineTerminator*
/// (U+000A, U+000D, U+2028, U+2029).
///
/// Unlike Rust's [`char::is_whitespace`] it includes U+FEFF (byte-order mark) and excludes
/// U+0085 (NEL). U+180E (Mongolian vowel separator) is whitespace in neither.
pub const fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{0009}'..='\u{000D}'
            | '\u{0020}'
            | '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// JavaScript's `s.trim()`: strips [`is_js_whitespace`] characters from both ends.
///
/// Differs from [`str::trim`] on U+FEFF (stripped here, kept by Rust) and U+0085 (kept here,
/// stripped by Rust).
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// JavaScript's `s.toLowerCase()`: full Unicode default lowercasing, context-sensitive
/// Final_Sigma included (`"ΟΔΟΣ"` → `"οδος"` with a final `ς`), one-to-many mappings
/// included (`"İ"` → `"i\u{307}"`, two UTF-16 units from one). No locale tailoring, like V8.
///
/// Rust's [`str::to_lowercase`] implements exactly these rules; the only possible difference is
/// the Unicode version of the case tables (Rust's vs. the ICU bundled with Node), which only
/// matters for characters newly assigned in the latest Unicode release.
pub fn to_lower_case(s: &str) -> String {
    if s.is_ascii() { s.to_ascii_lowercase() } else { s.to_lowercase() }
}

/// Length of `s` in UTF-16 code units, i.e. JavaScript's `s.length` (a [lone surrogate](lone_surrogate)
/// is one unit).
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(units_of).sum()
}

/// How many UTF-16 code units JavaScript holds for the character `c`: one for a character that
/// stands for a [lone surrogate](lone_surrogate), else [`char::len_utf16`].
#[inline]
pub fn units_of(c: char) -> usize {
    if surrogate_of(c).is_some() { 1 } else { c.len_utf16() }
}

/// The first of the characters that stand for lone surrogates: U+10F800 + (unit − 0xD800), the
/// last 2,048 code points of plane 16 (private use). A JavaScript string may hold a UTF-16
/// surrogate that is not half of a pair (`JSON.parse("\"\\ud83c\"")`, a client cutting an
/// emoji in half); a Rust string cannot, so the reader keeps each as one of these characters and
/// the writers give it back: `\udxxx` in JSON (as `JSON.stringify` writes it), U+FFFD in the
/// UTF-8 that is hashed (as Node encodes it). A real character of this range in the input reads
/// as the lone surrogate it stands for: no event was ever seen to carry one.
const LONE_SURROGATE_BASE: u32 = 0x10_F800;

/// The character that stands for the lone UTF-16 surrogate `unit` (0xD800..=0xDFFF).
pub fn lone_surrogate(unit: u16) -> char {
    debug_assert!((0xD800..=0xDFFF).contains(&unit));
    char::from_u32(LONE_SURROGATE_BASE + u32::from(unit & 0x7FF)).expect("plane 16 is all characters")
}

/// The lone surrogate `c` stands for, if it stands for one.
#[inline]
pub fn surrogate_of(c: char) -> Option<u16> {
    let c = u32::from(c);
    (c >= LONE_SURROGATE_BASE).then(|| 0xD800 + (c - LONE_SURROGATE_BASE) as u16)
}

/// Whether `s` may hold a lone surrogate (a byte scan: their UTF-8 starts with 0xF4 0x8F).
#[inline]
pub fn may_hold_lone_surrogates(s: &str) -> bool {
    s.as_bytes().contains(&0xF4)
}

/// The string JavaScript holds for `s`, as UTF-16 code units: lone surrogates as themselves.
pub fn utf16_units(s: &str) -> impl Iterator<Item = u16> + '_ {
    s.chars().flat_map(|c| {
        let mut buf = [0u16; 2];
        let n = match surrogate_of(c) {
            Some(unit) => {
                buf[0] = unit;
                1
            }
            None => c.encode_utf16(&mut buf).len(),
        };
        buf.into_iter().take(n)
    })
}

/// The string of JavaScript's UTF-16 `units`: pairs as characters, lone surrogates as the
/// characters that stand for them.
pub fn from_utf16_units(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or_else(|e| lone_surrogate(e.unpaired_surrogate())))
        .collect()
}

/// JavaScript's string `s` as a JavaScript engine sees it once pieces meet: a lone high surrogate
/// followed by a lone low one (`"\ud83c" + "\udf89"`) is one character. `None` when nothing
/// changes.
fn joined_pairs(s: &str) -> Option<String> {
    if !may_hold_lone_surrogates(s) {
        return None;
    }
    let units: Vec<u16> = utf16_units(s).collect();
    let joined = from_utf16_units(&units);
    (joined != s).then_some(joined)
}

/// The UTF-8 Node makes of the string `s` (`Buffer.from(s)`, `hash.update(s)`): a lone surrogate
/// becomes U+FFFD.
pub fn utf8_bytes(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if !may_hold_lone_surrogates(s) {
        return std::borrow::Cow::Borrowed(s.as_bytes());
    }
    let joined = joined_pairs(s);
    let s = joined.as_deref().unwrap_or(s);
    let text: String = s.chars().map(|c| if surrogate_of(c).is_some() { '\u{FFFD}' } else { c }).collect();
    std::borrow::Cow::Owned(text.into_bytes())
}

/// Appends `s` as a JSON string as `JSON.stringify` writes it: escaped as `serde_json` escapes
/// (the same text for every string JSON can hold), a lone surrogate as `\udxxx`.
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    fn fragment(out: &mut Vec<u8>, s: &str) {
        let escaped = serde_json::to_string(s).expect("strings serialize");
        out.extend_from_slice(&escaped.as_bytes()[1..escaped.len() - 1]);
    }
    let joined = joined_pairs(s);
    let s = joined.as_deref().unwrap_or(s);
    out.push(b'"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(unit) = surrogate_of(c) {
            fragment(out, &s[start..i]);
            out.extend_from_slice(format!("\\u{unit:04x}").as_bytes());
            start = i + c.len_utf8();
        }
    }
    fragment(out, &s[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_matches_js_whitespace_set() {
        let js_ws = [
            '\u{0009}', '\u{000A}', '\u{000B}', '\u{000C}', '\u{000D}', '\u{0020}', '\u{00A0}', '\u{1680}',
            '\u{2000}', '\u{2005}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
            '\u{FEFF}',
        ];
        for c in js_ws {
            let s = format!("{c}x{c}");
            assert_eq!(trim(&s), "x", "U+{:04X} must be trimmed", c as u32);
        }
        for c in ['\u{0085}', '\u{180E}', '\u{200B}', '\u{001F}'] {
            let s = format!("{c}x{c}");
            assert_eq!(trim(&s), s, "U+{:04X} must not be trimmed", c as u32);
        }
        // The two places where Rust's notion differs.
        assert_eq!("\u{FEFF}x".trim(), "\u{FEFF}x");
        assert_eq!("\u{0085}x".trim(), "x");
        assert_eq!(trim("\u{00A0}\u{FEFF} a b \u{3000}"), "a b");
        assert_eq!(trim(" \t\n "), "");
    }

    #[test]
    fn lowercasing_follows_js() {
        assert_eq!(to_lower_case("İ"), "i\u{307}");
        assert_eq!(utf16_len(&to_lower_case("İ")), 2);
        assert_eq!(to_lower_case("ΟΔΟΣ"), "οδος");
        assert_eq!(to_lower_case("ΣΑ"), "σα");
        assert_eq!(to_lower_case("Σ"), "σ"); // no preceding cased letter: not final
        assert_eq!(to_lower_case("AΣ."), "aς.");
        assert_eq!(to_lower_case("AΣb"), "aσb");
        assert_eq!(to_lower_case("ẞ"), "ß");
        assert_eq!(to_lower_case("\u{212A}"), "k"); // KELVIN SIGN
        assert_eq!(to_lower_case("Example.COM"), "example.com");
    }

    #[test]
    fn utf16_length() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
    }
}
