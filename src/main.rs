//! `reddit-capi-console`: with no arguments, the desktop app; otherwise the command line.

// The pipeline allocates many small strings and vectors per event; mimalloc makes it ~30% faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
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
    keep_freed_memory();
    reddit_capi_console::cli::main()
}

/// mimalloc's `mi_option_purge_delay` (the same place in mimalloc 2 and 3's `mi_option_t`).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// A command runs for seconds: mimalloc keeps the memory it frees instead of handing it back to
/// the OS after 10 ms. `preview` frees and takes again megabytes every few milliseconds (input
/// pieces, batch bodies); with the default, some runs faulted in and zeroed 45,000 pages, 0.6 s
/// of CPU on 100,000 events (`perf stat`: 45,000 page faults against 400).
fn keep_freed_memory() {
    // SAFETY: plain setters of mimalloc's global options, called before any other thread starts.
    unsafe {
        // Only when the option is the one expected (its default: 10 ms; or as set by the user's
        // MIMALLOC_PURGE_DELAY, which then stays).
        if mi_option_get(MI_OPTION_PURGE_DELAY) == 10 && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
}
