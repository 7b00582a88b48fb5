//! The normalization rules of both profiles, written once and run either silently (the hot
//! path) or with a [`Trace`] that records every step that changed the value (the explainer).

use std::borrow::Cow;

use super::{IdentifierField, IdentityError, Profile, is_already_hashed, js};

/// Phone extension markers, in the order Segment checks them (the first one *found* wins in the
/// Segment profile, wherever it sits; the Reddit profile cuts at the earliest one instead).
pub(crate) const PHONE_EXTENSION_KEYWORDS: [&str; 6] = ["ext", "x", "anexo", "#", "poste", "int"];

/// Step text for a blank value.
pub(crate) const STEP_BLANK: &str = "blank: sent as \"\"";
/// Step text for a value that is already a SHA-256 hex digest.
pub(crate) const STEP_ALREADY_HASHED: &str = "already hashed: sent unchanged";

/// Optional recorder of normalization steps; `Trace::off()` costs nothing but a branch.
pub(crate) struct Trace<'s>(Option<&'s mut Vec<String>>);

impl<'s> Trace<'s> {
    /// A trace that records nothing.
    pub(crate) fn off() -> Self {
        Trace(None)
    }

    /// A trace that appends to `steps`.
    pub(crate) fn to(steps: &'s mut Vec<String>) -> Self {
        Trace(Some(steps))
    }

    /// Records a step; the text is only built when recording.
    #[inline]
    fn note(&mut self, step: impl FnOnce() -> String) {
        if let Some(steps) = self.0.as_mut() {
            steps.push(step());
        }
    }
}

/// The outcome of normalizing one raw value.
pub(crate) enum Normalized<'a> {
    /// Blank (JS-trimmed raw value empty, or nothing left after Reddit-profile cleaning): send `""`.
    Blank,
    /// The raw value is already a SHA-256 hex digest: send it unchanged.
    AlreadyHashed,
    /// The normalized value, to be hashed.
    Value(Cow<'a, str>),
}

/// Normalizes `raw` for `field` under `profile`, in the order Segment's `processHashing` uses:
/// blank test on the trimmed raw value, then the already-hashed test on the raw value, then
/// the field's cleaning function.
pub(crate) fn run<'a>(
    field: IdentifierField,
    profile: Profile,
    raw: &'a str,
    trace: &mut Trace<'_>,
) -> Result<Normalized<'a>, IdentityError> {
    if js::trim(raw).is_empty() {
        trace.note(|| STEP_BLANK.to_owned());
        return Ok(Normalized::Blank);
    }
    if is_already_hashed(raw) {
        trace.note(|| STEP_ALREADY_HASHED.to_owned());
        return Ok(Normalized::AlreadyHashed);
    }
    use IdentifierField as F;
    let value = match (profile, field) {
        (Profile::Segment, F::Email) => segment_email(raw, trace)?,
        (Profile::Segment, F::Phone) => segment_phone(raw, trace),
        (Profile::Segment, F::Idfa | F::Aaid) => Cow::Borrowed(raw),
        (Profile::Reddit, F::Email) => reddit_email(raw, trace),
        (Profile::Reddit, F::Phone) => reddit_phone(raw, trace),
        (Profile::Reddit, F::Idfa) => reddit_case(raw, trace, true),
        (Profile::Reddit, F::Aaid) => reddit_case(raw, trace, false),
        (_, F::ExternalId | F::IpAddress | F::ConversionId) => Cow::Borrowed(trimmed(raw, trace)),
    };
    if value.is_empty() {
        // Only reachable in the Reddit profile (Segment's cleaning always leaves "@" or "+").
        trace.note(|| "nothing left after normalization: sent as \"\"".to_owned());
        return Ok(Normalized::Blank);
    }
    Ok(Normalized::Value(value))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// JS `trim`, noting how many characters went.
fn trimmed<'a>(raw: &'a str, trace: &mut Trace<'_>) -> &'a str {
    let t = js::trim(raw);
    if t.len() != raw.len() {
        trace.note(|| {
            let n = raw.chars().count() - t.chars().count();
            format!("trimmed {}", plural(n, "character", "characters"))
        });
    }
    t
}

/// Appends JS `s.toLowerCase()` to `out`.
fn push_lower(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.push_str(&js::to_lower_case(s));
    }
}

