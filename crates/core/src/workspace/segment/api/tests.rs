use serde_json::{Value, json};

use super::*;
use crate::workspace::segment::import;

const SUBSCRIPTIONS: &str = include_str!("../../../../../../tests/fixtures/segment/subscriptions.json");

fn existing() -> Vec<Value> {
    let v: Value = serde_json::from_str(SUBSCRIPTIONS).unwrap();
    v["data"]["subscriptions"].as_array().unwrap().clone()
}

#[test]
fn regions_have_their_own_hosts() {
    assert_eq!(Region::Us.base_url(), "https://api.segmentapis.com");
    assert_eq!(Region::Eu.base_url(), "https://eu1.api.segmentapis.com");
}

#[test]
fn paths_carry_checked_ids_and_an_encoded_cursor() {
    assert_eq!(
        subscriptions_page_path("dest_1", Some("a b/=")).unwrap(),
        "/destinations/dest_1/subscriptions?pagination%5Bcount%5D=200&pagination%5Bcursor%5D=a%20b%2F%3D"
    );
    assert_eq!(update_path("d", "s-2").unwrap(), "/destinations/d/subscriptions/s-2");
    assert_eq!(destination_path("../x"), Err(BadId("../x".into())));
    assert!(update_path("d", "a?b").is_err());
}

#[test]
fn pages_gather_into_one_answer_and_a_looping_cursor_stops() {
    let subs = existing();
    let mut pages = Pages::default();
    let first = json!({"data": {"subscriptions": [subs[0]], "pagination": {"current": "c0", "next": "c1"}}});
    assert_eq!(pages.add(&first.to_string()).unwrap().as_deref(), Some("c1"));
    let last =
        json!({"data": {"subscriptions": [subs[1], subs[2]], "pagination": {"current": "c1", "next": null}}});
    assert_eq!(pages.add(&last.to_string()).unwrap(), None);
    let answer = pages.into_answer();
    let direct = import(SUBSCRIPTIONS, None).unwrap();
    assert_eq!(import(&answer, None).unwrap().workspace, direct.workspace);

    let mut looping = Pages::default();
    looping.add(&first.to_string()).unwrap();
    assert!(looping.add(&first.to_string()).unwrap_err().to_string().contains("\"c1\" came back"));
}

#[test]
fn errors_are_explained_with_segments_own_message() {
    let body = r#"{"errors":[{"type":"unauthorized","message":"Invalid token"}]}"#;
    let none = |_: &str| None;
    let e = explain(401, body, "destination", none).to_string();
    assert!(e.contains("refused the token (401)") && e.contains("Invalid token (unauthorized)"), "{e}");
    assert!(explain(403, "", "x", none).to_string().contains("scope or the workspace access"));
    assert!(explain(404, "", "destination \"d\"", none).to_string().contains("no destination \"d\" (404)"));
    let headers = |h: &str| (h == "retry-after").then(|| "17".to_string());
    assert!(explain(429, "", "x", headers).to_string().contains("wait 17 s (Retry-After)"));
    let reset = |h: &str| (h == "x-ratelimit-reset").then(|| "1767225600".to_string());
    assert!(explain(429, "", "x", reset).to_string().contains("resets at 2026-01-01T00:00:00.000Z"));
    assert_eq!(explain(503, "down\n", "x", none), ApiError::Server { status: 503, said: "down".into() });
}

#[test]
fn plan_finds_creates_updates_and_unchanged() {
    let mut workspace = import(SUBSCRIPTIONS, None).unwrap().workspace;
    let unchanged = plan(&workspace, &existing()).unwrap();
    assert!(unchanged.is_empty(), "{:?}", unchanged.lines());
    assert_eq!(unchanged.changes.len(), 3);

    workspace.mappings[0].subscribe = Some("type = \"track\" and event = \"Order Done\"".into());
    let mut added = workspace.mappings[1].clone();
    added.name = "Brand new".into();
    workspace.mappings.push(added);
    let p = plan(&workspace, &existing()).unwrap();
    assert_eq!(
        p.lines(),
        [
            "update     \"Purchase\" (sub_purchase_1): trigger",
            "unchanged  \"Checkout step\" (sub_checkout_2)",
            "create     \"Brand new\"",
            "unchanged  \"Audience sync\" (sub_audience_3)",
        ]
    );
    let Change::Update { body, .. } = &p.changes[0] else { panic!("{:?}", p.changes[0]) };
    assert_eq!(body["input"]["trigger"], "type = \"track\" and event = \"Order Done\"");
    assert!(p.changes.iter().any(|c| matches!(c, Change::Create { name, body } if name == "Brand new" && body["actionId"] == "act_custom_7Xy")));
}

#[test]
fn plan_learns_action_ids_and_keeps_segments_secret_settings() {
    let mut workspace = import(SUBSCRIPTIONS, None).unwrap().workspace;
    workspace.segment.as_mut().unwrap().action_ids.clear();
    workspace.mappings[0].enabled = false;
    let mut subs = existing();
    subs[0]["settings"]["api_secret"] = json!("kept-by-segment");
    let p = plan(&workspace, &subs).unwrap();
    let Change::Update { fields, body, .. } = &p.changes[0] else { panic!("{:?}", p.changes) };
    assert_eq!(fields, &["enabled"]);
    assert_eq!(body["input"]["settings"]["api_secret"], "kept-by-segment");
    assert!(!p.lines().concat().contains("kept-by-segment"));

    assert_eq!(plan(&workspace, &[]), Err(PlanError::UnknownAction("Purchase".into())));
}
