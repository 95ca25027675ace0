//! wamux-bench: starts the real server on the simulated network with a fresh
//! database, loads it over loopback HTTP, and prints one table of figures
//! (also written to BENCHMARKS.md). `--quick` is a small, fast run for CI.

mod client;
mod cluster_report;
mod engine;
mod engine_report;
mod load;
mod offline;
mod plan;
mod process;
mod receiver;
mod report;
mod rows;
mod sample;
mod scenarios;
mod store_mix;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "wamux-bench",
    about = "Throughput, latency and memory of wamux, measured honestly"
)]
struct Cli {
    /// A small run that finishes in well under a minute (CI).
    #[arg(long)]
    quick: bool,
    /// Where to write the report (default BENCHMARKS.md, or BENCHMARKS.quick.md in the target directory with --quick).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only these measurements (status, sends, sessions, webhooks, groups, scale, media, hostile, engine [engine-idle, engine-messaging], offline); the report is not written.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Subcommand)]
enum Role {
    /// (internal) Runs the wamux server from the environment's settings.
    #[command(hide = true)]
    Serve,
    /// (internal) Runs a bare actix-web JSON handler on this port, for comparison.
    #[command(hide = true)]
    Bare { port: u16 },
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = rustls::crypto::ring::default_provider().install_default();
    match cli.role {
        Some(Role::Serve) => process::serve().await,
        Some(Role::Bare { port }) => process::bare(port).await,
        None => {
            let mut plan = if cli.quick {
                scenarios::Plan::quick()
            } else {
                scenarios::Plan::full()
            };
            plan.only = cli.only.clone();
            let out = cli.out.unwrap_or_else(|| {
                if cli.quick {
                    // Beside the build, wherever CARGO_TARGET_DIR puts it.
                    std::env::var_os("CARGO_TARGET_DIR")
                        .map_or_else(|| "target".into(), std::path::PathBuf::from)
                        .join("BENCHMARKS.quick.md")
                } else {
                    "BENCHMARKS.md".into()
                }
            });
            match scenarios::run_all(&plan).await {
                Ok(results) => {
                    let table = report::render(&plan, &results);
                    println!("{table}");
                    if !plan.only.is_empty() {
                        return ExitCode::SUCCESS;
                    }
                    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    if let Err(err) = std::fs::write(&out, &table) {
                        eprintln!("wamux-bench: could not write {}: {err}", out.display());
                        return ExitCode::FAILURE;
                    }
                    eprintln!("written to {}", out.display());
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("wamux-bench: {err:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
