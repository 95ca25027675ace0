//! The contract's six webhook events, built from instance events. The same
//! payloads feed the live event stream.

use serde_json::{Value, json};

use crate::actors::events::{ChangeDone, ChangeEvent, EventKind, InstanceEvent, MessageEvent};
use crate::db::instances::WebhookSettings;
use crate::db::messages::MessageType;
use crate::domain::time::iso_millis;
use crate::whatsapp::{GroupChange, GroupNotice, ReceiptStatus};

/// Every event's name, as `data` gives them.
pub const EVENT_NAMES: [&str; 13] = [
    "message_received",
    "message_sent",
    "message_status",
    "connection_opened",
    "connection_closed",
    "qr_received",
    "message_reaction",
    "message_edited",
    "message_deleted",
    "poll_vote",
    "presence",
    "group_participants",
    "group_updated",
];

/// A message's kind fields beside the contract's: `quotedMessageId`,
/// `mentions`, `location`, `contacts`, `poll`, where they apply.
fn add_kind_fields(data: &mut Value, m: &MessageEvent) {
    let Some(fields) = data.as_object_mut() else {
        return;
    };
    if let Some(quoted) = &m.quoted_message_id {
        fields.insert("quotedMessageId".into(), json!(quoted));
    }
    let details = &m.details;
    if !details.mentions.is_empty() {
        fields.insert("mentions".into(), json!(details.mentions));
    }
    if let Some(location) = &details.location {
        fields.insert("location".into(), json!(location));
    }
    if !details.contacts.is_empty() {
        fields.insert("contacts".into(), json!(details.contacts));
    }
    if let Some(poll) = &details.poll {
        fields.insert(
            "poll".into(),
            json!({"question": poll.question, "selectableCount": poll.selectable_count, "options": poll.options}),
        );
    }
}

fn change(instance_id: &str, change: &ChangeEvent) -> (&'static str, Value) {
    let (message_id, chat, from) = (&change.message_id, &change.chat, &change.from);
    match &change.change {
        ChangeDone::Reaction { emoji } => (
            "message_reaction",
            json!({"instanceId": instance_id, "messageId": message_id, "chat": chat,
                   "from": from, "emoji": emoji, "fromMe": change.from_me}),
        ),
        ChangeDone::Edited { body } => (
            "message_edited",
            json!({"instanceId": instance_id, "messageId": message_id, "chat": chat,
                   "from": from, "body": body, "fromMe": change.from_me}),
        ),
        ChangeDone::Deleted => (
            "message_deleted",
            json!({"instanceId": instance_id, "messageId": message_id, "chat": chat,
                   "from": from, "fromMe": change.from_me}),
        ),
        ChangeDone::Voted { options } => (
            "poll_vote",
            json!({"instanceId": instance_id, "messageId": message_id, "chat": chat,
                   "voter": from, "options": options}),
        ),
    }
}

/// `group_participants` or `group_updated`: only the settings that changed.
fn group(instance_id: &str, notice: &GroupNotice) -> (&'static str, Value) {
    let (group, by) = (&notice.group, &notice.by);
    match &notice.change {
        GroupChange::Members {
            action,
            participants,
        } => (
            "group_participants",
            json!({"instanceId": instance_id, "groupId": group, "action": action,
                   "participants": participants, "by": by}),
        ),
        GroupChange::Settings(settings) => {
            let mut data = json!({"instanceId": instance_id, "groupId": group, "by": by});
            if let Some(fields) = data.as_object_mut() {
                let set = [
                    ("subject", settings.subject.as_ref().map(|s| json!(s))),
                    (
                        "description",
                        settings.description.as_ref().map(|d| json!(d)),
                    ),
                    ("announce", settings.announce.map(|a| json!(a))),
                    ("locked", settings.locked.map(|l| json!(l))),
                ];
                for (name, value) in set {
                    if let Some(value) = value {
                        fields.insert(name.into(), value);
                    }
                }
            }
            ("group_updated", data)
        }
    }
}

