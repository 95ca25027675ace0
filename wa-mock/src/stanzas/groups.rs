//! `xmlns="w:g2"`: groups — create, read, list, rename, describe, settings,
//! members, invite links, join and leave — with WhatsApp's rules on who may do
//! what, and a `w:gp2` notification to the members for every change.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::{Jid, Server};

use super::Origin;
use super::group_notices::{members_changed, notify, person};
use crate::wire::{NodeExt, iq_error, iq_result, now_secs};
use crate::world::{Group, Member, Role, State};

pub fn answer(from: &Origin<'_>, iq: &Node) -> Option<Node> {
    let id = iq.attr("id").unwrap_or_default();
    let to = iq.jid_attr("to").unwrap_or_default();
    let request = iq.kids().first()?;
    let get = iq.attr("type").as_deref() == Some("get");
    let mut state = from.world.state();
    let answered = if to.server == Server::Group && !to.user.is_empty() {
        in_group(&mut state, from, &to.user, request, get)
    } else {
        on_server(&mut state, from, request, get)
    };
    Some(match answered {
        Ok(children) => iq_result(&id, children),
        Err((code, text)) => iq_error(&id, code, text),
    })
}

type Answered = Result<Vec<Node>, (u16, &'static str)>;

const NOT_FOUND: (u16, &str) = (404, "item-not-found");
const FORBIDDEN: (u16, &str) = (403, "forbidden");
const NOT_ADMIN: (u16, &str) = (401, "not-authorized");

/// Requests to `g.us`: create, list, join by invite (set) or read its group
/// (get), leave.
fn on_server(state: &mut State, from: &Origin<'_>, request: &Node, get: bool) -> Answered {
    match request.tag.as_ref() {
        "create" => create(state, from, request),
        "participating" => Ok(vec![
            NodeBuilder::new("groups")
                .children(
                    state
                        .groups_of(from.phone)
                        .into_iter()
                        .map(|group| state.group_node(group))
                        .collect::<Vec<_>>(),
                )
                .build(),
        ]),
        "invite" => {
            let code = request.attr("code").unwrap_or_default();
            let group = state
                .groups
                .values()
                .find(|group| !code.is_empty() && group.invite_code == code)
                .map(|group| group.id.clone())
                .ok_or(NOT_FOUND)?;
            if get {
                let group = state.groups.get(&group).ok_or(NOT_FOUND)?;
                return Ok(vec![state.group_node(group)]);
            }
            join(state, from, &group)
        }
        "leave" => {
            for group in request.kids().iter().filter_map(|g| g.jid_attr("id")) {
                leave(state, from, &group.user);
            }
            Ok(Vec::new())
        }
        _ => Err((501, "feature-not-implemented")),
    }
}

fn create(state: &mut State, from: &Origin<'_>, request: &Node) -> Answered {
    let now = now_secs();
    let id = format!("1203630{:011}", rand::random::<u64>() % 100_000_000_000);
    let mut members = vec![Member {
        phone: from.phone.to_owned(),
        role: Role::SuperAdmin,
    }];
    for participant in request.kids().iter().filter(|p| p.tag == "participant") {
        let Some(phone) = person(state, participant) else {
            continue;
        };
        if !members.iter().any(|m| m.phone == phone) {
            members.push(Member {
                phone,
                role: Role::Member,
            });
        }
    }
    let group = Group {
        id: id.clone(),
        subject: request.attr("subject").unwrap_or_default(),
        subject_owner: from.phone.to_owned(),
        subject_time: now,
        creator: from.phone.to_owned(),
        created: now,
        members,
        invite_code: invite_code(),
        description: None,
        announce: false,
        locked: false,
    };
    let node = state.group_node(&group);
    state.groups.insert(id.clone(), group);
    let created = NodeBuilder::new("create").children([node.clone()]).build();
    notify(state, &id, from.phone, created, &[]);
    Ok(vec![node])
}

/// Requests to one group's JID (`get`: reads, as the invite link's).
fn in_group(state: &mut State, from: &Origin<'_>, id: &str, request: &Node, get: bool) -> Answered {
    let group = state.groups.get(id).ok_or(NOT_FOUND)?;
    let Some(me) = group.member(from.phone) else {
        return Err(FORBIDDEN);
    };
    let admin = me.role.is_admin();
    let tag = request.tag.as_ref();
    if matches!(
        tag,
        "add"
            | "remove"
            | "promote"
            | "demote"
            | "invite"
            | "announcement"
            | "not_announcement"
            | "locked"
            | "unlocked"
    ) && !admin
    {
        return Err(NOT_ADMIN);
    }
    if matches!(tag, "subject" | "description") && group.locked && !admin {
        return Err(NOT_ADMIN);
    }
    match tag {
        "query" => Ok(vec![state.group_node(group)]),
        "add" | "remove" | "promote" | "demote" => members_changed(state, from, id, request),
        "subject" => {
            let subject = request.text().unwrap_or_default();
            let group = state.groups.get_mut(id).ok_or(NOT_FOUND)?;
            group.subject = subject.clone();
            group.subject_owner = from.phone.to_owned();
            group.subject_time = now_secs();
            let change = NodeBuilder::new("subject")
                .attr("subject", subject)
                .attr("s_t", group.subject_time.to_string())
                .build();
            notify(state, id, from.phone, change, &[]);
            Ok(Vec::new())
        }
        "description" => {
            let body = request.child("body").and_then(NodeExt::text);
            let description_id = request.attr("id").unwrap_or_default();
            let group = state.groups.get_mut(id).ok_or(NOT_FOUND)?;
            group.description = body.clone().map(|body| (description_id.clone(), body));
            let change = match body {
                Some(body) => NodeBuilder::new("description")
                    .attr("id", description_id)
                    .children([NodeBuilder::new("body").bytes(body.into_bytes()).build()])
                    .build(),
                None => NodeBuilder::new("description")
                    .attr("id", description_id)
                    .children([NodeBuilder::new("delete").build()])
                    .build(),
            };
            notify(state, id, from.phone, change, &[]);
            Ok(Vec::new())
        }
        "invite" => {
            let group = state.groups.get_mut(id).ok_or(NOT_FOUND)?;
            if !get {
                group.invite_code = invite_code();
            }
            Ok(vec![
                NodeBuilder::new("invite")
                    .attr("code", group.invite_code.clone())
                    .build(),
            ])
        }
        "announcement" | "not_announcement" | "locked" | "unlocked" => {
            let group = state.groups.get_mut(id).ok_or(NOT_FOUND)?;
            match tag {
                "announcement" => group.announce = true,
                "not_announcement" => group.announce = false,
                "locked" => group.locked = true,
                _ => group.locked = false,
            }
            notify(
                state,
                id,
                from.phone,
                NodeBuilder::new_dynamic(tag.to_owned()).build(),
                &[],
            );
            Ok(Vec::new())
        }
        // Settings the mock does not model are taken as set.
        _ => Ok(Vec::new()),
    }
}

/// Whoever has the invite link joins; the members are told.
fn join(state: &mut State, from: &Origin<'_>, id: &str) -> Answered {
    let group = state.groups.get_mut(id).ok_or(NOT_FOUND)?;
    if group.member(from.phone).is_none() {
        group.members.push(Member {
            phone: from.phone.to_owned(),
            role: Role::Member,
        });
        let joined = state
            .participant_node(&Member {
                phone: from.phone.to_owned(),
                role: Role::Member,
            })
            .ok_or(NOT_FOUND)?;
        let change = NodeBuilder::new("add")
            .attr("reason", "invite")
            .children([joined])
            .build();
        notify(state, id, from.phone, change, &[]);
    }
    Ok(vec![
        NodeBuilder::new("group")
            .attr("jid", Jid::new(id, Server::Group))
            .build(),
    ])
}

fn leave(state: &mut State, from: &Origin<'_>, id: &str) {
    let Some(group) = state.groups.get(id) else {
        return;
    };
    let Some(member) = group.member(from.phone).cloned() else {
        return;
    };
    let Some(left) = state.participant_node(&member) else {
        return;
    };
    let change = NodeBuilder::new("remove").children([left]).build();
    // The member who leaves hears of it too.
    notify(state, id, from.phone, change, &[from.phone.to_owned()]);
    if let Some(group) = state.groups.get_mut(id) {
        group.members.retain(|m| m.phone != from.phone);
    }
}

fn invite_code() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes
        .iter()
        .map(|b| {
            char::from(
                b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"[usize::from(*b) % 57],
            )
        })
        .collect()
}
