//! A JSON-aware diff by path: two documents compared leaf by leaf (`events[0].user.email`), for
//! comparing a send with the previous send of the same sample and v2.0 with v3 field by field.

use serde_json::Value;

/// One field of a comparison: its path and its value on each side (`None`: absent there).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The path, named as on the old side.
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// The path on the new side, where it is named differently.
    pub new_path: Option<String>,
}

impl Field {
    /// Whether both sides hold the same value.
    pub fn is_same(&self) -> bool {
        self.old == self.new
    }
}

/// Every leaf (scalar, empty object or empty array) of a document, in document order, by path.
pub fn leaves(value: &Value) -> Vec<(String, &Value)> {
    fn walk<'v>(v: &'v Value, path: &mut String, out: &mut Vec<(String, &'v Value)>) {
        let len = path.len();
        match v {
            Value::Object(map) if !map.is_empty() => {
                for (k, child) in map {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(child, path, out);
                    path.truncate(len);
                }
            }
            Value::Array(items) if !items.is_empty() => {
                for (i, child) in items.iter().enumerate() {
                    path.push_str(&format!("[{i}]"));
                    walk(child, path, out);
                    path.truncate(len);
                }
            }
            _ => out.push((path.clone(), v)),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut String::new(), &mut out);
    out
}

/// Both documents field by field: `new`'s fields in its order, then those only `old` has.
pub fn fields(old: &Value, new: &Value) -> Vec<Field> {
    fields_renamed(old, new, str::to_string)
}

/// Field by field where the new side names fields differently: `rename` gives a new-side
/// path's name on the old side (v3's `data.events[0].type` is v2.0's `events[0].event_type`).
pub fn fields_renamed(old: &Value, new: &Value, rename: impl Fn(&str) -> String) -> Vec<Field> {
    let old_leaves = leaves(old);
    let new_leaves: Vec<(String, String, &Value)> =
        leaves(new).into_iter().map(|(p, v)| (rename(&p), p, v)).collect();
    let old_by_path: std::collections::HashMap<&str, &Value> =
        old_leaves.iter().map(|(p, v)| (p.as_str(), *v)).collect();
    let new_paths: std::collections::HashSet<&str> = new_leaves.iter().map(|(p, _, _)| p.as_str()).collect();
    let mut out: Vec<Field> = new_leaves
        .iter()
        .map(|(path, original, v)| Field {
            path: path.clone(),
            old: old_by_path.get(path.as_str()).map(|o| (*o).clone()),
            new: Some((*v).clone()),
            new_path: (path != original).then(|| original.clone()),
        })
        .collect();
    out.extend(old_leaves.iter().filter(|(p, _)| !new_paths.contains(p.as_str())).map(|(path, v)| Field {
        path: path.clone(),
        old: Some((*v).clone()),
        new: None,
        new_path: None,
    }));
    out
}

/// Only the fields that differ (empty: no differences).
pub fn changes(old: &Value, new: &Value) -> Vec<Field> {
    fields(old, new).into_iter().filter(|f| !f.is_same()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_documents_have_no_changes() {
        let a = json!({"events": [{"user": {"email": "x"}, "n": 1}], "test_mode": true});
        assert!(changes(&a, &a.clone()).is_empty());
    }

    #[test]
    fn changes_are_named_by_path_whatever_the_indentation() {
        let old = json!({"events": [{"user": {"email": "a", "ip": "1"}, "event_at": "t1"}]});
        let new = json!({"events": [{"user": {"email": "b"}, "event_at": "t1", "click_id": "c"}]});
        let c = changes(&old, &new);
        assert_eq!(
            c,
            [
                Field {
                    path: "events[0].user.email".into(),
                    old: Some(json!("a")),
                    new: Some(json!("b")),
                    new_path: None
                },
                Field { path: "events[0].click_id".into(), old: None, new: Some(json!("c")), new_path: None },
                Field { path: "events[0].user.ip".into(), old: Some(json!("1")), new: None, new_path: None },
            ]
        );
    }

    #[test]
    fn renamed_fields_line_up_by_their_old_name() {
        let old = json!({"events": [{"event_type": {"tracking_type": "Purchase"}}]});
        let new = json!({"data": {"events": [{"type": {"tracking_type": "PURCHASE"}}]}});
        let f =
            fields_renamed(&old, &new, |p| p.trim_start_matches("data.").replace(".type.", ".event_type."));
        assert_eq!(
            f,
            [Field {
                path: "events[0].event_type.tracking_type".into(),
                old: Some(json!("Purchase")),
                new: Some(json!("PURCHASE")),
                new_path: Some("data.events[0].type.tracking_type".into()),
            }]
        );
    }

    #[test]
    fn fields_lists_both_sides_and_empty_containers_are_leaves() {
        let f = fields(&json!({"a": {}, "b": [1]}), &json!({"a": {}, "c": []}));
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a", "c", "b[0]"]);
        assert!(f[0].is_same() && !f[1].is_same() && !f[2].is_same());
    }
}
