//! Engine instances that cannot reach WhatsApp, retrying by the default policy:
//! what each holds after a while must be what it held early on.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::process::{Server, ServerOptions};
use crate::sample::{Baseline, PerInstance};

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

impl Offline {
    /// Flat: no more descriptors late than early, and resident memory within
    /// 10 % (the database's page cache grows with the activity log).
    pub fn flat(&self) -> bool {
        let (early, late) = (self.early.1, self.late.1);
        late.descriptors <= early.descriptors + 0.05
            && late.rss_bytes <= early.rss_bytes * 1.10 + 1024.0
    }
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
    let baseline = Baseline::take(server.pid())?;
    for n in 0..count {
        server
            .api
            .create_instance(json!({"name": format!("offline {n}")}))
            .await?;
    }
    let created = Instant::now();
    let sample_at = async |at: Duration| baseline.sample_at(created, at, count).await;
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
