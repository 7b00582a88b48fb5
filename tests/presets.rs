//! Segment's nine presets (spec §4), run through the library on typical Segment events from
//! `tests/fixtures/events/`.

use reddit_capi_console::engine::{Engine, Item, Options, Selection};
use reddit_capi_console::identity::Profile;
use reddit_capi_console::reddit::{ApiVersion, Level, Lint};
use reddit_capi_console::segment::{Event, parse_events};
use reddit_capi_console::workspace::{Workspace, WorkspaceError};
use serde_json::{Value, json};

/// 2024-01-08T13:52:50.212Z plus a minute: the fixtures' timestamps are fresh.
const NOW_MS: i64 = 1_704_721_970_212 + 60_000;
const PLUGIN: &str = "Reddit Browser Plugin";

/// Fixture file, preset it is typical for, v2 tracking type (None: web only).
const PRESETS: [(&str, &str, Option<&str>); 9] = [
    ("reddit-browser-plugin.json", PLUGIN, None),
    ("page-visit.json", "Page Visit", Some("PageVisit")),
    ("view-content.json", "View Content", Some("ViewContent")),
    ("search.json", "Search", Some("Search")),
    ("add-to-cart.json", "Add to Cart", Some("AddToCart")),
    ("add-to-wishlist.json", "Add to Wishlist", Some("AddToWishlist")),
    ("purchase.json", "Purchase", Some("Purchase")),
    ("lead.json", "Lead", Some("Lead")),
    ("sign-up.json", "Sign Up", Some("SignUp")),
];

fn fixture(name: &str) -> Vec<Event> {
    let path = format!("{}/tests/fixtures/events/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let events = parse_events(&text, name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(events.len(), 1, "{name} holds one event");
    events
}

fn engine(profile: Profile, api: ApiVersion) -> Engine {
    let workspace = Workspace::presets();
    let mut settings = workspace.settings.clone();
    settings.pixel_id = "a2_presets".into();
    settings.profile = profile;
    settings.api_version = api;
    Engine::new(&workspace, settings).unwrap()
}

fn options() -> Options {
    Options { now_ms: NOW_MS, ..Options::default() }
}

fn names(engine: &Engine, indexes: &[usize]) -> Vec<String> {
    indexes.iter().map(|&i| engine.mappings[i].name.clone()).collect()
}

/// The one request `mapping` built for the fixture (its event body and the request's lints).
fn built(engine: &Engine, events: &[Event], mapping: &str) -> (Value, Vec<Lint>) {
    let items = engine.preview(events, Selection::Triggers, &options());
    let mut found = items.into_iter().filter_map(|item| match item {
        Item::Request { mapping: m, request, lints, event_indexes, .. } if m == mapping => {
            assert_eq!(event_indexes, [0]);
            Some((request.body.to_value(), lints))
        }
        _ => None,
    });
    let (body, lints) = found.next().unwrap_or_else(|| panic!("no request from {mapping:?}"));
    assert!(found.next().is_none(), "one request from {mapping:?}");
    let event = match engine.settings.api_version {
        ApiVersion::V2 => body["events"][0].clone(),
        ApiVersion::V3 => body["data"]["events"][0].clone(),
    };
    (event, lints)
}

#[test]
fn the_presets_workspace_holds_segments_nine_presets_in_order() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    let all: Vec<usize> = (0..engine.mappings.len()).collect();
    let want: Vec<&str> = PRESETS.iter().map(|(_, name, _)| *name).collect();
    assert_eq!(names(&engine, &all), want);
    assert!(engine.mappings.iter().all(|m| m.enabled));
}

#[test]
fn each_typical_event_triggers_its_preset_and_only_that_one_plus_the_browser_plugin() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    for (file, preset, _) in PRESETS {
        let events = fixture(file);
        let matched = names(&engine, &engine.matching(&events[0]));
        let want: Vec<&str> = if preset == PLUGIN { vec![PLUGIN] } else { vec![PLUGIN, preset] };
        assert_eq!(matched, want, "{file}");
    }
}

#[test]
fn each_preset_sends_its_tracking_type() {
    for profile in Profile::ALL {
        let engine = engine(profile, ApiVersion::V2);
        for (file, preset, tracking_type) in PRESETS {
            let Some(tracking_type) = tracking_type else { continue };
            let (event, lints) = built(&engine, &fixture(file), preset);
            assert_eq!(event["event_type"], json!({"tracking_type": tracking_type}), "{file} ({profile})");
            assert_eq!(event["event_at"], "2024-01-08T13:52:50.212Z");
            assert!(!lints.iter().any(|l| l.level == Level::Error), "{file} ({profile}): {lints:?}");
        }
    }
}

