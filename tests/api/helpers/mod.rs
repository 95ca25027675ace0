//! `spawn_app()`: the real server on port 0 with a fresh database, and a client for it.

mod app;
mod db;
mod files;
mod instances;
mod messages;
mod responses;
mod waiting;

pub use app::*;
pub use db::*;
pub use files::*;
pub use responses::*;
pub use waiting::*;

/// Declares each `async fn name(db: TestDb)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::TestDb::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(db) = $crate::helpers::TestDb::postgres() {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}
