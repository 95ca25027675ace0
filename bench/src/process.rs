//! The server under test runs in its own process (this binary, `serve`), so its
//! memory is measured apart from the load generator's.

use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::client::Api;

pub const ADMIN_EMAIL: &str = "bench@example.com";
pub const ADMIN_PASSWORD: &str = "bench-password-1";

/// The `serve` role: the real server, settings from `WAMUX__*`.
pub async fn serve() -> ExitCode {
    let settings = match wamux::config::Settings::load(None) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    wamux::telemetry::init(&settings.log);
    if std::env::var_os(STORE_MIX).is_some() {
        return serve_beside_store_mix(settings).await;
    }
    match wamux::commands::run(None, settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("server failed: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Set: the server also runs the session-store mix on its own connections.
pub const STORE_MIX: &str = "WAMUX_BENCH_STORE_MIX";

async fn serve_beside_store_mix(settings: wamux::config::Settings) -> ExitCode {
    let application = match wamux::startup::Application::build(settings).await {
        Ok(application) => application,
        Err(err) => {
            eprintln!("server failed: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    let here = std::env::current_dir().unwrap_or_default();
    crate::store_mix::beside_server(application.session_connections(), &here);
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// The `bare` role: the least an actix-web JSON endpoint costs on this machine.
pub async fn bare(port: u16) -> ExitCode {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let server = HttpServer::new(|| {
        App::new().route(
            "/status",
            web::get().to(|| async {
                HttpResponse::Ok()
                    .json(serde_json::json!({"ready": true, "status": "connected", "hasQr": false}))
            }),
        )
    })
    .bind(("127.0.0.1", port));
    match server {
        Ok(server) => match server.run().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        },
        Err(_) => ExitCode::FAILURE,
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind(("127.0.0.1", 0))?
        .local_addr()?
        .port())
}

pub struct Server {
    child: Child,
    pub api: Api,
}

/// The default: the simulated network on a fresh SQLite database.
#[derive(Clone, Default)]
pub struct ServerOptions {
    pub database_url: Option<String>,
    pub extra: Vec<(String, String)>,
}

impl Server {
    /// Starts the server with its data in `dir` and waits until it answers.
    pub async fn start(dir: &Path, options: &ServerOptions) -> anyhow::Result<Self> {
        Self::start_on(dir, options, free_port()?).await
    }

    /// `start` on the embedded SQLite database, with these settings beside the defaults.
    pub async fn on_sqlite(dir: &Path, extra: Vec<(String, String)>) -> anyhow::Result<Self> {
        let options = ServerOptions {
            database_url: None,
            extra,
        };
        Self::start(dir, &options).await
    }

    /// Like `start`, on a port chosen beforehand (a cluster node advertises it).
    pub async fn start_on(dir: &Path, options: &ServerOptions, port: u16) -> anyhow::Result<Self> {
        let database = options
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/wamux.db?mode=rwc", dir.display()));
        let mut env: Vec<(String, String)> = vec![
            ("WAMUX__SERVER__PORT".into(), port.to_string()),
            (
                "WAMUX__SERVER__DATA_DIR".into(),
                dir.join("data").display().to_string(),
            ),
            ("WAMUX__DATABASE__URL".into(), database),
            ("WAMUX__DATABASE__MAX_CONNECTIONS".into(), "16".into()),
            (
                "WAMUX__AUTH__JWT_SECRET".into(),
                "bench-secret-bench-secret-bench-secret".into(),
            ),
            (
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_EMAIL".into(),
                ADMIN_EMAIL.into(),
            ),
            (
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD".into(),
                ADMIN_PASSWORD.into(),
            ),
            ("WAMUX__WHATSAPP__BACKEND".into(), "sim".into()),
            (
                "WAMUX__WHATSAPP__DATA_DIR".into(),
                dir.join("data/wa").display().to_string(),
            ),
            ("WAMUX__SIM__QR_REFRESH_MS".into(), "60000".into()),
            ("WAMUX__SIM__RECEIPT_DELAY_MS".into(), "100".into()),
            ("WAMUX__SUPERVISION__BOOT_STAGGER_MS".into(), "0".into()),
            ("WAMUX__LIMITS__REQUESTS_PER_SECOND".into(), "0".into()),
            (
                "WAMUX__LIMITS__LOGIN_ATTEMPTS_PER_MINUTE".into(),
                "0".into(),
            ),
            (
                "WAMUX__WEBHOOKS__ALLOW_PRIVATE_TARGETS".into(),
                "true".into(),
            ),
            ("WAMUX__LOG__LEVEL".into(), "warn".into()),
        ];
        env.extend(options.extra.iter().cloned());
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = Command::new(std::env::current_exe()?)
            .arg("serve")
            .current_dir(dir)
            .env_remove("RUST_LOG")
            // A shell's RUST_BACKTRACE=1 makes every engine error capture and
            // symbolize a backtrace (15 MB of debug info cached, CPU per error):
            // the server is measured as it runs in production.
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .envs(env)
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .context("starting the server")?;
        let base = format!("http://127.0.0.1:{port}");
        let mut api = Api::new(base);
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if api.health().await {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not start (see {}/server.log)",
                dir.display()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
        Ok(Self { child, api })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM and wait, so the next start sees a cleanly closed database.
    pub fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bare actix-web baseline in its own process.
pub struct Bare {
    child: Child,
    pub url: String,
}

impl Bare {
    pub async fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        let child = Command::new(std::env::current_exe()?)
            .args(["bare", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let url = format!("http://127.0.0.1:{port}/status");
        let client = awc::Client::default();
        for _ in 0..200 {
            if client.get(url.as_str()).send().await.is_ok() {
                return Ok(Self { child, url });
            }
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
        anyhow::bail!("the bare actix-web server did not start")
    }
}

impl Drop for Bare {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident memory of a process, in bytes: (current, peak since the last reset).
pub fn rss(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = status
            .lines()
            .find(|l| l.starts_with(name))
            .with_context(|| format!("no {name} in /proc/{pid}/status"))?;
        let kib: u64 = line
            .split_whitespace()
            .nth(1)
            .context("malformed")?
            .parse()?;
        Ok(kib * 1024)
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resets the peak resident size (`VmHWM`) to the current one.
pub fn reset_peak(pid: u32) -> anyhow::Result<()> {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").context("resetting the peak RSS")
}
