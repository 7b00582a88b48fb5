//! Mappings from Segment events to Reddit conversion events, in Segment's own language:
//! triggers ([`trigger`], FQL), field sources ([`directive`] and the value directives of
//! [`function`], mapping-kit), the action field
//! table ([`fields`]), the nine presets ([`presets`]), Segment's schema step ([`schema`]) and
//! the compiled mapping model ([`model`]).

pub mod date_like;
pub mod directive;
pub mod fields;
pub mod function;
mod functions;
pub mod model;
pub mod path;
pub mod presets;
pub mod release;
pub mod resolved;
pub mod schema;
pub mod trigger;

pub use fields::Action;
pub use model::{CompiledMapping, MAX_MAPPINGS, MappingError, MappingKind};

use serde_json::Value;

/// A key of a JSON object; a linear scan for small objects, where it beats hashing the key.
pub(crate) fn lookup<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() > 12 {
        return map.get(key);
    }
    map.iter().find(|(k, _)| same_key(k, key)).map(|(_, v)| v)
}

/// String equality for object keys: lengths and first bytes settle most mismatches before a
/// call to `memcmp`.
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.first() == b.first() && a == b
}

/// JavaScript truthiness: `null`, `false`, `0`, `""` (and NaN, which JSON lacks) are falsy.
pub(crate) fn js_falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// JavaScript's `String(value)` for JSON values.
pub(crate) fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_string(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| if i.is_null() { String::new() } else { js_string(i) })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// JavaScript's ±Infinity (`JSON.parse("1e400")`, AJV's coercion of `"Infinity"`), which a JSON
/// number cannot hold, as a value: the whole numbers `u64::MAX` (+) and `i64::MIN` (−), which the
/// event reader never makes of a number it reads (whole numbers beyond 2^53 become doubles, as
/// in JavaScript). [`js_f64`] reads them back; the body writer writes them `null`, as
/// `JSON.stringify` does.
pub(crate) fn infinity(negative: bool) -> Value {
    if negative { Value::from(i64::MIN) } else { Value::from(u64::MAX) }
}

/// Whether `n` is [`infinity`].
#[inline]
pub(crate) fn is_infinity(n: &serde_json::Number) -> bool {
    n.as_u64() == Some(u64::MAX) || n.as_i64() == Some(i64::MIN)
}

/// The double JavaScript holds for `n`: ±Infinity for [`infinity`].
pub(crate) fn js_f64(n: &serde_json::Number) -> f64 {
    match n.as_u64() {
        Some(u64::MAX) => f64::INFINITY,
        _ if n.as_i64() == Some(i64::MIN) => f64::NEG_INFINITY,
        _ => n.as_f64().unwrap_or(0.0),
    }
}

