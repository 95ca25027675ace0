//! Every instance row belongs to a user who exists: deleting a user deletes
//! their instance rows (the service has stopped and wiped those instances just
//! before), and a row naming an unknown user is refused. Rows orphaned before
//! this migration (their users deleted while nothing cascaded) are removed
//! first: no one can reach them through the API any more.
//!
//! PostgreSQL gets a real foreign key, `ON DELETE CASCADE`.
//!
//! SQLite cannot add a constraint to an existing table, and rebuilding
//! `instances` is not safe here: its `DROP` would cascade into
//! `instance_leases` unless `PRAGMA foreign_keys` is off, a pragma that is per
//! connection and ignored inside a transaction, while migrations run on a pool
//! of connections opened with foreign keys on. Triggers enforce the same rule
//! instead: an insert, or a change of `user_id`, naming a user who does not
//! exist is aborted; deleting a user deletes their instances (whose leases
//! then cascade as before); a user id still referenced cannot change (what the
//! foreign key's default `NO ACTION` does on PostgreSQL).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const FOREIGN_KEY: &str = "fk_instances_user";

const DELETE_ORPHANS: &str = "DELETE FROM instances \
     WHERE NOT EXISTS (SELECT 1 FROM users WHERE users.id = instances.user_id)";

/// (name, body) of each SQLite trigger standing for the foreign key.
const SQLITE_TRIGGERS: &[(&str, &str)] = &[
    (
        "instances_owner_on_insert",
        "BEFORE INSERT ON instances \
         WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id) \
         BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: instances.user_id'); END",
    ),
    (
        "instances_owner_on_update",
        "BEFORE UPDATE OF user_id ON instances \
         WHEN NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id) \
         BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: instances.user_id'); END",
    ),
    (
        "users_id_kept_while_owning",
        "BEFORE UPDATE OF id ON users \
         WHEN OLD.id <> NEW.id AND EXISTS (SELECT 1 FROM instances WHERE user_id = OLD.id) \
         BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: instances.user_id'); END",
    ),
    (
        "users_delete_cascades_to_instances",
        "AFTER DELETE ON users \
         BEGIN DELETE FROM instances WHERE user_id = OLD.id; END",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// The orphans' removal and the rule take effect together, or neither does.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(DELETE_ORPHANS).await?;
        if manager.get_database_backend() == DbBackend::Sqlite {
            for (name, body) in SQLITE_TRIGGERS {
                db.execute_unprepared(&format!("CREATE TRIGGER IF NOT EXISTS {name} {body}"))
                    .await?;
            }
            return Ok(());
        }
        manager
            .create_foreign_key(
                ForeignKey::create()
                    .name(FOREIGN_KEY)
                    .from("instances", "user_id")
                    .to("users", "id")
                    .on_delete(ForeignKeyAction::Cascade)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            let db = manager.get_connection();
            for (name, _) in SQLITE_TRIGGERS {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
            return Ok(());
        }
        manager
            .drop_foreign_key(
                ForeignKey::drop()
                    .name(FOREIGN_KEY)
                    .table("instances")
                    .to_owned(),
            )
            .await
    }
}
