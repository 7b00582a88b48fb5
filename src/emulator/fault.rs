//! Faults the emulator injects into the next API requests (FIFO): an error status, a delay, or a
//! dropped connection. Queued from Rust ([`crate::emulator::Emulator::queue_fault`]) or over HTTP
//! (`POST /_emulator/faults`). Behind the queue, [`RandomFaults`] inject faults at given rates
//! from a seeded generator, for soak runs.

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

/// Faults drawn at random for the API requests the FIFO queue leaves alone: each rule applies
/// with its probability, from a seeded generator, so the same seed and the same order of requests
/// give the same faults. Set from Rust ([`crate::emulator::Emulator::set_random_faults`]) or over
/// HTTP (`PUT /_emulator/faults/random`).
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    pub seed: u64,
    /// What to inject and how often: probabilities in [0, 1] whose sum is at most 1.
    pub rules: Vec<(FaultKind, f64)>,
}

impl RandomFaults {
    /// No rules yet, drawing from `seed`.
    pub fn seeded(seed: u64) -> RandomFaults {
        RandomFaults { seed, rules: Vec::new() }
    }

    /// Adds a rule: `fault`'s kind (its count is ignored) with probability `rate`.
    pub fn with(mut self, fault: Fault, rate: f64) -> RandomFaults {
        self.rules.push((fault.kind, rate));
        self
    }

    /// Parses `{"seed"?: 0, "faults": [{"status": 500, "rate": 0.1}, {"drop": true, "rate": 0.02}, …]}`;
    /// each fault takes the fields of [`Fault::from_json`] except `count`, plus its `rate`.
    pub fn from_json(value: &Value) -> Result<RandomFaults, String> {
        let Value::Object(map) = value else {
            return Err("random faults must be a JSON object".into());
        };
        if let Some(k) = map.keys().find(|k| !["seed", "faults"].contains(&k.as_str())) {
            return Err(format!("unknown random faults field {k:?}"));
        }
        let seed = match map.get("seed") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_u64().ok_or("seed must be a non-negative integer")?,
        };
        let Some(Value::Array(list)) = map.get("faults") else {
            return Err("faults must be an array".into());
        };
        let mut out = RandomFaults::seeded(seed);
        for (i, item) in list.iter().enumerate() {
            let mut item = item.as_object().ok_or_else(|| format!("faults[{i}]: must be an object"))?.clone();
            if item.contains_key("count") {
                return Err(format!("faults[{i}]: a random fault takes a rate, not a count"));
            }
            let rate = item.remove("rate").and_then(|r| r.as_f64()).filter(|r| (0.0..=1.0).contains(r));
            let rate = rate.ok_or_else(|| format!("faults[{i}]: rate must be a number in 0..=1"))?;
            let fault = Fault::from_json(&Value::Object(item)).map_err(|e| format!("faults[{i}]: {e}"))?;
            out.rules.push((fault.kind, rate));
        }
        let total: f64 = out.rules.iter().map(|(_, r)| r).sum();
        if total > 1.0 + 1e-9 {
            return Err(format!("the rates add up to {total}, more than 1"));
        }
        Ok(out)
    }

    /// The rules as JSON (the form [`RandomFaults::from_json`] reads).
    pub fn to_json(&self) -> Value {
        let faults: Vec<Value> = self
            .rules
            .iter()
            .map(|(kind, rate)| {
                let mut v = Fault { kind: kind.clone(), count: 1 }.to_json();
                v.as_object_mut().expect("an object").remove("count");
                v["rate"] = json!(rate);
                v
            })
            .collect();
        json!({ "seed": self.seed, "faults": faults })
    }
}

/// Draws from [`RandomFaults`]: splitmix64 from the seed, one number per API request.
#[derive(Debug)]
pub(crate) struct Dice {
    faults: RandomFaults,
    stream: crate::random::SplitMix64,
}

impl Dice {
    pub(super) fn new(faults: RandomFaults) -> Dice {
        let stream = crate::random::SplitMix64::new(faults.seed);
        Dice { faults, stream }
    }

    pub(super) fn faults(&self) -> &RandomFaults {
        &self.faults
    }

    /// The fault for the next request, if the draw picks one.
    pub(super) fn roll(&mut self) -> Option<FaultKind> {
        let mut u = crate::random::to_unit(self.stream.next_u64());
        for (kind, rate) in &self.faults.rules {
            if u < *rate {
                return Some(kind.clone());
            }
            u -= rate;
        }
        None
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

    #[test]
    fn random_faults_parse_and_round_trip() {
        let v = json!({"seed": 7, "faults": [{"status": 500, "rate": 0.1},
            {"status": 429, "retry_after": 1, "rate": 0.02}, {"drop": true, "rate": 0.02}]});
        let r = RandomFaults::from_json(&v).unwrap();
        assert_eq!(
            r,
            RandomFaults::seeded(7)
                .with(Fault::status(500), 0.1)
                .with(Fault::status(429).retry_after(1), 0.02)
                .with(Fault::drop_connection(), 0.02)
        );
        assert_eq!(r.to_json(), v);
        assert_eq!(RandomFaults::from_json(&json!({"faults": []})).unwrap(), RandomFaults::seeded(0));
        for bad in [
            json!([]),
            json!({}),
            json!({"faults": [{"status": 500}]}),
            json!({"faults": [{"status": 500, "rate": 1.5}]}),
            json!({"faults": [{"status": 500, "rate": 0.1, "count": 2}]}),
            json!({"faults": [{"status": 500, "rate": 0.6}, {"drop": true, "rate": 0.6}]}),
            json!({"faults": [{"rate": 0.1}]}),
            json!({"seed": -1, "faults": []}),
            json!({"faults": [], "colour": "red"}),
        ] {
            assert!(RandomFaults::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dice_are_seeded_and_keep_their_rates() {
        let faults = RandomFaults::seeded(42)
            .with(Fault::status(500), 0.10)
            .with(Fault::status(429).retry_after(1), 0.02)
            .with(Fault::drop_connection(), 0.02);
        let draws = |seed: u64| {
            let mut dice = Dice::new(RandomFaults { seed, ..faults.clone() });
            (0..100_000).map(|_| dice.roll()).collect::<Vec<_>>()
        };
        let a = draws(42);
        assert_eq!(a, draws(42), "the same seed gives the same faults");
        assert_ne!(a, draws(43));
        let count = |k: &FaultKind| a.iter().filter(|d| d.as_ref() == Some(k)).count();
        let (s500, s429, drop) = (
            count(&FaultKind::Status { status: 500, retry_after: None, body: None }),
            count(&FaultKind::Status { status: 429, retry_after: Some(1), body: None }),
            count(&FaultKind::Drop),
        );
        assert!((9_500..10_500).contains(&s500), "{s500}");
        assert!((1_700..2_300).contains(&s429), "{s429}");
        assert!((1_700..2_300).contains(&drop), "{drop}");
        assert_eq!(s500 + s429 + drop + a.iter().filter(|d| d.is_none()).count(), 100_000);
        let mut never = Dice::new(RandomFaults::seeded(1));
        assert!((0..1000).all(|_| never.roll().is_none()));
        let mut always = Dice::new(RandomFaults::seeded(1).with(Fault::status(503), 1.0));
        assert!((0..1000).all(|_| always.roll().is_some()));
    }
}
