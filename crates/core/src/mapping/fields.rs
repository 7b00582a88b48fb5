//! The fields of Segment's Reddit actions — keys, types, choices and default sources — in one
//! table used by the mapping compiler, the schema step, the lints and the UI alike.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// A field's value type, as in Segment's action definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Number,
    Boolean,
    /// A string that must look like a date (Segment's `datetime`).
    Datetime,
    /// An object with the listed properties.
    Object,
}

/// One action field (or a property of an object field).
#[derive(Debug)]
pub struct Field {
    /// Segment's key, e.g. `event_at` or (inside `user`) `email`.
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub value_type: ValueType,
    /// An array of `kind` (`products`).
    pub multiple: bool,
    pub required: bool,
    /// Allowed values (Segment's `choices`, enforced by its schema).
    pub choices: &'static [&'static str],
    /// Properties of an object field.
    pub properties: &'static [Field],
    /// The default source as JSON text.
    pub default: Option<&'static str>,
    /// Whether the value is normalized and SHA-256 hashed before sending.
    pub hashed: bool,
}

impl Field {
    const fn new(key: &'static str, label: &'static str, value_type: ValueType) -> Field {
        Field {
            key,
            label,
            description: "",
            value_type,
            multiple: false,
            required: false,
            choices: &[],
            properties: &[],
            default: None,
            hashed: false,
        }
    }
    const fn describe(mut self, description: &'static str) -> Field {
        self.description = description;
        self
    }
    const fn required(mut self) -> Field {
        self.required = true;
        self
    }
    const fn choices(mut self, choices: &'static [&'static str]) -> Field {
        self.choices = choices;
        self
    }
    const fn properties(mut self, properties: &'static [Field]) -> Field {
        self.properties = properties;
        self
    }
    const fn default(mut self, source: &'static str) -> Field {
        self.default = Some(source);
        self
    }
    const fn hashed(mut self) -> Field {
        self.hashed = true;
        self
    }
    const fn multiple(mut self) -> Field {
        self.multiple = true;
        self
    }

    /// The field as the release (v2.0) defines it: products carry category, id and name only.
    pub fn v2(&'static self) -> &'static Field {
        if self.key == "products" { &PRODUCTS_V2 } else { self }
    }

    /// Whether the field exists only for v3 (or only in the console) and the release has no
    /// such field: `action_source`, `event_source_url`, `enable_batching`.
    pub fn not_in_release(&self) -> bool {
        matches!(self.key, "action_source" | "event_source_url" | "enable_batching")
    }

    /// A property of an object field.
    pub fn property(&self, key: &str) -> Option<&'static Field> {
        self.properties.iter().find(|f| f.key == key)
    }

    /// A property looked up from `cursor` on (and then from the start): keys that come in the
    /// table's order, as mappings list them, are found in one comparison each.
    pub fn property_from(&self, key: &str, cursor: &mut usize) -> Option<&'static Field> {
        find_from(self.properties, key, cursor)
    }
}

/// Finds `key` in `fields`, starting at `cursor` and wrapping around; moves the cursor past it.
pub fn find_from(fields: &'static [Field], key: &str, cursor: &mut usize) -> Option<&'static Field> {
    let n = fields.len();
    for step in 0..n {
        let i = (*cursor + step) % n;
        if super::same_key(fields[i].key, key) {
            *cursor = i + 1;
            return Some(&fields[i]);
        }
    }
    None
}

/// The two sending actions of Segment's Reddit destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Action {
    /// "Send Standard Event": a literal `tracking_type`.
    #[serde(rename = "standardEvent")]
    StandardEvent,
    /// "Send Custom Event": `custom_event_name`, tracking type `Custom`.
    #[serde(rename = "customEvent")]
    CustomEvent,
}

