//! The engine's session store: the operation mix on the engine's own SQLite
//! files and on the database store (SQLite, PostgreSQL), and sends with the mix
//! running beside them in the same server.

use std::sync::Arc;

use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::wacore::store::traits::Backend;

use super::{Plan, Throughput, sends};
use crate::store_mix::{self, INSTANCES, Mix};

/// Operations per second of one mix on each store.
#[derive(Default, Clone, Copy)]
pub struct MixRates {
    pub engine_files: f64,
    pub database_sqlite: f64,
    pub database_postgres: Option<f64>,
}

#[derive(Default)]
pub struct Sessions {
    /// Behind the engine's signal cache (the target).
    pub engine_mix: MixRates,
    /// Every read reaching the store.
    pub every_call: MixRates,
    pub sends_alone: Throughput,
    pub sends_beside: Throughput,
    pub mix_beside: f64,
}

/// The mix on a runtime of its own (two threads, as the engine's), away from the bench's.
async fn on_own_runtime<F>(work: F) -> anyhow::Result<f64>
where
    F: FnOnce() -> std::pin::Pin<Box<dyn Future<Output = anyhow::Result<f64>>>> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?
            .block_on(work())
    })
    .await?
}

async fn database_stores(url: String) -> anyhow::Result<Vec<Arc<dyn Backend>>> {
    use migration::MigratorTrait;
    let settings = wamux::config::DatabaseSettings {
        url,
        max_connections: 16,
        ..wamux::config::DatabaseSettings::default()
    };
    let pool = wamux::db::connect(&settings).await?;
    migration::Migrator::up(&pool, None).await?;
    let writer = wamux::db::connect_writer(&settings).await?;
    let connections = wamux::db::engine_store::StoreConnections::new(pool, writer);
    Ok((0..INSTANCES)
        .map(|n| -> Arc<dyn Backend> {
            Arc::new(wamux::db::engine_store::DbStore::new(
                &format!("instance-{n}"),
                connections.clone(),
            ))
        })
        .collect())
}

async fn rates(plan: &Plan, mix: Mix) -> anyhow::Result<MixRates> {
    let duration = plan.duration * 2;
    let dir = tempfile::tempdir()?;
    let files = dir.path().to_owned();
    let engine_files = on_own_runtime(move || {
        Box::pin(async move {
            let mut stores: Vec<Arc<dyn Backend>> = Vec::with_capacity(INSTANCES);
            for n in 0..INSTANCES {
                let path = files.join(format!("instance-{n}.db"));
                stores.push(Arc::new(SqliteStore::new(&path.to_string_lossy()).await?));
            }
            store_mix::measure(stores, mix, duration).await
        })
    })
    .await?;
    let sqlite_dir = dir.path().to_owned();
    let database_sqlite = on_own_runtime(move || {
        Box::pin(async move {
            let url = format!("sqlite://{}/wamux.db?mode=rwc", sqlite_dir.display());
            store_mix::measure(database_stores(url).await?, mix, duration).await
        })
    })
    .await?;
    let database_postgres = match &plan.postgres {
        Some(admin) => {
            let url = sends::fresh_postgres(admin).await?;
            Some(
                on_own_runtime(move || {
                    Box::pin(async move {
                        store_mix::measure(database_stores(url).await?, mix, duration).await
                    })
                })
                .await?,
            )
        }
        None => None,
    };
    Ok(MixRates {
        engine_files,
        database_sqlite,
        database_postgres,
    })
}

pub(super) async fn sessions(plan: &Plan) -> anyhow::Result<Sessions> {
    let engine_mix = rates(plan, Mix::Engine).await?;
    let every_call = rates(plan, Mix::EveryCall).await?;
    let (alone, _) = sends::sends_beside(plan, None, false).await?;
    let (beside, mix_beside) = sends::sends_beside(plan, None, true).await?;
    Ok(Sessions {
        engine_mix,
        every_call,
        sends_alone: alone.figures,
        sends_beside: beside.figures,
        mix_beside: mix_beside.unwrap_or(0.0),
    })
}
