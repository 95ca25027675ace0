//! Rows of an instance left in the engine's session tables: the API tests (an
//! in-process app) and the end-to-end tests (a `wamux` process) both ask.

use sea_orm::{ConnectionTrait, Database, Statement};

pub async fn session_rows(database_url: &str, id: &str) -> usize {
    rows_in(database_url, wamux::db::engine_store::SESSION_TABLES, id).await
}

/// The instance's rows in some of the session tables.
pub async fn rows_in(database_url: &str, tables: &[&str], id: &str) -> usize {
    let db = Database::connect(database_url).await.expect("database");
    let backend = db.get_database_backend();
    let mut rows = 0;
    for table in tables {
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                format!("SELECT count(*) FROM {table} WHERE instance_id = $1")
            }
            _ => format!("SELECT count(*) FROM {table} WHERE instance_id = ?"),
        };
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [id.into()]))
            .await
            .expect("count")
            .expect("a row");
        rows += usize::try_from(row.try_get_by_index::<i64>(0).expect("count")).expect("count");
    }
    let _ = db.close().await;
    rows
}
