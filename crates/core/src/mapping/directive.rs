//! Field sources in Segment's mapping-kit language: literals, `@path`, `@if`, `@arrayPath`,
//! `@template`, the value directives (`@case`, `@replace`, `@json`, `@literal`, `@merge`,
//! `@flatten`, `@excludeWhenNull`, `@transform`), and objects/arrays of those. A mapping is compiled once (paths parsed, shapes
//! checked, errors naming the field) and then resolved against many events.

use serde_json::{Map, Value};

pub use super::function::Function;
use super::path::Path;
use super::resolved::Resolved;

/// A compiled field source.
#[derive(Debug, Clone, PartialEq)]
pub enum Directive {
    /// A plain JSON value, used as is.
    Literal(Value),
    /// `{"@path": "$.a.b"}`: the value at a path of the event.
    Path(Path),
    /// `{"@if": {"exists"|"blank": D, "then": D, "else": D}}`.
    If {
        condition: Condition,
        then: Box<Directive>,
        otherwise: Option<Box<Directive>>,
        /// `then` is the tested source itself (Segment's `exists: A, then: A` idiom).
        then_is_tested: bool,
    },
    /// `{"@arrayPath": ["$.items", {…item mapping…}]}`: maps each element of an array.
    ArrayPath { path: Path, item: Option<Box<Directive>> },
    /// `{"@template": "{{properties.first}} {{properties.last}}"}`.
    Template(Template),
    /// An object whose values are sources.
    Object(Vec<(String, Directive)>),
    /// An array whose elements are sources.
    Array(Vec<Directive>),
    /// One of the value directives ([`Function`]); `raw` is its body as written.
    Function { function: Box<Function>, raw: Value },
}

/// The test of an `@if`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// True when the value is neither missing nor `null`.
    Exists(Box<Directive>),
    /// Segment's `blank`: like `exists`, but `""` (and, by JavaScript's loose `!=`, `0`, `false`
    /// and `[]`) also count as absent.
    Blank(Box<Directive>),
}

/// A checked `@template`: its placeholders are closed and name paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
}

/// A source that does not compile; `location` is where in the field it sits (`user.email`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct DirectiveError {
    pub location: String,
    pub message: String,
}

fn at(location: &str, key: &str) -> String {
    if location.is_empty() { key.to_string() } else { format!("{location}.{key}") }
}

