//! Schema migrations, run at start-up (`wamux serve`) or by `wamux migrate`.

pub use sea_orm_migration::prelude::*;

mod columns;

mod m20261125_000001_create_users;
mod m20261125_000002_create_instances;
mod m20261125_000003_create_activity_logs;
mod m20261125_000004_create_sim_sessions;
mod m20261125_000005_create_messages;
mod m20261125_000006_create_contacts;
mod m20261125_000007_create_idempotency_keys;
mod m20261125_000008_create_webhook_deliveries;
mod m20261125_000009_create_usage_daily;
mod m20261128_000010_add_message_sender_lid;
mod m20261128_000011_message_kinds;
mod m20261128_000012_message_author;
mod m20261129_000013_groups;
mod m20261129_000014_engine_sessions;
mod m20261129_000015_cluster;
mod m20261207_000016_message_errors;
mod m20261207_000017_message_media_source;
mod m20261207_000018_contact_lid;
mod m20261215_000019_instance_owner;
mod m20261215_000020_user_token_version;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_users::Migration),
            Box::new(m20261125_000002_create_instances::Migration),
            Box::new(m20261125_000003_create_activity_logs::Migration),
            Box::new(m20261125_000004_create_sim_sessions::Migration),
            Box::new(m20261125_000005_create_messages::Migration),
            Box::new(m20261125_000006_create_contacts::Migration),
            Box::new(m20261125_000007_create_idempotency_keys::Migration),
            Box::new(m20261125_000008_create_webhook_deliveries::Migration),
            Box::new(m20261125_000009_create_usage_daily::Migration),
            Box::new(m20261128_000010_add_message_sender_lid::Migration),
            Box::new(m20261128_000011_message_kinds::Migration),
            Box::new(m20261128_000012_message_author::Migration),
            Box::new(m20261129_000013_groups::Migration),
            Box::new(m20261129_000014_engine_sessions::Migration),
            Box::new(m20261129_000015_cluster::Migration),
            Box::new(m20261207_000016_message_errors::Migration),
            Box::new(m20261207_000017_message_media_source::Migration),
            Box::new(m20261207_000018_contact_lid::Migration),
            Box::new(m20261215_000019_instance_owner::Migration),
            Box::new(m20261215_000020_user_token_version::Migration),
        ]
    }
}
