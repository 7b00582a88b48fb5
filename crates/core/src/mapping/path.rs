//! Paths into a JSON value, as Segment writes them in `@path` directives:
//! `$.properties.revenue`, `$.integrations.Reddit Conversions Api.click_id` (dots separate keys,
//! spaces are part of a key), `$.a["key.with.dots"]`, `$.products[0]`. The leading `$` is
//! optional (templates write `{{properties.x}}`).

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// An object key (on an array, a key of digits indexes it, as in JavaScript).
    Key(String),
    /// An array index (on an object, the key of the same digits).
    Index(usize),
}

/// A parsed path. Two paths are equal when they read the same keys, in the console and in the
/// release, however they were written.
#[derive(Debug, Clone, Default)]
pub struct Path {
    steps: Vec<Step>,
    /// The release's keys for the path as written, when they differ from `steps`.
    release: Option<Vec<String>>,
    /// The path as written, printed as it is: another spelling of the same steps may be read
    /// differently by the release (`z$.pral`, `$.a]b` quoted as `$["a]b"]`).
    written: Option<String>,
}

impl PartialEq for Path {
    fn eq(&self, other: &Path) -> bool {
        self.steps == other.steps && self.release == other.release
    }
}

impl Eq for Path {}

impl std::hash::Hash for Path {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.steps.hash(state);
        self.release.hash(state);
    }
}

/// A path that does not parse, with the 1-based character column of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("path {path:?}: at column {column}: {message}")]
pub struct PathError {
    pub path: String,
    pub column: usize,
    pub message: String,
}

impl Path {
    /// Parses `$.a.b`, `a.b`, `$.a[0]`, `$.a["k"]`, `$['k']`, or `$` (the root).
    pub fn parse(text: &str) -> Result<Path, PathError> {
        let chars: Vec<char> = text.chars().collect();
        let fail = |i: usize, message: &str| PathError {
            path: text.to_string(),
            column: i + 1,
            message: message.to_string(),
        };
        let mut steps = Vec::new();
        let mut i = 0;
        let mut need_key = true;
        if chars.first() == Some(&'$') {
            i = 1;
            need_key = false;
        }
        if chars.is_empty() {
            return Err(fail(0, "empty path"));
        }
        while i < chars.len() {
            match chars[i] {
                '.' if !need_key => {
                    i += 1;
                    need_key = true;
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some(&q @ ('"' | '\'')) => {
                            let mut key = String::new();
                            i += 1;
                            loop {
                                match chars.get(i) {
                                    None => return Err(fail(i, "unterminated quoted key")),
                                    Some('\\') => {
                                        let Some(&c) = chars.get(i + 1) else {
                                            return Err(fail(i, "unterminated quoted key"));
                                        };
                                        key.push(c);
                                        i += 2;
                                    }
                                    Some(&c) if c == q => {
                                        i += 1;
                                        break;
                                    }
                                    Some(&c) => {
                                        key.push(c);
                                        i += 1;
                                    }
                                }
                            }
                            steps.push(Step::Key(key));
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while chars.get(i).is_some_and(char::is_ascii_digit) {
                                i += 1;
                            }
                            let digits: String = chars[start..i].iter().collect();
                            let index = digits.parse().map_err(|_| fail(start, "index too large"))?;
                            steps.push(Step::Index(index));
                        }
                        _ => return Err(fail(i, "expected an index or a quoted key after \"[\"")),
                    }
                    if chars.get(i) != Some(&']') {
                        return Err(fail(i, "expected \"]\""));
                    }
                    i += 1;
                    need_key = false;
                }
                _ if need_key => {
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    if start == i {
                        return Err(fail(i, "expected a key"));
                    }
                    steps.push(Step::Key(chars[start..i].iter().collect()));
                    need_key = false;
                }
                _ => return Err(fail(i, "expected \".\" or \"[\"")),
            }
        }
        if need_key {
            return Err(fail(chars.len(), "expected a key after \".\""));
        }
        // `path.replace('$.', '')`: the first "$." anywhere goes.
        let keys = split_like_release(&text.replacen("$.", "", 1));
        let same = keys.len() == steps.len()
            && keys.iter().zip(&steps).all(|(k, s)| match s {
                Step::Key(s) => k == s,
                Step::Index(i) => *k == i.to_string(),
            });
        Ok(Path { steps, release: (!same).then_some(keys), written: Some(text.to_string()) })
    }

    /// A path from plain keys.
    pub fn from_keys<I: IntoIterator<Item = S>, S: Into<String>>(keys: I) -> Path {
        Path { steps: keys.into_iter().map(|k| Step::Key(k.into())).collect(), release: None, written: None }
    }

    /// The steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The value at this path, if any. `null` is returned as `Some(Value::Null)`. Like Segment's
    /// `get` (`prev && prev[key]`), a falsy value met before the end (`null`, `false`, `0`, `""`)
    /// is returned itself, and a string or an array answers `length` and its indexes (a string's
    /// index is one UTF-16 unit).
    pub fn get<'a>(&self, root: &'a Value) -> Option<Cow<'a, Value>> {
        follow(
            root,
            self.steps.iter().map(|s| match s {
                Step::Key(k) => Cow::Borrowed(k.as_str()),
                Step::Index(i) => Cow::Owned(i.to_string()),
            }),
        )
    }

    /// The keys the release follows for this path, when they differ from the console's reading:
    /// actions-core's `get(payload, path.replace('$.', ''))` splits `$.properties["order.id"]`
    /// at the dot inside the quotes (`properties`, `order`, `id`).
    pub fn release_keys(&self) -> Option<&[String]> {
        self.release.as_deref()
    }

    /// This path as the release reads it (itself unless [`Path::release_keys`] differ).
    pub fn as_release_reads(&self) -> Path {
        match &self.release {
            Some(keys) => Path::from_keys(keys.iter().cloned()),
            None => self.clone(),
        }
    }

    /// The path without the `$.` prefix, as FQL and templates write it (`properties.total`).
    pub fn to_relative_string(&self) -> String {
        let s = self.to_string();
        s.strip_prefix("$.").map(str::to_string).unwrap_or_else(|| s.trim_start_matches('$').to_string())
    }
}

