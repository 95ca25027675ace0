//! The one place that builds and reads WhatsApp messages, in whatsapp-rust's
//! own model: waproto `Message`s out, `Event`s in. Both backends go through it —
//! the engine hands what it builds to its client and what its client receives
//! to the [`Reader`]; the simulated network carries the same values between its
//! phones (media encrypted, uploaded and downloaded by the engine's own code).
//! So every test on the simulated network also runs what the engine runs.

mod changes;
mod classify;
mod groups;
mod history;
mod ignored;
mod inbound;
mod kinds;
#[cfg(test)]
mod kinds_tests;
mod outgoing;
mod preview;
mod reader;
#[cfg(test)]
mod tests;

pub use classify::Ignored;
pub use groups::{creation as group_creation, notice as group_notice, update as group_update};
pub use history::{MAX_MESSAGES_PER_CHAT, read_history};
pub use inbound::{downloadable, group_contacts, ours};
pub use kinds::{build, edit, key, open_vote, reaction, revoke, vote};
pub use outgoing::{Uploaded, engine_jid, media, media_type, sent_kind, text};
pub use preview::add_preview;
pub use reader::{MediaSource, Reader, Reading};
