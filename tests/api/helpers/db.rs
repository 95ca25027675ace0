//! Which database a test runs on, and a fresh one for each test.

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

/// Which database a test runs on. Every test runs on SQLite; the PostgreSQL
/// twin runs when `TEST_DATABASE_URL` points at a server.
#[derive(Debug, Clone, Copy)]
pub enum TestDb {
    Sqlite,
    Postgres,
}

impl TestDb {
    pub fn postgres() -> Option<Self> {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .map(|_| Self::Postgres)
    }

    /// A URL to a database nobody else uses.
    pub async fn provision(self, dir: &TempDir) -> String {
        match self {
            Self::Sqlite => format!("sqlite://{}/wamux.db?mode=rwc", dir.path().display()),
            Self::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
                let name = format!("wt_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|e| panic!("creating test database: {e}"));
                let _ = admin.close().await;
                let base = admin_url.split('?').next().unwrap_or_default();
                let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
                format!("{server}/{name}")
            }
        }
    }
}
