//! What the simulated network keeps of a group, as the group calls read it:
//! ids and invite codes as WhatsApp makes them, and refusals as it words them.

use crate::db::sim_groups::StoredGroup;
use crate::domain::phone::Jid;
use std::collections::HashMap;

use crate::whatsapp::{GroupInfo, GroupMember, GroupRole, MemberAction, MemberResult, WaError};

const INVITE_CODE_LENGTH: usize = 22;

pub(super) fn store_error(err: sea_orm::DbErr) -> WaError {
    WaError::Session(format!("the simulated group store failed: {err}"))
}

pub(super) fn not_found() -> WaError {
    WaError::GroupNotFound("group not found (or this account is not in it)".into())
}

pub(super) fn admins_only() -> WaError {
    WaError::NotGroupAdmin("only the group's admins can do that".into())
}

/// `120363` and twelve random digits, as WhatsApp numbers new groups.
pub(super) fn new_group_id() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    format!(
        "120363{:012}",
        u64::from_le_bytes(bytes) % 1_000_000_000_000
    )
}

pub(super) fn new_invite_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; INVITE_CODE_LENGTH];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

pub(super) fn group_jid(id: &str) -> Result<Jid, WaError> {
    Jid::parse(&format!("{id}@g.us")).map_err(|_| not_found())
}

pub(super) fn info(stored: &StoredGroup) -> Result<GroupInfo, WaError> {
    let group = &stored.group;
    Ok(GroupInfo {
        id: group_jid(&group.id)?,
        subject: group.subject.clone(),
        description: Some(group.description.clone()).filter(|d| !d.is_empty()),
        owner: Jid::parse(&group.owner).ok(),
        created_at: Some(group.created_at),
        announce: group.announce,
        locked: group.locked,
        participants: stored
            .members
            .iter()
            .filter_map(|member| {
                Some(GroupMember {
                    jid: Jid::parse(&member.phone).ok()?,
                    lid: None,
                    role: GroupRole::parse(&member.role),
                })
            })
            .collect(),
    })
}

/// The group and `me`'s role in it; not found unless `me` is a member.
pub(super) fn member_of(
    stored: StoredGroup,
    me: &Jid,
) -> Result<(StoredGroup, GroupRole), WaError> {
    let role = stored
        .members
        .iter()
        .find(|member| member.phone == me.user())
        .map(|member| GroupRole::parse(&member.role))
        .ok_or_else(not_found)?;
    Ok((stored, role))
}

/// What `action` does to each of `people`, asked by an admin whose role is
/// `actor`: a status per person, in order, and the phones whose membership
/// changes. Worked out from the members as read, so the change is one
/// statement whatever its size; a person named twice is answered as the first
/// mention left them.
pub(super) fn member_changes(
    stored: &StoredGroup,
    actor: GroupRole,
    action: MemberAction,
    people: Vec<Jid>,
) -> (Vec<MemberResult>, Vec<String>) {
    let mut roles: HashMap<String, GroupRole> = stored
        .members
        .iter()
        .map(|member| (member.phone.clone(), GroupRole::parse(&member.role)))
        .collect();
    let mut changed: Vec<String> = Vec::new();
    let mut results = Vec::with_capacity(people.len());
    for person in people {
        let phone = person.user().to_owned();
        let current = roles.get(&phone).copied();
        let untouchable = current == Some(GroupRole::Superadmin)
            && (actor != GroupRole::Superadmin || action == MemberAction::Demote);
        let (status, after) = match (action, current) {
            (MemberAction::Add, Some(_)) => ("already_member", None),
            (MemberAction::Add, None) => (MemberResult::OK, Some(Some(GroupRole::Member))),
            (_, None) => ("not_member", None),
            _ if untouchable => ("not_allowed", None),
            (MemberAction::Remove, _) => (MemberResult::OK, Some(None)),
            (MemberAction::Promote, Some(role)) if role.is_admin() => (MemberResult::OK, None),
            (MemberAction::Promote, _) => (MemberResult::OK, Some(Some(GroupRole::Admin))),
            (MemberAction::Demote, _) => (MemberResult::OK, Some(Some(GroupRole::Member))),
        };
        if let Some(after) = after {
            match after {
                Some(role) => roles.insert(phone.clone(), role),
                None => roles.remove(&phone),
            };
            if !changed.contains(&phone) {
                changed.push(phone);
            }
        }
        results.push(MemberResult {
            phone: person,
            status: status.to_owned(),
        });
    }
    (results, changed)
}
