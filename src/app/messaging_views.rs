//! A stored message as the history shows it: its details opened (mentions,
//! place, contacts, the poll with its tally, reactions), never its secrets;
//! and the instance's contacts.

use entity::contacts::Model as Contact;
use entity::messages::Model as StoredMessage;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::messages::{MessageStatus, MessageType};
use crate::domain::kinds::{ContactCard, Location, MessageDetails};
use crate::domain::time::iso_millis;

/// A stored message.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    /// The server's id.
    id: String,
    instance_id: String,
    /// The chat: the other person's JID, or the group's.
    remote_jid: String,
    from_me: bool,
    message_type: MessageType,
    /// The text, or the media's caption.
    content: String,
    /// WhatsApp's id.
    message_id: Option<String>,
    has_media: bool,
    /// The sender's display name, for received messages.
    push_name: Option<String>,
    /// The LID of a received message's sender; null when unknown
    /// (`remoteJid` names the person by number wherever the instance knows it).
    sender_lid: Option<String>,
    status: MessageStatus,
    /// Why a `failed` send failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<SendFailure>,
    created_at: String,
    /// Deleted for everyone: the row keeps its place, without its text.
    revoked: bool,
    /// Who wrote a received message of a group chat (`remoteJid` is the group).
    #[serde(skip_serializing_if = "Option::is_none")]
    author: Option<String>,
    /// The WhatsApp id of the message this one replies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    quoted_message_id: Option<String>,
    /// JIDs the text mentions.
    #[serde(skip_serializing_if = "Option::is_none")]
    mentions: Option<Vec<String>>,
    /// When its sender last edited it.
    #[serde(skip_serializing_if = "Option::is_none")]
    edited_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contacts: Option<Vec<ContactCard>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    poll: Option<PollView>,
    /// Everyone's current reaction.
    #[serde(skip_serializing_if = "Option::is_none")]
    reactions: Option<Vec<ReactionView>>,
}

/// A poll and how many voted for each option.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollView {
    question: String,
    selectable_count: u32,
    options: Vec<PollOptionView>,
}

#[derive(Serialize, ToSchema)]
pub struct PollOptionView {
    name: String,
    votes: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ReactionView {
    /// Who reacted (a JID).
    from: String,
    emoji: String,
}

impl MessageView {
    pub(super) fn new(m: StoredMessage) -> Self {
        let details = MessageDetails::from_json(m.details.as_deref());
        let poll = details.poll.as_ref().map(|poll| PollView {
            question: poll.question.clone(),
            selectable_count: poll.selectable_count,
            options: details
                .tally()
                .into_iter()
                .map(|(name, votes)| PollOptionView { name, votes })
                .collect(),
        });
        let reactions: Vec<ReactionView> = details
            .reactions
            .into_iter()
            .map(|(from, emoji)| ReactionView { from, emoji })
            .collect();
        Self {
            id: m.id,
            instance_id: m.instance_id,
            remote_jid: m.remote_jid,
            from_me: m.from_me,
            message_type: m.message_type,
            content: m.content,
            message_id: m.message_id,
            has_media: m.has_media,
            push_name: m.push_name,
            sender_lid: m.sender_lid,
            status: m.status,
            error: m.error_code.map(|code| SendFailure {
                code,
                reason: m.error_reason.unwrap_or_default(),
            }),
            created_at: iso_millis(m.created_at),
            revoked: m.revoked,
            author: m.author,
            quoted_message_id: m.quoted_message_id,
            mentions: Some(details.mentions).filter(|m| !m.is_empty()),
            edited_at: m.edited_at.map(iso_millis),
            location: details.location,
            contacts: Some(details.contacts).filter(|c| !c.is_empty()),
            poll,
            reactions: Some(reactions).filter(|r| !r.is_empty()),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    /// The JID.
    pub id: String,
    /// The name WhatsApp knows, else the number.
    pub name: String,
    pub number: String,
    pub is_group: bool,
    /// The LID WhatsApp also names this person by; null when unknown (and for groups).
    #[schema(value_type = Option<String>)]
    pub lid: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<ContactView>,
}

impl ContactView {
    pub(super) fn new(contact: Contact) -> Self {
        let name = if contact.name.is_empty() {
            contact.number.clone()
        } else {
            contact.name
        };
        // A person known only by LID: the LID is all WhatsApp told.
        let lid = contact
            .lid
            .or_else(|| Some(contact.jid.clone()).filter(|jid| jid.ends_with("@lid")));
        Self {
            id: contact.jid,
            name,
            number: contact.number,
            is_group: contact.is_group,
            lid,
        }
    }
}

/// Why WhatsApp did not take a sent message.
#[derive(Debug, Serialize, ToSchema)]
pub struct SendFailure {
    /// WhatsApp's code (463: the reach-out timelock), 0 when it gave none.
    code: i32,
    reason: String,
}