/// actions-core's `get(obj, path)` as `@template` calls it on a placeholder's name: the name is
/// split at `.`, at `[` before a quote or digit and at `]`s after one, quotes are removed, and
/// the keys are followed with `prev && prev[key]` (a falsy value met on the way is the result;
/// a string or an array also answers `length` and its indexes).
pub fn js_get<'a>(root: &'a Value, name: &str) -> Option<Cow<'a, Value>> {
    if name.is_empty() || name == "." {
        return Some(Cow::Borrowed(root));
    }
    follow(root, split_like_release(name).into_iter().map(Cow::Owned))
}

/// actions-core's split of a `get` path: at `.`, at `[` before a quote or digit and at `]`s
/// after one; quotes removed, empty keys dropped.
fn split_like_release(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut keys = vec![String::new()];
    let quoteish = |c: Option<&char>| c.is_some_and(|c| matches!(c, '"' | '\'' | '0'..='9'));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' || (c == '[' && quoteish(chars.get(i + 1))) {
            keys.push(String::new());
        } else if c == ']' && i > 0 && quoteish(chars.get(i - 1)) {
            while chars.get(i + 1) == Some(&']') {
                i += 1;
            }
            keys.push(String::new());
        } else if c != '"' && c != '\'' {
            keys.last_mut().expect("one key at least").push(c);
        }
        i += 1;
    }
    keys.retain(|k| !k.is_empty());
    keys
}