impl Action {
    /// Segment's action key.
    pub fn key(self) -> &'static str {
        match self {
            Action::StandardEvent => "standardEvent",
            Action::CustomEvent => "customEvent",
        }
    }
    /// Segment's action title.
    pub fn title(self) -> &'static str {
        match self {
            Action::StandardEvent => "Send Standard Event",
            Action::CustomEvent => "Send Custom Event",
        }
    }
    /// The fields this action takes, in Segment's order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Action::StandardEvent => &STANDARD_FIELDS,
            Action::CustomEvent => &CUSTOM_FIELDS,
        }
    }
    /// A root field of this action.
    pub fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }
    /// Segment's "default mappings" for this action: every field's default source.
    pub fn default_mapping(self) -> &'static Map<String, Value> {
        static STANDARD: OnceLock<Map<String, Value>> = OnceLock::new();
        static CUSTOM: OnceLock<Map<String, Value>> = OnceLock::new();
        let cell = match self {
            Action::StandardEvent => &STANDARD,
            Action::CustomEvent => &CUSTOM,
        };
        cell.get_or_init(|| {
            self.fields()
                .iter()
                .filter_map(|f| {
                    let source = serde_json::from_str(f.default?).expect("field defaults are valid JSON");
                    Some((f.key.to_string(), source))
                })
                .collect()
        })
    }
}

/// Reddit's standard tracking types as Segment names them (v2 spelling).
pub const TRACKING_TYPES: [&str; 8] =
    ["PageVisit", "ViewContent", "Search", "AddToCart", "AddToWishlist", "Purchase", "Lead", "SignUp"];

/// The currencies the release's `event_metadata.currency` field accepts (its `choices`, sorted).
pub const SEGMENT_CURRENCIES: [&str; 165] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
    "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GGP", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF",
    "IDR", "ILS", "IMP", "INR", "IQD", "IRR", "ISK", "JEP", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF",
    "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
    "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR",
    "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "STD", "STN", "SVC", "SYP", "SZL",
    "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TVD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UYW",
    "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XDR", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

/// v3 `action_source` values.
pub const ACTION_SOURCES: [&str; 4] = ["WEBSITE", "APP", "OTHER", "PHYSICAL_STORE"];

/// Data processing modes Reddit knows.
pub const PROCESSING_MODES: [&str; 1] = ["LDU"];

/// Segment's `data_processing_options.country` choices (ISO 3166-1 alpha-2, as Segment lists them).
pub const COUNTRIES: [&str; 247] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA",
    "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV",
    "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU",
    "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES",
    "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM",
    "GN", "GP", "GQ", "GR", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL",
    "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN",
    "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA",
    "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU",
    "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PT", "PW", "PY", "QA", "RE", "RO",
    "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO",
    "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN",
    "TO", "TR", "TT", "TV", "TZ", "UA", "UG", "UM", "UN", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

