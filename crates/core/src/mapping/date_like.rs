//! Segment's `date-like` schema format, as actions-core 3.170.0 checks `datetime` fields:
//!
//! ```js
//! let date = dayjs(data)
//! if (String(Number(data)) === data) date = dayjs.unix(Number(data))
//! return date.isValid()
//! ```
//!
//! dayjs reads a string that does not end in `Z`/`z` with its own pattern first and hands
//! everything else to JavaScript's `Date`, whose parser in V8 (Node) is the ES5 ISO format with a
//! permissive legacy fallback: `2024-02-30T00:00:00Z` is valid (it rolls over to March 1),
//! `" 2024-01-08T13:52:50Z"` is not (the legacy parser refuses the `T`), `"abc 2024"` is.
//! This module reproduces both, so the console refuses exactly the strings Segment refuses.

use crate::identity::js::is_js_whitespace;

/// The largest time value a JavaScript `Date` holds (±100,000,000 days).
const MAX_TIME_MS: f64 = 8.64e15;

/// Whether Segment's `date-like` format accepts the string `data`.
pub fn is_date_like(data: &str) -> bool {
    if let Some(n) = canonical_number(data) {
        // dayjs.unix(n) = new Date(n * 1000)
        let ms = n * 1000.0;
        return ms.is_finite() && ms.abs() <= MAX_TIME_MS;
    }
    let ends_in_z = data.ends_with(['Z', 'z']);
    if !ends_in_z && dayjs_pattern(data) {
        // new Date(YYYY, M - 1, D, …) with a four-digit year is always a valid date.
        return true;
    }
    parse_date(data).is_some()
}

/// `Number(data)` when `String(Number(data)) === data` (NaN and ±Infinity included, as `NaN`).
fn canonical_number(data: &str) -> Option<f64> {
    match data {
        "NaN" => return Some(f64::NAN),
        "Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let first = data.bytes().next()?;
    if !(first.is_ascii_digit() || first == b'-') {
        return None;
    }
    // A canonical number string is decimal: digits, '-', '.', 'e', '+'; Rust parses it as JS does.
    if !data.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'+')) {
        return None;
    }
    let n: f64 = data.parse().ok()?;
    (super::js_f64_string(n) == data).then_some(n)
}

