//! Sending messages (once per idempotency key, answered only when stored and
//! their webhook is in the outbox), and reading chats, media and contacts.

use entity::messages::Model as Message;

use super::Deps;
use super::access::{
    Caller, ask_or_leave_running, live_instance, visible_instance, webhooks_durable, writes_visible,
};
use super::answers::{SendAnswer, Sending, Sent};
use super::idempotency::{self, IdempotencyKey, Idempotent};
use crate::actors::instance::{SendMessage, SendMessageError};
use crate::db;
use crate::domain::phone::Jid;
use crate::domain::text::{is_message_id, sanitize_filename};
use crate::error::{ApiError, ErrorCode};
use crate::net::fetch::MediaFetcher;
use crate::whatsapp::{NewPoll, Outbound, Quote, new_message_id};

/// A stored message, as the history shows it.
pub use super::messaging_views::{
    ContactList, ContactView, MessageView, PollOptionView, PollView, ReactionView,
};
pub use super::outgoing::{Content, SendAs};
use super::outgoing::{fetch_error, media, mimetype_for};
pub use crate::db::messages::{ChatFilter, MessageStatus, MessageType};

/// The bytes of a received media message and what they are.
pub struct StoredMedia {
    pub bytes: Vec<u8>,
    pub mimetype: String,
    pub filename: String,
}

pub struct Messaging<'a> {
    deps: &'a Deps,
}

impl<'a> Messaging<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Fails unless the caller may send from this instance: checked before a
    /// large upload is read.
    pub fn check_sender(&self, caller: &Caller, instance_id: &str) -> Result<(), ApiError> {
        live_instance(self.deps, caller, instance_id).map(|_| ())
    }

    /// Sends once per key and answers `{"id": "<WhatsApp message id>"}` when the
    /// message is stored, taken by WhatsApp and its webhook is in the outbox.
    pub async fn send(
        &self,
        caller: &Caller,
        instance_id: &str,
        key: Option<IdempotencyKey>,
        to: Jid,
        content: Content,
        fetcher: &MediaFetcher,
    ) -> Result<Idempotent, ApiError> {
        let deps = self.deps;
        let instance = live_instance(deps, caller, instance_id)?;
        let print = content.fingerprint(&to);
        let sending = async {
            let quote = match content.quoted() {
                Some(quoted) => Some(quote(deps, caller, instance_id, quoted).await?),
                None => None,
            };
            let outgoing = match content {
                Content::Text { text, mentions, .. } => Outbound::Text {
                    text,
                    quote,
                    mentions,
                },
                Content::MediaUrl {
                    url,
                    caption,
                    filename,
                    send_as,
                    ..
                } => {
                    let fetched = fetcher.fetch(&url).await.map_err(fetch_error)?;
                    let name = filename
                        .as_deref()
                        .map(sanitize_filename)
                        .unwrap_or_else(|| sanitize_filename(fetched.final_url.path()));
                    let mimetype = mimetype_for(fetched.content_type, &name);
                    let media = media(fetched.bytes, mimetype, name, caption, send_as).await?;
                    Outbound::Media { media, quote }
                }
                Content::File {
                    bytes,
                    filename,
                    mimetype,
                    caption,
                    send_as,
                    ..
                } => {
                    let mimetype = mimetype_for(mimetype, &filename);
                    let media = media(bytes, mimetype, filename, caption, send_as).await?;
                    Outbound::Media { media, quote }
                }
                Content::Location(place) => Outbound::Location(place),
                Content::Contacts(cards) => Outbound::Contacts(cards),
                Content::Poll {
                    question,
                    options,
                    selectable_count,
                } => {
                    let mut secret = [0u8; 32];
                    rand::fill(&mut secret);
                    Outbound::Poll(NewPoll {
                        question,
                        options,
                        selectable_count,
                        secret,
                    })
                }
            };
            let message_id = new_message_id();
            let send = SendMessage {
                message_id: message_id.clone(),
                to,
                content: outgoing,
            };
            let answer = match ask_or_leave_running(deps, &instance, send).await? {
                Some(sent) => {
                    let id = sent.map_err(send_error)?;
                    webhooks_durable(deps).await?;
                    SendAnswer::Sent(Sent { id })
                }
                None => SendAnswer::Sending(Sending::new(message_id)),
            };
            Ok((answer.status(), answer))
        };
        idempotency::once_with_status(deps, instance_id, key, &print, sending).await
    }

    /// A page of one chat's messages, newest first. A person's LID reads the
    /// chat of their number once the instance knows it: one person, one history.
    pub async fn history(
        &self,
        caller: &Caller,
        instance_id: &str,
        chat: &Jid,
        filter: &ChatFilter,
        limit: u64,
        skip: u64,
    ) -> Result<(Vec<MessageView>, u64), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        let known_phone = if chat.is_lid() {
            db::contacts::phone_of_lid(&self.deps.db, &instance.id, chat).await?
        } else {
            None
        };
        let chat = known_phone.unwrap_or_else(|| chat.to_string());
        let (messages, total) =
            db::messages::history(&self.deps.db, &instance.id, &chat, filter, limit, skip).await?;
        Ok((messages.into_iter().map(MessageView::new).collect(), total))
    }

    /// A received message's media, by the message's id or its WhatsApp id.
    pub async fn media(
        &self,
        caller: &Caller,
        instance_id: &str,
        message_id: &str,
    ) -> Result<StoredMedia, ApiError> {
        let deps = self.deps;
        let instance = visible_instance(deps, caller, instance_id).await?;
        let not_found = || ApiError::new(ErrorCode::MessageNotFound, "message not found");
        let not_stored = || {
            ApiError::new(
                ErrorCode::MediaNotStored,
                "this message has no stored media",
            )
        };
        if !is_message_id(message_id) {
            return Err(not_found());
        }
        writes_visible(deps).await;
        let message = db::messages::find(&deps.db, &instance.id, message_id)
            .await?
            .ok_or_else(not_found)?;
        // A message deleted for everyone takes its file with it.
        if message.revoked {
            return Err(not_stored());
        }
        let stored = message.media_path.as_deref().filter(|p| !p.contains(".."));
        let kept = match stored {
            Some(stored) => {
                let path = deps.settings.server.data_dir.join("media").join(stored);
                tokio::fs::read(path).await.ok()
            }
            None => None,
        };
        let bytes = match kept {
            Some(bytes) => bytes,
            None => super::media_again::fetch_again(deps, caller, &message)
                .await?
                .ok_or_else(not_stored)?,
        };
        Ok(StoredMedia {
            bytes,
            mimetype: message
                .media_mimetype
                .unwrap_or_else(|| "application/octet-stream".into()),
            filename: message.media_filename.unwrap_or_else(|| "file".into()),
        })
    }

    /// Everyone the instance exchanged messages with or learnt about.
    pub async fn contacts(
        &self,
        caller: &Caller,
        instance_id: &str,
    ) -> Result<ContactList, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        let contacts = db::contacts::list(&self.deps.db, &instance.id).await?;
        let contacts = contacts.into_iter().map(ContactView::new).collect();
        Ok(ContactList { contacts })
    }
}

