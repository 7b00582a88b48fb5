//! What a mapping resolves to for one event: JSON that borrows from the event and the mapping
//! wherever it can, with objects as small ordered lists. Resolving, Segment's schema step and the
//! request builder work on it without copying the event or hashing object keys.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A resolved value.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved<'a> {
    /// A value of the event or a literal of the mapping, as it is.
    Ref(&'a Value),
    /// A value made while resolving (a template, a coercion).
    Owned(Value),
    /// An object, keys in order.
    Object(Fields<'a>),
    Array(Vec<Resolved<'a>>),
}

/// The keys and values of a resolved object.
pub type Fields<'a> = Vec<(Cow<'a, str>, Resolved<'a>)>;

impl<'a> From<std::borrow::Cow<'a, Value>> for Resolved<'a> {
    fn from(value: std::borrow::Cow<'a, Value>) -> Self {
        match value {
            std::borrow::Cow::Borrowed(v) => Resolved::Ref(v),
            std::borrow::Cow::Owned(v) => Resolved::Owned(v),
        }
    }
}

impl<'a> Resolved<'a> {
    /// The scalar (or unexpanded) JSON value, when this is one.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Resolved::Ref(v) => Some(v),
            Resolved::Owned(v) => Some(v),
            _ => None,
        }
    }

    /// A string value.
    pub fn as_str(&self) -> Option<&str> {
        self.value().and_then(Value::as_str)
    }

    /// Whether this is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.value().is_some_and(Value::is_null)
    }

    /// JavaScript truthiness.
    pub fn truthy(&self) -> bool {
        self.value().is_none_or(|v| !super::js_falsy(v))
    }

    /// Turns a JSON object or array into [`Resolved::Object`] / [`Resolved::Array`] so its parts
    /// can be checked and changed one by one.
    #[inline]
    pub fn expand(&mut self) {
        match self {
            Resolved::Ref(Value::Object(map)) => {
                *self = Resolved::Object(
                    map.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Resolved::Ref(v))).collect(),
                )
            }
            Resolved::Ref(Value::Array(items)) => {
                *self = Resolved::Array(items.iter().map(Resolved::Ref).collect())
            }
            Resolved::Owned(Value::Object(_) | Value::Array(_)) => {
                let Resolved::Owned(value) = std::mem::replace(self, Resolved::Owned(Value::Null)) else {
                    unreachable!()
                };
                *self = Resolved::owned(value);
            }
            _ => {}
        }
    }

    /// A made value, objects and arrays expanded.
    pub fn owned(value: Value) -> Resolved<'a> {
        match value {
            Value::Object(map) => {
                Resolved::Object(map.into_iter().map(|(k, v)| (Cow::Owned(k), Resolved::owned(v))).collect())
            }
            Value::Array(items) => Resolved::Array(items.into_iter().map(Resolved::owned).collect()),
            other => Resolved::Owned(other),
        }
    }

    /// [`Resolved::expand`], by value.
    pub fn expanded(mut self) -> Resolved<'a> {
        self.expand();
        self
    }

    /// The fields of an object.
    pub fn fields(&self) -> Option<&[(Cow<'a, str>, Resolved<'a>)]> {
        match self {
            Resolved::Object(fields) => Some(fields),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn items(&self) -> Option<&[Resolved<'a>]> {
        match self {
            Resolved::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A field of an object (expanded or borrowed).
    pub fn get(&self, key: &str) -> Option<Resolved<'_>> {
        match self {
            Resolved::Object(fields) => field(fields, key).map(|r| r.borrowed()),
            Resolved::Ref(Value::Object(map)) => super::lookup(map, key).map(Resolved::Ref),
            _ => None,
        }
    }

    /// A cheap view of this value.
    pub fn borrowed(&self) -> Resolved<'_> {
        match self {
            Resolved::Ref(v) => Resolved::Ref(v),
            Resolved::Owned(v) => Resolved::Ref(v),
            Resolved::Object(fields) => {
                Resolved::Object(fields.iter().map(|(k, v)| (Cow::Borrowed(&**k), v.borrowed())).collect())
            }
            Resolved::Array(items) => Resolved::Array(items.iter().map(Resolved::borrowed).collect()),
        }
    }

    /// As plain JSON.
    pub fn to_value(&self) -> Value {
        match self {
            Resolved::Ref(v) => (*v).clone(),
            Resolved::Owned(v) => v.clone(),
            Resolved::Object(fields) => Value::Object(
                fields.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect::<Map<_, _>>(),
            ),
            Resolved::Array(items) => Value::Array(items.iter().map(Resolved::to_value).collect()),
        }
    }
}

/// A field of a resolved object by key.
pub fn field<'f, 'a>(fields: &'f [(Cow<'a, str>, Resolved<'a>)], key: &str) -> Option<&'f Resolved<'a>> {
    fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expand_and_get() {
        let v = json!({"a": {"b": 1}, "c": [1, 2]});
        let mut r = Resolved::Ref(&v);
        assert_eq!(r.get("a").unwrap().get("b"), Some(Resolved::Ref(&json!(1))));
        r.expand();
        assert_eq!(r.fields().unwrap().len(), 2);
        let mut c = r.get("c").unwrap();
        c.expand();
        assert_eq!(c.items().unwrap().len(), 2);
        assert_eq!(r.to_value(), v);
    }

    #[test]
    fn truthiness_follows_javascript() {
        assert!(!Resolved::Owned(json!("")).truthy());
        assert!(!Resolved::Owned(json!(0)).truthy());
        assert!(Resolved::Object(vec![]).truthy());
        assert!(Resolved::Array(vec![]).truthy());
    }
}
