//! Sending messages (once per idempotency key, answered only when stored and
//! their webhook is in the outbox), and reading chats, media and contacts.

use bytes::Bytes;
use entity::contacts::Model as Contact;
use entity::messages::Model as Message;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::Deps;
use super::access::{
    Caller, ask, live_instance, visible_instance, webhooks_durable, writes_visible,
};
use super::idempotency::{self, IdempotencyKey, Idempotent, fingerprint};
use crate::actors::instance::{Outgoing, SendMessage, SendMessageError};
use crate::db;
use crate::domain::phone::Jid;
use crate::domain::text::{is_message_id, sanitize_filename};
use crate::error::{ApiError, ErrorCode};
use crate::net::fetch::{FetchError, MediaFetcher};
use crate::net::guard::TargetError;
use crate::whatsapp::{MediaKind, OutgoingMedia, model};

pub use crate::db::messages::{ChatFilter, MessageStatus, MessageType};

/// What to send, validated.
pub enum Content {
    Text(String),
    /// Media the server downloads first.
    MediaUrl {
        url: String,
        caption: Option<String>,
        /// The name the recipient sees; default: the URL's last path segment.
        filename: Option<String>,
    },
    /// An uploaded file.
    File {
        bytes: Bytes,
        filename: String,
        mimetype: Option<String>,
        caption: Option<String>,
    },
}

impl Content {
    fn fingerprint(&self, to: &Jid) -> String {
        let to = to.to_string();
        match self {
            Self::Text(text) => fingerprint(&[b"send", to.as_bytes(), text.as_bytes()]),
            Self::MediaUrl {
                url,
                caption,
                filename,
            } => fingerprint(&[
                b"send-media",
                to.as_bytes(),
                url.as_bytes(),
                caption.as_deref().unwrap_or_default().as_bytes(),
                filename.as_deref().unwrap_or_default().as_bytes(),
            ]),
            Self::File {
                bytes,
                filename,
                caption,
                ..
            } => fingerprint(&[
                b"send-file",
                to.as_bytes(),
                caption.as_deref().unwrap_or_default().as_bytes(),
                filename.as_bytes(),
                &Sha256::digest(bytes)[..],
            ]),
        }
    }
}

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
            let outgoing = match content {
                Content::Text(text) => Outgoing::Text(text),
                Content::MediaUrl {
                    url,
                    caption,
                    filename,
                } => {
                    let fetched = fetcher.fetch(&url).await.map_err(fetch_error)?;
                    let name = filename
                        .as_deref()
                        .map(sanitize_filename)
                        .unwrap_or_else(|| sanitize_filename(fetched.final_url.path()));
                    let mimetype = mimetype_for(fetched.content_type, &name);
                    Outgoing::Media(media(fetched.bytes, mimetype, name, caption).await)
                }
                Content::File {
                    bytes,
                    filename,
                    mimetype,
                    caption,
                } => {
                    let mimetype = mimetype_for(mimetype, &filename);
                    Outgoing::Media(media(bytes, mimetype, filename, caption).await)
                }
            };
            let id = ask(
                deps,
                &instance,
                SendMessage {
                    to,
                    content: outgoing,
                },
            )
            .await?
            .map_err(send_error)?;
            webhooks_durable(deps).await?;
            Ok(json!({ "id": id }))
        };
        idempotency::once(deps, instance_id, key, &print, sending).await
    }

    /// A page of one chat's messages, newest first.
    pub async fn history(
        &self,
        caller: &Caller,
        instance_id: &str,
        chat: &Jid,
        filter: &ChatFilter,
        limit: u64,
        skip: u64,
    ) -> Result<(Vec<Message>, u64), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        let chat = chat.to_string();
        Ok(db::messages::history(&self.deps.db, &instance.id, &chat, filter, limit, skip).await?)
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
        let stored = message
            .media_path
            .as_deref()
            .filter(|p| !p.contains(".."))
            .ok_or_else(not_stored)?;
        let path = deps.settings.server.data_dir.join("media").join(stored);
        let bytes = tokio::fs::read(path).await.map_err(|_| not_stored())?;
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
    ) -> Result<Vec<Contact>, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        Ok(db::contacts::list(&self.deps.db, &instance.id).await?)
    }
}

/// The file as it goes out: an image with its size and thumbnail, a video or
/// an audio with its playing time, read off the async threads.
async fn media(
    bytes: Bytes,
    mimetype: String,
    filename: String,
    caption: Option<String>,
) -> OutgoingMedia {
    let media = OutgoingMedia {
        kind: MediaKind::for_mimetype(&mimetype),
        bytes,
        mimetype,
        filename,
        caption,
        thumbnail: None,
        dimensions: None,
        seconds: None,
    };
    if media.kind == MediaKind::Document {
        return media;
    }
    let fallback = media.clone();
    actix_web::web::block(move || {
        let mut media = media;
        model::add_preview(&mut media);
        media
    })
    .await
    .unwrap_or(fallback)
}

/// The mimetype a file is sent with: what its source says, else what its name says.
fn mimetype_for(declared: Option<String>, filename: &str) -> String {
    declared
        .filter(|m| !m.is_empty() && m != "application/octet-stream")
        .unwrap_or_else(|| {
            mime_guess::from_path(filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
}

fn send_error(err: SendMessageError) -> ApiError {
    let message = err.to_string();
    match err {
        SendMessageError::NotConnected => ApiError::new(ErrorCode::InstanceNotConnected, message),
        SendMessageError::Rejected(_) => ApiError::new(ErrorCode::SendRejected, message),
        SendMessageError::Failed(_) => ApiError::new(ErrorCode::SendFailed, message),
        SendMessageError::Storage(_) => {
            ApiError::unavailable("the message could not be recorded; try again")
        }
    }
}

fn fetch_error(err: FetchError) -> ApiError {
    let message = err.to_string();
    match err {
        FetchError::Target(TargetError::Private) => {
            ApiError::new(ErrorCode::UrlNotAllowed, message)
        }
        FetchError::Target(TargetError::InvalidUrl) => {
            ApiError::validation(format!("url: {message}"))
        }
        FetchError::TooLarge(limit) => ApiError::payload_too_large(limit),
        _ => ApiError::new(ErrorCode::MediaFetchFailed, message),
    }
}
