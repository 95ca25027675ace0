//! Every message wamux sends, built once as WhatsApp's own `Message`: the
//! engine hands it to its client, the simulated network carries it as it is.

use whatsapp_rust::download::MediaType;
use whatsapp_rust::waproto::buffa::MessageField;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::domain::phone::Jid;
use crate::whatsapp::{MediaKind, OutgoingMedia, WaError};

/// Where an upload landed and how it was encrypted: what a media message must
/// carry for its recipient to download and decrypt it. The engine gets it from
/// WhatsApp's media servers, the simulated network from its own.
#[derive(Debug, Clone)]
pub struct Uploaded {
    pub url: String,
    pub direct_path: String,
    pub media_key: [u8; 32],
    pub file_enc_sha256: [u8; 32],
    pub file_sha256: [u8; 32],
    pub file_length: u64,
    /// Unix seconds when the media key was made.
    pub media_key_timestamp: i64,
    /// The per-64-KiB MAC table of audio and video, for playback while loading.
    pub streaming_sidecar: Option<Vec<u8>>,
}

impl From<whatsapp_rust::upload::UploadResponse> for Uploaded {
    fn from(upload: whatsapp_rust::upload::UploadResponse) -> Self {
        Self {
            url: upload.url,
            direct_path: upload.direct_path,
            media_key: upload.media_key,
            file_enc_sha256: upload.file_enc_sha256,
            file_sha256: upload.file_sha256,
            file_length: upload.file_length,
            media_key_timestamp: upload.media_key_timestamp,
            streaming_sidecar: upload.streaming_sidecar,
        }
    }
}

/// wamux's JID as the engine's.
pub fn engine_jid(jid: &Jid) -> Result<whatsapp_rust::Jid, WaError> {
    jid.to_string()
        .parse()
        .map_err(|err| WaError::Rejected(format!("invalid recipient: {err}")))
}

/// A plain text message, as WhatsApp's own clients send one without a link
/// preview or a quote.
pub fn text(body: &str) -> wa::Message {
    wa::Message {
        conversation: Some(body.to_owned()),
        ..Default::default()
    }
}

/// Which media keys encrypt a file of this kind (they differ per kind).
pub fn media_type(kind: MediaKind) -> MediaType {
    match kind {
        MediaKind::Image => MediaType::Image,
        MediaKind::Video => MediaType::Video,
        MediaKind::Audio | MediaKind::Voice => MediaType::Audio,
        MediaKind::Document => MediaType::Document,
        MediaKind::Sticker => MediaType::Sticker,
    }
}

/// A media message pointing at `upload`. WhatsApp's audio message has no
/// caption: an audio file with a caption goes as a document, so that the
/// caption reaches the reader with the file instead of being lost.
pub fn media(upload: Uploaded, media: &OutgoingMedia) -> wa::Message {
    let kind = sent_kind(media);
    let mimetype = Some(media.mimetype.clone());
    let caption = media.caption.clone();
    let Uploaded {
        url,
        direct_path,
        media_key,
        file_enc_sha256,
        file_sha256,
        file_length,
        media_key_timestamp,
        streaming_sidecar,
    } = upload;
    let (url, direct_path) = (Some(url), Some(direct_path));
    let media_key = Some(media_key.to_vec());
    let file_sha256 = Some(file_sha256.to_vec());
    let file_enc_sha256 = Some(file_enc_sha256.to_vec());
    let (file_length, media_key_timestamp) = (Some(file_length), Some(media_key_timestamp));
    let dimensions = media.dimensions;
    let (width, height) = (dimensions.map(|d| d.0), dimensions.map(|d| d.1));
    match kind {
        MediaKind::Image => wa::Message {
            image_message: MessageField::some(wa::message::ImageMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                media_key_timestamp,
                mimetype,
                caption,
                width,
                height,
                jpeg_thumbnail: media.thumbnail.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        MediaKind::Video => wa::Message {
            video_message: MessageField::some(wa::message::VideoMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                media_key_timestamp,
                streaming_sidecar,
                mimetype,
                caption,
                width,
                height,
                seconds: media.seconds,
                jpeg_thumbnail: media.thumbnail.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        MediaKind::Audio | MediaKind::Voice => wa::Message {
            audio_message: MessageField::some(wa::message::AudioMessage {
                ptt: Some(kind == MediaKind::Voice),
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                media_key_timestamp,
                streaming_sidecar,
                mimetype,
                seconds: media.seconds,
                ..Default::default()
            }),
            ..Default::default()
        },
        MediaKind::Document => wa::Message {
            document_message: MessageField::some(wa::message::DocumentMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                media_key_timestamp,
                mimetype,
                caption,
                file_name: Some(media.filename.clone()),
                title: Some(media.filename.clone()),
                jpeg_thumbnail: media.thumbnail.clone(),
                ..Default::default()
            }),
            ..Default::default()
        },
        MediaKind::Sticker => wa::Message {
            sticker_message: MessageField::some(wa::message::StickerMessage {
                url,
                direct_path,
                media_key,
                file_sha256,
                file_enc_sha256,
                file_length,
                media_key_timestamp,
                mimetype,
                width,
                height,
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

/// The kind the file travels as: its own, except captioned audio (see [`media`]).
pub fn sent_kind(media: &OutgoingMedia) -> MediaKind {
    match media.kind {
        MediaKind::Audio | MediaKind::Voice
            if media.caption.as_deref().is_some_and(|c| !c.is_empty()) =>
        {
            MediaKind::Document
        }
        kind => kind,
    }
}
