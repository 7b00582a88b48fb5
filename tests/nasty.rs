//! Hostile and odd inputs through the whole pipeline: none may panic; each gets a clear error,
//! a lint, or a documented result.

use reddit_capi_console::engine::{Engine, Item, Options, Selection};
use reddit_capi_console::identity::{self, IdentifierField, Profile};
use reddit_capi_console::reddit::{ApiVersion, Level, Settings};
use reddit_capi_console::segment::parse_events;
use reddit_capi_console::timestamp::{format_rfc3339, now_millis};
use reddit_capi_console::workspace::Workspace;
use serde_json::{Value, json};

fn run(event: Value, version: ApiVersion) -> Vec<Item> {
    let settings = Settings {
        pixel_id: "a2_x".into(),
        api_version: version,
        test_id: Some("t".into()),
        ..Settings::default()
    };
    let engine = Engine::new(&Workspace::presets(), settings).unwrap();
    let events = parse_events(&event.to_string(), "nasty").unwrap();
    engine.preview(&events, Selection::Mapping(engine.find("Purchase").unwrap()), &Options::default())
}

fn purchase() -> Value {
    json!({"type": "track", "event": "Order Completed", "messageId": "m-1", "timestamp": format_rfc3339(now_millis()),
           "userId": "u-1", "properties": {"currency": "USD", "revenue": 10}})
}

fn lints(items: &[Item]) -> Vec<(String, Level)> {
    items
        .iter()
        .flat_map(|i| match i {
            Item::Request { lints, .. } => lints.iter().map(|l| (l.field.clone(), l.level)).collect(),
            _ => vec![],
        })
        .collect()
}

#[test]
fn byte_order_marks_nbsp_and_feff() {
    assert_eq!(parse_events("\u{feff}{\"type\":\"track\"}", "bom").unwrap().len(), 1);
    let plain = identity::hash_value(IdentifierField::Email, Profile::Segment, "a@b.co").unwrap();
    for padded in ["\u{a0}a@b.co\u{a0}", "\u{feff}a@b.co", " a@b.co\u{feff} "] {
        assert_eq!(
            identity::hash_value(IdentifierField::Email, Profile::Segment, padded).unwrap(),
            plain,
            "{padded:?}"
        );
    }
}

#[test]
fn lone_surrogates_and_deep_nesting_are_read_as_json_parse_reads_them() {
    // JSON.parse reads both; the console reads nesting up to its own limit, then says so.
    assert_eq!(parse_events("{\"a\": \"\\udc00\"}", "x").unwrap().len(), 1);
    let deep = |n: usize| format!("{{\"a\": {}{}}}", "[".repeat(n), "]".repeat(n));
    assert_eq!(parse_events(&deep(300), "x").unwrap().len(), 1);
    let e = parse_events(&deep(600), "x").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (1, "nesting deeper than 512 levels (the most the console reads)")
    );
    // A lone surrogate goes out as the release's JSON.stringify writes it.
    let mut event = purchase();
    event["context"]["userAgent"] = json!("placeholder");
    let text = event.to_string().replace("placeholder", "Mozilla\\ud83c");
    let event = parse_events(&text, "x").unwrap().remove(0).into_value();
    let items = run(event, ApiVersion::V2);
    let Item::Request { request, .. } = &items[0] else { panic!("{items:?}") };
    let body = String::from_utf8(request.body.to_json_bytes()).unwrap();
    assert!(body.contains(r#""user_agent":"Mozilla\ud83c""#), "{body}");
}

#[test]
fn a_ten_megabyte_event_builds() {
    let mut e = purchase();
    e["properties"]["blob"] = json!("x".repeat(10 * 1024 * 1024));
    let items = run(e, ApiVersion::V2);
    assert!(matches!(items[0], Item::Request { .. }));
}

#[test]
fn custom_event_names_are_counted_in_characters() {
    let ws = Workspace::parse(r#"{"format": "reddit-capi-console/workspace", "version": 1, "settings": {"pixel_id": "p"},
        "mappings": [{"name": "C", "action": "customEvent", "subscribe": "type = \"track\"", "mapping": {"custom_event_name": {"@path": "$.event"}}}]}"#).unwrap();
    let engine = Engine::new(&ws, ws.settings.clone()).unwrap();
    for (name, error) in [("é".repeat(64), false), ("é".repeat(65), true), ("😀".repeat(64), false)] {
        let mut e = purchase();
        e["event"] = json!(name);
        let events = parse_events(&e.to_string(), "x").unwrap();
        let items = engine.preview(&events, Selection::Triggers, &Options::default());
        let has_error =
            lints(&items).iter().any(|(f, l)| f.ends_with("custom_event_name") && *l == Level::Error);
        assert_eq!(has_error, error, "{} characters", name.chars().count());
    }
}

#[test]
fn epoch_seconds_versus_milliseconds_in_v3() {
    let now = now_millis();
    let mut e = purchase();
    e["timestamp"] = json!(now / 1000);
    assert!(lints(&run(e, ApiVersion::V3)).contains(&("data.events[0].event_at".into(), Level::Error)));
    let mut e = purchase();
    e["timestamp"] = json!(now);
    assert!(!lints(&run(e, ApiVersion::V3)).iter().any(|(f, _)| f.ends_with("event_at")));
}

#[test]
fn the_seven_day_window_edges() {
    let now = now_millis();
    let week = 168 * 3_600_000;
    for (at, warned) in [
        (now - week + 60_000, false),
        (now - week - 60_000, true),
        (now + 4 * 60_000, false),
        (now + 6 * 60_000, true),
    ] {
        let mut e = purchase();
        e["timestamp"] = json!(format_rfc3339(at));
        let warned_now = lints(&run(e, ApiVersion::V2)).iter().any(|(f, _)| f == "events[0].event_at");
        assert_eq!(warned_now, warned, "{}", format_rfc3339(at));
    }
}

#[test]
fn idn_domains_and_unicode_normal_forms_hash_without_surprises() {
    for profile in [Profile::Segment, Profile::Reddit] {
        let h = identity::hash_identifier(IdentifierField::Email, profile, "Jürgen@Bücher.DE").unwrap();
        assert_eq!(h.normalized, "jürgen@bücher.de", "{profile}");
    }
    // NFC and NFD spellings are different bytes, so different hashes: neither Segment nor Reddit
    // normalizes Unicode forms.
    let nfc = identity::hash_value(IdentifierField::Email, Profile::Segment, "jos\u{e9}@x.es").unwrap();
    let nfd = identity::hash_value(IdentifierField::Email, Profile::Segment, "jose\u{301}@x.es").unwrap();
    assert_ne!(nfc, nfd);
}

#[test]
fn huge_numbers_do_not_panic() {
    for (revenue, quantity) in [
        (json!(1e308), json!(1e20)),
        (json!(-0.0), json!(0)),
        (json!("1e400"), json!("99999999999999999999")),
    ] {
        let mut e = purchase();
        e["properties"]["revenue"] = revenue;
        e["properties"]["quantity"] = quantity;
        let items = run(e, ApiVersion::V2);
        assert!(matches!(items[0], Item::Request { .. } | Item::Refused { .. }));
    }
}
