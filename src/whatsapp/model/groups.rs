//! Group notifications (`<notification type="w:gp2">`, the engine's
//! `Event::GroupUpdate`) read as boundary notices, and built as WhatsApp's
//! servers send them, so the simulated network's notices go through the same
//! reading as the engine's.

use whatsapp_rust::types::events::GroupUpdate;
use whatsapp_rust::wacore::stanza::groups::{GroupNotificationAction, GroupParticipantInfo};
use whatsapp_rust::wacore_binary::Node;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;

use super::inbound::{ours, person};
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupChange, GroupNotice, GroupSettings, MemberAction, WaError};

/// What a group update tells, when it is one wamux reports; `None` for the
/// rest (ephemeral timers, community links, moderation).
pub fn notice(update: &GroupUpdate) -> Option<GroupNotice> {
    let group = ours(&update.group_jid)?;
    let actor = update
        .participant
        .as_ref()
        .and_then(|jid| person(jid, update.participant_pn.as_ref()));
    let members = |action, participants: &[GroupParticipantInfo]| GroupChange::Members {
        action,
        participants: participants.iter().filter_map(member).collect(),
    };
    let (change, by) = match &update.action {
        GroupNotificationAction::Add { participants, .. } => {
            (members(MemberAction::Add, participants), actor)
        }
        GroupNotificationAction::Remove { participants, .. } => {
            (members(MemberAction::Remove, participants), actor)
        }
        GroupNotificationAction::Promote { participants } => {
            (members(MemberAction::Promote, participants), actor)
        }
        GroupNotificationAction::Demote { participants } => {
            (members(MemberAction::Demote, participants), actor)
        }
        GroupNotificationAction::Create { raw } => created(raw, actor),
        GroupNotificationAction::Subject {
            subject,
            subject_owner,
            ..
        } => (
            GroupChange::Settings(GroupSettings {
                subject: Some(subject.clone()),
                ..Default::default()
            }),
            // The actor first: in a LID-addressed group only it comes with
            // the phone beside the LID.
            actor.or_else(|| subject_owner.as_ref().and_then(ours)),
        ),
        GroupNotificationAction::Description { description, .. } => (
            GroupChange::Settings(GroupSettings {
                description: Some(description.clone().unwrap_or_default()),
                ..Default::default()
            }),
            actor,
        ),
        GroupNotificationAction::Locked { .. } | GroupNotificationAction::Unlocked => (
            GroupChange::Settings(GroupSettings {
                locked: Some(matches!(
                    update.action,
                    GroupNotificationAction::Locked { .. }
                )),
                ..Default::default()
            }),
            actor,
        ),
        GroupNotificationAction::Announce | GroupNotificationAction::NotAnnounce => (
            GroupChange::Settings(GroupSettings {
                announce: Some(matches!(update.action, GroupNotificationAction::Announce)),
                ..Default::default()
            }),
            actor,
        ),
        _ => return None,
    };
    Some(GroupNotice { group, by, change })
}

/// A member named by a notification: by phone when it gives one beside a LID.
fn member(info: &GroupParticipantInfo) -> Option<Jid> {
    person(&info.jid, info.phone_number.as_ref())
}

/// `<create><group creator=…><participant jid=…/>…</group></create>`: the
/// members are added by the creator (the creator is no added member).
fn created(raw: &Node, actor: Option<Jid>) -> (GroupChange, Option<Jid>) {
    let group = raw.get_optional_child("group");
    let creator = group
        .and_then(|group| {
            let mut attrs = group.attrs();
            let creator = attrs.optional_jid("creator")?;
            person(&creator, attrs.optional_jid("creator_pn").as_ref())
        })
        .or(actor);
    let participants = group
        .into_iter()
        .flat_map(|group| group.get_children_by_tag("participant"))
        .filter_map(|participant| {
            let mut attrs = participant.attrs();
            let jid = attrs.optional_jid("jid")?;
            person(&jid, attrs.optional_jid("phone_number").as_ref())
        })
        .filter(|jid| Some(jid) != creator.as_ref())
        .collect();
    (
        GroupChange::Members {
            action: MemberAction::Add,
            participants,
        },
        creator,
    )
}

