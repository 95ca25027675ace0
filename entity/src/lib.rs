//! sea-orm entities. Ids are UUID v7 strings; times are UTC milliseconds since the epoch.

pub mod activity_logs;
pub mod contacts;
pub mod idempotency_keys;
pub mod instances;
pub mod messages;
pub mod sim_group_members;
pub mod sim_groups;
pub mod sim_sessions;
pub mod usage_daily;
pub mod users;
pub mod values;
pub mod webhook_deliveries;
