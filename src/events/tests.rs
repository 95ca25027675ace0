//! Each event's body as integrators receive it: the names and fields the
//! contract gives (docs/API.md "Webhooks", docs/EXTENSIONS.md).

use serde_json::{Value, json};

use super::*;
use crate::db::messages::MessageType;
use crate::domain::kinds::{Location, PollSpec};
use crate::domain::phone::Jid;
use crate::whatsapp::{MemberAction, PresenceState, ReceiptStatus};

fn jid(raw: &str) -> Jid {
    Jid::parse(raw).unwrap_or_else(|err| panic!("{raw}: {err:?}"))
}

fn body(event: Event) -> Value {
    let event = InstanceEvent {
        instance_id: "i-1".into(),
        at: 1_672_531_200_000,
        event,
    };
    serde_json::from_str(&event.body()).unwrap_or(Value::Null)
}

fn envelope(name: &str, data: Value) -> Value {
    let mut data = data;
    data["instanceId"] = json!("i-1");
    json!({"event": name, "data": data, "timestamp": "2023-01-01T00:00:00.000Z"})
}

#[test]
fn names_are_the_contracts() {
    assert_eq!(
        Event::NAMES,
        [
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
            "message_failed",
            "account_restricted",
        ]
    );
}

#[test]
fn message_received_names_its_whatsapp_type_and_sender_with_the_lids_beside() {
    let lid = crate::domain::phone::Jid::parse_lid("100000012345678");
    let event = Event::MessageReceived(MessageReceivedEvent {
        from: jid("79001234567"),
        whatsapp_type: "conversation".into(),
        push_name: "Ivan".into(),
        from_lid: lid.clone(),
        sender_lid: lid,
        author: None,
        author_lid: None,
        message: MessageFields {
            message_id: "m1".into(),
            body: "hi".into(),
            timestamp: 1_672_531_200,
            ..Default::default()
        },
    });
    let expected = json!({"messageId": "m1", "from": "79001234567@s.whatsapp.net",
        "body": "hi", "type": "conversation", "timestamp": 1_672_531_200, "hasMedia": false,
        "pushName": "Ivan", "fromLid": "100000012345678@lid",
        "senderLid": "100000012345678@lid", "authorLid": null});
    assert_eq!(body(event), envelope("message_received", expected));
}

#[test]
fn message_sent_carries_its_kind_fields_and_not_its_media_size() {
    let event = Event::MessageSent(MessageSentEvent {
        to: jid("79001234567"),
        message_type: MessageType::Poll,
        message: MessageFields {
            message_id: "m2".into(),
            body: "where?".into(),
            timestamp: 1,
            has_media: true,
            media_size: 99,
            quoted_message_id: Some("m1".into()),
            mentions: vec!["79001234568@s.whatsapp.net".into()],
            location: Some(Location {
                latitude: 1.5,
                longitude: 2.5,
                name: None,
                address: None,
            }),
            contacts: Vec::new(),
            poll: Some(PollSpec {
                question: "q".into(),
                selectable_count: 1,
                options: vec!["a".into(), "b".into()],
            }),
        },
    });
    let expected = json!({"messageId": "m2", "to": "79001234567@s.whatsapp.net",
        "body": "where?", "type": "poll", "timestamp": 1, "hasMedia": true,
        "quotedMessageId": "m1", "mentions": ["79001234568@s.whatsapp.net"],
        "location": {"latitude": 1.5, "longitude": 2.5, "name": null, "address": null},
        "poll": {"question": "q", "selectableCount": 1, "options": ["a", "b"]}});
    assert_eq!(body(event), envelope("message_sent", expected));
}

#[test]
fn message_status_and_connection_events() {
    let status = Event::MessageStatus(MessageStatusEvent {
        message_id: "m1".into(),
        status: ReceiptStatus::Read,
        from: jid("79001234567"),
        from_lid: None,
        from_me: true,
    });
    assert_eq!(
        body(status),
        envelope(
            "message_status",
            json!({"messageId": "m1", "status": "read",
                "from": "79001234567@s.whatsapp.net", "fromLid": null, "fromMe": true})
        )
    );
    let opened = Event::ConnectionOpened(ConnectionOpenedEvent {});
    assert_eq!(body(opened), envelope("connection_opened", json!({})));
    let closed = Event::ConnectionClosed(ConnectionClosedEvent {
        reason: "logout".into(),
        will_reconnect: false,
    });
    assert_eq!(
        body(closed),
        envelope(
            "connection_closed",
            json!({"reason": "logout", "willReconnect": false})
        )
    );
    let qr = Event::QrReceived(QrReceivedEvent {
        qr_code: "2@abc".into(),
    });
    assert_eq!(
        body(qr),
        envelope("qr_received", json!({"qrCode": "2@abc"}))
    );
}

