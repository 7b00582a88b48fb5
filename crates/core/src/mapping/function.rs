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
            body.as_object().ok_or_else(|| fail(format!("{name} takes an object, not {}", super::js_string(body))))
        };
        let text = |o: &Map<String, Value>, key: &str, required: bool| -> Result<Option<String>, DirectiveError> {
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
        let function = match name {
            "@case" => {
                let o = object()?;
                let upper = match text(o, "operator", true)?.as_deref() {
                    Some("lower") => false,
                    Some("upper") => true,
                    other => {
                        return Err(fail(format!(
                            "@case's \"operator\" is \"lower\" or \"upper\", not {:?}",
                            other.unwrap_or_default()
                        )));
                    }
                };
                Function::Case { upper, value: truthy_source(o.get("value"), &inner("value"))? }
            }
            "@replace" => {
                let o = object()?;
                let mut steps = Vec::new();
                for (pattern_key, replacement_key) in [("pattern", "replacement"), ("pattern2", "replacement2")] {
                    let first = pattern_key == "pattern";
                    let pattern = match text(o, pattern_key, first)? {
                        Some(p) if !p.is_empty() => p,
                        _ if first => return Err(fail("@replace needs a \"pattern\" of one character or more".into())),
                        _ => continue,
                    };
                    let replacement = text(o, replacement_key, false)?.unwrap_or_default();
                    for (key, s) in [(pattern_key, &pattern), (replacement_key, &replacement)] {
                        if crate::identity::js::utf16_len(s) > 10 {
                            return Err(fail(format!("@replace's \"{key}\" is at most 10 characters (the release's limit)")));
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
                let encode = match text(o, "mode", true)?.as_deref() {
                    Some("encode") => true,
                    Some("decode") => false,
                    other => {
                        return Err(fail(format!(
                            "@json's \"mode\" is \"encode\" or \"decode\", not {:?}",
                            other.unwrap_or_default()
                        )));
                    }
                };
                let value = truthy_source(o.get("value"), &inner("value"))?
                    .ok_or_else(|| fail("@json needs a \"value\" (the release refuses a falsy one)".into()))?;
                Function::Json { encode, value }
            }
            "@literal" => Function::Literal(Directive::compile(body, &format!("{location}.@literal"))?),
            "@merge" => {
                let o = object()?;
                let left = match text(o, "direction", true)?.as_deref() {
                    Some("left") => true,
                    Some("right") => false,
                    other => {
                        return Err(fail(format!(
                            "@merge's \"direction\" is \"left\" or \"right\", not {:?}",
                            other.unwrap_or_default()
                        )));
                    }
                };
                let items = member(o, "objects")
                    .and_then(Value::as_array)
                    .ok_or_else(|| fail("@merge needs \"objects\": an array of objects or directives".into()))?;
                let objects = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        Value::Object(_) => Directive::compile(v, &format!("{}[{i}]", inner("objects"))),
                        other => Err(fail(format!("@merge's \"objects\" holds objects or directives, not {other}"))),
                    })
                    .collect::<Result<_, _>>()?;
                Function::Merge { objects, left }
            }
            "@flatten" => {
                let o = object()?;
                let separator = text(o, "separator", true)?.filter(|s| !s.is_empty()).ok_or_else(|| {
                    fail("@flatten needs a \"separator\" of one character or more".into())
                })?;
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
            Function::Json { encode: true, value } => of(value).map(|v| Value::String(functions::stringify(&v))),
            Function::Json { encode: false, value } => match of(value)? {
                Value::String(s) => Some(functions::parse(&s)),
                other => Some(other),
            },
            Function::Literal(d) => of(d),
            Function::Merge { objects, left } => {
                let mut values: Vec<Value> = objects.iter().filter_map(of).collect();
                if *left {
                    values.reverse();
                }
                let mut out = Map::new();
                values.iter().for_each(|v| functions::assign(&mut out, v));
                Some(Value::Object(out))
            }
            Function::Flatten { value, separator, omit_arrays } => Some(Value::Object(match of(value) {
                Some(v) => functions::flatten(&v, separator, *omit_arrays),
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
