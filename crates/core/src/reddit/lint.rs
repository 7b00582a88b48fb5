//! Lints: what a careful console tells the user about a request before it leaves (spec §7).
//! Errors block sending; warnings explain. Every lint names a field path in the request
//! (`events[0].user.email`) or, for mapping problems, in the mapping (`mapping.event_metadata.itemCount`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::settings::{ApiVersion, Settings};
use super::wire::RedditEvent;

/// How serious a lint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    /// Reddit would reject it: the console does not send it.
    Error,
}

impl Level {
    /// `"warning"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lint {
    pub level: Level,
    /// Where: a path in the request body, or `mapping.…` / `settings.…` / `headers.…`.
    pub field: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Lint {
    /// An error lint.
    pub fn error(field: impl Into<String>, message: impl Into<String>) -> Lint {
        Lint { level: Level::Error, field: field.into(), message: message.into(), hint: None }
    }
    /// A warning lint.
    pub fn warning(field: impl Into<String>, message: impl Into<String>) -> Lint {
        Lint { level: Level::Warning, field: field.into(), message: message.into(), hint: None }
    }
    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Lint {
        self.hint = Some(hint.into());
        self
    }
    /// Puts an event-relative lint under `prefix` (e.g. `events[3]`), leaving mapping/settings
    /// lints alone.
    pub fn within(mut self, prefix: &str) -> Lint {
        let absolute = ["mapping", "settings", "headers", "test_mode", "data.test_id", "partner"]
            .iter()
            .any(|p| self.field == *p || self.field.starts_with(&format!("{p}.")));
        if !absolute {
            self.field =
                if self.field.is_empty() { prefix.to_string() } else { format!("{prefix}.{}", self.field) };
        }
        self
    }
}

/// Seven days, the age past which Reddit rejects an event (`must be less than 168h0m0s old`).
pub const MAX_AGE_MS: i64 = 168 * 3_600_000;
/// How far in the future an event_at may be.
pub const MAX_FUTURE_MS: i64 = 5 * 60_000;

/// Active ISO 4217 currency codes.
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
    "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
    "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
    "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
    "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF",
    "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

/// Whether `code` is an active ISO 4217 currency code.
pub fn is_iso_4217(code: &str) -> bool {
    ISO_4217.binary_search(&code).is_ok()
}

/// Which metadata each tracking type uses (spec §7): item_count only on carts, wishlists,
/// purchases and custom events; value and currency not on page visits, views and searches.
pub fn metadata_ignored(tracking_type: &str, key: &str) -> bool {
    // Compare ignoring case and underscores, so v2 (`AddToCart`) and v3 (`ADD_TO_CART`) agree.
    let squash = |s: &'static str| s.bytes().filter(|b| *b != b'_').map(|b| b.to_ascii_uppercase());
    let is = |name: &'static str| {
        tracking_type.bytes().filter(|b| *b != b'_').map(|b| b.to_ascii_uppercase()).eq(squash(name))
    };
    match key {
        "item_count" => !["AddToCart", "AddToWishlist", "Purchase", "Custom"].into_iter().any(is),
        "value_decimal" | "value" | "currency" => ["PageVisit", "ViewContent", "Search"].into_iter().any(is),
        _ => false,
    }
}

