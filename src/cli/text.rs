//! `--format text`: requests, identifier tables and lints for people.

use std::io::{self, Write};

use crate::engine::{Engine, Item};
use crate::reddit::Level;

fn short(hash: &str) -> String {
    if hash.len() == 64 {
        format!("{}…{}", &hash[..8], &hash[60..])
    } else if hash.is_empty() {
        "\"\"".into()
    } else {
        hash.to_string()
    }
}

/// Writes one item; `current` labels the event being run (items of a batch name their range).
pub(super) fn write_item(
    out: &mut impl Write,
    item: &Item,
    current: &str,
    engine: &Engine,
) -> io::Result<()> {
    let label = |_: usize| current;
    match item {
        Item::Unmatched { event_index } => {
            writeln!(
                out,
                "event {event_index} · {} → no enabled mapping's trigger matches\n",
                label(*event_index)
            )
        }
        Item::WebOnly { event_index, mapping, note } => {
            writeln!(
                out,
                "event {event_index} · {} → {mapping:?}: web only, no request\n  {note}\n",
                label(*event_index)
            )
        }
        Item::Refused { event_index, mapping, error } => writeln!(
            out,
            "event {event_index} · {} → {mapping:?}: REFUSED (Segment would drop this event)\n  {}: {}\n",
            label(*event_index),
            error.field,
            error.message
        ),
        Item::Request { event_indexes, mapping, request, lints, identifiers, .. } => {
            let which = match event_indexes.as_slice() {
                [one] => format!("event {one} · {}", label(*one)),
                many => format!("{} events ({}…{})", many.len(), many[0], many[many.len() - 1]),
            };
            writeln!(out, "{which} → {mapping:?}")?;
            writeln!(out, "{} {}", request.method, request.url)?;
            for (k, v) in &request.headers {
                writeln!(out, "{k}: {v}")?;
            }
            writeln!(out)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&request.body).map_err(io::Error::from)?)?;
            let reference =
                crate::mapping::release::body_reference(engine.settings.profile, engine.settings.api_version);
            writeln!(out, "({reference})")?;
            if !identifiers.is_empty() {
                writeln!(
                    out,
                    "\nIdentifiers ({} profile): raw → normalized → SHA-256",
                    engine.settings.profile
                )?;
                let width = identifiers.iter().map(|i| i.path.chars().count()).max().unwrap_or(0);
                for id in identifiers {
                    let h = &id.hashed;
                    let result = if h.already_hashed {
                        "already hashed, sent unchanged".to_string()
                    } else {
                        short(&h.hash)
                    };
                    writeln!(out, "  {:width$}  {:?} → {:?} → {result}", id.path, h.input, h.normalized)?;
                    if !h.steps.is_empty() {
                        writeln!(out, "  {:width$}  rules: {}", "", h.steps.join("; "))?;
                    }
                    if let Some(other) = &h.other_profile_hash {
                        writeln!(
                            out,
                            "  {:width$}  ⚠ the {} profile would send {}",
                            "",
                            h.profile.other(),
                            short(other)
                        )?;
                    }
                }
            }
            if lints.is_empty() {
                writeln!(out, "\nNo lints.")?;
            } else {
                writeln!(out, "\nLints")?;
                for l in lints {
                    let level = match l.level {
                        Level::Error => "error  ",
                        Level::Warning => "warning",
                    };
                    writeln!(out, "  {level} {}: {}", l.field, l.message)?;
                    if let Some(h) = &l.hint {
                        writeln!(out, "          hint: {h}")?;
                    }
                }
            }
            writeln!(out)
        }
    }
}
