//! The five measurements of the benchmark.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use crate::load::{self, LoadResult, MakeRequest, Request};
use crate::process::{Bare, Server, ServerOptions, reset_peak, rss};
use crate::receiver::Receiver;

pub struct Plan {
    pub quick: bool,
    pub reps: usize,
    pub duration: Duration,
    pub threads: usize,
    pub concurrency: usize,
    pub scale: Vec<usize>,
    pub media_bytes: usize,
    pub webhook_instances: usize,
    /// Offline engine instances, and when to sample them after their creation.
    pub offline_instances: usize,
    pub offline_samples: (Duration, Duration),
    pub postgres: Option<String>,
    /// Measurements to run; empty: all of them.
    pub only: Vec<String>,
}

impl Plan {
    fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }
}

impl Plan {
    pub fn full() -> Self {
        Self {
            quick: false,
            reps: 3,
            duration: Duration::from_secs(5),
            threads: 2,
            concurrency: 32,
            scale: vec![1_000, 10_000],
            media_bytes: 16 * 1024 * 1024,
            webhook_instances: 20,
            offline_instances: 200,
            offline_samples: (Duration::from_secs(30), Duration::from_secs(300)),
            postgres: std::env::var("BENCH_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            only: Vec::new(),
        }
    }

    pub fn quick() -> Self {
        Self {
            quick: true,
            reps: 1,
            duration: Duration::from_secs(1),
            threads: 1,
            concurrency: 8,
            scale: vec![200],
            media_bytes: 1024 * 1024,
            webhook_instances: 4,
            offline_instances: 20,
            offline_samples: (Duration::from_secs(5), Duration::from_secs(15)),
            postgres: std::env::var("BENCH_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            only: Vec::new(),
        }
    }
}

/// Medians over repetitions.
#[derive(Debug, Clone, Default)]
pub struct Throughput {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failed: u64,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn summarize(runs: &[LoadResult]) -> Throughput {
    Throughput {
        per_second: median(runs.iter().map(LoadResult::per_second).collect()),
        p50_ms: median(runs.iter().map(|r| r.percentile_ms(0.50)).collect()),
        p99_ms: median(runs.iter().map(|r| r.percentile_ms(0.99)).collect()),
        failed: runs.iter().map(|r| r.failed).sum(),
    }
}

#[derive(Default)]
pub struct Sends {
    pub figures: Throughput,
    pub answered: u64,
    pub persisted: u64,
}

#[derive(Default)]
pub struct Webhooks {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub delivered: usize,
    pub bad_signatures: u64,
}

pub struct Scale {
    pub instances: usize,
    pub bytes_per_instance: f64,
    pub restore_secs: f64,
}

#[derive(Default)]
pub struct Media {
    pub file_bytes: usize,
    pub mb_per_second: f64,
    pub peak_growth_bytes: u64,
}

#[derive(Default)]
pub struct Results {
    pub status: Throughput,
    pub bare: Throughput,
    pub sends_sqlite: Sends,
    pub sends_postgres: Option<Sends>,
    pub webhooks: Webhooks,
    pub scale: Vec<Scale>,
    pub media: Media,
    pub offline: Option<crate::offline::Offline>,
}

pub async fn run_all(plan: &Plan) -> anyhow::Result<Results> {
    let mut results = Results::default();
    if plan.wants("status") {
        eprintln!("status route vs bare actix-web ...");
        (results.status, results.bare) = status(plan).await?;
    }
    if plan.wants("sends") {
        eprintln!("sends on SQLite ...");
        results.sends_sqlite = sends(plan, None).await?;
        if let Some(admin) = &plan.postgres {
            eprintln!("sends on PostgreSQL ...");
            let url = fresh_postgres(admin).await?;
            results.sends_postgres = Some(sends(plan, Some(url)).await?);
        }
    }
    if plan.wants("webhooks") {
        eprintln!("webhooks ...");
        results.webhooks = webhooks(plan).await?;
    }
    if plan.wants("scale") {
        for &count in &plan.scale {
            eprintln!("{count} idle instances ...");
            results.scale.push(scale(count).await?);
        }
    }
    if plan.wants("media") {
        eprintln!("send-file of {} bytes ...", plan.media_bytes);
        results.media = media(plan).await?;
    }
    if plan.wants("offline") {
        let (early, late) = plan.offline_samples;
        eprintln!(
            "{} offline engine instances for {} s ...",
            plan.offline_instances,
            late.as_secs()
        );
        results.offline = Some(crate::offline::offline(plan.offline_instances, early, late).await?);
    }
    Ok(results)
}

fn repeat(plan: &Plan, make: MakeRequest) -> Vec<LoadResult> {
    // A short warm-up fills connection pools and caches; it is not counted.
    load::run(
        plan.threads,
        plan.concurrency,
        Duration::from_millis(300),
        make.clone(),
    );
    (0..plan.reps)
        .map(|_| load::run(plan.threads, plan.concurrency, plan.duration, make.clone()))
        .collect()
}

async fn status(plan: &Plan) -> anyhow::Result<(Throughput, Throughput)> {
    let dir = tempfile::tempdir()?;
    let server = Server::start(
        dir.path(),
        &ServerOptions {
            database_url: None,
            extra: vec![],
        },
    )
    .await?;
    let id = server.api.paired("15550000001", json!({})).await?;
    let (url, key) = (
        format!("{}/api/whatsapp/{id}/status", server.api.base),
        server.api.key.clone(),
    );
    let wamux = repeat(
        plan,
        Arc::new(move |_| Request {
            post: false,
            url: url.clone(),
            headers: vec![("x-api-key", key.clone())],
            body: None,
        }),
    );
    drop(server);
    let bare = Bare::start().await?;
    let url = bare.url.clone();
    let baseline = repeat(
        plan,
        Arc::new(move |_| Request {
            post: false,
            url: url.clone(),
            headers: vec![],
            body: None,
        }),
    );
    Ok((summarize(&wamux), summarize(&baseline)))
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

async fn sends(plan: &Plan, database_url: Option<String>) -> anyhow::Result<Sends> {
    let dir = tempfile::tempdir()?;
    let server = Server::start(
        dir.path(),
        &ServerOptions {
            database_url,
            extra: vec![],
        },
    )
    .await?;
    let alice = server.api.paired("15550000001", json!({})).await?;
    server.api.paired("15550000002", json!({})).await?;
    let runs = repeat(
        plan,
        send_request(&server.api.base, &server.api.key, &alice, "15550000002"),
    );
    let warmup_and_runs = server.api.chat_total(&alice, "15550000002").await?;
    let answered: u64 = runs.iter().map(|r| r.ok).sum();
    Ok(Sends {
        figures: summarize(&runs),
        answered,
        persisted: warmup_and_runs,
    })
}

async fn fresh_postgres(admin_url: &str) -> anyhow::Result<String> {
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

async fn webhooks(plan: &Plan) -> anyhow::Result<Webhooks> {
    const SECRET: &str = "bench-webhook-secret";
    let receiver = Receiver::start(SECRET)?;
    let dir = tempfile::tempdir()?;
    let extra = vec![("WAMUX__SIM__RECEIPT_DELAY_MS".to_owned(), "20".to_owned())];
    let server = Server::start(
        dir.path(),
        &ServerOptions {
            database_url: None,
            extra,
        },
    )
    .await?;
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

async fn wait_active(server: &Server, count: usize, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while server.api.active_instances().await? < count as u64 {
        anyhow::ensure!(Instant::now() < deadline, "instances did not all connect");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

async fn scale(count: usize) -> anyhow::Result<Scale> {
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

fn multipart(phone: &str, file: &[u8]) -> (String, Bytes) {
    let boundary = format!("wamux-bench-{}", uuid::Uuid::now_v7().simple());
    let mut body = Vec::with_capacity(file.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n{phone}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(body),
    )
}

async fn media(plan: &Plan) -> anyhow::Result<Media> {
    let dir = tempfile::tempdir()?;
    let extra = vec![(
        "WAMUX__WHATSAPP__MAX_MEDIA_BYTES".into(),
        (plan.media_bytes * 2).to_string(),
    )];
    let server = Server::start(
        dir.path(),
        &ServerOptions {
            database_url: None,
            extra,
        },
    )
    .await?;
    let alice = server.api.paired("15550000001", json!({})).await?;
    server.api.paired("15550000002", json!({})).await?;
    let mut file = vec![0u8; plan.media_bytes];
    rand::fill(file.as_mut_slice());
    let (content_type, body) = multipart("15550000002", &file);
    drop(file);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .finish();
    let url = format!("{}/api/whatsapp/{alice}/send-file", server.api.base);
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let (before, _) = rss(server.pid())?;
    reset_peak(server.pid())?;
    let mut rates = Vec::new();
    for _ in 0..plan.reps.max(3) {
        let started = Instant::now();
        let mut response = client
            .post(url.as_str())
            .insert_header(("x-api-key", server.api.key.as_str()))
            .insert_header(("content-type", content_type.as_str()))
            .send_body(body.clone())
            .await
            .map_err(|e| anyhow::anyhow!("send-file: {e}"))?;
        anyhow::ensure!(
            response.status().is_success(),
            "send-file answered {}",
            response.status()
        );
        let _ = response.body().await;
        rates.push(plan.media_bytes as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64());
    }
    let (_, peak) = rss(server.pid())?;
    Ok(Media {
        file_bytes: plan.media_bytes,
        mb_per_second: median(rates),
        peak_growth_bytes: peak.saturating_sub(before),
    })
}
