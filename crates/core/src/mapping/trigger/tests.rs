use super::eval::glob_match;
use super::lexer::*;
use super::*;
use proptest::prelude::*;
use serde_json::json;

fn t(src: &str) -> Trigger {
    Trigger::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

fn err(src: &str) -> TriggerError {
    match Trigger::parse(src) {
        Ok(t) => panic!("{src:?} parsed as {t}"),
        Err(e) => e,
    }
}

fn sample() -> Value {
    json!({
        "type": "track",
        "event": "Order Completed",
        "name": "Home",
        "userId": "u-1",
        "anonymousId": "a-1",
        "properties": {
            "total": 42.5,
            "count": 3,
            "currency": "USD",
            "premium": true,
            "free": false,
            "nothing": null,
            "numstr": "123",
            "product": { "sku": "SKU-9", "tags": ["red", "blue"] },
            "my key": "spaced",
            "a.b": "dotted",
            "740107d2-77": "uuid-ish",
            "quote\"d": "q"
        },
        "traits": { "plan": "pro", "logins": 12 },
        "context": { "ip": "1.1.1.1", "traits": { "plan": "context-plan" }, "page": { "path": "/checkout/done" } }
    })
}

#[test]
fn parse_and_match_table() {
    let ev = sample();
    let cases: &[(&str, bool)] = &[
        // equality on every root
        (r#"type = "track""#, true),
        (r#"type = "Track""#, false),
        (r#"type = 'track'"#, true),
        (r#"event = "Order Completed""#, true),
        (r#"name = "Home""#, true),
        (r#"userId = "u-1""#, true),
        (r#"anonymousId = "a-1""#, true),
        (r#"properties.currency = "USD""#, true),
        (r#"traits.plan = "pro""#, true),
        (r#"context.ip = "1.1.1.1""#, true),
        (r#"context.traits.plan = "context-plan""#, true),
        (r#"properties.product.sku = "SKU-9""#, true),
        (r#"properties.product.tags.1 = "blue""#, true),
        (r#"properties.product.tags.2 = "blue""#, false),
        // != and missing fields
        (r#"type != "identify""#, true),
        (r#"type != "track""#, false),
        (r#"properties.missing = "x""#, false),
        (r#"properties.missing != "x""#, true),
        (r#"traits.nope.deeper != "x""#, true),
        // null / exists
        ("properties.missing = null", true),
        ("properties.nothing = null", true),
        ("properties.currency = null", false),
        ("properties.currency != null", true),
        ("properties.nothing != null", false),
        ("userId != null", true),
        // booleans are typed
        ("properties.premium = true", true),
        ("properties.premium = false", false),
        ("properties.free = false", true),
        (r#"properties.premium = "true""#, false),
        ("properties.premium != true", false),
        // numbers are typed
        ("properties.count = 3", true),
        ("properties.count = 3.0", true),
        (r#"properties.count = "3""#, false),
        ("properties.numstr = 123", false),
        (r#"properties.numstr = "123""#, true),
        ("properties.count != 4", true),
        // ordering
        ("properties.total > 42", true),
        ("properties.total > 42.5", false),
        ("properties.total >= 42.5", true),
        ("properties.total < 43", true),
        ("properties.total <= 42.4", false),
        ("properties.count <= 3", true),
        ("traits.logins >= 10", true),
        ("properties.numstr > 1", false),
        ("properties.missing < 1", false),
        ("properties.total > -1", true),
        ("properties.total < +100", true),
        // contains / match
        (r#"contains(event, "Order")"#, true),
        (r#"contains(event, "order")"#, false),
        (r#"!contains(event, "Refund")"#, true),
        (r#"!contains(event, "Order")"#, false),
        (r#"!contains(properties.missing, "x")"#, false),
        (r#"contains(properties.count, "3")"#, false),
        (r#"match(event, "Order*")"#, true),
        (r#"match(event, "*Completed")"#, true),
        (r#"match(event, "*der Comp*")"#, true),
        (r#"match(event, "Order?Completed")"#, true),
        (r#"match(event, "Order??Completed")"#, false),
        (r#"match(event, "order*")"#, false),
        (r#"match(context.page.path, "/checkout/*")"#, true),
        (r#"!match(event, "Product*")"#, true),
        (r#"!match(event, "Order*")"#, false),
        (r#"match(properties.quote\"d, "\\*")"#, false),
        // escapes in strings and keys
        (r#"properties.my\ key = "spaced""#, true),
        (r#"properties.a\.b = "dotted""#, true),
        (r#"properties.740107d2-77 = "uuid-ish""#, true),
        (r#"properties.quote\"d = "q""#, true),
        (r#"event = "Order\u{20}Completed""#, true),
        (r#"event = 'Order Completed'"#, true),
        // and / or / precedence / parentheses
        (r#"type = "track" and event = "Order Completed""#, true),
        (r#"type = "track" and event = "Other""#, false),
        (r#"type = "page" or event = "Order Completed""#, true),
        (r#"type = "page" or event = "Other""#, false),
        // and binds tighter: true or (false and false)
        (r#"type = "track" or type = "x" and type = "y""#, true),
        // (true or false) and false
        (r#"(type = "track" or type = "x") and type = "y""#, false),
        // false and false or true  ==  (false and false) or true
        (r#"type = "x" and type = "y" or type = "track""#, true),
        (r#"((type = "track"))"#, true),
        (r#"type = "track" and (event = "A" or event = "Order Completed") and properties.total > 10"#, true),
        ("type=\"track\"and\tevent\n=\"Order Completed\"", true),
    ];
    for (src, want) in cases {
        let trig = t(src);
        assert_eq!(trig.matches(&ev), *want, "{src}");
        // canonical text round-trips and keeps the meaning
        let again = t(&trig.to_string());
        assert_eq!(again, trig, "{src} -> {trig}");
        assert_eq!(again.matches(&ev), *want, "{trig}");
    }
}

#[test]
fn non_object_events_never_match_positive_conditions() {
    let trig = t(r#"type = "track""#);
    for ev in [json!(null), json!("track"), json!([1]), json!({})] {
        assert!(!trig.matches(&ev));
    }
    assert!(t(r#"type != "track""#).matches(&json!(null)));
}

#[test]
fn canonical_text() {
    let cases = [
        (r#"  type='track'   and   event = "x" "#, r#"type = "track" and event = "x""#),
        (r#"type = "a" or type = "b" and event = "c""#, r#"type = "a" or (type = "b" and event = "c")"#),
        (r#"! contains( properties.a\ b , "q\"\\" )"#, r#"!contains(properties.a\ b, "q\"\\")"#),
        ("properties.n >= 10.50", "properties.n >= 10.5"),
        ("properties.n = -0.0", "properties.n = -0"),
        ("properties.n = +7", "properties.n = 7"),
        (r#"event = "tab\there\u{1}""#, r#"event = "tab\there\u{1}""#),
    ];
    for (src, want) in cases {
        assert_eq!(t(src).to_string(), want);
    }
}

#[test]
fn simple_builder_round_trips() {
    let a = Trigger::simple("track", Some("Order Completed"));
    assert_eq!(a.to_string(), r#"type = "track" and event = "Order Completed""#);
    assert_eq!(a.as_simple(), Some(("track".to_owned(), Some("Order Completed".to_owned()))));
    let b = Trigger::simple("identify", None);
    assert_eq!(b.to_string(), r#"type = "identify""#);
    assert_eq!(b.as_simple(), Some(("identify".to_owned(), None)));
    assert_eq!(t(&b.to_string()), b);
    for src in [
        r#"event = "x" and type = "track""#,
        r#"type = "track" or event = "x""#,
        r#"type != "track""#,
        r#"type = "track" and event = "x" and name = "y""#,
        r#"type = "track" and event != "x""#,
        "type = null",
    ] {
        assert_eq!(t(src).as_simple(), None, "{src}");
    }
    assert_eq!("type = \"page\"".parse::<Trigger>().unwrap().as_simple().unwrap().0, "page");
}

fn check_err(src: &str, column: usize, expected: &str, found: &str) {
    let e = err(src);
    assert_eq!((e.column, e.expected.as_str(), e.found.as_str()), (column, expected, found), "{src:?}");
}

#[test]
fn errors() {
    check_err("type = ", 8, EXPECT_VALUE, "end of input");
    check_err(r#"type == "x""#, 7, EXPECT_VALUE, "\"=\"");
    check_err(r#"(type = "x""#, 12, EXPECT_CLOSE, "end of input");
    check_err(r#"type = "x" and"#, 15, EXPECT_CONDITION, "end of input");
    check_err(r#"type = "x"#, 10, "a closing \" to end the string that starts at column 8", "end of input");
    check_err(r#"foo(event, "x")"#, 1, EXPECT_FUNC, "\"foo\"");
    check_err(r#"foo = "x""#, 1, EXPECT_FIELD, "\"foo\"");
    check_err("", 1, EXPECT_CONDITION, "end of input");
    check_err(r#"type "x""#, 6, EXPECT_OP, "string \"x\"");
    check_err(r#"type = "x" event = "y""#, 12, EXPECT_END, "\"event\"");
    check_err(r#"properties.total > "10""#, 20, EXPECT_NUMBER, "string \"10\"");
    check_err("properties = null", 1, "a key after \"properties\" (e.g. properties.price)", "\"properties\"");
    check_err("type.x = null", 1, "\"type\" without sub-keys", "\"type.x\"");
    check_err("properties. = 1", 12, "a key after \".\"", "\" \"");
    check_err(r#"contains(event "x")"#, 16, "\",\"", "string \"x\"");
    check_err(r#"contains(event, 5)"#, 17, EXPECT_STRING, "\"5\"");
    check_err(r#"contains(event, "x""#, 20, EXPECT_CLOSE, "end of input");
    check_err(r#"!(type = "x")"#, 2, "contains(...) or match(...) after \"!\"", "\"(\"");
    check_err(
        r#"event = "a\qb""#,
        12,
        "an escape after \"\\\" (\\\\, \\\", \\', \\n, \\r, \\t or \\u{HEX})",
        "\"q\"",
    );
    check_err(r#"event = "\u{110000}""#, 13, "a valid unicode scalar value", "\"110000\"");
    check_err("properties.x = 1.", 18, "a digit after the decimal point", "end of input");
    check_err("properties.x = -", 17, "a digit", "end of input");
    check_err("type # 1", 6, EXPECT_CONDITION_OR_TOKEN, "\"#\"");
    check_err("type ≠ 1", 6, EXPECT_CONDITION_OR_TOKEN, "\"≠\"");
    check_err(
        &format!("properties.x = 1{}", "0".repeat(400)),
        16,
        "a finite number",
        &format!("\"1{}…\"", "0".repeat(39)),
    );
    // leftmost error wins: the bad operator comes before the unterminated string
    check_err(r#"type == "x"#, 7, EXPECT_VALUE, "\"=\"");
    // columns count characters, not bytes
    check_err(r#"event = "ü" and"#, 16, EXPECT_CONDITION, "end of input");
    let msg = err("type = ").to_string();
    assert_eq!(
        msg,
        "trigger: at column 8: expected a value (a string, number, true, false or null), found end of input"
    );
}

#[test]
fn nesting_limit() {
    let ok = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(t(&ok).matches(&json!({"type": "x"})));
    let deep = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    check_err(&deep, MAX_DEPTH + 1, "at most 64 nested parentheses", "\"(\"");
    let huge = "(".repeat(100_000);
    assert_eq!(err(&huge).column, MAX_DEPTH + 1);
}

/// `a or b and (…)` nests two groups per pair of parentheses, and the canonical text
/// parenthesizes both: its depth, not the source's, is what must stay within the limit.
#[test]
fn canonical_text_of_an_accepted_trigger_is_within_the_nesting_limit() {
    // Each `a or b and (` opens one pair of parentheses but two groups (an `or` holding an
    // `and`), so `levels` pairs around `inner` print 2 * levels - 1 deep, plus inner's own.
    let nest = |levels: usize, inner: &str| {
        let open = r#"type = "a" or type = "b" and ("#.repeat(levels);
        format!("{open}{inner}{}", ")".repeat(levels))
    };
    // 64 deep exactly: accepted, and the canonical text parses back to the same trigger.
    let ok = t(&nest(32, r#"event = "x" or event = "y""#));
    assert_eq!(canonical_depth(&ok.root), MAX_DEPTH);
    assert_eq!(t(&ok.to_string()), ok);
    assert!(ok.matches(&json!({"type": "a"})));
    // 33 pairs in the source would print 65 deep: refused up front (before, the trigger was
    // accepted and its canonical text was not).
    let e = err(&nest(33, r#"event = "x""#));
    assert_eq!((e.column, e.found.as_str()), (1, "65"));
    assert!(e.expected.starts_with("at most 64 nested parentheses"), "{e}");
    // Plain nesting is unchanged: 64 pairs around one condition print none.
    let plain = format!("{}type = \"x\"{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(canonical_depth(&t(&plain).root), 0);
}

#[test]
fn long_inputs() {
    let n = 5_000;
    let src = vec![r#"event = "x""#; n].join(" or ");
    let trig = t(&src);
    assert!(trig.matches(&json!({"event": "x"})));
    assert_eq!(t(&trig.to_string()), trig);
    let long_str = format!("event = \"{}\"", "a".repeat(200_000));
    assert!(t(&long_str).matches(&json!({"event": "a".repeat(200_000)})));
}

#[test]
fn glob() {
    for (p, s, want) in [
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("*", "anything", true),
        ("a*", "abc", true),
        ("*c", "abc", true),
        ("a*c", "abbbc", true),
        ("a*c", "abbbd", false),
        ("?", "é", true),
        ("??", "é", false),
        ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ("\\*", "*", true),
        ("\\*", "x", false),
        ("a\\?", "a?", true),
        ("a\\", "a\\", true),
        ("**x", "x", true),
    ] {
        assert_eq!(glob_match(p, s), want, "{p:?} vs {s:?}");
    }
}

// ---- property tests ----

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_-]{1,8}",
        prop::collection::vec(any::<char>(), 1..6).prop_map(|v| v.into_iter().collect()),
    ]
}

fn arb_field() -> impl Strategy<Value = Field> {
    (0..Root::ALL.len(), prop::collection::vec(arb_key(), 1..4)).prop_map(|(i, keys)| {
        let root = Root::ALL[i];
        Field { root, keys: if root.needs_keys() { keys } else { Vec::new() } }
    })
}

fn arb_num() -> impl Strategy<Value = f64> {
    prop_oneof![(-1000i32..1000).prop_map(f64::from), any::<f64>().prop_filter("finite", |n| n.is_finite()),]
}

fn arb_leaf() -> impl Strategy<Value = Node> {
    let ops = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
    let lit = prop_oneof![
        any::<String>().prop_map(Literal::Str),
        arb_num().prop_map(Literal::Num),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
    ];
    prop_oneof![
        (arb_field(), 0..ops.len(), lit, arb_num()).prop_map(move |(field, i, lit, n)| {
            let op = ops[i];
            let lit = if op.is_ordering() { Literal::Num(n) } else { lit };
            Node::Cmp { field, op, lit }
        }),
        (any::<bool>(), any::<bool>(), arb_field(), any::<String>()).prop_map(
            |(negated, is_match, field, arg)| Node::Func {
                negated,
                func: if is_match { Func::Match } else { Func::Contains },
                field,
                arg,
            }
        ),
    ]
}

fn arb_node() -> impl Strategy<Value = Node> {
    arb_leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(Node::Or),
            prop::collection::vec(inner, 2..4).prop_map(Node::And),
        ]
    })
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        arb_num().prop_map(Value::from),
        prop_oneof!["[a-zA-Z ]{0,6}", any::<String>()].prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("type".to_owned()),
                        Just("event".to_owned()),
                        Just("properties".to_owned()),
                        Just("traits".to_owned()),
                        Just("context".to_owned()),
                        "[a-z0-9]{1,3}",
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parse_never_panics(src in any::<String>()) {
        let _ = Trigger::parse(&src);
    }

    #[test]
    fn parse_never_panics_on_fql_like_text(src in "[a-zA-Z0-9 ().,!=<>\"'\\\\_{}*?-]{0,60}") {
        if let Ok(trig) = Trigger::parse(&src) {
            prop_assert_eq!(Trigger::parse(&trig.to_string()), Ok(trig));
        }
    }

    #[test]
    fn ast_round_trips(root in arb_node()) {
        let trig = Trigger { root, mixed: false };
        let text = trig.to_string();
        prop_assert_eq!(Trigger::parse(&text), Ok(trig.clone()), "text: {}", text);
    }

    #[test]
    fn matches_never_panics(root in arb_node(), event in arb_json()) {
        let trig = Trigger { root, mixed: false };
        let _ = trig.matches(&event);
    }

    #[test]
    fn error_columns_are_in_range(src in any::<String>()) {
        if let Err(e) = Trigger::parse(&src) {
            prop_assert!(e.column >= 1 && e.column <= src.chars().count() + 1);
        }
    }
}

mod segment_precedence {
    use super::super::*;

    #[test]
    fn mixed_and_or_without_parentheses_is_flagged() {
        let t = Trigger::parse(r#"type = "track" and event = "A" or event = "B""#).unwrap();
        assert!(t.segment_reads_differently());
        // The canonical text parenthesizes, so Segment reads it the same way.
        let canonical = Trigger::parse(&t.to_string()).unwrap();
        assert!(!canonical.segment_reads_differently());
        assert_eq!(canonical, t);
        for clear in [
            r#"type = "track" and event = "A""#,
            r#"type = "page" or type = "track""#,
            r#"(type = "track" and event = "A") or event = "B""#,
        ] {
            assert!(!Trigger::parse(clear).unwrap().segment_reads_differently(), "{clear}");
        }
    }
}
