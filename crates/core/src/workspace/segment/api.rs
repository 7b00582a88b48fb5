//! Talking to Segment's Public API, the pure part: where to send (region, paths), how to walk
//! the subscription pages into one answer that [`super::import`] reads, what an error answer
//! means in words, and what `export-segment --apply` would change. The HTTP is at the edge.
//!
//! Built from Segment's published reference: the Public API overview
//! (<https://www.twilio.com/docs/segment/api/public-api>) and the endpoint reference at
//! <https://docs.segmentapis.com> — base URLs `https://api.segmentapis.com` (US) and
//! `https://eu1.api.segmentapis.com` (EU), `Authorization: Bearer <token>`, answers in
//! `{"data": {…}}`, errors as `{"errors": [{"type", "message"}]}`, cursor pagination
//! (`pagination[count]`, `pagination[cursor]`; the answer's `data.pagination.next`), 429 with
//! `Retry-After` / `X-RateLimit-Reset`; `GET /destinations/{id}`,
//! `GET|POST /destinations/{id}/subscriptions`, `PATCH /destinations/{id}/subscriptions/{subId}`.
//! The overview page was at hand when this was written; the per-endpoint pages were not, so the
//! update body's `{"input": {…}}` wrapper (the reference's "update subscription" input) and the
//! `X-RateLimit-Reset` format (Unix seconds, else shown as sent) are worth checking against them.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{ImportError, Workspace, export, shape};
use crate::secret::remove_secrets;

/// Subscriptions asked for per page.
pub const PAGE_SIZE: u32 = 200;

/// Where the workspace lives: the Public API has one host per region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    #[default]
    Us,
    Eu,
}

impl Region {
    /// The Public API's base URL for the region.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => super::PUBLIC_API,
            Region::Eu => "https://eu1.api.segmentapis.com",
        }
    }
}

/// Why an id cannot go into a Public API path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Segment id (letters, digits, '-' and '_' only)")]
pub struct BadId(pub String);

fn checked(id: &str) -> Result<&str, BadId> {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if ok { Ok(id) } else { Err(BadId(id.to_string())) }
}

/// `GET /destinations/{id}`.
pub fn destination_path(destination: &str) -> Result<String, BadId> {
    Ok(format!("/destinations/{}", checked(destination)?))
}

/// `GET /destinations/{id}/subscriptions`, one page (the cursor percent-encoded).
pub fn subscriptions_page_path(destination: &str, cursor: Option<&str>) -> Result<String, BadId> {
    let mut path =
        format!("{}/subscriptions?pagination%5Bcount%5D={PAGE_SIZE}", destination_path(destination)?);
    if let Some(cursor) = cursor {
        path.push_str("&pagination%5Bcursor%5D=");
        path.push_str(&percent_encode(cursor));
    }
    Ok(path)
}

/// `POST /destinations/{id}/subscriptions`.
pub fn create_path(destination: &str) -> Result<String, BadId> {
    Ok(format!("{}/subscriptions", destination_path(destination)?))
}

