//! What the instance does to messages after they are sent: react, vote, edit
//! and delete for everyone, once per `Idempotency-Key`.

use super::Deps;
use super::access::{Caller, ask, live_instance, webhooks_durable, writes_visible};
use super::answers::{Changed, Sent, Success};
use super::idempotency::{self, IdempotencyKey, Idempotent, canonical, fingerprint};
use super::messaging::{author, own_message, send_error};
use crate::actors::instance::ApplyChange;
use crate::db::messages::MessageType;
use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{OwnChange, PollRef, Target};

pub struct Changes<'a> {
    deps: &'a Deps,
}

impl<'a> Changes<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

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
}

/// The chat a stored message belongs to.
fn chat_of(row: &entity::messages::Model) -> Result<Jid, ApiError> {
    Jid::parse(&row.remote_jid)
        .map_err(|_| ApiError::new(ErrorCode::MessageNotFound, "message not found"))
}
