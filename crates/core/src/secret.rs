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

    /// `text` with every copy of the secret (as is, and as a JSON string escapes it) replaced by
    /// its mask, `••••` and the last four characters: for what an endpoint sends back.
    pub fn mask_in<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        let escaped = serde_json::to_string(&self.0).unwrap_or_default();
        let escaped = escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or_default();
        for form in [self.0.as_str(), escaped] {
            if !form.is_empty() && out.contains(form) {
                out = std::borrow::Cow::Owned(out.replace(form, &self.to_string()));
            }
        }
        out
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

/// Whether a settings key names a secret: compared without case, `_` or `-`, it holds `token`,
/// `secret`, `password`, `passwd`, `credential` or `auth`, or ends in `key` (`conversionToken`,
/// `CONVERSION_TOKEN`, `api_Key`, `auth`).
pub fn is_secret_key(key: &str) -> bool {
    let key: String =
        key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    ["token", "secret", "password", "passwd", "credential", "auth"].iter().any(|word| key.contains(word))
        || key.ends_with("key")
}

/// A copy of `value` to show: every member whose key names a secret ([`is_secret_key`]), at any
/// depth, and every string that starts with `Bearer `, becomes `"••••"`.
pub fn masked(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), if is_secret_key(k) { Value::from(MASK) } else { masked(v) }))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        Value::String(s) if looks_like_bearer(s) => Value::from(MASK),
        other => other.clone(),
    }
}

/// Removes from `value` every member whose key names a secret and every `Bearer …` string, at
/// any depth, and returns where they were (`at` and the member path, e.g. `settings.auth`).
pub fn remove_secrets(value: &mut serde_json::Value, at: &str) -> Vec<String> {
    use serde_json::Value;
    let mut removed = Vec::new();
    match value {
        Value::Object(members) => {
            members.retain(|k, v| {
                let secret = is_secret_key(k) || v.as_str().is_some_and(looks_like_bearer);
                if secret {
                    removed.push(format!("{at}.{k}"));
                }
                !secret
            });
            for (k, v) in members.iter_mut() {
                removed.extend(remove_secrets(v, &format!("{at}.{k}")));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                if v.as_str().is_some_and(looks_like_bearer) {
                    *v = Value::from(MASK);
                    removed.push(format!("{at}[{i}]"));
                }
                removed.extend(remove_secrets(v, &format!("{at}[{i}]")));
            }
        }
        _ => {}
    }
    removed
}

/// What a masked secret shows.
pub const MASK: &str = "••••";

fn looks_like_bearer(s: &str) -> bool {
    s.trim_start().get(..7).is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
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

    #[test]
    fn a_reflected_token_is_masked_as_is_and_json_escaped() {
        let s = Secret::new("tok/abcd\"efgh1234").unwrap();
        let body = format!(
            "{{\"echo\": {}}} and Bearer tok/abcd\"efgh1234",
            serde_json::to_string(s.expose()).unwrap()
        );
        let masked = s.mask_in(&body);
        assert!(!masked.contains("abcd"), "{masked}");
        assert_eq!(masked, r#"{"echo": "••••1234"} and Bearer ••••1234"#);
        assert!(matches!(s.mask_in("nothing here"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn secret_keys_whatever_their_case_or_separators() {
        for key in [
            "conversion_token",
            "conversionToken",
            "CONVERSION_TOKEN",
            "api_Key",
            "auth",
            "Client-Secret",
            "password",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["ad_account_id", "test_mode", "region", "event_at", "products", "user"] {
            assert!(!is_secret_key(key), "{key}");
        }
        let value = serde_json::json!({"region": "us", "nested": {"auth": {"conversion_token": "t"}, "x": ["Bearer abc", 1]}});
        assert_eq!(
            masked(&value),
            serde_json::json!({"region": "us", "nested": {"auth": "••••", "x": ["••••", 1]}})
        );
        let mut value = value;
        assert_eq!(remove_secrets(&mut value, "settings"), ["settings.nested.auth", "settings.nested.x[0]"]);
        assert_eq!(value, serde_json::json!({"region": "us", "nested": {"x": ["••••", 1]}}));
    }
}
