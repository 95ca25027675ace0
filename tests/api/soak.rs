//! Soak tests: the real binary runs through many session cycles, and what it
//! holds after the last cycle must be what it held after the second, within a
//! small margin. They count resources (descriptors, threads and resident memory
//! from /proc, tasks and session clients from /metrics); nothing is timed.

use std::path::Path;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::json_body;
use crate::process::ServerProcess;

const INSTANCES: usize = 12;
const CYCLES: usize = 24;
/// Allowed growth of descriptors and tasks when the instances' own share is
/// constant: the database pool may open a few more connections under load
/// (ten at most, three descriptors each), where a leak adds one per attempt.
const POOL_SLACK: i64 = 30;
/// Threads the database pool may add under load: sqlx runs each SQLite
/// connection on its own thread (ten connections at most), where a leak adds
/// one per attempt (hundreds over the cycles).
const POOL_THREADS: i64 = 10;
/// Allowed growth of resident memory between the two samples. Each leaked
/// engine client held ~170 KB, so the cycles in between would leak ~50 MB.
const RSS_MARGIN_KB: i64 = 16 * 1024;

/// An engine that can never connect, and retries at once.
const OFFLINE_ENGINE: &[(&str, &str)] = &[
    ("WAMUX__WHATSAPP__BACKEND", "whatsapp-rust"),
    ("WAMUX__WHATSAPP__WS_URL", "ws://127.0.0.1:1/ws/chat"),
    ("WAMUX__WHATSAPP__VERSION", "2.3000.1026131876"),
    ("WAMUX__SUPERVISION__BACKOFF_INITIAL_MS", "20"),
    ("WAMUX__SUPERVISION__BACKOFF_MAX_MS", "40"),
    ("WAMUX__SUPERVISION__JITTER", "0"),
];

const QUICK_SIM: &[(&str, &str)] = &[
    ("WAMUX__SIM__AUTO_PAIR_MS", "20"),
    ("WAMUX__SUPERVISION__BACKOFF_INITIAL_MS", "20"),
    ("WAMUX__SUPERVISION__BACKOFF_MAX_MS", "40"),
    ("WAMUX__SUPERVISION__JITTER", "0"),
];

#[derive(Debug, Clone, Copy)]
struct Held {
    fds: i64,
    threads: i64,
    rss_kb: i64,
    main_tasks: i64,
    engine_tasks: i64,
    clients: i64,
}

impl Held {
    /// The least seen over a few looks: attempts in flight come and go, a leak stays.
    async fn read(server: &ServerProcess) -> Self {
        let mut least: Option<Held> = None;
        for _ in 0..8 {
            let now = Self::read_once(server).await;
            least = Some(match least {
                None => now,
                Some(l) => Held {
                    fds: l.fds.min(now.fds),
                    threads: l.threads.min(now.threads),
                    rss_kb: l.rss_kb.min(now.rss_kb),
                    main_tasks: l.main_tasks.min(now.main_tasks),
                    engine_tasks: l.engine_tasks.min(now.engine_tasks),
                    clients: l.clients.min(now.clients),
                },
            });
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        least.unwrap()
    }

    async fn read_once(server: &ServerProcess) -> Self {
        let pid = server.pid();
        let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap()
            .count() as i64;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let field = |name: &str| -> i64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap()
        };
        let metrics = scrape(server).await;
        Held {
            fds,
            threads: field("Threads:"),
            rss_kb: field("VmRSS:"),
            main_tasks: metric(&metrics, "wamux_runtime_alive_tasks{runtime=\"main\"}"),
            engine_tasks: metric(&metrics, "wamux_runtime_alive_tasks{runtime=\"engine\"}"),
            clients: metric(&metrics, "wamux_session_clients"),
        }
    }

