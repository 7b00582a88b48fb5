//! `reddit-capi-console sample`: a ready-made Segment event (the app's templates), stamped now
//! with a fresh messageId, so an example sent today is never a week old.

use std::io::Write;

use clap::Args;

use super::{CliError, EXIT_OK};
use crate::segment::samples::TEMPLATES;

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// List the templates' names instead.
    #[arg(long)]
    list: bool,
    /// The template, by the start of its name, any case ("order", "page", "signed up").
    #[arg(default_value = "Order Completed")]
    template: String,
}

pub(super) fn run(args: SampleArgs, out: &mut impl Write) -> Result<u8, CliError> {
    if args.list {
        for t in &TEMPLATES {
            writeln!(out, "{}", t.name)?;
        }
        return Ok(EXIT_OK);
    }
    let wanted = args.template.trim().to_lowercase();
    let template =
        TEMPLATES.iter().find(|t| t.name.to_lowercase().starts_with(&wanted)).ok_or_else(|| {
            CliError(format!("no sample template starts with {:?} (see `sample --list`)", args.template))
        })?;
    writeln!(out, "{}", serde_json::to_string_pretty(&template.event())?)?;
    Ok(EXIT_OK)
}
