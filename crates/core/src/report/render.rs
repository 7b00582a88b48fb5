//! The report for people: plain text for a terminal, Markdown tables to paste into a ticket.
//! Both are the same sections and tables, drawn two ways.

use std::fmt::Write;

use super::{Examples, Report};

/// The report as plain text with aligned columns.
pub fn text(report: &Report) -> String {
    render(report, Style::Text)
}

/// The report as Markdown (headings and pipe tables).
pub fn markdown(report: &Report) -> String {
    render(report, Style::Markdown)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Text,
    Markdown,
}

/// A share as a percentage with one decimal ("–" of nothing).
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 { "–".into() } else { format!("{:.1} %", part as f64 * 100.0 / whole as f64) }
}

/// "3, 17, 42…" (an ellipsis when there are more than those listed).
fn first(examples: &Examples) -> String {
    let list: Vec<String> = examples.first.iter().map(usize::to_string).collect();
    let more = if examples.count > examples.first.len() as u64 { "…" } else { "" };
    format!("{}{more}", list.join(", "))
}

struct Out {
    style: Style,
    s: String,
}

impl Out {
    fn heading(&mut self, text: &str) {
        match self.style {
            Style::Markdown => {
                let _ = write!(self.s, "\n## {text}\n\n");
            }
            Style::Text => {
                let _ = write!(self.s, "\n{text}\n{}\n", "-".repeat(text.chars().count()));
            }
        }
    }

    fn line(&mut self, text: &str) {
        self.s.push_str(text);
        self.s.push('\n');
    }

