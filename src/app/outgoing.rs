//! What a send carries, checked and fingerprinted, and files made ready to go
//! out: downloaded or uploaded, typed, previewed.

use bytes::Bytes;

use sha2::{Digest, Sha256};

use super::idempotency::{canonical, fingerprint};
use crate::domain::kinds::{ContactCard, Location};
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::net::fetch::FetchError;
use crate::net::guard::TargetError;
use crate::whatsapp::{MediaKind, OutgoingMedia, model};

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
    pub(super) fn fingerprint(&self, to: &Jid) -> String {
        let to = to.to_string();
        let described =
            |kind: &[u8], fields: String| fingerprint(&[kind, to.as_bytes(), fields.as_bytes()]);
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
                described(b"send", canonical(&(text, quoted, mentions)))
            }
            Self::MediaUrl {
                url,
                caption,
                filename,
                send_as,
                quoted,
            } => described(
                b"send-media",
                canonical(&(url, caption, filename, send_as, quoted)),
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
                canonical(&(
                    caption,
                    filename,
                    send_as,
                    quoted,
                    hex::encode(Sha256::digest(bytes)),
                )),
            ),
            Self::Location(place) => described(b"send-location", canonical(place)),
            Self::Contacts(cards) => described(b"send-contact", canonical(cards)),
            Self::Poll {
                question,
                options,
                selectable_count,
            } => described(
                b"send-poll",
                canonical(&(question, options, selectable_count)),
            ),
        }
    }

    pub(super) fn quoted(&self) -> Option<&str> {
        match self {
            Self::Text { quoted, .. }
            | Self::MediaUrl { quoted, .. }
            | Self::File { quoted, .. } => quoted.as_deref(),
            _ => None,
        }
    }
}

/// The file as it goes out: an image with its size and thumbnail, a video or
/// an audio with its playing time, read off the async threads. `send_as`
/// overrides what its type says, where WhatsApp can show it so.
pub(super) async fn media(
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

/// The mimetype a file is sent with: what its source says, else what its name says.
pub(super) fn mimetype_for(declared: Option<String>, filename: &str) -> String {
    declared
        .filter(|m| !m.is_empty() && m != "application/octet-stream")
        .unwrap_or_else(|| {
            mime_guess::from_path(filename)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
}

pub(super) fn fetch_error(err: FetchError) -> ApiError {
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
