//! The value directives of mapping-kit (`@case`, `@replace`, `@json`, `@literal`, `@merge`,
//! `@flatten`, `@excludeWhenNull`, `@transform`): compiled with the release's checks (a shape
//! the release refuses for every event is a compile error naming the field) and resolved as
//! actions-core 3.170.0 resolves them.

use serde_json::{Map, Value};

use super::directive::{Directive, DirectiveError};
use super::functions;

/// The value directives, as actions-core 3.170.0 runs them. A source the release would not
/// resolve (its `value` a falsy literal) is `None`.
#[derive(Debug, Clone, PartialEq)]
pub enum Function {
    /// `{"@case": {"operator": "lower"|"upper", "value": D}}`: a string's case changed.
    Case { upper: bool, value: Option<Directive> },
    /// `{"@replace": {"pattern", "replacement", "pattern2", "replacement2", "ignorecase",
    /// "global", "value"}}`: text replaced (not a regular expression).
    Replace { value: Option<Directive>, steps: Vec<(String, String)>, global: bool, ignore_case: bool },
    /// `{"@json": {"mode": "encode"|"decode", "value": D}}`.
    Json { encode: bool, value: Directive },
    /// `{"@literal": D}`: D resolved (the release resolves it too).
    Literal(Directive),
    /// `{"@merge": {"objects": [D…], "direction": "left"|"right"}}`: `Object.assign`; with
    /// `left` the first object wins.
    Merge { objects: Vec<Directive>, left: bool },
    /// `{"@flatten": {"value": D, "separator": "…", "omitArrays": bool}}`.
    Flatten { value: Directive, separator: String, omit_arrays: bool },
    /// `{"@excludeWhenNull": D}`: `null` is undefined; an object's null members are removed.
    ExcludeWhenNull(Directive),
    /// `{"@transform": {"apply": {…}, "mapping": D}}`: D resolved against what `apply` makes.
    Transform { apply: Directive, mapping: Directive },
}

/// A body's member, if present and not `null` (the release reads `opts.x == null` as absent).
fn member<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

/// A source the release resolves only when its raw form is truthy (`if (opts.value)`).
fn truthy_source(raw: Option<&Value>, location: &str) -> Result<Option<Directive>, DirectiveError> {
    match raw {
        Some(v) if !super::js_falsy(v) => Directive::compile(v, location).map(Some),
        _ => Ok(None),
    }
}

impl Function {
    /// The directive names, as written.
    pub const NAMES: [&'static str; 8] =
        ["@case", "@replace", "@json", "@literal", "@merge", "@flatten", "@excludeWhenNull", "@transform"];

    /// The directive's name (`@case`).
    pub fn name(&self) -> &'static str {
        match self {
            Function::Case { .. } => "@case",
            Function::Replace { .. } => "@replace",
            Function::Json { .. } => "@json",
            Function::Literal(_) => "@literal",
            Function::Merge { .. } => "@merge",
            Function::Flatten { .. } => "@flatten",
            Function::ExcludeWhenNull(_) => "@excludeWhenNull",
            Function::Transform { .. } => "@transform",
        }
    }