/// `PATCH /destinations/{id}/subscriptions/{subscriptionId}`.
pub fn update_path(destination: &str, subscription: &str) -> Result<String, BadId> {
    Ok(format!("{}/subscriptions/{}", destination_path(destination)?, checked(subscription)?))
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The subscription pages read so far, gathered into one list-subscriptions answer.
#[derive(Debug, Default)]
pub struct Pages {
    subscriptions: Vec<Value>,
    cursors: BTreeSet<String>,
}

impl Pages {
    /// Adds one page's answer; returns the cursor of the next page (`None`: that was the last).
    /// A cursor seen before is refused, so a looping API cannot keep the import going.
    pub fn add(&mut self, answer: &str) -> Result<Option<String>, ImportError> {
        let mut value = super::parse(super::SUBSCRIPTIONS, answer)?;
        let next = value
            .pointer("/data/pagination/next")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if let Some(data) = value.get_mut("data").and_then(Value::as_object_mut) {
            data.remove("pagination");
        }
        self.subscriptions.extend(super::subscription_list(value)?);
        match next {
            Some(cursor) if !self.cursors.insert(cursor.clone()) => Err(shape(
                super::SUBSCRIPTIONS,
                "data.pagination.next",
                format!("the cursor {cursor:?} came back a second time; stopped"),
            )),
            next => Ok(next),
        }
    }

    /// All subscriptions read.
    pub fn into_subscriptions(self) -> Vec<Value> {
        self.subscriptions
    }

    /// The answer [`super::import`] reads.
    pub fn into_answer(self) -> String {
        json!({"data": {"subscriptions": self.subscriptions}}).to_string()
    }
}

/// What a Public API error answer means, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Segment refused the token (401): it is wrong, revoked or expired; create a Public API token in Segment (Settings → Access Management → Tokens){}", quoted(.said))]
    BadToken { said: String },
    #[error("Segment says the token may not do this (403): it lacks the scope or the workspace access for this destination{}", quoted(.said))]
    Forbidden { said: String },
    #[error("Segment knows no {what} (404): check the id and the region (--region eu for an EU workspace){}", quoted(.said))]
    NotFound { what: String, said: String },
    #[error("Segment is rate limiting this token (429){}{}", wait(.retry_after, .reset), quoted(.said))]
    RateLimited { retry_after: Option<String>, reset: Option<String>, said: String },
    #[error("Segment's Public API failed ({status}): try again later{}", quoted(.said))]
    Server { status: u16, said: String },
    #[error("Segment answered {status}{}", quoted(.said))]
    Other { status: u16, said: String },
}

fn quoted(message: &str) -> String {
    if message.is_empty() { String::new() } else { format!(" — Segment said: {message}") }
}

fn wait(retry_after: &Option<String>, reset: &Option<String>) -> String {
    match (retry_after, reset) {
        (Some(after), _) => format!(": wait {after} s (Retry-After) and try again"),
        (None, Some(reset)) => format!(": the limit resets at {} (X-RateLimit-Reset)", reset_time(reset)),
        (None, None) => ": wait a minute and try again".to_string(),
    }
}

/// `X-RateLimit-Reset` in UTC when it is a Unix time in seconds, else as sent.
fn reset_time(reset: &str) -> String {
    match reset.trim().parse::<i64>() {
        Ok(secs) if secs > 1_000_000_000 => crate::timestamp::format_rfc3339(secs.saturating_mul(1000)),
        _ => reset.to_string(),
    }
}

/// The messages of an `{"errors": [{"type", "message"}]}` body, joined (the raw text, cut, if
/// it is not one).
fn messages(body: &str) -> String {
    let parsed: Option<Vec<String>> = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        v.get("errors")?.as_array().map(|errors| {
            errors
                .iter()
                .filter_map(|e| {
                    let message = e.get("message").and_then(Value::as_str)?;
                    Some(match e.get("type").and_then(Value::as_str) {
                        Some(kind) => format!("{message} ({kind})"),
                        None => message.to_string(),
                    })
                })
                .collect()
        })
    });
    match parsed {
        Some(list) => list.join("; "),
        None => body.trim().chars().filter(|c| !c.is_control()).take(200).collect(),
    }
}

/// Explains an answer that is not 2xx. `what` names what was asked for (for 404); `header`
/// looks a response header up by its lower-case name.
pub fn explain(status: u16, body: &str, what: &str, header: impl Fn(&str) -> Option<String>) -> ApiError {
    let said = messages(body);
    match status {
        401 => ApiError::BadToken { said },
        403 => ApiError::Forbidden { said },
        404 => ApiError::NotFound { what: what.to_string(), said },
        429 => ApiError::RateLimited {
            retry_after: header("retry-after"),
            reset: header("x-ratelimit-reset"),
            said,
        },
        500..=599 => ApiError::Server { status, said },
        _ => ApiError::Other { status, said },
    }
}

