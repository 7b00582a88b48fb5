//! What mapping-kit's value directives compute (actions-core 3.170.0), on JSON values:
//! `@case`'s case mapping, `@replace`'s literal replacement with JavaScript's `$` patterns,
//! `@json`'s `JSON.stringify` / `JSON.parse`, `@flatten`, `@merge`'s `Object.assign` and
//! `@excludeWhenNull`'s removal of nulls.

use serde_json::{Map, Value};

use crate::identity::js;
use crate::reddit::json::list;

/// `String(value)` for what `@replace` turns into a string (booleans and numbers).
pub(crate) fn replace_subject(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(_) | Value::Number(_) => Some(super::js_string(v)),
        _ => None,
    }
}

/// `value.replace(new RegExp(escaped(pattern), flags), replacement)`: `pattern` matched as
/// text (case-insensitively with `ignore_case`, by JavaScript's simple case folding), every match
/// with `global`, else the first; `replacement`'s `$$`, `$&`, `` $` `` and `$'` expanded.
pub(crate) fn replace(
    value: &str,
    pattern: &str,
    replacement: &str,
    global: bool,
    ignore_case: bool,
) -> String {
    let hay: Vec<char> = value.chars().collect();
    let needle: Vec<char> = pattern.chars().collect();
    let fold = |c: char| if ignore_case { canonicalize(c) } else { c };
    let mut out = String::with_capacity(value.len());
    let (mut i, mut copied) = (0, 0);
    while !needle.is_empty() && i + needle.len() <= hay.len() {
        if (0..needle.len()).all(|k| fold(hay[i + k]) == fold(needle[k])) {
            out.extend(&hay[copied..i]);
            expand(&mut out, replacement, &hay, i, i + needle.len());
            i += needle.len();
            copied = i;
            if !global {
                break;
            }
        } else {
            i += 1;
        }
    }
    out.extend(&hay[copied..]);
    out
}

/// ECMAScript's `Canonicalize` without the `u` flag: the upper case of a character when it is
/// one character, and never a non-ASCII character folded to an ASCII one.
fn canonicalize(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) if (c.is_ascii() || !u.is_ascii()) && js::units_of(u) == js::units_of(c) => u,
        _ => c,
    }
}

/// `GetSubstitution` for a pattern without groups.
fn expand(out: &mut String, replacement: &str, hay: &[char], start: usize, end: usize) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => out.push('$'),
            Some('&') => out.extend(&hay[start..end]),
            Some('`') => out.extend(&hay[..start]),
            Some('\'') => out.extend(&hay[end..]),
            _ => {
                out.push('$');
                continue;
            }
        }
        chars.next();
    }
}

/// `JSON.stringify(value)` as Node writes it: numbers as JavaScript prints them, ±Infinity as
/// `null`, a lone surrogate as `\udxxx`.
pub(crate) fn stringify(v: &Value) -> String {
    let mut out = Vec::new();
    write(&mut out, v);
    String::from_utf8(out).expect("JSON text is UTF-8")
}

fn write(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::String(s) => js::write_json_string(out, s),
        Value::Number(n) if super::is_infinity(n) => out.extend_from_slice(b"null"),
        Value::Number(n) => out.extend_from_slice(super::js_number_string(n).as_bytes()),
        Value::Array(items) => list(out, b"[]", items, write),
        Value::Object(map) => list(out, b"{}", map, |out, (k, item)| {
            js::write_json_string(out, k);
            out.push(b':');
            write(out, item);
        }),
        other => serde_json::to_writer(&mut *out, other).expect("writing to a Vec cannot fail"),
    }
}