impl Directive {
    /// Compiles a JSON field source. `location` names the field for errors (e.g. `user`).
    pub fn compile(value: &Value, location: &str) -> Result<Directive, DirectiveError> {
        let fail = |message: String| DirectiveError { location: location.to_string(), message };
        match value {
            Value::Object(map) => {
                let directive_keys: Vec<&String> = map.keys().filter(|k| k.starts_with('@')).collect();
                match directive_keys.as_slice() {
                    [] => map
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), Directive::compile(v, &at(location, k))?)))
                        .collect::<Result<_, _>>()
                        .map(Directive::Object),
                    [key] if map.len() == 1 => compile_directive(key, &map[key.as_str()], location),
                    _ => Err(fail(format!(
                        "a directive object holds exactly one \"@…\" key and nothing else; found {}",
                        map.keys().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                    ))),
                }
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| Directive::compile(v, &format!("{location}[{i}]")))
                .collect::<Result<_, _>>()
                .map(Directive::Array),
            other => Ok(Directive::Literal(other.clone())),
        }
    }

    /// A `@path` source.
    pub fn path(path: &str) -> Directive {
        Directive::Path(Path::parse(path).expect("static path"))
    }

    /// Resolves against `root` as plain JSON. `None` means undefined (the key is left out);
    /// `null` stays.
    pub fn resolve(&self, root: &Value) -> Option<Value> {
        self.resolve_in(root).map(|r| r.to_value())
    }

    /// Resolves against `root`, borrowing from the event and the mapping.
    pub fn resolve_in<'a>(&'a self, root: &'a Value) -> Option<Resolved<'a>> {
        match self {
            Directive::Literal(v) => Some(Resolved::Ref(v)),
            Directive::Path(p) => p.get(root).map(Resolved::from),
            Directive::If { condition, then, otherwise, then_is_tested } => {
                let (held, tested) = condition.test(root);
                if held {
                    // Segment's idiom `exists: A, then: A` resolves A once.
                    if *then_is_tested { tested } else { then.resolve_in(root) }
                } else {
                    // Segment tests `opts.else` for truthiness: a falsy literal else is undefined.
                    otherwise.as_ref().filter(|d| !d.is_falsy_literal()).and_then(|d| d.resolve_in(root))
                }
            }
            Directive::ArrayPath { path, item } => {
                let found = path.get(root)?;
                // The release maps the items only with an item mapping of one key or more;
                // otherwise (none, `{}`, an array) the value is returned as it is.
                let (Some(item), std::borrow::Cow::Borrowed(found)) =
                    (item.as_deref().filter(|i| i.maps_items()), &found)
                else {
                    return Some(Resolved::from(found));
                };
                let items = match found {
                    Value::Array(items) => items.as_slice(),
                    obj @ Value::Object(_) => std::slice::from_ref(*obj),
                    other => return Some(Resolved::Ref(other)),
                };
                Some(Resolved::Array(
                    items
                        .iter()
                        .map(|v| item.resolve_in(v).unwrap_or(Resolved::Owned(Value::Null)))
                        .collect(),
                ))
            }
            Directive::Template(t) => Some(Resolved::Owned(Value::String(t.render(root)))),
            Directive::Object(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                out.extend(fields.iter().filter_map(|(k, d)| Some((k.as_str().into(), d.resolve_in(root)?))));
                Some(Resolved::Object(out))
            }
            Directive::Array(items) => Some(Resolved::Array(
                items.iter().map(|d| d.resolve_in(root).unwrap_or(Resolved::Owned(Value::Null))).collect(),
            )),
            Directive::Function { function, .. } => function.resolve(root).map(Resolved::owned),
        }
    }

    /// The JSON form, as a workspace file stores it.
    pub fn to_value(&self) -> Value {
        use serde_json::json;
        match self {
            Directive::Literal(v) => v.clone(),
            Directive::Path(p) => json!({ "@path": p.to_string() }),
            Directive::If { condition, then, otherwise, .. } => {
                let mut body = Map::new();
                match condition {
                    Condition::Exists(d) => body.insert("exists".into(), d.to_value()),
                    Condition::Blank(d) => body.insert("blank".into(), d.to_value()),
                };
                body.insert("then".into(), then.to_value());
                if let Some(o) = otherwise {
                    body.insert("else".into(), o.to_value());
                }
                json!({ "@if": body })
            }
            Directive::ArrayPath { path, item } => match item {
                Some(item) => json!({ "@arrayPath": [path.to_string(), item.to_value()] }),
                None => json!({ "@arrayPath": [path.to_string()] }),
            },
            Directive::Template(t) => json!({ "@template": t.source }),
            Directive::Object(fields) => {
                Value::Object(fields.iter().map(|(k, d)| (k.clone(), d.to_value())).collect())
            }
            Directive::Array(items) => Value::Array(items.iter().map(Directive::to_value).collect()),
            Directive::Function { function, raw } => json!({ function.name(): raw }),
        }
    }

    /// A short name for the kind of source, for tables: `literal`, `path`, `if`, `template`,
    /// `arrayPath`, `object`, `array`.
    pub fn kind(&self) -> &'static str {
        match self {
            Directive::Literal(_) => "literal",
            Directive::Path(_) => "path",
            Directive::If { .. } => "if",
            Directive::ArrayPath { .. } => "arrayPath",
            Directive::Template(_) => "template",
            Directive::Object(_) => "object",
            Directive::Array(_) => "array",
            Directive::Function { function, .. } => &function.name()[1..],
        }
    }

    /// Whether `@arrayPath` maps items with this item mapping: the release's
    /// `realTypeOf(itemShape) === 'object' && Object.keys(itemShape).length > 0`.
    fn maps_items(&self) -> bool {
        match self {
            Directive::Literal(_) | Directive::Array(_) => false,
            Directive::Object(fields) => !fields.is_empty(),
            _ => true,
        }
    }

    fn is_falsy_literal(&self) -> bool {
        match self {
            Directive::Literal(v) => crate::mapping::js_falsy(v),
            _ => false,
        }
    }

    /// Calls `f` on every path this source reads (`@template` placeholders excepted: they are
    /// always read as the release reads them).
    pub fn paths_mut(&mut self, f: &mut impl FnMut(&mut Path)) {
        match self {
            Directive::Literal(_) | Directive::Template(_) => {}
            Directive::Path(p) => f(p),
            Directive::If { condition, then, otherwise, .. } => {
                match condition {
                    Condition::Exists(d) | Condition::Blank(d) => d.paths_mut(f),
                }
                then.paths_mut(f);
                if let Some(o) = otherwise {
                    o.paths_mut(f);
                }
            }
            Directive::ArrayPath { path, item } => {
                f(path);
                if let Some(i) = item {
                    i.paths_mut(f);
                }
            }
            Directive::Object(fields) => fields.iter_mut().for_each(|(_, d)| d.paths_mut(f)),
            Directive::Array(items) => items.iter_mut().for_each(|d| d.paths_mut(f)),
            Directive::Function { function, .. } => function.sources_mut().for_each(|d| d.paths_mut(f)),
        }
    }

    /// The sub-source for `key` when this is an object source.
    pub fn field(&self, key: &str) -> Option<&Directive> {
        match self {
            Directive::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, d)| d),
            _ => None,
        }
    }
}

