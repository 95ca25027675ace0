//! Several nodes on one PostgreSQL database: the status route asked of a node
//! that forwards it to the holder, against the holder itself; and the time for
//! the other nodes to take over every instance of a killed node.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Plan, Throughput, repeat, summarize};
use crate::load::Request;
use crate::process::{Server, ServerOptions, free_port};

pub const LEASE_TTL_MS: u64 = 5000;
const SECRET: &str = "bench-cluster-secret-bench-cluster-secret";

pub struct ClusterFigures {
    pub direct: Throughput,
    pub forwarded: Throughput,
    pub takeover_instances: usize,
    /// From the kill until every instance is connected on another node.
    pub takeover_secs: f64,
}

async fn node(
    dir: &std::path::Path,
    database_url: &str,
    node_id: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut env: Vec<(String, String)> = vec![
        ("WAMUX__CLUSTER__ENABLED".into(), "true".into()),
        ("WAMUX__CLUSTER__NODE_ID".into(), node_id.into()),
        (
            "WAMUX__CLUSTER__ADVERTISE_URL".into(),
            format!("http://127.0.0.1:{port}"),
        ),
        ("WAMUX__CLUSTER__SECRET".into(), SECRET.into()),
        (
            "WAMUX__CLUSTER__LEASE_TTL_MS".into(),
            LEASE_TTL_MS.to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let options = ServerOptions {
        database_url: Some(database_url.to_owned()),
        extra: env,
    };
    Server::start_on(dir, &options, port).await
}

pub(super) async fn cluster(plan: &Plan, admin_url: &str) -> anyhow::Result<ClusterFigures> {
    let (direct, forwarded) = forwarding(plan, admin_url).await?;
    let (takeover_instances, takeover_secs) = takeover(plan, admin_url).await?;
    Ok(ClusterFigures {
        direct,
        forwarded,
        takeover_instances,
        takeover_secs,
    })
}

/// The same instance's status, from its holder and through another node.
async fn forwarding(plan: &Plan, admin_url: &str) -> anyhow::Result<(Throughput, Throughput)> {
    let url = super::sends::fresh_postgres(admin_url).await?;
    let (one, two) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let n1 = node(one.path(), &url, "n1", &[]).await?;
    let n2 = node(two.path(), &url, "n2", &[]).await?;
    // Created through n2, which has as few as n1: it runs on n2.
    let id = n2.api.paired("15550000001", json!({})).await?;
    let status = |base: &str| {
        let (url, key) = (
            format!("{base}/api/whatsapp/{id}/status"),
            n2.api.key.clone(),
        );
        Arc::new(move |_| Request {
            post: false,
            url: url.clone(),
            headers: vec![("x-api-key", key.clone())],
            body: None,
        })
    };
    let direct = summarize(&repeat(plan, status(&n2.api.base)));
    let forwarded = summarize(&repeat(plan, status(&n1.api.base)));
    drop((n1, n2));
    Ok((direct, forwarded))
}

async fn connected_on(server: &Server) -> anyhow::Result<u64> {
    let metrics = server.api.text("/metrics").await?;
    Ok(metrics
        .lines()
        .filter(|line| {
            line.starts_with("wamux_instances{") && line.contains("status=\"connected\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum())
}

/// Every instance on one node, which is then killed (`kill -9`).
async fn takeover(plan: &Plan, admin_url: &str) -> anyhow::Result<(usize, f64)> {
    let count = plan.takeover_instances;
    let url = super::sends::fresh_postgres(admin_url).await?;
    let dirs = [
        tempfile::tempdir()?,
        tempfile::tempdir()?,
        tempfile::tempdir()?,
    ];
    let auto_pair = [("WAMUX__SIM__AUTO_PAIR_MS", "1")];
    let doomed = node(dirs[0].path(), &url, "n1", &auto_pair).await?;
    for n in 0..count {
        doomed
            .api
            .create_instance(json!({"name": format!("held by n1 {n}")}))
            .await?;
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    while connected_on(&doomed).await? < count as u64 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "instances did not all connect on n1"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let heirs = [
        node(dirs[1].path(), &url, "n2", &auto_pair).await?,
        node(dirs[2].path(), &url, "n3", &auto_pair).await?,
    ];
    // Dropping the server kills it: SIGKILL, no drain.
    drop(doomed);
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(120);
    loop {
        let mut connected = 0;
        for heir in &heirs {
            connected += connected_on(heir).await?;
        }
        if connected >= count as u64 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the takeover did not finish ({connected}/{count})"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((count, killed.elapsed().as_secs_f64()))
}