/// `JSON.parse(text)`, or the text itself when it is not JSON (as `@json`'s decode does).
pub(crate) fn parse(text: &str) -> Value {
    crate::segment::json::read_value(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// actions-core's `flattenObject`: nested objects (and arrays, unless `omit_arrays`) become one
/// object whose keys join the path with `separator`; anything else is `{"": value}`.
pub(crate) fn flatten(value: &Value, separator: &str, omit_arrays: bool) -> Map<String, Value> {
    let mut out = Map::new();
    flatten_into(&mut out, value, "", separator, omit_arrays);
    out
}

fn flatten_into(
    out: &mut Map<String, Value>,
    value: &Value,
    prefix: &str,
    separator: &str,
    omit_arrays: bool,
) {
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}{separator}{k}") };
    match value {
        Value::Object(map) => {
            map.iter().for_each(|(k, v)| flatten_into(out, v, &key(k), separator, omit_arrays))
        }
        Value::Array(items) if !omit_arrays => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten_into(out, v, &key(&i.to_string()), separator, omit_arrays)),
        other => {
            // `{...acc, [k]: v}`: a key met again keeps its first place and takes the new value.
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// What `Object.assign` copies from a source: an object's members, a string's characters and an
/// array's items by index; nothing from other values.
pub(crate) fn members(source: &Value) -> Vec<(String, Option<Value>)> {
    match source {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect(),
        Value::Array(items) => {
            items.iter().enumerate().map(|(i, v)| (i.to_string(), Some(v.clone()))).collect()
        }
        Value::String(s) => js::utf16_units(s)
            .enumerate()
            .map(|(i, u)| (i.to_string(), Some(Value::String(js::from_utf16_units(&[u])))))
            .collect(),
        _ => Vec::new(),
    }
}

/// `Object.assign({}, ...sources)` then the removal of undefined members (`None`): a member set
/// again keeps its first place.
pub(crate) fn assign(sources: impl IntoIterator<Item = Vec<(String, Option<Value>)>>) -> Map<String, Value> {
    let mut out: Vec<(String, Option<Value>)> = Vec::new();
    for (key, value) in sources.into_iter().flatten() {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    out.into_iter().filter_map(|(k, v)| Some((k, v?))).collect()
}

/// A JavaScript object's key order: keys that are array indexes first, ascending, then the
/// others in the order they were added.
pub(crate) fn in_javascript_order(map: Map<String, Value>) -> Map<String, Value> {
    let index = |k: &str| {
        (k == "0" || (!k.starts_with('0') && k.bytes().all(|b| b.is_ascii_digit())))
            .then(|| k.parse::<u32>().ok().filter(|&n| n < u32::MAX))
            .flatten()
    };
    if !map.keys().any(|k| index(k).is_some()) {
        return map;
    }
    let (mut indexed, named): (Vec<_>, Vec<_>) = map.into_iter().partition(|(k, _)| index(k).is_some());
    indexed.sort_by_key(|(k, _)| index(k));
    indexed.into_iter().chain(named).collect()
}

/// `@excludeWhenNull`'s `cleanNulls`: an object's `null` members removed, in nested objects too
/// (not in arrays).
pub(crate) fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, if v.is_object() { without_nulls(v) } else { v }))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Known answers from Node 20 (`"a.b.A.B".replace(/a\./gi, "[$&]")` and the like).
    #[test]
    fn replace_matches_javascript() {
        assert_eq!(replace("a.b.A.B", "a.", "[$&]", true, true), "[a.]b.[A.]B");
        assert_eq!(replace("a-b-c", "-", "", false, false), "ab-c");
        assert_eq!(replace("a-b-c", "-", "$$|$`|$'|$1", true, false), "a$|a|b-c|$1b$|a-b|c|$1c");
        assert_eq!(replace("ǅx", "ǆ", "_", true, true), "_x");
        // Node 20: /ω/i does not match the Ohm sign nor /K/i the Kelvin sign; µ and μ, ς and σ match.
        assert_eq!(replace("\u{2126}\u{212A}", "ω", "_", true, true), "\u{2126}\u{212A}");
        assert_eq!(replace("\u{212A}", "K", "_", true, true), "\u{212A}");
        assert_eq!(replace("µς", "μ", "_", true, true), "_ς");
        assert_eq!(replace("ς", "σ", "_", true, true), "_");
        assert_eq!(replace("ſ", "s", "_", true, true), "ſ");
    }

    #[test]
    fn flatten_and_assign_follow_actions_core() {
        let v = json!({"a": {"b": 1, "c": [1, {"d": null}]}, "e": "x"});
        assert_eq!(
            Value::Object(flatten(&v, "_", false)),
            json!({"a_b": 1, "a_c_0": 1, "a_c_1_d": null, "e": "x"})
        );
        assert_eq!(
            Value::Object(flatten(&v, ".", true)),
            json!({"a.b": 1, "a.c": [1, {"d": null}], "e": "x"})
        );
        assert_eq!(Value::Object(flatten(&json!("s"), ".", false)), json!({"": "s"}));
        let sources = [json!({"a": 1}), json!("xy"), json!(null), json!(5), json!([true])];
        let out = assign(sources.iter().map(members).chain([vec![("b".into(), None), ("a".into(), None)]]));
        let ordered = in_javascript_order(out);
        assert_eq!(ordered.keys().collect::<Vec<_>>(), ["0", "1"]);
        assert_eq!(Value::Object(ordered), json!({"0": true, "1": "y"}));
        assert_eq!(
            without_nulls(json!({"a": null, "b": {"c": null, "d": [null]}})),
            json!({"b": {"d": [null]}})
        );
        assert_eq!(stringify(&json!({"a": [1.0, "\u{e9}"], "n": null})), r#"{"a":[1,"é"],"n":null}"#);
    }
}
