//! wa-mock: a WhatsApp server for tests and benchmarks. It speaks WhatsApp's
//! wire protocol (WebSocket, Noise, binary nodes; Signal payloads relayed
//! opaque) and plays WhatsApp's servers and each account's primary phone.
//! Contract: docs/EXTENSIONS.md, "WhatsApp test server". Never for production:
//! its certificate chain is signed by nobody.

mod accounts;
mod admin;
mod connection;
mod devices;
mod faults;
mod history;
mod login;
mod media;
mod noise;
mod pairing;
mod phone;
mod server;
mod stanzas;
mod stats;
mod wire;
mod world;

pub use server::{Bound, bind};
