//! Linking a new companion device: by QR code (`link`) or by pairing code
//! (`code`), for the clients waiting to be linked (`pending`).

mod code;
mod link;
pub mod pending;
mod qr;

pub use code::{answer_companion_finish, answer_companion_hello, link_by_code};
pub use link::{Linked, link, register};
pub use qr::parse_qr;