/// `keys.reduce((prev, key) => prev && prev[key], root)` on JSON: a falsy value met on the way
/// is the result; strings and arrays answer `length` and their indexes.
fn follow<'a, 'k>(root: &'a Value, keys: impl Iterator<Item = Cow<'k, str>>) -> Option<Cow<'a, Value>> {
    let mut value = Cow::Borrowed(root);
    for key in keys {
        if super::js_falsy(&value) {
            return Some(value);
        }
        value = match value {
            Cow::Borrowed(Value::Object(map)) => Cow::Borrowed(super::lookup(map, &key)?),
            Cow::Borrowed(Value::Array(items)) if key != "length" => {
                Cow::Borrowed(items.get(array_index(&key)?)?)
            }
            Cow::Borrowed(Value::Array(items)) => Cow::Owned(Value::from(items.len())),
            // What `length` or an index made: a number (no keys) or a one-unit string.
            Cow::Owned(Value::String(ref s)) | Cow::Borrowed(&Value::String(ref s)) => {
                let mut units = crate::identity::js::utf16_units(s);
                if key == "length" {
                    Cow::Owned(Value::from(units.count()))
                } else {
                    let unit = units.nth(array_index(&key)?)?;
                    Cow::Owned(Value::String(crate::identity::js::from_utf16_units(&[unit])))
                }
            }
            _ => return None,
        };
    }
    Some(value)
}

/// A canonical array index (`"0"`, `"12"`; not `"01"` or `"+1"`).
fn array_index(key: &str) -> Option<usize> {
    let ok = key.bytes().all(|b| b.is_ascii_digit()) && (key == "0" || !key.starts_with('0'));
    if ok { key.parse().ok() } else { None }
}

