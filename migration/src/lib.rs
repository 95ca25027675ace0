//! Schema migrations, run at start-up (`wamux serve`) or by `wamux migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_users;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261125_000001_create_users::Migration)]
    }
}
