//! Member changes and the `w:gp2` notifications every change of a group sends
//! its members.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use crate::wire::{NodeExt, now_secs};
use crate::world::{Delivery, Member, Naming, Role, State, stanza_id};

/// add / remove / promote / demote: a result per participant, and one
/// notification naming those it applied to.
pub fn members_changed(
    state: &mut State,
    from: &Origin<'_>,
    id: &str,
    request: &Node,
) -> Result<Vec<Node>, (u16, &'static str)> {
    let action = request.tag.to_string();
    let mut results = Vec::new();
    let mut applied = Vec::new();
    for participant in request.kids().iter().filter(|p| p.tag == "participant") {
        let jid = participant.attr("jid").unwrap_or_default();
        let phone = person(state, participant);
        let error = match phone {
            None => Some(404),
            Some(ref phone) => apply(state, id, &action, phone),
        };
        let mut result = NodeBuilder::new("participant").attr("jid", jid);
        if let Some(code) = error {
            result = result.attr("error", code.to_string());
        } else if let Some(phone) = phone {
            applied.push(phone);
        }
        results.push(result.build());
    }
    if !applied.is_empty() {
        let participants: Vec<Node> = applied
            .iter()
            .filter_map(|phone| {
                state.participant_node(&Member {
                    phone: phone.clone(),
                    role: Role::Member,
                })
            })
            .collect();
        let change = NodeBuilder::new_dynamic(action.clone())
            .children(participants)
            .build();
        // Those removed hear of it too, as the group's last word to them.
        let removed: Vec<String> = if action == "remove" {
            applied
        } else {
            Vec::new()
        };
        notify(state, id, from.phone, change, &removed);
    }
    Ok(vec![
        NodeBuilder::new_dynamic(action).children(results).build(),
    ])
}

/// Applies one member change; WhatsApp's error code when it cannot.
fn apply(state: &mut State, id: &str, action: &str, phone: &str) -> Option<u16> {
    let group = state.groups.get_mut(id)?;
    let position = group.members.iter().position(|m| m.phone == phone);
    match (action, position) {
        ("add", Some(_)) => Some(409),
        ("add", None) => {
            group.members.push(Member {
                phone: phone.to_owned(),
                role: Role::Member,
            });
            None
        }
        (_, None) => Some(404),
        ("remove", Some(at)) => {
            group.members.remove(at);
            None
        }
        ("promote", Some(at)) => {
            group.members[at].role = Role::Admin;
            None
        }
        (_, Some(at)) => {
            group.members[at].role = Role::Member;
            None
        }
    }
}

/// `<notification type="w:gp2" from=group participant=author>change</notification>`
/// to every member's devices (and to `also`, such as members just removed).
pub fn notify(state: &mut State, id: &str, author: &str, change: Node, also: &[String]) {
    let Some(group) = state.groups.get(id) else {
        return;
    };
    let mut audience: Vec<String> = group.members.iter().map(|m| m.phone.clone()).collect();
    audience.extend(also.iter().cloned());
    let Some(by) = state.accounts.get(author) else {
        return;
    };
    let notice = NodeBuilder::new("notification")
        .attr("from", group.jid())
        .attr("type", "w:gp2")
        .attr("id", stanza_id())
        .attr("t", now_secs().to_string())
        .attr("participant", by.user_jid(Naming::Lid))
        .attr("participant_pn", by.user_jid(Naming::Phone))
        .attr("addressing_mode", "lid")
        .attr("notify", by.push_name.clone())
        .children([change])
        .build();
    for phone in audience {
        state.deliver_to_account(&phone, None, &notice, Delivery::Queued);
    }
}

/// The phone number of a `<participant jid=.. phone_number=..>` (LID or phone).
pub fn person(state: &State, participant: &Node) -> Option<String> {
    participant
        .jid_attr("phone_number")
        .and_then(|jid| state.phone_of(&jid))
        .or_else(|| {
            participant
                .jid_attr("jid")
                .and_then(|jid| state.phone_of(&jid))
        })
        .filter(|phone| state.accounts.contains_key(phone))
}
