//! The actors: a supervisor over one actor per instance, and the event consumers.

pub mod api_calls;
pub mod instance;
pub mod lease_keeper;
pub mod live;
pub mod policy;
pub mod registry;
pub mod stats;
pub mod supervisor;
pub mod webhook;