impl Condition {
    /// The directive the condition tests.
    fn directive(&self) -> &Directive {
        match self {
            Condition::Exists(d) | Condition::Blank(d) => d,
        }
    }

    /// Whether the condition holds, and the value it tested.
    fn test<'a>(&'a self, root: &'a Value) -> (bool, Option<Resolved<'a>>) {
        let blank = matches!(self, Condition::Blank(_));
        let value = self.directive().resolve_in(root);
        let held = match &value {
            None => false,
            Some(r) if r.is_null() => false,
            Some(r) if blank => !loosely_empty(r),
            Some(_) => true,
        };
        (held, value)
    }
}

/// JavaScript's `value == ''` (an array compares as its `join(",")`: `[]`, `[""]`, `[null]`).
fn loosely_empty(r: &Resolved<'_>) -> bool {
    match r {
        Resolved::Array(_) => super::js_string(&r.to_value()).is_empty(),
        Resolved::Object(_) => false,
        _ => match r.value() {
            Some(Value::String(s)) => s.is_empty(),
            Some(Value::Number(n)) => n.as_f64() == Some(0.0),
            Some(Value::Bool(b)) => !b,
            Some(v @ Value::Array(_)) => super::js_string(v).is_empty(),
            _ => false,
        },
    }
}

fn compile_directive(key: &str, body: &Value, location: &str) -> Result<Directive, DirectiveError> {
    let fail = |message: String| DirectiveError { location: location.to_string(), message };
    let path_of = |v: &Value, what: &str| -> Result<Path, DirectiveError> {
        let text = v
            .as_str()
            .ok_or_else(|| fail(format!("{what} takes a path string such as \"$.properties.total\"")))?;
        Path::parse(text).map_err(|e| fail(e.to_string()))
    };
    match key {
        "@path" => path_of(body, "@path").map(Directive::Path),
        "@template" => {
            let text = body
                .as_str()
                .ok_or_else(|| fail("@template takes a string such as \"{{properties.name}}\"".into()))?;
            Template::parse(text).map(Directive::Template).map_err(fail)
        }
        "@arrayPath" => {
            let items =
                body.as_array().ok_or_else(|| fail("@arrayPath takes [path, item mapping]".into()))?;
            let (path, item) = match items.as_slice() {
                [p] => (p, None),
                [p, item] => (p, Some(item)),
                _ => return Err(fail("@arrayPath takes [path, item mapping]".into())),
            };
            let path = match path {
                Value::Object(m) if m.len() == 1 && m.contains_key("@path") => path_of(&m["@path"], "@path")?,
                other => path_of(other, "@arrayPath")?,
            };
            let item =
                item.map(|i| Directive::compile(i, &format!("{location}[]")).map(Box::new)).transpose()?;
            Ok(Directive::ArrayPath { path, item })
        }
        "@if" => {
            let body = body
                .as_object()
                .ok_or_else(|| fail("@if takes {\"exists\": …, \"then\": …, \"else\": …}".into()))?;
            let mut condition = None;
            let (mut then, mut otherwise) = (None, None);
            for (k, v) in body {
                let d = Directive::compile(v, &at(location, &format!("@if.{k}")))?;
                match k.as_str() {
                    "exists" | "blank" if condition.is_some() => {
                        return Err(fail("@if takes one condition: \"exists\" or \"blank\"".into()));
                    }
                    "exists" => condition = Some(Condition::Exists(Box::new(d))),
                    "blank" => condition = Some(Condition::Blank(Box::new(d))),
                    "then" => then = Some(Box::new(d)),
                    "else" => otherwise = Some(Box::new(d)),
                    other => {
                        return Err(fail(format!(
                            "@if has no key {other:?} (it takes exists or blank, then, else)"
                        )));
                    }
                }
            }
            let condition = condition.ok_or_else(|| fail("@if needs \"exists\" or \"blank\"".into()))?;
            let then = then.ok_or_else(|| fail("@if needs \"then\"".into()))?;
            let then_is_tested = match &condition {
                Condition::Exists(d) | Condition::Blank(d) => **d == *then,
            };
            Ok(Directive::If { condition, then, otherwise, then_is_tested })
        }
        "@liquid" => {
            Err(fail("@liquid (Liquid templates) is not supported by the console; use @template".into()))
        }
        other => match Function::compile(other, body, location)? {
            Some(function) => Ok(Directive::Function { function: Box::new(function), raw: body.clone() }),
            None => Err(fail(format!(
                "unknown directive {other:?} (known: @path, @if, @arrayPath, @template, {})",
                Function::NAMES.join(", ")
            ))),
        },
    }
}

