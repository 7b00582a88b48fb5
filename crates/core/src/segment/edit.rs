//! Edits one string member of an event's JSON text in place: the rest of the text (its layout,
//! number spellings such as `59.90`, key order, comments of whitespace) stays byte for byte as
//! the user typed it. The composer's quick fields use it.

use serde_json::Value;

/// The text with the string at `path` (object keys from the root) set to `value`, or removed
/// when `value` is `None`. Missing objects on the way are created; a member on the way that is
/// not an object is replaced by one. `None`: the text is not a JSON object (the caller rewrites
/// the whole event instead).
pub fn set_string(text: &str, path: &[&str], value: Option<&str>) -> Option<String> {
    let (last, parents) = path.split_last()?;
    let scan = Scanner { b: text.as_bytes() };
    let root = scan.ws(0);
    if scan.b.get(root) != Some(&b'{') || scan.ws(scan.value(root)?) != text.len() {
        return None;
    }
    let mut object = root;
    for (i, key) in parents.iter().enumerate() {
        match scan.member(object, key)? {
            Some(m) if scan.b[m.value] == b'{' => object = m.value,
            Some(m) => {
                let Some(value) = value else { return Some(text.to_string()) };
                return Some(splice(text, m.value, m.value_end, &nested(&path[i + 1..], value)));
            }
            None => {
                let Some(value) = value else { return Some(text.to_string()) };
                return Some(scan.insert(text, object, key, &nested(&path[i + 1..], value)));
            }
        }
    }
    let found = scan.member(object, last)?;
    Some(match (found, value) {
        (Some(m), Some(v)) => splice(text, m.value, m.value_end, &quote(v)),
        (None, Some(v)) => scan.insert(text, object, last, &quote(v)),
        (Some(m), None) => scan.remove(text, m),
        (None, None) => text.to_string(),
    })
}

fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// `{"a": {"b": "value"}}` for the path `[a, b]`; the quoted value for an empty path.
fn nested(path: &[&str], value: &str) -> String {
    path.iter().rev().fold(quote(value), |inner, key| format!("{{{}: {inner}}}", quote(key)))
}

fn splice(text: &str, start: usize, end: usize, with: &str) -> String {
    [&text[..start], with, &text[end..]].concat()
}

/// Where one member of an object stands in the text.
#[derive(Debug, Clone, Copy)]
struct Member {
    key: usize,
    value: usize,
    value_end: usize,
}

struct Scanner<'a> {
    b: &'a [u8],
}

