//! What the engine's group requests carry, how WhatsApp's refusals of them are
//! named, and that a session that is not logged in sends none.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use actix::prelude::*;
use whatsapp_rust::features::{GroupError, JoinGroupResult};
use whatsapp_rust::{ClientError, IqError, Jid as WaJid, NodeBuilder};

use super::refusals::{group_error, join_error, member_error};
use super::{create_options, joined_group};
use crate::config::WhatsappSettings;
use crate::domain::phone::Jid;
use crate::whatsapp::engine::EngineBackend;
use crate::whatsapp::engine::forwarder_tests::Collect;
use crate::whatsapp::{EventSink, GroupSettings, MemberAction, NewGroup, WaBackend, WaError};

const GROUP: &str = "120363000000000001";
const OWNER: &str = "79001234567";
const ADMIN: &str = "79007654321";
const HIDDEN_LID: &str = "100000000000002";

fn jid(raw: &str) -> Jid {
    Jid::parse(raw).unwrap()
}

fn server(code: u16, text: &str) -> GroupError {
    GroupError::Iq(IqError::ServerError {
        code,
        text: text.into(),
        error_type: None,
        backoff: None,
    })
}

#[test]
fn group_refusals_are_named_for_the_caller() {
    let not_found = WaError::GroupNotFound("group not found".into());
    let not_admin = WaError::NotGroupAdmin("only the group's admins can do that".into());
    let named = |err| group_error(err).to_string();
    assert_eq!(named(server(404, "item-not-found")), not_found.to_string());
    assert!(matches!(
        group_error(server(406, "not-acceptable")),
        WaError::GroupNotFound(_)
    ));
    assert!(matches!(
        group_error(server(403, "forbidden")),
        WaError::NotGroupAdmin(_)
    ));
    assert_eq!(named(server(401, "not-authorized")), not_admin.to_string());
    match group_error(server(500, "internal-server-error")) {
        WaError::Rejected(reason) => {
            assert_eq!(
                reason,
                "WhatsApp refused the group request: internal-server-error (500)"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(group_error(server(400, "")), WaError::Rejected(r) if r.ends_with("(400)")));
    assert!(matches!(
        group_error(GroupError::InvalidRequest("invalid or empty invite code".into())),
        WaError::Rejected(r) if r == "invalid or empty invite code"
    ));
    assert!(matches!(
        group_error(GroupError::DescriptionConflict),
        WaError::Rejected(_)
    ));
    // The connection gone or never there: not connected; no answer: a session error.
    let gone = NodeBuilder::new("xmlstreamend").build();
    for err in [
        IqError::NotConnected,
        IqError::Disconnected(Box::new(gone)),
        IqError::InternalChannelClosed,
        IqError::ClientState(Box::new(ClientError::NotLoggedIn)),
    ] {
        let shown = format!("{err:?}");
        assert!(
            matches!(group_error(GroupError::Iq(err)), WaError::NotConnected),
            "{shown}"
        );
    }
    assert!(matches!(
        group_error(GroupError::Iq(IqError::Timeout)),
        WaError::Session(_)
    ));
    // Reading or leaving a group the account is not in.
    assert!(matches!(
        member_error(server(403, "forbidden")),
        WaError::GroupNotFound(_)
    ));
    assert!(matches!(
        member_error(server(500, "x")),
        WaError::Rejected(_)
    ));
}

#[test]
fn join_refusals_keep_their_own_meaning() {
    assert!(matches!(
        join_error(server(410, "gone")),
        WaError::GroupNotFound(_)
    ));
    assert!(matches!(
        join_error(server(404, "item-not-found")),
        WaError::GroupNotFound(_)
    ));
    match join_error(server(403, "forbidden")) {
        WaError::Rejected(reason) => assert!(reason.contains("forbidden (403)"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        join_error(GroupError::Iq(IqError::NotConnected)),
        WaError::NotConnected
    ));
    assert_eq!(
        joined_group(&JoinGroupResult::Joined(WaJid::group(GROUP))).unwrap(),
        jid(&format!("{GROUP}@g.us"))
    );
    assert!(matches!(
        joined_group(&JoinGroupResult::PendingApproval(WaJid::group(GROUP))),
        Err(WaError::Rejected(r)) if r.contains("approve")
    ));
}

#[test]
fn a_new_group_carries_its_members_and_description() {
    let options = create_options(NewGroup {
        subject: "Team".into(),
        participants: vec![jid(OWNER), jid(&format!("{HIDDEN_LID}@lid"))],
        description: Some("Be nice".into()),
    })
    .unwrap();
    assert_eq!(options.subject, "Team");
    let members: Vec<String> = options
        .participants
        .iter()
        .map(|p| p.jid.to_string())
        .collect();
    assert_eq!(
        members,
        [
            format!("{OWNER}@s.whatsapp.net"),
            format!("{HIDDEN_LID}@lid")
        ]
    );
    assert_eq!(options.description.unwrap().as_str(), "Be nice");
    let too_long = create_options(NewGroup {
        subject: "x".repeat(101),
        participants: Vec::new(),
        description: Some(String::new()),
    });
    assert!(matches!(too_long, Err(WaError::Rejected(r)) if r.contains("exceeds")));
}

/// Every group call of a session that never logged in answers `NotConnected`,
/// before anything is checked or sent.
#[actix_web::test]
async fn every_group_call_needs_a_logged_in_session() {
    let dir = tempfile::tempdir().unwrap();
    let backend = EngineBackend::new(
        &WhatsappSettings {
            data_dir: dir.path().to_owned(),
            ws_url: "ws://127.0.0.1:1/ws/chat".into(),
            version: "2.3000.1026131876".into(),
            ..WhatsappSettings::default()
        },
        crate::db::engine_store::test_connections(dir.path()).await,
    )
    .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = EventSink::new(Collect(events).start().recipient(), 1);
    let session = backend.start("instance", sink);
    let group = jid(&format!("{GROUP}@g.us"));
    let settings = GroupSettings {
        subject: Some("x".repeat(500)),
        ..GroupSettings::default()
    };
    let new_group = NewGroup {
        subject: "Team".into(),
        participants: vec![jid(OWNER)],
        description: None,
    };
    let answers = [
        session.groups().await.map(drop),
        session.group(&group).await.map(drop),
        session.create_group(new_group).await.map(drop),
        session.change_group(&group, settings).await,
        session
            .change_members(&group, MemberAction::Add, vec![jid(ADMIN)])
            .await
            .map(drop),
        session.invite_code(&group, false).await.map(drop),
        session.join_group("not a code!").await.map(drop),
        session.leave_group(&group).await,
    ];
    for (call, answer) in answers.into_iter().enumerate() {
        assert!(
            matches!(answer, Err(WaError::NotConnected)),
            "call {call}: {answer:?}"
        );
    }
    session.shutdown().await;
}
