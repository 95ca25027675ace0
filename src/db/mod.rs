//! Every query lives here; handlers and actors call these functions.

pub mod activity;
mod bulk;
pub mod cluster;
pub mod contacts;
pub mod engine_store;
pub mod idempotency;
pub mod instances;
pub mod lid_merge;
pub mod messages;
pub mod recorder;
pub mod signals;
#[cfg(feature = "sim")]
pub mod sim_groups;
#[cfg(feature = "sim")]
pub mod sim_sessions;
pub mod usage;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::DatabaseSettings;

const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to SQLite (creating the file's folder and turning on WAL) or PostgreSQL.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    open(settings, settings.max_connections, None).await
}

/// Page cache of the recorder's SQLite connection, in KiB: every batch writes
/// through it, so its B-tree pages stay in memory instead of being read again.
const WRITER_CACHE_KIB: i64 = 16 * 1024;

async fn open(
    settings: &DatabaseSettings,
    max_connections: u32,
    cache_kib: Option<i64>,
) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = sqlite_file(&settings.url)
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|err| {
            DbErr::Custom(format!(
                "creating database folder {}: {err}",
                parent.display()
            ))
        })?;
    }
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(max_connections)
        .connect_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .acquire_timeout(Duration::from_secs(settings.connect_timeout_secs))
        .idle_timeout(Duration::from_secs(settings.idle_timeout_secs))
        .max_lifetime(Duration::from_secs(settings.max_lifetime_secs))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            let opts = opts
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true);
            match cache_kib {
                Some(kib) => opts.pragma("cache_size", format!("-{kib}")),
                None => opts,
            }
        });
    Database::connect(options).await
}

/// A one-connection pool for the recorder: its page cache stays warm across
/// batches, where a pool would hand each batch a connection whose cache the
/// previous batch (on another connection) made stale.
pub async fn connect_writer(settings: &DatabaseSettings) -> Result<DatabaseConnection, DbErr> {
    open(settings, 1, Some(WRITER_CACHE_KIB)).await
}

/// How many recorder queues a database gets: SQLite has one writer; PostgreSQL
/// commits several transactions at once (each its own connection).
pub const POSTGRES_RECORDER_QUEUES: u32 = 4;

/// The recorder's connections: SQLite's one writer, or one per queue on PostgreSQL.
pub async fn connect_recorder(
    settings: &DatabaseSettings,
) -> Result<(DatabaseConnection, usize), DbErr> {
    if sqlite_file(&settings.url).is_some() || settings.url.starts_with("sqlite:") {
        return Ok((connect_writer(settings).await?, 1));
    }
    let queues = POSTGRES_RECORDER_QUEUES;
    Ok((open(settings, queues, None).await?, queues as usize))
}

/// The file of a `sqlite://path?...` URL; `None` for in-memory or non-SQLite URLs.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// True for a unique-constraint violation (a duplicate key).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_read_from_the_url() {
        assert_eq!(
            sqlite_file("sqlite://data/wamux.db?mode=rwc"),
            Some("data/wamux.db".into())
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/wamux"), None);
    }
}
