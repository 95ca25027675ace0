//! The engine's answers about groups read as the boundary's; built by hand,
//! since no test reaches WhatsApp.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use whatsapp_rust::features::{
    GroupMetadata, GroupParticipant, ParticipantChangeResponse, ParticipantType,
};
use whatsapp_rust::wacore::protocol::ProtocolNode;
use whatsapp_rust::{Jid as WaJid, NodeBuilder};

use super::read::{info, member_results, summaries};
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupInfo, GroupMember, GroupRole, MemberAction, MemberResult};

const GROUP: &str = "120363000000000001";
const OWNER: &str = "79001234567";
const ADMIN: &str = "79007654321";
const OWNER_LID: &str = "100000000000001";
const HIDDEN_LID: &str = "100000000000002";
const ADMIN_LID: &str = "100000000000003";

fn jid(raw: &str) -> Jid {
    Jid::parse(raw).unwrap()
}

fn participant(jid: WaJid, phone: Option<&str>, kind: ParticipantType) -> GroupParticipant {
    GroupParticipant {
        jid,
        phone_number: phone.map(WaJid::pn),
        lid: None,
        username: None,
        participant_type: kind,
        details: None,
    }
}

/// A LID-addressed group: the owner by LID with their phone, an admin by
/// phone, a member whose phone WhatsApp does not share.
fn metadata() -> GroupMetadata {
    GroupMetadata {
        id: WaJid::group(GROUP),
        subject: "Team".into(),
        description: Some("Be nice".into()),
        creator: Some(WaJid::lid(OWNER_LID)),
        creator_pn: Some(WaJid::pn(OWNER)),
        creation_time: Some(1_700_000_000),
        is_announcement: true,
        is_locked: false,
        participants: vec![
            participant(
                WaJid::lid(OWNER_LID),
                Some(OWNER),
                ParticipantType::SuperAdmin,
            ),
            GroupParticipant {
                lid: Some(WaJid::lid(ADMIN_LID)),
                ..participant(WaJid::pn(ADMIN), None, ParticipantType::Admin)
            },
            participant(WaJid::lid(HIDDEN_LID), None, ParticipantType::Member),
        ],
        ..Default::default()
    }
}

#[test]
fn metadata_reads_as_the_group_with_members_by_phone() {
    let group = info(metadata()).unwrap();
    assert_eq!(
        group,
        GroupInfo {
            id: jid(&format!("{GROUP}@g.us")),
            subject: "Team".into(),
            description: Some("Be nice".into()),
            owner: Some(jid(OWNER)),
            created_at: Some(1_700_000_000),
            announce: true,
            locked: false,
            participants: vec![
                GroupMember {
                    jid: jid(OWNER),
                    lid: Some(jid(&format!("{OWNER_LID}@lid"))),
                    role: GroupRole::Superadmin,
                },
                GroupMember {
                    jid: jid(ADMIN),
                    lid: Some(jid(&format!("{ADMIN_LID}@lid"))),
                    role: GroupRole::Admin,
                },
                GroupMember {
                    jid: jid(&format!("{HIDDEN_LID}@lid")),
                    lid: Some(jid(&format!("{HIDDEN_LID}@lid"))),
                    role: GroupRole::Member,
                },
            ],
        }
    );
    // No phone for the creator: named as WhatsApp gives them. An empty
    // description is none.
    let group = info(GroupMetadata {
        creator: Some(WaJid::pn(ADMIN)),
        creator_pn: None,
        creation_time: None,
        description: Some(String::new()),
        ..metadata()
    })
    .unwrap();
    assert_eq!(group.owner, Some(jid(ADMIN)));
    assert_eq!((group.description, group.created_at), (None, None));
}

