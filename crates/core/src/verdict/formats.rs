//! The value formats Reddit's rules name, written here from the evidence table
//! (`docs/reddit-rules.md`), not borrowed from the builder: RFC 3339 times, RFC 4122 UUIDs,
//! SHA-256 hex digests, the `_rdt_uuid` cookie form and the shape of an ISO 4217 code.

/// Milliseconds since the Unix epoch of an RFC 3339 date-time
/// (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`), or `None` when `s` is not one.
pub fn rfc3339_millis(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().all(u8::is_ascii_digit).then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let sep = |at: usize, set: &[u8]| b.get(at).is_some_and(|c| set.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            if *sign == b'+' { h * 60 + m } else { -(h * 60 + m) }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether `s` is an RFC 4122 UUID: 8-4-4-4-12 hex digits, version 1–5, variant `10xx`.
pub fn is_rfc4122_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    let hex_ok = b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    hex_ok && matches!(b[14], b'1'..=b'5') && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// Whether `s` is 64 hex digits, the form of a SHA-256 digest.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The UUID inside a `_rdt_uuid` cookie value (`<epoch millis>.<UUID>`), when `s` has that form.
pub fn rdt_uuid_cookie(s: &str) -> Option<&str> {
    let (millis, uuid) = s.split_once('.')?;
    let plausible_millis = (12..=14).contains(&millis.len()) && millis.bytes().all(|c| c.is_ascii_digit());
    (plausible_millis && is_rfc4122_uuid(uuid)).then_some(uuid)
}

/// Whether `s` has the shape of an ISO 4217 code: three upper-case ASCII letters.
pub fn is_currency_shape(s: &str) -> bool {
    s.len() == 3 && s.bytes().all(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_millis() {
        assert_eq!(rfc3339_millis("2024-01-08T13:52:50.212Z"), Some(1_704_721_970_212));
        assert_eq!(rfc3339_millis("2024-01-08T18:52:50.212+05:00"), Some(1_704_721_970_212));
        assert_eq!(rfc3339_millis("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_millis("2024-02-29T00:00:00.5Z"), Some(1_709_164_800_500));
        for bad in [
            "2024-01-08",
            "2024-01-08 13:52:50Z",
            "2024-02-30T00:00:00Z",
            "2024-01-08T13:52:50",
            "2024-01-08T13:52:50.Z",
            "x",
        ] {
            assert_eq!(rfc3339_millis(bad), None, "{bad}");
        }
    }

    #[test]
    fn uuids_digests_cookies_and_currencies() {
        assert!(is_rfc4122_uuid("6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10"));
        assert!(!is_rfc4122_uuid("6f1c5a0e-2b7d-0c1e-9a3f-0d2e4b6c8a10"), "version 0");
        assert!(!is_rfc4122_uuid("6f1c5a0e-2b7d-4c1e-7a3f-0d2e4b6c8a10"), "variant");
        assert!(!is_rfc4122_uuid("test_uuid"));
        assert!(is_sha256_hex(&"a".repeat(64)) && !is_sha256_hex(&"g".repeat(64)) && !is_sha256_hex("abc"));
        assert_eq!(
            rdt_uuid_cookie("1700000000000.6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10"),
            Some("6f1c5a0e-2b7d-4c1e-9a3f-0d2e4b6c8a10")
        );
        assert_eq!(rdt_uuid_cookie("1.oldest_uuid"), None);
        assert!(is_currency_shape("USD") && !is_currency_shape("usd") && !is_currency_shape("US"));
    }
}
