//! Timestamps as the Conversions API sees them: ISO-8601 / RFC 3339 strings, date-only strings,
//! RFC 2822 dates, and epoch numbers — parsed without a date-time crate so every rule is ours.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (UTC).
pub type EpochMillis = i64;

/// Reddit v3 treats integers at or above this as epoch milliseconds; below it they look like
/// epoch seconds (1e12 ms is 2001-09-09, 1e12 s is the year 33658).
pub const MILLIS_THRESHOLD: i64 = 1_000_000_000_000;

/// How a timestamp value was understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A calendar date-time (ISO-8601, date-only or RFC 2822).
    Calendar(EpochMillis),
    /// An integer (or digit string) ≥ 1e12: epoch milliseconds.
    EpochMillis(EpochMillis),
    /// An integer (or digit string) < 1e12: looks like epoch seconds.
    EpochSeconds(i64),
}

impl Parsed {
    /// The instant in epoch milliseconds, reading a small number as seconds.
    pub fn millis(self) -> EpochMillis {
        match self {
            Parsed::Calendar(ms) | Parsed::EpochMillis(ms) => ms,
            Parsed::EpochSeconds(s) => s.saturating_mul(1000),
        }
    }
}

/// Parses a timestamp given as text. Returns `None` when it is not a date at all.
pub fn parse(text: &str) -> Option<Parsed> {
    let t = text.trim();
    if !t.is_empty() && t.len() <= 19 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().ok().map(from_integer);
    }
    parse_iso(t).or_else(|| parse_rfc2822(t)).map(Parsed::Calendar)
}

/// Parses a timestamp given as a JSON value (string or integer).
pub fn parse_json(value: &serde_json::Value) -> Option<Parsed> {
    match value {
        serde_json::Value::String(s) => parse(s),
        serde_json::Value::Number(n) => n.as_i64().filter(|v| *v >= 0).map(from_integer),
        _ => None,
    }
}

fn from_integer(v: i64) -> Parsed {
    if v >= MILLIS_THRESHOLD { Parsed::EpochMillis(v) } else { Parsed::EpochSeconds(v) }
}

/// The current time in epoch milliseconds.
pub fn now_millis() -> EpochMillis {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Formats epoch milliseconds as RFC 3339 UTC with milliseconds, e.g. `2024-01-08T13:52:50.212Z`.
pub fn format_rfc3339(ms: EpochMillis) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A tiny byte cursor for the date grammars below.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let part = self.s.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |acc, b| acc * 10 + u32::from(b - b'0')))
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

/// A calendar date and a wall-clock time of day.
struct Civil {
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    ms: u32,
}

impl Civil {
    fn date(y: i64, mo: u32, d: u32) -> Civil {
        Civil { y, mo, d, h: 0, mi: 0, s: 0, ms: 0 }
    }

    /// Epoch milliseconds of this wall-clock time at `offset_min` minutes east of UTC.
    fn at_offset(&self, offset_min: i64) -> Option<i64> {
        let Civil { y, mo, d, h, mi, s, ms } = *self;
        if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
            return None;
        }
        let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s) - offset_min * 60;
        Some(secs * 1000 + i64::from(ms))
    }
}

