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
use crate::actors::instance::{SendMessage, SendMessageError};
use crate::db;
use crate::domain::kinds::{ContactCard, Location};
use crate::domain::phone::Jid;
use crate::domain::text::{is_message_id, sanitize_filename};
use crate::error::{ApiError, ErrorCode};
use crate::net::fetch::{FetchError, MediaFetcher};
use crate::net::guard::TargetError;
use crate::whatsapp::{MediaKind, NewPoll, Outbound, OutgoingMedia, Quote, model};

pub use crate::db::messages::{ChatFilter, MessageStatus, MessageType};
/// A stored message, as the history shows it.
pub use entity::messages::Model as StoredMessage;

/// How a file goes out when not as its type says.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SendAs {
    /// A push-to-talk voice note (an audio file, best Ogg Opus).
    Voice,
    /// A sticker (a webp image).
    Sticker,
    /// A file to download, whatever it is.
    Document,
}

/// What to send, validated.
pub enum Content {
    Text {
        text: String,
        /// The WhatsApp id of a message of this instance to reply to.
        quoted: Option<String>,
        mentions: Vec<Jid>,
    },
    /// Media the server downloads first.
    MediaUrl {
        url: String,
        caption: Option<String>,
        /// The name the recipient sees; default: the URL's last path segment.
        filename: Option<String>,
        send_as: Option<SendAs>,
        quoted: Option<String>,
    },
    /// An uploaded file.
    File {
        bytes: Bytes,
        filename: String,
        mimetype: Option<String>,
        caption: Option<String>,
        send_as: Option<SendAs>,
        quoted: Option<String>,
    },
    Location(Location),
    Contacts(Vec<ContactCard>),
    Poll {
        question: String,
        options: Vec<String>,
        selectable_count: u32,
    },
}

impl Content {
    fn fingerprint(&self, to: &Jid) -> String {
        let to = to.to_string();
        let described = |kind: &[u8], fields: serde_json::Value| {
            fingerprint(&[kind, to.as_bytes(), fields.to_string().as_bytes()])
        };
        match self {
            Self::Text {
                text,
                quoted,
                mentions,
            } => {
                if quoted.is_none() && mentions.is_empty() {
                    // As before replies existed: a retried plain send still matches.
                    return fingerprint(&[b"send", to.as_bytes(), text.as_bytes()]);
                }
                let mentions: Vec<String> = mentions.iter().map(Jid::to_string).collect();
                described(b"send", json!([text, quoted, mentions]))
            }
            Self::MediaUrl {
                url,
                caption,
                filename,
                send_as,
                quoted,
            } => described(
                b"send-media",
                json!([url, caption, filename, send_as, quoted]),
            ),
            Self::File {
                bytes,
                filename,
                caption,
                send_as,
                quoted,
                ..
            } => described(
                b"send-file",
                json!([
                    caption,
                    filename,
                    send_as,
                    quoted,
                    hex::encode(Sha256::digest(bytes))
                ]),
            ),
            Self::Location(place) => described(b"send-location", json!(place)),
            Self::Contacts(cards) => described(b"send-contact", json!(cards)),
            Self::Poll {
                question,
                options,
                selectable_count,
            } => described(b"send-poll", json!([question, options, selectable_count])),
        }
    }

    fn quoted(&self) -> Option<&str> {
        match self {
            Self::Text { quoted, .. }
            | Self::MediaUrl { quoted, .. }
            | Self::File { quoted, .. } => quoted.as_deref(),
            _ => None,
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
/// an audio with its playing time, read off the async threads. `send_as`
/// overrides what its type says, where WhatsApp can show it so.
async fn media(
    bytes: Bytes,
    mimetype: String,
    filename: String,
    caption: Option<String>,
    send_as: Option<SendAs>,
) -> Result<OutgoingMedia, ApiError> {
    let own = MediaKind::for_mimetype(&mimetype);
    let kind = match send_as {
        None => own,
        Some(SendAs::Document) => MediaKind::Document,
        Some(SendAs::Voice) if mimetype.starts_with("audio/") => MediaKind::Voice,
        Some(SendAs::Voice) => {
            return Err(ApiError::validation(format!(
                "as: \"voice\" needs an audio file, not {mimetype}"
            )));
        }
        Some(SendAs::Sticker) if mimetype == "image/webp" => MediaKind::Sticker,
        Some(SendAs::Sticker) => {
            return Err(ApiError::validation(format!(
                "as: \"sticker\" needs a webp image (image/webp), not {mimetype}"
            )));
        }
    };
    if kind == MediaKind::Sticker && caption.as_deref().is_some_and(|c| !c.is_empty()) {
        return Err(ApiError::validation(
            "caption: a sticker has no caption".to_owned(),
        ));
    }
    let media = OutgoingMedia {
        kind,
        bytes,
        mimetype,
        filename,
        caption,
        thumbnail: None,
        dimensions: None,
        seconds: None,
    };
    if matches!(media.kind, MediaKind::Document | MediaKind::Sticker) {
        return Ok(media);
    }
    let fallback = media.clone();
    Ok(actix_web::web::block(move || {
        let mut media = media;
        model::add_preview(&mut media);
        media
    })
    .await
    .unwrap_or(fallback))
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
        Jid::parse(&row.remote_jid).ok()
    };
    jid.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InstanceNotConnected,
            "the instance is not linked to a phone yet",
        )
    })
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

pub(super) fn send_error(err: SendMessageError) -> ApiError {
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
