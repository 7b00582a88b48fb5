//! `reddit-capi-console`: a thin shell over the library's command line.

// The pipeline allocates many small strings and vectors per event; mimalloc makes it ~30% faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    reddit_capi_console::cli::main()
}
