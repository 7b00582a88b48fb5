//! Known-answer vectors (spec §9), Segment-profile facts, step provenance and properties.

use super::*;
use proptest::prelude::*;

use IdentifierField as F;
use Profile::{Reddit, Segment};

fn h(field: IdentifierField, profile: Profile, raw: &str) -> Hashed {
    hash_identifier(field, profile, raw).unwrap_or_else(|e| panic!("{field} {raw:?}: {e}"))
}

/// Asserts normalized value and hash, and that the fast path agrees.
fn check(field: IdentifierField, profile: Profile, raw: &str, normalized: &str, hash: &str) {
    let got = h(field, profile, raw);
    assert_eq!(got.normalized, normalized, "{profile} {field} {raw:?}");
    assert_eq!(got.hash, hash, "{profile} {field} {raw:?}");
    assert_eq!(hash_value(field, profile, raw).unwrap(), hash);
    assert_eq!(normalize(field, profile, raw).unwrap(), normalized);
    assert!(!got.already_hashed);
    assert_eq!(got.input, raw);
}

const BOTH: [Profile; 2] = [Segment, Reddit];

#[test]
fn spec_section_9_vectors() {
    let both: [(F, &str, &str, &str); 8] = [
        (
            F::Email,
            "Test@Test.com",
            "test@test.com",
            "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a",
        ),
        (
            F::Email,
            "  John.Doe+promo@Gmail.COM  ",
            "johndoe@gmail.com",
            "06a240d11cc201676da976f7b49341181fd180da37cbe40a77432c0a366c80c3",
        ),
        (
            F::ExternalId,
            " user_id_1 ",
            "user_id_1",
            "3482ae91c8ec52c06e19d618d400b3985814bf705e00947a302ec849a6575c4c",
        ),
        (
            F::IpAddress,
            "111.111.111.111",
            "111.111.111.111",
            "5feaf188de296cd3b17f7c66fd3a2aec9b694815f2b1180631f7b52f57029777",
        ),
        (
            F::ConversionId,
            "test-message-id-contact",
            "test-message-id-contact",
            "5184171f53a0fd17f59ea50fac8e11d9eb589ed0692920ee4f52a357112e6802",
        ),
        (
            F::Phone,
            "1-(650)-555   - 1212 ExT 450",
            "+16505551212",
            "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8",
        ),
        (
            F::Phone,
            "+15554441234",
            "+15554441234",
            "e5b124c58580eb16bd959b8d0cac12b12c952e2ceae0203d416cff94f10b994a",
        ),
        (
            F::Aaid,
            "38400000-8cf0-11bd-b23e-10b96e40000d",
            "38400000-8cf0-11bd-b23e-10b96e40000d",
            "d4181bb455a74b3bc8b37c75ac9b2c702eb6b9930bd040b861403b31ca85634d",
        ),
    ];
    for (field, raw, normalized, hash) in both {
        for profile in BOTH {
            check(field, profile, raw, normalized, hash);
            // Identical in both profiles: no other-profile hash to show.
            assert_eq!(h(field, profile, raw).other_profile_hash, None, "{field} {raw:?}");
        }
    }
    check(
        F::Email,
        Reddit,
        "Al.ice$+Apple@Example.Com",
        "alice@example.com",
        "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976",
    );
    // Segment keeps the "$": the two profiles differ, and each shows the other.
    let seg = h(F::Email, Segment, "Al.ice$+Apple@Example.Com");
    assert_eq!(seg.normalized, "alice$@example.com");
    assert_eq!(
        seg.other_profile_hash.as_deref(),
        Some("ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976")
    );
    assert_eq!(h(F::Email, Reddit, "Al.ice$+Apple@Example.Com").other_profile_hash, Some(seg.hash));
    // The v2 worked example's phone (spec §9).
    check(
        F::Phone,
        Segment,
        "1-650-555   - 1212 x450",
        "+16505551212",
        "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8",
    );
}

