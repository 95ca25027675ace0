//! Engine instances that cannot reach WhatsApp, retrying by the default policy:
//! what each holds after a while must be what it held early on.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::process::{Server, ServerOptions, rss};

pub struct Offline {
    /// `whatsapp.session_store`: "database" or "files".
    pub session_store: &'static str,
    pub instances: usize,
    /// (seconds since the instances were created, figures per instance then)
    pub early: (u64, PerInstance),
    pub late: (u64, PerInstance),
    /// Connect attempts made by the late sample.
    pub attempts: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct PerInstance {
    pub descriptors: f64,
    pub rss_bytes: f64,
    pub threads: f64,
    /// Share of one core the whole server used over the ten seconds before the sample.
    pub cpu_percent: f64,
}

fn threads_of(pid: u32) -> anyhow::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/task"))?.count() as u64)
}

/// CPU time the process has used, in clock ticks (user + system).
fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(field(11) + field(12))
}

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;
const CPU_WINDOW: Duration = Duration::from_secs(10);

impl Offline {
    /// Flat: no more descriptors late than early, and resident memory within
    /// 10 % (the database's page cache grows with the activity log).
    pub fn flat(&self) -> bool {
        let (early, late) = (self.early.1, self.late.1);
        late.descriptors <= early.descriptors + 0.05
            && late.rss_bytes <= early.rss_bytes * 1.10 + 1024.0
    }
}

fn open_descriptors(pid: u32) -> anyhow::Result<u64> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count() as u64)
}

async fn restarts(server: &Server) -> anyhow::Result<u64> {
    let text = server.api.text("/metrics").await?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("wamux_session_restarts_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or(0.0) as u64)
}

/// `late`: `None` samples only early (the comparison run).
pub async fn offline(
    count: usize,
    early: Duration,
    late: Option<Duration>,
    session_store: &'static str,
) -> anyhow::Result<Offline> {
    let options = ServerOptions {
        database_url: None,
        extra: vec![
            ("WAMUX__WHATSAPP__BACKEND".into(), "whatsapp-rust".into()),
            (
                "WAMUX__WHATSAPP__SESSION_STORE".into(),
                session_store.into(),
            ),
            // Port 1: nothing listens, every connect is refused at once.
            (
                "WAMUX__WHATSAPP__WS_URL".into(),
                "ws://127.0.0.1:1/ws/chat".into(),
            ),
            (
                "WAMUX__WHATSAPP__VERSION".into(),
                "2.3000.1026131876".into(),
            ),
        ],
    };
    let dir = tempfile::tempdir()?;
    let server = Server::start(dir.path(), &options).await?;
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let pid = server.pid();
    let (base_rss, _) = rss(pid)?;
    let base_fds = open_descriptors(pid)?;
    let base_threads = threads_of(pid)?;
    for n in 0..count {
        server
            .api
            .create_instance(json!({"name": format!("offline {n}")}))
            .await?;
    }
    let created = Instant::now();
    let sample_at = async |at: Duration| -> anyhow::Result<PerInstance> {
        actix_web::rt::time::sleep(
            at.saturating_sub(CPU_WINDOW)
                .saturating_sub(created.elapsed()),
        )
        .await;
        let (ticks_before, window_start) = (cpu_ticks(pid)?, Instant::now());
        actix_web::rt::time::sleep(at.saturating_sub(created.elapsed())).await;
        let busy = (cpu_ticks(pid)? - ticks_before) as f64 / TICKS_PER_SECOND;
        let (now_rss, _) = rss(pid)?;
        Ok(PerInstance {
            descriptors: open_descriptors(pid)?.saturating_sub(base_fds) as f64 / count as f64,
            rss_bytes: now_rss.saturating_sub(base_rss) as f64 / count as f64,
            threads: threads_of(pid)?.saturating_sub(base_threads) as f64 / count as f64,
            cpu_percent: busy / window_start.elapsed().as_secs_f64() * 100.0,
        })
    };
    let early_figures = sample_at(early).await?;
    let late_figures = match late {
        Some(late) => sample_at(late).await?,
        None => early_figures,
    };
    let attempts = restarts(&server).await?;
    server.stop()?;
    Ok(Offline {
        session_store,
        instances: count,
        early: (early.as_secs(), early_figures),
        late: (late.unwrap_or(early).as_secs(), late_figures),
        attempts,
    })
}
