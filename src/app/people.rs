//! What the instance tells and asks WhatsApp about chats and people: read
//! marks, typing and online states, whether numbers exist, profiles, blocking.

use actix::Addr;

use super::Deps;
use super::access::{Caller, live_instance, on_session, writes_visible};
use super::answers::{LidMapping, MarkedRead};
use super::messaging::send_error;
use crate::actors::instance::{InstanceActor, SendMessageError, SessionFn};
use crate::db;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{Availability, ChatState, NumberCheck, Profile, ReadMark, WaError};

pub struct People<'a> {
    deps: &'a Deps,
}

impl<'a> People<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Marks received messages of `chat` read (those named, or all unread)
    /// and tells their senders; answers how many were marked.
    pub async fn mark_read(
        &self,
        caller: &Caller,
        instance_id: &str,
        chat: Jid,
        message_ids: Option<Vec<String>>,
    ) -> Result<MarkedRead, ApiError> {
        let deps = self.deps;
        let instance = live_instance(deps, caller, instance_id)?;
        writes_visible(deps).await;
        let unread = db::messages::unread(
            &deps.db,
            instance_id,
            &chat.to_string(),
            message_ids.as_deref(),
        )
        .await?;
        let marks = unread
            .iter()
            .filter_map(|row| {
                Some(ReadMark {
                    message_id: row.message_id.clone()?,
                    // In a group, the receipt names the author.
                    sender: Jid::parse(row.author.as_deref().unwrap_or(&row.remote_jid)).ok()?,
                })
            })
            .collect();
        // Asked even with nothing to mark: a disconnected instance is a 409.
        self.session(&instance, move |s| s.mark_read(&chat, marks))
            .await?;
        let row_ids: Vec<String> = unread.into_iter().map(|row| row.id).collect();
        db::messages::set_read(&deps.db, &row_ids).await?;
        Ok(MarkedRead {
            read: row_ids.len(),
        })
    }

    pub async fn chat_state(
        &self,
        caller: &Caller,
        instance_id: &str,
        chat: Jid,
        state: ChatState,
    ) -> Result<(), ApiError> {
        let instance = live_instance(self.deps, caller, instance_id)?;
        self.session(&instance, move |s| s.chat_state(&chat, state))
            .await
    }

    pub async fn presence(
        &self,
        caller: &Caller,
        instance_id: &str,
        availability: Availability,
    ) -> Result<(), ApiError> {
        let instance = live_instance(self.deps, caller, instance_id)?;
        self.session(&instance, move |s| s.set_presence(availability))
            .await
    }

    pub async fn check_numbers(
        &self,
        caller: &Caller,
        instance_id: &str,
        phones: Vec<Jid>,
    ) -> Result<Vec<NumberCheck>, ApiError> {
        let instance = live_instance(self.deps, caller, instance_id)?;
        self.session(&instance, move |s| s.check_numbers(phones))
            .await
    }

    /// What WhatsApp shows of a person; the name falls back to the one the
    /// instance learnt from their messages.
    pub async fn profile(
        &self,
        caller: &Caller,
        instance_id: &str,
        person: Jid,
    ) -> Result<Profile, ApiError> {
        let deps = self.deps;
        let instance = live_instance(deps, caller, instance_id)?;
        let asked = person.clone();
        let mut profile = self.session(&instance, move |s| s.profile(&asked)).await?;
        if profile.name.is_none() {
            writes_visible(deps).await;
            profile.name = db::contacts::name_of(&deps.db, instance_id, &person).await?;
        }
        Ok(profile)
    }

    pub async fn set_blocked(
        &self,
        caller: &Caller,
        instance_id: &str,
        person: Jid,
        blocked: bool,
    ) -> Result<(), ApiError> {
        let instance = live_instance(self.deps, caller, instance_id)?;
        self.session(&instance, move |s| s.set_blocked(&person, blocked))
            .await
    }

    /// A person's LID and phone number, named by either: as the session's
    /// LID map has them, else as a message the instance received told them.
    /// `asked` is the caller's input, refused only once the instance is found.
    pub async fn lid(
        &self,
        caller: &Caller,
        instance_id: &str,
        asked: Result<Jid, ApiError>,
    ) -> Result<LidMapping, ApiError> {
        let deps = self.deps;
        let instance = live_instance(deps, caller, instance_id)?;
        let asked = asked?;
        let person = asked.clone();
        let late = "the instance did not answer in time; try again";
        let known = on_session(&instance, deps.request_timeout(), late, move |s| {
            s.lid_entry(&person)
        })
        .await?;
        match known {
            Ok(Some(entry)) => return Ok(LidMapping::of(&entry.lid, Some(&entry.phone))),
            // A disconnected instance still has its history to tell.
            Ok(None) | Err(WaError::NotConnected) => {}
            Err(err) => return Err(send_error(SendMessageError::from(err))),
        }
        writes_visible(deps).await;
        let named = asked.to_string();
        let (lid, phone) = if asked.is_lid() {
            (Some(named.as_str()), None)
        } else {
            (None, Some(named.as_str()))
        };
        match db::messages::lid_pair(&deps.db, instance_id, lid, phone).await? {
            Some((lid, person)) => Ok(LidMapping::of(&lid, person.as_deref())),
            None if asked.is_lid() => Err(ApiError::new(
                ErrorCode::LidNotFound,
                format!("this instance does not know the LID {named}: WhatsApp has not named it"),
            )),
            None => Err(ApiError::new(
                ErrorCode::LidNotFound,
                format!("this instance knows no LID of {named}"),
            )),
        }
    }

    /// A call on the connected session, within the request deadline; refusals
    /// read as a send's do.
    async fn session<T: Send + 'static>(
        &self,
        instance: &Addr<InstanceActor>,
        call: impl SessionFn<T>,
    ) -> Result<T, ApiError> {
        let late = "the instance did not answer in time; try again";
        on_session(instance, self.deps.request_timeout(), late, call)
            .await?
            .map_err(|err| send_error(SendMessageError::from(err)))
    }
}