    fn table(&mut self, headers: &[&str], rows: &[Vec<String>]) {
        if rows.is_empty() {
            self.line("(none)");
            return;
        }
        match self.style {
            Style::Markdown => {
                let cell = |c: &str| c.replace('|', "\\|").replace('\n', " ");
                let _ = writeln!(self.s, "| {} |", headers.join(" | "));
                let _ = writeln!(self.s, "|{}", " --- |".repeat(headers.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
                    let _ = writeln!(self.s, "| {} |", cells.join(" | "));
                }
            }
            Style::Text => {
                let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
                for row in rows {
                    for (w, c) in widths.iter_mut().zip(row) {
                        *w = (*w).max(c.chars().count());
                    }
                }
                let mut line = |cells: &mut dyn Iterator<Item = &str>| {
                    let mut text = String::new();
                    for (i, (c, w)) in cells.zip(&widths).enumerate() {
                        if i + 1 == widths.len() {
                            text.push_str(c);
                        } else {
                            let _ = write!(text, "{c}{}  ", " ".repeat(w - c.chars().count()));
                        }
                    }
                    let _ = writeln!(self.s, "  {}", text.trim_end());
                };
                line(&mut headers.iter().copied());
                for row in rows {
                    line(&mut row.iter().map(String::as_str));
                }
            }
        }
    }
}

fn render(r: &Report, style: Style) -> String {
    let mut out = Out { style, s: String::new() };
    match style {
        Style::Markdown => out.line("# Corpus report"),
        Style::Text => out.line("Corpus report"),
    }
    out.line("");
    out.line(r.about);
    out.line("");
    out.line(&format!(
        "{} events; {} built into requests; {} matched no mapping{}. Profile {}, API {}, now {}.",
        r.events,
        r.built,
        r.unmatched.count,
        if r.unmatched.count > 0 { format!(" (first: {})", first(&r.unmatched)) } else { String::new() },
        r.profile,
        r.api_version.as_str(),
        r.now
    ));

    out.heading("Mappings");
    // A mapping that only runs in the browser (the browser plugin) is said in a line, not tallied.
    let rows: Vec<Vec<String>> = r
        .mappings
        .iter()
        .filter(|m| m.matched > m.web_only)
        .map(|m| vec![m.name.clone(), m.matched.to_string(), m.built.to_string(), m.refused.to_string()])
        .collect();
    out.table(&["mapping", "matched", "built", "refused"], &rows);
    for m in r.mappings.iter().filter(|m| m.matched > 0 && m.matched == m.web_only) {
        out.line("");
        out.line(&format!(
            "{}: {} events matched; it runs only in the browser and builds no request.",
            m.name, m.matched
        ));
    }
    let refusals: Vec<Vec<String>> = r
        .mappings
        .iter()
        .flat_map(|m| {
            m.refusals.iter().map(|g| {
                vec![
                    m.name.clone(),
                    g.field.clone(),
                    g.reason.clone(),
                    g.events.count.to_string(),
                    first(&g.events),
                ]
            })
        })
        .collect();
    if !refusals.is_empty() {
        out.line("");
        out.line("Refused (Segment would drop these events):");
        out.line("");
        out.table(&["mapping", "field", "reason", "events", "first events"], &refusals);
    }

    out.heading(&format!("Identifier coverage (of {} built events)", r.built));
    let rows: Vec<Vec<String>> = r
        .coverage
        .iter()
        .map(|c| {
            vec![c.title(r.built), c.present.to_string(), percent(c.present, r.built), first(&c.missing)]
        })
        .collect();
    out.table(&["signal", "events", "share", "first events without it"], &rows);

    out.heading("Attribution signals per request");
    let rows: Vec<Vec<String>> = r
        .signals
        .iter()
        .enumerate()
        .map(|(n, e)| vec![format!("{n} / 7"), e.count.to_string(), percent(e.count, r.built), first(e)])
        .collect();
    out.table(&["signals", "events", "share", "first events"], &rows);

    out.heading("Normalization");
    let n = &r.normalization;
    let rows: Vec<Vec<String>> = n
        .values
        .iter()
        .filter(|v| v.values > 0)
        .map(|v| vec![v.field.to_string(), v.values.to_string()])
        .collect();
    out.table(&["identifier", "values hashed"], &rows);
    out.line("");
    let rows: Vec<Vec<String>> = n
        .rules
        .iter()
        .map(|g| vec![g.field.to_string(), g.rule.into(), g.events.count.to_string(), first(&g.events)])
        .collect();
    out.table(&["identifier", "rule", "values changed", "first events"], &rows);
    out.line("");
    out.line(&format!(
        "Already hashed (sent unchanged): {}{}.",
        n.already_hashed.count,
        suffix(&n.already_hashed)
    ));
    out.line(&format!(
        "Hash differently under the {} profile: {}{}.",
        n.other_profile,
        n.differs_under_other_profile.count,
        suffix(&n.differs_under_other_profile)
    ));

    out.heading("Lints");
    let rows: Vec<Vec<String>> = r
        .lints
        .iter()
        .map(|l| {
            vec![
                l.level.as_str().into(),
                l.field.clone(),
                l.events.count.to_string(),
                first(&l.events),
                l.message.clone(),
            ]
        })
        .collect();
    out.table(&["level", "field", "events", "first events", "first message"], &rows);

    out.heading("Timing");
    let t = &r.timing;
    out.line(&format!("Older than 7 days (Reddit rejects them): {}{}.", t.too_old.count, suffix(&t.too_old)));
    out.line(&format!("More than 5 minutes in the future: {}{}.", t.future.count, suffix(&t.future)));
    if let (Some(lo), Some(hi)) = (&t.earliest, &t.latest) {
        out.line(&format!("event_at from {lo} to {hi}."));
    }

    out.heading("Deduplication");
    let d = &r.dedup;
    out.line(&format!(
        "{} built events carry a conversion id, {} do not (Reddit can then deduplicate only by session).",
        d.with_conversion_id, d.without_conversion_id
    ));
    out.line(&format!(
        "Repeated conversion ids (same type within {} h of an earlier one; Reddit would drop them): {}{}.",
        crate::reddit::DEDUP_WINDOW_MS / 3_600_000,
        d.duplicates.count,
        suffix(&d.duplicates)
    ));
    if d.unchecked > 0 {
        out.line(&format!(
            "{} events were not checked: the index holds at most {} conversion ids from the last 48 h.",
            d.unchecked, d.capacity
        ));
    }
    out.s
}

/// " (first: 1, 2)" when there are any.
fn suffix(e: &Examples) -> String {
    if e.count == 0 { String::new() } else { format!(" (first: {})", first(e)) }
}
