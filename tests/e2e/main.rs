//! wamux's engine path end to end: the real `wamux` binary on the whatsapp-rust
//! engine, against the WhatsApp test server `wa-mock` (the real wire protocol,
//! Signal payloads relayed opaque, each account's phone played), through the
//! HTTP API and webhooks. Needs the `mock-whatsapp` feature and the `wa-mock`
//! binary: `bash scripts/test.sh` builds and runs both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
#[allow(dead_code)]
#[path = "../api/receiver.rs"]
mod receiver;
#[path = "../api/session_rows.rs"]
mod session_rows;
#[path = "../api/helpers/waiting.rs"]
mod waiting;

mod cluster;
mod durability;
mod faults;
mod groups;
mod kinds;
mod messaging;
mod pairing;
mod people;
mod phone;

mod helpers {
    pub use crate::waiting::eventually;
}
