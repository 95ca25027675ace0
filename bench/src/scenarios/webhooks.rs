//! Signed webhook deliveries from many instances: rate and latency.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use super::Plan;
use crate::load::{self, LoadResult, MakeRequest, Request};
use crate::process::Server;
use crate::receiver::Receiver;

#[derive(Default)]
pub struct Webhooks {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub delivered: usize,
    pub bad_signatures: u64,
}

pub(super) async fn webhooks(plan: &Plan) -> anyhow::Result<Webhooks> {
    const SECRET: &str = "bench-webhook-secret";
    let receiver = Receiver::start(SECRET)?;
    let dir = tempfile::tempdir()?;
    let extra = vec![("WAMUX__SIM__RECEIPT_DELAY_MS".to_owned(), "20".to_owned())];
    let server = Server::on_sqlite(dir.path(), extra).await?;
    let hook = json!({"webhookUrl": receiver.url, "webhookEnabled": true, "webhookSecret": SECRET,
                      "notifySent": true, "notifyDelivery": true, "notifyRead": false, "notifyReceived": false});
    let mut instances = Vec::new();
    for n in 0..plan.webhook_instances {
        instances.push(
            server
                .api
                .paired(&format!("1555100{n:04}"), hook.clone())
                .await?,
        );
    }
    let settle = Instant::now();
    while receiver.count() < plan.webhook_instances && settle.elapsed() < Duration::from_secs(30) {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let before = receiver.count();
    // Each send to a phone outside the network makes two webhooks: sent and delivered.
    let base = server.api.base.clone();
    let key = server.api.key.clone();
    let make: MakeRequest = Arc::new(move |n| Request {
        post: true,
        url: format!(
            "{base}/api/whatsapp/{}/send",
            instances[(n as usize) % instances.len()]
        ),
        headers: vec![
            ("x-api-key", key.clone()),
            ("content-type", "application/json".into()),
        ],
        body: Some(Bytes::from(
            json!({"phone": "15559999999", "message": format!("hook {n}")}).to_string(),
        )),
    });
    let started_ms = chrono::Utc::now().timestamp_millis();
    let runs: Vec<LoadResult> = (0..plan.reps)
        .map(|_| load::run(plan.threads, plan.concurrency, plan.duration, make.clone()))
        .collect();
    let expected = before + 2 * runs.iter().map(|r| r.ok as usize).sum::<usize>();
    let deadline = Instant::now() + Duration::from_secs(120);
    while receiver.count() < expected && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    receiver.stop().await;
    let log = receiver
        .log
        .lock()
        .map_err(|_| anyhow::anyhow!("receiver log poisoned"))?;
    let arrivals = &log.arrivals[before.min(log.arrivals.len())..];
    let last = arrivals
        .iter()
        .map(|(arrived, _)| *arrived)
        .max()
        .unwrap_or(started_ms);
    let latencies: Vec<u32> = arrivals
        .iter()
        .map(|(arrived, happened)| ((arrived - happened).max(0) * 1000) as u32)
        .collect();
    Ok(Webhooks {
        per_second: arrivals.len() as f64 / ((last - started_ms).max(1) as f64 / 1000.0),
        p50_ms: load::percentile(&latencies, 0.50) as f64 / 1000.0,
        p99_ms: load::percentile(&latencies, 0.99) as f64 / 1000.0,
        delivered: arrivals.len(),
        bad_signatures: log.bad_signatures,
    })
}
