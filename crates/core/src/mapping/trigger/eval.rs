//! Evaluation: whether an event (a JSON value) satisfies a parsed trigger.

use serde_json::Value;

use super::{CmpOp, Field, Func, Literal, Node};

pub(super) fn eval(node: &Node, event: &Value) -> bool {
    match node {
        Node::Or(children) => children.iter().any(|c| eval(c, event)),
        Node::And(children) => children.iter().all(|c| eval(c, event)),
        Node::Cmp { field, op, lit } => compare(lookup(event, field), *op, lit),
        Node::Func { negated, func, field, arg } => match lookup(event, field).and_then(Value::as_str) {
            Some(actual) => {
                let hit = match func {
                    Func::Contains => actual.contains(arg.as_str()),
                    Func::Match => glob_match(arg, actual),
                };
                hit != *negated
            }
            None => false,
        },
    }
}

pub(super) fn lookup<'a>(event: &'a Value, field: &Field) -> Option<&'a Value> {
    let mut cur = event.as_object()?.get(field.root.key())?;
    for key in &field.keys {
        cur = match cur {
            Value::Object(map) => map.get(key.as_str())?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

pub(super) fn equals(actual: Option<&Value>, lit: &Literal) -> bool {
    match lit {
        Literal::Null => actual.is_none_or(Value::is_null),
        Literal::Bool(b) => actual.and_then(Value::as_bool) == Some(*b),
        Literal::Str(s) => actual.and_then(Value::as_str) == Some(s.as_str()),
        Literal::Num(n) => actual.and_then(Value::as_f64) == Some(*n),
    }
}

pub(super) fn compare(actual: Option<&Value>, op: CmpOp, lit: &Literal) -> bool {
    match op {
        CmpOp::Eq => equals(actual, lit),
        CmpOp::Ne => !equals(actual, lit),
        _ => {
            let (Some(a), Literal::Num(b)) = (actual.and_then(Value::as_f64), lit) else {
                return false;
            };
            match op {
                CmpOp::Lt => a < *b,
                CmpOp::Le => a <= *b,
                CmpOp::Gt => a > *b,
                _ => a >= *b,
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum GlobTok {
    Lit(char),
    AnyRun,
    AnyOne,
}

/// Glob match: `*` any run, `?` one char, `\x` a literal `x`.
pub(super) fn glob_match(pattern: &str, text: &str) -> bool {
    let mut pat = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        pat.push(match c {
            '*' => GlobTok::AnyRun,
            '?' => GlobTok::AnyOne,
            '\\' => GlobTok::Lit(chars.next().unwrap_or('\\')),
            c => GlobTok::Lit(c),
        });
    }
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    // Position of the last `*` seen, and the text position it currently covers up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(GlobTok::AnyRun) => {
                star = Some((p, t));
                p += 1;
            }
            Some(GlobTok::AnyOne) => {
                p += 1;
                t += 1;
            }
            Some(GlobTok::Lit(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|tok| *tok == GlobTok::AnyRun)
}
