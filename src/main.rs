use seam_graphql::config::{Cli, Command};

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
