//! What an instance asks of its engine session about groups: every question
//! goes through `client.groups()`, which keeps the engine's own group cache
//! (sender keys, participant lists) in step with what it changes.

mod read;
#[cfg(test)]
mod read_tests;
mod refusals;
#[cfg(test)]
mod tests;

use futures_util::future::BoxFuture;
use whatsapp_rust::features::{
    GroupCreateOptions, GroupDescription, GroupParticipantOptions, GroupSubject, JoinGroupResult,
    PreviousDescription,
};

use super::session::EngineSession;
use crate::domain::phone::Jid;
use crate::whatsapp::model::{engine_jid, ours};
use crate::whatsapp::{
    GroupInfo, GroupSettings, GroupSummary, MemberAction, MemberResult, NewGroup, WaError,
    WaGroups, invite_code_of,
};
use read::{info, member_results, own_jids, summaries};
use refusals::{NOT_FOUND, group_error, join_error, member_error};

type Answer<T> = BoxFuture<'static, Result<T, WaError>>;

impl WaGroups for EngineSession {
    fn groups(&self) -> Answer<Vec<GroupSummary>> {
        let client = self.logged_in_client();
        self.on_engine(async move {
            let client = client?;
            let own = own_jids(&client);
            let groups = client
                .groups()
                .get_participating()
                .await
                .map_err(group_error)?;
            Ok(summaries(groups.into_values(), &own))
        })
    }

    fn group(&self, id: &Jid) -> Answer<GroupInfo> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, group_jid(id)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let metadata = client
                .groups()
                .get_metadata(&jid)
                .await
                .map_err(member_error)?;
            info(metadata)
        })
    }

    fn create_group(&self, group: NewGroup) -> Answer<GroupInfo> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, create_options(group)?)));
        self.on_engine(async move {
            let (client, options) = prepared?;
            let created = client
                .groups()
                .create_group(options)
                .await
                .map_err(group_error)?;
            info(created.metadata)
        })
    }

    fn change_group(&self, id: &Jid, settings: GroupSettings) -> Answer<()> {
        // Checked before anything is sent, so a bad value changes nothing.
        let prepared = self.logged_in_client().and_then(|client| {
            let subject = settings
                .subject
                .as_deref()
                .map(GroupSubject::new)
                .transpose()
                .map_err(invalid)?;
            let description = match settings.description.as_deref() {
                None => None,
                Some("") => Some(None),
                Some(text) => Some(Some(GroupDescription::new(text).map_err(invalid)?)),
            };
            Ok((client, group_jid(id)?, subject, description))
        });
        self.on_engine(async move {
            let (client, jid, subject, description) = prepared?;
            let groups = client.groups();
            if let Some(subject) = subject {
                groups
                    .set_subject(jid.clone(), subject)
                    .await
                    .map_err(group_error)?;
            }
            if let Some(description) = description {
                groups
                    .set_description(jid.clone(), description, PreviousDescription::Resolve)
                    .await
                    .map_err(group_error)?;
            }
            if let Some(announce) = settings.announce {
                groups
                    .set_announce(jid.clone(), announce)
                    .await
                    .map_err(group_error)?;
            }
            if let Some(locked) = settings.locked {
                groups.set_locked(jid, locked).await.map_err(group_error)?;
            }
            Ok(())
        })
    }

    fn change_members(
        &self,
        id: &Jid,
        action: MemberAction,
        people: Vec<Jid>,
    ) -> Answer<Vec<MemberResult>> {
        let prepared = self.logged_in_client().and_then(|client| {
            let jids = people
                .iter()
                .map(engine_jid)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((client, group_jid(id)?, jids))
        });
        self.on_engine(async move {
            let (client, jid, jids) = prepared?;
            let groups = client.groups();
            let answered = match action {
                MemberAction::Add => groups.add_participants(jid, &jids).await,
                MemberAction::Remove => groups.remove_participants(jid, &jids).await,
                MemberAction::Promote => groups.promote_participants(jid, &jids).await,
                MemberAction::Demote => groups.demote_participants(jid, &jids).await,
            }
            .map_err(group_error)?;
            Ok(member_results(action, &people, &answered))
        })
    }

    fn invite_code(&self, id: &Jid, reset: bool) -> Answer<String> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, group_jid(id)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            // The engine answers the whole link, built from the code.
            let link = client
                .groups()
                .get_invite_link(jid, reset)
                .await
                .map_err(group_error)?;
            invite_code_of(&link)
                .map(str::to_owned)
                .ok_or_else(|| WaError::Session(format!("unreadable invite link: {link}")))
        })
    }

    fn join_group(&self, code: &str) -> Answer<Jid> {
        let prepared = self.logged_in_client().and_then(|client| {
            let code = invite_code_of(code)
                .ok_or_else(|| WaError::Rejected("not a WhatsApp invite code or link".into()))?;
            Ok((client, code.to_owned()))
        });
        self.on_engine(async move {
            let (client, code) = prepared?;
            let joined = client
                .groups()
                .join_with_invite_code(&code)
                .await
                .map_err(join_error)?;
            joined_group(&joined)
        })
    }

    fn leave_group(&self, id: &Jid) -> Answer<()> {
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, group_jid(id)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            client.groups().leave(jid).await.map_err(member_error)
        })
    }
}

/// Only a group can be asked about as one; anything else is no group at all.
fn group_jid(id: &Jid) -> Result<whatsapp_rust::Jid, WaError> {
    if !id.is_group() {
        return Err(WaError::GroupNotFound(NOT_FOUND.into()));
    }
    engine_jid(id)
}

fn invalid(err: anyhow::Error) -> WaError {
    WaError::Rejected(err.to_string())
}

fn create_options(group: NewGroup) -> Result<GroupCreateOptions, WaError> {
    let subject = GroupSubject::new(group.subject).map_err(invalid)?;
    let description = group
        .description
        .filter(|text| !text.is_empty())
        .map(GroupDescription::new)
        .transpose()
        .map_err(invalid)?;
    let participants = group
        .participants
        .iter()
        .map(|person| Ok(GroupParticipantOptions::new(engine_jid(person)?)))
        .collect::<Result<Vec<_>, WaError>>()?;
    let mut options =
        GroupCreateOptions::new(subject.into_string()).with_participants(participants);
    // Carried on the create stanza itself: no second request that could fail
    // after the group exists.
    options.description = description;
    Ok(options)
}

fn joined_group(joined: &JoinGroupResult) -> Result<Jid, WaError> {
    match joined {
        JoinGroupResult::Joined(jid) => ours(jid)
            .ok_or_else(|| WaError::Session(format!("joined a group wamux cannot name: {jid}"))),
        // Not a member yet: answering the id would report a join that may
        // never happen.
        JoinGroupResult::PendingApproval(jid) => Err(WaError::Rejected(format!(
            "the group's admins must approve joining {}; the request was sent",
            ours(jid).map_or_else(|| jid.to_string(), |jid| jid.to_string())
        ))),
    }
}
