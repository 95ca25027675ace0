//! `wa-mock --listen 127.0.0.1:0`: prints `{"ws": .., "admin": ..}` once ready,
//! runs until SIGTERM or SIGINT.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(name = "wa-mock", about = "A WhatsApp server for tests and benchmarks")]
struct Cli {
    /// Address to listen on; port 0 takes any free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WA_MOCK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // The phones are whatsapp-rust clients: they run on a runtime of their own.
    let phones = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("wa-mock-phones")
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("wa-mock: cannot start the phones' runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let served = actix_web::rt::System::new().block_on(async {
        let bound = wa_mock::bind(&cli.listen, phones.handle().clone())?;
        let ready = serde_json::json!({"ws": bound.ws_url, "admin": bound.admin_url});
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{ready}")?;
        stdout.flush()?;
        drop(stdout);
        // actix-web stops on SIGTERM and SIGINT by itself.
        bound.server.await?;
        anyhow::Ok(())
    });
    phones.shutdown_background();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wa-mock: {err:#}");
            ExitCode::FAILURE
        }
    }
}
