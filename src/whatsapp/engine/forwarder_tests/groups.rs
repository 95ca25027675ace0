//! Group notifications: the group is a chat (named when its subject changes),
//! then what changed in it and who changed it; members named by phone when
//! WhatsApp gives one beside a LID. What wamux does not report is only a chat.

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::NodeBuilder;
use whatsapp_rust::types::events::{Event, GroupUpdate};
use whatsapp_rust::wacore::stanza::groups::{GroupNotificationAction, GroupParticipantInfo};

use super::forwarded;
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupChange, GroupNotice, GroupSettings, MemberAction, WaEvent};

const GROUP: &str = "120363000000000001";
const ADMIN: &str = "79001234567";
const MEMBER: &str = "79007654321";
const ADMIN_LID: &str = "100000000000001";
const MEMBER_LID: &str = "100000000000002";

/// What the instance actor sees, comparably.
#[derive(Debug, PartialEq)]
enum Seen {
    /// A chat: its JID, name, and whether it is a group.
    Chat(String, String, bool),
    Group(GroupNotice),
    Other(String),
}

fn jid(raw: &str) -> Jid {
    Jid::parse(raw).unwrap()
}

fn group() -> Jid {
    jid(&format!("{GROUP}@g.us"))
}

fn chat(name: &str) -> Seen {
    Seen::Chat(group().to_string(), name.into(), true)
}

fn update(by: Option<WaJid>, by_phone: Option<&str>, action: GroupNotificationAction) -> Event {
    Event::GroupUpdate(
        GroupUpdate::builder()
            .group_jid(WaJid::group(GROUP))
            .maybe_participant(by)
            .maybe_participant_pn(by_phone.map(WaJid::pn))
            .timestamp(chrono::Utc::now())
            .is_lid_addressing_mode(false)
            .action(action)
            .build(),
    )
}

/// `action`, done by the admin (by phone).
fn by_admin(action: GroupNotificationAction) -> Event {
    update(Some(WaJid::pn(ADMIN)), None, action)
}

async fn seen(event: Event) -> Vec<Seen> {
    forwarded(false, vec![event])
        .await
        .into_iter()
        .map(|event| match event {
            WaEvent::Contact(contact) => {
                Seen::Chat(contact.jid.to_string(), contact.name, contact.is_group)
            }
            WaEvent::Group(notice) => Seen::Group(*notice),
            other => Seen::Other(format!("{other:?}")),
        })
        .collect()
}

fn info(jid: WaJid, phone: Option<&str>) -> GroupParticipantInfo {
    GroupParticipantInfo {
        jid,
        phone_number: phone.map(WaJid::pn),
        display_name: None,
        r#type: None,
        lid: None,
        username: None,
        join_time: None,
        group_history_sent_state: None,
    }
}

fn members(action: MemberAction, participants: &[&str]) -> GroupChange {
    GroupChange::Members {
        action,
        participants: participants.iter().map(|p| jid(p)).collect(),
    }
}

fn notice(by: Option<&str>, change: GroupChange) -> Seen {
    Seen::Group(GroupNotice {
        group: group(),
        by: by.map(jid),
        change,
    })
}

fn setting(settings: GroupSettings) -> GroupChange {
    GroupChange::Settings(settings)
}

#[actix_web::test]
async fn member_changes_name_who_and_whom() {
    let member = || vec![info(WaJid::pn(MEMBER), None)];
    let cases = [
        (
            GroupNotificationAction::Add {
                participants: member(),
                reason: None,
            },
            MemberAction::Add,
        ),
        (
            GroupNotificationAction::Remove {
                participants: member(),
                reason: None,
            },
            MemberAction::Remove,
        ),
        (
            GroupNotificationAction::Promote {
                participants: member(),
            },
            MemberAction::Promote,
        ),
        (
            GroupNotificationAction::Demote {
                participants: member(),
            },
            MemberAction::Demote,
        ),
    ];
    for (action, expected) in cases {
        assert_eq!(
            seen(by_admin(action)).await,
            [chat(""), notice(Some(ADMIN), members(expected, &[MEMBER]))],
            "{expected:?}"
        );
    }
}