    /// Compiles `{name: body}`; `None` when `name` is none of [`Function::NAMES`].
    pub fn compile(name: &str, body: &Value, location: &str) -> Result<Option<Function>, DirectiveError> {
        let fail = |message: String| DirectiveError { location: location.to_string(), message };
        let inner = |key: &str| format!("{location}.{name}.{key}");
        let object = || {
            body.as_object()
                .ok_or_else(|| fail(format!("{name} takes an object, not {}", super::js_string(body))))
        };
        let text =
            |o: &Map<String, Value>, key: &str, required: bool| -> Result<Option<String>, DirectiveError> {
                match member(o, key) {
                    Some(Value::String(s)) => Ok(Some(s.clone())),
                    Some(other) => Err(fail(format!("{name}'s \"{key}\" must be a string, not {other}"))),
                    None if required => Err(fail(format!("{name} needs \"{key}\""))),
                    None => Ok(None),
                }
            };
        let flag = |o: &Map<String, Value>, key: &str, default: bool| match member(o, key) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(fail(format!("{name}'s \"{key}\" must be true or false, not {other}"))),
            None => Ok(default),
        };
        // One of two words (`"lower"` or `"upper"`): whether it is the second.
        let either = |o: &Map<String, Value>, key: &str, [first, second]: [&str; 2]| match text(o, key, true)?
            .as_deref()
        {
            Some(w) if w == first => Ok(false),
            Some(w) if w == second => Ok(true),
            other => Err(fail(format!(
                "{name}'s \"{key}\" is \"{first}\" or \"{second}\", not {:?}",
                other.unwrap_or_default()
            ))),
        };
        let function = match name {
            "@case" => {
                let o = object()?;
                let upper = either(o, "operator", ["lower", "upper"])?;
                Function::Case { upper, value: truthy_source(o.get("value"), &inner("value"))? }
            }
            "@replace" => {
                let o = object()?;
                let mut steps = Vec::new();
                for (pattern_key, replacement_key) in
                    [("pattern", "replacement"), ("pattern2", "replacement2")]
                {
                    let first = pattern_key == "pattern";
                    let pattern = match text(o, pattern_key, first)? {
                        Some(p) if !p.is_empty() => p,
                        _ if first => {
                            return Err(fail("@replace needs a \"pattern\" of one character or more".into()));
                        }
                        _ => continue,
                    };
                    let replacement = text(o, replacement_key, false)?.unwrap_or_default();
                    for (key, s) in [(pattern_key, &pattern), (replacement_key, &replacement)] {
                        if crate::identity::js::utf16_len(s) > 10 {
                            return Err(fail(format!(
                                "@replace's \"{key}\" is at most 10 characters (the release's limit)"
                            )));
                        }
                    }
                    steps.push((pattern, replacement));
                }
                let value = match o.get("value") {
                    None => return Err(fail("@replace needs \"value\"".into())),
                    v => truthy_source(v, &inner("value"))?,
                };
                Function::Replace {
                    value,
                    steps,
                    global: flag(o, "global", true)?,
                    ignore_case: flag(o, "ignorecase", false)?,
                }
            }
            "@json" => {
                let o = object()?;
                let encode = !either(o, "mode", ["encode", "decode"])?;
                let value = truthy_source(o.get("value"), &inner("value"))?.ok_or_else(|| {
                    fail("@json needs a \"value\" (the release refuses a falsy one)".into())
                })?;
                Function::Json { encode, value }
            }
            "@literal" => Function::Literal(Directive::compile(body, &format!("{location}.@literal"))?),
            "@merge" => {
                let o = object()?;
                let left = !either(o, "direction", ["left", "right"])?;
                let items = member(o, "objects").and_then(Value::as_array).ok_or_else(|| {
                    fail("@merge needs \"objects\": an array of objects or directives".into())
                })?;
                let objects = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        Value::Object(_) => Directive::compile(v, &format!("{}[{i}]", inner("objects"))),
                        other => Err(fail(format!(
                            "@merge's \"objects\" holds objects or directives, not {other}"
                        ))),
                    })
                    .collect::<Result<_, _>>()?;
                Function::Merge { objects, left }
            }
            "@flatten" => {
                let o = object()?;
                let separator = text(o, "separator", true)?
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| fail("@flatten needs a \"separator\" of one character or more".into()))?;
                let value = o.get("value").ok_or_else(|| fail("@flatten needs \"value\"".into()))?;
                Function::Flatten {
                    value: Directive::compile(value, &inner("value"))?,
                    separator,
                    omit_arrays: o.get("omitArrays").is_some_and(|v| !super::js_falsy(v)),
                }
            }
            "@excludeWhenNull" => {
                Function::ExcludeWhenNull(Directive::compile(body, &format!("{location}.@excludeWhenNull"))?)
            }
            "@transform" => {
                let o = object()?;
                let part = |key: &str| match o.get(key) {
                    Some(v @ Value::Object(m)) if !m.is_empty() => Directive::compile(v, &inner(key)),
                    _ => Err(fail(format!("@transform needs \"{key}\": an object or a directive"))),
                };
                Function::Transform { apply: part("apply")?, mapping: part("mapping")? }
            }
            _ => return Ok(None),
        };
        Ok(Some(function))
    }

    /// The value, or `None` for undefined.
    pub fn resolve(&self, root: &Value) -> Option<Value> {
        let of = |d: &Directive| d.resolve(root);
        match self {
            Function::Case { upper, value } => match value.as_ref().and_then(of)? {
                Value::String(s) if *upper => Some(Value::String(s.to_uppercase())),
                Value::String(s) => Some(Value::String(crate::identity::js::to_lower_case(&s))),
                other => Some(other),
            },
            Function::Replace { value, steps, global, ignore_case } => {
                let value = value.as_ref()?;
                let subject = of(value).as_ref().and_then(functions::replace_subject);
                Some(Value::String(subject.map_or_else(String::new, |mut s| {
                    for (pattern, replacement) in steps {
                        s = functions::replace(&s, pattern, replacement, *global, *ignore_case);
                    }
                    s
                })))
            }
            Function::Json { encode: true, value } => {
                of(value).map(|v| Value::String(functions::stringify(&v)))
            }
            Function::Json { encode: false, value } => match of(value)? {
                Value::String(s) => Some(functions::parse(&s)),
                other => Some(other),
            },
            Function::Literal(d) => of(d),
            Function::Merge { objects, left } => {
                // An object's member that resolves to undefined is still copied (as undefined).
                let mut sources: Vec<_> = objects
                    .iter()
                    .filter_map(|d| match d {
                        Directive::Object(fields) => {
                            Some(fields.iter().map(|(k, d)| (k.clone(), d.resolve(root))).collect())
                        }
                        other => of(other).as_ref().map(functions::members),
                    })
                    .collect();
                if *left {
                    sources.reverse();
                }
                Some(Value::Object(functions::in_javascript_order(functions::assign(sources))))
            }
            Function::Flatten { value, separator, omit_arrays } => Some(Value::Object(match of(value) {
                Some(v) => functions::in_javascript_order(functions::flatten(&v, separator, *omit_arrays)),
                None => Map::new(),
            })),
            Function::ExcludeWhenNull(d) => match of(d)? {
                Value::Null => None,
                other => Some(functions::without_nulls(other)),
            },
            Function::Transform { apply, mapping } => {
                let payload = of(apply)?;
                mapping.resolve(&payload)
            }
        }
    }

    /// The sources this directive resolves.
    pub(crate) fn sources_mut(&mut self) -> impl Iterator<Item = &mut Directive> {
        let list: Vec<&mut Directive> = match self {
            Function::Case { value, .. } | Function::Replace { value, .. } => value.iter_mut().collect(),
            Function::Json { value, .. } | Function::Flatten { value, .. } => vec![value],
            Function::Literal(d) | Function::ExcludeWhenNull(d) => vec![d],
            Function::Merge { objects, .. } => objects.iter_mut().collect(),
            Function::Transform { apply, mapping } => vec![apply, mapping],
        };
        list.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Known answers of the release's mapping-kit (`transform({v: source}, payload)` with
    /// actions-core 3.170.0 under Node 20), `None` where it leaves `v` out.
    const KNOWN: &[(&str, Option<&str>)] = &[
        (
            r#"{"@merge":{"direction":"left","objects":[{"a":{"@path":"$.properties.missing"},"z":"z"},{"@path":"$.properties.meta"}]}}"#,
            Some(r#"{"b":null,"c":{"d":null,"e":[1,{"f":2}]},"z":"z"}"#),
        ),
        (r#"{"@path":"$"}"#, Some(r#""dollar""#)),
        (
            r#"{"@case":{"operator":"upper","value":{"@path":"$.properties.plan"}}}"#,
            Some(r#""TEAM-PLAN A.B""#),
        ),
        (r#"{"@case":{"operator":"lower","value":{"@path":"$.properties.k"}}}"#, Some(r#""i\u0307""#)),
        (r#"{"@case":{"operator":"lower","value":{"@path":"$.properties.n"}}}"#, Some(r#"7"#)),
        (
            r#"{"@replace":{"pattern":"-","replacement":"$&$$","value":{"@path":"$.properties.plan"}}}"#,
            Some(r#""Team-$Plan a.b""#),
        ),
        (
            r#"{"@replace":{"pattern":"A.","replacement":"_","ignorecase":true,"global":false,"value":{"@path":"$.properties.plan"}}}"#,
            Some(r#""Team-Plan _b""#),
        ),
        (r#"{"@replace":{"pattern":"x","value":{"@path":"$.properties.missing"}}}"#, Some(r#""""#)),
        (
            r#"{"@replace":{"pattern":"7","replacement":"seven","value":{"@path":"$.properties.n"}}}"#,
            Some(r#""seven""#),
        ),
        (
            r#"{"@json":{"mode":"encode","value":{"@path":"$.properties.meta"}}}"#,
            Some(r#""{\"a\":1,\"b\":null,\"c\":{\"d\":null,\"e\":[1,{\"f\":2}]}}""#),
        ),
        (r#"{"@json":{"mode":"decode","value":{"@path":"$.properties.json"}}}"#, Some(r#"{"x": [1, 2]}"#)),
        (r#"{"@json":{"mode":"decode","value":{"@path":"$.properties.bad"}}}"#, Some(r#""nope""#)),
        (r#"{"@literal":{"@path":"$.properties.s"}}"#, Some(r#""ab""#)),
        (
            r#"{"@merge":{"direction":"left","objects":[{"a":"first"},{"@path":"$.properties.meta"},{"@path":"$.properties.s"}]}}"#,
            Some(r#"{"0": "a", "1": "b", "a": "first", "b": null, "c": {"d": null, "e": [1, {"f": 2}]}}"#),
        ),
        (
            r#"{"@merge":{"direction":"right","objects":[{"a":"first"},{"@path":"$.properties.meta"}]}}"#,
            Some(r#"{"a": 1, "b": null, "c": {"d": null, "e": [1, {"f": 2}]}}"#),
        ),
        (
            r#"{"@flatten":{"separator":".","value":{"@path":"$.properties.meta"}}}"#,
            Some(r#"{"a": 1, "b": null, "c.d": null, "c.e.0": 1, "c.e.1.f": 2}"#),
        ),
        (
            r#"{"@flatten":{"separator":"_","omitArrays":true,"value":{"@path":"$.properties.meta"}}}"#,
            Some(r#"{"a": 1, "b": null, "c_d": null, "c_e": [1, {"f": 2}]}"#),
        ),
        (
            r#"{"@excludeWhenNull":{"@path":"$.properties.meta"}}"#,
            Some(r#"{"a": 1, "c": {"e": [1, {"f": 2}]}}"#),
        ),
        (r#"{"@excludeWhenNull":{"@path":"$.properties.meta.b"}}"#, None),
        (
            r#"{"@transform":{"apply":{"p":{"@path":"$.properties.plan"}},"mapping":{"q":{"@path":"$.p"}}}}"#,
            Some(r#"{"q": "Team-Plan a.b"}"#),
        ),
        (r#"{"@arrayPath":["$.properties.items",{}]}"#, Some(r#"[{"id": 1, "x": 2}]"#)),
        (
            r#"{"@arrayPath":["$.properties.meta",{}]}"#,
            Some(r#"{"a": 1, "b": null, "c": {"d": null, "e": [1, {"f": 2}]}}"#),
        ),
    ];

    #[test]
    fn value_directives_give_the_releases_answers() {
        let payload = json!({"properties": {"plan": "Team-Plan a.b", "n": 7,
            "meta": {"a": 1, "b": null, "c": {"d": null, "e": [1, {"f": 2}]}},
            "json": "{\"x\":[1,2]}", "bad": "nope", "s": "ab", "items": [{"id": 1, "x": 2}], "k": "İ"},
            "$": "dollar"});
        for (source, expected) in KNOWN {
            let mut d = Directive::compile(&serde_json::from_str(source).unwrap(), "v").unwrap();
            // The segment profile reads paths as the release does.
            d.paths_mut(&mut |p| *p = p.as_release_reads());
            let got = d.resolve(&payload);
            let expected = expected.map(|e| serde_json::from_str::<Value>(e).unwrap());
            assert_eq!(got, expected, "{source}");
        }
    }

    #[test]
    fn shapes_the_release_refuses_are_errors_naming_the_field() {
        for (source, message) in [
            (json!({"@case": {"operator": "title", "value": "x"}}), "\"lower\" or \"upper\""),
            (json!({"@replace": {"pattern": "12345678901", "value": "x"}}), "at most 10"),
            (json!({"@replace": {"pattern": "", "value": "x"}}), "one character or more"),
            (json!({"@replace": {"pattern": "a"}}), "needs \"value\""),
            (json!({"@json": {"mode": "encode", "value": ""}}), "falsy"),
            (json!({"@json": {"mode": "both", "value": "x"}}), "\"encode\" or \"decode\""),
            (json!({"@merge": {"objects": ["x"], "direction": "left"}}), "objects or directives"),
            (json!({"@merge": {"objects": []}}), "needs \"direction\""),
            (json!({"@flatten": {"value": 1}}), "separator"),
            (json!({"@transform": {"apply": {}, "mapping": {"a": 1}}}), "\"apply\""),
            (json!({"@liquid": "{{ x }}"}), "@liquid"),
        ] {
            let err = Directive::compile(&json!({"user": {"email": source}}), "f").unwrap_err();
            assert_eq!(err.location, "f.user.email", "{err}");
            assert!(err.message.contains(message), "{err}");
        }
    }

    #[test]
    fn compiled_directives_print_as_written() {
        for (source, _) in KNOWN {
            let v: Value = serde_json::from_str(source).unwrap();
            assert_eq!(Directive::compile(&v, "v").unwrap().to_value(), v);
        }
    }
}