/// One change `--apply` makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `POST` this create body.
    Create { name: String, body: Value },
    /// `PATCH` subscription `id` with `body`; `fields` names what differs.
    Update { name: String, id: String, fields: Vec<String>, body: Value },
    /// Already as the workspace has it.
    Unchanged { name: String, id: String },
}

/// What `export-segment --apply` would do.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether anything would be sent.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| matches!(c, Change::Unchanged { .. }))
    }

    /// One line per change, for people (no setting values).
    pub fn lines(&self) -> Vec<String> {
        self.changes
            .iter()
            .map(|c| match c {
                Change::Create { name, .. } => format!("create     {name:?}"),
                Change::Update { name, id, fields, .. } => {
                    format!("update     {name:?} ({id}): {}", fields.join(", "))
                }
                Change::Unchanged { name, id } => format!("unchanged  {name:?} ({id})"),
            })
            .collect()
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "{0:?}: Segment's actionId for its action is unknown and the destination has no subscription of that action to learn it from; create one in Segment first"
    )]
    UnknownAction(String),
}

fn id_of(sub: &Value) -> Option<&str> {
    sub.get("id").and_then(Value::as_str)
}

/// What an update may change (an action is not: that is another subscription).
const COMPARED: [&str; 4] = ["name", "trigger", "enabled", "settings"];

/// Compares the workspace's subscriptions (as [`export`] writes them) with the destination's
/// `existing` ones: matched by the subscription id the workspace keeps for the mapping, else by
/// name. Action ids the workspace lacks are learnt from `existing`. Settings whose names say
/// secret are neither compared nor dropped: an update keeps Segment's.
pub fn plan(workspace: &Workspace, existing: &[Value]) -> Result<Plan, PlanError> {
    let mut workspace = workspace.clone();
    let link = workspace.segment.get_or_insert_with(Default::default);
    for sub in existing {
        if let (Some(slug), Some(id)) =
            (sub.get("actionSlug").and_then(Value::as_str), sub.get("actionId").and_then(Value::as_str))
        {
            link.action_ids.entry(slug.to_string()).or_insert_with(|| id.to_string());
        }
    }
    let ids = link.subscription_ids.clone();
    let exported = export(&workspace);
    let mut changes = Vec::new();
    for body in exported.subscriptions {
        let name = body.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        if body.get("actionId").and_then(Value::as_str).is_none_or(|id| id.starts_with('<')) {
            return Err(PlanError::UnknownAction(name));
        }
        let found = ids
            .get(&name)
            .and_then(|id| existing.iter().find(|s| id_of(s) == Some(id.as_str())))
            .or_else(|| existing.iter().find(|s| s.get("name").and_then(Value::as_str) == Some(&name)));
        let Some((current, id)) = found.and_then(|s| Some((s, id_of(s)?.to_string()))) else {
            changes.push(Change::Create { name, body });
            continue;
        };
        let mut kept_secrets = Map::new();
        let mut theirs = current.clone();
        if let Some(Value::Object(settings)) = current.get("settings") {
            let mut public = Value::Object(settings.clone());
            remove_secrets(&mut public, "settings");
            for (key, value) in settings {
                if public.get(key).is_none() {
                    kept_secrets.insert(key.clone(), value.clone());
                }
            }
            theirs["settings"] = public;
        }
        let fields: Vec<String> =
            COMPARED.into_iter().filter(|k| body.get(*k) != theirs.get(*k)).map(str::to_string).collect();
        if fields.is_empty() {
            changes.push(Change::Unchanged { name, id });
            continue;
        }
        let mut input = Map::new();
        for key in COMPARED {
            if let Some(value) = body.get(key) {
                input.insert(key.to_string(), value.clone());
            }
        }
        if let Some(Value::Object(settings)) = input.get_mut("settings") {
            settings.extend(kept_secrets);
        }
        changes.push(Change::Update { name, id, fields, body: json!({"input": input}) });
    }
    Ok(Plan { changes, notes: exported.notes })
}

#[cfg(test)]
mod tests;