#[test]
fn segment_profile_facts() {
    check(
        F::Phone,
        Segment,
        "(555) 123-4567 ext. 89",
        "+5551234567",
        "50e24c3ebc99a33d116c525ca46dd863ab36a999f2881b41ce74d3ac94641fa9",
    );
    check(
        F::Email,
        Segment,
        "  John.Doe+promo@Example.COM ",
        "johndoe@example.com",
        "55e79200c1635b37ad31a378c39feb12f120f116625093a19bc32fff15041149",
    );
    check(
        F::IpAddress,
        Segment,
        " 2001:DB8::1 ",
        "2001:DB8::1",
        "8f1874976b65727f8d734a08b3b833da73e6182d0a9c956b567e7b0cc564a87a",
    );
    let idfa = "EA7583CD-A667-48BC-B806-42ECB2B48606";
    check(F::Idfa, Segment, idfa, idfa, "70574fa9c8f498a7b2e5c8712b1126de7b1406fd02fdc591821c5bd33092fd1c");
    assert!(h(F::Idfa, Segment, idfa).steps.is_empty());
    // Advertising ids: no trimming, no case change at all in the Segment profile.
    assert_eq!(normalize(F::Aaid, Segment, " AB-cd ").unwrap(), " AB-cd ");
}

#[test]
fn reddit_profile_advertising_ids() {
    let idfa = " ea7583cd-a667-48bc-b806-42ecb2b48606 ";
    let got = h(F::Idfa, Reddit, idfa);
    assert_eq!(got.normalized, "EA7583CD-A667-48BC-B806-42ECB2B48606");
    assert_eq!(got.hash, "70574fa9c8f498a7b2e5c8712b1126de7b1406fd02fdc591821c5bd33092fd1c");
    assert_eq!(got.steps, ["trimmed 2 characters", "uppercased"]);
    assert!(got.other_profile_hash.is_some());
    assert_eq!(
        normalize(F::Aaid, Reddit, "38400000-8CF0-11BD-B23E-10B96E40000D").unwrap(),
        "38400000-8cf0-11bd-b23e-10b96e40000d"
    );
}

#[test]
fn blank_values_send_empty_string() {
    for field in F::ALL {
        for profile in BOTH {
            for raw in ["", "   ", "\u{00A0}\t\u{FEFF}\n"] {
                let got = h(field, profile, raw);
                assert_eq!(got.hash, "", "{profile} {field} {raw:?}");
                assert_eq!(got.normalized, "");
                assert_eq!(got.steps, ["blank: sent as \"\""]);
                assert_eq!(got.other_profile_hash, None);
                assert_eq!(hash_value(field, profile, raw).unwrap(), "");
            }
        }
    }
    // Blank comes before the "@" check: Segment's processHashing returns '' first.
    assert_eq!(hash_value(F::Email, Segment, "  ").unwrap(), "");
    // U+0085 is not JS whitespace: not blank, hashed as is for a trimmed field.
    assert_eq!(normalize(F::ExternalId, Segment, "\u{0085}").unwrap(), "\u{0085}");
}

#[test]
fn reddit_profile_blank_after_cleaning() {
    let got = h(F::Phone, Reddit, "ext 12");
    assert_eq!(got.hash, "");
    assert_eq!(got.other_profile_hash.as_deref(), Some(sha256_hex("+").as_str()));
    assert_eq!(normalize(F::Phone, Segment, "ext 12").unwrap(), "+");
    assert_eq!(hash_value(F::Email, Reddit, "...").unwrap(), "");
}

#[test]
fn already_hashed_passes_through_unchanged() {
    let upper = "F660AB912EC121D1B1E928A0BB4BC61B15F5AD44D5EFDC4E1C92A25E99B8E44A";
    for field in F::ALL {
        for profile in BOTH {
            let got = h(field, profile, upper);
            assert!(got.already_hashed);
            assert_eq!(got.hash, upper);
            assert_eq!(got.normalized, upper);
            assert_eq!(got.steps, ["already hashed: sent unchanged"]);
            assert_eq!(got.other_profile_hash, None);
        }
    }
    assert!(is_already_hashed(upper));
    // The test is on the raw value: surrounding whitespace means it is not "already hashed".
    let padded = format!(" {upper} ");
    assert!(!is_already_hashed(&padded));
    let got = h(F::ExternalId, Segment, &padded);
    assert!(!got.already_hashed);
    assert_eq!(got.hash, sha256_hex(upper));
    assert!(!is_already_hashed(&upper[1..]));
    assert!(!is_already_hashed(&format!("{}g", &upper[1..])));
    assert!(!is_already_hashed(&format!("{upper}\n")));
    // No "@" but already hashed: Segment passes it through before canonicalizing.
    assert!(hash_value(F::Email, Segment, upper).is_ok());
}

