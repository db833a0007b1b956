use seam_graphql::config::{Cli, Command};

/// mimalloc rather than glibc's malloc: a request allocates on one worker thread and is often freed
/// on the other, and glibc's arena locks made that a fifth of a cold request's CPU
/// (README, "Benchmarks"). Built without transparent huge pages (the `no_thp` feature): with them,
/// each arena touched whole 2 MiB pages, 8 MiB more resident memory at start.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    purge_freed_memory_at_once();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve())
}

/// mimalloc returns freed pages to the system a second after they are freed, but only checks during
/// later allocations: a gateway that goes idle after a burst kept its peak memory (30 MiB instead
/// of 19 after the cold-path benchmark). With no delay, pages go back when freed; the benchmark
/// showed no CPU cost. Called before the runtime starts: mimalloc's options are not thread-safe.
fn purge_freed_memory_at_once() {
    extern "C" {
        fn mi_option_set(option: std::os::raw::c_int, value: std::os::raw::c_long);
    }
    /// `mi_option_purge_delay` in mimalloc.h's `mi_option_t` (the same in its v2 and v3).
    const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;
    // SAFETY: mimalloc (linked by the `mimalloc` crate) defines this function; the option is a plain
    // integer read by the allocator, and no other thread runs yet.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

async fn serve() -> anyhow::Result<()> {
    let cli = Cli::parse_checked();
    // Held to the end: dropping it writes out the last log lines and exported spans.
    let _telemetry = seam_graphql::telemetry::init(cli.log_format, cli.otlp_endpoint.as_deref())?;
    match cli.into_command() {
        Command::Serve(config) => seam_graphql::run(*config).await,
        Command::Sandbox(args) => seam_graphql::run_sandbox(args).await,
        Command::PrintSchema => {
            print!("{}", seam_graphql::schema::sdl());
            Ok(())
        }
        Command::Healthcheck { url } => seam_graphql::healthcheck(&url).await,
    }
}
