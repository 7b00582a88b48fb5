//! Known counts over a hand-made file (tests/fixtures/report/events.jsonl, described event by
//! event below) and the properties every report keeps.

use super::*;
use crate::engine::{Engine, Selection};
use crate::reddit::Settings;
use crate::segment::parse_events;
use crate::workspace::Workspace;
use proptest::prelude::*;

const FIXTURE: &str = include_str!("../../../../tests/fixtures/report/events.jsonl");
/// 2026-12-01T12:00:00Z.
const NOW: i64 = 1_796_126_400_000;

fn engine(profile: Profile) -> Engine {
    let workspace = Workspace::presets();
    let settings = Settings { pixel_id: "a2_x".into(), profile, ..workspace.settings.clone() };
    Engine::new(&workspace, settings).unwrap()
}

fn report_of(engine: &Engine, text: &str) -> Report {
    let mut corpus = Corpus::new(engine, Selection::Triggers, NOW);
    for (i, event) in parse_events(text, "t").unwrap().iter().enumerate() {
        corpus.push(i, event);
    }
    corpus.finish()
}

fn examples(count: u64, first: &[usize]) -> Examples {
    Examples { count, first: first.to_vec() }
}

fn mapping<'r>(report: &'r Report, name: &str) -> &'r MappingReport {
    report.mappings.iter().find(|m| m.name == name).unwrap()
}

// The fixture, event by event (now is 2026-12-01T12:00Z):
// 0 Purchase with every identifier (7 signals); email " Jane.Doe+shop@Example.com ", conversion id m1
// 1 Purchase, userId + email "Bob_Smith@example.com" (the Reddit profile drops the "_"): 2 signals
// 2 Purchase, anonymousId + an already hashed email, conversion id m1 again 2 h after 0: a duplicate
// 3, 4 Purchase with currency "XYZ": refused (Segment's currency list), one group
// 5 Purchase 30 days old, userId only
// 6 page, anonymousId only, 12 h in the future: Page Visit
// 7 identify: only the browser plugin (web only) matches
// 8 screen: nothing matches
// 9 Signed Up without a timestamp: refused (event_at)
#[test]
fn every_count_of_the_fixture() {
    let r = report_of(&engine(Profile::Segment), FIXTURE);
    assert_eq!(r.events, 10);
    assert_eq!(r.unmatched, examples(1, &[8]));
    assert_eq!(r.built, 5);

    let plugin = mapping(&r, "Reddit Browser Plugin");
    assert_eq!((plugin.matched, plugin.web_only, plugin.built, plugin.refused), (9, 9, 0, 0));
    let purchase = mapping(&r, "Purchase");
    assert_eq!((purchase.matched, purchase.built, purchase.refused), (6, 4, 2));
    assert_eq!(purchase.refusals.len(), 1);
    assert_eq!(purchase.refusals[0].field, "event_metadata.currency");
    assert_eq!(purchase.refusals[0].events, examples(2, &[3, 4]));
    let page = mapping(&r, "Page Visit");
    assert_eq!((page.matched, page.built), (1, 1));
    let sign_up = mapping(&r, "Sign Up");
    assert_eq!((sign_up.matched, sign_up.refused), (1, 1));
    assert_eq!(sign_up.refusals[0].field, "event_at");
    assert_eq!(sign_up.refusals[0].events, examples(1, &[9]));
    assert_eq!(mapping(&r, "Lead").matched, 0);

    let coverage = |s: Signal| r.coverage.iter().find(|c| c.signal == s).unwrap();
    assert_eq!(coverage(Signal::Email).present, 3);
    assert_eq!(coverage(Signal::Email).missing, examples(2, &[5, 6]));
    assert_eq!(coverage(Signal::ExternalId).present, 5);
    for s in [Signal::ClickId, Signal::Uuid, Signal::Phone, Signal::DeviceId, Signal::IpUserAgent] {
        assert_eq!(coverage(s).present, 1, "{s:?}");
        assert_eq!(coverage(s).missing, examples(4, &[1, 2, 5, 6]), "{s:?}");
    }
    let counts: Vec<u64> = r.signals.iter().map(|e| e.count).collect();
    assert_eq!(counts, [0, 2, 2, 0, 0, 0, 0, 1]);
    assert_eq!(r.signals[1].first, [5, 6]);
    assert_eq!(r.signals[2].first, [1, 2]);
    assert_eq!(r.signals[7].first, [0]);

    let n = &r.normalization;
    let rule = |field: IdentifierField, rule: &str| {
        n.rules.iter().find(|g| g.field == field && g.rule == rule).map(|g| g.events.clone())
    };
    for r in ["trim", "dot removal", "+ suffix removal"] {
        assert_eq!(rule(IdentifierField::Email, r), Some(examples(1, &[0])), "{r}");
    }
    assert_eq!(rule(IdentifierField::Email, "lowercase"), Some(examples(2, &[0, 1])));
    assert_eq!(rule(IdentifierField::Phone, "digits only"), Some(examples(1, &[0])));
    assert_eq!(rule(IdentifierField::Email, "already hashed"), Some(examples(1, &[2])));
    assert_eq!(n.already_hashed, examples(1, &[2]));
    assert_eq!(n.other_profile, Profile::Reddit);
    assert_eq!(n.differs_under_other_profile, examples(1, &[1]));
    let values = |f: IdentifierField| n.values.iter().find(|c| c.field == f).unwrap().values;
    assert_eq!(values(IdentifierField::Email), 3);
    assert_eq!(values(IdentifierField::ConversionId), 5);
    assert_eq!(values(IdentifierField::ExternalId), 5);

    assert_eq!(r.timing.too_old, examples(1, &[5]));
    assert_eq!(r.timing.future, examples(1, &[6]));
    assert_eq!(r.timing.earliest.as_deref(), Some("2026-11-01T12:00:00.000Z"));
    assert_eq!(r.timing.latest.as_deref(), Some("2026-12-02T00:00:00.000Z"));

    assert_eq!((r.dedup.with_conversion_id, r.dedup.without_conversion_id), (5, 0));
    assert_eq!(r.dedup.duplicates, examples(1, &[2]));
    assert_eq!(r.dedup.unchecked, 0);

    // The age lint and the future lint are two groups of the same field.
    let lint =
        |text: &str| r.lints.iter().find(|l| l.field == "event_at" && l.message.contains(text)).unwrap();
    assert_eq!(lint("days old").events, examples(1, &[5]));
    assert_eq!(lint("in the future").events, examples(1, &[6]));
    assert_eq!(r.lints.len(), 2, "{:?}", r.lints);
}

