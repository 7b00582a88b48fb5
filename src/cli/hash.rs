//! `reddit-capi-console hash`: normalize and hash values the way a profile would.

use std::io::Write;

use clap::Args;
use serde_json::json;

use super::{CliError, EXIT_OK, EXIT_REFUSED, Format};
use crate::identity::{self, IdentifierField, Profile};

#[derive(Debug, Args)]
pub struct HashArgs {
    /// email, phone, external_id, ip_address, conversion_id, idfa or aaid.
    #[arg(long, value_parser = parse_field)]
    field: IdentifierField,
    /// Normalization profile.
    #[arg(long, default_value = "segment", value_parser = parse_profile)]
    profile: Profile,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Values to hash.
    #[arg(required = true)]
    values: Vec<String>,
}

fn parse_field(s: &str) -> Result<IdentifierField, String> {
    s.parse().map_err(|e: identity::UnknownField| e.to_string())
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|e: identity::UnknownProfile| e.to_string())
}

pub(super) fn run(args: HashArgs, out: &mut impl Write) -> Result<u8, CliError> {
    let mut code = EXIT_OK;
    for value in &args.values {
        match identity::hash_identifier(args.field, args.profile, value) {
            Ok(h) => match args.format {
                Format::Json => writeln!(
                    out,
                    "{}",
                    json!({"field": h.field, "profile": h.profile, "input": h.input, "normalized": h.normalized,
                           "hash": h.hash, "already_hashed": h.already_hashed, "steps": h.steps,
                           "other_profile_hash": h.other_profile_hash})
                )?,
                Format::Text => {
                    writeln!(out, "{} ({} profile)", h.field.as_str(), h.profile)?;
                    writeln!(out, "  input       {:?}", h.input)?;
                    for step in &h.steps {
                        writeln!(out, "  · {step}")?;
                    }
                    writeln!(out, "  normalized  {:?}", h.normalized)?;
                    writeln!(
                        out,
                        "  sha-256     {}",
                        if h.hash.is_empty() { "\"\" (blank)" } else { &h.hash }
                    )?;
                    if let Some(other) = &h.other_profile_hash {
                        writeln!(out, "  ⚠ the {} profile sends {other}", h.profile.other())?;
                    }
                }
            },
            Err(e) => {
                code = EXIT_REFUSED;
                match args.format {
                    Format::Json => writeln!(
                        out,
                        "{}",
                        json!({"field": args.field, "profile": args.profile, "input": value, "error": e.to_string()})
                    )?,
                    Format::Text => writeln!(out, "{} {value:?}: refused: {e}", args.field.as_str())?,
                }
            }
        }
    }
    Ok(code)
}