#[test]
fn changes_to_messages() {
    let (chat, from) = (jid("79001234567"), jid("79001234568"));
    let reaction = Event::MessageReaction(MessageReactionEvent {
        message_id: "m1".into(),
        chat: chat.clone(),
        from: from.clone(),
        from_lid: None,
        emoji: String::new(),
        from_me: false,
    });
    let edited = Event::MessageEdited(MessageEditedEvent {
        message_id: "m1".into(),
        chat: chat.clone(),
        from: from.clone(),
        from_lid: None,
        body: "new".into(),
        from_me: true,
    });
    let deleted = Event::MessageDeleted(MessageDeletedEvent {
        message_id: "m1".into(),
        chat: chat.clone(),
        from: from.clone(),
        from_lid: None,
        from_me: false,
    });
    let vote = Event::PollVote(PollVoteEvent {
        message_id: "m1".into(),
        chat: chat.clone(),
        voter: from.clone(),
        options: vec!["a".into()],
    });
    let (c, f) = ("79001234567@s.whatsapp.net", "79001234568@s.whatsapp.net");
    let expected = [
        (
            "message_reaction",
            json!({"messageId": "m1", "chat": c, "from": f, "fromLid": null, "emoji": "", "fromMe": false}),
        ),
        (
            "message_edited",
            json!({"messageId": "m1", "chat": c, "from": f, "fromLid": null, "body": "new", "fromMe": true}),
        ),
        (
            "message_deleted",
            json!({"messageId": "m1", "chat": c, "from": f, "fromLid": null, "fromMe": false}),
        ),
        (
            "poll_vote",
            json!({"messageId": "m1", "chat": c, "voter": f, "options": ["a"]}),
        ),
    ];
    for (event, (name, data)) in [reaction, edited, deleted, vote].into_iter().zip(expected) {
        assert_eq!(body(event), envelope(name, data));
    }
}

#[test]
fn presence_and_group_events_say_only_what_changed() {
    let presence = Event::Presence(PresenceEvent {
        chat: jid("79001234567"),
        from: jid("79001234567"),
        from_lid: None,
        state: PresenceState::Composing,
    });
    let p = "79001234567@s.whatsapp.net";
    assert_eq!(
        body(presence),
        envelope(
            "presence",
            json!({"chat": p, "from": p, "fromLid": null, "state": "composing"})
        )
    );
    let group = jid("120363000000000001@g.us");
    let members = Event::from(crate::whatsapp::GroupNotice {
        group: group.clone(),
        by: None,
        change: crate::whatsapp::GroupChange::Members {
            action: MemberAction::Promote,
            participants: vec![jid("79001234567")],
        },
    });
    let g = "120363000000000001@g.us";
    assert_eq!(
        body(members),
        envelope(
            "group_participants",
            json!({"groupId": g, "action": "promote", "participants": [p], "by": null})
        )
    );
    let updated = Event::from(crate::whatsapp::GroupNotice {
        group,
        by: Some(jid("79001234567")),
        change: crate::whatsapp::GroupChange::Settings(crate::whatsapp::GroupSettings {
            subject: Some("New".into()),
            locked: Some(true),
            ..Default::default()
        }),
    });
    assert_eq!(
        body(updated),
        envelope(
            "group_updated",
            json!({"groupId": g, "by": p, "subject": "New", "locked": true})
        )
    );
}

#[test]
fn a_refused_send_and_a_restricted_account() {
    let failed = Event::MessageFailed(MessageFailedEvent {
        message_id: "3EB0".into(),
        chat: Some(jid("79001234567")),
        code: 463,
        reason: "reach-out timelock".into(),
    });
    assert_eq!(
        body(failed.clone()),
        envelope(
            "message_failed",
            json!({"messageId": "3EB0", "chat": "79001234567@s.whatsapp.net", "code": 463, "reason": "reach-out timelock"})
        )
    );
    let restricted = Event::AccountRestricted(AccountRestrictedEvent {
        reason: "reachout_timelock".into(),
        code: 463,
        until: None,
    });
    assert_eq!(
        body(restricted.clone()),
        envelope(
            "account_restricted",
            json!({"reason": "reachout_timelock", "code": 463})
        )
    );
    // A refusal follows the sent messages' flag; a restriction is always told.
    let settings = crate::db::instances::WebhookSettings {
        url: None,
        enabled: true,
        secret: None,
        notify_received: true,
        notify_sent: false,
        notify_delivery: true,
        notify_read: true,
        notify_presence: true,
        notify_groups: true,
        max_retries: 3,
        retry_interval_ms: 1000,
    };
    assert!(!failed.wanted_by(&settings));
    assert!(restricted.wanted_by(&settings));
}
