//! Times shown to people: RFC 3339 instants from the history, in the machine's local time with
//! its zone (`2026-12-05 14:02:11 CET`). Where the zone cannot be read, UTC says so.

use crate::timestamp;

/// `rfc3339` in local time with the zone's abbreviation; the text as it is if it is no time.
pub fn local(rfc3339: &str) -> String {
    let Some(ms) = timestamp::parse(rfc3339).map(|p| p.millis()) else { return rfc3339.to_string() };
    #[cfg(unix)]
    if let Some(text) = unix_local(ms.div_euclid(1000)) {
        return text;
    }
    let utc = timestamp::format_rfc3339(ms);
    format!("{} {} UTC", &utc[..10], &utc[11..19])
}

/// `localtime_r` and `strftime`, which read `TZ` and the system's zone files.
#[cfg(unix)]
fn unix_local(seconds: i64) -> Option<String> {
    // time_t is 32 bits on some platforms.
    #[allow(clippy::useless_conversion)]
    let t: libc::time_t = seconds.try_into().ok()?;
    // SAFETY: `tm` is plain data that localtime_r fills; strftime writes at most `buf.len()`
    // bytes into `buf` and returns how many (0 on failure), with a format of C string literals.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return None;
        }
        let mut buf = [0u8; 64];
        let n = libc::strftime(buf.as_mut_ptr().cast(), buf.len(), c"%Y-%m-%d %H:%M:%S %Z".as_ptr(), &tm);
        (n > 0).then(|| String::from_utf8_lossy(&buf[..n]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_is_shown_with_its_zone() {
        let shown = local("2026-12-05T19:46:23.123Z");
        let parts: Vec<&str> = shown.split(' ').collect();
        assert_eq!(parts.len(), 3, "date, time, zone: {shown}");
        assert!(
            parts[0].starts_with("2026-12-0") && parts[1].len() == 8 && parts[1].ends_with(":23"),
            "{shown}"
        );
        assert!(!parts[2].is_empty(), "{shown}");
        assert_eq!(local("not a time"), "not a time");
    }
}