/// A double as the value the reader would hold for it: whole numbers below 2^53 as integers,
/// ±Infinity as [`infinity`].
pub(crate) fn number_value(x: f64) -> Value {
    if x.is_infinite() {
        infinity(x < 0.0)
    } else if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// JavaScript's number-to-string for a JSON number: integers as digits, floats as `js_f64_string`.
pub(crate) fn js_number_string(n: &serde_json::Number) -> String {
    let f = js_f64(n);
    // Above 2^53 JavaScript holds the nearest double, and prints that.
    if (n.is_i64() || n.is_u64()) && f.abs() < 9_007_199_254_740_992.0 {
        return n.to_string();
    }
    js_f64_string(f)
}

/// ECMAScript's `Number::toString(x)`: the shortest round-trip digits, in plain notation for
/// exponents −7 < e < 21 and as `d.ddde±x` otherwise (`1e+21`, `5e-7`, `0.000001`, `-0` → `0`).
pub(crate) fn js_f64_string(x: f64) -> String {
    // From 1e-6 up to 1e21 JavaScript prints plain digits, as Rust's `Display` does (a test holds
    // the two equal): one `format!` where the steps below take five, 1.1 % of `preview --batch`'s
    // CPU samples before, 0.4 % after (`perf`, 100,000 Purchase events).
    if (1e-6..1e21).contains(&x.abs()) {
        return even_tie(x, x.to_string());
    }
    js_f64_string_by_steps(x)
}

/// ECMAScript's tie rule for plain digits: when two shortest digit strings are equally near `x`
/// (`-642738389298726.25` lies halfway between `…726.2` and `…726.3`), the even one; Rust's
/// shortest formatting takes the one farther from zero. `shortest` is Rust's `Display` of `x`.
fn even_tie(x: f64, shortest: String) -> String {
    let (negative, digits) = match shortest.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, shortest.as_str()),
    };
    let sign = if negative { "-" } else { "" };
    let chosen = if let Some((_, fraction)) = digits.split_once('.') {
        // x = odd × 2^exp exactly; it lies halfway between two numbers of `fraction.len()`
        // decimals only when it has exactly one decimal more, a final 5: x × 10^(len + 1) =
        // odd × 5^(len + 1) × 2^(exp + len + 1) is then an odd integer, so exp = -(len + 1).
        let bits = x.abs().to_bits();
        let (mut mantissa, mut exp) = ((bits & ((1 << 52) - 1)) | (1 << 52), ((bits >> 52) as i32) - 1075);
        if bits >> 52 == 0 {
            (mantissa, exp) = (bits & ((1 << 52) - 1), -1074);
        }
        exp += mantissa.trailing_zeros() as i32;
        if exp != -(fraction.len() as i32) - 1 {
            return shortest;
        }
        let exact = format!("{:.*}", fraction.len() + 1, x.abs());
        let Some(lower) = exact.strip_suffix('5') else { return shortest };
        if lower.ends_with(['0', '2', '4', '6', '8']) {
            lower.to_string()
        } else {
            increment_last_digit(lower)
        }
    } else {
        let zeros = digits.len() - digits.trim_end_matches('0').len();
        if zeros == 0 || x.abs() < 9_007_199_254_740_992.0 {
            return shortest;
        }
        let (value, unit) = (x.abs() as u128, 10u128.pow(zeros as u32));
        if value % unit != unit / 2 {
            return shortest;
        }
        let lower = value - unit / 2;
        (if (lower / unit) % 2 == 0 { lower } else { lower + unit }).to_string()
    };
    let chosen = format!("{sign}{chosen}");
    if chosen.parse::<f64>() == Ok(x) { chosen } else { shortest }
}

/// Adds one to the last digit of a plain decimal (`12.39` → `12.40` is written `12.4`).
fn increment_last_digit(decimal: &str) -> String {
    let mut out: Vec<u8> = decimal.as_bytes().to_vec();
    let mut i = out.len();
    loop {
        if i == 0 {
            out.insert(0, b'1');
            break;
        }
        i -= 1;
        match out[i] {
            b'.' => continue,
            b'9' => out[i] = b'0',
            d => {
                out[i] = d + 1;
                break;
            }
        }
    }
    let text = String::from_utf8(out).expect("ASCII digits");
    match text.split_once('.') {
        Some((whole, fraction)) if fraction.trim_end_matches('0').is_empty() => whole.to_string(),
        Some(_) => text.trim_end_matches('0').to_string(),
        None => text,
    }
}

/// [`js_f64_string`] step by step, as ECMAScript specifies it.
fn js_f64_string_by_steps(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    // Rust's `{:e}` prints the shortest round-trip digits: `1.2345e3`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    let n = exp.parse::<i32>().unwrap_or(0) + 1;
    let sign = if x < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let exp = if e < 0 { format!("-{}", -e) } else { format!("+{e}") };
        match digits.split_at(1) {
            (d, "") => format!("{d}e{exp}"),
            (d, rest) => format!("{d}.{rest}e{exp}"),
        }
    };
    let text = format!("{sign}{body}");
    if (1e-6..1e21).contains(&x.abs()) { even_tie(x, text) } else { text }
}