/// The message a reply quotes: one of this instance's, by its WhatsApp id.
async fn quote(
    deps: &Deps,
    caller: &Caller,
    instance_id: &str,
    quoted: &str,
) -> Result<Quote, ApiError> {
    let (instance, row) = own_message(deps, caller, instance_id, quoted).await?;
    Ok(Quote {
        message_id: row.message_id.clone().unwrap_or_default(),
        sender: author(&instance, &row)?,
        body: row.content,
    })
}

/// A stored message of the instance, by its WhatsApp id (or the server's).
pub(super) async fn own_message(
    deps: &Deps,
    caller: &Caller,
    instance_id: &str,
    message_id: &str,
) -> Result<(entity::instances::Model, Message), ApiError> {
    let not_found = || ApiError::new(ErrorCode::MessageNotFound, "message not found");
    let instance = visible_instance(deps, caller, instance_id).await?;
    if !is_message_id(message_id) {
        return Err(not_found());
    }
    writes_visible(deps).await;
    let row = db::messages::find(&deps.db, &instance.id, message_id)
        .await?
        .filter(|row| row.message_id.is_some())
        .ok_or_else(not_found)?;
    Ok((instance, row))
}

/// Who wrote a stored message: the instance itself, or the other person.
pub(super) fn author(instance: &entity::instances::Model, row: &Message) -> Result<Jid, ApiError> {
    let jid = if row.from_me {
        instance
            .phone
            .as_deref()
            .and_then(|phone| Jid::parse(phone).ok())
    } else {
        Jid::parse(row.author.as_deref().unwrap_or(&row.remote_jid)).ok()
    };
    jid.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InstanceNotConnected,
            "the instance is not linked to a phone yet",
        )
    })
}

pub(super) fn send_error(err: SendMessageError) -> ApiError {
    let message = err.to_string();
    match err {
        SendMessageError::NotConnected => ApiError::new(ErrorCode::InstanceNotConnected, message),
        SendMessageError::Rejected(_) => ApiError::new(ErrorCode::SendRejected, message),
        SendMessageError::Failed(_) => ApiError::new(ErrorCode::SendFailed, message),
        SendMessageError::GroupNotFound(_) => ApiError::new(ErrorCode::GroupNotFound, message),
        SendMessageError::NotGroupAdmin(_) => ApiError::new(ErrorCode::NotGroupAdmin, message),
        SendMessageError::Storage(_) => {
            ApiError::unavailable("the message could not be recorded; try again")
        }
    }
}