impl Scanner<'_> {
    fn ws(&self, mut i: usize) -> usize {
        while self.b.get(i).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    }

    /// The end of the string starting at `i` (its opening quote).
    fn string(&self, mut i: usize) -> Option<usize> {
        i += 1;
        loop {
            match self.b.get(i)? {
                b'"' => return Some(i + 1),
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
    }

    /// The end of the value starting at `i`.
    fn value(&self, i: usize) -> Option<usize> {
        match self.b.get(i)? {
            b'"' => self.string(i),
            open @ (b'{' | b'[') => {
                let close = if *open == b'{' { b'}' } else { b']' };
                let mut j = self.ws(i + 1);
                if self.b.get(j) == Some(&close) {
                    return Some(j + 1);
                }
                loop {
                    if *open == b'{' {
                        j = self.ws(self.string(j)?);
                        (self.b.get(j) == Some(&b':')).then_some(())?;
                        j = self.ws(j + 1);
                    }
                    j = self.ws(self.value(j)?);
                    match self.b.get(j)? {
                        b',' => j = self.ws(j + 1),
                        c if *c == close => return Some(j + 1),
                        _ => return None,
                    }
                }
            }
            _ => {
                let end = i + self.b[i..]
                    .iter()
                    .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .unwrap_or(self.b.len() - i);
                (end > i).then_some(end)
            }
        }
    }

    /// The object at `object`'s members, in order.
    fn members(&self, object: usize) -> Option<Vec<Member>> {
        let mut out = Vec::new();
        let mut j = self.ws(object + 1);
        if self.b.get(j) == Some(&b'}') {
            return Some(out);
        }
        loop {
            let key = j;
            j = self.ws(self.string(j)?);
            (self.b.get(j) == Some(&b':')).then_some(())?;
            let value = self.ws(j + 1);
            let value_end = self.value(value)?;
            out.push(Member { key, value, value_end });
            j = self.ws(value_end);
            match self.b.get(j)? {
                b',' => j = self.ws(j + 1),
                b'}' => return Some(out),
                _ => return None,
            }
        }
    }

    /// The last member named `key` (JSON.parse keeps the last of duplicate keys).
    fn member(&self, object: usize, key: &str) -> Option<Option<Member>> {
        let members = self.members(object)?;
        Some(members.into_iter().rev().find(|m| {
            let end = self.string(m.key).unwrap_or(m.key);
            std::str::from_utf8(&self.b[m.key..end])
                .ok()
                .and_then(|k| serde_json::from_str::<String>(k).ok())
                .is_some_and(|k| k == key)
        }))
    }

    /// Adds `"key": value` after the object's last member, on a line of its own indented as
    /// that member is when the object spans lines.
    fn insert(&self, text: &str, object: usize, key: &str, value: &str) -> String {
        let entry = format!("{}: {value}", quote(key));
        let members = self.members(object).unwrap_or_default();
        let Some(last) = members.last() else {
            return splice(text, object + 1, object + 1, &entry);
        };
        let line_start = text[..last.key].rfind('\n').map(|n| n + 1);
        let sep = match line_start {
            Some(start) if text[start..last.key].bytes().all(|c| c == b' ' || c == b'\t') => {
                format!(",\n{}", &text[start..last.key])
            }
            _ => ", ".to_string(),
        };
        splice(text, last.value_end, last.value_end, &format!("{sep}{entry}"))
    }

    /// Removes a member with the comma that separated it from the next (or the previous) one.
    fn remove(&self, text: &str, m: Member) -> String {
        let after = self.ws(m.value_end);
        if self.b.get(after) == Some(&b',') {
            return splice(text, m.key, self.ws(after + 1), "");
        }
        let before = text[..m.key].trim_end_matches([' ', '\t', '\n', '\r']);
        match before.strip_suffix(',') {
            Some(kept) => splice(text, kept.len(), m.value_end, ""),
            None => splice(text, m.key, m.value_end, ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i32>().prop_map(Value::from),
            "[a-z\\\"é ]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                prop::collection::vec(("[abc]", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever the layout, the edited text reads as the event edited as a value would.
        #[test]
        fn the_text_edit_agrees_with_the_value_edit(
            event in prop::collection::vec(("[abc]", json()), 0..4),
            path in prop::collection::vec("[abc]", 1..4),
            value in prop::option::of("[a-z\\\"]{0,5}"),
            pretty in any::<bool>(),
        ) {
            let event = Value::Object(event.into_iter().collect());
            let text = if pretty { serde_json::to_string_pretty(&event).unwrap() } else { event.to_string() };
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let edited: Value = serde_json::from_str(&set_string(&text, &path, value.as_deref()).unwrap()).unwrap();
            let mut expected = event.clone();
            let (last, parents) = path.split_last().unwrap();
            let mut cur = Some(&mut expected);
            for k in parents {
                cur = match cur {
                    Some(v) if value.is_some() => {
                        if !v.get(*k).is_some_and(Value::is_object) {
                            v[*k] = serde_json::json!({});
                        }
                        v.get_mut(*k)
                    }
                    Some(v) => v.get_mut(*k).filter(|v| v.is_object()),
                    None => None,
                };
            }
            if let Some(obj) = cur.and_then(Value::as_object_mut) {
                match &value {
                    Some(v) => { obj.insert(last.to_string(), Value::from(v.clone())); }
                    None => { obj.shift_remove(*last); }
                }
            }
            prop_assert_eq!(edited, expected);
        }
    }

    const TYPED: &str = "{\n  \"type\": \"track\",\n  \"properties\": {\"revenue\": 59.90, \"currency\": \"EUR\"},\n  \"context\": {\n    \"traits\": {\n      \"email\": \"a@b.co\"\n    }\n  }\n}";

    fn check(before: &str, path: &[&str], value: Option<&str>, after: &str) {
        let out = set_string(before, path, value).unwrap();
        assert_eq!(out, after);
        let v: Value = serde_json::from_str(&out).unwrap();
        let got = path.iter().try_fold(&v, |v, k| v.get(*k));
        assert_eq!(got.and_then(Value::as_str), value, "{out}");
    }

    #[test]
    fn a_value_is_replaced_and_nothing_else_moves() {
        check(
            TYPED,
            &["context", "traits", "email"],
            Some("Jane@Example.com"),
            &TYPED.replace("\"a@b.co\"", "\"Jane@Example.com\""),
        );
        assert!(set_string(TYPED, &["context", "traits", "email"], Some("x")).unwrap().contains("59.90"));
    }

    #[test]
    fn a_missing_member_is_added_in_the_objects_layout() {
        check(
            TYPED,
            &["context", "traits", "phone"],
            Some("+1 650"),
            &TYPED.replace("\"a@b.co\"", "\"a@b.co\",\n      \"phone\": \"+1 650\""),
        );
        check(
            TYPED,
            &["userId"],
            Some("u-1"),
            &TYPED.replace("\n  }\n}", "\n  },\n  \"userId\": \"u-1\"\n}"),
        );
        check(r#"{"a": 1}"#, &["b", "c"], Some("v"), r#"{"a": 1, "b": {"c": "v"}}"#);
        check("{}", &["b"], Some("v"), r#"{"b": "v"}"#);
        check(r#"{"b": 5}"#, &["b", "c"], Some("v"), r#"{"b": {"c": "v"}}"#);
    }

    #[test]
    fn a_member_is_removed_with_its_comma() {
        check(r#"{"a": 1, "b": "x", "c": 2}"#, &["b"], None, r#"{"a": 1, "c": 2}"#);
        check(r#"{"a": 1, "b": "x"}"#, &["b"], None, r#"{"a": 1}"#);
        check(r#"{"b": "x"}"#, &["b"], None, r#"{}"#);
        check(r#"{"a": 1}"#, &["z", "b"], None, r#"{"a": 1}"#);
    }

    #[test]
    fn escapes_and_duplicates_are_read_as_json_parse_reads_them() {
        check(
            r#"{"e\u006dail": "x", "email": "y"}"#,
            &["email"],
            Some("z"),
            r#"{"e\u006dail": "x", "email": "z"}"#,
        );
        check(r#"{"a": "q\"uote"}"#, &["a"], Some("say \"hi\""), r#"{"a": "say \"hi\""}"#);
    }

    #[test]
    fn text_that_is_not_one_object_is_left_to_the_caller() {
        for bad in ["", "[]", "{", r#"{"a" 1}"#, r#"{"a": 1} x"#, "\"s\""] {
            assert_eq!(set_string(bad, &["a"], Some("v")), None, "{bad:?}");
        }
    }
}
