//! Builds one Reddit event from a validated Segment action payload — for v2.0 exactly as
//! Segment's destination code does (key order included), for v3 per spec §2 — hashing every
//! identifier under the workspace's profile and keeping each one's provenance.

use serde::Serialize;
use serde_json::Value;

use super::lint::{self, Lint};
use super::settings::{ApiVersion, Settings};
use super::wire::{
    DataProcessingOptions, RedditEvent, RedditEventType, ScreenDimensions, User, V2Event, V2Metadata,
    V2Product, V3Event, V3Metadata, V3Product,
};
use crate::identity::{self, Hashed, IdentifierField, IdentityError, Profile};
use crate::mapping::resolved::{Resolved, field};
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
    /// The event as it goes into `events[]`.
    pub body: RedditEvent,
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
fn clean(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(identity::js::trim(s).to_string()),
        Value::Null => None,
        other => Some(crate::mapping::js_string(other)),
    }
}

/// A number field as given (null is absent).
fn number(v: Option<&Value>) -> Option<Value> {
    v.filter(|v| !v.is_null()).cloned()
}

fn js_truthy(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !crate::mapping::js_falsy(v))
}

/// The metadata fields shared by v2 and v3 before they take their version's names.
struct Metadata<'f, 'a> {
    currency: Option<String>,
    item_count: Option<Value>,
    value: Option<Value>,
    products: Option<&'f [Resolved<'a>]>,
    conversion_id: Option<String>,
}

impl Builder<'_> {
    fn profile(&self) -> Profile {
        self.ctx.settings.profile
    }

    /// Segment's `smartHash`: missing → nothing; otherwise normalized and hashed.
    fn hash(
        &mut self,
        field: IdentifierField,
        path: &dyn Fn() -> String,
        raw: Option<&Value>,
    ) -> Result<Option<String>, Refusal> {
        let Some(raw) = raw.and_then(Value::as_str) else {
            return Ok(None);
        };
        let refuse = |e: IdentityError| Refusal { field: path(), message: e.to_string() };
        if self.ctx.explain {
            let hashed = identity::hash_identifier(field, self.profile(), raw).map_err(refuse)?;
            let hash = hashed.hash.clone();
            self.identifiers.push(Identifier { path: path(), hashed });
            Ok(Some(hash))
        } else {
            identity::hash_value(field, self.profile(), raw).map(Some).map_err(refuse)
        }
    }

    /// Segment's `getMetadata`: nothing when metadata, products and conversion id are all falsy.
    fn metadata<'f, 'a>(
        &mut self,
        payload: &'f [(std::borrow::Cow<'a, str>, Resolved<'a>)],
        name: &str,
    ) -> Result<Option<Metadata<'f, 'a>>, Refusal> {
        let metadata = field(payload, "event_metadata");
        let products = field(payload, "products");
        let conversion_id = val(payload, "conversion_id");
        let truthy = |r: Option<&Resolved<'_>>| r.is_some_and(Resolved::truthy);
        if !truthy(metadata) && !truthy(products) && !js_truthy(conversion_id) {
            return Ok(None);
        }
        let meta = metadata.and_then(Resolved::fields);
        let field = |k: &str| meta.and_then(|m| val(m, k));
        let conversion_id =
            self.hash(IdentifierField::ConversionId, &|| format!("{name}.conversion_id"), conversion_id)?;
        Ok(Some(Metadata {
            currency: clean(field("currency")),
            item_count: number(field("item_count")),
            value: number(field("value_decimal")),
            products: products.and_then(Resolved::items),
            conversion_id,
        }))
    }

    fn user(
        &mut self,
        payload: &[(std::borrow::Cow<'_, str>, Resolved<'_>)],
    ) -> Result<Option<User>, Refusal> {
        let Some(user) = field(payload, "user").and_then(Resolved::fields) else {
            return Ok(None);
        };
        let mut out = User::default();
        let get = val;
        let device = get(user, "device_type").and_then(Value::as_str).unwrap_or("");
        let ad_id = get(user, "advertising_id").filter(|v| js_truthy(Some(v)));
        if !device.is_empty() && ad_id.is_some() {
            let looks_ios = device.trim().eq_ignore_ascii_case("ios");
            let is_ios = match self.profile() {
                Profile::Segment => device == "ios",
                Profile::Reddit => looks_ios,
            };
            if is_ios {
                out.idfa = self.hash(IdentifierField::Idfa, &|| "user.idfa".into(), ad_id)?;
            } else {
                if looks_ios {
                    self.lints.push(
                        Lint::warning("user.aaid", format!("device type {device:?} is not exactly \"ios\": Segment sends this iOS advertising id as aaid"))
                            .hint("Send context.device.type as lowercase \"ios\", or use the Reddit profile."),
                    );
                }
                out.aaid = self.hash(IdentifierField::Aaid, &|| "user.aaid".into(), ad_id)?;
            }
        }
        out.email = self.hash(IdentifierField::Email, &|| "user.email".into(), get(user, "email"))?;
        out.external_id =
            self.hash(IdentifierField::ExternalId, &|| "user.external_id".into(), get(user, "external_id"))?;
        out.ip_address =
            self.hash(IdentifierField::IpAddress, &|| "user.ip_address".into(), get(user, "ip_address"))?;
        out.user_agent = clean(get(user, "user_agent"));
        out.uuid = clean(get(user, "uuid"));
        out.data_processing_options = field(payload, "data_processing_options")
            .and_then(Resolved::fields)
            .map(|dpo| DataProcessingOptions {
                country: clean(val(dpo, "country")),
                modes: val(dpo, "modes")
                    .and_then(Value::as_str)
                    .map(|m| m.split(',').map(|m| identity::js::trim(m).to_string()).collect()),
                region: clean(val(dpo, "region")),
            });
        out.screen_dimensions =
            field(payload, "screen_dimensions").and_then(Resolved::fields).and_then(|screen| {
                Some(ScreenDimensions {
                    height: val(screen, "height")?.clone(),
                    width: val(screen, "width")?.clone(),
                })
            });
        let phone = get(user, "phone_number");
        out.phone_number = self.hash(IdentifierField::Phone, &|| "user.phone_number".into(), phone)?;
        if out.phone_number.is_some()
            && let Some(lint) = phone.and_then(Value::as_str).and_then(lint::check_phone)
        {
            self.lints.push(lint);
        }
        Ok(Some(out))
    }

    /// Drops (with a lint) v3 metadata the event type does not take.
    fn keep_for_v3<T>(&mut self, v: Option<T>, key: &str, tracking: &str) -> Option<T> {
        if v.is_some() && lint::metadata_ignored(tracking, key) {
            self.lints.push(
                Lint::warning(
                    format!("metadata.{key}"),
                    format!("dropped: v3 does not take {key} on {tracking} events"),
                )
                .hint("Remove the mapping, or use an event type that carries it."),
            );
            return None;
        }
        v
    }
}

