//! What a Conversions API response means (spec §8), in plain language, with Reddit's own
//! field errors (v2 `invalid_events[].error_message`, v3 `error.fields[]`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of outcome of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 200: Reddit took the events.
    Accepted,
    /// 400 with invalid events: nothing was processed.
    InvalidEvents,
    /// Another 400 (more than 1,000 events, malformed JSON).
    BadRequest,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 413.
    TooLarge,
    /// 429.
    RateLimited,
    /// 5xx.
    ServerError,
    /// Another status.
    UnexpectedStatus,
    /// No response in time.
    Timeout,
    /// The connection failed or closed without a response.
    ConnectionFailed,
    /// The user cancelled.
    Cancelled,
}

/// One field error Reddit reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// A JSON path (`$.data.events[0].user.uuid`) or, for v2, the event's index (`events[0]`).
    pub field: String,
    pub message: String,
}

/// A classified outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Reddit's message (or the transport error).
    pub message: String,
    /// What it means and what to do, for people.
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
}

impl Outcome {
    /// Whether Reddit accepted the request.
    pub fn accepted(&self) -> bool {
        self.kind == Kind::Accepted
    }

    /// An outcome without a response.
    pub fn transport(kind: Kind, message: impl Into<String>) -> Outcome {
        let explanation = match kind {
            Kind::Timeout => {
                "No answer in time. The request may or may not have been processed; sending it again is safe because Reddit deduplicates on conversion_id."
            }
            Kind::Cancelled => "Cancelled before an answer came back.",
            _ => {
                "Could not reach the endpoint, or it closed the connection without answering. Check the network and proxy settings."
            }
        };
        Outcome {
            kind,
            status: None,
            message: message.into(),
            explanation: explanation.into(),
            field_errors: Vec::new(),
        }
    }
}

/// Reddit's message in a v2 (`message`, or a decode refusal's `error.explanation`) or v3
/// (`error.message` / `data.message`) body.
fn message_of(body: &Value) -> Option<String> {
    body.get("message")
        .or_else(|| body.get("error").and_then(|e| e.get("message").or_else(|| e.get("explanation"))))
        .or_else(|| body.get("data").and_then(|d| d.get("message")))
        .or_else(|| body.get("error").filter(|e| e.is_string()))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn field_errors(body: &Value) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let Some(invalid) = body.get("invalid_events").and_then(Value::as_array) {
        for (i, e) in invalid.iter().enumerate() {
            let message = e.get("error_message").and_then(Value::as_str).unwrap_or("invalid event");
            out.push(FieldError { field: format!("events[{i}]"), message: message.to_string() });
        }
    }
    if let Some(fields) = body.get("error").and_then(|e| e.get("fields")).and_then(Value::as_array) {
        for f in fields {
            out.push(FieldError {
                field: f.get("field").and_then(Value::as_str).unwrap_or("").to_string(),
                message: f.get("message").and_then(Value::as_str).unwrap_or("").to_string(),
            });
        }
    }
    out
}

impl Outcome {
    /// The outcome told as the local emulator's: it follows Reddit's rules, but it is not Reddit,
    /// and nothing it accepts reaches Events Manager.
    pub fn from_emulator(mut self) -> Outcome {
        if self.status.is_none() {
            return self;
        }
        self.explanation = match self.kind {
            Kind::Accepted => {
                "The local emulator accepted it, following Reddit's rules. Nothing reached Reddit: \
                 switch the endpoint to Reddit (test mode on) to see it in Events Manager."
                    .into()
            }
            Kind::InvalidEvents => {
                "The local emulator rejected the whole request, as Reddit would: one invalid event \
                 means none were processed. Fix each field error and send again."
                    .into()
            }
            _ => format!("The local emulator answered as Reddit would: {}", self.explanation),
        };
        self
    }
}

impl Outcome {
    /// The outcome told as another endpoint's (a URL that is not Reddit: a running `emulate`, a
    /// test server): Reddit's explanations would claim what it cannot, such as an Events Manager
    /// sighting.
    pub fn from_other(mut self, endpoint: &str) -> Outcome {
        if self.status.is_none() {
            return self;
        }
        self.explanation = match self.kind {
            Kind::Accepted => format!(
                "{endpoint} accepted it. It is not Reddit: nothing sent there reaches Events Manager."
            ),
            _ => {
                format!("{endpoint} (not Reddit) answered; from Reddit this would mean: {}", self.explanation)
            }
        };
        self
    }
}

