//! Who may change a stored message: only its author edits it; its author, or
//! an admin of its group, deletes it for everyone. WhatsApp relays whatever a
//! client sends, so a member of a chat could otherwise rewrite or blank what
//! someone else wrote; such changes are dropped here, before they are stored
//! or announced.

use crate::domain::phone::Jid;
use crate::whatsapp::GroupInfo;

/// The stored message a change names, as far as authorship goes.
pub(super) struct Written<'a> {
    pub from_me: bool,
    /// The chat: the other person's JID, or the group's.
    pub chat: &'a str,
    /// A group message's author.
    pub author: Option<&'a str>,
    /// The LID the sender was addressed by, when WhatsApp used one.
    pub sender_lid: Option<&'a str>,
}

/// Whether the change's sender (`from`; `from_me`: this account, from any of
/// its devices) wrote the message.
pub(super) fn wrote(message: &Written<'_>, from: &Jid, from_me: bool) -> bool {
    if from_me || message.from_me {
        return from_me && message.from_me;
    }
    let sender = if message.chat.ends_with("@g.us") {
        message.author
    } else {
        Some(message.chat)
    };
    [sender, message.sender_lid]
        .into_iter()
        .flatten()
        .any(|written_by| same_person(written_by, from))
}

/// Whether `who` (or this account, `me`, when the change came from its own
/// devices) is an admin of the group.
pub(super) fn is_admin(group: &GroupInfo, who: &Jid, me: Option<&Jid>) -> bool {
    group.participants.iter().any(|member| {
        member.role.is_admin()
            && (same_jid(&member.jid, who) || me.is_some_and(|me| same_jid(&member.jid, me)))
    })
}

fn same_person(raw: &str, jid: &Jid) -> bool {
    Jid::parse(raw).is_ok_and(|written_by| same_jid(&written_by, jid))
}

/// The same account: user and server alike, whatever the device.
fn same_jid(a: &Jid, b: &Jid) -> bool {
    a.user() == b.user() && a.server() == b.server()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatsapp::{GroupMember, GroupRole};

    const CAROL: &str = "15550006003@s.whatsapp.net";
    const CAROL_LID: &str = "123456789@lid";
    const DAVE: &str = "15550006004@s.whatsapp.net";
    const GROUP: &str = "120363025246125244@g.us";

    fn jid(raw: &str) -> Jid {
        Jid::parse(raw).unwrap_or_else(|_| panic!("{raw} is a JID"))
    }

    fn received(chat: &'static str, author: Option<&'static str>) -> Written<'static> {
        Written {
            from_me: false,
            chat,
            author,
            sender_lid: Some(CAROL_LID),
        }
    }

    #[test]
    fn the_account_changes_only_what_it_wrote() {
        let mine = Written {
            from_me: true,
            chat: CAROL,
            author: None,
            sender_lid: None,
        };
        assert!(wrote(&mine, &jid(DAVE), true));
        assert!(!wrote(&mine, &jid(CAROL), false), "the other side cannot");
        assert!(!wrote(&received(CAROL, None), &jid(CAROL), true));
    }

    #[test]
    fn a_person_changes_what_they_wrote_by_phone_or_lid() {
        assert!(wrote(&received(CAROL, None), &jid(CAROL), false));
        assert!(wrote(&received(CAROL, None), &jid(CAROL_LID), false));
        assert!(wrote(&received(GROUP, Some(CAROL)), &jid(CAROL), false));
        assert!(!wrote(&received(GROUP, Some(CAROL)), &jid(DAVE), false));
    }

    #[test]
    fn a_group_admin_is_known_by_role() {
        let group = GroupInfo {
            id: jid(GROUP),
            subject: "Team".into(),
            description: None,
            owner: None,
            created_at: None,
            announce: false,
            locked: false,
            participants: vec![
                GroupMember {
                    jid: jid(CAROL),
                    lid: None,
                    role: GroupRole::Member,
                },
                GroupMember {
                    jid: jid(DAVE),
                    lid: None,
                    role: GroupRole::Admin,
                },
            ],
        };
        assert!(is_admin(&group, &jid(DAVE), None));
        assert!(!is_admin(&group, &jid(CAROL), None));
        assert!(is_admin(&group, &jid(CAROL), Some(&jid(DAVE))));
    }
}