#[test]
fn js_trimming_nbsp_and_bom() {
    check(F::ExternalId, Segment, "\u{00A0}id\u{FEFF}", "id", &sha256_hex("id"));
    check(F::Email, Segment, "\u{FEFF}A@B.c\u{3000}", "a@b.c", &sha256_hex("a@b.c"));
    check(F::Phone, Segment, "\u{00A0}+1 555\u{2028}", "+1555", &sha256_hex("+1555"));
    // U+0085 (Rust whitespace, not JS whitespace) survives the trim.
    assert_eq!(normalize(F::ConversionId, Segment, " x\u{0085}").unwrap(), "x\u{0085}");
    assert_eq!(h(F::ExternalId, Segment, "\u{00A0}id\u{FEFF}").steps, ["trimmed 2 characters"]);
}

#[test]
fn email_without_at() {
    assert_eq!(hash_value(F::Email, Segment, "john.doe.example.com"), Err(IdentityError::EmailWithoutAt));
    assert_eq!(hash_identifier(F::Email, Segment, "nope"), Err(IdentityError::EmailWithoutAt));
    assert_eq!(normalize(F::Email, Segment, "nope"), Err(IdentityError::EmailWithoutAt));
    let got = h(F::Email, Reddit, "John.Doe+x");
    assert_eq!(got.normalized, "johndoe");
    assert!(got.steps.iter().any(|s| s.starts_with("no \"@\"")), "{:?}", got.steps);
    // Segment refuses it: nothing to compare with.
    assert_eq!(got.other_profile_hash, None);
}

#[test]
fn email_with_several_at_signs() {
    // Segment uses only parts[1]: "a@b@c" → "a@b".
    let got = h(F::Email, Segment, "A@B@C");
    assert_eq!(got.normalized, "a@b");
    assert_eq!(got.steps, ["ignored everything from the second \"@\" on (\"@C\")", "lowercased"]);
    assert_eq!(normalize(F::Email, Segment, "a@@c").unwrap(), "a@");
    // Reddit profile: the domain follows the last "@".
    assert_eq!(normalize(F::Email, Reddit, "a@b@c").unwrap(), "ab@c");
}

#[test]
fn segment_email_keeps_other_symbols_and_removes_dots_before_cutting() {
    assert_eq!(normalize(F::Email, Segment, "a.b$c+d.e@x.y").unwrap(), "ab$c@x.y");
    assert_eq!(normalize(F::Email, Segment, "+tag@x.com").unwrap(), "@x.com");
    assert_eq!(normalize(F::Email, Segment, "a@").unwrap(), "a@");
    // Dots in the domain are kept.
    assert_eq!(normalize(F::Email, Segment, "a.b@mail.Example.com").unwrap(), "ab@mail.example.com");
}

#[test]
fn phone_extension_keyword_priority() {
    // 'x' is checked before '#', so Segment cuts at "x" although "#" comes first.
    let seg = h(F::Phone, Segment, "555 # 12 x 3");
    assert_eq!(seg.normalized, "+55512");
    assert!(seg.steps.contains(&"cut at extension \"x\" (dropped \"x 3\")".to_owned()), "{:?}", seg.steps);
    // The Reddit profile cuts at the earliest marker.
    assert_eq!(normalize(F::Phone, Reddit, "555 # 12 x 3").unwrap(), "+555");
    // "ext" is checked before "x" and contains it.
    assert_eq!(normalize(F::Phone, Segment, "555 EXT 1").unwrap(), "+555");
    assert_eq!(normalize(F::Phone, Segment, "555 anexo 1").unwrap(), "+555");
    assert_eq!(normalize(F::Phone, Segment, "555 poste 1").unwrap(), "+555");
    assert_eq!(normalize(F::Phone, Segment, "555 INT 1").unwrap(), "+555");
    assert_eq!(normalize(F::Phone, Segment, "555 # 1").unwrap(), "+555");
    // "int" is checked last: "#" wins over an earlier "int".
    assert_eq!(normalize(F::Phone, Segment, "int 1 # 2").unwrap(), "+1");
    // Only one leading "+" is dropped; any later one is a non-digit.
    assert_eq!(normalize(F::Phone, Segment, "++1 (2)").unwrap(), "+12");
    // Non-ASCII digits are not digits for /\D/.
    assert_eq!(normalize(F::Phone, Segment, "١٢٣ 4").unwrap(), "+4");
}

