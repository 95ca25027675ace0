//! The `multipart/form-data` body of send-file, read with a size cap and a
//! clock; the file goes to a temporary file as it arrives, never whole into
//! memory, whatever size the request declares.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use actix_multipart::{Field, Multipart};
use bytes::{Bytes, BytesMut};
use futures_util::TryStreamExt;

use crate::domain::fields::{Caption, Chat, MessageId};
use crate::domain::text::sanitize_filename;
use crate::error::{ApiError, ErrorCode};
use crate::security::uploads::BodyClock;

/// Text fields (`phone`, `caption`) are short; this bounds them.
const MAX_TEXT_FIELD_BYTES: usize = 64 * 1024;

pub struct Upload {
    pub phone: Chat,
    pub caption: Option<Caption>,
    /// `as`: voice, sticker or document.
    pub send_as: Option<String>,
    pub quoted_message_id: Option<MessageId>,
    pub file: SpooledFile,
    pub filename: String,
    pub mimetype: Option<String>,
}

/// An uploaded file in an unnamed temporary file: the system removes it when
/// it is closed, even if the process dies.
pub struct SpooledFile {
    file: std::fs::File,
    len: usize,
}

impl SpooledFile {
    pub fn len(&self) -> usize {
        self.len
    }

    /// The file's bytes, read back in one allocation of its size (off the
    /// async threads).
    pub async fn into_bytes(self) -> Result<Bytes, ApiError> {
        let Self { mut file, len } = self;
        let bytes = tokio::task::spawn_blocking(move || {
            file.seek(SeekFrom::Start(0))?;
            let mut bytes = Vec::with_capacity(len);
            file.read_to_end(&mut bytes)?;
            Ok::<_, std::io::Error>(bytes)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
        Ok(Bytes::from(bytes))
    }
}

/// Where an upload is kept while it arrives, and what bounds it.
pub struct UploadRules<'a> {
    pub max_file_bytes: usize,
    pub spool_dir: &'a Path,
    pub clock: BodyClock,
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

pub async fn read(mut form: Multipart, rules: UploadRules<'_>) -> Result<Upload, ApiError> {
    let (mut phone, mut caption, mut file) = (None, None, None);
    let (mut send_as, mut quoted) = (None, None);
    let clock = rules.clock;
    while let Some(field) = clock.within(form.try_next()).await?.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "phone" => phone = Some(read_text(field, "phone", clock).await?),
            "caption" => caption = Some(read_text(field, "caption", clock).await?),
            "as" => send_as = Some(read_text(field, "as", clock).await?),
            "quotedMessageId" => {
                quoted = Some(read_text(field, "quotedMessageId", clock).await?);
            }
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
                let spooled = spool(field, &rules).await?;
                file = Some((spooled, filename, mimetype));
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
    if file.len == 0 {
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

async fn read_text(field: Field, name: &str, clock: BodyClock) -> Result<String, ApiError> {
    let bytes = read_capped(field, MAX_TEXT_FIELD_BYTES, clock)
        .await
        .map_err(|err| match err.code() {
            ErrorCode::PayloadTooLarge => ApiError::validation(format!("{name} is too long")),
            _ => err,
        })?;
    String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::validation(format!("{name} must be UTF-8 text")))
}

async fn read_capped(mut field: Field, limit: usize, clock: BodyClock) -> Result<Bytes, ApiError> {
    let mut buffer = BytesMut::new();
    while let Some(chunk) = clock.within(field.try_next()).await?.map_err(invalid)? {
        if buffer.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    Ok(buffer.freeze())
}

/// The file part, written to a temporary file as it arrives.
async fn spool(mut field: Field, rules: &UploadRules<'_>) -> Result<SpooledFile, ApiError> {
    let dir = rules.spool_dir.to_owned();
    let file = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        tempfile::tempfile_in(&dir)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let mut file = file;
    let mut len = 0;
    while let Some(chunk) = rules
        .clock
        .within(field.try_next())
        .await?
        .map_err(invalid)?
    {
        len += chunk.len();
        if len > rules.max_file_bytes {
            return Err(ApiError::payload_too_large(rules.max_file_bytes));
        }
        // The chunk itself goes to the blocking write: no second buffer holds a
        // copy of it, however many uploads arrive at once.
        file = tokio::task::spawn_blocking(move || {
            file.write_all(&chunk)?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    }
    Ok(SpooledFile { file, len })
}
