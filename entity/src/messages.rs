use sea_orm::entity::prelude::*;

pub use crate::values::{MessageStatus, MessageType};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub instance_id: String,
    pub remote_jid: String,
    pub from_me: bool,
    pub message_type: MessageType,
    /// The text, or the media caption.
    pub content: String,
    /// WhatsApp's id (ours choose it before sending).
    pub message_id: Option<String>,
    pub has_media: bool,
    pub media_mimetype: Option<String>,
    pub media_size: Option<i64>,
    pub media_filename: Option<String>,
    /// Where received media bytes are kept, relative to the media folder.
    pub media_path: Option<String>,
    pub push_name: Option<String>,
    /// The LID WhatsApp addressed a received message's sender by, when it did.
    pub sender_lid: Option<String>,
    pub status: MessageStatus,
    pub created_at: i64,
    /// The WhatsApp id of the message this one replies to.
    pub quoted_message_id: Option<String>,
    /// When its sender last edited it, UTC milliseconds.
    pub edited_at: Option<i64>,
    /// Deleted for everyone: the row keeps its place, without its content.
    pub revoked: bool,
    /// JSON: mentions, location, contact cards, poll, votes and reactions.
    pub details: Option<String>,
    /// Hex of a poll's message secret, which opens its votes. Never shown.
    pub message_secret: Option<String>,
    /// Who wrote a received message of a group chat.
    pub author: Option<String>,
    /// A failed send: WhatsApp's code (0 when it gave none).
    pub error_code: Option<i32>,
    /// A failed send: why.
    pub error_reason: Option<String>,
    /// JSON: where WhatsApp keeps received media and the keys that open it,
    /// to fetch the file again when its first download failed. Never shown.
    #[sea_orm(column_type = "Text", nullable)]
    pub media_source: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
