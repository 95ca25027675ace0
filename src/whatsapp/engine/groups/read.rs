//! The engine's answers about groups read as the boundary's: members by phone
//! where WhatsApp knows it, the account found by its phone or its LID.

use whatsapp_rust::Client;
use whatsapp_rust::features::{
    GroupMetadata, GroupParticipant, ParticipantChangeResponse, ParticipantType,
};

use crate::domain::phone::Jid;
use crate::whatsapp::model::ours;
use crate::whatsapp::{
    GroupInfo, GroupMember, GroupRole, GroupSummary, MemberAction, MemberResult, WaError,
};

/// The account's own phone JID and LID: a group may list it by either.
pub fn own_jids(client: &Client) -> Vec<Jid> {
    [client.pn(), client.lid()]
        .iter()
        .flatten()
        .filter_map(ours)
        .collect()
}

/// A member as wamux names them: by phone when WhatsApp knows it.
fn member_jid(participant: &GroupParticipant) -> Option<Jid> {
    participant
        .phone_number
        .as_ref()
        .and_then(ours)
        .or_else(|| ours(&participant.jid))
}

/// A member's LID: named by it, or given beside the phone.
fn member_lid(participant: &GroupParticipant) -> Option<Jid> {
    Some(&participant.jid)
        .filter(|jid| jid.is_lid())
        .or(participant.lid.as_ref())
        .and_then(ours)
}

fn is_own(participant: &GroupParticipant, own: &[Jid]) -> bool {
    [
        Some(&participant.jid),
        participant.phone_number.as_ref(),
        participant.lid.as_ref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(ours)
    .any(|jid| own.contains(&jid))
}

fn role(kind: ParticipantType) -> GroupRole {
    match kind {
        ParticipantType::Member => GroupRole::Member,
        ParticipantType::Admin => GroupRole::Admin,
        ParticipantType::SuperAdmin => GroupRole::Superadmin,
    }
}

pub fn info(metadata: GroupMetadata) -> Result<GroupInfo, WaError> {
    let id = ours(&metadata.id).ok_or_else(|| {
        WaError::Session(format!(
            "WhatsApp named a group wamux cannot read: {}",
            metadata.id
        ))
    })?;
    let participants = metadata
        .participants
        .iter()
        .filter_map(|participant| {
            Some(GroupMember {
                jid: member_jid(participant)?,
                lid: member_lid(participant),
                role: role(participant.participant_type),
            })
        })
        .collect();
    Ok(GroupInfo {
        id,
        subject: metadata.subject,
        description: metadata.description.filter(|text| !text.is_empty()),
        owner: metadata
            .creator_pn
            .as_ref()
            .or(metadata.creator.as_ref())
            .and_then(ours),
        created_at: metadata.creation_time.and_then(|at| i64::try_from(at).ok()),
        announce: metadata.is_announcement,
        locked: metadata.is_locked,
        participants,
    })
}

/// The account's groups, by subject; groups WhatsApp names unreadably are left out.
pub fn summaries(
    groups: impl IntoIterator<Item = GroupMetadata>,
    own: &[Jid],
) -> Vec<GroupSummary> {
    let mut summaries: Vec<GroupSummary> = groups
        .into_iter()
        .filter_map(|group| {
            // A group listed without its members still says how many it has.
            let participants_count = match group.participants.len() {
                0 => group.size.map_or(0, |size| size as usize),
                count => count,
            };
            Some(GroupSummary {
                id: ours(&group.id)?,
                is_admin: group
                    .participants
                    .iter()
                    .any(|p| p.is_admin() && is_own(p, own)),
                subject: group.subject,
                participants_count,
            })
        })
        .collect();
    summaries.sort_by(|a, b| {
        (a.subject.as_str(), a.id.to_string()).cmp(&(b.subject.as_str(), b.id.to_string()))
    });
    summaries
}

/// One result per person asked about, in the order asked. WhatsApp may answer
/// in another order, by LID, or under a number it normalised (Brazil's ninth
/// digit): who it names is matched first, then what is left by position.
pub fn member_results(
    action: MemberAction,
    asked: &[Jid],
    answers: &[ParticipantChangeResponse],
) -> Vec<MemberResult> {
    let names: Vec<Vec<Jid>> = answers
        .iter()
        .map(|answer| {
            [answer.phone_number.as_ref(), Some(&answer.jid)]
                .into_iter()
                .flatten()
                .filter_map(ours)
                .collect()
        })
        .collect();
    let mut used = vec![false; answers.len()];
    let mut matched: Vec<Option<usize>> = asked
        .iter()
        .map(|person| {
            let found = (0..answers.len()).find(|&i| !used[i] && names[i].contains(person))?;
            used[found] = true;
            Some(found)
        })
        .collect();
    for (position, slot) in matched.iter_mut().enumerate() {
        if slot.is_none() && used.get(position) == Some(&false) {
            used[position] = true;
            *slot = Some(position);
        }
    }
    asked
        .iter()
        .zip(matched)
        .map(
            |(person, answer)| match answer.and_then(|i| answers.get(i)) {
                Some(answer) => MemberResult {
                    // A phone JID WhatsApp answered under, else who was asked for.
                    phone: answer
                        .phone_number
                        .as_ref()
                        .or(Some(&answer.jid))
                        .filter(|jid| jid.is_pn())
                        .and_then(ours)
                        .unwrap_or_else(|| person.clone()),
                    status: member_status(action, answer.error.as_deref()),
                },
                None => MemberResult {
                    phone: person.clone(),
                    status: "failed".into(),
                },
            },
        )
        .collect()
}

/// `ok`, or what WhatsApp's `error` code on a `<participant>` means.
pub fn member_status(action: MemberAction, error: Option<&str>) -> String {
    let Some(error) = error else {
        return MemberResult::OK.into();
    };
    let status = match (error.trim().parse::<u16>(), action) {
        (Ok(200), _) => MemberResult::OK,
        // Their privacy settings (an invite can be sent instead), or a block.
        (Ok(401 | 403), _) => "not_allowed",
        (Ok(404), MemberAction::Add) => "not_on_whatsapp",
        (Ok(404), _) => "not_member",
        (Ok(408), _) => "recently_left",
        (Ok(409), MemberAction::Add) => "already_member",
        (Ok(409), _) => "not_member",
        (Ok(419), _) => "group_full",
        (Ok(500) | Err(_), _) => "failed",
        (Ok(code), _) => return format!("error_{code}"),
    };
    status.into()
}
