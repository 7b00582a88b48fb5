//! Faults the emulator injects into the next API requests (FIFO): an error status, a delay, or a
//! dropped connection. Queued from Rust ([`crate::emulator::Emulator::queue_fault`]) or over HTTP
//! (`POST /_emulator/faults`).

use std::time::Duration;

use serde_json::{Map, Value, json};

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Reply with `status` (200..=599), an optional `Retry-After` (seconds) and an optional body
    /// (a JSON string is sent as plain text; otherwise the version's default message for the status).
    Status { status: u16, retry_after: Option<u64>, body: Option<Value> },
    /// Wait, then handle the request normally.
    Delay(Duration),
    /// Close the connection without any response.
    Drop,
}

/// A fault applied to the next `count` API requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// How many API requests it applies to; a fault with count 0 is not queued.
    pub count: u32,
}

impl Fault {
    /// Reply with `status` once.
    pub fn status(status: u16) -> Fault {
        Fault { kind: FaultKind::Status { status, retry_after: None, body: None }, count: 1 }
    }

    /// Delay one request.
    pub fn delay(delay: Duration) -> Fault {
        Fault { kind: FaultKind::Delay(delay), count: 1 }
    }

    /// Drop one connection.
    pub fn drop_connection() -> Fault {
        Fault { kind: FaultKind::Drop, count: 1 }
    }

    /// Adds `Retry-After` (a status fault only).
    pub fn retry_after(mut self, seconds: u64) -> Fault {
        if let FaultKind::Status { retry_after, .. } = &mut self.kind {
            *retry_after = Some(seconds);
        }
        self
    }

    /// Sets the reply body (a status fault only).
    pub fn with_body(mut self, value: Value) -> Fault {
        if let FaultKind::Status { body, .. } = &mut self.kind {
            *body = Some(value);
        }
        self
    }

    /// Applies to the next `count` requests.
    pub fn times(mut self, count: u32) -> Fault {
        self.count = count;
        self
    }

    /// Parses `{"status": 429, "retry_after"?: 2, "body"?: …, "count"?: 1}`,
    /// `{"delay_ms": 1500, "count"?: 1}` or `{"drop": true, "count"?: 1}`.
    pub fn from_json(value: &Value) -> Result<Fault, String> {
        let Value::Object(map) = value else {
            return Err("a fault must be a JSON object".into());
        };
        let allowed = ["status", "retry_after", "body", "delay_ms", "drop", "count"];
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(format!("unknown fault field {k:?}"));
        }
        let uint = |map: &Map<String, Value>, key: &str| -> Result<Option<u64>, String> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => {
                    v.as_u64().map(Some).ok_or_else(|| format!("{key} must be a non-negative integer"))
                }
            }
        };
        let count = match uint(map, "count")? {
            None => 1,
            Some(0) => return Err("count must be at least 1".into()),
            Some(n) => u32::try_from(n).map_err(|_| "count is too large".to_string())?,
        };
        let status = uint(map, "status")?;
        let delay = uint(map, "delay_ms")?;
        let drop = match map.get("drop") {
            None | Some(Value::Null | Value::Bool(false)) => false,
            Some(Value::Bool(true)) => true,
            Some(_) => return Err("drop must be a boolean".into()),
        };
        let kind = match (status, delay, drop) {
            (Some(status), None, false) => {
                if !(200..=599).contains(&status) {
                    return Err(format!("status {status} is not in 200..=599"));
                }
                FaultKind::Status {
                    status: status as u16,
                    retry_after: uint(map, "retry_after")?,
                    body: map.get("body").filter(|b| !b.is_null()).cloned(),
                }
            }
            (None, Some(ms), false) => FaultKind::Delay(Duration::from_millis(ms)),
            (None, None, true) => FaultKind::Drop,
            (None, None, false) => return Err("a fault needs one of status, delay_ms or drop".into()),
            _ => return Err("a fault takes only one of status, delay_ms or drop".into()),
        };
        if !matches!(kind, FaultKind::Status { .. })
            && (map.contains_key("retry_after") || map.contains_key("body"))
        {
            return Err("retry_after and body apply to status faults only".into());
        }
        Ok(Fault { kind, count })
    }

    /// The fault as JSON (the form [`Fault::from_json`] reads).
    pub fn to_json(&self) -> Value {
        let mut v = match &self.kind {
            FaultKind::Status { status, retry_after, body } => {
                let mut v = json!({ "status": status });
                if let Some(r) = retry_after {
                    v["retry_after"] = json!(r);
                }
                if let Some(b) = body {
                    v["body"] = b.clone();
                }
                v
            }
            FaultKind::Delay(d) => json!({ "delay_ms": d.as_millis() as u64 }),
            FaultKind::Drop => json!({ "drop": true }),
        };
        v["count"] = json!(self.count);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_kinds() {
        let f = Fault::from_json(&json!({"status": 429, "retry_after": 2, "body": {"m": 1}, "count": 3}))
            .unwrap();
        assert_eq!(f, Fault::status(429).retry_after(2).with_body(json!({"m": 1})).times(3));
        assert_eq!(
            Fault::from_json(&json!({"delay_ms": 1500})).unwrap(),
            Fault::delay(Duration::from_millis(1500))
        );
        assert_eq!(
            Fault::from_json(&json!({"drop": true, "count": 2})).unwrap(),
            Fault::drop_connection().times(2)
        );
        for f in [
            Fault::status(500).retry_after(1),
            Fault::delay(Duration::from_millis(5)),
            Fault::drop_connection(),
        ] {
            assert_eq!(Fault::from_json(&f.to_json()).unwrap(), f);
        }
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            json!([]),
            json!({}),
            json!({"status": 99}),
            json!({"status": 429, "drop": true}),
            json!({"status": 429, "count": 0}),
            json!({"delay_ms": -1}),
            json!({"drop": "yes"}),
            json!({"drop": true, "retry_after": 1}),
            json!({"status": 500, "colour": "red"}),
        ] {
            assert!(Fault::from_json(&bad).is_err(), "{bad}");
        }
    }
}