/// A phone number that reaches Reddit as a different number: written without its country code
/// (`(650) 555-1212` is sent as `+6505551212`, country code 65), with the international call
/// prefix `00`, or with a national trunk prefix (`+44 (0)20…`, `020…`). Numbers of 11 digits
/// or more without `+` are taken to start with their country code (`1-650-555-1212`), and an
/// already hashed value is left alone. `None`: nothing to say.
pub fn check_phone(raw: &str) -> Option<Lint> {
    let v = raw.trim();
    if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // The common case, a number with its country code and no trunk prefix: nothing to say, and
    // nothing allocated (this runs for every phone number built).
    if v.starts_with('+') && !has_trunk_zero(v) {
        return None;
    }
    let lower = v.to_ascii_lowercase();
    let end = crate::identity::PHONE_EXTENSION_KEYWORDS.iter().filter_map(|kw| lower.find(kw)).min();
    let number = &v[..end.unwrap_or(v.len())];
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let field = "user.phone_number";
    let e164 = "Send it in E.164, with its country code: +1 650 555 1212 for a US number, +44 20 7946 0958 for a UK one.";
    let lint = if let Some(rest) = number.strip_prefix('+') {
        if !has_trunk_zero(rest) {
            return None;
        }
        Lint::warning(field, format!("{v:?} keeps the national trunk prefix (0) after the country code: it is sent as +{digits}, a number no one has"))
            .hint("Drop the (0): +44 (0)20 7946 0958 is +44 20 7946 0958.")
    } else if digits.starts_with("00") {
        Lint::warning(
            field,
            format!("{v:?} starts with the international call prefix 00: it is sent as +{digits}"),
        )
        .hint("Write + instead of 00: 0044 20 7946 0958 is +44 20 7946 0958.")
    } else if digits.starts_with('0') {
        Lint::warning(
            field,
            format!(
                "{v:?} has no country code and starts with a national trunk prefix 0: it is sent as +{digits}"
            ),
        )
        .hint(e164)
    } else if digits.len() <= 10 {
        Lint::warning(
            field,
            format!(
                "{v:?} has no country code: it is sent as +{digits}, read as a number of country code +{}",
                &digits[..digits.len().min(2)]
            ),
        )
        .hint(e164)
    } else {
        return None;
    };
    Some(lint)
}

