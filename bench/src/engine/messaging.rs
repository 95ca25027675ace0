//! Texts between pairs of connected instances, from the send request to the
//! recipient's `message_received` webhook: on the real engine through the test
//! server, and on the simulated network the same way, in the same run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use super::mock::{Mock, link_many};
use crate::load::{self, MakeRequest, Request};
use crate::plan::{Plan, Throughput};
use crate::process::{Server, ServerOptions};
use crate::receiver::{Receiver, sent_at};

pub struct Messaging {
    pub pairs: usize,
    pub engine: Throughput,
    pub sim: Throughput,
}

/// (instance, its phone) × 2 per pair.
type Pair = ((String, String), (String, String));

pub async fn messaging(plan: &Plan, pairs: usize) -> anyhow::Result<Messaging> {
    let receiver = Receiver::start("bench-message-secret")?;
    let hook = json!({"webhookUrl": receiver.url, "webhookEnabled": true, "webhookSecret": "bench-message-secret",
                      "notifyReceived": true, "notifySent": false, "notifyDelivery": false, "notifyRead": false});
    let engine = {
        let dir = tempfile::tempdir()?;
        let mock = Mock::start(&dir.path().join("wa-mock.log"))?;
        let server = Server::start(dir.path(), &mock.server_options()).await?;
        let linked = link_many(&server, &mock, pairs * 2, hook.clone(), 8).await?;
        let pairs: Vec<Pair> = linked
            .chunks(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect();
        measure(plan, &server, &receiver, pairs).await?
    };
    let sim = {
        let dir = tempfile::tempdir()?;
        let server = Server::start(dir.path(), &ServerOptions::default()).await?;
        let mut sim_pairs = Vec::new();
        for n in 0..pairs {
            let (a, b) = (format!("1555300{n:04}"), format!("1555400{n:04}"));
            let first = server.api.paired(&a, hook.clone()).await?;
            let second = server.api.paired(&b, hook.clone()).await?;
            sim_pairs.push(((first, a), (second, b)));
        }
        measure(plan, &server, &receiver, sim_pairs).await?
    };
    receiver.stop().await;
    Ok(Messaging { pairs, engine, sim })
}

/// Sends both ways between the pairs for the plan's duration; every text carries
/// when its request left, the receiver notes when its webhook came.
async fn measure(
    plan: &Plan,
    server: &Server,
    receiver: &Receiver,
    pairs: Vec<Pair>,
) -> anyhow::Result<Throughput> {
    let pairs = Arc::new(pairs);
    let (base, key) = (server.api.base.clone(), server.api.key.clone());
    let make: MakeRequest = Arc::new(move |n| {
        let ((a, a_phone), (b, b_phone)) = &pairs[(n as usize) % pairs.len()];
        let forward = (n as usize / pairs.len()).is_multiple_of(2);
        let (from, to) = if forward { (a, b_phone) } else { (b, a_phone) };
        Request {
            post: true,
            url: format!("{base}/api/whatsapp/{from}/send"),
            headers: vec![
                ("x-api-key", key.clone()),
                ("content-type", "application/json".into()),
            ],
            body: Some(Bytes::from(
                json!({"phone": to, "message": sent_at()}).to_string(),
            )),
        }
    });
    // A warm-up (sessions, caches), not counted.
    load::run(
        plan.threads,
        plan.concurrency,
        Duration::from_secs(1),
        make.clone(),
    );
    let window_start = chrono::Utc::now().timestamp_millis();
    let sent = load::run(plan.threads, plan.concurrency, plan.duration * 2, make);
    let expected = sent.ok as usize;
    let in_window = || -> Vec<(i64, i64)> {
        receiver
            .log
            .lock()
            .map(|log| {
                log.messages
                    .iter()
                    .copied()
                    .filter(|(_, sent)| *sent >= window_start)
                    .collect()
            })
            .unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while in_window().len() < expected && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let arrived = in_window();
    let last = arrived
        .iter()
        .map(|(at, _)| *at)
        .max()
        .unwrap_or(window_start);
    let latencies: Vec<u32> = arrived
        .iter()
        .map(|(at, sent)| u32::try_from((at - sent).max(0) * 1000).unwrap_or(u32::MAX))
        .collect();
    Ok(Throughput {
        per_second: arrived.len() as f64 / ((last - window_start).max(1) as f64 / 1000.0),
        p50_ms: load::percentile(&latencies, 0.50) as f64 / 1000.0,
        p99_ms: load::percentile(&latencies, 0.99) as f64 / 1000.0,
        failed: sent.failed + (expected.saturating_sub(arrived.len())) as u64,
    })
}