/// WhatsApp's name for a received message of this type.
fn received_type(message_type: MessageType) -> String {
    match message_type {
        MessageType::Text => "conversation".to_owned(),
        other => format!("{other}Message"),
    }
}

/// The event's name and `data`, as the contract shapes them.
pub fn data(event: &InstanceEvent) -> (&'static str, Value) {
    let instance_id = &event.instance_id;
    match &event.kind {
        EventKind::MessageReceived(m) => {
            let mut data = json!({
                "instanceId": instance_id,
                "messageId": m.message_id,
                "from": m.remote_jid,
                "body": m.body,
                "type": received_type(m.message_type),
                "timestamp": m.timestamp,
                "hasMedia": m.has_media,
                "pushName": m.push_name,
            });
            // Only when WhatsApp named the sender by a LID: the contract's shape otherwise.
            if let (Some(lid), Some(fields)) = (&m.sender_lid, data.as_object_mut()) {
                fields.insert("senderLid".into(), json!(lid));
            }
            if let (Some(author), Some(fields)) = (&m.author, data.as_object_mut()) {
                fields.insert("author".into(), json!(author));
            }
            add_kind_fields(&mut data, m);
            ("message_received", data)
        }
        EventKind::MessageSent(m) => {
            let mut data = json!({
                "instanceId": instance_id,
                "messageId": m.message_id,
                "to": m.remote_jid,
                "body": m.body,
                "type": m.message_type,
                "timestamp": m.timestamp,
                "hasMedia": m.has_media,
            });
            add_kind_fields(&mut data, m);
            ("message_sent", data)
        }
        EventKind::MessageChanged(changed) => change(instance_id, changed),
        EventKind::Presence { chat, from, state } => (
            "presence",
            json!({"instanceId": instance_id, "chat": chat, "from": from, "state": state}),
        ),
        EventKind::Group(notice) => group(instance_id, notice),
        EventKind::MessageStatusChanged {
            message_id,
            status,
            remote_jid,
            from_me,
        } => (
            "message_status",
            json!({
                "instanceId": instance_id,
                "messageId": message_id,
                "status": status,
                "from": remote_jid,
                "fromMe": from_me,
            }),
        ),
        EventKind::ConnectionOpened => ("connection_opened", json!({ "instanceId": instance_id })),
        EventKind::ConnectionClosed {
            reason,
            will_reconnect,
        } => (
            "connection_closed",
            json!({ "instanceId": instance_id, "reason": reason, "willReconnect": will_reconnect }),
        ),
        EventKind::QrReceived { qr_code } => (
            "qr_received",
            json!({ "instanceId": instance_id, "qrCode": qr_code }),
        ),
    }
}

/// The whole body: `{"event", "data", "timestamp"}`.
pub fn envelope(event: &InstanceEvent) -> (&'static str, Value) {
    let (name, data) = data(event);
    (
        name,
        json!({ "event": name, "data": data, "timestamp": iso_millis(event.at) }),
    )
}

/// Whether the instance's flags ask for this event. Connection and QR events
/// always go when webhooks are on.
pub fn wanted(kind: &EventKind, settings: &WebhookSettings) -> bool {
    match kind {
        EventKind::MessageReceived(_) => settings.notify_received,
        EventKind::MessageSent(_) => settings.notify_sent,
        EventKind::MessageStatusChanged { status, .. } => match status {
            ReceiptStatus::Delivered => settings.notify_delivery,
            ReceiptStatus::Read => settings.notify_read,
        },
        EventKind::MessageChanged(_) => settings.notify_received,
        EventKind::Presence { .. } => settings.notify_presence,
        EventKind::Group(_) => settings.notify_groups,
        EventKind::ConnectionOpened
        | EventKind::ConnectionClosed { .. }
        | EventKind::QrReceived { .. } => true,
    }
}
