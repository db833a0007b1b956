use clap::Parser;
use seam_graphql::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
