//! Sending what the engine built: each request goes out through the client (unless a lint
//! blocks it), and every attempt is written to the history before it leaves and after it returns.

use serde::Serialize;

use super::client::{Cancel, Client, Pacer, Prepared, Progress, SendResult};
use crate::engine::Item;
use crate::reddit::response::{Kind, Outcome};
use crate::reddit::{Level, Lint, Request, Settings};
use crate::secret::Secret;
use crate::store::history::{self, Abridged, AttemptRecord, Entry, History, Phase, RequestRecord};

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Reddit's API.
    Reddit,
    /// The local emulator at this base URL.
    Emulator(String),
    /// Another base URL.
    Url(String),
}

impl Endpoint {
    /// The base URL requests are built on.
    pub fn base_url(&self) -> &str {
        match self {
            Endpoint::Reddit => crate::reddit::settings::REDDIT_API_BASE,
            Endpoint::Emulator(url) | Endpoint::Url(url) => url,
        }
    }

    /// A short label for history.
    pub fn label(&self) -> String {
        match self {
            Endpoint::Reddit => "reddit".into(),
            Endpoint::Emulator(_) => "emulator".into(),
            Endpoint::Url(url) => url.clone(),
        }
    }

    /// Whether this is Reddit itself (where production sends count).
    pub fn is_reddit(&self) -> bool {
        match self {
            Endpoint::Reddit => true,
            Endpoint::Emulator(_) => false,
            Endpoint::Url(url) => url.contains("ads-api.reddit.com"),
        }
    }
}

/// What happened to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sent {
    pub mapping: String,
    pub event_indexes: Vec<usize>,
    /// Error lints stopped it before it left.
    pub blocked: bool,
    pub lints: Vec<Lint>,
    pub attempts: Vec<AttemptRecord>,
    pub outcome: Outcome,
}

impl Sent {
    /// Accepted by the endpoint.
    pub fn accepted(&self) -> bool {
        !self.blocked && self.outcome.accepted()
    }
}

/// A sending session.
pub struct Dispatcher<'a> {
    pub client: &'a Client,
    pub history: Option<&'a History>,
    pub token: &'a Secret,
    pub endpoint: &'a Endpoint,
    pub settings: &'a Settings,
    pub cancel: Cancel,
    /// Set for v3 with a test id: at most 10 requests a second.
    pub pacer: Option<Pacer>,
    /// Errors writing history (reported once by the caller; sending goes on).
    pub history_errors: Vec<String>,
}

