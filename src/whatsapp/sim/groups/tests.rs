//! The simulated network's member rules, worked out before anything is written.

#![allow(clippy::unwrap_used)]

use super::stored::member_changes;
use crate::db::sim_groups::StoredGroup;
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupRole, MemberAction, MemberResult};

const OWNER: &str = "79001111111";
const ADMIN: &str = "79002222222";
const MEMBER: &str = "79003333333";
const STRANGER: &str = "79004444444";

fn group() -> StoredGroup {
    let member = |phone: &str, role: GroupRole| entity::sim_group_members::Model {
        group_id: "120363000000000001".into(),
        phone: phone.into(),
        role: role.as_str().into(),
    };
    StoredGroup {
        group: entity::sim_groups::Model {
            id: "120363000000000001".into(),
            subject: "Team".into(),
            description: String::new(),
            owner: OWNER.into(),
            created_at: 0,
            announce: false,
            locked: false,
            invite_code: "Code".into(),
        },
        members: vec![
            member(OWNER, GroupRole::Superadmin),
            member(ADMIN, GroupRole::Admin),
            member(MEMBER, GroupRole::Member),
        ],
    }
}

fn change(actor: GroupRole, action: MemberAction, people: &[&str]) -> (Vec<String>, Vec<String>) {
    let people = people.iter().map(|p| Jid::parse(p).unwrap()).collect();
    let (results, written) = member_changes(&group(), actor, action, people);
    let statuses = results
        .into_iter()
        .map(|r: MemberResult| r.status)
        .collect();
    (statuses, written)
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn adding_writes_only_newcomers_once() {
    let (statuses, written) = change(
        GroupRole::Admin,
        MemberAction::Add,
        &[STRANGER, MEMBER, STRANGER],
    );
    assert_eq!(
        statuses,
        strings(&["ok", "already_member", "already_member"])
    );
    assert_eq!(written, strings(&[STRANGER]));
}

#[test]
fn the_owner_is_out_of_an_admins_reach_and_never_demoted() {
    let (statuses, written) = change(GroupRole::Admin, MemberAction::Remove, &[OWNER, MEMBER]);
    assert_eq!(statuses, strings(&["not_allowed", "ok"]));
    assert_eq!(written, strings(&[MEMBER]));
    let (statuses, written) = change(GroupRole::Superadmin, MemberAction::Demote, &[OWNER, ADMIN]);
    assert_eq!(statuses, strings(&["not_allowed", "ok"]));
    assert_eq!(written, strings(&[ADMIN]));
}

#[test]
fn promoting_an_admin_changes_nothing_and_strangers_are_not_members() {
    let (statuses, written) = change(
        GroupRole::Superadmin,
        MemberAction::Promote,
        &[OWNER, ADMIN, MEMBER, STRANGER],
    );
    assert_eq!(statuses, strings(&["ok", "ok", "ok", "not_member"]));
    // The owner stays superadmin: only the member is written.
    assert_eq!(written, strings(&[MEMBER]));
}

#[test]
fn a_person_removed_then_named_again_is_no_member_any_more() {
    let (statuses, written) = change(GroupRole::Admin, MemberAction::Remove, &[MEMBER, MEMBER]);
    assert_eq!(statuses, strings(&["ok", "not_member"]));
    assert_eq!(written, strings(&[MEMBER]));
}
