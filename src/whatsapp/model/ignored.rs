//! Why a WhatsApp message entry is not stored as a message.

/// Why an entry is not stored; named in the debug log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ignored {
    /// A status story (`status@broadcast`), with `whatsapp.status_updates` off.
    Status,
    Reaction,
    PollVote,
    /// An edit of an earlier message.
    Edit,
    /// A message deleted for everyone.
    Revoke,
    /// Key shares, history-sync notices, app-state and the like.
    Protocol,
    /// Nothing wamux can show: a bare sender-key distribution, say.
    NoContent,
    /// A chat or sender JID wamux cannot name.
    UnnamedJid,
}
