//! Text read or pasted whole — a cURL command line, a HAR, one JSON body or JSON Lines of
//! bodies, told apart by what it holds — and the check of one captured request: what Reddit
//! would answer, with each identifier told apart.

use serde_json::Value;

use super::{CaptureError, Captured, Identifier, from_curl, har_requests, identifiers};
use crate::segment::json::serde_message;
use crate::verdict::{self, Api, Verdict};

/// The requests in `text`: a cURL command line (it starts with `curl`), a HAR (a JSON object
/// with `log`), one JSON body, or JSON Lines of bodies (blank lines skipped). Text that is none
/// of them is a JSON error at its line and column.
pub fn from_text(place: &str, text: &str) -> Result<Vec<Captured>, CaptureError> {
    let body = |place: String, body: &str| Captured {
        place,
        method: "POST".into(),
        url: None,
        api: None,
        pixel: None,
        body: body.to_string(),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with("curl") {
        return from_curl(place, trimmed).map(|c| vec![c]);
    }
    let whole = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(top)) if top.contains_key("log") && !top.contains_key("events") => {
            let mut found = Vec::new();
            let summary = har_requests(place, text.as_bytes(), |c| found.push(c))?;
            if found.is_empty() {
                return Err(CaptureError::NoneInHar { place: place.into(), entries: summary.entries });
            }
            return Ok(found);
        }
        Ok(_) => return Ok(vec![body(place.to_string(), text)]),
        Err(e) => e,
    };
    // JSON Lines: more than one line, the first of which is a value of its own.
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).peekable();
    let first_alone = lines.peek().is_some_and(|(_, l)| serde_json::from_str::<Value>(l).is_ok());
    if !first_alone || text.lines().filter(|l| !l.trim().is_empty()).count() < 2 {
        return Err(json_error(place, text, 0, &whole));
    }
    let mut out = Vec::new();
    for (n, line) in lines {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(line) {
            return Err(json_error(place, line, n, &e));
        }
        out.push(body(format!("{place}:{}", n + 1), line));
    }
    Ok(out)
}

/// A JSON error in `text`, which starts at line `first_line` (0-based) of the input.
fn json_error(place: &str, text: &str, first_line: usize, e: &serde_json::Error) -> CaptureError {
    let offset = crate::segment::json::offset_of_position(text.as_bytes(), e.line(), e.column());
    CaptureError::Json {
        place: place.into(),
        line: first_line + e.line(),
        column: e.column(),
        message: serde_message(e, text.as_bytes().get(offset..).unwrap_or_default()),
    }
}

/// What Reddit would answer to one captured request.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub api: Api,
    /// Where the version came from: "the URL", "the body's shape" or the caller's words.
    pub api_from: &'static str,
    pub verdict: Verdict,
    pub identifiers: Vec<Identifier>,
    /// The body, when it is JSON.
    pub body: Option<Value>,
}

/// Judges `c` at `now_ms`. The version is the URL's, else `asked`, else the body's shape (`data`
/// is v3, `events` v2.0), else `fallback` (named `fallback_from`); `None` when nothing tells it.
pub fn check(
    c: &Captured,
    asked: Option<Api>,
    fallback: Option<(Api, &'static str)>,
    now_ms: i64,
) -> Option<Checked> {
    let parsed: Option<Value> = serde_json::from_str(&c.body).ok();
    let (api, api_from) = match (c.api, asked, parsed.as_ref().and_then(Api::of_body), fallback) {
        (Some(api), ..) => (api, "the URL"),
        (None, Some(api), ..) => (api, "as asked"),
        (None, None, Some(api), _) => (api, "the body's shape"),
        (None, None, None, Some(f)) => f,
        (None, None, None, None) => return None,
    };
    let (verdict, body) = verdict::judge_bytes(api, c.body.as_bytes(), now_ms);
    let identifiers = body.as_ref().map(|b| identifiers(api, b)).unwrap_or_default();
    Some(Checked { api, api_from, verdict, identifiers, body })
}
