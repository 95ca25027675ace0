//! What a run measures and how hard (`Plan`), and the figures a load gives.

use std::time::Duration;

use crate::load::LoadResult;

pub struct Plan {
    pub quick: bool,
    pub reps: usize,
    pub duration: Duration,
    pub threads: usize,
    pub concurrency: usize,
    pub scale: Vec<usize>,
    pub media_bytes: usize,
    /// Uploads sent at once, and the bytes of each.
    pub concurrent_uploads: (usize, usize),
    /// Event streams that never read, and the inbound messages (60 KB) pushed to them.
    pub slow_streams: (usize, usize),
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
            concurrent_uploads: (100, 50 * 1024 * 1024),
            slow_streams: (32, 300),
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
            concurrent_uploads: (8, 1024 * 1024),
            slow_streams: (4, 40),
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

pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub fn summarize(runs: &[LoadResult]) -> Throughput {
    Throughput {
        per_second: median(runs.iter().map(LoadResult::per_second).collect()),
        p50_ms: median(runs.iter().map(|r| r.percentile_ms(0.50)).collect()),
        p99_ms: median(runs.iter().map(|r| r.percentile_ms(0.99)).collect()),
        failed: runs.iter().map(|r| r.failed).sum(),
    }
}
