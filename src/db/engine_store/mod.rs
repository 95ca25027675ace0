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
        if !self.may_write() {
            return Ok(writer::Written::default());
        }
        self.db
            .writer
            .write(&self.instance, work)
            .await
            .map_err(sql::db_error)
    }

    /// False once the session is deleted: the write is dropped, not resurrected.
    fn may_write(&self) -> bool {
        if self.deleted.load(Ordering::Acquire) {
            tracing::debug!(instance_id = %self.instance, "session write after deletion dropped");
            return false;
        }
        // In a cluster, only the holder of a fresh lease writes the session.
        if let Some(cluster) = &self.db.cluster
            && !cluster.may_write(&self.instance)
        {
            tracing::debug!(instance_id = %self.instance, "session write without a fresh lease dropped");
            return false;
        }
        true
    }
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