/// The update WhatsApp's servers send the members of `group` when `by`
/// changes it, as the engine hands it over.
pub fn update(notice: &GroupNotice) -> Result<GroupUpdate, WaError> {
    let by = notice.by.as_ref().map(super::engine_jid).transpose()?;
    let action = match &notice.change {
        GroupChange::Members {
            action,
            participants,
        } => {
            let infos = participants
                .iter()
                .map(participant_info)
                .collect::<Result<Vec<_>, _>>()?;
            match action {
                MemberAction::Add => GroupNotificationAction::Add {
                    participants: infos,
                    reason: None,
                },
                MemberAction::Remove => GroupNotificationAction::Remove {
                    participants: infos,
                    reason: None,
                },
                MemberAction::Promote => GroupNotificationAction::Promote {
                    participants: infos,
                },
                MemberAction::Demote => GroupNotificationAction::Demote {
                    participants: infos,
                },
            }
        }
        GroupChange::Settings(settings) => settings_action(settings, by.clone())?,
    };
    Ok(GroupUpdate::builder()
        .group_jid(super::engine_jid(&notice.group)?)
        .maybe_participant(by)
        .timestamp(whatsapp_rust::chrono::Utc::now())
        .is_lid_addressing_mode(false)
        .action(action)
        .build())
}

/// The `<create>` notification the members of a new group get.
pub fn creation(
    group: &Jid,
    subject: &str,
    creator: &Jid,
    members: &[Jid],
) -> Result<GroupUpdate, WaError> {
    let creator = super::engine_jid(creator)?;
    let participants = members
        .iter()
        .map(|member| {
            Ok(NodeBuilder::new("participant")
                .attr("jid", super::engine_jid(member)?)
                .build())
        })
        .collect::<Result<Vec<_>, WaError>>()?;
    let raw = NodeBuilder::new("create")
        .children([NodeBuilder::new("group")
            .attr("id", group.user().to_owned())
            .attr("subject", subject.to_owned())
            .attr("creator", creator.clone())
            .children(participants)
            .build()])
        .build();
    Ok(GroupUpdate::builder()
        .group_jid(super::engine_jid(group)?)
        .participant(creator)
        .timestamp(whatsapp_rust::chrono::Utc::now())
        .is_lid_addressing_mode(false)
        .action(GroupNotificationAction::Create { raw })
        .build())
}

fn participant_info(jid: &Jid) -> Result<GroupParticipantInfo, WaError> {
    Ok(GroupParticipantInfo {
        jid: super::engine_jid(jid)?,
        phone_number: None,
        display_name: None,
        r#type: None,
        lid: None,
        username: None,
        join_time: None,
        group_history_sent_state: None,
    })
}

/// One setting per notification, as WhatsApp sends them.
fn settings_action(
    settings: &GroupSettings,
    by: Option<whatsapp_rust::Jid>,
) -> Result<GroupNotificationAction, WaError> {
    Ok(if let Some(subject) = &settings.subject {
        GroupNotificationAction::Subject {
            subject: subject.clone(),
            subject_owner: by,
            subject_time: None,
        }
    } else if let Some(description) = &settings.description {
        GroupNotificationAction::Description {
            id: crate::whatsapp::new_message_id(),
            description: Some(description.clone()).filter(|d| !d.is_empty()),
        }
    } else if let Some(locked) = settings.locked {
        if locked {
            GroupNotificationAction::Locked { threshold: None }
        } else {
            GroupNotificationAction::Unlocked
        }
    } else if let Some(announce) = settings.announce {
        if announce {
            GroupNotificationAction::Announce
        } else {
            GroupNotificationAction::NotAnnounce
        }
    } else {
        return Err(WaError::Rejected("no group setting to announce".into()));
    })
}
