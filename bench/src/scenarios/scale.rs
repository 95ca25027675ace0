//! Idle instances: memory per instance, and the time to restore them all after a restart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::process::{Server, ServerOptions, rss};

pub struct Scale {
    pub instances: usize,
    pub bytes_per_instance: f64,
    pub restore_secs: f64,
}

async fn wait_active(server: &Server, count: usize, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while server.api.active_instances().await? < count as u64 {
        anyhow::ensure!(Instant::now() < deadline, "instances did not all connect");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

pub(super) async fn scale(count: usize) -> anyhow::Result<Scale> {
    let auto_pair = ServerOptions {
        database_url: None,
        extra: vec![("WAMUX__SIM__AUTO_PAIR_MS".into(), "1".into())],
    };
    let populated = tempfile::tempdir()?;
    let server = Server::start(populated.path(), &auto_pair).await?;
    let api = Arc::new(server.api.base.clone());
    let key = server.api.key.clone();
    let creators: Vec<_> = (0..8)
        .map(|worker| {
            let (base, key) = (api.clone(), key.clone());
            actix_web::rt::spawn(async move {
                let mut client = crate::client::Api::new((*base).clone());
                client.key = key;
                for n in (worker..count).step_by(8) {
                    client
                        .create_instance(json!({"name": format!("idle {n}")}))
                        .await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for creator in creators {
        creator.await??;
    }
    wait_active(&server, count, Duration::from_secs(600)).await?;
    server.stop()?;

    // The baseline: the same server with no instance, started the same way
    // (second start: the administrator exists, as in the restored one).
    let empty = tempfile::tempdir()?;
    Server::start(empty.path(), &auto_pair).await?.stop()?;
    let baseline = Server::start(empty.path(), &auto_pair).await?;
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let (rss_empty, _) = rss(baseline.pid())?;
    baseline.stop()?;

    let started = Instant::now();
    let restored = Server::start(populated.path(), &auto_pair).await?;
    wait_active(&restored, count, Duration::from_secs(600)).await?;
    let restore_secs = started.elapsed().as_secs_f64();
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let (rss_full, _) = rss(restored.pid())?;
    restored.stop()?;
    Ok(Scale {
        instances: count,
        bytes_per_instance: rss_full.saturating_sub(rss_empty) as f64 / count as f64,
        restore_secs,
    })
}
