//! `reddit-capi-console emulate`: the local Reddit emulator on a loopback port, until stopped.

use clap::Args;

use super::UsageError;
use crate::emulator::{self, Emulator};

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Loopback address and port (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: std::net::SocketAddr,
    /// Accept only this bearer token (default: any non-empty one).
    #[arg(long)]
    token: Option<String>,
    /// Accept only this Pixel ID (default: any).
    #[arg(long)]
    pixel: Option<String>,
}

pub fn run(args: EmulateArgs) -> Result<u8, UsageError> {
    let runtime = super::common::runtime()?;
    runtime.block_on(async {
        let config = emulator::Config { token: args.token, pixel: args.pixel, ..emulator::Config::default() };
        let emu = Emulator::start(args.bind, config)
            .await
            .map_err(|e| UsageError(format!("{}: {e}", args.bind)))?;
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