#[test]
fn each_preset_sends_the_v3_tracking_type_in_upper_snake_case() {
    let engine = engine(Profile::Segment, ApiVersion::V3);
    let upper = [
        ("Page Visit", "PAGE_VISIT"),
        ("View Content", "VIEW_CONTENT"),
        ("Search", "SEARCH"),
        ("Add to Cart", "ADD_TO_CART"),
        ("Add to Wishlist", "ADD_TO_WISHLIST"),
        ("Purchase", "PURCHASE"),
        ("Lead", "LEAD"),
        ("Sign Up", "SIGN_UP"),
    ];
    for (file, preset, _) in PRESETS.iter().skip(1) {
        let want = upper.iter().find(|(p, _)| p == preset).unwrap().1;
        let (event, _) = built(&engine, &fixture(file), preset);
        assert_eq!(event["type"], json!({"tracking_type": want}), "{file}");
        assert_eq!(event["action_source"], "WEBSITE");
        assert_eq!(event["event_at"], 1_704_721_970_212_i64);
    }
}

#[test]
fn page_visit_view_content_and_search_send_no_currency_or_value() {
    for profile in Profile::ALL {
        let engine = engine(profile, ApiVersion::V2);
        for (file, preset) in [
            ("page-visit.json", "Page Visit"),
            ("view-content.json", "View Content"),
            ("search.json", "Search"),
        ] {
            // The fixtures carry currency, price, revenue and quantity all the same.
            let events = fixture(file);
            let props = events[0].properties().unwrap();
            assert!(["currency", "price", "revenue", "quantity"].iter().all(|k| props.contains_key(*k)));
            let (event, lints) = built(&engine, &events, preset);
            let meta = event["event_metadata"].as_object().unwrap();
            let keys: Vec<&str> = meta.keys().map(String::as_str).collect();
            assert_eq!(keys, ["conversion_id"], "{file} ({profile}): only the hashed messageId");
            assert!(lints.iter().all(|l| !l.field.contains("event_metadata")), "{file}: {lints:?}");
        }
    }
}

#[test]
fn lead_and_sign_up_take_value_decimal_from_price() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    let cases = [("lead.json", "Lead", "GBP", 49.5), ("sign-up.json", "Sign Up", "CAD", 9.75)];
    for (file, preset, currency, price) in cases {
        let (event, _) = built(&engine, &fixture(file), preset);
        let meta = &event["event_metadata"];
        // Not revenue (5) nor total (7), and no item_count although quantity is 2.
        assert_eq!(meta["value_decimal"], json!(price), "{file}");
        assert_eq!(meta["currency"], currency, "{file}");
        assert!(meta.get("item_count").is_none(), "{file}: {meta}");
    }
}

#[test]
fn purchase_uses_the_field_defaults() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    let (event, _) = built(&engine, &fixture("purchase.json"), "Purchase");
    assert_eq!(
        event["event_metadata"],
        json!({
            "currency": "USD",
            "item_count": 2,
            "value_decimal": 30,
            "products": [{"category": "Kitchen", "id": "sku-1", "name": "Mug"}],
            "conversion_id": "5184171f53a0fd17f59ea50fac8e11d9eb589ed0692920ee4f52a357112e6802"
        })
    );
    assert_eq!(event["user"]["email"], "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a");
    assert_eq!(
        event["user"]["external_id"],
        "3482ae91c8ec52c06e19d618d400b3985814bf705e00947a302ec849a6575c4c"
    );
}

#[test]
fn add_to_cart_and_wishlist_reproduce_segments_key_bug_in_the_segment_profile() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    for (file, preset, currency) in
        [("add-to-cart.json", "Add to Cart", "USD"), ("add-to-wishlist.json", "Add to Wishlist", "EUR")]
    {
        let (event, lints) = built(&engine, &fixture(file), preset);
        let meta = event["event_metadata"].as_object().unwrap();
        let keys: Vec<&str> = meta.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["currency", "conversion_id"],
            "{file}: only currency (and the hashed messageId) reach Reddit"
        );
        assert_eq!(meta["currency"], currency);

        let item_count = lints
            .iter()
            .find(|l| l.field.starts_with("mapping.event_metadata.itemCount"))
            .unwrap_or_else(|| panic!("{file}: no itemCount lint in {lints:?}"));
        assert_eq!(item_count.level, Level::Warning);
        assert!(
            item_count.hint.as_deref().is_some_and(|h| h.contains("event_metadata.item_count")),
            "{item_count:?}"
        );
        assert!(item_count.message.contains(preset), "{item_count:?}");

        let value = lints
            .iter()
            .find(|l| l.field == "mapping.event_metadata.value")
            .unwrap_or_else(|| panic!("{file}: no value lint in {lints:?}"));
        assert_eq!(value.level, Level::Warning);
        assert!(
            value.hint.as_deref().is_some_and(|h| h.contains("event_metadata.value_decimal")),
            "{value:?}"
        );
    }
}

