//! Connected engine instances doing nothing: what each costs the server, and
//! how long the server takes to bring them all back after a restart.

use std::time::{Duration, Instant};

use serde_json::json;

use super::mock::{Mock, link_many, wait_connected};
use crate::process::Server;
use crate::sample::{Baseline, PerInstance};

pub struct Idle {
    pub instances: usize,
    /// From the first instance created to all linked and connected.
    pub link_secs: f64,
    pub idle_secs: u64,
    pub per_instance: PerInstance,
}

pub struct Restore {
    pub instances: usize,
    /// From process start to all connected again.
    pub secs: f64,
}

/// `count` instances linked through the mock, then left alone for `idle_for`;
/// with `restore`, the server is then restarted and timed until all are back.
pub async fn idle(
    count: usize,
    idle_for: Duration,
    restore: bool,
) -> anyhow::Result<(Idle, Option<Restore>)> {
    let dir = tempfile::tempdir()?;
    let mock = Mock::start(&dir.path().join("wa-mock.log"))?;
    let options = mock.server_options();
    let server = Server::start(dir.path(), &options).await?;
    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
    let baseline = Baseline::take(server.pid())?;
    let started = Instant::now();
    link_many(&server, &mock, count, json!({}), 16).await?;
    let link_secs = started.elapsed().as_secs_f64();
    let linked = Instant::now();
    let per_instance = baseline.sample_at(linked, idle_for, count).await?;
    let figures = Idle {
        instances: count,
        link_secs,
        idle_secs: idle_for.as_secs(),
        per_instance,
    };
    if !restore {
        return Ok((figures, None));
    }
    server.stop()?;
    let started = Instant::now();
    let restored = Server::start(dir.path(), &options).await?;
    wait_connected(&restored, count, Duration::from_secs(600)).await?;
    let secs = started.elapsed().as_secs_f64();
    restored.stop()?;
    Ok((
        figures,
        Some(Restore {
            instances: count,
            secs,
        }),
    ))
}