/// Classifies a response.
pub fn classify(status: u16, body: &str) -> Outcome {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = message_of(&json).unwrap_or_else(|| body.trim().chars().take(300).collect());
    let field_errors = field_errors(&json);
    let (kind, explanation) = match status {
        200..=299 => (
            Kind::Accepted,
            "Sent. Find it in Events Manager: test events appear within seconds, others within an hour or so.",
        ),
        400 if !field_errors.is_empty() || message.contains("invalid conversion events") => (
            Kind::InvalidEvents,
            "Reddit rejected the whole request: one invalid event means none were processed. Fix each field error and send again.",
        ),
        400 => (
            Kind::BadRequest,
            "Reddit could not read the request (more than 1,000 events, or a body that is not the API's JSON).",
        ),
        401 => (
            Kind::Unauthorized,
            "The conversion token is missing or wrong. Generate one in Events Manager → Conversions API and paste it in Settings.",
        ),
        403 => (
            Kind::Forbidden,
            "The token does not belong to this Pixel ID, or it is not a Conversions API token (it lacks the adsconversions scope).",
        ),
        408 => (Kind::Timeout, "The server timed out waiting for the request; it is retried."),
        413 => (Kind::TooLarge, "The body is too large: send fewer events per request."),
        429 => (
            Kind::RateLimited,
            "Too many requests or events: back off and honour Retry-After. A default User-Agent also gets rate limited.",
        ),
        500..=599 => (
            Kind::ServerError,
            "Reddit's service is unavailable; no events were processed. It is retried; if it persists, try again later.",
        ),
        _ => (Kind::UnexpectedStatus, "An unexpected status: see the response body."),
    };
    Outcome { kind, status: Some(status), message, explanation: explanation.to_string(), field_errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_emulators_answers_never_claim_reddit_or_events_manager_sightings() {
        let ok =
            classify(200, r#"{"message": "Successfully processed 1 conversion events."}"#).from_emulator();
        assert!(
            ok.explanation.starts_with("The local emulator accepted it")
                && ok.explanation.contains("Nothing reached Reddit")
        );
        let bad = classify(
            400,
            r#"{"message": "invalid conversion events", "invalid_events": [{"error_message": "x"}]}"#,
        )
        .from_emulator();
        assert!(
            bad.explanation.starts_with("The local emulator rejected the whole request"),
            "{}",
            bad.explanation
        );
        assert!(!bad.explanation.starts_with("Reddit"));
        let refused = classify(401, "").from_emulator();
        assert!(refused.explanation.starts_with("The local emulator answered as Reddit would"));
    }

    #[test]
    fn success_in_both_versions() {
        let v2 = classify(200, r#"{"message": "Successfully processed 1 conversion events."}"#);
        assert_eq!(
            (v2.kind, v2.message.as_str()),
            (Kind::Accepted, "Successfully processed 1 conversion events.")
        );
        let v3 = classify(200, r#"{"data": {"message": "Successfully processed 2 conversion events."}}"#);
        assert_eq!(v3.message, "Successfully processed 2 conversion events.");
    }

    #[test]
    fn v2_invalid_events_and_v3_fields() {
        let v2 = classify(
            400,
            r#"{"message": "There were 1 invalid conversion events. None were processed.", "invalid_events": [{"error_message": "event_at timestamp must be less than 168h0m0s old", "event": {}}]}"#,
        );
        assert_eq!(v2.kind, Kind::InvalidEvents);
        assert_eq!(
            v2.field_errors,
            [FieldError {
                field: "events[0]".into(),
                message: "event_at timestamp must be less than 168h0m0s old".into()
            }]
        );
        let v3 = classify(
            400,
            r#"{"error": {"code": 400, "message": "There were 1 invalid conversion events. None were processed.", "fields": [{"field": "$.data.events[0].user.UUID", "message": "must be a valid UUID"}]}}"#,
        );
        assert_eq!(v3.kind, Kind::InvalidEvents);
        assert_eq!(v3.field_errors[0].field, "$.data.events[0].user.UUID");
        assert_eq!(v3.message, "There were 1 invalid conversion events. None were processed.");
    }

    #[test]
    fn every_status_of_the_table() {
        let cases = [
            (400, "Bad Request", Kind::BadRequest),
            (401, "Authorization Required", Kind::Unauthorized),
            (401, r#"{"message": "UNAUTHORIZED"}"#, Kind::Unauthorized),
            (
                403,
                r#"{"message": "You're not authorized to post conversions to Pixel ID a2_x."}"#,
                Kind::Forbidden,
            ),
            (413, "", Kind::TooLarge),
            (429, r#"{"message": "Your user agent was automatically ratelimited."}"#, Kind::RateLimited),
            (
                500,
                r#"{"message": "The service is currently unavailable. No conversion events were processed."}"#,
                Kind::ServerError,
            ),
            (418, "teapot", Kind::UnexpectedStatus),
        ];
        for (status, body, kind) in cases {
            let o = classify(status, body);
            assert_eq!(o.kind, kind, "{status} {body}");
            assert!(!o.explanation.is_empty());
        }
        assert_eq!(classify(401, "Authorization Required").message, "Authorization Required");
        assert_eq!(
            classify(403, r#"{"message": "You're not authorized to post conversions to Pixel ID a2_x."}"#)
                .message,
            "You're not authorized to post conversions to Pixel ID a2_x."
        );
    }
}