fn needs_quotes(key: &str) -> bool {
    key.is_empty() || key.contains(['.', '[', ']', '"', '\'', '\\']) || key.starts_with('$')
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(written) = &self.written {
            return f.write_str(written);
        }
        f.write_str("$")?;
        for step in &self.steps {
            match step {
                Step::Key(k) if needs_quotes(k) => {
                    f.write_str("[\"")?;
                    for c in k.chars() {
                        if c == '"' || c == '\\' {
                            f.write_str("\\")?;
                        }
                        write!(f, "{c}")?;
                    }
                    f.write_str("\"]")?;
                }
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn keys(p: &str) -> Vec<Step> {
        Path::parse(p).unwrap().steps
    }

    #[test]
    fn segment_paths_parse() {
        assert_eq!(
            keys("$.integrations.Reddit Conversions Api.click_id"),
            vec![
                Step::Key("integrations".into()),
                Step::Key("Reddit Conversions Api".into()),
                Step::Key("click_id".into())
            ]
        );
        assert_eq!(keys("properties.total"), keys("$.properties.total"));
        assert_eq!(
            keys("$.a[\"key with spaces\"][0]"),
            vec![Step::Key("a".into()), Step::Key("key with spaces".into()), Step::Index(0)]
        );
        assert_eq!(keys("$['k']"), vec![Step::Key("k".into())]);
        assert_eq!(keys("$"), vec![]);
    }

    #[test]
    fn bad_paths_say_where() {
        for (p, col) in
            [("$.a.", 5), ("$.a[", 5), ("$.a[x]", 5), ("$.a[0", 6), ("$x", 2), ("", 1), ("a..b", 3)]
        {
            let e = Path::parse(p).unwrap_err();
            assert_eq!(e.column, col, "{p}: {e}");
        }
    }

    #[test]
    fn get_follows_javascript_lookup() {
        let v = json!({"a": {"b c": [10, {"d": null}]}, "n": {"0": "zero"}});
        let get = |p: &str| Path::parse(p).unwrap().get(&v).map(Cow::into_owned);
        assert_eq!(get("$.a.b c[0]"), Some(json!(10)));
        assert_eq!(get("$.a.b c.0"), Some(json!(10)));
        assert_eq!(get("$.a.b c[1].d"), Some(json!(null)));
        assert_eq!(get("$.n[0]"), Some(json!("zero")));
        assert_eq!(get("$.a.missing"), None);
        assert_eq!(get("$.a.b c[0].x"), None);
        let falsy = json!({"p": null, "z": 0});
        assert_eq!(Path::parse("$.p.total").unwrap().get(&falsy).as_deref(), Some(&Value::Null));
        assert_eq!(Path::parse("$.z.total").unwrap().get(&falsy).as_deref(), Some(&json!(0)));
    }

    // Known answers from the release (`tests/differential`, configuration "standard: @path on
    // strings and arrays"): `get` reads a string's and an array's `length` and indexes.
    #[test]
    fn get_reads_strings_and_arrays_as_javascript_does() {
        let v = json!({"s": "a😀b", "a": [1, 2, 3], "o": {"length": "own"}, "n": 5});
        let get = |p: &str| Path::parse(p).unwrap().get(&v).map(Cow::into_owned);
        assert_eq!(get("$.s.length"), Some(json!(4)));
        assert_eq!(get("$.a.length"), Some(json!(3)));
        assert_eq!(get("$.s[0]"), Some(json!("a")));
        assert_eq!(get("$.s.3"), Some(json!("b")));
        assert_eq!(get("$.s[1].length"), Some(json!(1)), "half an emoji is one unit");
        assert_eq!(get("$.s[4]"), None);
        assert_eq!(get("$.o.length"), Some(json!("own")));
        assert_eq!(get("$.a.01"), None, "no canonical index");
        assert_eq!(get("$.n.length"), None);
    }

    #[test]
    fn a_path_the_release_reads_differently_prints_as_written_and_parses_back_the_same() {
        // The fuzzer's finds: `z$.pral` (the release drops its "$.": `zpral`) printed canonically
        // as `$.z$.pral`, which the release reads as `z$.pral`; `$.a]s` printed `$["a]s"]`, which
        // the release splits at the bracket: other paths.
        for written in ["z$.pral", "$.properties[\"order.id\"]", "a.$.b", "$.properti]s.tti]s"] {
            let path = Path::parse(written).unwrap();
            assert_eq!(path.to_string(), written);
            assert_eq!(Path::parse(&path.to_string()).unwrap(), path, "{written}");
        }
    }

    #[test]
    fn release_keys_split_quoted_keys_at_dots() {
        let keys = |p: &str| Path::parse(p).unwrap().release_keys().map(<[String]>::to_vec);
        assert_eq!(
            keys(r#"$.properties["order.id"]"#),
            Some(vec!["properties".into(), "order".into(), "id".into()])
        );
        assert_eq!(
            keys("$.properties['a.b'][0]"),
            Some(vec!["properties".into(), "a".into(), "b".into(), "0".into()])
        );
        assert_eq!(keys("$.properties.a[0]"), None);
        assert_eq!(keys(r#"$.a["k with spaces"]"#), None);
        assert_eq!(keys("$"), Some(vec!["$".into()]), "\"$\".replace(\"$.\", \"\") is \"$\"");
        let v = json!({"properties": {"order.id": "flat", "order": {"id": "nested"}}});
        let path = Path::parse(r#"$.properties["order.id"]"#).unwrap();
        assert_eq!(path.get(&v).as_deref(), Some(&json!("flat")));
        assert_eq!(path.as_release_reads().get(&v).as_deref(), Some(&json!("nested")));
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Path::parse(&s);
        }

        #[test]
        fn print_then_parse_round_trips(steps in prop::collection::vec(
            prop_oneof![
                "\\PC{0,8}".prop_map(Step::Key),
                (0usize..1000).prop_map(Step::Index),
            ], 0..6)) {
            // Digit-only keys print as dot keys and read back as keys: both look up the same value.
            let path = Path { steps, release: None, written: None };
            let reparsed = Path::parse(&path.to_string()).unwrap();
            prop_assert_eq!(reparsed.steps, path.steps);
        }
    }
}
