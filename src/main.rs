use std::process::ExitCode;

use clap::Parser;
use wamux::cli::Cli;
use wamux::config::Settings;

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("wamux: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    wamux::telemetry::init(&settings.log);
    let _ = rustls::crypto::ring::default_provider().install_default();
    match wamux::commands::run(cli.command, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "wamux stopped");
            eprintln!("wamux: {err:#}");
            ExitCode::FAILURE
        }
    }
}
