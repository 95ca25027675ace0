//! A received message's media fetched again: when its first download failed
//! (WhatsApp slow, the session down, the file too late), the message keeps
//! where WhatsApp holds the media, and `GET …/media` downloads it through the
//! instance's session, keeps the file and points the row at it. When
//! WhatsApp's servers dropped the file, the session asks the phone to upload
//! it again, and the message keeps the new location.

use std::time::Duration;

use entity::messages::Model as Message;

use super::Deps;
use super::access::{Caller, live_instance, on_session};
use crate::db;
use crate::domain::phone::Jid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{MediaLocation, MediaRequest, WaError};

/// Downloads the media of `message` again; `None` when it keeps no location.
/// Media past `whatsapp.max_media_bytes` is refused with the reason.
pub(super) async fn fetch_again(
    deps: &Deps,
    caller: &Caller,
    message: &Message,
) -> Result<Option<Vec<u8>>, ApiError> {
    let Some(location) = message
        .media_source
        .as_deref()
        .and_then(MediaLocation::from_json)
    else {
        return Ok(None);
    };
    let settings = &deps.settings.whatsapp;
    let size = message.media_size.unwrap_or(0).max(0) as u64;
    if size > settings.max_media_bytes as u64 {
        return Err(ApiError::new(
            ErrorCode::MediaNotStored,
            format!(
                "this message's media ({size} bytes) is larger than whatsapp.max_media_bytes ({}), so it is not fetched",
                settings.max_media_bytes
            ),
        ));
    }
    let request = MediaRequest {
        location,
        message_id: message.message_id.clone().unwrap_or_default(),
        chat: Jid::from_whatsapp(&message.remote_jid).ok_or_else(|| {
            ApiError::new(
                ErrorCode::MediaNotStored,
                "this message's chat cannot be named to WhatsApp, so its media is not fetched",
            )
        })?,
        from_me: message.from_me,
        author: message.author.as_deref().and_then(Jid::from_whatsapp),
    };
    let instance = live_instance(deps, caller, &message.instance_id)?;
    let late = "WhatsApp's media servers did not answer in time; try again";
    let deadline = Duration::from_millis(settings.media_fetch_timeout_ms);
    let fetched = on_session(&instance, deadline, late, move |session| {
        session.fetch_media(request)
    })
    .await?
    .map_err(|err| match err {
        WaError::NotConnected => ApiError::new(
            ErrorCode::InstanceNotConnected,
            "the media is not stored yet, and the instance must be connected to fetch it",
        ),
        // Expired at WhatsApp (its CDN's 404/410), or otherwise refused: not
        // stored, and the reason said.
        other => ApiError::new(
            ErrorCode::MediaNotStored,
            format!(
                "this message has no stored media, and WhatsApp did not hand it over again: {other}"
            ),
        ),
    })?;
    if let Some(moved) = &fetched.moved_to {
        db::messages::set_media_source(&deps.db, &message.id, &moved.to_json()).await?;
    }
    let bytes = fetched.bytes;
    let path = format!("{}/{}", message.instance_id, message.id);
    let file = deps.settings.server.data_dir.join("media").join(&path);
    let written = async {
        if let Some(dir) = file.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        tokio::fs::write(&file, &bytes).await
    };
    match written.await {
        Ok(()) => db::messages::set_media_path(&deps.db, &message.id, &path).await?,
        // Served all the same; the next request fetches it again.
        Err(err) => {
            tracing::warn!(message_id = %message.id, error = %err, "fetched media not kept")
        }
    }
    Ok(Some(bytes))
}
