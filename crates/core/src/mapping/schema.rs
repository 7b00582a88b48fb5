//! Segment's schema step, applied to a resolved mapping before the destination code sees it:
//! empty values removed (`removeEmptyValues`), root arrays wrapped, then AJV-style validation
//! with type coercion (`coerceTypes: "array"`) and unknown keys removed (`removeAdditional`).
//! An event that fails here is one Segment refuses; the error names the field.

use serde_json::Value;

use super::fields::{Action, Field, ValueType, find_from};
use super::resolved::{Fields, Resolved};
use super::{is_infinity, js_f64, js_number, js_string, number_value};

/// Segment validates single events and batches slightly differently: only single events lose
/// root-level empty strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Single,
    Batch,
}

/// Options that differ between normalization profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Enforce the release's currency list (the Segment profile); otherwise any currency passes
    /// here and the ISO-4217 lint judges it.
    pub segment_currencies: bool,
    /// v2.0, the API the release speaks: its product schema (category, id, name), its
    /// `date-like` format, and no `action_source` / `event_source_url` fields. Otherwise v3
    /// (unreleased at Segment), which follows Reddit's v3 rules.
    pub v2: bool,
}

/// A validated payload and the unknown keys the schema removed (dotted paths).
#[derive(Debug, Clone, PartialEq)]
pub struct Validated<'a> {
    pub payload: Fields<'a>,
    pub dropped: Vec<String>,
}

/// Why Segment's schema refuses a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{field}: {message}")]
pub struct SchemaError {
    /// Dotted field path, e.g. `event_metadata.currency` or `products[1].id`.
    pub field: String,
    /// Segment's wording, e.g. `The value at /event_metadata/item_count must be an integer but it was a string.`
    pub message: String,
}

/// Runs the schema step for `action` over a resolved mapping.
pub fn validate(
    action: Action,
    mut payload: Fields<'_>,
    mode: Mode,
    rules: Rules,
) -> Result<Validated<'_>, Vec<SchemaError>> {
    let fields = action.fields();
    let mut v = Validator { rules, errors: Vec::new(), dropped: Vec::new() };
    // Resolved fields come in the action's field order: look each up from where the last one was.
    let mut cursor = 0;
    payload.retain_mut(|(key, value)| {
        let Some(field) = find_from(fields, key, &mut cursor) else {
            v.dropped.push(key.to_string());
            return false;
        };
        if rules.v2 && field.not_in_release() {
            return false;
        }
        let field = if rules.v2 { field.v2() } else { field };
        // removeEmptyValues(payload, schema, isRoot = single)
        if mode == Mode::Single && value.as_str() == Some("") {
            return false;
        }
        if !remove_empty(value, field) {
            return false;
        }
        // arrifyFields: a root array field given one value gets wrapped.
        if field.multiple && !matches!(value, Resolved::Array(_) | Resolved::Ref(Value::Array(_))) {
            *value = Resolved::Array(vec![std::mem::replace(value, Resolved::Owned(Value::Null))]);
        }
        v.check(value, field, Loc::Root(key));
        true
    });
    for field in fields.iter().filter(|f| f.required) {
        if !payload.iter().any(|(k, _)| *k == field.key) && !v.errors.iter().any(|e| e.field == field.key) {
            v.errors.push(SchemaError {
                field: field.key.to_string(),
                message: format!("The root value is missing the required field '{}'.", field.key),
            });
        }
    }
    if v.errors.is_empty() { Ok(Validated { payload, dropped: v.dropped }) } else { Err(v.errors) }
}

/// Removes nulls anywhere, and "" where the field is not a string; false = remove this value.
fn remove_empty(value: &mut Resolved<'_>, field: &Field) -> bool {
    if field.multiple || field.value_type == ValueType::Object {
        value.expand();
    }
    match value {
        Resolved::Array(items) if field.multiple => {
            items.retain_mut(|item| {
                item.expand();
                match item {
                    Resolved::Object(fields) => {
                        remove_empty_properties(fields, field);
                        true
                    }
                    other => !other.is_null() && other.as_str() != Some(""),
                }
            });
            true
        }
        Resolved::Object(fields) if field.value_type == ValueType::Object => {
            remove_empty_properties(fields, field);
            true
        }
        other => match other.value() {
            Some(Value::Null) => false,
            Some(Value::String(s)) if s.is_empty() => {
                matches!(field.value_type, ValueType::String | ValueType::Datetime)
            }
            _ => true,
        },
    }
}

