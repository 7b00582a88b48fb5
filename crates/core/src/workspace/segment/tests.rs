use serde_json::{Value, json};

use super::*;

const SUBSCRIPTIONS: &str = include_str!("../../../../../tests/fixtures/segment/subscriptions.json");
const DESTINATION: &str = include_str!("../../../../../tests/fixtures/segment/destination.json");
/// The nine presets as the release (3.497.0) defines them, full mappings included.
const RELEASE_PRESETS: &str = include_str!("../../../../../tests/fixtures/segment/release-presets.json");
const TOKEN: &str = "fixture-conversion-token-Zk93";

fn input_subscriptions() -> Vec<Value> {
    let v: Value = serde_json::from_str(SUBSCRIPTIONS).unwrap();
    v["data"]["subscriptions"].as_array().unwrap().clone()
}

/// What the Public API takes back to create a subscription.
fn create_body(sub: &Value) -> Value {
    json!({"name": sub["name"], "actionId": sub["actionId"], "trigger": sub["trigger"],
           "enabled": sub["enabled"], "settings": sub["settings"]})
}

#[test]
fn import_then_export_gives_the_subscriptions_back() {
    let imported = import(SUBSCRIPTIONS, Some(DESTINATION)).unwrap();
    // Through the workspace file and back, as the CLI does.
    let text = imported.workspace.to_export_json();
    let workspace = Workspace::parse(&text).unwrap();
    let out = export(&workspace);
    let input = input_subscriptions();
    assert_eq!(out.subscriptions.len(), 3);
    for (sub, got) in input.iter().zip(&out.subscriptions).take(2) {
        assert_eq!(*got, create_body(sub), "{}", sub["name"]);
    }
    // The unknown action comes back whole (with its modelId).
    let audience = &out.subscriptions[2];
    assert_eq!(audience["actionId"], "act_unknown_1Ab");
    assert_eq!(audience["settings"], input[2]["settings"]);
    assert_eq!(audience["modelId"], "model_9");
}

#[test]
fn unknown_actions_and_fields_are_named_not_dropped() {
    let imported = import(SUBSCRIPTIONS, None).unwrap();
    let notes = imported.notes.join("\n");
    assert!(notes.contains("\"syncAudience\""), "{notes}");
    assert!(notes.contains("\"batch_size\""), "{notes}");
    let link = imported.workspace.segment.as_ref().unwrap();
    assert_eq!(link.unsupported.len(), 1);
    assert_eq!(link.unknown_fields["Purchase"]["batch_size"], 500);
    // The known part runs: two mappings that compile.
    assert_eq!(imported.workspace.compile(crate::identity::Profile::Segment).unwrap().len(), 2);
}

#[test]
fn a_default_field_segment_lacks_stays_absent() {
    let imported = import(SUBSCRIPTIONS, None).unwrap();
    let purchase = &imported.workspace.mappings[0];
    // Segment's Purchase subscription has no click_id: it must not come back from the defaults.
    assert_eq!(purchase.mapping["click_id"], Value::Null);
    assert_eq!(purchase.action, Some(Action::StandardEvent));
    assert!(!purchase.mapping.contains_key("batch_size"));
}

#[test]
fn the_destination_token_goes_to_the_caller_never_the_workspace() {
    let imported = import(SUBSCRIPTIONS, Some(DESTINATION)).unwrap();
    assert_eq!(imported.token.as_ref().map(Secret::expose), Some(TOKEN));
    let ws = &imported.workspace;
    assert_eq!(ws.settings.pixel_id, "a2_fixture_pixel");
    assert!(ws.settings.test_mode);
    assert_eq!(ws.segment.as_ref().unwrap().destination_id.as_deref(), Some("dest_reddit_42"));
    let text = ws.to_export_json();
    assert!(!text.contains(TOKEN) && !text.contains("Zk93"), "{text}");
    let out = export(ws);
    assert!(!out.curl.contains(TOKEN));
    let notes = imported.notes.join("\n");
    assert!(notes.contains("conversion token") && notes.contains("\"region\""), "{notes}");
    assert!(!notes.contains(TOKEN));
}

#[test]
fn the_curl_reads_the_token_from_the_environment() {
    let out = export(&import(SUBSCRIPTIONS, Some(DESTINATION)).unwrap().workspace);
    assert_eq!(out.curl.matches("curl ").count(), 3);
    assert!(out.curl.contains("-H \"Authorization: Bearer $SEGMENT_TOKEN\""));
    assert!(out.curl.contains("https://api.segmentapis.com/destinations/dest_reddit_42/subscriptions"));
    // Each body is the JSON of one subscription, between heredoc markers.
    let first = out.curl.split("<<'JSON'\n").nth(1).unwrap().split("\nJSON\n").next().unwrap();
    assert_eq!(serde_json::from_str::<Value>(first).unwrap(), out.subscriptions[0]);
}

#[test]
fn the_presets_export_as_the_release_defines_them() {
    let release: Vec<Value> = serde_json::from_str(RELEASE_PRESETS).unwrap();
    let out = export(&Workspace::presets());
    // The browser plugin is a web destination of its own.
    assert_eq!(out.subscriptions.len(), 8);
    for (preset, got) in release.iter().skip(1).zip(&out.subscriptions) {
        assert_eq!(got["name"], preset["name"]);
        assert_eq!(got["trigger"], preset["subscribe"]);
        assert_eq!(got["settings"], preset["mapping"], "{}", preset["name"]);
    }
    assert!(out.curl.contains("$SEGMENT_DESTINATION_ID"));
    assert!(out.notes.iter().any(|n| n.contains("actionId")));
}

