use seam_graphql::config::{Cli, Command};

/// mimalloc rather than glibc's malloc: a request allocates on one worker thread and is often freed
/// on the other, and glibc's arena locks made that a fifth of a cold request's CPU
/// (README, "Benchmarks"). mimalloc also returns freed pages to the system by itself.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
