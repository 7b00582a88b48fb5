//! A secret string (the conversion token): its `Debug` and `Display` never show it, and its
//! memory is wiped when dropped. The console's `secret::tokens` keeps it between runs.

use std::fmt;

use zeroize::Zeroize;

/// A secret. Read it with [`Secret::expose`] at the one place that needs the clear text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret; surrounding whitespace is dropped. Blank → `None`. The string handed in
    /// is wiped once copied.
    pub fn new(value: impl Into<String>) -> Option<Secret> {
        let mut value = value.into();
        let trimmed = value.trim();
        let secret = (!trimmed.is_empty()).then(|| Secret(trimmed.to_string()));
        value.zeroize();
        secret
    }

    /// Wraps a conversion token as typed or read: blank → `None`; one with a line break or
    /// another control character inside is refused (it cannot go into an HTTP header, and
    /// replacing it silently would send something else).
    pub fn token(value: impl Into<String>) -> Result<Option<Secret>, BadToken> {
        let secret = Secret::new(value);
        if secret.as_ref().is_some_and(|s| s.0.chars().any(char::is_control)) {
            return Err(BadToken::ControlCharacter);
        }
        Ok(secret)
    }

    /// The clear text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, for "Bearer ••••abcd" (nothing for short secrets).
    pub fn tail(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() > 8 { chars[chars.len() - 4..].iter().collect() } else { String::new() }
    }
}

/// Why a token cannot be used (the message never shows the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadToken {
    #[error("contains a line break or another control character; a conversion token is one line of text")]
    ControlCharacter,
    #[error("is not valid UTF-8 text")]
    NotUtf8,
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(••••{})", self.tail())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "••••{}", self.tail())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let s = Secret::new(" tok_abcdefghijklmnop1234 ").unwrap();
        assert_eq!(s.expose(), "tok_abcdefghijklmnop1234");
        assert_eq!(format!("{s:?}"), "Secret(••••1234)");
        assert_eq!(format!("{s}"), "••••1234");
        assert!(!format!("{:?}", Some(&s)).contains("abcdefgh"));
        assert!(Secret::new("  ").is_none());
        assert_eq!(Secret::new("short").unwrap().to_string(), "••••");
    }

    #[test]
    fn a_token_with_a_line_break_is_refused_not_replaced() {
        assert_eq!(Secret::token("tok_abc\r\nX-Evil: 1"), Err(BadToken::ControlCharacter));
        assert_eq!(Secret::token("tok\u{0}abc"), Err(BadToken::ControlCharacter));
        assert_eq!(Secret::token(" tok_abcdefgh1234\n").unwrap().unwrap().expose(), "tok_abcdefgh1234");
        assert_eq!(Secret::token("  "), Ok(None));
    }
}
