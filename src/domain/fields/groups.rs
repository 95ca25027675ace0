//! The fields of the group routes.

use super::{Refusal, text_field};
use crate::domain::group::invite_code_of;
use crate::domain::phone::Jid;
use crate::domain::rules;

text_field! {
    /// A group's subject: not blank (white space and zero-width characters alone
    /// are blank), no bidi controls.
    GroupSubject = rules::GROUP_SUBJECT, example "Sales team"
}

impl GroupSubject {
    /// Trimmed.
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "subject must be 1-{} characters, not blank, without bidi controls",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0.trim().to_owned())
    }
}

text_field! {
    /// A group's description, without NUL; `""` removes it.
    GroupDescription = rules::GROUP_DESCRIPTION
}

impl GroupDescription {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "description must be at most {} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// An invite code, or its `https://chat.whatsapp.com/<code>` link.
    GroupInvite = rules::GROUP_INVITE, example "https://chat.whatsapp.com/Fk3cQ9pLmN2rT7vXyZ1aB4"
}

impl GroupInvite {
    /// The invite's code.
    pub fn parse(&self) -> Result<&str, Refusal> {
        let code = self
            .follows_rule()
            .then(|| invite_code_of(&self.0))
            .flatten();
        code.ok_or_else(|| {
            Refusal::Invalid(
                "invite must be an invite code or a https://chat.whatsapp.com/<code> link".into(),
            )
        })
    }
}

text_field! {
    /// A group's JID: digits and dashes ending in `@g.us`.
    GroupJid = rules::GROUP
}

impl GroupJid {
    #[cfg_attr(not(feature = "sim"), allow(dead_code))]
    pub fn parse(&self) -> Result<Jid, Refusal> {
        match Jid::parse(&self.0) {
            Ok(jid) if jid.is_group() && self.follows_rule() => Ok(jid),
            _ => Err(Refusal::Invalid(
                "group must be a group JID: digits and dashes ending in @g.us".into(),
            )),
        }
    }
}

text_field! {
    /// A `{groupId}`: a group JID (`120363…@g.us`) or its digits.
    GroupId = rules::GROUP_ID, example "120363025246125244@g.us"
}

impl GroupId {
    pub fn parse(&self) -> Result<Jid, Refusal> {
        let trimmed = self.0.trim();
        let whole = if trimmed.ends_with("@g.us") {
            trimmed.to_owned()
        } else {
            format!("{trimmed}@g.us")
        };
        match Jid::parse(&whole) {
            Ok(jid) if jid.is_group() && self.follows_rule() => Ok(jid),
            _ => Err(Refusal::Group(
                "groupId must be a group JID (120363…@g.us) or its digits".into(),
            )),
        }
    }
}
