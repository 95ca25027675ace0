//! The `multipart/form-data` body of send-file, read with a size cap.

use actix_multipart::{Field, Multipart};
use bytes::{Bytes, BytesMut};
use futures_util::TryStreamExt;

use crate::domain::fields::{Caption, Chat, MessageId};
use crate::domain::text::sanitize_filename;
use crate::error::{ApiError, ErrorCode};

/// Text fields (`phone`, `caption`) are short; this bounds them.
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;

pub struct Upload {
    pub phone: Chat,
    pub caption: Option<Caption>,
    /// `as`: voice, sticker or document.
    pub send_as: Option<String>,
    pub quoted_message_id: Option<MessageId>,
    pub file: Bytes,
    pub filename: String,
    pub mimetype: Option<String>,
}

fn invalid(err: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidMultipart,
        format!("invalid multipart/form-data body: {err}"),
    )
}

/// Not a multipart form at all is a 415, like a JSON route given something else.
fn unreadable(err: actix_multipart::MultipartError) -> ApiError {
    use actix_multipart::MultipartError as E;
    match err {
        E::ContentTypeMissing | E::ContentTypeParse | E::ContentTypeIncompatible => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Content-Type must be multipart/form-data",
        ),
        other => invalid(other),
    }
}

/// `declared`: the request's Content-Length, which bounds the file: its buffer
/// is sized once (grown by doubling, a large file would briefly be held twice).
pub async fn read(
    mut form: Multipart,
    max_file_bytes: usize,
    declared: Option<usize>,
) -> Result<Upload, ApiError> {
    let (mut phone, mut caption, mut file) = (None, None, None);
    let (mut send_as, mut quoted) = (None, None);
    while let Some(field) = form.try_next().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "phone" => phone = Some(read_text(field, "phone").await?),
            "caption" => caption = Some(read_text(field, "caption").await?),
            "as" => send_as = Some(read_text(field, "as").await?),
            "quotedMessageId" => quoted = Some(read_text(field, "quotedMessageId").await?),
            "file" => {
                let filename = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(sanitize_filename)
                    .unwrap_or_else(|| "file".into());
                let mimetype = field
                    .content_type()
                    .map(|m| m.essence_str().to_owned())
                    .filter(|m| m != "application/octet-stream");
                let expected = declared.unwrap_or(0).min(max_file_bytes);
                let bytes = read_capped(field, max_file_bytes, expected).await?;
                file = Some((bytes, filename, mimetype));
            }
            other => {
                return Err(ApiError::validation(format!(
                    "unexpected form field {other:?}: send phone, caption, as, quotedMessageId and file"
                )));
            }
        }
    }
    let phone = phone.ok_or_else(|| ApiError::validation("missing form field `phone`"))?;
    let (file, filename, mimetype) =
        file.ok_or_else(|| ApiError::validation("missing form field `file`"))?;
    if file.is_empty() {
        return Err(ApiError::validation("the file is empty"));
    }
    Ok(Upload {
        phone: Chat::from(phone.as_str()),
        caption: caption.as_deref().map(Caption::from),
        send_as,
        quoted_message_id: quoted.as_deref().map(MessageId::from),
        file,
        filename,
        mimetype,
    })
}

async fn read_text(field: Field, name: &str) -> Result<String, ApiError> {
    let bytes = read_capped(field, MAX_TEXT_FIELD_BYTES, 0)
        .await
        .map_err(|err| match err.code() {
            ErrorCode::PayloadTooLarge => ApiError::validation(format!("{name} is too long")),
            _ => err,
        })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::validation(format!("{name} must be UTF-8 text")))
}

async fn read_capped(mut field: Field, limit: usize, expected: usize) -> Result<Bytes, ApiError> {
    let mut buffer = BytesMut::with_capacity(expected);
    while let Some(chunk) = field.try_next().await.map_err(invalid)? {
        if buffer.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}