#[test]
fn the_reddit_profile_refuses_nothing_of_the_currency_and_compares_with_segment() {
    let r = report_of(&engine(Profile::Reddit), FIXTURE);
    assert_eq!(mapping(&r, "Purchase").refused, 0);
    assert_eq!(mapping(&r, "Purchase").built, 6);
    assert_eq!(r.normalization.other_profile, Profile::Segment);
    assert_eq!(r.normalization.differs_under_other_profile.first, [1]);
}

#[test]
fn lint_messages_group_by_shape() {
    assert_eq!(shape("event_at is 12 days old (\"168h0m0s\")"), "event_at is # days old (\"\")");
    assert_eq!(
        shape("\"usd\" is not an ISO 4217 currency code"),
        shape("\"eur\" is not an ISO 4217 currency code")
    );
}

#[test]
fn lint_fields_fold_indexes() {
    assert_eq!(shape("metadata.products[12].id"), "metadata.products[#].id");
    assert_eq!(shape("user.email"), "user.email");
}

#[test]
fn groups_are_bounded_with_an_other_group() {
    let mut groups = Vec::new();
    let mut index = HashMap::new();
    for k in 0..(MAX_GROUPS + 10) {
        let g = group(&mut groups, &mut index, k, |k, other| if other { usize::MAX } else { k });
        assert_eq!(g, k.min(MAX_GROUPS - 1));
    }
    assert_eq!(groups.len(), MAX_GROUPS);
    assert_eq!(groups[MAX_GROUPS - 1], usize::MAX);
    assert_eq!(group(&mut groups, &mut index, 3, |k, _| k), 3);
}

#[test]
fn examples_keep_the_first_distinct_indexes() {
    let mut e = Examples::default();
    for i in [1, 1, 2, 3, 4, 5, 6, 7] {
        e.add(i);
    }
    assert_eq!(e, examples(8, &[1, 2, 3, 4, 5]));
}

#[test]
fn the_threaded_run_equals_pushing_one_by_one() {
    let engine = engine(Profile::Segment);
    let text = FIXTURE.repeat(300);
    let mut corpus = Corpus::new(&engine, Selection::Triggers, NOW);
    let mut calls = 0;
    let done = run(&mut corpus, crate::segment::stream_events(&text, "t"), |_| {
        calls += 1;
        true
    });
    assert_eq!(done, Ok(true));
    assert!(calls >= 5, "{calls}");
    assert_eq!(corpus.finish(), report_of(&engine, &text));
    // A syntax error stops the run with the error.
    let broken = format!("{FIXTURE}{{\"type\": }}\n");
    let mut corpus = Corpus::new(&engine, Selection::Triggers, NOW);
    let err = run(&mut corpus, crate::segment::stream_events(&broken, "t"), |_| true).unwrap_err();
    assert_eq!(err.line, 11);
    // Stopping early.
    let mut corpus = Corpus::new(&engine, Selection::Triggers, NOW);
    assert_eq!(run(&mut corpus, crate::segment::stream_events(&text, "t"), |_| false), Ok(false));
    assert!(corpus.report().events < 3000);
}