/// Segment's `canonicalizeEmail`:
/// `trim; split('@'); parts[0].replace(/\./g,'').split('+')[0].toLowerCase() + '@' + parts[1].toLowerCase()`.
fn segment_email<'a>(raw: &'a str, trace: &mut Trace<'_>) -> Result<Cow<'a, str>, IdentityError> {
    let v = trimmed(raw, trace);
    let (local, rest) = v.split_once('@').ok_or(IdentityError::EmailWithoutAt)?;
    // `parts[1]` is only what lies between the first and the second "@".
    let domain = match rest.split_once('@') {
        Some((domain, ignored)) => {
            trace.note(|| {
                format!("ignored everything from the second \"@\" on ({:?})", format!("@{ignored}"))
            });
            domain
        }
        None => rest,
    };
    let no_dots: Cow<'_, str> = if local.contains('.') {
        trace.note(|| {
            let n = local.bytes().filter(|&b| b == b'.').count();
            format!("removed {} from local part", plural(n, "dot", "dots"))
        });
        Cow::Owned(local.replace('.', ""))
    } else {
        Cow::Borrowed(local)
    };
    let kept = match no_dots.find('+') {
        Some(i) => {
            trace.note(|| format!("cut local part at first + (dropped {:?})", &no_dots[i..]));
            &no_dots[..i]
        }
        None => &no_dots[..],
    };
    let mut out = String::with_capacity(kept.len() + 1 + domain.len());
    push_lower(kept, &mut out);
    let at = out.len();
    out.push('@');
    push_lower(domain, &mut out);
    if &out[..at] != kept || &out[at + 1..] != domain {
        trace.note(|| "lowercased".to_owned());
    }
    Ok(Cow::Owned(out))
}

/// Byte index of the first ASCII-case-insensitive occurrence of `kw` (ASCII) in `s`.
fn find_ascii_ci(s: &str, kw: &str) -> Option<usize> {
    s.as_bytes().windows(kw.len()).position(|w| w.eq_ignore_ascii_case(kw.as_bytes()))
}

/// Keeps the ASCII digits of the chars of `p` that start before UTF-16 offset `limit`.
/// Digits are appended to `out`; returns (count of removed chars, byte index where the cut starts).
fn keep_digits(p: &str, limit: usize, out: &mut String) -> (usize, usize) {
    let mut offset = 0;
    let mut removed = 0;
    for (i, c) in p.char_indices() {
        if offset >= limit {
            return (removed, i);
        }
        if c.is_ascii_digit() {
            out.push(c);
        } else {
            removed += 1;
        }
        offset += js::units_of(c);
    }
    (removed, p.len())
}

/// Segment's `cleanPhoneNumber`: trim; drop one leading `+`; `idx = p.toLowerCase().indexOf(kw)`
/// for the first keyword found in Segment's order, `p = p.slice(0, idx)` (a UTF-16 index into the
/// lowercased string, applied to the original); keep ASCII digits; prefix `+`.
fn segment_phone<'a>(raw: &'a str, trace: &mut Trace<'_>) -> Cow<'a, str> {
    let v = trimmed(raw, trace);
    let had_plus = v.starts_with('+');
    let p = if had_plus { &v[1..] } else { v };
    let mut cut: Option<(usize, &str)> = None;
    if p.is_ascii() {
        // Lowercasing ASCII keeps every index: the byte index is the UTF-16 index.
        cut = PHONE_EXTENSION_KEYWORDS.iter().find_map(|kw| find_ascii_ci(p, kw).map(|i| (i, *kw)));
    } else {
        let lower = js::to_lower_case(p);
        for kw in PHONE_EXTENSION_KEYWORDS {
            if let Some(b) = lower.find(kw) {
                cut = Some((js::utf16_len(&lower[..b]), kw));
                break;
            }
        }
    }
    let limit = cut.map_or(usize::MAX, |(i, _)| i);
    let mut out = String::with_capacity(p.len() + 1);
    out.push('+');
    let (removed, cut_byte) = keep_digits(p, limit, &mut out);
    if let Some((_, kw)) = cut {
        trace.note(|| {
            if cut_byte < p.len() {
                format!("cut at extension {kw:?} (dropped {:?})", &p[cut_byte..])
            } else {
                format!(
                    "found extension {kw:?} but cut nothing: lowercasing lengthened the text \
                     before it, and Segment applies that index to the original"
                )
            }
        });
    }
    if removed > 0 {
        trace.note(|| format!("kept digits only (removed {})", plural(removed, "character", "characters")));
    }
    if !had_plus {
        trace.note(|| "prefixed +".to_owned());
    }
    Cow::Owned(out)
}