const EVENT_AT: Field = Field::new("event_at", "Event At", ValueType::Datetime)
    .describe("When the conversion happened (RFC 3339). v3 sends epoch milliseconds.")
    .required()
    .default(r#"{"@path": "$.timestamp"}"#);

const TRACKING_TYPE: Field = Field::new("tracking_type", "Tracking Type", ValueType::String)
    .describe("One of Reddit's standard conversion event types.")
    .required()
    .choices(&TRACKING_TYPES);

const CUSTOM_EVENT_NAME: Field = Field::new("custom_event_name", "Custom Event Name", ValueType::String)
    .describe("The custom event's name, at most 64 characters.")
    .required();

const CLICK_ID: Field = Field::new("click_id", "Click ID", ValueType::String)
    .describe("The Reddit click id (rdt_cid) of the ad click.")
    .default(
        r#"{"@if": {"exists": {"@path": "$.integrations.Reddit Conversions Api.click_id"}, "then": {"@path": "$.integrations.Reddit Conversions Api.click_id"}, "else": {"@path": "$.properties.click_id"}}}"#,
    );

const CONVERSION_ID: Field = Field::new("conversion_id", "Conversion ID", ValueType::String)
    .describe("A unique id of this conversion, hashed; Reddit deduplicates Pixel and CAPI events on it.")
    .default(r#"{"@path": "$.messageId"}"#)
    .hashed();

const METADATA_PROPERTIES: [Field; 3] = [
    Field::new("currency", "Currency", ValueType::String)
        .describe("ISO 4217 currency code of the value.")
        .choices(&SEGMENT_CURRENCIES),
    Field::new("item_count", "Item Count", ValueType::Integer).describe("Number of items."),
    Field::new("value_decimal", "Value Decimal", ValueType::Number)
        .describe("The value in the currency's base unit (dollars, not cents)."),
];

const EVENT_METADATA: Field = Field::new("event_metadata", "Event Metadata", ValueType::Object)
    .describe("Currency, item count and value of the conversion.")
    .properties(&METADATA_PROPERTIES)
    .default(
        r#"{"currency": {"@path": "$.properties.currency"}, "item_count": {"@path": "$.properties.quantity"}, "value_decimal": {"@if": {"exists": {"@path": "$.properties.revenue"}, "then": {"@path": "$.properties.revenue"}, "else": {"@path": "$.properties.total"}}}}"#,
    );

const PRODUCT_PROPERTIES: [Field; 5] = [
    Field::new("category", "Category", ValueType::String).describe("The product's category."),
    Field::new("id", "Product ID", ValueType::String).describe("The product's catalog id (required by v3)."),
    Field::new("name", "Product Name", ValueType::String).describe("The product's name."),
    Field::new("quantity", "Quantity", ValueType::Integer).describe("v3 only: units of this product."),
    Field::new("item_price", "Item Price", ValueType::Number).describe("v3 only: price of one unit."),
];

const PRODUCTS: Field = Field::new("products", "Products", ValueType::Object)
    .describe("The products of the conversion.")
    .multiple()
    .properties(&PRODUCT_PROPERTIES)
    .default(
        r#"{"@arrayPath": ["$.properties.products", {"category": {"@path": "$.category"}, "id": {"@path": "$.product_id"}, "name": {"@path": "$.name"}, "quantity": {"@path": "$.quantity"}, "item_price": {"@path": "$.price"}}]}"#,
    );

/// The release's default products source (v2.0: category, id, name).
pub const PRODUCTS_V2_DEFAULT: &str = r#"{"@arrayPath": ["$.properties.products", {"category": {"@path": "$.category"}, "id": {"@path": "$.product_id"}, "name": {"@path": "$.name"}}]}"#;

/// The release's (v2.0) product: category, id and name only.
const PRODUCTS_V2: Field = Field::new("products", "Products", ValueType::Object)
    .describe("The products of the conversion.")
    .multiple()
    .properties(PRODUCT_PROPERTIES.split_at(3).0);

const USER_PROPERTIES: [Field; 8] = [
    Field::new("advertising_id", "Advertising ID", ValueType::String)
        .describe("Mobile advertising id; sent as idfa when device_type is \"ios\", else aaid. Hashed.")
        .hashed(),
    Field::new("device_type", "Device Type", ValueType::String).describe("\"ios\" or another device type."),
    Field::new("email", "Email", ValueType::String).describe("The user's email. Hashed.").hashed(),
    Field::new("external_id", "External ID", ValueType::String)
        .describe("Your persistent user id. Hashed.")
        .hashed(),
    Field::new("ip_address", "IP Address", ValueType::String).describe("The user's IP. Hashed.").hashed(),
    Field::new("user_agent", "User Agent", ValueType::String).describe("The browser's user agent."),
    Field::new("uuid", "UUID", ValueType::String).describe("The Reddit Pixel's _rdt_uuid cookie value."),
    Field::new("phone_number", "Phone Number", ValueType::String)
        .describe("The user's phone number. Hashed.")
        .hashed(),
];

const USER: Field = Field::new("user", "User", ValueType::Object)
    .describe("Who converted: the identifiers Reddit matches on.")
    .properties(&USER_PROPERTIES)
    .default(
        r#"{"advertising_id": {"@path": "$.context.device.advertisingId"}, "device_type": {"@path": "$.context.device.type"}, "email": {"@if": {"exists": {"@path": "$.context.traits.email"}, "then": {"@path": "$.context.traits.email"}, "else": {"@path": "$.properties.email"}}}, "external_id": {"@if": {"exists": {"@path": "$.userId"}, "then": {"@path": "$.userId"}, "else": {"@path": "$.anonymousId"}}}, "ip_address": {"@path": "$.context.ip"}, "user_agent": {"@path": "$.context.userAgent"}, "uuid": {"@if": {"exists": {"@path": "$.integrations.Reddit Conversions Api.uuid"}, "then": {"@path": "$.integrations.Reddit Conversions Api.uuid"}, "else": {"@path": "$.properties.uuid"}}}, "phone_number": {"@if": {"exists": {"@path": "$.context.traits.phone"}, "then": {"@path": "$.context.traits.phone"}, "else": {"@path": "$.properties.phone"}}}}"#,
    );

const DATA_PROCESSING_PROPERTIES: [Field; 3] = [
    Field::new("country", "Country", ValueType::String)
        .describe("ISO 3166-1 alpha-2 country of the user.")
        .choices(&COUNTRIES),
    Field::new("modes", "Modes", ValueType::String)
        .describe("Comma-separated processing modes; only LDU (Limited Data Use) exists.")
        .choices(&PROCESSING_MODES),
    Field::new("region", "Region", ValueType::String).describe("ISO 3166-2 region, e.g. US-CA."),
];

const DATA_PROCESSING_OPTIONS: Field =
    Field::new("data_processing_options", "Data Processing Options", ValueType::Object)
        .describe("Limited Data Use flags for this event.")
        .properties(&DATA_PROCESSING_PROPERTIES);

const SCREEN_PROPERTIES: [Field; 2] = [
    Field::new("height", "Height", ValueType::Integer).describe("Screen height in pixels (1..32767)."),
    Field::new("width", "Width", ValueType::Integer).describe("Screen width in pixels (1..32767)."),
];

const SCREEN_DIMENSIONS: Field = Field::new("screen_dimensions", "Screen Dimensions", ValueType::Object)
    .describe("The user's screen size; sent only when both are present.")
    .properties(&SCREEN_PROPERTIES)
    .default(
        r#"{"height": {"@path": "$.context.screen.height"}, "width": {"@path": "$.context.screen.width"}}"#,
    );

const ACTION_SOURCE: Field = Field::new("action_source", "Action Source", ValueType::String)
    .describe("v3 only, required: where the conversion happened.")
    .choices(&ACTION_SOURCES)
    .default(r#""WEBSITE""#);

const EVENT_SOURCE_URL: Field = Field::new("event_source_url", "Event Source URL", ValueType::String)
    .describe("v3 only: the page where the conversion happened.")
    .default(r#"{"@path": "$.context.page.url"}"#);

const ENABLE_BATCHING: Field = Field::new("enable_batching", "Enable Batching", ValueType::Boolean)
    .describe("Send events of this mapping in batches (up to 1,000 per request).")
    .default("false");

const STANDARD_FIELDS: [Field; 12] = [
    EVENT_AT,
    TRACKING_TYPE,
    CLICK_ID,
    CONVERSION_ID,
    EVENT_METADATA,
    PRODUCTS,
    USER,
    DATA_PROCESSING_OPTIONS,
    SCREEN_DIMENSIONS,
    ACTION_SOURCE,
    EVENT_SOURCE_URL,
    ENABLE_BATCHING,
];

const CUSTOM_FIELDS: [Field; 12] = [
    EVENT_AT,
    CUSTOM_EVENT_NAME,
    CLICK_ID,
    CONVERSION_ID,
    EVENT_METADATA,
    PRODUCTS,
    USER,
    DATA_PROCESSING_OPTIONS,
    SCREEN_DIMENSIONS,
    ACTION_SOURCE,
    EVENT_SOURCE_URL,
    ENABLE_BATCHING,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::directive::Directive;

    #[test]
    fn every_default_compiles() {
        for action in [Action::StandardEvent, Action::CustomEvent] {
            for (key, source) in action.default_mapping() {
                Directive::compile(source, key).unwrap_or_else(|e| panic!("{key}: {e}"));
                assert!(action.field(key).is_some());
            }
        }
    }

    #[test]
    fn actions_differ_only_in_their_event_name_field() {
        assert!(Action::StandardEvent.field("tracking_type").is_some_and(|f| f.required));
        assert!(Action::StandardEvent.field("custom_event_name").is_none());
        assert!(Action::CustomEvent.field("custom_event_name").is_some_and(|f| f.required));
        assert!(Action::CustomEvent.field("tracking_type").is_none());
    }

    #[test]
    fn countries_are_sorted_two_letter_codes() {
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert!(COUNTRIES.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }
}