    /// Fails unless what the server holds after the last cycle settles within
    /// a small margin of `second` (after the second cycle). Idle blocking-pool
    /// threads and pool connections exit within seconds of a burst, so a
    /// reading over the margin is taken again for a while; a leak stays.
    async fn assert_settles_within_margin_of(
        server: &ServerProcess,
        second: &Held,
        slack: i64,
        what: &str,
    ) -> Held {
        for _ in 0..30 {
            let last = Held::read(server).await;
            if last.exceeded(second, slack).is_none() {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let last = Held::read(server).await;
        if let Some((name, limit)) = last.exceeded(second, slack) {
            panic!("{what}: {name} grew from {second:?} to {last:?} (limit {limit})");
        }
        last
    }

    /// The first measure over its margin, and that margin.
    fn exceeded(&self, second: &Held, slack: i64) -> Option<(&'static str, i64)> {
        let checks = [
            ("open descriptors", self.fds, second.fds + slack),
            // Idle blocking-pool threads linger for seconds after a burst.
            ("threads", self.threads, second.threads + 8 + POOL_THREADS),
            (
                "main runtime tasks",
                self.main_tasks,
                second.main_tasks + slack,
            ),
            (
                "engine runtime tasks",
                self.engine_tasks,
                second.engine_tasks + slack,
            ),
            ("session clients", self.clients, second.clients + slack),
            (
                "resident memory (KB)",
                self.rss_kb,
                second.rss_kb + RSS_MARGIN_KB,
            ),
        ];
        checks
            .into_iter()
            .find(|(_, last, limit)| last > limit)
            .map(|(name, _, limit)| (name, limit))
    }
}

async fn scrape(server: &ServerProcess) -> String {
    server
        .request(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// A sample's value, 0 when the metric is absent.
fn metric(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
        .unwrap_or(0.0) as i64
}

/// Waits for `probe` much longer than `eventually` does: cycles on a loaded
/// machine are slow, and only their count matters.
async fn wait_until<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..2400 {
        if probe().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn restarts(server: &ServerProcess) -> usize {
    metric(&scrape(server).await, "wamux_session_restarts_total") as usize
}

async fn create(server: &ServerProcess, name: &str) -> String {
    let created = server.post("/api/instances", json!({"name": name})).await;
    assert_eq!(created.status(), 201);
    json_body(created).await["id"].as_str().unwrap().to_owned()
}

async fn start(dir: &Path, settings: &[&[(&str, &str)]]) -> ServerProcess {
    // The tests poll a lot: no request rate limit.
    let mut extra = vec![("WAMUX__LIMITS__REQUESTS_PER_SECOND", "0")];
    extra.extend(settings.iter().flat_map(|s| s.iter().copied()));
    ServerProcess::start(dir, &extra).await
}

#[actix_web::test]
async fn offline_engine_instances_hold_the_same_resources_after_many_failed_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[OFFLINE_ENGINE]).await;
    for i in 0..INSTANCES {
        create(&server, &format!("offline {i}")).await;
    }
    let attempts = |cycles: usize| INSTANCES * cycles;
    wait_until("two failed attempts each", || async {
        restarts(&server).await >= attempts(2)
    })
    .await;
    let second = Held::read(&server).await;
    wait_until("many failed attempts each", || async {
        restarts(&server).await >= attempts(CYCLES)
    })
    .await;
    let last = Held::assert_settles_within_margin_of(
        &server,
        &second,
        INSTANCES as i64 + POOL_SLACK,
        "offline engine",
    )
    .await;
    assert!(
        last.clients <= INSTANCES as i64,
        "at most one client per instance: {last:?}"
    );

    // One line when each instance's trouble starts, not one per attempt.
    let log = server.log();
    let warnings = log.lines().filter(|l| l.contains(" WARN ")).count();
    let errors = log.lines().filter(|l| l.contains(" ERROR ")).count();
    assert!(
        warnings <= INSTANCES && errors == 0,
        "{warnings} warnings and {errors} errors for {} attempts:\n{}",
        attempts(CYCLES),
        log.lines().rev().take(20).collect::<Vec<_>>().join("\n")
    );
    assert!(
        log.contains("could not reach WhatsApp"),
        "the reason is told"
    );
}

#[actix_web::test]
async fn sim_instances_hold_the_same_resources_after_many_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &[QUICK_SIM]).await;
    let mut ids = Vec::new();
    for i in 0..INSTANCES {
        let id = create(&server, &format!("sim {i}")).await;
        ids.push(id);
    }
    let all_connected = || async {
        for id in &ids {
            let status = server.get(&format!("/api/whatsapp/{id}/status")).await;
            if status["status"] != "connected" {
                return false;
            }
        }
        true
    };
    wait_until("every instance connected", all_connected).await;
    let mut second = None;
    for cycle in 1..=CYCLES {
        let before = restarts(&server).await;
        for id in &ids {
            let fault = server
                .post(
                    &format!("/api/sim/instances/{id}/fault"),
                    json!({"kind": "disconnect"}),
                )
                .await;
            assert_eq!(fault.status(), 200, "cycle {cycle}");
        }
        wait_until("every instance restarted", || async {
            restarts(&server).await >= before + INSTANCES
        })
        .await;
        wait_until("every instance connected again", all_connected).await;
        if cycle == 2 {
            second = Some(Held::read(&server).await);
        }
    }
    Held::assert_settles_within_margin_of(&server, &second.unwrap(), POOL_SLACK, "sim reconnects")
        .await;
}

/// Creates and deletes instances in rounds; after each round nothing of them
/// may remain.
async fn churn(settings: &[&[(&str, &str)]], what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), settings).await;
    let mut second = None;
    for round in 1..=CYCLES / 2 {
        let before = restarts(&server).await;
        let mut ids = Vec::new();
        for i in 0..INSTANCES {
            ids.push(create(&server, &format!("churn {round}-{i}")).await);
        }
        // Sessions running (sim: connected; offline engine: failing and retrying).
        wait_until("sessions running", || async {
            let held = Held::read_once(&server).await;
            held.clients >= INSTANCES as i64 || restarts(&server).await >= before + INSTANCES
        })
        .await;
        for id in &ids {
            let deleted = server
                .request(Method::DELETE, &format!("/api/instances/{id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(deleted.status(), 200);
        }
        wait_until("no session client left", || async {
            Held::read_once(&server).await.clients == 0
        })
        .await;
        if round == 2 {
            second = Some(Held::read(&server).await);
        }
    }
    let last =
        Held::assert_settles_within_margin_of(&server, &second.unwrap(), POOL_SLACK, what).await;
    assert_eq!(last.clients, 0);
}

#[actix_web::test]
async fn creating_and_deleting_engine_instances_leaves_nothing_behind() {
    churn(&[OFFLINE_ENGINE], "engine churn").await;
}

#[actix_web::test]
async fn creating_and_deleting_sim_instances_leaves_nothing_behind() {
    churn(&[QUICK_SIM], "sim churn").await;
}