/// Reddit profile phone: trim; drop one leading `+`; cut at the *earliest* extension marker
/// (ASCII case-insensitive); keep ASCII digits; prefix `+`. No digits at all → blank.
fn reddit_phone<'a>(raw: &'a str, trace: &mut Trace<'_>) -> Cow<'a, str> {
    let v = trimmed(raw, trace);
    let had_plus = v.starts_with('+');
    let p = if had_plus { &v[1..] } else { v };
    let bytes = p.as_bytes();
    let cut = (0..bytes.len()).find_map(|i| {
        PHONE_EXTENSION_KEYWORDS.iter().find_map(|kw| {
            let end = i + kw.len();
            (end <= bytes.len() && bytes[i..end].eq_ignore_ascii_case(kw.as_bytes())).then_some((i, *kw))
        })
    });
    // Keywords are ASCII, so a match index is a char boundary and equals the UTF-16 count of
    // ASCII-only prefixes; pass a UTF-16 limit that lands exactly on it.
    let limit = cut.map_or(usize::MAX, |(i, _)| js::utf16_len(&p[..i]));
    let mut out = String::with_capacity(p.len() + 1);
    out.push('+');
    let (removed, cut_byte) = keep_digits(p, limit, &mut out);
    if let Some((_, kw)) = cut {
        trace.note(|| format!("cut at extension {kw:?} (dropped {:?})", &p[cut_byte..]));
    }
    if removed > 0 {
        trace.note(|| format!("kept digits only (removed {})", plural(removed, "character", "characters")));
    }
    if out.len() == 1 {
        trace.note(|| "no digits left".to_owned());
        return Cow::Borrowed("");
    }
    if !had_plus {
        trace.note(|| "prefixed +".to_owned());
    }
    Cow::Owned(out)
}

/// Reddit profile email: trim; lowercase; split at the last `@` (the domain follows the last
/// `@`); local part: cut at the first `+`, then drop every char that is not alphanumeric
/// (Unicode letters and digits, [`char::is_alphanumeric`]: ASCII a-z0-9 plus e.g. `é`, `ß`,
/// `٣`); domain kept as lowercased. No `@`: the whole value is treated as a local part.
fn reddit_email<'a>(raw: &'a str, trace: &mut Trace<'_>) -> Cow<'a, str> {
    let v = trimmed(raw, trace);
    let lower = js::to_lower_case(v);
    if lower != v {
        trace.note(|| "lowercased".to_owned());
    }
    let (local, domain) = match lower.rfind('@') {
        Some(i) => {
            if lower[..i].contains('@') {
                trace.note(|| "several \"@\": split at the last one".to_owned());
            }
            (&lower[..i], Some(&lower[i + 1..]))
        }
        None => {
            trace.note(|| "no \"@\": treated the whole value as a local part".to_owned());
            (&lower[..], None)
        }
    };
    let local = match local.find('+') {
        Some(i) => {
            trace.note(|| format!("cut local part at first + (dropped {:?})", &local[i..]));
            &local[..i]
        }
        None => local,
    };
    let mut out = String::with_capacity(lower.len());
    out.extend(local.chars().filter(|c| c.is_alphanumeric()));
    if out.len() != local.len() {
        trace.note(|| {
            let dropped: String = local.chars().filter(|c| !c.is_alphanumeric()).collect();
            let n = dropped.chars().count();
            format!(
                "removed {} from local part ({dropped:?})",
                plural(n, "non-alphanumeric character", "non-alphanumeric characters")
            )
        });
    }
    if let Some(domain) = domain {
        out.push('@');
        out.push_str(domain);
    }
    Cow::Owned(out)
}

/// Reddit profile advertising ids: trim, then IDFA uppercased / AAID lowercased (dashes kept).
fn reddit_case<'a>(raw: &'a str, trace: &mut Trace<'_>, upper: bool) -> Cow<'a, str> {
    let v = trimmed(raw, trace);
    let cased = if upper { v.to_uppercase() } else { js::to_lower_case(v) };
    if cased == v {
        Cow::Borrowed(v)
    } else {
        trace.note(|| if upper { "uppercased" } else { "lowercased" }.to_owned());
        Cow::Owned(cased)
    }
}

/// The rule a recorded step belongs to, for counting steps whose text carries values
/// ("trimmed 2 characters" and "trimmed 1 character" are both `trim`).
pub fn step_rule(step: &str) -> &'static str {
    const RULES: [(&str, &str); 15] = [
        (STEP_BLANK, "blank"),
        (STEP_ALREADY_HASHED, "already hashed"),
        ("nothing left", "nothing left"),
        ("trimmed", "trim"),
        ("lowercased", "lowercase"),
        ("uppercased", "uppercase"),
        ("cut local part at first +", "+ suffix removal"),
        ("ignored everything from the second", "second @ ignored"),
        ("several \"@\"", "split at last @"),
        ("no \"@\"", "no @"),
        ("cut at extension", "extension cut"),
        ("found extension", "extension cut"),
        ("kept digits only", "digits only"),
        ("no digits left", "no digits left"),
        ("prefixed +", "+ prefix"),
    ];
    if step.starts_with("removed") {
        return if step.contains("non-alphanumeric") { "non-alphanumeric removal" } else { "dot removal" };
    }
    RULES.iter().find(|(prefix, _)| step.starts_with(prefix)).map_or("other", |(_, rule)| rule)
}