impl Template {
    /// Checks `{{path}}` / `{{{path}}}` placeholders (the console's own check: the release
    /// would render an unclosed `{{` as text).
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut rest = source;
        while let Some(open) = rest.find("{{") {
            let raw = rest[open..].starts_with("{{{");
            let (opener, closer) = if raw { ("{{{", "}}}") } else { ("{{", "}}") };
            let after = &rest[open + opener.len()..];
            let close = after
                .find(closer)
                .ok_or_else(|| format!("@template {source:?}: {opener:?} without {closer:?}"))?;
            Path::parse(after[..close].trim()).map_err(|e| format!("@template {source:?}: {e}"))?;
            rest = &after[close + closer.len()..];
        }
        Ok(Template { source: source.to_string() })
    }

    /// Renders against `root` as actions-core 3.170.0's `render` does: every `{{{name}}}` is
    /// replaced first, then every `{{name}}` in the result (so a value inserted by the first pass
    /// can be read by the second), each with `String(get(data, name.trim()) ?? '')`. Nothing is
    /// HTML-escaped.
    pub fn render(&self, root: &Value) -> String {
        let once = replace_placeholders(&self.source, 3, root);
        replace_placeholders(&once, 2, root)
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// `text.replace(/\{{n}([^}]+)\}{n}/g, …)` for `n` braces.
fn replace_placeholders(text: &str, n: usize, root: &Value) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 2 * n < bytes.len() {
        let opens = bytes[i..i + n].iter().all(|&b| b == b'{');
        let name_len = if opens { bytes[i + n..].iter().take_while(|&&b| b != b'}').count() } else { 0 };
        let close = i + n + name_len;
        if name_len > 0 && bytes.len() >= close + n && bytes[close..close + n].iter().all(|&b| b == b'}') {
            out.push_str(&text[copied..i]);
            let name = crate::identity::js::trim(&text[i + n..close]);
            match super::path::js_get(root, name).as_deref() {
                None | Some(Value::Null) => {}
                Some(v) => out.push_str(&super::js_string(v)),
            }
            i = close + n;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn resolve(source: Value, event: Value) -> Option<Value> {
        Directive::compile(&source, "f").unwrap().resolve(&event)
    }

    #[test]
    fn path_reads_values_and_keeps_null() {
        let e = json!({"properties": {"revenue": 10, "n": null}});
        assert_eq!(resolve(json!({"@path": "$.properties.revenue"}), e.clone()), Some(json!(10)));
        assert_eq!(resolve(json!({"@path": "$.properties.n"}), e.clone()), Some(Value::Null));
        assert_eq!(resolve(json!({"@path": "$.properties.x"}), e), None);
    }

    #[test]
    fn if_exists_means_neither_missing_nor_null() {
        let src =
            json!({"@if": {"exists": {"@path": "$.a"}, "then": {"@path": "$.a"}, "else": {"@path": "$.b"}}});
        assert_eq!(resolve(src.clone(), json!({"a": "A", "b": "B"})), Some(json!("A")));
        assert_eq!(resolve(src.clone(), json!({"a": null, "b": "B"})), Some(json!("B")));
        assert_eq!(resolve(src.clone(), json!({"b": "B"})), Some(json!("B")));
        assert_eq!(resolve(src.clone(), json!({"a": "", "b": "B"})), Some(json!("")));
        assert_eq!(resolve(src, json!({})), None);
        // Segment's `blank` takes "then" when the value is present and not blank.
        let blank = json!({"@if": {"blank": {"@path": "$.a"}, "then": {"@path": "$.a"}, "else": "fallback"}});
        assert_eq!(resolve(blank.clone(), json!({"a": ""})), Some(json!("fallback")));
        assert_eq!(resolve(blank.clone(), json!({"a": 0})), Some(json!("fallback")));
        assert_eq!(resolve(blank.clone(), json!({})), Some(json!("fallback")));
        assert_eq!(resolve(blank.clone(), json!({"a": "x"})), Some(json!("x")));
        // JavaScript's `[""] == ''` and `[null] == ''` hold: such arrays are blank too.
        assert_eq!(resolve(blank.clone(), json!({"a": [""]})), Some(json!("fallback")));
        assert_eq!(resolve(blank.clone(), json!({"a": [null]})), Some(json!("fallback")));
        assert_eq!(resolve(blank, json!({"a": [0]})), Some(json!([0])));
    }

    #[test]
    fn array_path_maps_items_relative_to_each_item() {
        let src = json!({"@arrayPath": ["$.properties.products", {"id": {"@path": "$.product_id"}, "n": {"@path": "$.name"}}]});
        let e =
            json!({"properties": {"products": [{"product_id": "p1", "name": "A"}, {"product_id": "p2"}]}});
        assert_eq!(resolve(src.clone(), e), Some(json!([{"id": "p1", "n": "A"}, {"id": "p2"}])));
        assert_eq!(resolve(src.clone(), json!({})), None);
        assert_eq!(
            resolve(src, json!({"properties": {"products": {"product_id": "solo"}}})),
            Some(json!([{"id": "solo"}]))
        );
    }

    #[test]
    fn template_renders_paths() {
        let src =
            json!({"@template": "{{properties.first}} {{ properties.last }}!{{properties.n}}{{missing}}"});
        let e = json!({"properties": {"first": "Ada", "last": "Lovelace", "n": 3}});
        assert_eq!(resolve(src, e), Some(json!("Ada Lovelace!3")));
        // The release (actions-core 3.170.0) does not HTML-escape: "Team & <Co>" stays as is.
        let raw = json!({"@template": "{{a}}|{{{a}}}"});
        assert_eq!(resolve(raw, json!({"a": "Team & <Co>"})), Some(json!("Team & <Co>|Team & <Co>")));
        // Triple braces go first, and what they insert is read by the second pass.
        let twice = json!({"@template": "{{{a}}}"});
        assert_eq!(resolve(twice, json!({"a": "{{b}}", "b": "B"})), Some(json!("B")));
        let arrays = json!({"@template": "{{a}}/{{a.1}}/{{o}}/{{s.length}}"});
        assert_eq!(
            resolve(arrays, json!({"a": [1, null, "x"], "o": {"k": 1}, "s": "abc"})),
            Some(json!("1,,x//[object Object]/3"))
        );
    }

    #[test]
    fn falsy_literal_else_is_undefined_like_segment() {
        let src = json!({"@if": {"exists": {"@path": "$.a"}, "then": 1, "else": 0}});
        assert_eq!(resolve(src, json!({})), None);
    }

    #[test]
    fn nested_objects_drop_undefined_keys() {
        let src = json!({"user": {"email": {"@path": "$.e"}, "x": {"@path": "$.nope"}}, "lit": 5});
        assert_eq!(resolve(src, json!({"e": "a@b"})), Some(json!({"user": {"email": "a@b"}, "lit": 5})));
    }

    #[test]
    fn bad_sources_name_the_field() {
        let cases = [
            (json!({"user": {"email": {"@pth": "$.x"}}}), "f.user.email", "unknown directive \"@pth\""),
            (json!({"@path": 5}), "f", "@path takes a path string"),
            (json!({"@path": "$.a."}), "f", "expected a key"),
            (json!({"@if": {"then": 1}}), "f", "needs \"exists\" or \"blank\""),
            (json!({"@if": {"exists": 1}}), "f", "needs \"then\""),
            (json!({"@if": {"exists": 1, "then": 1, "otherwise": 2}}), "f", "no key \"otherwise\""),
            (json!({"@arrayPath": "x"}), "f", "takes [path, item mapping]"),
            (json!({"@template": "{{a"}), "f", "without"),
            (json!({"@path": "$.a", "b": 1}), "f", "exactly one"),
        ];
        for (src, location, message) in cases {
            let err = Directive::compile(&src, "f").unwrap_err();
            assert_eq!(err.location, location, "{err}");
            assert!(err.message.contains(message), "{err}");
        }
    }

    fn arb_source() -> impl Strategy<Value = Value> {
        let path = prop_oneof![Just("$.a"), Just("$.b.c"), Just("$.items"), Just("$.x[0]")];
        let leaf = prop_oneof![
            any::<i32>().prop_map(|n| json!(n)),
            "[a-z ]{0,6}".prop_map(|s| json!(s)),
            path.clone().prop_map(|p| json!({"@path": p})),
            "[a-z{}. ]{0,12}".prop_map(|t| json!({"@template": t})),
        ];
        leaf.prop_recursive(3, 24, 4, move |inner| {
            prop_oneof![
                (inner.clone(), inner.clone(), proptest::option::of(inner.clone())).prop_map(|(c, t, e)| {
                    match e {
                        Some(e) => json!({"@if": {"exists": c, "then": t, "else": e}}),
                        None => json!({"@if": {"exists": c, "then": t}}),
                    }
                }),
                (path.clone(), inner.clone()).prop_map(|(p, i)| json!({"@arrayPath": [p, i]})),
                prop::collection::vec(("[a-z]{1,4}", inner.clone()), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
                prop::collection::vec(inner, 0..3).prop_map(Value::Array),
            ]
        })
    }

    proptest! {
        #[test]
        fn compile_then_print_round_trips(src in arb_source()) {
            // Sources that do not compile (e.g. a template with an unbalanced "{{") are skipped.
            if let Ok(d) = Directive::compile(&src, "f") {
                let again = Directive::compile(&d.to_value(), "f").unwrap();
                prop_assert_eq!(again, d);
            }
        }

        #[test]
        fn resolve_never_panics(src in arb_source(), a in any::<i64>(), s in "\\PC{0,8}") {
            if let Ok(d) = Directive::compile(&src, "f") {
                let _ = d.resolve(&json!({"a": a, "b": {"c": s}, "items": [{"a": 1}, 2, null], "x": [s]}));
            }
        }

        #[test]
        fn compile_never_panics_on_arbitrary_json(s in "\\PC{0,40}") {
            if let Ok(v) = serde_json::from_str::<Value>(&s) {
                let _ = Directive::compile(&v, "f");
            }
        }
    }
}
