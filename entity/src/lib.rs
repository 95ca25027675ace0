//! sea-orm entities. Ids are UUID v7 strings; times are UTC milliseconds since the epoch.

pub mod users;