/// JavaScript's `Number(string)` for the strings AJV coerces (`data && data == +data`): trimmed,
/// decimal, `0x`/`0o`/`0b`, or `Infinity` with a sign; past the double range ±Infinity; blank
/// (`" "`, `"\t"`, `"\u00a0"`) 0. `None` for "" (AJV does not coerce it) and NaN.
pub(crate) fn js_number(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let t = crate::identity::js::trim(s);
    match t {
        "" => return Some(0.0),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let radix = |p: &str, r| u64::from_str_radix(p, r).ok().map(|v| v as f64);
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        radix(h, 16)?
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        radix(o, 8)?
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        radix(b, 2)?
    } else {
        let body = t.strip_prefix(['+', '-']).unwrap_or(t);
        let ok = !body.is_empty()
            && body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            && body.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'.');
        if !ok {
            return None;
        }
        t.parse::<f64>().ok()?
    };
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn javascript_number_parsing() {
        assert_eq!(js_number("12.50"), Some(12.5));
        assert_eq!(js_number(" 3 "), Some(3.0));
        assert_eq!(js_number("0x1A"), Some(26.0));
        assert_eq!(js_number("1e3"), Some(1000.0));
        assert_eq!(js_number(".5"), Some(0.5));
        for bad in ["", "abc", "1,5", "infinity", "Inf", "12px", "e5", "--1", "-0x10", "NaN"] {
            assert_eq!(js_number(bad), None, "{bad}");
        }
        // Known answers of Node's `Number(s)` for what AJV coerces (`data && data == +data`).
        for (s, n) in
            [(" ", 0.0), ("\t", 0.0), ("\u{a0}", 0.0), ("\u{feff}\n", 0.0), ("1e400", f64::INFINITY)]
        {
            assert_eq!(js_number(s), Some(n), "{s:?}");
        }
        for (s, n) in
            [("Infinity", f64::INFINITY), (" +Infinity ", f64::INFINITY), ("-Infinity", f64::NEG_INFINITY)]
        {
            assert_eq!(js_number(s), Some(n), "{s:?}");
        }
        assert_eq!(js_number("-1e400"), Some(f64::NEG_INFINITY));
    }

    proptest::proptest! {
        #[test]
        fn plain_numbers_print_as_the_steps_print_them(
            mantissa in -1.0f64..1.0,
            exponent in -8i32..23,
            bits in proptest::num::u64::ANY,
        ) {
            for x in [mantissa * 10f64.powi(exponent), f64::from_bits(bits), 1e-6, 1e21 - 65536.0, 1e21] {
                proptest::prop_assert_eq!(js_f64_string(x), js_f64_string_by_steps(x), "{:e}", x);
            }
        }
    }

    #[test]
    fn javascript_strings() {
        assert_eq!(js_string(&json!(100)), "100");
        assert_eq!(js_string(&json!(1.5)), "1.5");
        assert_eq!(js_string(&json!(2.0)), "2");
        assert_eq!(js_string(&json!(1e21)), "1e+21");
        assert_eq!(js_string(&json!(5e-7)), "5e-7");
        assert_eq!(js_string(&json!(0.000001)), "0.000001");
        assert_eq!(js_string(&json!(123456789.123)), "123456789.123");
        assert_eq!(js_string(&json!(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(js_string(&json!(12345678901234567890u64)), "12345678901234567000");
        assert_eq!(js_string(&json!(-1.5e-10)), "-1.5e-10");
        // Halfway between two shortest strings, JavaScript prints the even one (Node 20). The
        // doubles are written exactly, as text.
        let exact = |s: &str| s.parse::<f64>().unwrap();
        assert_eq!(js_f64_string(exact("-642738389298726.25")), "-642738389298726.2");
        assert_eq!(js_f64_string(exact("-787044262147072.25")), "-787044262147072.2");
        assert_eq!(js_f64_string(exact("580429330489065.5")), "580429330489065.5");
        assert_eq!(js_f64_string(exact("642738389298726.75")), "642738389298726.8");
        assert_eq!(js_f64_string(exact("1125899906842624.5")), "1125899906842624.5");
        assert_eq!(js_f64_string(0.125), "0.125");
        assert_eq!(js_f64_string(27021597764222976.0), "27021597764222976");
        assert_eq!(js_f64_string(5e20 + 5e4), "500000000000000070000");
        assert_eq!(js_string(&json!(true)), "true");
        assert_eq!(js_string(&json!({"a": 1})), "[object Object]");
        assert_eq!(js_string(&json!([1, null, "a"])), "1,,a");
    }

    #[test]
    fn javascript_truthiness() {
        for v in [json!(null), json!(false), json!(0), json!(0.0), json!("")] {
            assert!(js_falsy(&v), "{v}");
        }
        for v in [json!(true), json!(1), json!(" "), json!([]), json!({})] {
            assert!(!js_falsy(&v), "{v}");
        }
    }
}