/// A scalar field of a resolved object.
fn val<'f>(fields: &'f [(std::borrow::Cow<'_, str>, Resolved<'_>)], key: &str) -> Option<&'f Value> {
    field(fields, key).and_then(Resolved::value)
}

fn v2_product(p: &Resolved<'_>) -> V2Product {
    let p = p.fields().unwrap_or_default();
    V2Product { category: clean(val(p, "category")), id: clean(val(p, "id")), name: clean(val(p, "name")) }
}

fn v3_product(p: &Resolved<'_>) -> V3Product {
    let p = p.fields().unwrap_or_default();
    V3Product {
        id: clean(val(p, "id")),
        name: clean(val(p, "name")),
        category: clean(val(p, "category")),
        quantity: number(val(p, "quantity")),
        item_price: number(val(p, "item_price")),
    }
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
pub fn build_event(
    payload: &[(std::borrow::Cow<'_, str>, Resolved<'_>)],
    ctx: Context<'_>,
) -> Result<BuiltEvent, Refusal> {
    let mut b = Builder { ctx, identifiers: Vec::new(), lints: Vec::new() };
    let get = val;
    let custom_name = get(payload, "custom_event_name").filter(|v| js_truthy(Some(v)));
    let tracking_type = match custom_name {
        Some(_) => "Custom",
        None => get(payload, "tracking_type").and_then(Value::as_str).unwrap_or(""),
    };
    let body = match ctx.settings.api_version {
        ApiVersion::V2 => {
            let metadata = b.metadata(payload, "event_metadata")?;
            RedditEvent::V2(V2Event {
                event_at: get(payload, "event_at").cloned().unwrap_or(Value::Null),
                event_type: RedditEventType {
                    tracking_type: tracking_type.to_string(),
                    custom_event_name: clean(custom_name),
                },
                click_id: clean(get(payload, "click_id")),
                event_metadata: metadata.map(|m| V2Metadata {
                    currency: m.currency,
                    item_count: m.item_count,
                    value_decimal: m.value,
                    products: m.products.map(|ps| ps.iter().map(v2_product).collect()),
                    conversion_id: m.conversion_id,
                }),
                user: b.user(payload)?,
            })
        }
        ApiVersion::V3 => {
            let upper = upper_snake(tracking_type);
            let raw_at = get(payload, "event_at").cloned().unwrap_or(Value::Null);
            let event_at = match timestamp::parse_json(&raw_at) {
                Some(Parsed::Calendar(ms) | Parsed::EpochMillis(ms)) => Value::from(ms),
                Some(Parsed::EpochSeconds(_)) => {
                    b.lints.push(
                        Lint::error(
                            "event_at",
                            format!("{raw_at} looks like epoch seconds; v3 takes epoch milliseconds"),
                        )
                        .hint("Multiply by 1000, or send an ISO-8601 timestamp."),
                    );
                    raw_at
                }
                None => {
                    b.lints
                        .push(Lint::error("event_at", format!("{raw_at} is not a timestamp v3 understands")));
                    raw_at
                }
            };
            let metadata = match b.metadata(payload, "metadata")? {
                Some(m) => Some(V3Metadata {
                    currency: b.keep_for_v3(m.currency, "currency", &upper),
                    item_count: b.keep_for_v3(m.item_count, "item_count", &upper),
                    value: b.keep_for_v3(m.value, "value", &upper),
                    products: m.products.map(|ps| ps.iter().map(v3_product).collect()),
                    conversion_id: m.conversion_id,
                }),
                None => None,
            };
            RedditEvent::V3(V3Event {
                event_at,
                action_source: clean(get(payload, "action_source")),
                event_source_url: clean(get(payload, "event_source_url")),
                click_id: clean(get(payload, "click_id")),
                event_type: RedditEventType { tracking_type: upper, custom_event_name: clean(custom_name) },
                metadata,
                user: b.user(payload)?,
            })
        }
    };
    let mut lints = b.lints;
    lints.extend(lint::check_event(&body, ctx.now_ms));
    Ok(BuiltEvent { body, identifiers: b.identifiers, lints })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn build(payload: Value, settings: &Settings) -> Result<BuiltEvent, Refusal> {
        let ctx = Context { settings, now_ms: 1_704_721_970_212, explain: true };
        let resolved = crate::mapping::directive::Directive::compile(&payload, "").unwrap();
        let Some(Resolved::Object(fields)) = resolved.resolve_in(&Value::Null) else { panic!() };
        let mut fields = fields;
        for (_, v) in &mut fields {
            v.expand();
            if let Resolved::Array(items) = v {
                items.iter_mut().for_each(Resolved::expand);
            }
        }
        build_event(&fields, ctx)
    }

    #[test]
    fn a_blank_custom_event_name_sends_an_empty_event_type() {
        // The release (a batch keeps the root ""): `event_type: {}`.
        let s = Settings { pixel_id: "p".into(), test_mode: false, ..Settings::default() };
        let built = build(json!({"event_at": "2024-01-08", "custom_event_name": ""}), &s).unwrap();
        assert_eq!(built.body.to_value()["event_type"], json!({}));
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
        assert_eq!(built.body.to_value(), want);
        // Key order is Segment's.
        assert_eq!(serde_json::to_string(&built.body).unwrap(), serde_json::to_string(&want).unwrap());
        let paths: Vec<&str> = built.identifiers.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "event_metadata.conversion_id",
                "user.email",
                "user.external_id",
                "user.ip_address",
                "user.phone_number"
            ]
        );
    }

    #[test]
    fn v3_shape_and_conversions() {
        let s = Settings {
            pixel_id: "p".into(),
            api_version: ApiVersion::V3,
            test_id: Some("t".into()),
            ..Settings::default()
        };
        let mut p = worked_example();
        p["event_at"] = json!("2024-01-08T18:52:50.212+05:00");
        p["action_source"] = json!("WEBSITE");
        p["event_source_url"] = json!("https://shop.example/checkout");
        p["products"] =
            json!([{"id": "sku", "name": "n", "category": "c", "quantity": 2, "item_price": 5.5}]);
        p["user"]["uuid"] = json!("7c6a1e5a-aaaa-4bbb-8ccc-123456789012");
        let built = build(p, &s).unwrap();
        let e = &built.body.to_value();
        assert_eq!(e["event_at"], 1_704_721_970_212_i64);
        assert_eq!(e["action_source"], "WEBSITE");
        assert_eq!(
            e["type"],
            json!({"tracking_type": "CUSTOM", "custom_event_name": "Some Custom Event Name"})
        );
        assert_eq!(e["metadata"]["value"], 100);
        assert_eq!(
            e["metadata"]["products"],
            json!([{"id": "sku", "name": "n", "category": "c", "quantity": 2, "item_price": 5.5}])
        );
        let keys: Vec<&String> = e.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["event_at", "action_source", "event_source_url", "click_id", "type", "metadata", "user"]
        );
        assert!(built.lints.is_empty(), "{:?}", built.lints);
    }

    #[test]
    fn v3_drops_metadata_the_event_type_ignores() {
        let s = Settings { api_version: ApiVersion::V3, ..Settings::default() };
        let built = build(json!({"event_at": "2024-01-08", "tracking_type": "PageVisit", "action_source": "WEBSITE",
            "event_metadata": {"currency": "USD", "item_count": 1, "value_decimal": 3}, "user": {"email": "a@b.c"}}), &s).unwrap();
        assert_eq!(built.body.to_value()["type"]["tracking_type"], "PAGE_VISIT");
        assert_eq!(built.body.to_value()["metadata"], json!({}));
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
        assert!(seg.body.user().unwrap().aaid.is_some());
        assert!(seg.lints.iter().any(|l| l.field == "user.aaid"));
        let red = build(p, &Settings { profile: Profile::Reddit, ..Settings::default() }).unwrap();
        assert!(red.body.user().unwrap().idfa.is_some());
    }

    #[test]
    fn upper_snake_names() {
        assert_eq!(upper_snake("AddToWishlist"), "ADD_TO_WISHLIST");
        assert_eq!(upper_snake("PageVisit"), "PAGE_VISIT");
        assert_eq!(upper_snake("Custom"), "CUSTOM");
    }
}