fn remove_empty_properties(fields: &mut Fields<'_>, field: &Field) {
    let mut cursor = 0;
    fields.retain_mut(|(k, v)| match field.property_from(k, &mut cursor) {
        Some(p) => remove_empty(v, p),
        None => !v.is_null(),
    });
}

struct Validator {
    rules: Rules,
    errors: Vec<SchemaError>,
    dropped: Vec<String>,
}

/// Where a value sits, rendered only when an error or a dropped key needs it.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root(&'a str),
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl Loc<'_> {
    /// `event_metadata.currency`, `products[1].id`.
    fn dotted(&self) -> String {
        match self {
            Loc::Root(k) => k.to_string(),
            Loc::Key(parent, k) => format!("{}.{k}", parent.dotted()),
            Loc::Index(parent, i) => format!("{}[{i}]", parent.dotted()),
        }
    }
    /// `/event_metadata/currency`, `/products/1/id` (Segment's error wording).
    fn pointer(&self) -> String {
        match self {
            Loc::Root(k) => format!("/{k}"),
            Loc::Key(parent, k) => format!("{}/{k}", parent.pointer()),
            Loc::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

fn kind_word(r: &Resolved<'_>) -> &'static str {
    match r {
        Resolved::Object(_) => "an object",
        Resolved::Array(_) => "an array",
        _ => match r.value() {
            Some(Value::Null) | None => "null",
            Some(Value::Bool(_)) => "a boolean",
            Some(Value::Number(_)) => "a number",
            Some(Value::String(_)) => "a string",
            Some(Value::Array(_)) => "an array",
            Some(Value::Object(_)) => "an object",
        },
    }
}

impl Validator {
    /// Records an error.
    fn fail(&mut self, loc: Loc<'_>, message: String) {
        self.errors.push(SchemaError {
            field: loc.dotted(),
            message: format!("The value at {} {message}.", loc.pointer()),
        });
    }

    fn fail_type(&mut self, loc: Loc<'_>, expected: &str, value: &Resolved<'_>) {
        let word = kind_word(value);
        self.fail(loc, format!("must be {expected} but it was {word}"));
    }

    /// Coerces and checks `value` in place, recording errors.
    fn check(&mut self, value: &mut Resolved<'_>, field: &Field, loc: Loc<'_>) {
        if field.multiple {
            value.expand();
            let Resolved::Array(items) = value else {
                return self.fail_type(loc, "an array", value);
            };
            for (i, item) in items.iter_mut().enumerate() {
                self.check_single(item, field, Loc::Index(&loc, i));
            }
            return;
        }
        // coerceTypes "array": a one-element array stands for its element.
        if field.value_type != ValueType::Object
            && matches!(value, Resolved::Array(_) | Resolved::Ref(Value::Array(_)))
        {
            value.expand();
            if let Resolved::Array(items) = value
                && items.len() == 1
            {
                *value = items.remove(0);
                // AJV then coerces to the first type of the union: `datetime` is
                // ["string", "number"], so [7] becomes "7", not 7; and [null] becomes the type's
                // empty value ("", 0, false).
                match (field.value_type, value.value()) {
                    (ValueType::Datetime, Some(n @ Value::Number(_))) => {
                        *value = Resolved::Owned(Value::String(js_string(n)));
                    }
                    (kind, Some(Value::Null)) => {
                        *value = Resolved::Owned(match kind {
                            ValueType::Integer | ValueType::Number => Value::from(0),
                            ValueType::Boolean => Value::Bool(false),
                            _ => Value::String(String::new()),
                        });
                    }
                    _ => {}
                }
            }
        }
        self.check_single(value, field, loc)
    }

    fn check_single(&mut self, value: &mut Resolved<'_>, field: &Field, loc: Loc<'_>) {
        if field.value_type == ValueType::Object {
            value.expand();
            let Resolved::Object(fields) = value else {
                return self.fail_type(loc, "an object", value);
            };
            let mut cursor = 0;
            fields.retain_mut(|(k, v)| match field.property_from(k, &mut cursor) {
                Some(p) => {
                    self.check(v, p, Loc::Key(&loc, k));
                    true
                }
                None => {
                    // v3's product quantity and price are no keys of the release's product.
                    let v3_only = self.rules.v2 && field.key == "products" && PRODUCT_V3_KEYS.contains(&&**k);
                    if !v3_only {
                        self.dropped.push(Loc::Key(&loc, k).dotted());
                    }
                    false
                }
            });
            return;
        }
        let coerced = match (field.value_type, value.value()) {
            (ValueType::String, Some(Value::String(_))) => None,
            (ValueType::String, Some(v @ (Value::Number(_) | Value::Bool(_)))) => {
                Some(Value::String(js_string(v)))
            }
            (ValueType::String, _) => return self.fail_type(loc, "a string", value),
            (ValueType::Datetime, Some(Value::String(s))) => {
                if !self.date_like(s) {
                    return self.fail(loc, "must be a valid date-like string but it was not".into());
                }
                None
            }
            // ±Infinity is no number to AJV (`strictNumbers`): coerced to "Infinity", no date.
            (ValueType::Datetime, Some(Value::Number(n))) if is_infinity(n) => {
                return self.fail(loc, "must be a valid date-like string but it was not".into());
            }
            (ValueType::Datetime, Some(Value::Number(_))) => None,
            // AJV coerces a boolean to "true" / "false", then checks the format.
            (ValueType::Datetime, Some(v @ Value::Bool(_))) => {
                let s = js_string(v);
                if !self.date_like(&s) {
                    return self.fail(loc, "must be a valid date-like string but it was not".into());
                }
                Some(Value::String(s))
            }
            (ValueType::Datetime, _) => return self.fail_type(loc, "a string or a number", value),
            (ValueType::Integer | ValueType::Number, v) => {
                let integer = field.value_type == ValueType::Integer;
                // A number must be finite (AJV's `strictNumbers`); what AJV coerces (a string,
                // a boolean) is taken as `+data` gives it, ±Infinity included, and an integer's
                // only check is `!(data % 1)`, which Infinity passes.
                let n = match v {
                    Some(Value::Number(n)) => Some(js_f64(n)).filter(|n| n.is_finite()),
                    Some(Value::String(s)) => js_number(s),
                    Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
                    _ => None,
                };
                match n {
                    Some(n) if !integer || n.fract() == 0.0 || n.is_infinite() => match v {
                        Some(Value::Number(num)) if !(integer && num.is_f64()) => None,
                        _ => Some(number_value(n)),
                    },
                    _ => return self.fail_type(loc, if integer { "an integer" } else { "a number" }, value),
                }
            }
            (ValueType::Boolean, Some(Value::Bool(_))) => None,
            (ValueType::Boolean, Some(Value::String(s))) if s == "true" || s == "false" => {
                Some(Value::Bool(s == "true"))
            }
            (ValueType::Boolean, Some(Value::Number(n)))
                if n.as_f64() == Some(1.0) || n.as_f64() == Some(0.0) =>
            {
                Some(Value::Bool(n.as_f64() == Some(1.0)))
            }
            (ValueType::Boolean, _) => return self.fail_type(loc, "a boolean", value),
            (ValueType::Object, _) => unreachable!("objects are checked above"),
        };
        if let Some(v) = coerced {
            *value = Resolved::Owned(v);
        }
        let choices = self.choices(field);
        let allowed = |s: &str| {
            // Long lists (countries) are sorted; short ones are not.
            if choices.len() > 16 { choices.binary_search(&s).is_ok() } else { choices.contains(&s) }
        };
        if !choices.is_empty() && !value.as_str().is_some_and(allowed) {
            let list = if choices.len() > 12 {
                format!("the {} values Segment lists", choices.len())
            } else {
                let quoted: Vec<String> = choices.iter().map(|c| format!("{c:?}")).collect();
                match quoted.split_last() {
                    Some((last, [])) => last.clone(),
                    Some((last, rest)) => format!("{}, or {last}", rest.join(", ")),
                    None => String::new(),
                }
            };
            self.fail(loc, format!("must be one of: {list}"));
        }
    }

    /// v2: the release's `date-like` format; v3: a timestamp Reddit's v3 converts.
    fn date_like(&self, s: &str) -> bool {
        if self.rules.v2 { super::date_like::is_date_like(s) } else { crate::timestamp::parse(s).is_some() }
    }

    fn choices(&self, field: &Field) -> &'static [&'static str] {
        if field.key == "currency" && !self.rules.segment_currencies { &[] } else { field.choices }
    }
}

/// Product keys only v3 has.
const PRODUCT_V3_KEYS: [&str; 2] = ["quantity", "item_price"];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SEGMENT: Rules = Rules { segment_currencies: true, v2: true };

    /// Validates a payload given as plain JSON; the result as plain JSON.
    fn run_with(payload: Value, mode: Mode, rules: Rules) -> Result<Out, Vec<SchemaError>> {
        let Resolved::Object(fields) = Resolved::Ref(&payload).expanded() else { panic!() };
        validate(Action::StandardEvent, fields, mode, rules)
            .map(|v| Out { payload: Resolved::Object(v.payload).to_value(), dropped: v.dropped })
    }

    fn run(payload: Value, mode: Mode) -> Result<Out, Vec<SchemaError>> {
        run_with(payload, mode, SEGMENT)
    }

    #[derive(Debug)]
    struct Out {
        payload: Value,
        dropped: Vec<String>,
    }

    fn base() -> Value {
        json!({"event_at": "2024-01-08T13:52:50.212Z", "tracking_type": "Purchase"})
    }

    fn with(extra: Value) -> Value {
        let mut b = base();
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    }

    fn first_error(payload: Value) -> SchemaError {
        run(payload, Mode::Single).unwrap_err().remove(0)
    }

    #[test]
    fn numeric_strings_are_coerced_for_number_fields() {
        let ok =
            run(with(json!({"event_metadata": {"item_count": "3", "value_decimal": "12.50"}})), Mode::Single)
                .unwrap();
        assert_eq!(ok.payload["event_metadata"], json!({"item_count": 3, "value_decimal": 12.5}));
    }

    #[test]
    fn ajv_coerces_blank_strings_to_zero_and_infinity_strings_to_infinity() {
        // Known answers from the release: " ", "\t", "\u00a0" → 0 for an integer and a number;
        // "Infinity", "-Infinity", "1e400" → Infinity, which its JSON.stringify writes null.
        for blank in [" ", "\t", "\u{a0}"] {
            let ok = run(
                with(json!({"event_metadata": {"item_count": blank, "value_decimal": blank}})),
                Mode::Single,
            )
            .unwrap();
            assert_eq!(
                ok.payload["event_metadata"],
                json!({"item_count": 0, "value_decimal": 0}),
                "{blank:?}"
            );
        }
        for (s, negative) in [("Infinity", false), ("-Infinity", true), ("1e400", false), (" -1e999 ", true)]
        {
            let ok =
                run(with(json!({"event_metadata": {"item_count": s, "value_decimal": s}})), Mode::Single)
                    .unwrap();
            let infinity = crate::mapping::infinity(negative);
            assert_eq!(
                ok.payload["event_metadata"],
                json!({"item_count": infinity, "value_decimal": infinity})
            );
        }
    }

    #[test]
    fn an_infinite_number_is_no_number_to_ajv() {
        // The release (AJV's strictNumbers): JSON.parse's 1e400 is refused for a number or an
        // integer, coerced to "Infinity" for a string, and no date.
        let inf = crate::mapping::infinity(false);
        let e = run(with(json!({"event_metadata": {"item_count": inf, "value_decimal": inf}})), Mode::Single)
            .unwrap_err();
        assert_eq!(
            e[0].message,
            "The value at /event_metadata/item_count must be an integer but it was a number."
        );
        assert_eq!(
            e[1].message,
            "The value at /event_metadata/value_decimal must be a number but it was a number."
        );
        let ok = run(with(json!({"user": {"external_id": crate::mapping::infinity(true)}})), Mode::Single)
            .unwrap();
        assert_eq!(ok.payload["user"], json!({"external_id": "-Infinity"}));
        let e = first_error(json!({"event_at": inf, "tracking_type": "Purchase"}));
        assert!(e.message.contains("date-like"), "{}", e.message);
    }

    #[test]
    fn fractional_item_count_is_refused() {
        let e = first_error(with(json!({"event_metadata": {"item_count": 2.5}})));
        assert_eq!(e.field, "event_metadata.item_count");
        assert_eq!(
            e.message,
            "The value at /event_metadata/item_count must be an integer but it was a number."
        );
    }

    #[test]
    fn lowercase_currency_is_refused() {
        let e = first_error(with(json!({"event_metadata": {"currency": "usd"}})));
        assert_eq!(e.field, "event_metadata.currency");
        assert_eq!(
            e.message,
            "The value at /event_metadata/currency must be one of: the 165 values Segment lists."
        );
        // The release takes every code of its list (165, AED … ZWL), not only six.
        for code in ["JPY", "CHF", "AED", "ZWL", "SLE", "VED"] {
            let ok = run(with(json!({"event_metadata": {"currency": code}})), Mode::Single).unwrap();
            assert_eq!(ok.payload["event_metadata"]["currency"], code);
        }
        for code in ["BTC", "XXX", " USD"] {
            assert!(
                run(with(json!({"event_metadata": {"currency": code}})), Mode::Single).is_err(),
                "{code}"
            );
        }
        let relaxed = run_with(
            with(json!({"event_metadata": {"currency": "JPY"}})),
            Mode::Single,
            Rules { segment_currencies: false, v2: true },
        );
        assert!(relaxed.is_ok());
    }

    #[test]
    fn missing_or_unparseable_event_at_is_refused() {
        let e = first_error(json!({"tracking_type": "Purchase"}));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("event_at", "The root value is missing the required field 'event_at'.")
        );
        let e = first_error(json!({"event_at": "next tuesday", "tracking_type": "Purchase"}));
        assert_eq!(e.field, "event_at");
        assert!(e.message.contains("date-like"));
        // A root "" is removed first, so it reads as missing (single events only).
        let e = first_error(json!({"event_at": "", "tracking_type": "Purchase"}));
        assert!(e.message.contains("missing the required field"));
        let e = run(json!({"event_at": "", "tracking_type": "Purchase"}), Mode::Batch).unwrap_err().remove(0);
        assert!(e.message.contains("date-like"), "{}", e.message);
    }

    #[test]
    fn unknown_tracking_type_is_refused() {
        let e = first_error(json!({"event_at": "2024-01-08", "tracking_type": "Checkout"}));
        assert_eq!(e.field, "tracking_type");
    }

    #[test]
    fn nulls_go_everywhere_and_empty_strings_only_at_the_root() {
        let ok = run(
            with(json!({"click_id": "", "user": {"email": "", "ip_address": null}, "event_metadata": {"item_count": ""}})),
            Mode::Single,
        )
        .unwrap();
        assert!(ok.payload.get("click_id").is_none());
        assert_eq!(ok.payload["user"], json!({"email": ""}));
        assert_eq!(ok.payload["event_metadata"], json!({}));
        let batch = run(with(json!({"click_id": ""})), Mode::Batch).unwrap();
        assert_eq!(batch.payload["click_id"], "");
    }

    #[test]
    fn unknown_keys_in_objects_are_dropped_and_reported() {
        let ok = run(
            with(json!({"event_metadata": {"currency": "USD", "itemCount": 2, "value": 3}})),
            Mode::Single,
        )
        .unwrap();
        assert_eq!(ok.payload["event_metadata"], json!({"currency": "USD"}));
        assert_eq!(ok.dropped, ["event_metadata.itemCount", "event_metadata.value"]);
    }

    #[test]
    fn strings_accept_numbers_and_single_element_arrays() {
        let ok =
            run(with(json!({"user": {"external_id": 42, "uuid": ["u"]}, "click_id": true})), Mode::Single)
                .unwrap();
        assert_eq!(ok.payload["user"], json!({"external_id": "42", "uuid": "u"}));
        assert_eq!(ok.payload["click_id"], "true");
        // [null] is unwrapped and coerced to the type's empty value, as AJV does.
        let ok = run(
            with(json!({"user": {"external_id": [null]}, "event_metadata": {"item_count": [null]}})),
            Mode::Single,
        )
        .unwrap();
        assert_eq!(ok.payload["user"], json!({"external_id": ""}));
        assert_eq!(ok.payload["event_metadata"], json!({"item_count": 0}));
    }

    #[test]
    fn v2_products_are_the_releases_category_id_name() {
        // The release's product schema has no item_price: a non-numeric price is no refusal,
        // and quantity / item_price are removed without a lint.
        let payload =
            with(json!({"products": [{"id": "p1", "item_price": "free", "quantity": "x", "colour": "red"}]}));
        let ok = run(payload.clone(), Mode::Single).unwrap();
        assert_eq!(ok.payload["products"], json!([{"id": "p1"}]));
        assert_eq!(ok.dropped, ["products[0].colour"]);
        // v3 keeps Reddit's v3 product.
        let v3 = run_with(payload, Mode::Single, Rules { segment_currencies: true, v2: false }).unwrap_err();
        assert!(v3.iter().any(|e| e.field == "products[0].quantity"), "{v3:?}");
        assert!(v3.iter().any(|e| e.field == "products[0].item_price"), "{v3:?}");
    }

    #[test]
    fn v2_has_no_v3_fields() {
        let ok = run(with(json!({"action_source": 5, "event_source_url": {}})), Mode::Single).unwrap();
        assert!(ok.payload.get("action_source").is_none() && ok.payload.get("event_source_url").is_none());
        assert!(ok.dropped.is_empty());
    }

    #[test]
    fn event_at_is_checked_with_the_releases_date_like_format() {
        // Release output: 2024-02-30 is accepted and sent as given; U+2003-wrapped is refused.
        let ok = run(json!({"event_at": "2024-02-30T00:00:00Z", "tracking_type": "Purchase"}), Mode::Single)
            .unwrap();
        assert_eq!(ok.payload["event_at"], "2024-02-30T00:00:00Z");
        let e = first_error(
            json!({"event_at": "\u{2003}2024-01-08T13:52:50.212Z\u{2003}", "tracking_type": "Purchase"}),
        );
        assert_eq!(e.field, "event_at");
        // A one-element array is unwrapped and coerced to the union's first type, a string.
        let ok = run(json!({"event_at": [7], "tracking_type": "Purchase"}), Mode::Single).unwrap();
        assert_eq!(ok.payload["event_at"], "7");
        // A boolean is coerced to "true", which is no date.
        let e = first_error(json!({"event_at": true, "tracking_type": "Purchase"}));
        assert!(e.message.contains("date-like"), "{}", e.message);
    }

    #[test]
    fn products_are_arrayified_and_checked_per_item() {
        let ok = run(with(json!({"products": {"id": "p1"}})), Mode::Single).unwrap();
        assert_eq!(ok.payload["products"], json!([{"id": "p1"}]));
        let e = first_error(with(json!({"products": ["x"]})));
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("products[0]", "The value at /products/0 must be an object but it was a string.")
        );
    }

    #[test]
    fn data_processing_modes_and_country_follow_segment_choices() {
        assert!(
            run(with(json!({"data_processing_options": {"modes": "LDU", "country": "US"}})), Mode::Single)
                .is_ok()
        );
        let e = first_error(with(json!({"data_processing_options": {"country": "us"}})));
        assert_eq!(e.field, "data_processing_options.country");
        let e = first_error(with(json!({"data_processing_options": {"modes": "LDU,XYZ"}})));
        assert_eq!(e.field, "data_processing_options.modes");
    }
}