#[test]
fn a_destination_without_test_mode_is_in_production_as_at_segment() {
    let dest = r#"{"data": {"destination": {"id": "d1", "settings": {"ad_account_id": " a2_p "}}}}"#;
    let imported = import("[]", Some(dest)).unwrap();
    assert!(!imported.workspace.settings.test_mode);
    assert_eq!(imported.workspace.settings.pixel_id, "a2_p");
    assert!(imported.token.is_none());
    // Without a destination, the console's safe default (test mode on) stays.
    assert!(import("[]", None).unwrap().workspace.settings.test_mode);
}

#[test]
fn bad_input_names_the_place() {
    let e = import("{\"data\": ", None).unwrap_err().to_string();
    assert!(e.starts_with("subscriptions: line 1"), "{e}");
    let e = import(r#"{"data": {"subscriptions": [{"actionSlug": "standardEvent", "name": "x"}]}}"#, None)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "subscriptions: subscriptions[0].trigger: a subscription needs a trigger");
    let e = import(r#"{"data": {"subscriptions": [{"actionSlug": "customEvent", "trigger": "type = \"track\"", "enabled": "yes"}]}}"#, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("subscriptions[0].enabled: must be true or false"), "{e}");
    let e = import("[]", Some("[1]")).unwrap_err().to_string();
    assert!(e.starts_with("destination:"), "{e}");
}

#[test]
fn one_subscription_and_bare_arrays_are_read_too() {
    let one = r#"{"data": {"subscription": {"name": "P", "actionSlug": "standardEvent", "trigger": "type = \"page\"", "settings": {"tracking_type": "PageVisit"}}}}"#;
    assert_eq!(import(one, None).unwrap().workspace.mappings.len(), 1);
    let bare = r#"[{"name": "P", "actionSlug": "standardEvent", "trigger": "type = \"page\"", "settings": {}},
                   {"name": "P", "actionSlug": "standardEvent", "trigger": "type = \"page\"", "settings": {}}]"#;
    let names: Vec<String> =
        import(bare, None).unwrap().workspace.mappings.into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["P", "P (2)"]);
}

#[test]
fn secrets_kept_by_an_older_import_are_never_read_or_exported() {
    let mut workspace = import(SUBSCRIPTIONS, None).unwrap().workspace;
    let link = workspace.segment.as_mut().unwrap();
    link.unknown_fields.get_mut("Purchase").unwrap().insert("api_key".into(), json!("sk_left_1111"));
    link.unsupported[0]["settings"]["auth"] = json!({"token": "sk_left_2222"});
    // In memory (as an older import left it): the export leaves them out and says where.
    let out = export(&workspace);
    let text = format!("{:?}{}", out.subscriptions, out.curl);
    assert!(!text.contains("sk_left"), "{text}");
    let notes = out.notes.join("\n");
    assert!(notes.contains("settings.api_key") && notes.contains("subscription.settings.auth"), "{notes}");
    // From a file: not even read, so the app's next save drops them.
    let parsed = Workspace::parse(&workspace.to_export_json()).unwrap();
    assert!(!parsed.to_export_json().contains("sk_left"));
    assert_eq!(parsed.segment.unwrap().unknown_fields["Purchase"]["batch_size"], 500, "the rest is kept");
}

/// `n` subscriptions named as `name(i)` gives, all with the same trigger and no settings.
fn named_subscriptions(n: usize, name: impl Fn(usize) -> String) -> String {
    let subs: Vec<Value> = (0..n)
        .map(|i| json!({"name": name(i), "actionSlug": "standardEvent", "trigger": "type = \"page\"", "settings": {}}))
        .collect();
    json!({"data": {"subscriptions": subs}}).to_string()
}

#[test]
fn same_named_subscriptions_are_numbered_as_the_app_tells_names_apart() {
    // Names differing only by case or spaces are the same name to the app: numbered, not refused.
    let names: Vec<String> = import(&named_subscriptions(4, |i| ["P", "p", " P ", "P (2)"][i].into()), None)
        .unwrap()
        .workspace
        .mappings
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(names, ["P", "p (2)", " P  (3)", "P (2) (2)"]);
    // Numbering the fiftieth same name takes one lookup per name, not a scan per candidate.
    let mut names = Names::default();
    let given: Vec<String> = (0..4000).map(|_| names.unique("Purchase")).collect();
    assert_eq!(given[3999], "Purchase (4000)");
    assert_eq!(names.next["purchase"], 4001, "each candidate tried once");
    // Past the workspace's 50 mappings the import is refused whole.
    let e = import(&named_subscriptions(51, |_| "Purchase".into()), None).unwrap_err().to_string();
    assert!(e.contains("51 mappings: a workspace holds at most 50"), "{e}");
}

#[test]
fn a_subscription_the_console_cannot_run_is_refused_naming_it() {
    let sub = |trigger: &str, settings: Value| {
        json!({"data": {"subscriptions": [
            {"name": "Fine", "actionSlug": "standardEvent", "trigger": "type = \"page\"", "settings": {}},
            {"name": "Broken", "actionSlug": "standardEvent", "trigger": trigger, "settings": settings}]}})
        .to_string()
    };
    let e = import(&sub("type = = ", json!({})), None).unwrap_err().to_string();
    assert!(e.starts_with("subscriptions: subscriptions[1].trigger: \"Broken\": "), "{e}");
    let e = import(&sub("type = \"track\"", json!({"conversion_id": {"@path": 5}})), None)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("subscriptions: subscriptions[1].settings.conversion_id: \"Broken\": "), "{e}");
    // What is imported compiles: the next command reading the workspace takes it.
    let fine =
        import(&sub("type = \"track\"", json!({"conversion_id": {"@path": "$.messageId"}})), None).unwrap();
    let text = fine.workspace.to_export_json();
    assert_eq!(Workspace::parse(&text).unwrap().compile(crate::identity::Profile::Segment).unwrap().len(), 2);
}