impl Dispatcher<'_> {
    /// Sends one request item (other items are not requests and return `None`).
    pub async fn send(&mut self, item: &Item, source: &str) -> Option<Sent> {
        let Item::Request { event_indexes, mapping, request, lints, .. } = item else {
            return None;
        };
        if lints.iter().any(|l| l.level == Level::Error) {
            let outcome = Outcome {
                kind: Kind::BadRequest,
                status: None,
                message: "not sent: fix the error lints first".into(),
                explanation:
                    "The console does not send a request that Reddit would reject; see the error lints."
                        .into(),
                field_errors: Vec::new(),
            };
            return Some(Sent {
                mapping: mapping.clone(),
                event_indexes: event_indexes.clone(),
                blocked: true,
                lints: lints.clone(),
                attempts: Vec::new(),
                outcome,
            });
        }
        let outgoing = Outgoing {
            mapping,
            event_indexes,
            lints,
            prepared: Prepared::from_request(request),
            record: request_record(request),
        };
        Some(self.dispatch(outgoing, source).await)
    }

    /// Sends a request as it is (pasted or captured, not built here): its exact bytes.
    pub async fn send_raw(&mut self, raw: &RawRequest, source: &str) -> Sent {
        let bytes = raw.body.as_bytes();
        let sha256 = crate::identity::sha256_hex(&raw.body);
        let (body, abridged) = if bytes.len() <= MAX_KEPT_BODY_BYTES {
            (raw.value.clone(), None)
        } else {
            let abridged = Abridged { events: raw.events, bytes: bytes.len(), sha256: sha256.clone() };
            (serde_json::Value::Null, Some(abridged))
        };
        let auth = crate::reddit::Authorization::for_token(Some(self.token.expose()), false);
        let record = RequestRecord {
            url: raw.url.clone(),
            method: "POST".into(),
            headers: vec![
                ("Authorization".into(), auth.header_value()),
                ("Content-Type".into(), "application/json".into()),
                ("User-Agent".into(), self.settings.user_agent()),
            ],
            body,
            abridged,
            sha256: Some(sha256),
        };
        let prepared = Prepared { url: raw.url.clone(), body: raw.body.clone().into_bytes().into() };
        let indexes: Vec<usize> = (0..raw.events).collect();
        let outgoing = Outgoing { mapping: &raw.name, event_indexes: &indexes, lints: &[], prepared, record };
        self.dispatch(outgoing, source).await
    }

    /// Sends one prepared request, writing each attempt to the history.
    async fn dispatch(&mut self, out: Outgoing<'_>, source: &str) -> Sent {
        let Outgoing { mapping, event_indexes, lints, prepared, record } = out;
        if let Some(pacer) = &mut self.pacer {
            pacer.ready().await;
        }
        let send_id = history::new_send_id();
        let history = self.history;
        let mut errors = Vec::new();
        let told = |o: Outcome| match self.endpoint {
            Endpoint::Emulator(_) => o.from_emulator(),
            Endpoint::Url(url) if !self.endpoint.is_reddit() => o.from_other(url),
            _ => o,
        };
        let base = |state: Phase, attempt: AttemptRecord| Entry {
            send_id: send_id.clone(),
            state,
            endpoint: self.endpoint.label(),
            api_version: self.settings.api_version.as_str().into(),
            test: self.settings.is_test(),
            mapping: mapping.to_string(),
            source: source.to_string(),
            event_count: event_indexes.len(),
            request: record.clone(),
            lints: lints.to_vec(),
            attempt,
        };
        let SendResult { attempts, outcome } = self
            .client
            .send(&prepared, self.token, &self.cancel, |progress| {
                let Some(history) = history else { return };
                let entry = match progress {
                    Progress::Starting { number, started_at, waited_ms } => base(
                        Phase::Pending,
                        AttemptRecord {
                            number,
                            started_at: started_at.to_string(),
                            duration_ms: 0,
                            waited_ms,
                            status: None,
                            response_headers: Vec::new(),
                            response_body: None,
                            response_body_cut: false,
                            outcome: Outcome::transport(Kind::Timeout, "pending: no answer recorded yet"),
                        },
                    ),
                    Progress::Finished(attempt) => {
                        let mut attempt = attempt.clone();
                        attempt.outcome = told(attempt.outcome);
                        base(Phase::Completed, attempt)
                    }
                };
                if let Err(e) = history.append(&entry) {
                    errors.push(format!("{}: {e}", history.path().display()));
                }
            })
            .await;
        self.history_errors.extend(errors);
        let attempts = attempts
            .into_iter()
            .map(|mut a| {
                a.outcome = told(a.outcome);
                a
            })
            .collect();
        Sent {
            mapping: mapping.to_string(),
            event_indexes: event_indexes.to_vec(),
            blocked: false,
            lints: lints.to_vec(),
            attempts,
            outcome: told(outcome),
        }
    }
}

/// One request on its way: what history records of it, and the bytes that go out.
struct Outgoing<'a> {
    mapping: &'a str,
    event_indexes: &'a [usize],
    lints: &'a [Lint],
    prepared: Prepared,
    record: RequestRecord,
}

/// A request sent as it is: a body pasted or captured (cURL, HAR), not built by the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRequest {
    /// What the history names it by, in place of a mapping.
    pub name: String,
    pub url: String,
    /// The exact text sent.
    pub body: String,
    /// The same, parsed (the history keeps it as JSON).
    pub value: serde_json::Value,
    /// How many events it carries.
    pub events: usize,
}

/// Bodies up to this size are kept whole in history. A larger one (a batch) keeps its first event
/// and a digest of the whole (events, bytes, SHA-256): a 1,000-event batch is about 1 MB, and
/// keeping it whole on every attempt would rotate a replay's history away before it ends.
pub const MAX_KEPT_BODY_BYTES: usize = 64 << 10;

/// The SHA-256 of a request's body as sent, lowercase hex.
pub fn body_sha256(request: &Request) -> String {
    digest(&request.body.to_json_bytes())
}

fn digest(bytes: &[u8]) -> String {
    crate::identity::sha256_hex(std::str::from_utf8(bytes).expect("JSON is UTF-8"))
}

/// The request as history keeps it: headers as built (the token masked), body as JSON, and the
/// digest of the body as sent (what `replay --resume` compares).
pub fn request_record(request: &Request) -> RequestRecord {
    let bytes = request.body.to_json_bytes();
    let sha256 = digest(&bytes);
    let (body, abridged) = if bytes.len() <= MAX_KEPT_BODY_BYTES {
        (request.body.to_value(), None)
    } else {
        let abridged =
            Abridged { events: request.body.events().len(), bytes: bytes.len(), sha256: sha256.clone() };
        (request.body.with_first_events(1).to_value(), Some(abridged))
    };
    RequestRecord {
        url: request.url.clone(),
        method: request.method.to_string(),
        headers: request.headers.clone(),
        body,
        abridged,
        sha256: Some(sha256),
    }
}
