//! The user of an HTTP Basic `Authorization` header: where Segment's server libraries put the
//! write key (`Basic base64(writeKey + ":")`).

/// The user name in `Basic <base64(user:password)>`; `None` when the header is not Basic or does
/// not decode to UTF-8 text.
pub fn basic_user(header: &str) -> Option<String> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(decode_base64(encoded.trim())?).ok()?;
    let user = decoded.split_once(':').map_or(decoded.as_str(), |(user, _)| user);
    Some(user.to_string())
}

/// Standard base64 (RFC 4648 §4), padding optional.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let text = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut bits = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            bits |= digit(c)? << (18 - 6 * i);
        }
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_write_key_is_the_basic_user() {
        // base64("my-key:") and base64("my-key:secret"), base64("a") unpadded.
        assert_eq!(basic_user("Basic bXkta2V5Og==").as_deref(), Some("my-key"));
        assert_eq!(basic_user("basic bXkta2V5OnNlY3JldA").as_deref(), Some("my-key"));
        assert_eq!(basic_user("Basic YQ").as_deref(), Some("a"));
        assert_eq!(basic_user("Bearer bXkta2V5Og=="), None);
        assert_eq!(basic_user("Basic !!!"), None);
        assert_eq!(basic_user("Basic /w=="), None, "0xff is not UTF-8");
    }
}
