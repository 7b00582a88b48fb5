//! `reddit-capi-console`: a thin shell over the library's command line.

fn main() -> std::process::ExitCode {
    reddit_capi_console::cli::main()
}
