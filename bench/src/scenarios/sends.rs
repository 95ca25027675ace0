//! Text sends on SQLite or PostgreSQL: throughput, latency, and every answered send persisted.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;

use super::{Plan, Throughput, repeat, summarize};
use crate::load::{MakeRequest, Request};
use crate::process::{Server, ServerOptions};

#[derive(Default)]
pub struct Sends {
    pub figures: Throughput,
    pub answered: u64,
    pub persisted: u64,
}

fn send_request(base: &str, key: &str, from: &str, to: &'static str) -> MakeRequest {
    let (url, key) = (format!("{base}/api/whatsapp/{from}/send"), key.to_owned());
    Arc::new(move |n| Request {
        post: true,
        url: url.clone(),
        headers: vec![
            ("x-api-key", key.clone()),
            ("content-type", "application/json".into()),
        ],
        body: Some(Bytes::from(
            json!({"phone": to, "message": format!("benchmark message {n}")}).to_string(),
        )),
    })
}

pub(super) async fn sends(plan: &Plan, database_url: Option<String>) -> anyhow::Result<Sends> {
    Ok(sends_beside(plan, database_url, false).await?.0)
}

/// Sends, with the session-store mix running in the server beside them when
/// `with_store_mix`; then also the mix's operations per second during the sends.
pub(super) async fn sends_beside(
    plan: &Plan,
    database_url: Option<String>,
    with_store_mix: bool,
) -> anyhow::Result<(Sends, Option<f64>)> {
    let dir = tempfile::tempdir()?;
    let extra = if with_store_mix {
        vec![(crate::process::STORE_MIX.to_owned(), "1".to_owned())]
    } else {
        vec![]
    };
    let server = Server::start(
        dir.path(),
        &ServerOptions {
            database_url,
            extra,
        },
    )
    .await?;
    let alice = server.api.paired("15550000001", json!({})).await?;
    server.api.paired("15550000002", json!({})).await?;
    if with_store_mix {
        // The mix seeds its stores first; sends start once it is counting.
        while crate::store_mix::count_in(dir.path()) == 0 {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let (mix_before, started) = (
        crate::store_mix::count_in(dir.path()),
        std::time::Instant::now(),
    );
    let runs = repeat(
        plan,
        send_request(&server.api.base, &server.api.key, &alice, "15550000002"),
    );
    let mix_rate = with_store_mix.then(|| {
        crate::store_mix::count_in(dir.path()).saturating_sub(mix_before) as f64
            / started.elapsed().as_secs_f64()
    });
    let warmup_and_runs = server.api.chat_total(&alice, "15550000002").await?;
    let answered: u64 = runs.iter().map(|r| r.ok).sum();
    Ok((
        Sends {
            figures: summarize(&runs),
            answered,
            persisted: warmup_and_runs,
        },
        mix_rate,
    ))
}

pub(super) async fn fresh_postgres(admin_url: &str) -> anyhow::Result<String> {
    use sea_orm::{ConnectionTrait, Database};
    let admin = Database::connect(admin_url).await?;
    let name = format!("wamux_bench_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let base = admin_url.split('?').next().unwrap_or_default();
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    Ok(format!("{server}/{name}"))
}
