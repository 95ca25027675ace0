//! Outbound HTTP to addresses users give us (media URLs, webhook targets).

pub mod client_ip;
pub mod fetch;
pub mod guard;