#[actix_web::test]
async fn a_lid_addressed_add_names_everyone_by_phone() {
    let action = GroupNotificationAction::Add {
        participants: vec![
            info(WaJid::lid(MEMBER_LID), Some(MEMBER)),
            // No phone shared: the LID is all there is.
            info(WaJid::lid("100000000000003"), None),
        ],
        reason: None,
    };
    let event = update(Some(WaJid::lid(ADMIN_LID)), Some(ADMIN), action);
    assert_eq!(
        seen(event).await,
        [
            chat(""),
            notice(
                Some(ADMIN),
                members(MemberAction::Add, &[MEMBER, "100000000000003@lid"])
            )
        ]
    );
}

#[actix_web::test]
async fn a_new_group_adds_its_members_but_not_its_creator() {
    let raw = NodeBuilder::new("create")
        .children([NodeBuilder::new("group")
            .attr("id", GROUP)
            .attr("subject", "Team")
            .attr("creator", WaJid::pn(ADMIN))
            .children([
                NodeBuilder::new("participant")
                    .attr("jid", WaJid::pn(ADMIN))
                    .attr("type", "superadmin")
                    .build(),
                NodeBuilder::new("participant")
                    .attr("jid", WaJid::pn(MEMBER))
                    .build(),
                NodeBuilder::new("participant")
                    .attr("jid", WaJid::lid(MEMBER_LID))
                    .attr("phone_number", WaJid::pn("79001112233"))
                    .build(),
            ])
            .build()])
        .build();
    let event = by_admin(GroupNotificationAction::Create { raw });
    assert_eq!(
        seen(event).await,
        [
            chat(""),
            notice(
                Some(ADMIN),
                members(MemberAction::Add, &[MEMBER, "79001112233"])
            )
        ]
    );
}

#[actix_web::test]
async fn a_new_subject_names_the_chat() {
    let event = by_admin(GroupNotificationAction::Subject {
        subject: "Team".into(),
        subject_owner: Some(WaJid::pn(ADMIN)),
        subject_time: Some(1_700_000_000),
    });
    let subject = setting(GroupSettings {
        subject: Some("Team".into()),
        ..GroupSettings::default()
    });
    assert_eq!(
        seen(event).await,
        [chat("Team"), notice(Some(ADMIN), subject.clone())]
    );
    // In a LID-addressed group, by the phone beside the LID.
    let event = update(
        Some(WaJid::lid(ADMIN_LID)),
        Some(ADMIN),
        GroupNotificationAction::Subject {
            subject: "Team".into(),
            subject_owner: Some(WaJid::lid(ADMIN_LID)),
            subject_time: None,
        },
    );
    assert_eq!(
        seen(event).await,
        [chat("Team"), notice(Some(ADMIN), subject)]
    );
}

#[actix_web::test]
async fn settings_changes_are_reported_one_by_one() {
    let description = |text: Option<&str>| GroupNotificationAction::Description {
        id: "D1D2D3D4".into(),
        description: text.map(str::to_owned),
    };
    let cases = [
        (
            description(Some("Be nice")),
            GroupSettings {
                description: Some("Be nice".into()),
                ..GroupSettings::default()
            },
        ),
        // Deleted: an empty description.
        (
            description(None),
            GroupSettings {
                description: Some(String::new()),
                ..GroupSettings::default()
            },
        ),
        (
            GroupNotificationAction::Locked { threshold: None },
            GroupSettings {
                locked: Some(true),
                ..GroupSettings::default()
            },
        ),
        (
            GroupNotificationAction::Unlocked,
            GroupSettings {
                locked: Some(false),
                ..GroupSettings::default()
            },
        ),
        (
            GroupNotificationAction::Announce,
            GroupSettings {
                announce: Some(true),
                ..GroupSettings::default()
            },
        ),
        (
            GroupNotificationAction::NotAnnounce,
            GroupSettings {
                announce: Some(false),
                ..GroupSettings::default()
            },
        ),
    ];
    for (action, settings) in cases {
        let shown = format!("{action:?}");
        assert_eq!(
            seen(by_admin(action)).await,
            [chat(""), notice(Some(ADMIN), setting(settings))],
            "{shown}"
        );
    }
}

#[actix_web::test]
async fn what_wamux_does_not_report_is_only_a_chat() {
    let event = by_admin(GroupNotificationAction::Ephemeral {
        expiration: 86_400,
        trigger: None,
    });
    assert_eq!(seen(event).await, [chat("")]);
    // Nobody named: the change is still reported.
    let event = update(None, None, GroupNotificationAction::Announce);
    assert_eq!(
        seen(event).await,
        [
            chat(""),
            notice(
                None,
                setting(GroupSettings {
                    announce: Some(true),
                    ..GroupSettings::default()
                })
            )
        ]
    );
}
