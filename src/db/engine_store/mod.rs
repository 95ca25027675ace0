//! The engine's storage traits (`whatsapp-rust` 0.7: Signal, app-state,
//! protocol, device and message-secret stores) over wamux's own database, on
//! SQLite or PostgreSQL, every row keyed by its instance.
//!
//! Reads go through the shared pool. Writes go through `StoreConnections::writes`:
//! on SQLite that is the recorder's one writer connection, so the engine's
//! writes and wamux's own batches queue for SQLite's single write lock in
//! arrival order instead of racing for it through the busy handler (where the
//! loser can wait out the whole busy timeout); on PostgreSQL it is the pool.

mod app_sync;
#[cfg(test)]
mod conformance;
mod device;
mod import;
mod protocol;
mod queues;
mod secrets;
mod shapes;
mod signal;
mod sql;
mod tc_tokens;
mod wipe;
mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::{DatabaseConnection, DbBackend};
use whatsapp_rust::wacore::store::error::StoreError;

pub use import::{ImportError, Imported, has_session, import_file};
pub use wipe::{SESSION_TABLES, delete_session};

/// Where session reads and writes go (see the module's doc).
#[derive(Clone)]
pub struct StoreConnections {
    pub reads: DatabaseConnection,
    pub writes: DatabaseConnection,
    /// Every store's writes, committed in groups on `writes`.
    writer: writer::SessionWriter,
    /// In a cluster: writes only while this node holds the instance's fresh lease.
    cluster: Option<crate::cluster::Cluster>,
}

impl StoreConnections {
    /// `writer` is the recorder's connection; it carries the writes on SQLite only.
    /// Starts the group-committing writer on the current runtime.
    pub fn new(pool: DatabaseConnection, writer: DatabaseConnection) -> Self {
        let writes = match pool.get_database_backend() {
            DbBackend::Sqlite => writer,
            _ => pool.clone(),
        };
        Self {
            reads: pool,
            writer: writer::SessionWriter::start(writes.clone()),
            writes,
            cluster: None,
        }
    }

    /// Writes then need this node to hold the instance's lease, fresh.
    pub fn fenced_by(mut self, cluster: Option<crate::cluster::Cluster>) -> Self {
        self.cluster = cluster;
        self
    }
}

/// One instance's session store: what one engine client reads and writes.
pub struct DbStore {
    instance: Arc<str>,
    db: StoreConnections,
    /// Set when the session is deleted (logout, instance deleted): a client
    /// still shutting down must not write its session back afterwards.
    deleted: Arc<AtomicBool>,
}

impl DbStore {
    pub fn new(instance: &str, db: StoreConnections) -> Self {
        Self {
            instance: instance.into(),
            db,
            deleted: Arc::default(),
        }
    }

    /// A store whose writes stop when `deleted` is set: the flag the instance's
    /// other stores (earlier attempts) have too.
    pub fn sharing(instance: &str, db: StoreConnections, deleted: Arc<AtomicBool>) -> Self {
        Self {
            instance: instance.into(),
            db,
            deleted,
        }
    }

    /// Shared with whoever deletes the session, to stop this store's writes first.
    pub fn deletion_flag(&self) -> Arc<AtomicBool> {
        self.deleted.clone()
    }

    fn instance(&self) -> &str {
        &self.instance
    }

    fn build(&self, statement: &impl sea_orm::StatementBuilder) -> sea_orm::Statement {
        self.db.writes.get_database_backend().build(statement)
    }

    /// Commits `statements` together (with other stores' writes); nothing once the session is deleted.
    async fn write(
        &self,
        statements: Vec<sea_orm::Statement>,
    ) -> Result<writer::Written, StoreError> {
        self.write_work(writer::Work::Statements {
            statements,
            returning: false,
        })
        .await
    }

    async fn write_work(&self, work: writer::Work) -> Result<writer::Written, StoreError> {
        match self.gate() {
            WriteGate::Open => {}
            WriteGate::Deleted => return Ok(writer::Written::default()),
            WriteGate::NoLease => return Err(no_lease()),
        }
        self.db
            .writer
            .write(&self.instance, work)
            .await
            .map_err(sql::db_error)
    }

    /// Whether a write goes ahead. After deletion it is dropped, not
    /// resurrected. In a cluster, only the holder of a fresh lease writes, and
    /// any other write is refused with an error: the engine gates its acks,
    /// send counters and pre-key uploads on the write's `Ok`, so a dropped
    /// write answered `Ok` would let WhatsApp see state the next holder never
    /// inherits. (The lease keeper stops sessions before their leases go stale.)
    fn gate(&self) -> WriteGate {
        if self.deleted.load(Ordering::Acquire) {
            tracing::debug!(instance_id = %self.instance, "session write after deletion dropped");
            return WriteGate::Deleted;
        }
        if let Some(cluster) = &self.db.cluster
            && !cluster.may_write(&self.instance)
        {
            tracing::warn!(instance_id = %self.instance, "session write without a fresh lease refused");
            return WriteGate::NoLease;
        }
        WriteGate::Open
    }
}

/// What [`DbStore::gate`] decides for a write.
enum WriteGate {
    Open,
    Deleted,
    NoLease,
}

fn no_lease() -> StoreError {
    StoreError::Database(Box::new(std::io::Error::other(
        "this node no longer holds the instance's lease: the session store refuses the write",
    )))
}

/// A migrated SQLite database in `dir`, for tests of the engine over the database store.
#[cfg(test)]
#[allow(clippy::expect_used)]
pub async fn test_connections(dir: &std::path::Path) -> StoreConnections {
    use migration::MigratorTrait;
    let settings = crate::config::DatabaseSettings {
        url: format!("sqlite://{}?mode=rwc", dir.join("wamux.db").display()),
        ..crate::config::DatabaseSettings::default()
    };
    let pool = super::connect(&settings).await.expect("test database");
    migration::Migrator::up(&pool, None)
        .await
        .expect("migrations");
    let writer = super::connect_writer(&settings).await.expect("test writer");
    StoreConnections::new(pool, writer)
}

#[cfg(test)]
mod fence_tests {
    use super::*;

    /// Refused, not dropped: the engine must not take a lost write for a kept one.
    #[actix_web::test]
    async fn a_write_without_a_fresh_lease_is_refused_and_one_after_deletion_dropped() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let settings = crate::config::ClusterSettings {
            lease_ttl_ms: 60_000,
            ..Default::default()
        };
        let cluster = crate::cluster::Cluster::new(&settings, "node-a".into());
        let connections = test_connections(dir.path()).await;
        let store = DbStore::new("i-1", connections.fenced_by(Some(cluster.clone())));
        let refused = store.write(Vec::new()).await;
        assert!(refused.is_err(), "a write without the lease is an error");
        cluster.holdings().insert("i-1", 1);
        assert!(store.write(Vec::new()).await.is_ok());
        store.deletion_flag().store(true, Ordering::Release);
        cluster.holdings().remove("i-1");
        assert!(
            store.write(Vec::new()).await.is_ok(),
            "after deletion: dropped"
        );
    }
}
