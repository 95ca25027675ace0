//! Groups as the server keeps them. Groups are LID-addressed, as WhatsApp's
//! new groups are: members are named by LID on the wire, their phone number beside.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::{Jid, Server};

use super::{Naming, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Member,
    Admin,
    SuperAdmin,
}

impl Role {
    fn wire(self) -> Option<&'static str> {
        match self {
            Self::Member => None,
            Self::Admin => Some("admin"),
            Self::SuperAdmin => Some("superadmin"),
        }
    }

    pub fn is_admin(self) -> bool {
        self != Self::Member
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    /// The member's phone number (their account's key).
    pub phone: String,
    pub role: Role,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// The user part of `…@g.us`.
    pub id: String,
    pub subject: String,
    pub subject_owner: String,
    pub subject_time: u64,
    pub creator: String,
    pub created: u64,
    pub members: Vec<Member>,
    pub invite_code: String,
    pub description: Option<(String, String)>,
    pub announce: bool,
    pub locked: bool,
}

impl Group {
    pub fn jid(&self) -> Jid {
        Jid::new(self.id.as_str(), Server::Group)
    }

    pub fn member(&self, phone: &str) -> Option<&Member> {
        self.members.iter().find(|member| member.phone == phone)
    }
}

impl State {
    /// `<participant jid=LID phone_number=PN type=..>` for a group's member.
    pub fn participant_node(&self, member: &Member) -> Option<Node> {
        let account = self.accounts.get(&member.phone)?;
        let mut participant = NodeBuilder::new("participant")
            .attr("jid", account.user_jid(Naming::Lid))
            .attr("phone_number", account.user_jid(Naming::Phone));
        if let Some(role) = member.role.wire() {
            participant = participant.attr("type", role);
        }
        Some(participant.build())
    }

    /// The full `<group>` metadata node WhatsApp answers group queries with.
    pub fn group_node(&self, group: &Group) -> Node {
        let mut children: Vec<Node> = group
            .members
            .iter()
            .filter_map(|member| self.participant_node(member))
            .collect();
        if let Some((id, body)) = &group.description {
            children.push(
                NodeBuilder::new("description")
                    .attr("id", id.clone())
                    .children([NodeBuilder::new("body")
                        .bytes(body.as_bytes().to_vec())
                        .build()])
                    .build(),
            );
        }
        if group.announce {
            children.push(NodeBuilder::new("announcement").build());
        }
        if group.locked {
            children.push(NodeBuilder::new("locked").build());
        }
        let lid_of = |phone: &str| {
            self.accounts
                .get(phone)
                .map(|account| account.user_jid(Naming::Lid))
        };
        let mut node = NodeBuilder::new("group")
            .attr("id", group.id.clone())
            .attr("subject", group.subject.clone())
            .attr("s_t", group.subject_time.to_string())
            .attr("creation", group.created.to_string())
            .attr("addressing_mode", "lid")
            .attr("size", group.members.len().to_string());
        if let Some(owner) = lid_of(&group.subject_owner) {
            node = node.attr("s_o", owner);
        }
        if let Some(creator) = lid_of(&group.creator) {
            node = node.attr("creator", creator);
        }
        if let Some(creator) = self.accounts.get(&group.creator) {
            node = node.attr("creator_pn", creator.user_jid(Naming::Phone));
        }
        node.children(children).build()
    }

    /// The groups `phone` is a member of.
    pub fn groups_of(&self, phone: &str) -> Vec<&Group> {
        let mut groups: Vec<&Group> = self
            .groups
            .values()
            .filter(|group| group.member(phone).is_some())
            .collect();
        groups.sort_by_key(|group| group.created);
        groups
    }
}