/// dayjs's `REGEX_PARSE`:
/// `^(\d{4})[-/]?(\d{1,2})?[-/]?(\d{0,2})[Tt\s]*(\d{1,2})?:?(\d{1,2})?:?(\d{1,2})?[.:]?(\d+)?$`.
fn dayjs_pattern(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    // A small backtracking matcher over the pattern's pieces.
    #[derive(Clone, Copy)]
    enum P {
        /// `min..=max` ASCII digits.
        Digits(usize, usize),
        /// One optional character of the set.
        Opt(&'static [char]),
        /// Any number of `T`, `t` or JavaScript whitespace.
        Sep,
    }
    const DASH: &[char] = &['-', '/'];
    const COLON: &[char] = &[':'];
    const DOT: &[char] = &['.', ':'];
    const PATTERN: [P; 13] = [
        P::Digits(4, 4),
        P::Opt(DASH),
        P::Digits(0, 2),
        P::Opt(DASH),
        P::Digits(0, 2),
        P::Sep,
        P::Digits(0, 2),
        P::Opt(COLON),
        P::Digits(0, 2),
        P::Opt(COLON),
        P::Digits(0, 2),
        P::Opt(DOT),
        P::Digits(0, usize::MAX),
    ];
    fn run(p: &[P], s: &[char]) -> bool {
        let Some((first, rest)) = p.split_first() else {
            return s.is_empty();
        };
        match *first {
            P::Digits(min, max) => {
                let n = s.iter().take_while(|c| c.is_ascii_digit()).count().min(max);
                (min..=n).rev().any(|k| run(rest, &s[k..]))
            }
            P::Opt(set) => (s.first().is_some_and(|c| set.contains(c)) && run(rest, &s[1..])) || run(rest, s),
            P::Sep => {
                let n = s.iter().take_while(|&&c| c == 'T' || c == 't' || is_js_whitespace(c)).count();
                (0..=n).rev().any(|k| run(rest, &s[k..]))
            }
        }
    }
    run(&PATTERN, &chars)
}

// ---- V8's date parser (src/date/dateparser*.{h,cc}), for `new Date(string)` ----

const NONE: i64 = i64::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeywordType {
    Invalid,
    MonthName,
    TimeZoneName,
    TimeSeparator,
    AmPm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Invalid,
    Unknown,
    Number { value: i64, length: usize },
    Symbol(char),
    WhiteSpace,
    Keyword { kind: KeywordType, value: i64, length: usize },
    EndOfInput,
}

impl Token {
    fn is_number(self) -> bool {
        matches!(self, Token::Number { .. })
    }
    fn is_fixed_number(self, n: usize) -> bool {
        matches!(self, Token::Number { length, .. } if length == n)
    }
    fn number(self) -> i64 {
        match self {
            Token::Number { value, .. } => value,
            _ => 0,
        }
    }
    fn is_symbol(self, c: char) -> bool {
        self == Token::Symbol(c)
    }
    fn is_sign(self) -> bool {
        self.is_symbol('+') || self.is_symbol('-')
    }
    fn sign(self) -> i64 {
        if self.is_symbol('-') { -1 } else { 1 }
    }
    fn is_keyword_z(self) -> bool {
        matches!(self, Token::Keyword { kind: KeywordType::TimeZoneName, value: 0, length: 1 })
    }
    fn is_keyword_type(self, k: KeywordType) -> bool {
        matches!(self, Token::Keyword { kind, .. } if kind == k)
    }
}

const KEYWORDS: [([u32; 3], KeywordType, i64); 27] = {
    const fn w(s: &[u8]) -> [u32; 3] {
        let mut out = [0u32; 3];
        let mut i = 0;
        while i < s.len() {
            out[i] = s[i] as u32;
            i += 1;
        }
        out
    }
    use KeywordType::*;
    [
        (w(b"jan"), MonthName, 1),
        (w(b"feb"), MonthName, 2),
        (w(b"mar"), MonthName, 3),
        (w(b"apr"), MonthName, 4),
        (w(b"may"), MonthName, 5),
        (w(b"jun"), MonthName, 6),
        (w(b"jul"), MonthName, 7),
        (w(b"aug"), MonthName, 8),
        (w(b"sep"), MonthName, 9),
        (w(b"oct"), MonthName, 10),
        (w(b"nov"), MonthName, 11),
        (w(b"dec"), MonthName, 12),
        (w(b"am"), AmPm, 0),
        (w(b"pm"), AmPm, 12),
        (w(b"ut"), TimeZoneName, 0),
        (w(b"utc"), TimeZoneName, 0),
        (w(b"z"), TimeZoneName, 0),
        (w(b"gmt"), TimeZoneName, 0),
        (w(b"cdt"), TimeZoneName, -5),
        (w(b"cst"), TimeZoneName, -6),
        (w(b"edt"), TimeZoneName, -4),
        (w(b"est"), TimeZoneName, -5),
        (w(b"mdt"), TimeZoneName, -6),
        (w(b"mst"), TimeZoneName, -7),
        (w(b"pdt"), TimeZoneName, -7),
        (w(b"pst"), TimeZoneName, -8),
        (w(b"t"), TimeSeparator, 0),
    ]
};

fn keyword(prefix: [u32; 3], length: usize) -> (KeywordType, i64) {
    for (word, kind, value) in KEYWORDS {
        if word == prefix && (length <= 3 || kind == KeywordType::MonthName) {
            return (kind, value);
        }
    }
    (KeywordType::Invalid, 0)
}

/// V8 reads the string as UTF-16 code units; a supplementary character is two units, both
/// "alpha or above", so reading by `char` gives the same tokens.
struct Scanner {
    chars: Vec<char>,
    pos: usize,
    next: Token,
}

impl Scanner {
    fn new(s: &str) -> Scanner {
        let mut sc = Scanner { chars: s.chars().collect(), pos: 0, next: Token::EndOfInput };
        sc.next = sc.scan();
        sc
    }
    fn ch(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn scan(&mut self) -> Token {
        let start = self.pos;
        let Some(c) = self.ch() else { return Token::EndOfInput };
        if c.is_ascii_digit() {
            while self.ch() == Some('0') {
                self.pos += 1;
            }
            let (mut n, mut i) = (0i64, 0);
            while let Some(d) = self.ch().filter(char::is_ascii_digit) {
                if i < 9 {
                    n = n * 10 + i64::from(d as u8 - b'0');
                }
                i += 1;
                self.pos += 1;
            }
            return Token::Number { value: n, length: self.pos - start };
        }
        if matches!(c, ':' | '-' | '+' | '.' | ')') {
            self.pos += 1;
            return Token::Symbol(c);
        }
        if c >= 'A' && !is_js_whitespace(c) {
            let mut prefix = [0u32; 3];
            let mut length = 0;
            while let Some(c) = self.ch().filter(|&c| c >= 'A' && !is_js_whitespace(c)) {
                if length < 3 {
                    // V8's AsciiAlphaToLower: c | 0x20 on the UTF-16 unit.
                    prefix[length] = (if (c as u32) < 0x10000 { c as u32 } else { 0xD800 }) | 0x20;
                }
                length += crate::identity::js::units_of(c);
                self.pos += 1;
            }
            let (kind, value) = keyword(prefix, length);
            return Token::Keyword { kind, value, length };
        }
        if is_js_whitespace(c) {
            self.pos += 1;
            return Token::WhiteSpace;
        }
        if c == '(' {
            let mut balance = 0;
            loop {
                match self.ch() {
                    Some(')') => balance -= 1,
                    Some('(') => balance += 1,
                    _ => {}
                }
                self.pos += 1;
                if balance <= 0 || self.ch().is_none_or(|c| c == '\0') {
                    break;
                }
            }
            return Token::Unknown;
        }
        self.pos += 1;
        Token::Unknown
    }
    fn next(&mut self) -> Token {
        let t = self.next;
        self.next = self.scan();
        t
    }
    fn peek(&self) -> Token {
        self.next
    }
    fn skip_symbol(&mut self, c: char) -> bool {
        if self.next.is_symbol(c) {
            self.next();
            true
        } else {
            false
        }
    }
}

const fn between(x: i64, lo: i64, hi: i64) -> bool {
    x >= lo && x <= hi
}
const fn is_month(x: i64) -> bool {
    between(x, 1, 12)
}
const fn is_day(x: i64) -> bool {
    between(x, 1, 31)
}
const fn is_hour(x: i64) -> bool {
    between(x, 0, 23)
}
const fn is_minute(x: i64) -> bool {
    between(x, 0, 59)
}

#[derive(Default)]
struct Day {
    comp: [i64; 3],
    index: usize,
    named_month: Option<i64>,
    iso: bool,
}

impl Day {
    fn add(&mut self, n: i64) -> bool {
        if self.index == 3 {
            return false;
        }
        self.comp[self.index] = n;
        self.index += 1;
        true
    }
    /// (year, month 1..12, day 1..31).
    fn write(mut self) -> Option<(i64, i64, i64)> {
        if self.index < 1 {
            return None;
        }
        while self.index < 3 {
            self.comp[self.index] = 1;
            self.index += 1;
        }
        let c = self.comp;
        let (mut year, month, day) = match self.named_month {
            None if self.iso || !is_day(c[0]) => (c[0], c[1], c[2]),
            None => (c[2], c[0], c[1]),
            Some(m) if !is_day(c[0]) => (c[0], m, c[1]),
            Some(m) => (c[1], m, c[0]),
        };
        if !self.iso {
            if between(year, 0, 49) {
                year += 2000;
            } else if between(year, 50, 99) {
                year += 1900;
            }
        }
        (between(year, -(1 << 30), (1 << 30) - 1) && is_month(month) && is_day(day))
            .then_some((year, month, day))
    }
}

#[derive(Default)]
struct Time {
    comp: [i64; 4],
    index: usize,
    hour_offset: Option<i64>,
}

impl Time {
    fn is_empty(&self) -> bool {
        self.index == 0
    }
    fn is_expecting(&self, n: i64) -> bool {
        (self.index == 1 && is_minute(n))
            || (self.index == 2 && is_minute(n))
            || (self.index == 3 && between(n, 0, 999))
    }
    fn add(&mut self, n: i64) -> bool {
        if self.index < 4 {
            self.comp[self.index] = n;
            self.index += 1;
            true
        } else {
            false
        }
    }
    fn add_final(&mut self, n: i64) -> bool {
        if !self.add(n) {
            return false;
        }
        while self.index < 4 {
            self.comp[self.index] = 0;
            self.index += 1;
        }
        true
    }
    /// Milliseconds into the day.
    fn write(mut self) -> Option<i64> {
        while self.index < 4 {
            self.comp[self.index] = 0;
            self.index += 1;
        }
        let [mut hour, minute, second, milli] = self.comp;
        if let Some(offset) = self.hour_offset {
            if !between(hour, 0, 12) {
                return None;
            }
            hour = hour % 12 + offset;
        }
        let in_range = is_hour(hour) && is_minute(minute) && is_minute(second) && between(milli, 0, 999);
        // 24:00:00.000 is the one time past 23:59 allowed.
        if !in_range && (hour != 24 || minute != 0 || second != 0 || milli != 0) {
            return None;
        }
        Some(((hour * 60 + minute) * 60 + second) * 1000 + milli)
    }
}

struct Zone {
    sign: i64,
    hour: i64,
    minute: i64,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone { sign: NONE, hour: NONE, minute: NONE }
    }
}

impl Zone {
    fn set(&mut self, hours: i64) {
        self.sign = if hours < 0 { -1 } else { 1 };
        self.hour = hours.abs();
        self.minute = 0;
    }
    fn is_expecting(&self, n: i64) -> bool {
        self.hour != NONE && self.minute == NONE && is_minute(n)
    }
    fn is_utc(&self) -> bool {
        self.hour == 0 && self.minute == 0
    }
    fn is_empty(&self) -> bool {
        self.hour == NONE
    }
    /// The offset in seconds, `Some(None)` for local time (UTC on Segment's servers).
    fn write(self) -> Option<Option<i64>> {
        if self.sign == NONE {
            return Some(None);
        }
        let hour = if self.hour == NONE { 0 } else { self.hour };
        let minute = if self.minute == NONE { 0 } else { self.minute };
        let total = hour * 3600 + minute * 60;
        if total > (1 << 30) - 1 {
            return None;
        }
        Some(Some(self.sign * total))
    }
}

fn read_milliseconds(t: Token) -> i64 {
    let (mut n, mut length) = match t {
        Token::Number { value, length } => (value, length),
        _ => (0, 0),
    };
    if length == 1 {
        n *= 100;
    } else if length == 2 {
        n *= 10;
    } else if length > 3 {
        length = length.min(9);
        let mut factor = 1;
        while length > 3 {
            factor *= 10;
            length -= 1;
        }
        n /= factor;
    }
    n
}

/// ES5 minutes or seconds: two digits, 00–59 (only 00 after hour 24); consumed.
fn sixty(sc: &mut Scanner, hour_is_24: bool) -> Option<i64> {
    let p = sc.peek();
    (p.is_fixed_number(2) && is_minute(p.number()) && !(hour_is_24 && p.number() > 0))
        .then(|| sc.next().number())
}

/// The ES5 ISO format; returns the first token it leaves to the legacy parser.
fn parse_es5(sc: &mut Scanner, day: &mut Day, time: &mut Time, tz: &mut Zone) -> Token {
    if sc.peek().is_sign() {
        let sign_token = sc.next();
        if !sc.peek().is_fixed_number(6) {
            return sign_token;
        }
        let sign = sign_token.sign();
        let year = sc.next().number();
        if sign < 0 && year == 0 {
            return sign_token;
        }
        day.add(sign * year);
    } else if sc.peek().is_fixed_number(4) {
        day.add(sc.next().number());
    } else {
        return sc.next();
    }
    if sc.skip_symbol('-') {
        if !sc.peek().is_fixed_number(2) || !is_month(sc.peek().number()) {
            return sc.next();
        }
        day.add(sc.next().number());
        if sc.skip_symbol('-') {
            if !sc.peek().is_fixed_number(2) || !is_day(sc.peek().number()) {
                return sc.next();
            }
            day.add(sc.next().number());
        }
    }
    if !sc.peek().is_keyword_type(KeywordType::TimeSeparator) {
        if sc.peek() != Token::EndOfInput {
            return sc.next();
        }
    } else {
        sc.next();
        if !sc.peek().is_fixed_number(2) || !between(sc.peek().number(), 0, 24) {
            return Token::Invalid;
        }
        let hour_is_24 = sc.peek().number() == 24;
        time.add(sc.next().number());
        if !sc.skip_symbol(':') {
            return Token::Invalid;
        }
        let Some(minute) = sixty(sc, hour_is_24) else { return Token::Invalid };
        time.add(minute);
        if sc.skip_symbol(':') {
            let Some(second) = sixty(sc, hour_is_24) else { return Token::Invalid };
            time.add(second);
            if sc.skip_symbol('.') {
                if !sc.peek().is_number() || (hour_is_24 && sc.peek().number() > 0) {
                    return Token::Invalid;
                }
                time.add(read_milliseconds(sc.next()));
            }
        }
        if sc.peek().is_keyword_z() {
            sc.next();
            tz.set(0);
        } else if sc.peek().is_sign() {
            tz.sign = sc.next().sign();
            if sc.peek().is_fixed_number(4) {
                let hm = sc.next().number();
                let (hour, minute) = (hm / 100, hm % 100);
                if !is_hour(hour) || !is_minute(minute) {
                    return Token::Invalid;
                }
                tz.hour = hour;
                tz.minute = minute;
            } else {
                if !sc.peek().is_fixed_number(2) || !is_hour(sc.peek().number()) {
                    return Token::Invalid;
                }
                tz.hour = sc.next().number();
                if !sc.skip_symbol(':') {
                    return Token::Invalid;
                }
                if !sc.peek().is_fixed_number(2) || !is_minute(sc.peek().number()) {
                    return Token::Invalid;
                }
                tz.minute = sc.next().number();
            }
        }
        if sc.peek() != Token::EndOfInput {
            return Token::Invalid;
        }
    }
    if tz.is_empty() && time.is_empty() {
        tz.set(0);
    }
    day.iso = true;
    Token::EndOfInput
}

/// `new Date(s).getTime()` in V8 with the local time zone UTC; `None` for an invalid date.
pub fn parse_date(s: &str) -> Option<f64> {
    let mut sc = Scanner::new(s);
    let (mut day, mut time, mut tz) = (Day::default(), Time::default(), Zone::default());
    let mut token = parse_es5(&mut sc, &mut day, &mut time, &mut tz);
    if token == Token::Invalid {
        return None;
    }
    let mut has_read_number = day.index > 0;
    while token != Token::EndOfInput {
        match token {
            Token::Number { value: n, .. } => {
                has_read_number = true;
                if sc.skip_symbol(':') {
                    if sc.skip_symbol(':') {
                        if !time.is_empty() {
                            return None;
                        }
                        time.add(n);
                        time.add(0);
                    } else {
                        if !time.add(n) {
                            return None;
                        }
                        if sc.peek().is_symbol('.') {
                            sc.next();
                        }
                    }
                } else if sc.skip_symbol('.') && time.is_expecting(n) {
                    time.add(n);
                    if !sc.peek().is_number() {
                        return None;
                    }
                    let ms = read_milliseconds(sc.next());
                    if ms < 0 {
                        return None;
                    }
                    time.add_final(ms);
                } else if tz.is_expecting(n) {
                    tz.minute = n;
                } else if time.is_expecting(n) {
                    time.add_final(n);
                    let p = sc.peek();
                    if p != Token::EndOfInput && p != Token::WhiteSpace && !p.is_keyword_z() && !p.is_sign() {
                        return None;
                    }
                } else {
                    if !day.add(n) {
                        return None;
                    }
                    sc.skip_symbol('-');
                }
            }
            Token::Keyword { kind, value, .. } => {
                if kind == KeywordType::AmPm && !time.is_empty() {
                    time.hour_offset = Some(value);
                } else if kind == KeywordType::MonthName {
                    day.named_month = Some(value);
                    sc.skip_symbol('-');
                } else if kind == KeywordType::TimeZoneName && has_read_number {
                    tz.set(value);
                } else {
                    if has_read_number || sc.peek().is_number() {
                        return None;
                    }
                }
            }
            t if t.is_sign() && (tz.is_utc() || !time.is_empty()) => {
                tz.sign = t.sign();
                let (mut n, mut length) = (0, 0);
                if sc.peek().is_number() {
                    let next = sc.next();
                    n = next.number();
                    if let Token::Number { length: l, .. } = next {
                        length = l;
                    }
                }
                has_read_number = true;
                if sc.peek().is_symbol(':') {
                    tz.hour = n;
                    tz.minute = NONE;
                } else if length == 1 || length == 2 {
                    tz.hour = n;
                    tz.minute = 0;
                } else if length == 3 || length == 4 {
                    tz.hour = n / 100;
                    tz.minute = n % 100;
                } else {
                    return None;
                }
            }
            t if (t.is_sign() || t.is_symbol(')')) && has_read_number => return None,
            _ => {}
        }
        token = sc.next();
    }
    let (year, month, d) = day.write()?;
    let ms_of_day = time.write()?;
    let offset = tz.write()?;
    let days = crate::timestamp::days_from_civil(year, month as u32, 1) + d - 1;
    let mut t = days as f64 * 86_400_000.0 + ms_of_day as f64;
    match offset {
        Some(seconds) => {
            t -= seconds as f64 * 1000.0;
            if t.abs() > MAX_TIME_MS {
                return None;
            }
        }
        None => {
            if t.abs() > MAX_TIME_MS + 864e6 {
                return None;
            }
        }
    }
    (t.abs() <= MAX_TIME_MS).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from Node 20 (`dayjs` 1.11 + V8's `Date`), as the release's AJV format sees them.
    #[test]
    fn accepts_what_the_release_accepts() {
        for ok in [
            "2024-01-08T13:52:50.212Z",
            "2024-02-30T00:00:00Z",
            "2024-01-08",
            "\u{3000}2024-01-08\u{3000}",
            "Tue, 05 Mar 2024 10:00:00 GMT",
            "2024/03/05 10:00",
            "March 5, 2024",
            "5 March 2024 10:00 PM",
            "2024-03-05T10:00:00+0530",
            "2024-03-05 10:00:00 UTC",
            "1",
            "12",
            "abc 2024",
            "2024-03-05T10:00:00.123456789Z",
            "+002024-03-05T10:00:00Z",
            "(c) 2024-01-08",
            "1704721970",
            "1704721970212",
            "-5",
            "1.5",
        ] {
            assert!(is_date_like(ok), "{ok:?} should be date-like");
        }
    }

    #[test]
    fn refuses_what_the_release_refuses() {
        for bad in [
            "\u{2003}2024-01-08T13:52:50.212Z\u{2003}",
            " 2024-01-08T13:52:50.212Z ",
            "\t2024-01-08T13:52:50Z",
            "2024-03-05T25:00:00Z",
            "2024-W10",
            "next tuesday",
            "",
            "1704721970212000",
            "1e+21",
            "NaN",
            "Infinity",
            "true",
        ] {
            assert!(!is_date_like(bad), "{bad:?} should not be date-like");
        }
    }

    #[test]
    fn parses_to_the_instant_v8_gives() {
        assert_eq!(parse_date("2024-02-30T00:00:00Z"), Some(1_709_251_200_000.0));
        assert_eq!(parse_date("Tue, 05 Mar 2024 10:00:00 GMT"), Some(1_709_632_800_000.0));
        assert_eq!(parse_date("2024-03-05T10:00:00+0530"), Some(1_709_613_000_000.0));
        assert_eq!(parse_date("12"), Some(1_007_164_800_000.0));
    }
}