#[test]
fn phone_index_from_lowercased_string_applies_to_original() {
    // "İ" lowercases to two UTF-16 units, so "x" is found one unit later in the lowercased
    // string, and Segment's slice keeps one more character of the original: the "3".
    assert_eq!(normalize(F::Phone, Segment, "İ12x34").unwrap(), "+12");
    assert_eq!(normalize(F::Phone, Segment, "İİ12x34").unwrap(), "+123");
    // Reddit profile cuts where the marker really is.
    assert_eq!(normalize(F::Phone, Reddit, "İİ12x34").unwrap(), "+12");
    // The shifted index can run past the end: nothing is cut.
    let got = h(F::Phone, Segment, "İİİx");
    assert_eq!(got.normalized, "+");
    assert!(got.steps[0].starts_with("found extension \"x\" but cut nothing"), "{:?}", got.steps);
    // A surrogate pair before the marker is one char, two units: no shift from it.
    assert_eq!(normalize(F::Phone, Segment, "😀12x34").unwrap(), "+12");
}

#[test]
fn unicode_lowercasing() {
    assert_eq!(normalize(F::Email, Segment, "İ@X").unwrap(), "i\u{307}@x");
    assert_eq!(sha256_hex("i\u{307}@x"), hash_value(F::Email, Segment, "İ@X").unwrap());
    // Final sigma is decided within each part (JS lowercases local part and domain separately).
    assert_eq!(normalize(F::Email, Segment, "ΟΔΟΣ@ΟΔΟΣ.GR").unwrap(), "οδος@οδοσ.gr");
    assert_eq!(normalize(F::Email, Segment, "AΣ.B@x").unwrap(), "aσb@x");
    // Reddit profile keeps Unicode letters in the local part, drops the combining dot.
    assert_eq!(normalize(F::Email, Reddit, "İé.ß@X").unwrap(), "iéß@x");
}

#[test]
fn steps_record_only_changes_in_order() {
    let got = h(F::Email, Segment, " A.b+c@D.com");
    assert_eq!(
        got.steps,
        [
            "trimmed 1 character",
            "removed 1 dot from local part",
            "cut local part at first + (dropped \"+c\")",
            "lowercased",
        ]
    );
    assert_eq!(got.normalized, "ab@d.com");

    let got = h(F::Phone, Segment, "(555) 123-4567 ext. 89");
    assert_eq!(
        got.steps,
        [
            "cut at extension \"ext\" (dropped \"ext. 89\")",
            "kept digits only (removed 5 characters)",
            "prefixed +",
        ]
    );
    assert!(h(F::Phone, Segment, "+15554441234").steps.is_empty());
    assert!(h(F::Email, Segment, "test@test.com").steps.is_empty());
    assert!(h(F::ExternalId, Reddit, "id").steps.is_empty());

    let got = h(F::Email, Reddit, "Al.ice$+Apple@Example.Com");
    assert_eq!(
        got.steps,
        [
            "lowercased",
            "cut local part at first + (dropped \"+apple\")",
            "removed 2 non-alphanumeric characters from local part (\".$\")",
        ]
    );
    let got = h(F::Email, Segment, "  John.Doe+promo@Gmail.COM  ");
    assert_eq!(got.steps[0], "trimmed 4 characters");
    assert_eq!(got.steps[1], "removed 1 dot from local part");
}

