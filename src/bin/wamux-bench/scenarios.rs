//! The benchmark: its plan, its results, and the run of each measurement (one module each).

pub mod cluster;
mod groups;
mod media;
mod scale;
mod sends;
mod sessions;
mod status;
mod webhooks;

use std::time::Duration;

use crate::load::{self, LoadResult, MakeRequest};

pub use groups::Groups;
pub use media::Media;
pub use scale::Scale;
pub use sends::Sends;
pub use sessions::{MixRates, Sessions};
pub use webhooks::Webhooks;

pub struct Plan {
    pub quick: bool,
    pub reps: usize,
    pub duration: Duration,
    pub threads: usize,
    pub concurrency: usize,
    pub scale: Vec<usize>,
    pub media_bytes: usize,
    pub webhook_instances: usize,
    /// Groups listed by one account, and their members each.
    pub group_count: usize,
    pub group_members: usize,
    /// Member instances of the group a message fans out to.
    pub fanout_members: usize,
    /// Offline engine instances, and when to sample them after their creation.
    pub offline_instances: usize,
    pub offline_samples: (Duration, Duration),
    /// Instances on a cluster node that is killed, for the others to take over.
    pub takeover_instances: usize,
    /// Connected idle engine instances (through the test server), how long they
    /// idle before the sample, and the pairs that write to each other.
    pub engine_idle: Vec<usize>,
    pub engine_idle_for: Duration,
    pub engine_pairs: usize,
    pub postgres: Option<String>,
    /// Measurements to run; empty: all of them.
    pub only: Vec<String>,
}

impl Plan {
    pub fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }

    /// Whether any part of the real engine's measurements is to run.
    pub fn wants_engine(&self) -> bool {
        ["engine", "engine-idle", "engine-messaging"]
            .iter()
            .any(|part| self.wants(part))
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
            group_count: 500,
            group_members: 50,
            fanout_members: 256,
            offline_instances: 200,
            offline_samples: (Duration::from_secs(30), Duration::from_secs(300)),
            takeover_instances: 1000,
            engine_idle: vec![200, 1_000],
            engine_idle_for: Duration::from_secs(60),
            engine_pairs: 10,
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
            group_count: 20,
            group_members: 10,
            fanout_members: 8,
            offline_instances: 20,
            offline_samples: (Duration::from_secs(5), Duration::from_secs(15)),
            takeover_instances: 50,
            engine_idle: vec![10],
            engine_idle_for: Duration::from_secs(12),
            engine_pairs: 2,
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
pub struct Results {
    pub status: Throughput,
    pub bare: Throughput,
    pub sends_sqlite: Sends,
    pub sends_postgres: Option<Sends>,
    pub webhooks: Webhooks,
    pub scale: Vec<Scale>,
    pub media: Media,
    pub groups: Option<Groups>,
    pub offline: Option<crate::offline::Offline>,
    /// The same instances on `session_store = "files"`, sampled early only.
    pub offline_files: Option<crate::offline::Offline>,
    pub sessions: Option<Sessions>,
    pub cluster: Option<cluster::ClusterFigures>,
    /// The real engine through the test server (builds with `mock-whatsapp`).
    pub engine: Option<crate::engine::EngineFigures>,
}

pub async fn run_all(plan: &Plan) -> anyhow::Result<Results> {
    let mut results = Results::default();
    if plan.wants("status") {
        eprintln!("status route vs bare actix-web ...");
        (results.status, results.bare) = status::status(plan).await?;
    }
    if plan.wants("sends") {
        eprintln!("sends on SQLite ...");
        results.sends_sqlite = sends::sends(plan, None).await?;
        if let Some(admin) = &plan.postgres {
            eprintln!("sends on PostgreSQL ...");
            let url = sends::fresh_postgres(admin).await?;
            results.sends_postgres = Some(sends::sends(plan, Some(url)).await?);
        }
    }
    if plan.wants("cluster")
        && let Some(admin) = &plan.postgres
    {
        eprintln!(
            "cluster: forwarded status, and {} instances taken over ...",
            plan.takeover_instances
        );
        results.cluster = Some(cluster::cluster(plan, admin).await?);
    }
    if plan.wants("sessions") {
        eprintln!("session store mix, alone and beside sends ...");
        results.sessions = Some(sessions::sessions(plan).await?);
    }
    if plan.wants("webhooks") {
        eprintln!("webhooks ...");
        results.webhooks = webhooks::webhooks(plan).await?;
    }
    if plan.wants("scale") {
        for &count in &plan.scale {
            eprintln!("{count} idle instances ...");
            results.scale.push(scale::scale(count).await?);
        }
    }
    if plan.wants("groups") {
        eprintln!(
            "{} groups of {}, and a {}-member group's fan-out ...",
            plan.group_count, plan.group_members, plan.fanout_members
        );
        results.groups = Some(groups::groups(plan).await?);
    }
    if plan.wants("media") {
        eprintln!("send-file of {} bytes ...", plan.media_bytes);
        results.media = media::media(plan).await?;
    }
    if plan.wants_engine() {
        if cfg!(feature = "mock-whatsapp") {
            results.engine = Some(crate::engine::engine(plan).await?);
        } else {
            eprintln!(
                "engine through the test server: skipped (a build with --features mock-whatsapp runs it)"
            );
        }
    }
    if plan.wants("offline") {
        let (early, late) = plan.offline_samples;
        eprintln!(
            "{} offline engine instances for {} s ...",
            plan.offline_instances,
            late.as_secs()
        );
        results.offline = Some(
            crate::offline::offline(plan.offline_instances, early, Some(late), "database").await?,
        );
        eprintln!(
            "{} offline engine instances on session files, for {} s ...",
            plan.offline_instances,
            early.as_secs()
        );
        results.offline_files =
            Some(crate::offline::offline(plan.offline_instances, early, None, "files").await?);
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
