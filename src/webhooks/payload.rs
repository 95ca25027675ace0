//! The contract's six webhook events, built from instance events. The same
//! payloads feed the live event stream.

use serde_json::{Value, json};

use crate::actors::events::{EventKind, InstanceEvent};
use crate::db::instances::WebhookSettings;
use crate::db::messages::MessageType;
use crate::domain::time::iso_millis;
use crate::whatsapp::ReceiptStatus;

/// Every event's name, as `data` gives them.
pub const EVENT_NAMES: [&str; 6] = [
    "message_received",
    "message_sent",
    "message_status",
    "connection_opened",
    "connection_closed",
    "qr_received",
];

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
            ("message_received", data)
        }
        EventKind::MessageSent(m) => (
            "message_sent",
            json!({
                "instanceId": instance_id,
                "messageId": m.message_id,
                "to": m.remote_jid,
                "body": m.body,
                "type": m.message_type,
                "timestamp": m.timestamp,
                "hasMedia": m.has_media,
            }),
        ),
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
        EventKind::ConnectionOpened
        | EventKind::ConnectionClosed { .. }
        | EventKind::QrReceived { .. } => true,
    }
}