/// `YYYY-MM-DD`, optionally followed by `T` (or a space) `HH:MM[:SS[.fff…]]` and `Z` / `±HH:MM` /
/// `±HHMM` / `±HH`. A date-time without an offset is read as UTC.
fn parse_iso(t: &str) -> Option<EpochMillis> {
    let mut c = Cursor { s: t.as_bytes(), i: 0 };
    let y = c.digits(4)? as i64;
    if !c.eat(b'-') {
        return None;
    }
    let mo = c.digits(2)?;
    if !c.eat(b'-') {
        return None;
    }
    let d = c.digits(2)?;
    if c.done() {
        return Civil::date(y, mo, d).at_offset(0);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let h = c.digits(2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2)?;
    let (mut s, mut ms) = (0, 0);
    if c.eat(b':') {
        s = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.i += 1;
            }
            let frac = &t.as_bytes()[start..c.i];
            if frac.is_empty() {
                return None;
            }
            // Milliseconds: the first three digits, padded with zeros.
            ms = (0..3).fold(0, |acc, i| acc * 10 + frac.get(i).map_or(0, |d| u32::from(d - b'0')));
        }
    }
    let offset = match c.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            c.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.i += 1;
            let oh = c.digits(2)? as i64;
            c.eat(b':');
            let om = if c.done() { 0 } else { c.digits(2)? as i64 };
            if oh > 23 || om > 59 {
                return None;
            }
            let total = oh * 60 + om;
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return None,
    };
    if !c.done() {
        return None;
    }
    Civil { y, mo, d, h, mi, s, ms }.at_offset(offset)
}

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// RFC 2822 / HTTP dates: `[Mon, ]08 Jan 2024 13:52:50 GMT` (zone GMT, UTC, Z or ±HHMM).
pub fn parse_rfc2822(t: &str) -> Option<EpochMillis> {
    let rest = match t.split_once(',') {
        Some((day, rest)) if day.trim().len() == 3 => rest,
        Some(_) => return None,
        None => t,
    };
    let parts: Vec<&str> = rest.split_whitespace().collect();
    let [d, mon, y, time, zone @ ..] = parts.as_slice() else {
        return None;
    };
    let d: u32 = d.parse().ok()?;
    let mon = mon.to_ascii_lowercase();
    let mo = MONTHS.iter().position(|m| *m == mon)? as u32 + 1;
    let y: i64 = y.parse().ok().filter(|y: &i64| (1000..=9999).contains(y))?;
    let hms: Vec<u32> = time.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (h, mi, s) = match hms.as_slice() {
        [h, mi] => (*h, *mi, 0),
        [h, mi, s] => (*h, *mi, *s),
        _ => return None,
    };
    let offset = match zone {
        [] => 0,
        [z] if ["GMT", "UTC", "UT", "Z"].contains(z) => 0,
        [z] if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let n: i64 = z[1..].parse().ok()?;
            let total = n / 100 * 60 + n % 100;
            if z.starts_with('-') { -total } else { total }
        }
        _ => return None,
    };
    Civil { y, mo, d, h, mi, s, ms: 0 }.at_offset(offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_v3_conversion_table() {
        let cases: &[(&str, Option<Parsed>)] = &[
            ("2024-01-08T13:52:50.212Z", Some(Parsed::Calendar(1_704_721_970_212))),
            ("2024-01-08T18:52:50.212+05:00", Some(Parsed::Calendar(1_704_721_970_212))),
            ("2024-01-08T18:52:50.212+0500", Some(Parsed::Calendar(1_704_721_970_212))),
            ("2024-01-08T13:52:50Z", Some(Parsed::Calendar(1_704_721_970_000))),
            ("2024-01-08", Some(Parsed::Calendar(1_704_672_000_000))),
            ("1704721970212", Some(Parsed::EpochMillis(1_704_721_970_212))),
            ("1704721970", Some(Parsed::EpochSeconds(1_704_721_970))),
            ("Mon, 08 Jan 2024 13:52:50 GMT", Some(Parsed::Calendar(1_704_721_970_000))),
            ("2024-02-30", None),
            ("2024-01-08T25:00:00Z", None),
            ("yesterday", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), *want, "{text}");
        }
    }

    #[test]
    fn json_integers_follow_the_millis_threshold() {
        assert_eq!(
            parse_json(&serde_json::json!(1_704_721_970_212_i64)),
            Some(Parsed::EpochMillis(1_704_721_970_212))
        );
        assert_eq!(parse_json(&serde_json::json!(1_704_721_970)), Some(Parsed::EpochSeconds(1_704_721_970)));
        assert_eq!(parse_json(&serde_json::json!(1.5)), None);
        assert_eq!(parse_json(&serde_json::json!(null)), None);
    }

    #[test]
    fn fractions_are_truncated_to_millis() {
        assert_eq!(parse("2024-01-08T13:52:50.2Z"), Some(Parsed::Calendar(1_704_721_970_200)));
        assert_eq!(parse("2024-01-08T13:52:50.212999Z"), Some(Parsed::Calendar(1_704_721_970_212)));
    }

    #[test]
    fn leap_days() {
        assert!(parse("2024-02-29").is_some());
        assert!(parse("2023-02-29").is_none());
        assert!(parse("2000-02-29").is_some());
        assert!(parse("1900-02-29").is_none());
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ms in 0i64..253_402_300_799_999) {
            prop_assert_eq!(parse(&format_rfc3339(ms)), Some(Parsed::Calendar(ms)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
