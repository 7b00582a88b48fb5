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

/// Length of `s` in UTF-16 code units, i.e. JavaScript's `s.length`.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
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
