//! The benchmark: its plan, its results, and the run of each measurement (one module each).

pub mod cluster;
mod groups;
mod hostile;
mod media;
mod scale;
mod sends;
mod sessions;
mod status;
mod webhooks;

use std::time::Duration;

use crate::load::{self, LoadResult, MakeRequest};
pub use crate::plan::{Plan, Throughput, median, summarize};

pub use groups::Groups;
pub use hostile::Hostile;
pub use media::Media;
pub use scale::Scale;
pub use sends::Sends;
pub use sessions::{MixRates, Sessions};
pub use webhooks::Webhooks;

#[derive(Default)]
pub struct Results {
    pub status: Throughput,
    pub bare: Throughput,
    pub sends_sqlite: Sends,
    pub sends_postgres: Option<Sends>,
    pub webhooks: Webhooks,
    pub scale: Vec<Scale>,
    pub media: Media,
    pub hostile: Option<Hostile>,
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
    if plan.wants("hostile") {
        eprintln!(
            "{} uploads of {} bytes at once, {} event streams never read ...",
            plan.concurrent_uploads.0, plan.concurrent_uploads.1, plan.slow_streams.0
        );
        results.hostile = Some(hostile::hostile(plan).await?);
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
