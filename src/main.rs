use clap::Parser;
use seam_graphql::config::{Cli, Command};

/// mimalloc rather than glibc's malloc: a request allocates a few hundred small objects across the
/// runtime's threads, and glibc's malloc/free were ~15% of the gateway's CPU on the cold path and
/// kept freed memory resident (idle RSS); mimalloc is quicker there and returns free pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Give freed pages back at once and commit arena memory only as it is used, so an idle gateway's
/// RSS is what it holds (the device cache), not what a burst of load once touched.
fn return_free_memory_promptly() {
    // `mi_option_t` values of the vendored mimalloc v3 (libmimalloc-sys pinned in Cargo.toml).
    const MI_OPTION_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: plain option setters of the linked allocator, valid at any time.
    unsafe {
        mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    return_free_memory_promptly();
    let cli = Cli::parse();
    seam_graphql::telemetry::init(cli.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => seam_graphql::run(cli.gateway).await,
        Command::Sandbox(args) => seam_graphql::run_sandbox(args).await,
        Command::PrintSchema => {
            print!("{}", seam_graphql::schema::sdl());
            Ok(())
        }
        Command::Healthcheck { url } => seam_graphql::healthcheck(&url).await,
    }
}