#[test]
fn renderers_state_what_the_report_is_and_show_the_counts() {
    let r = report_of(&engine(Profile::Segment), FIXTURE);
    let md = markdown(&r);
    assert!(md.starts_with("# Corpus report\n"));
    assert!(md.contains(ABOUT));
    assert!(md.contains("| Purchase | 6 | 4 | 2 |"), "{md}");
    assert!(md.contains("| 7 / 7 | 1 | 20.0 % | 0 |"), "{md}");
    assert!(md.contains("Repeated conversion ids (same type within 48 h of an earlier one; Reddit would drop them): 1 (first: 2)."));
    let text = text(&r);
    assert!(text.contains(ABOUT));
    assert!(
        text.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["Purchase", "6", "4", "2"]),
        "{text}"
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["about"], ABOUT);
    assert_eq!(json["mappings"].as_array().unwrap().len(), 9);
    assert_eq!(json["signals"][7]["count"], 1);
    assert_eq!(json["coverage"][0]["signal"], "click_id");
}

/// Events built from parts that do or do not map, refuse or carry identifiers.
fn arbitrary_event() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(vec![
        r#""type":"track","event":"Order Completed""#,
        r#""type":"track","event":"Product Added""#,
        r#""type":"track","event":"Signed Up""#,
        r#""type":"track","event":"Something Else""#,
        r#""type":"page""#,
        r#""type":"screen""#,
        r#""type":"identify""#,
    ]);
    let timestamp = prop::sample::select(vec![
        r#","timestamp":"2026-11-30T12:00:00Z""#,
        r#","timestamp":"2025-01-01T00:00:00Z""#,
        r#","timestamp":"2027-01-01T00:00:00Z""#,
        r#","timestamp":"not a date""#,
        "",
    ]);
    let email = prop::sample::select(vec![
        "",
        r#","email":" A.B+c@D.com ""#,
        r#","email":"no-at""#,
        r#","email":"""#,
    ]);
    let currency = prop::sample::select(vec![
        "",
        r#","properties":{"currency":"usd"}"#,
        r#","properties":{"currency":"EUR","revenue":"12.5"}"#,
    ]);
    let id =
        prop::sample::select(vec!["", r#","messageId":"m1""#, r#","messageId":"m2""#, r#","userId":"u""#]);
    (kind, timestamp, email, currency, id).prop_map(|(k, t, e, c, i)| {
        format!(r#"{{{k}{t}{i}{c},"context":{{"ip":"1.2.3.4","traits":{{"x":1{e}}}}}}}"#)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn counts_add_up(events in prop::collection::vec(arbitrary_event(), 0..40), reddit in any::<bool>()) {
        let engine = engine(if reddit { Profile::Reddit } else { Profile::Segment });
        let text = events.join("\n");
        let r = report_of(&engine, &text);
        prop_assert_eq!(r.events, events.len() as u64);
        let mut built = 0;
        for m in &r.mappings {
            prop_assert_eq!(m.matched, m.built + m.refused + m.web_only, "{}", m.name);
            prop_assert_eq!(m.refusals.iter().map(|g| g.events.count).sum::<u64>(), m.refused);
            built += m.built;
        }
        prop_assert_eq!(built, r.built);
        for c in &r.coverage {
            prop_assert!(c.present <= r.built);
            prop_assert_eq!(c.present + c.missing.count, r.built);
        }
        prop_assert_eq!(r.signals.iter().map(|e| e.count).sum::<u64>(), r.built);
        for g in &r.normalization.rules {
            let values = r.normalization.values.iter().find(|c| c.field == g.field).unwrap().values;
            prop_assert!(g.events.count <= values);
        }
        prop_assert!(r.timing.too_old.count + r.timing.future.count <= r.built);
        prop_assert_eq!(r.dedup.with_conversion_id + r.dedup.without_conversion_id, r.built);
        prop_assert!(r.dedup.duplicates.count <= r.dedup.with_conversion_id);
        prop_assert!(r.unmatched.count <= r.events);
    }
}

#[test]
fn a_lint_group_of_several_events_shows_its_first_message_as_an_example() {
    let old = |days: i64| {
        format!(
            r#"{{"type":"track","event":"Order Completed","userId":"u","messageId":"m{days}","timestamp":"{}","properties":{{"revenue":1,"currency":"USD"}}}}"#,
            crate::timestamp::format_rfc3339(NOW - days * 86_400_000)
        )
    };
    let text = format!("{}\n{}\n", old(9), old(30));
    let r = report_of(&engine(Profile::Segment), &text);
    let titles: Vec<String> = r.groups().into_iter().filter(|(_, e)| e.count == 2).map(|(t, _)| t).collect();
    assert!(titles.iter().any(|t| t.contains("event_at: e.g. event_at is 9 days old")), "{titles:?}");
}
