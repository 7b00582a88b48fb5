//! `reddit-capi-console emulate`: the local Reddit emulator on a loopback port, until stopped.

use clap::Args;

use super::CliError;
use super::common::token_from_env;
use crate::emulator::{self, Emulator};
use crate::secret::Secret;

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Loopback address and port (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: std::net::SocketAddr,
    /// Accept only this bearer token (default: any non-empty one). It shows in `ps`: prefer
    /// --token-env.
    #[arg(long, conflicts_with = "token_env")]
    token: Option<String>,
    /// Accept only the bearer token held by this environment variable.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// Accept only this Pixel ID (default: any).
    #[arg(long)]
    pixel: Option<String>,
}

pub(super) fn run(args: EmulateArgs) -> Result<u8, CliError> {
    let token = match (&args.token, &args.token_env) {
        (Some(token), _) => {
            Some(Secret::token(token.as_str()).map_err(|e| CliError(format!("--token {e}")))?.ok_or_else(
                || {
                    CliError(
                        "--token is empty: give the token to accept, or leave --token out to accept any"
                            .into(),
                    )
                },
            )?)
        }
        (None, Some(var)) => {
            Some(token_from_env(var)?.ok_or_else(|| CliError(format!("${var} is not set or empty")))?)
        }
        (None, None) => None,
    };
    let runtime = super::common::runtime()?;
    runtime.block_on(async {
        let token = token.map(|t| t.expose().to_string());
        let config = emulator::Config { token, pixel: args.pixel, ..emulator::Config::default() };
        let emu =
            Emulator::start(args.bind, config).await.map_err(|e| CliError(format!("{}: {e}", args.bind)))?;
        println!("Local Reddit emulator listening on {}", emu.base_url());
        println!("  v2.0: POST {}/api/v2.0/conversions/events/{{pixel_id}}", emu.base_url());
        println!("  v3:   POST {}/api/v3/pixels/{{pixel_id}}/conversion_events", emu.base_url());
        println!(
            "  received events: GET {0}/_emulator/events · clear: DELETE · faults: POST {0}/_emulator/faults",
            emu.base_url()
        );
        println!("Stop with Ctrl-C.");
        std::future::pending::<()>().await;
        Ok(0)
    })
}
