//! Every event wamux tells integrators, as one enum: a variant's name is the
//! event's name (`message_received`), its payload is the event's `data` (with
//! `instanceId` beside it), and its schema is what the OpenAPI document lists.
//! Webhook deliveries and the live event stream carry the same bodies.

use serde::Serialize;
use strum::{IntoStaticStr, VariantNames};
use utoipa::ToSchema;

use crate::db::messages::MessageType;
use crate::domain::kinds::{ContactCard, Location, PollSpec};
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupChange, GroupNotice, MemberAction, PresenceState, ReceiptStatus};

/// An event's `data`, less `instanceId`. A new event is one variant here, its
/// payload struct, and its flag in `Event::wanted_by` (envelope.rs).
#[derive(Debug, Clone, Serialize, ToSchema, IntoStaticStr, VariantNames)]
#[serde(untagged)]
#[strum(serialize_all = "snake_case")]
pub enum Event {
    MessageReceived(MessageReceivedEvent),
    MessageSent(MessageSentEvent),
    MessageStatus(MessageStatusEvent),
    ConnectionOpened(ConnectionOpenedEvent),
    ConnectionClosed(ConnectionClosedEvent),
    QrReceived(QrReceivedEvent),
    MessageReaction(MessageReactionEvent),
    MessageEdited(MessageEditedEvent),
    MessageDeleted(MessageDeletedEvent),
    PollVote(PollVoteEvent),
    Presence(PresenceEvent),
    GroupParticipants(GroupParticipantsEvent),
    GroupUpdated(GroupUpdatedEvent),
    MessageFailed(MessageFailedEvent),
    AccountRestricted(AccountRestrictedEvent),
}

impl Event {
    /// Every event's name, as `event` gives it, in the enum's order.
    pub const NAMES: &'static [&'static str] = Self::VARIANTS;

    pub fn name(&self) -> &'static str {
        self.into()
    }
}

/// What a sent and a received message's events both carry: the message, its
/// text, and what it carries beyond its text where it applies.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageFields {
    pub message_id: String,
    pub body: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub has_media: bool,
    /// Counted by the statistics, not sent.
    #[serde(skip)]
    pub media_size: u64,
    /// The message it replies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quoted_message_id: Option<String>,
    /// JIDs the text mentions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub mentions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub contacts: Vec<ContactCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollSpec>,
}

/// `message_received`: a message someone sent the account.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReceivedEvent {
    /// Who wrote it; a group's message: the group (its author in `author`).
    #[schema(value_type = String)]
    pub from: Jid,
    /// WhatsApp's name for the kind: `conversation`, `imageMessage`, …
    #[serde(rename = "type")]
    pub whatsapp_type: String,
    pub push_name: String,
    /// The LID of `from` when it names a person; null when unknown or a group.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    /// The sender's LID (`fromLid` or `authorLid`); null when unknown.
    #[schema(value_type = Option<String>)]
    pub sender_lid: Option<Jid>,
    /// Who wrote a message of a group chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub author: Option<Jid>,
    /// The author's LID; null when unknown or not a group's message.
    #[schema(value_type = Option<String>)]
    pub author_lid: Option<Jid>,
    #[serde(flatten)]
    pub message: MessageFields,
}

/// `message_sent`: a message the account sent, by the API or from its phone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageSentEvent {
    /// The chat it went to.
    #[schema(value_type = String)]
    pub to: Jid,
    #[serde(rename = "type")]
    pub message_type: MessageType,
    #[serde(flatten)]
    pub message: MessageFields,
}

/// `message_status`: a sent message was delivered or read.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageStatusEvent {
    pub message_id: String,
    pub status: ReceiptStatus,
    /// The chat the message went to.
    #[schema(value_type = String)]
    pub from: Jid,
    /// The LID of `from`, when known.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    pub from_me: bool,
}

/// `connection_opened`: the instance is online.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConnectionOpenedEvent {}

/// `connection_closed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionClosedEvent {
    pub reason: String,
    pub will_reconnect: bool,
}

/// `qr_received`: a QR code to scan, exactly as WhatsApp gives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrReceivedEvent {
    pub qr_code: String,
}

/// `message_reaction`; an empty `emoji` takes a reaction back.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReactionEvent {
    pub message_id: String,
    #[schema(value_type = String)]
    pub chat: Jid,
    #[schema(value_type = String)]
    pub from: Jid,
    /// Their LID, when known.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    pub emoji: String,
    pub from_me: bool,
}

/// `message_edited`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageEditedEvent {
    pub message_id: String,
    #[schema(value_type = String)]
    pub chat: Jid,
    #[schema(value_type = String)]
    pub from: Jid,
    /// Their LID, when known.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    pub body: String,
    pub from_me: bool,
}

/// `message_deleted`: deleted for everyone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageDeletedEvent {
    pub message_id: String,
    #[schema(value_type = String)]
    pub chat: Jid,
    #[schema(value_type = String)]
    pub from: Jid,
    /// Their LID, when known.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    pub from_me: bool,
}

/// `message_failed`: WhatsApp refused a sent message (a nack), or it could
/// not be sent; its row's `status` is `failed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageFailedEvent {
    pub message_id: String,
    /// `null` when WhatsApp's refusal did not name it.
    #[schema(value_type = Option<String>)]
    pub chat: Option<Jid>,
    /// WhatsApp's code (463: the reach-out timelock), 0 when it gave none.
    pub code: u16,
    pub reason: String,
}

/// `account_restricted`: WhatsApp limits what the account may do.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountRestrictedEvent {
    /// `reachout_timelock` (code 463: new chats are locked for a while; a ban may follow).
    pub reason: String,
    pub code: u16,
    /// When the restriction ends (ISO 8601), when WhatsApp tells it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// `poll_vote`: a voter's current choice on a poll.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollVoteEvent {
    /// The poll.
    pub message_id: String,
    #[schema(value_type = String)]
    pub chat: Jid,
    #[schema(value_type = String)]
    pub voter: Jid,
    pub options: Vec<String>,
}

/// `presence`: typing, recording, online.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresenceEvent {
    #[schema(value_type = String)]
    pub chat: Jid,
    #[schema(value_type = String)]
    pub from: Jid,
    /// Their LID, when known.
    #[schema(value_type = Option<String>)]
    pub from_lid: Option<Jid>,
    pub state: PresenceState,
}

/// `group_participants`: members added, removed, promoted or demoted.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupParticipantsEvent {
    #[schema(value_type = String)]
    pub group_id: Jid,
    pub action: MemberAction,
    #[schema(value_type = Vec<String>)]
    pub participants: Vec<Jid>,
    /// Who did it, when WhatsApp says.
    #[schema(value_type = Option<String>)]
    pub by: Option<Jid>,
}

/// `group_updated`: only the settings that changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupUpdatedEvent {
    #[schema(value_type = String)]
    pub group_id: Jid,
    /// Who did it, when WhatsApp says.
    #[schema(value_type = Option<String>)]
    pub by: Option<Jid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Empty: removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only admins send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announce: Option<bool>,
    /// Only admins change the settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

impl From<GroupNotice> for Event {
    fn from(notice: GroupNotice) -> Self {
        let GroupNotice { group, by, change } = notice;
        match change {
            GroupChange::Members {
                action,
                participants,
            } => Self::GroupParticipants(GroupParticipantsEvent {
                group_id: group,
                action,
                participants,
                by,
            }),
            GroupChange::Settings(settings) => Self::GroupUpdated(GroupUpdatedEvent {
                group_id: group,
                by,
                subject: settings.subject,
                description: settings.description,
                announce: settings.announce,
                locked: settings.locked,
            }),
        }
    }
}