#[test]
fn names_round_trip() {
    for field in F::ALL {
        assert_eq!(field.as_str().parse::<IdentifierField>(), Ok(field));
        assert_eq!(field.to_string(), field.as_str());
        assert_eq!(serde_json::to_string(&field).unwrap(), format!("\"{}\"", field.as_str()));
    }
    assert_eq!("ip".parse::<IdentifierField>(), Ok(F::IpAddress));
    assert_eq!("phone_number".parse::<IdentifierField>(), Ok(F::Phone));
    assert!("mail".parse::<IdentifierField>().is_err());
    for profile in BOTH {
        assert_eq!(profile.as_str().parse::<Profile>(), Ok(profile));
        assert_eq!(profile.to_string(), profile.as_str());
        assert_eq!(profile.other().other(), profile);
        assert_ne!(profile.other(), profile);
        let json = serde_json::to_string(&profile).unwrap();
        assert_eq!(json, format!("\"{}\"", profile.as_str()));
        assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), profile);
    }
    assert_eq!("Reddit".parse::<Profile>(), Ok(Reddit));
    assert!("meta".parse::<Profile>().is_err());
    assert_eq!(Profile::default(), Segment);
}

#[test]
fn sha256_hex_is_lowercase_hex() {
    assert_eq!(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn hashed_serializes() {
    let v = serde_json::to_value(h(F::Email, Segment, "Test@Test.com")).unwrap();
    assert_eq!(v["field"], "email");
    assert_eq!(v["profile"], "segment");
    assert_eq!(v["hash"], "f660ab912ec121d1b1e928a0bb4bc61b15f5ad44d5efdc4e1c92a25e99b8e44a");
}

fn any_field() -> impl Strategy<Value = IdentifierField> {
    prop::sample::select(F::ALL.to_vec())
}

fn any_profile() -> impl Strategy<Value = Profile> {
    prop::sample::select(BOTH.to_vec())
}

/// Strings rich in the characters the rules react to, plus arbitrary Unicode.
fn tricky_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "@", ".", "+", " ", "\u{00A0}", "\u{FEFF}", "\u{0085}", "\t", "ext", "EXT", "x", "X",
            "#", "anexo", "poste", "INT", "İ", "Σ", "ß", "😀", "-", "(", ")", "$", "a", "Z", "0",
            "5", "9", "é", "\u{307}",
        ])
        .prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "[0-9a-fA-F]{64}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![tricky_string(), any::<String>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_and_fast_path_agrees(field in any_field(), profile in any_profile(), raw in input()) {
        let full = hash_identifier(field, profile, &raw);
        let fast = hash_value(field, profile, &raw);
        let norm = normalize(field, profile, &raw);
        match (&full, &fast, &norm) {
            (Ok(full), Ok(fast), Ok(norm)) => {
                prop_assert_eq!(&full.hash, fast);
                prop_assert_eq!(&full.normalized, norm);
                if full.already_hashed {
                    prop_assert_eq!(&full.hash, &raw);
                } else if full.normalized.is_empty() {
                    prop_assert_eq!(&full.hash, "");
                } else {
                    prop_assert_eq!(&full.hash, &sha256_hex(&full.normalized));
                }
                // The hash sent is always "" or 64 hex characters.
                prop_assert!(full.hash.is_empty() || is_already_hashed(&full.hash));
                if let Some(other) = &full.other_profile_hash {
                    prop_assert_ne!(other, &full.hash);
                    prop_assert_eq!(Ok(other.clone()), hash_value(field, profile.other(), &raw));
                }
            }
            (Err(a), Err(b), Err(c)) => {
                prop_assert_eq!(a, &IdentityError::EmailWithoutAt);
                prop_assert_eq!(a, b);
                prop_assert_eq!(b, c);
                prop_assert!(field == F::Email && profile == Segment && !raw.contains('@'));
            }
            _ => prop_assert!(false, "paths disagree: {:?} / {:?} / {:?}", full, fast, norm),
        }
    }

    /// Segment's phone and trim-only fields are idempotent on every input; so is every Reddit rule.
    #[test]
    fn idempotent(field in any_field(), profile in any_profile(), raw in input()) {
        prop_assume!(!(field == F::Email && profile == Segment));
        let once = normalize(field, profile, &raw).unwrap();
        let twice = normalize(field, profile, &once).unwrap();
        prop_assert_eq!(twice, once);
    }

    /// Segment's email is idempotent unless the result has JS whitespace at an end, which
    /// happens when dot removal or the second-"@" cut exposes it (see the test below).
    #[test]
    fn segment_email_idempotent_when_result_is_trimmed(raw in input()) {
        if let Ok(once) = normalize(F::Email, Segment, &raw) {
            let twice = normalize(F::Email, Segment, &once).unwrap();
            if js::trim(&once) == once {
                prop_assert_eq!(twice, once);
            } else {
                prop_assert_eq!(twice, normalize(F::Email, Segment, js::trim(&once)).unwrap());
            }
        }
    }
}

