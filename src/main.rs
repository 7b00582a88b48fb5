//! `reddit-capi-console`: with no arguments, the desktop app; otherwise the command line.

// The pipeline allocates many small strings and vectors per event; mimalloc makes it ~30% faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    for problem in reddit_capi_console::process::harden() {
        eprintln!("reddit-capi-console: warning: {problem}");
    }
    #[cfg(feature = "gui")]
    if std::env::args_os().len() == 1 {
        return match reddit_capi_console::app::run() {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("reddit-capi-console: the desktop app could not start: {e}");
                std::process::ExitCode::from(2)
            }
        };
    }
    reddit_capi_console::cli::main()
}