#[test]
fn the_group_list_is_by_subject_and_knows_where_the_account_is_admin() {
    let group = |id: &str, subject: &str, participants| GroupMetadata {
        id: WaJid::group(id),
        subject: subject.into(),
        participants,
        ..Default::default()
    };
    let groups = vec![
        // The account is its owner, listed by LID with the phone beside it.
        group("3", "Team", metadata().participants),
        // The account is a plain member.
        group(
            "2",
            "Team",
            vec![participant(WaJid::pn(OWNER), None, ParticipantType::Member)],
        ),
        // The account, listed by LID alone, is an admin.
        group(
            "4",
            "Alpha",
            vec![participant(
                WaJid::lid(OWNER_LID),
                None,
                ParticipantType::Admin,
            )],
        ),
        // Listed without its members.
        GroupMetadata {
            size: Some(12),
            ..group("5", "Zeta", Vec::new())
        },
    ];
    let own = [jid(OWNER), jid(&format!("{OWNER_LID}@lid"))];
    let listed: Vec<(String, String, usize, bool)> = summaries(groups.clone(), &own)
        .into_iter()
        .map(|g| {
            (
                g.id.to_string(),
                g.subject,
                g.participants_count,
                g.is_admin,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("4@g.us".into(), "Alpha".into(), 1, true),
            ("2@g.us".into(), "Team".into(), 1, false),
            ("3@g.us".into(), "Team".into(), 3, true),
            ("5@g.us".into(), "Zeta".into(), 12, false),
        ]
    );
    // Someone else's account is admin nowhere but where they are.
    let admin_of: Vec<String> = summaries(groups, &[jid(ADMIN)])
        .into_iter()
        .filter(|g| g.is_admin)
        .map(|g| g.id.to_string())
        .collect();
    assert_eq!(admin_of, ["3@g.us"]);
}

fn answer(jid: WaJid, phone: Option<&str>, error: Option<&str>) -> ParticipantChangeResponse {
    let mut node = NodeBuilder::new("participant").attr("jid", jid);
    if let Some(phone) = phone {
        node = node.attr("phone_number", WaJid::pn(phone));
    }
    if let Some(error) = error {
        node = node.attr("error", error.to_owned());
    }
    ParticipantChangeResponse::try_from_node(&node.build()).unwrap()
}

fn statuses(
    action: MemberAction,
    asked: &[Jid],
    answers: &[ParticipantChangeResponse],
) -> Vec<String> {
    member_results(action, asked, answers)
        .into_iter()
        .map(|result| result.status)
        .collect()
}

#[test]
fn each_participant_error_has_a_short_reason() {
    let one = |action, error: Option<&str>| {
        statuses(
            action,
            &[jid(ADMIN)],
            &[answer(WaJid::pn(ADMIN), None, error)],
        )
        .remove(0)
    };
    use MemberAction::{Add, Demote, Promote, Remove};
    let cases = [
        (Add, None, "ok"),
        (Remove, None, "ok"),
        (Add, Some("200"), "ok"),
        (Add, Some("403"), "not_allowed"),
        (Add, Some("401"), "not_allowed"),
        (Add, Some("404"), "not_on_whatsapp"),
        (Remove, Some("404"), "not_member"),
        (Add, Some("408"), "recently_left"),
        (Add, Some("409"), "already_member"),
        (Remove, Some("409"), "not_member"),
        (Promote, Some("409"), "not_member"),
        (Demote, Some("404"), "not_member"),
        (Add, Some("419"), "group_full"),
        (Add, Some("500"), "failed"),
        (Add, Some("garbage"), "failed"),
        (Promote, Some("421"), "error_421"),
    ];
    for (action, error, status) in cases {
        assert_eq!(one(action, error), status, "{action:?} {error:?}");
    }
    assert!(member_results(Add, &[jid(ADMIN)], &[answer(WaJid::pn(ADMIN), None, None)])[0].ok());
}

#[test]
fn member_results_follow_the_order_asked_whoever_answers() {
    let asked = [
        jid(OWNER),
        jid(ADMIN),
        jid("5511987654321"),
        jid("79001112233"),
    ];
    let answers = [
        // Out of order, and by LID with the phone beside it.
        answer(WaJid::pn(ADMIN), None, Some("409")),
        answer(WaJid::lid(OWNER_LID), Some(OWNER), None),
        // A number WhatsApp normalised: matched by position, named as answered.
        answer(WaJid::pn("551187654321"), None, Some("403")),
    ];
    let results = member_results(MemberAction::Add, &asked, &answers);
    assert_eq!(
        results,
        [
            MemberResult {
                phone: jid(OWNER),
                status: "ok".into(),
            },
            MemberResult {
                phone: jid(ADMIN),
                status: "already_member".into(),
            },
            MemberResult {
                phone: jid("551187654321"),
                status: "not_allowed".into(),
            },
            // No answer for them at all.
            MemberResult {
                phone: jid("79001112233"),
                status: "failed".into(),
            },
        ]
    );
    // A LID answer with no phone, by position: named as asked.
    let results = member_results(
        MemberAction::Remove,
        &[jid(ADMIN)],
        &[answer(WaJid::lid(HIDDEN_LID), None, None)],
    );
    assert_eq!(results[0].phone, jid(ADMIN));
}
