//! What an instance does to messages after they are sent — react, vote, edit,
//! delete, mark read — and what it asks WhatsApp about people: typing and
//! online states, whether numbers exist, profiles, blocking.

use std::sync::Arc;

use actix::Addr;
use futures_util::future::BoxFuture;

use super::Deps;
use super::access::{Caller, ask, live_instance, on_session, webhooks_durable, writes_visible};
use super::answers::{Changed, MarkedRead, Sent, Success};
use super::idempotency::{self, IdempotencyKey, Idempotent, canonical, fingerprint};
use super::messaging::{author, own_message, send_error};
use crate::actors::instance::{ApplyChange, InstanceActor, SendMessageError};
use crate::db;
use crate::db::messages::MessageType;
use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{
    Availability, ChatState, NumberCheck, OwnChange, PollRef, Profile, ReadMark, Target, WaError,
    WaSession,
};

pub struct Actions<'a> {
    deps: &'a Deps,
}

impl<'a> Actions<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Once per key: the change goes to WhatsApp, the stored message changes,
    /// its event is in the outbox; the answer names the message changed.
    async fn change(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        print: String,
        change: impl AsyncFnOnce() -> Result<(Jid, OwnChange), ApiError>,
    ) -> Result<Idempotent, ApiError> {
        let deps = self.deps;
        let instance = live_instance(deps, caller, instance_id)?;
        let changing = async {
            let (chat, change) = change().await?;
            let answer = match &change {
                OwnChange::Revoke { .. } => Changed::Deleted(Success::OK),
                _ => Changed::Sent(Sent {
                    id: change.message_id().to_owned(),
                }),
            };
            ask(deps, &instance, ApplyChange { chat, change })
                .await?
                .map_err(send_error)?;
            writes_visible(deps).await;
            webhooks_durable(deps).await?;
            Ok(answer)
        };
        idempotency::once(deps, instance_id, key, &print, changing).await
    }

    /// Reacts to a message of the instance's chats; `""` takes the reaction back.
    pub async fn react(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        message_id: &str,
        emoji: String,
    ) -> Result<Idempotent, ApiError> {
        let print = fingerprint(&[b"reaction", message_id.as_bytes(), emoji.as_bytes()]);
        let deps = self.deps;
        self.change(caller, instance_id, key, print, async || {
            let (instance, row) = own_message(deps, caller, instance_id, message_id).await?;
            let target = Target {
                message_id: row.message_id.clone().unwrap_or_default(),
                sender: author(&instance, &row)?,
                from_me: row.from_me,
            };
            Ok((chat_of(&row)?, OwnChange::React { target, emoji }))
        })
        .await
    }

    /// Votes in a poll the instance sent or received.
    pub async fn vote(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        message_id: &str,
        options: Vec<String>,
    ) -> Result<Idempotent, ApiError> {
        let print = fingerprint(&[
            b"vote",
            message_id.as_bytes(),
            canonical(&options).as_bytes(),
        ]);
        let deps = self.deps;
        self.change(caller, instance_id, key, print, async || {
            let (instance, row) = own_message(deps, caller, instance_id, message_id).await?;
            let details = MessageDetails::from_json(row.details.as_deref());
            let (Some(poll), Some(secret)) = (details.poll, row.message_secret.as_deref()) else {
                return Err(ApiError::validation(
                    "messageId: the message is not a poll this instance can vote in".to_owned(),
                ));
            };
            if let Some(unknown) = options.iter().find(|o| !poll.options.contains(o)) {
                return Err(ApiError::validation(format!(
                    "options: \"{unknown}\" is not an option of this poll ({})",
                    poll.options.join(", ")
                )));
            }
            let most = if poll.selectable_count == 0 {
                poll.options.len()
            } else {
                poll.selectable_count as usize
            };
            if options.len() > most {
                return Err(ApiError::validation(format!(
                    "options: this poll takes at most {most} choice(s)"
                )));
            }
            let poll = PollRef {
                message_id: row.message_id.clone().unwrap_or_default(),
                creator: author(&instance, &row)?,
                secret: hex::decode(secret).unwrap_or_default(),
            };
            Ok((chat_of(&row)?, OwnChange::Vote { poll, options }))
        })
        .await
    }

    /// Edits one of the instance's own text messages.
    pub async fn edit(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        message_id: &str,
        text: String,
    ) -> Result<Idempotent, ApiError> {
        let print = fingerprint(&[b"edit", message_id.as_bytes(), text.as_bytes()]);
        let deps = self.deps;
        self.change(caller, instance_id, key, print, async || {
            let (_, row) = own_message(deps, caller, instance_id, message_id).await?;
            if !row.from_me || row.message_type != MessageType::Text || row.revoked {
                return Err(ApiError::new(
                    ErrorCode::MessageNotEditable,
                    "only this instance's own text messages (not deleted) can be edited",
                ));
            }
            let message_id = row.message_id.clone().unwrap_or_default();
            Ok((chat_of(&row)?, OwnChange::Edit { message_id, text }))
        })
        .await
    }

    /// Deletes one of the instance's own messages for everyone.
    pub async fn delete(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        message_id: &str,
    ) -> Result<Idempotent, ApiError> {
        let print = fingerprint(&[b"delete", message_id.as_bytes()]);
        let deps = self.deps;
        self.change(caller, instance_id, key, print, async || {
            let (_, row) = own_message(deps, caller, instance_id, message_id).await?;
            if !row.from_me || row.revoked {
                return Err(ApiError::new(
                    ErrorCode::MessageNotDeletable,
                    "only this instance's own messages (not already deleted) can be deleted for everyone",
                ));
            }
            let message_id = row.message_id.clone().unwrap_or_default();
            Ok((chat_of(&row)?, OwnChange::Revoke { message_id }))
        })
        .await
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

    /// A call on the connected session, within the request deadline; refusals
    /// read as a send's do.
    async fn session<T: Send + 'static>(
        &self,
        instance: &Addr<InstanceActor>,
        call: impl FnOnce(Arc<dyn WaSession>) -> BoxFuture<'static, Result<T, WaError>> + Send + 'static,
    ) -> Result<T, ApiError> {
        let late = "the instance did not answer in time; try again";
        on_session(instance, self.deps.request_timeout(), late, call)
            .await?
            .map_err(|err| send_error(SendMessageError::from(err)))
    }
}

/// The chat a stored message belongs to.
fn chat_of(row: &entity::messages::Model) -> Result<Jid, ApiError> {
    Jid::parse(&row.remote_jid)
        .map_err(|_| ApiError::new(ErrorCode::MessageNotFound, "message not found"))
}
