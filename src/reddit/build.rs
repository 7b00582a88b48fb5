//! Builds one Reddit event from a validated Segment action payload — for v2.0 exactly as
//! Segment's destination code does (key order included), for v3 per spec §2 — hashing every
//! identifier under the workspace's profile and keeping each one's provenance.

use serde::Serialize;
use serde_json::{Map, Value};

use super::lint::{self, Lint};
use super::settings::{ApiVersion, Settings};
use crate::identity::{self, Hashed, IdentifierField, IdentityError, Profile};
use crate::timestamp::{self, Parsed};

/// One hashed identifier of a built event, with where it sits in the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identifier {
    /// Path in the event, e.g. `user.email` or `event_metadata.conversion_id`.
    pub path: String,
    #[serde(flatten)]
    pub hashed: Hashed,
}

/// A built event.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltEvent {
    /// The event object as it goes into `events[]`.
    pub body: Value,
    /// Provenance of every hashed value (empty unless explanations were asked for).
    pub identifiers: Vec<Identifier>,
    /// Findings, paths relative to the event.
    pub lints: Vec<Lint>,
}

/// An event that cannot be built (what Segment refuses); names the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Refusal {
    pub field: String,
    pub message: String,
}

/// Inputs of the builder besides the payload.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub settings: &'a Settings,
    /// "Now", for the age lints.
    pub now_ms: i64,
    /// Record the provenance of every hashed value (slower; for people, not for bulk).
    pub explain: bool,
}

struct Builder<'a> {
    ctx: Context<'a>,
    identifiers: Vec<Identifier>,
    lints: Vec<Lint>,
}

/// JavaScript's `clean`: missing, null or "" → nothing; otherwise the trimmed string.
fn clean(v: Option<&Value>) -> Option<Value> {
    match v? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(Value::String(identity::js::trim(s).to_string())),
        Value::Null => None,
        other => Some(other.clone()),
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_string(), v);
    }
}

fn js_truthy(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !crate::mapping::js_falsy(v))
}