#[test]
fn segment_email_is_not_idempotent_when_whitespace_is_exposed() {
    // Dot removal exposes a leading NBSP; the second "@" cut exposes a trailing space.
    let once = normalize(F::Email, Segment, ".\u{00A0}a@b").unwrap();
    assert_eq!(once, "\u{00A0}a@b");
    assert_eq!(normalize(F::Email, Segment, &once).unwrap(), "a@b");
    let once = normalize(F::Email, Segment, "a@b @c").unwrap();
    assert_eq!(once, "a@b ");
    assert_eq!(normalize(F::Email, Segment, &once).unwrap(), "a@b");
}

proptest! {
    #[test]
    fn single_block_sha256_matches_the_streaming_hasher(data in prop::collection::vec(any::<u8>(), 0..130)) {
        let text = String::from_utf8_lossy(&data).into_owned();
        let streaming: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let hex: String = streaming.iter().map(|b| format!("{b:02x}")).collect();
        prop_assert_eq!(sha256_hex(&text), hex);
    }
}

#[test]
fn sha256_block_boundaries() {
    for n in [0usize, 1, 54, 55, 56, 63, 64, 65] {
        let text = "a".repeat(n);
        let streaming: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let hex: String = streaming.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(sha256_hex(&text), hex, "{n} bytes");
    }
}

#[test]
fn every_step_has_a_rule() {
    use IdentifierField as F;
    let inputs = [
        (F::Email, " J.Doe+x@Ex.com "),
        (F::Email, "a@b@c"),
        (F::Email, "ab"),
        (F::Email, "é.x-y@Z.com"),
        (F::Email, "+++@"),
        (F::Phone, "+1 (415) 555-0132 ext. 89"),
        (F::Phone, "abc"),
        (F::Phone, "415 x 12"),
        (F::Idfa, "ab-cd"),
        (F::Aaid, "AB-CD"),
        (F::ExternalId, "  "),
        (F::ExternalId, " u1 "),
        (F::ConversionId, &"a".repeat(64)),
    ];
    let mut rules = std::collections::BTreeSet::new();
    for profile in Profile::ALL {
        for (field, raw) in inputs {
            let Ok(hashed) = hash_identifier(field, profile, raw) else { continue };
            for step in &hashed.steps {
                let rule = step_rule(step);
                assert_ne!(rule, "other", "{step:?}");
                rules.insert(rule);
            }
        }
    }
    for rule in [
        "trim",
        "lowercase",
        "uppercase",
        "dot removal",
        "+ suffix removal",
        "digits only",
        "+ prefix",
        "extension cut",
        "blank",
        "already hashed",
        "non-alphanumeric removal",
    ] {
        assert!(rules.contains(rule), "{rule} never seen: {rules:?}");
    }
}

#[test]
fn lone_surrogates_hash_and_index_as_in_node() {
    use js::lone_surrogate;
    // Known answers from the release: "a\ud83cb@x.com" hashes as Node encodes it (U+FFFD), and
    // "\ud83c12x34" is cut at UTF-16 index 3 (the lone surrogate is one unit): "+12".
    let email = format!("a{}b@x.com", lone_surrogate(0xD83C));
    let hashed = h(F::Email, Segment, &email);
    assert_eq!(hashed.hash, "7b699a7a5cbd6451565a5bf5f12552f94137696d9067eb82834229cb4600105b");
    assert_eq!(hashed.hash, sha256_hex("a\u{FFFD}b@x.com"));
    let phone = format!("{}12x34", lone_surrogate(0xD83C));
    assert_eq!(
        h(F::Phone, Segment, &phone).hash,
        "544f3f867456df14a9e62879ec6fb221b98d8ef30b5baf81a6bddefba1a5148c"
    );
    // A high and a low one side by side are the character they make (as JavaScript joins them).
    let joined = format!("{}{}", lone_surrogate(0xD83C), lone_surrogate(0xDF89));
    assert_eq!(sha256_hex(&joined), sha256_hex("🎉"));
}