#[test]
fn add_to_cart_and_wishlist_send_item_count_and_value_in_the_reddit_profile() {
    let v2 = engine(Profile::Reddit, ApiVersion::V2);
    let cases = [
        ("add-to-cart.json", "Add to Cart", "USD", 2, 19.99),
        ("add-to-wishlist.json", "Add to Wishlist", "EUR", 3, 34.5),
    ];
    for (file, preset, currency, quantity, price) in cases {
        let (event, lints) = built(&v2, &fixture(file), preset);
        let meta = &event["event_metadata"];
        assert_eq!(meta["currency"], currency, "{file}");
        assert_eq!(meta["item_count"], quantity, "{file}");
        assert_eq!(meta["value_decimal"], json!(price), "{file}: price, not revenue");
        assert!(lints.iter().all(|l| !l.field.starts_with("mapping.")), "{file}: {lints:?}");
    }

    // v3 carries them as metadata.item_count and metadata.value.
    let v3 = engine(Profile::Reddit, ApiVersion::V3);
    let (event, _) = built(&v3, &fixture("add-to-cart.json"), "Add to Cart");
    assert_eq!(event["metadata"]["item_count"], 2);
    assert_eq!(event["metadata"]["value"], json!(19.99));
}

#[test]
fn browser_plugin_builds_no_request_but_explains_why() {
    let engine = engine(Profile::Segment, ApiVersion::V2);
    let items = engine.preview(&fixture("reddit-browser-plugin.json"), Selection::Triggers, &options());
    assert_eq!(items.len(), 1, "{items:?}");
    let Item::WebOnly { event_index, mapping, note } = &items[0] else { panic!("{:?}", items[0]) };
    assert_eq!((*event_index, mapping.as_str()), (0, PLUGIN));
    assert!(note.contains("rdt_cid") && note.contains("_rdt_uuid"), "{note}");
    assert!(note.contains("builds no request"), "{note}");

    // Forced onto an order, it still builds nothing.
    let plugin = engine.find(PLUGIN).unwrap();
    let items = engine.preview(&fixture("purchase.json"), Selection::Mapping(plugin), &options());
    assert!(matches!(items.as_slice(), [Item::WebOnly { event_index: 0, .. }]), "{items:?}");
}

fn workspace_with(n: usize) -> String {
    let mappings: Vec<Value> =
        (0..n).map(|i| json!({"name": format!("Page Visit {i}"), "preset": "Page Visit"})).collect();
    json!({"format": "reddit-capi-console/workspace", "version": 1, "mappings": mappings}).to_string()
}

#[test]
fn a_workspace_holds_at_most_fifty_mappings() {
    let fifty = Workspace::parse(&workspace_with(50)).expect("50 mappings load");
    assert_eq!(fifty.mappings.len(), 50);
    let engine = Engine::new(&fifty, fifty.settings.clone()).unwrap();
    assert_eq!(engine.matching(&fixture("page-visit.json")[0]).len(), 50);

    let err = Workspace::parse(&workspace_with(51)).unwrap_err();
    assert_eq!(err, WorkspaceError::TooManyMappings(51));
    assert_eq!(err.to_string(), "51 mappings: a workspace holds at most 50");

    // A workspace grown past the limit in memory is refused when compiled, too.
    let mut grown = fifty.clone();
    grown.mappings.push(grown.mappings[0].clone());
    grown.mappings[50].name = "Page Visit 50".into();
    assert_eq!(Engine::new(&grown, grown.settings.clone()).unwrap_err(), WorkspaceError::TooManyMappings(51));
}

#[test]
fn a_trigger_segment_reads_differently_gets_a_lint_with_the_parenthesized_form() {
    let workspace = Workspace::parse(
        r#"{"format": "reddit-capi-console/workspace", "version": 1, "settings": {"pixel_id": "p"},
            "mappings": [{"name": "M", "action": "customEvent",
              "subscribe": "type = \"track\" and event = \"A\" or event = \"B\"",
              "mapping": {"custom_event_name": "x"}}]}"#,
    )
    .unwrap();
    let engine = Engine::new(&workspace, workspace.settings.clone()).unwrap();
    let events = parse_events(
        r#"{"type": "track", "event": "A", "timestamp": "2024-01-08T13:52:50Z", "userId": "u"}"#,
        "e",
    )
    .unwrap();
    let items = engine.preview(&events, Selection::Triggers, &Options::default());
    let Item::Request { lints, .. } = &items[0] else { panic!("{items:?}") };
    let lint = lints.iter().find(|l| l.field == "mapping.subscribe").expect("a trigger lint");
    assert_eq!(
        lint.hint.as_deref(),
        Some(r#"Write it with parentheses: (type = "track" and event = "A") or event = "B""#)
    );
}