impl Builder<'_> {
    fn profile(&self) -> Profile {
        self.ctx.settings.profile
    }

    /// Segment's `smartHash`: missing → nothing; otherwise normalized and hashed.
    fn hash(&mut self, field: IdentifierField, path: &str, raw: Option<&Value>) -> Result<Option<Value>, Refusal> {
        let Some(raw) = raw.and_then(Value::as_str) else {
            return Ok(None);
        };
        let refuse = |e: IdentityError| Refusal { field: path.to_string(), message: e.to_string() };
        let hash = if self.ctx.explain {
            let hashed = identity::hash_identifier(field, self.profile(), raw).map_err(refuse)?;
            let hash = hashed.hash.clone();
            self.identifiers.push(Identifier { path: path.to_string(), hashed });
            hash
        } else {
            identity::hash_value(field, self.profile(), raw).map_err(refuse)?
        };
        Ok(Some(Value::String(hash)))
    }

    fn metadata(&mut self, payload: &Map<String, Value>, version: ApiVersion, tracking: &str) -> Result<Option<Value>, Refusal> {
        let metadata = payload.get("event_metadata");
        let products = payload.get("products");
        let conversion_id = payload.get("conversion_id");
        if !js_truthy(metadata) && !js_truthy(products) && !js_truthy(conversion_id) {
            return Ok(None);
        }
        let meta = metadata.and_then(Value::as_object);
        let get = |k: &str| meta.and_then(|m| m.get(k));
        let (name, value_key) = match version {
            ApiVersion::V2 => ("event_metadata", "value_decimal"),
            ApiVersion::V3 => ("metadata", "value"),
        };
        let mut out = Map::new();
        let keep = |key: &str, out: &mut Map<String, Value>, v: Option<Value>, lints: &mut Vec<Lint>| {
            if version == ApiVersion::V3 && v.is_some() && lint::metadata_ignored(tracking, key) {
                lints.push(
                    Lint::warning(format!("{name}.{key}"), format!("dropped: v3 does not take {key} on {tracking} events"))
                        .hint("Remove the mapping, or use an event type that carries it."),
                );
                return;
            }
            put(out, key, v);
        };
        keep("currency", &mut out, clean(get("currency")), &mut self.lints);
        keep("item_count", &mut out, get("item_count").filter(|v| !v.is_null()).cloned(), &mut self.lints);
        keep(value_key, &mut out, get("value_decimal").filter(|v| !v.is_null()).cloned(), &mut self.lints);
        if let Some(items) = products.and_then(Value::as_array) {
            let list = items.iter().map(|p| product(p, version)).collect();
            out.insert("products".into(), Value::Array(list));
        }
        let path = format!("{name}.conversion_id");
        put(&mut out, "conversion_id", self.hash(IdentifierField::ConversionId, &path, conversion_id)?);
        Ok(Some(Value::Object(out)))
    }

    fn user(&mut self, payload: &Map<String, Value>) -> Result<Option<Value>, Refusal> {
        let Some(user) = payload.get("user").filter(|u| js_truthy(Some(u))).and_then(Value::as_object) else {
            return Ok(None);
        };
        let mut out = Map::new();
        let device = user.get("device_type").and_then(Value::as_str).unwrap_or("");
        let ad_id = user.get("advertising_id").filter(|v| js_truthy(Some(v)));
        if !device.is_empty() && ad_id.is_some() {
            let is_ios = match self.profile() {
                Profile::Segment => device == "ios",
                Profile::Reddit => device.trim().eq_ignore_ascii_case("ios"),
            };
            if self.profile() == Profile::Segment && !is_ios && device.trim().eq_ignore_ascii_case("ios") {
                self.lints.push(
                    Lint::warning("user.aaid", format!("device type {device:?} is not exactly \"ios\": Segment sends this iOS advertising id as aaid"))
                        .hint("Send context.device.type as lowercase \"ios\", or use the Reddit profile."),
                );
            }
            let (key, field) = if is_ios { ("idfa", IdentifierField::Idfa) } else { ("aaid", IdentifierField::Aaid) };
            put(&mut out, key, self.hash(field, &format!("user.{key}"), ad_id)?);
        }
        put(&mut out, "email", self.hash(IdentifierField::Email, "user.email", user.get("email"))?);
        put(&mut out, "external_id", self.hash(IdentifierField::ExternalId, "user.external_id", user.get("external_id"))?);
        put(&mut out, "ip_address", self.hash(IdentifierField::IpAddress, "user.ip_address", user.get("ip_address"))?);
        put(&mut out, "user_agent", clean(user.get("user_agent")));
        put(&mut out, "uuid", clean(user.get("uuid")));
        if let Some(dpo) = payload.get("data_processing_options").filter(|v| js_truthy(Some(v))) {
            let mut d = Map::new();
            put(&mut d, "country", clean(dpo.get("country")));
            if let Some(modes) = dpo.get("modes").and_then(Value::as_str) {
                let list = modes.split(',').map(|m| Value::String(identity::js::trim(m).to_string())).collect();
                d.insert("modes".into(), Value::Array(list));
            }
            put(&mut d, "region", clean(dpo.get("region")));
            out.insert("data_processing_options".into(), Value::Object(d));
        }
        if let Some(screen) = payload.get("screen_dimensions") {
            if let (Some(h), Some(w)) = (screen.get("height"), screen.get("width")) {
                out.insert("screen_dimensions".into(), serde_json::json!({"height": h, "width": w}));
            }
        }
        put(&mut out, "phone_number", self.hash(IdentifierField::Phone, "user.phone_number", user.get("phone_number"))?);
        Ok(Some(Value::Object(out)))
    }
}

fn product(p: &Value, version: ApiVersion) -> Value {
    let mut out = Map::new();
    match version {
        ApiVersion::V2 => {
            put(&mut out, "category", clean(p.get("category")));
            put(&mut out, "id", clean(p.get("id")));
            put(&mut out, "name", clean(p.get("name")));
        }
        ApiVersion::V3 => {
            put(&mut out, "id", clean(p.get("id")));
            put(&mut out, "name", clean(p.get("name")));
            put(&mut out, "category", clean(p.get("category")));
            put(&mut out, "quantity", p.get("quantity").filter(|v| !v.is_null()).cloned());
            put(&mut out, "item_price", p.get("item_price").filter(|v| !v.is_null()).cloned());
        }
    }
    Value::Object(out)
}