/// Whether `s` holds `(0)`, spaces aside (`+44 ( 0 ) 20…`).
fn has_trunk_zero(s: &str) -> bool {
    let mut compact = s.bytes().filter(|b| *b != b' ');
    while compact.by_ref().any(|b| b == b'(') {
        let mut next = compact.clone();
        if next.next() == Some(b'0') && next.next() == Some(b')') {
            return true;
        }
    }
    false
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

/// The parts of a built event the checks look at, whatever its version.
struct View<'a> {
    version: ApiVersion,
    metadata: &'static str,
    value_key: &'static str,
    type_key: &'static str,
    currency: Option<&'a str>,
    item_count: bool,
    value: Option<f64>,
    currency_set: bool,
    /// (id, item_price × quantity) per product.
    products: Vec<(Option<&'a str>, Option<f64>)>,
    /// Fields Reddit reads as integers: (path, value).
    integers: Vec<(String, &'a Value)>,
}

fn view(event: &RedditEvent) -> View<'_> {
    match event {
        RedditEvent::V2(e) => {
            let m = e.event_metadata.as_ref();
            View {
                version: ApiVersion::V2,
                metadata: "event_metadata",
                value_key: "value_decimal",
                type_key: "event_type",
                currency: m.and_then(|m| m.currency.as_deref()),
                currency_set: m.is_some_and(|m| m.currency.is_some()),
                item_count: m.is_some_and(|m| m.item_count.is_some()),
                value: m.and_then(|m| m.value_decimal.as_ref()).and_then(Value::as_f64),
                products: m
                    .and_then(|m| m.products.as_ref())
                    .map(|ps| ps.iter().map(|p| (p.id.as_deref(), None)).collect())
                    .unwrap_or_default(),
                integers: m
                    .and_then(|m| m.item_count.as_ref())
                    .map(|c| ("event_metadata.item_count".to_string(), c))
                    .into_iter()
                    .collect(),
            }
        }
        RedditEvent::V3(e) => {
            let m = e.metadata.as_ref();
            View {
                version: ApiVersion::V3,
                metadata: "metadata",
                value_key: "value",
                type_key: "type",
                currency: m.and_then(|m| m.currency.as_deref()),
                currency_set: m.is_some_and(|m| m.currency.is_some()),
                item_count: m.is_some_and(|m| m.item_count.is_some()),
                value: m.and_then(|m| m.value.as_ref()).and_then(Value::as_f64),
                products: m
                    .and_then(|m| m.products.as_ref())
                    .map(|ps| {
                        ps.iter()
                            .map(|p| {
                                let price = p.item_price.as_ref().and_then(Value::as_f64);
                                let qty = p.quantity.as_ref().and_then(Value::as_f64).unwrap_or(1.0);
                                (p.id.as_deref(), price.map(|x| x * qty))
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                integers: m
                    .and_then(|m| m.item_count.as_ref())
                    .map(|c| ("metadata.item_count".to_string(), c))
                    .into_iter()
                    .chain(m.and_then(|m| m.products.as_ref()).into_iter().flatten().enumerate().filter_map(
                        |(i, p)| p.quantity.as_ref().map(|q| (format!("metadata.products[{i}].quantity"), q)),
                    ))
                    .collect(),
            }
        }
    }
}

/// The checks that look at one built event (paths relative to the event).
pub fn check_event(event: &RedditEvent, now_ms: i64) -> Vec<Lint> {
    let mut lints = Vec::new();
    let v = view(event);
    check_event_at(event, &v, now_ms, &mut lints);
    check_custom_name(event, &v, &mut lints);
    check_metadata(event, &v, &mut lints);
    check_user(event, &v, &mut lints);
    check_signal(event, &mut lints);
    lints
}

/// `event_at`: too old, in the future, or not v2.0's RFC 3339 string.
fn check_event_at(event: &RedditEvent, v: &View<'_>, now_ms: i64, lints: &mut Vec<Lint>) {
    let event_at = match event {
        RedditEvent::V2(e) => &e.event_at,
        RedditEvent::V3(e) => &e.event_at,
    };
    match crate::timestamp::parse_json(event_at) {
        Some(crate::timestamp::Parsed::EpochSeconds(_)) if v.version == ApiVersion::V3 => {}
        Some(parsed) => {
            let ms = parsed.millis();
            if now_ms - ms > MAX_AGE_MS {
                let days = (now_ms - ms) / 86_400_000;
                lints.push(
                    Lint::warning("event_at", format!("event_at is {days} days old: Reddit rejects events older than 7 days (\"event_at timestamp must be less than 168h0m0s old\")"))
                        .hint("Use a recent timestamp; press \"now\" in the composer or send the event when it happens."),
                );
            } else if ms - now_ms > MAX_FUTURE_MS {
                lints.push(
                    Lint::warning("event_at", "event_at is more than 5 minutes in the future")
                        .hint("Check the clock and the time zone of the timestamp."),
                );
            }
            let calendar = matches!(parsed, crate::timestamp::Parsed::Calendar(_)) && event_at.is_string();
            if v.version == ApiVersion::V2 && !calendar {
                lints.push(
                    Lint::warning("event_at", "v2.0 expects an RFC 3339 timestamp string")
                        .hint(format!("e.g. {}", crate::timestamp::format_rfc3339(ms))),
                );
            }
        }
        None => {}
    }
}

/// A custom event name that is empty or longer than Reddit's 64 characters.
fn check_custom_name(event: &RedditEvent, v: &View<'_>, lints: &mut Vec<Lint>) {
    if let Some(name) = event.event_type().custom_event_name.as_deref() {
        let chars = name.chars().count();
        let field = format!("{}.custom_event_name", v.type_key);
        if chars == 0 {
            lints.push(
                Lint::error(field, "custom_event_name is empty")
                    .hint("Map a non-blank name; Reddit requires one for Custom events."),
            );
        } else if chars > 64 {
            lints.push(
                Lint::error(
                    field,
                    format!("custom_event_name has {chars} characters; Reddit allows at most 64"),
                )
                .hint("Shorten the name."),
            );
        }
    }
}

/// Currency, whole counts, metadata Reddit ignores, values in cents, v3 product ids.
fn check_metadata(event: &RedditEvent, v: &View<'_>, lints: &mut Vec<Lint>) {
    let tracking_type = event.event_type().tracking_type.as_str();
    if let Some(currency) = v.currency
        && !is_iso_4217(currency)
    {
        let upper = currency.to_ascii_uppercase();
        let hint = if is_iso_4217(&upper) {
            format!("Use {upper:?} (upper case).")
        } else {
            "Use a three-letter ISO 4217 code such as \"USD\".".to_string()
        };
        lints.push(
            Lint::warning(
                format!("{}.currency", v.metadata),
                format!("{currency:?} is not an ISO 4217 currency code"),
            )
            .hint(hint),
        );
    }
    for (path, value) in &v.integers {
        if value.is_number() && !value.is_i64() && !value.is_u64() {
            lints.push(
                Lint::error(
                    path.clone(),
                    format!("{value} is out of range: Reddit takes a whole number of at most 64 bits here"),
                )
                .hint("Map a whole count (e.g. the number of items), not an amount or an id."),
            );
        }
    }
    if v.version == ApiVersion::V2 {
        let present = [
            ("item_count", v.item_count),
            ("value_decimal", v.value.is_some()),
            ("currency", v.currency_set),
        ];
        for (key, is_set) in present {
            if is_set && metadata_ignored(tracking_type, key) {
                lints.push(Lint::warning(
                    format!("{}.{key}", v.metadata),
                    format!("Reddit ignores {key} on {tracking_type} events"),
                ));
            }
        }
    }
    if let Some(value) = v.value {
        let products_total: f64 = v.products.iter().filter_map(|(_, total)| *total).sum();
        let looks_minor = if products_total > 0.0 {
            (value - products_total * 100.0).abs() < 0.5
        } else {
            value.fract() == 0.0 && value >= 10_000.0 && value % 100.0 != 0.0
        };
        if looks_minor {
            lints.push(
                Lint::warning(
                    format!("{}.{}", v.metadata, v.value_key),
                    format!("value {value} looks like minor units (cents)"),
                )
                .hint(format!("Reddit expects the base unit: {:.2}, not {value}.", value / 100.0)),
            );
        }
    }
    if v.version == ApiVersion::V3 {
        for (i, (id, _)) in v.products.iter().enumerate() {
            if non_empty(*id).is_none() {
                lints.push(
                    Lint::error(format!("metadata.products[{i}].id"), "v3 products need an id")
                        .hint("Map products[].id (default $.product_id)."),
                );
            }
        }
    }
}

/// Screen size, processing modes, the v3 UUID and action source.
fn check_user(event: &RedditEvent, v: &View<'_>, lints: &mut Vec<Lint>) {
    let user = event.user();
    if let Some(user) = user {
        if let Some(screen) = &user.screen_dimensions {
            for (side, value) in [("height", &screen.height), ("width", &screen.width)] {
                if let Some(n) = value.as_i64().filter(|n| !(1..=32767).contains(n)) {
                    lints.push(Lint::warning(
                        format!("user.screen_dimensions.{side}"),
                        format!("screen {side} {n} is outside 1..32767"),
                    ));
                }
            }
        }
        if let Some(modes) = user.data_processing_options.as_ref().and_then(|d| d.modes.as_ref()) {
            for (i, m) in modes.iter().enumerate().filter(|(_, m)| *m != "LDU") {
                lints.push(Lint::warning(
                    format!("user.data_processing_options.modes[{i}]"),
                    format!("unknown data processing mode {m:?}; Reddit knows only \"LDU\""),
                ));
            }
        }
        if v.version == ApiVersion::V3
            && let Some(uuid) = non_empty(user.uuid.as_deref()).filter(|u| !is_rfc4122(u))
        {
            let mut lint =
                Lint::error("user.uuid", format!("{uuid:?} is not an RFC 4122 UUID; v3 requires one"));
            if let Some((_, tail)) = uuid.split_once('.').filter(|(_, t)| is_rfc4122(t)) {
                lint = lint
                    .hint(format!("The _rdt_uuid cookie is \"{{timestamp}}.{{uuid}}\": send only {tail:?}."));
            }
            lints.push(lint);
        }
    }
    if let RedditEvent::V3(e) = event
        && non_empty(e.action_source.as_deref()).is_none()
    {
        lints.push(
            Lint::error("action_source", "v3 requires action_source")
                .hint("Map action_source to WEBSITE, APP, OTHER or PHYSICAL_STORE (presets use WEBSITE)."),
        );
    }
}

/// No attribution signal at all.
fn check_signal(event: &RedditEvent, lints: &mut Vec<Lint>) {
    let signal = super::signals::present(event).contains(&true);
    if !signal {
        lints.push(
            Lint::warning("user", "no attribution signal: Reddit cannot match this conversion to anyone")
                .hint("Send one of click_id, uuid, email, external_id, phone_number, idfa/aaid, or ip_address + user_agent + screen_dimensions."),
        );
    }
}

/// Checks of where a request goes, before it is sent: a send to Reddit needs a conversion token
/// and a real Pixel ID (not the local emulator's placeholder).
pub fn check_destination(settings: &Settings, to_reddit: bool, has_token: bool) -> Vec<Lint> {
    let mut lints = Vec::new();
    if !to_reddit {
        return lints;
    }
    if !has_token {
        lints.push(
            Lint::error("settings.token", "no conversion token: Reddit answers 401 without one")
                .hint("Paste the token in Settings → Conversion token, or send to the local emulator."),
        );
    }
    if settings.pixel_id.trim() == super::settings::PLACEHOLDER_PIXEL {
        lints.push(
            Lint::error(
                "settings.pixel_id",
                format!(
                    "{} is the local emulator's placeholder; Reddit has no such pixel",
                    super::settings::PLACEHOLDER_PIXEL
                ),
            )
            .hint("Set your Pixel ID in Settings (Reddit Ads → Events Manager)."),
        );
    }
    lints
}

/// Request-level checks.
pub fn check_request(settings: &Settings, events: usize) -> Vec<Lint> {
    let mut lints = Vec::new();
    if let Some(problem) = settings.pixel_id_problem() {
        lints.push(
            Lint::error("settings.pixel_id", problem)
                .hint("Copy the Pixel ID from Reddit Ads → Events Manager."),
        );
    }
    if events > super::MAX_EVENTS_PER_REQUEST {
        lints.push(Lint::error(
            settings.api_version.events_path(),
            format!("{events} events in one request; Reddit accepts at most 1,000 (\"Bad Request\")"),
        ));
    }
    match settings.api_version {
        ApiVersion::V2 if !settings.test_mode => lints.push(
            Lint::warning("test_mode", "test mode is off: this is a production send that counts in your campaigns")
                .hint("Turn Test Mode on while you verify the setup."),
        ),
        ApiVersion::V3 if settings.active_test_id().is_none() => lints.push(
            Lint::warning("data.test_id", "no test id: this is a production send that counts in your campaigns")
                .hint("Paste the test id from Events Manager → Event Testing while you verify the setup."),
        ),
        ApiVersion::V3 if events > 1 => lints.push(
            Lint::warning("data.test_id", format!("{events} events with a test id: Event Testing shows only single-event requests (at most 10 per second)"))
                .hint("Send test events one per request."),
        ),
        _ => {}
    }
    lints
}

/// An RFC 4122 UUID: 8-4-4-4-12 hex digits, version 1–8, variant 10xx.
pub fn is_rfc4122(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    let dashes = [8, 13, 18, 23];
    let shape = b
        .iter()
        .enumerate()
        .all(|(i, c)| if dashes.contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() });
    shape && (b'1'..=b'8').contains(&b[14]) && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

#[cfg(test)]
mod destination_tests {
    use super::*;
    use crate::reddit::settings::PLACEHOLDER_PIXEL;

    #[test]
    fn a_send_to_reddit_needs_a_token_and_a_real_pixel() {
        let placeholder = Settings { pixel_id: PLACEHOLDER_PIXEL.into(), ..Settings::default() };
        let fields = |l: Vec<Lint>| l.into_iter().map(|l| (l.level, l.field)).collect::<Vec<_>>();
        assert_eq!(
            fields(check_destination(&placeholder, true, false)),
            [(Level::Error, "settings.token".to_string()), (Level::Error, "settings.pixel_id".to_string())]
        );
        assert!(check_destination(&placeholder, false, false).is_empty(), "the emulator takes both");
        let real = Settings { pixel_id: "a2_real".into(), ..Settings::default() };
        assert!(check_destination(&real, true, true).is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_704_721_970_212; // 2024-01-08T13:52:50.212Z

    fn check(event: &Value, version: ApiVersion, now: i64) -> Vec<Lint> {
        let typed = match version {
            ApiVersion::V2 => RedditEvent::V2(serde_json::from_value(event.clone()).unwrap()),
            ApiVersion::V3 => RedditEvent::V3(serde_json::from_value(event.clone()).unwrap()),
        };
        check_event(&typed, now)
    }

    fn fields(lints: &[Lint]) -> Vec<(&str, Level)> {
        lints.iter().map(|l| (l.field.as_str(), l.level)).collect()
    }

    fn v2(extra: Value) -> Value {
        let mut e = json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Purchase"}, "user": {"email": "x"}});
        e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        e
    }

    #[test]
    fn phone_numbers_without_a_country_code_or_with_a_trunk_prefix() {
        let says = |raw: &str| check_phone(raw).map(|l| (l.field, l.message));
        let (field, message) = says("(650) 555-1212").unwrap();
        assert_eq!(field, "user.phone_number");
        assert!(message.contains("no country code") && message.contains("+6505551212"), "{message}");
        assert!(says("020 7946 0958").unwrap().1.contains("trunk prefix 0"));
        assert!(says("0044 20 7946 0958").unwrap().1.contains("prefix 00"));
        assert!(says("+44 (0)20 7946 0958").unwrap().1.contains("(0)"));
        assert!(says("+44 ( 0 ) 20 7946 0958").is_some(), "spaces inside the brackets");
        assert!(says("+44 ((0)20 7946 0958").is_some() && says("+44 (1)(0 20").is_none());
        for fine in [
            "+1 (415) 555-0132",
            "1-650-555   - 1212 ExT 450",
            "+15554441234",
            "16505551212",
            "",
            "no digits",
            "e5b124c58580eb16bd959b8d0cac12b12c952e2ceae0203d416cff94f10b994a",
        ] {
            assert_eq!(says(fine), None, "{fine}");
        }
        assert!(says("555-1212 x 4567").is_some(), "the extension's digits do not count");
    }

    #[test]
    fn clean_event_has_no_lints() {
        assert!(check(&v2(json!({})), ApiVersion::V2, NOW).is_empty());
    }

    #[test]
    fn event_at_older_than_seven_days_or_in_the_future() {
        let old = check(&v2(json!({"event_at": "2023-12-31T00:00:00Z"})), ApiVersion::V2, NOW);
        assert_eq!(fields(&old), [("event_at", Level::Warning)]);
        assert!(old[0].message.contains("168h0m0s"));
        let edge = check(
            &v2(json!({"event_at": crate::timestamp::format_rfc3339(NOW - MAX_AGE_MS)})),
            ApiVersion::V2,
            NOW,
        );
        assert!(edge.is_empty(), "exactly 168 h is still accepted");
        let future = check(
            &v2(json!({"event_at": crate::timestamp::format_rfc3339(NOW + MAX_FUTURE_MS + 1000)})),
            ApiVersion::V2,
            NOW,
        );
        assert_eq!(fields(&future), [("event_at", Level::Warning)]);
    }

    #[test]
    fn v2_wants_an_rfc3339_string() {
        let lints = check(&v2(json!({"event_at": "1704721970212"})), ApiVersion::V2, NOW);
        assert_eq!(fields(&lints), [("event_at", Level::Warning)]);
        assert_eq!(lints[0].hint.as_deref(), Some("e.g. 2024-01-08T13:52:50.212Z"));
        let number = check(&v2(json!({"event_at": 1_704_721_970_212_i64})), ApiVersion::V2, NOW);
        assert_eq!(fields(&number), [("event_at", Level::Warning)]);
    }

    #[test]
    fn custom_event_name_empty_or_too_long() {
        let long = "é".repeat(65);
        let lints = check(
            &v2(json!({"event_type": {"tracking_type": "Custom", "custom_event_name": long}})),
            ApiVersion::V2,
            NOW,
        );
        assert_eq!(fields(&lints), [("event_type.custom_event_name", Level::Error)]);
        let ok = check(
            &v2(json!({"event_type": {"tracking_type": "Custom", "custom_event_name": "é".repeat(64)}})),
            ApiVersion::V2,
            NOW,
        );
        assert!(ok.is_empty(), "64 characters (not bytes) are fine");
        let empty = check(
            &v2(json!({"event_type": {"tracking_type": "Custom", "custom_event_name": ""}})),
            ApiVersion::V2,
            NOW,
        );
        assert_eq!(fields(&empty), [("event_type.custom_event_name", Level::Error)]);
    }

    #[test]
    fn currency_and_ignored_metadata() {
        let lints = check(
            &v2(
                json!({"event_type": {"tracking_type": "PageVisit"}, "event_metadata": {"currency": "usd", "item_count": 2}}),
            ),
            ApiVersion::V2,
            NOW,
        );
        assert_eq!(
            fields(&lints),
            [
                ("event_metadata.currency", Level::Warning),
                ("event_metadata.item_count", Level::Warning),
                ("event_metadata.currency", Level::Warning)
            ]
        );
        assert_eq!(lints[0].hint.as_deref(), Some("Use \"USD\" (upper case)."));
    }

    #[test]
    fn an_item_count_out_of_range_is_an_error_before_sending() {
        let lints = check(&v2(json!({"event_metadata": {"item_count": 1e20}})), ApiVersion::V2, NOW);
        assert_eq!(fields(&lints), [("event_metadata.item_count", Level::Error)]);
        assert!(lints[0].message.contains("out of range"), "{}", lints[0].message);
        assert!(check(&v2(json!({"event_metadata": {"item_count": 3}})), ApiVersion::V2, NOW).is_empty());
        let v3 = json!({"event_at": NOW, "action_source": "WEBSITE", "type": {"tracking_type": "PURCHASE"}, "user": {"email": "x"},
            "metadata": {"item_count": -1e19, "products": [{"id": "a", "quantity": 2}, {"id": "b", "quantity": 2.5}]}});
        let errors: Vec<_> =
            check(&v3, ApiVersion::V3, NOW).into_iter().filter(|l| l.level == Level::Error).collect();
        assert_eq!(
            fields(&errors),
            [("metadata.item_count", Level::Error), ("metadata.products[1].quantity", Level::Error)]
        );
    }

    #[test]
    fn value_in_cents() {
        let lints = check(&v2(json!({"event_metadata": {"value_decimal": 12999}})), ApiVersion::V2, NOW);
        assert_eq!(fields(&lints), [("event_metadata.value_decimal", Level::Warning)]);
        let v3 = json!({"event_at": NOW, "action_source": "WEBSITE", "type": {"tracking_type": "PURCHASE"}, "user": {"email": "x"},
            "metadata": {"value": 2000, "products": [{"id": "a", "item_price": 10, "quantity": 2}]}});
        assert_eq!(fields(&check(&v3, ApiVersion::V3, NOW)), [("metadata.value", Level::Warning)]);
    }

    #[test]
    fn v3_requirements() {
        let e = json!({"event_at": NOW, "type": {"tracking_type": "PURCHASE"},
            "metadata": {"products": [{"name": "x"}]}, "user": {"uuid": "1684189007728.7c6a1e5a-aaaa-4bbb-8ccc-123456789012"}});
        let lints = check(&e, ApiVersion::V3, NOW);
        assert_eq!(
            fields(&lints),
            [
                ("metadata.products[0].id", Level::Error),
                ("user.uuid", Level::Error),
                ("action_source", Level::Error)
            ]
        );
        assert!(lints[1].hint.as_deref().unwrap().contains("7c6a1e5a-aaaa-4bbb-8ccc-123456789012"));
    }

    #[test]
    fn screen_modes_and_attribution() {
        let e = json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Lead"},
            "user": {"ip_address": "h", "screen_dimensions": {"height": 0, "width": 40000}, "data_processing_options": {"modes": ["LDU", "XYZ"]}}});
        assert_eq!(
            fields(&check(&e, ApiVersion::V2, NOW)),
            [
                ("user.screen_dimensions.height", Level::Warning),
                ("user.screen_dimensions.width", Level::Warning),
                ("user.data_processing_options.modes[1]", Level::Warning),
                ("user", Level::Warning)
            ]
        );
        let ip_ua_screen = json!({"event_at": "2024-01-08T13:52:50.212Z", "event_type": {"tracking_type": "Lead"},
            "user": {"ip_address": "h", "user_agent": "ua", "screen_dimensions": {"height": 1, "width": 1}}});
        assert!(check(&ip_ua_screen, ApiVersion::V2, NOW).is_empty());
    }

    #[test]
    fn request_level_checks() {
        let mut s = Settings { test_mode: false, ..Settings::default() };
        assert_eq!(
            fields(&check_request(&s, 1001)),
            [("settings.pixel_id", Level::Error), ("events", Level::Error), ("test_mode", Level::Warning)]
        );
        s.pixel_id = "a2_x".into();
        s.api_version = ApiVersion::V3;
        s.test_id = Some("t".into());
        assert_eq!(fields(&check_request(&s, 2)), [("data.test_id", Level::Warning)]);
        assert!(check_request(&s, 1).is_empty());
    }

    #[test]
    fn currency_table_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(is_iso_4217("USD") && is_iso_4217("JPY") && !is_iso_4217("usd") && !is_iso_4217("XYZ"));
    }

    #[test]
    fn uuid_rfc4122() {
        assert!(is_rfc4122("7c6a1e5a-aaaa-4bbb-8ccc-123456789012"));
        assert!(!is_rfc4122("7c6a1e5a-aaaa-bbbb-cccc-123456789012"));
        assert!(!is_rfc4122("uuid_1"));
    }

    #[test]
    fn within_prefixes_event_paths_only() {
        assert_eq!(Lint::warning("user.email", "m").within("events[2]").field, "events[2].user.email");
        assert_eq!(
            Lint::warning("mapping.event_metadata.value", "m").within("events[2]").field,
            "mapping.event_metadata.value"
        );
    }
}