/// `PageVisit` → `PAGE_VISIT`.
pub fn upper_snake(tracking_type: &str) -> String {
    let mut out = String::with_capacity(tracking_type.len() + 4);
    for (i, c) in tracking_type.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// Builds one event from a validated payload.
pub fn build_event(payload: &Map<String, Value>, ctx: Context<'_>) -> Result<BuiltEvent, Refusal> {
    let version = ctx.settings.api_version;
    let mut b = Builder { ctx, identifiers: Vec::new(), lints: Vec::new() };
    let custom_name = payload.get("custom_event_name").filter(|v| js_truthy(Some(v)));
    let tracking_type = if custom_name.is_some() {
        "Custom".to_string()
    } else {
        payload.get("tracking_type").and_then(Value::as_str).unwrap_or("").to_string()
    };
    let mut event_type = Map::new();
    let mut event = Map::new();
    match version {
        ApiVersion::V2 => {
            event_type.insert("tracking_type".into(), Value::String(tracking_type.clone()));
            put(&mut event_type, "custom_event_name", clean(custom_name));
            event.insert("event_at".into(), payload.get("event_at").cloned().unwrap_or(Value::Null));
            event.insert("event_type".into(), Value::Object(event_type));
            put(&mut event, "click_id", clean(payload.get("click_id")));
            put(&mut event, "event_metadata", b.metadata(payload, version, &tracking_type)?);
        }
        ApiVersion::V3 => {
            let upper = upper_snake(&tracking_type);
            event_type.insert("tracking_type".into(), Value::String(upper.clone()));
            put(&mut event_type, "custom_event_name", clean(custom_name));
            let raw_at = payload.get("event_at").cloned().unwrap_or(Value::Null);
            let at = match timestamp::parse_json(&raw_at) {
                Some(Parsed::Calendar(ms) | Parsed::EpochMillis(ms)) => Value::from(ms),
                Some(Parsed::EpochSeconds(_)) => {
                    b.lints.push(
                        Lint::error("event_at", format!("{raw_at} looks like epoch seconds; v3 takes epoch milliseconds"))
                            .hint("Multiply by 1000, or send an ISO-8601 timestamp."),
                    );
                    raw_at
                }
                None => {
                    b.lints.push(Lint::error("event_at", format!("{raw_at} is not a timestamp v3 understands")));
                    raw_at
                }
            };
            event.insert("event_at".into(), at);
            put(&mut event, "action_source", clean(payload.get("action_source")));
            put(&mut event, "event_source_url", clean(payload.get("event_source_url")));
            put(&mut event, "click_id", clean(payload.get("click_id")));
            event.insert("type".into(), Value::Object(event_type));
            put(&mut event, "metadata", b.metadata(payload, version, &upper)?);
        }
    }
    put(&mut event, "user", b.user(payload)?);
    let body = Value::Object(event);
    let mut lints = b.lints;
    lints.extend(lint::check_event(&body, version, ctx.now_ms));
    Ok(BuiltEvent { body, identifiers: b.identifiers, lints })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(payload: Value, settings: &Settings) -> Result<BuiltEvent, Refusal> {
        let ctx = Context { settings, now_ms: 1_704_721_970_212, explain: true };
        build_event(payload.as_object().unwrap(), ctx)
    }

    /// Spec §9's worked example, as a resolved and validated payload.
    fn worked_example() -> Value {
        json!({
            "event_at": "2024-01-08T13:52:50.212Z",
            "custom_event_name": "Some Custom Event Name",
            "click_id": "click_id_1",
            "conversion_id": "test-message-id-contact",
            "event_metadata": {"currency": "USD", "item_count": 10, "value_decimal": 100},
            "products": [{"category": "category_1", "id": "product_id_1", "name": "name_1"}],
            "user": {"advertising_id": "advertising_id_1", "email": "test@test.com", "external_id": "user_id_1",
                     "ip_address": "111.111.111.111", "user_agent": "test-user-agent", "uuid": "uuid_1",
                     "phone_number": "1-650-555   - 1212 x450"}
        })
    }

    #[test]
    fn spec_worked_example_v2() {
        let s = Settings { pixel_id: "p".into(), test_mode: false, ..Settings::default() };
        let built = build(worked_example(), &s).unwrap();
        let want = json!({
            "event_at": "2024-01-08T13:52:50.212Z",
            "event_type": {"tracking_type": "Custom", "custom_event_name": "Some Custom Event Name"},
            "click_id": "click_id_1",
            "event_metadata": {"currency": "USD", "item_count": 10, "value_decimal": 100,
                "products": [{"category": "category_1", "id": "product_id_1", "name": "name_1"}],
                "conversion_id": "5184171f53a0fd17f59ea50fac8e11d9eb589ed0692920ee4f52a357112e6802"},
            "user": {"email": "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a",
                     "external_id": "3482ae91c8ec52c06e19d618d400b3985814bf705e00947a302ec849a6575c4c",
                     "ip_address": "5feaf188de296cd3b17f7c66fd3a2aec9b694815f2b1180631f7b52f57029777",
                     "user_agent": "test-user-agent", "uuid": "uuid_1",
                     "phone_number": "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"}
        });
        assert_eq!(built.body, want);
        // Key order is Segment's.
        assert_eq!(serde_json::to_string(&built.body).unwrap(), serde_json::to_string(&want).unwrap());
        let paths: Vec<&str> = built.identifiers.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, ["event_metadata.conversion_id", "user.email", "user.external_id", "user.ip_address", "user.phone_number"]);
    }

    #[test]
    fn v3_shape_and_conversions() {
        let s = Settings { pixel_id: "p".into(), api_version: ApiVersion::V3, test_id: Some("t".into()), ..Settings::default() };
        let mut p = worked_example();
        p["event_at"] = json!("2024-01-08T18:52:50.212+05:00");
        p["action_source"] = json!("WEBSITE");
        p["event_source_url"] = json!("https://shop.example/checkout");
        p["products"] = json!([{"id": "sku", "name": "n", "category": "c", "quantity": 2, "item_price": 5.5}]);
        p["user"]["uuid"] = json!("7c6a1e5a-aaaa-4bbb-8ccc-123456789012");
        let built = build(p, &s).unwrap();
        let e = &built.body;
        assert_eq!(e["event_at"], 1_704_721_970_212_i64);
        assert_eq!(e["action_source"], "WEBSITE");
        assert_eq!(e["type"], json!({"tracking_type": "CUSTOM", "custom_event_name": "Some Custom Event Name"}));
        assert_eq!(e["metadata"]["value"], 100);
        assert_eq!(e["metadata"]["products"], json!([{"id": "sku", "name": "n", "category": "c", "quantity": 2, "item_price": 5.5}]));
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["event_at", "action_source", "event_source_url", "click_id", "type", "metadata", "user"]);
        assert!(built.lints.is_empty(), "{:?}", built.lints);
    }

    #[test]
    fn v3_drops_metadata_the_event_type_ignores() {
        let s = Settings { api_version: ApiVersion::V3, ..Settings::default() };
        let built = build(json!({"event_at": "2024-01-08", "tracking_type": "PageVisit", "action_source": "WEBSITE",
            "event_metadata": {"currency": "USD", "item_count": 1, "value_decimal": 3}, "user": {"email": "a@b.c"}}), &s).unwrap();
        assert_eq!(built.body["type"]["tracking_type"], "PAGE_VISIT");
        assert_eq!(built.body["metadata"], json!({}));
        assert_eq!(built.lints.iter().filter(|l| l.message.starts_with("dropped")).count(), 3);
    }

    #[test]
    fn v3_epoch_seconds_is_an_error() {
        let s = Settings { api_version: ApiVersion::V3, ..Settings::default() };
        let built = build(json!({"event_at": 1_704_721_970, "tracking_type": "Lead", "action_source": "APP", "user": {"external_id": "u"}}), &s).unwrap();
        assert!(built.lints.iter().any(|l| l.field == "event_at" && l.level == lint::Level::Error));
    }

    #[test]
    fn email_without_at_is_refused_in_the_segment_profile_only() {
        let p = json!({"event_at": "2024-01-08", "tracking_type": "Lead", "user": {"email": "nobody"}});
        let err = build(p.clone(), &Settings::default()).unwrap_err();
        assert_eq!(err.field, "user.email");
        let reddit = Settings { profile: Profile::Reddit, ..Settings::default() };
        assert!(build(p, &reddit).is_ok());
    }

    #[test]
    fn advertising_id_goes_to_idfa_only_for_exactly_ios_in_segment() {
        let p = json!({"event_at": "2024-01-08", "tracking_type": "Lead", "user": {"advertising_id": "EA7583CD-A667-48BC-B806-42ECB2B48606", "device_type": "iOS"}});
        let seg = build(p.clone(), &Settings::default()).unwrap();
        assert!(seg.body["user"].get("aaid").is_some());
        assert!(seg.lints.iter().any(|l| l.field == "user.aaid"));
        let red = build(p, &Settings { profile: Profile::Reddit, ..Settings::default() }).unwrap();
        assert!(red.body["user"].get("idfa").is_some());
    }

    #[test]
    fn upper_snake_names() {
        assert_eq!(upper_snake("AddToWishlist"), "ADD_TO_WISHLIST");
        assert_eq!(upper_snake("PageVisit"), "PAGE_VISIT");
        assert_eq!(upper_snake("Custom"), "CUSTOM");
    }
}
