//! A stored message's media downloaded again through the engine. WhatsApp's
//! servers drop files after a while (404/410); the phone that has the message
//! can upload it anew when asked (`media_reupload`), and the download is tried
//! once more at the new path.

use std::sync::Arc;

use whatsapp_rust::download::Downloadable;
use whatsapp_rust::features::{MediaRetryResult, MediaReuploadRequest};
use whatsapp_rust::{Client, ErrorChainExt};

use crate::whatsapp::model::engine_jid;
use crate::whatsapp::{FetchedMedia, MediaRequest, WaError};

pub async fn fetch(client: Arc<Client>, request: MediaRequest) -> Result<FetchedMedia, WaError> {
    let failed = |err: anyhow::Error| WaError::Session(format!("the media download failed: {err}"));
    let first = client.download(&request.location).await;
    let err = match first {
        Ok(bytes) => {
            return Ok(FetchedMedia {
                bytes,
                moved_to: None,
            });
        }
        Err(err) => err,
    };
    let cause: &(dyn std::error::Error + Send + Sync + 'static) = err.as_ref();
    if !matches!(cause.http_status(), Some(404 | 410)) {
        return Err(failed(err));
    }
    tracing::debug!(message_id = %request.message_id, "media gone from WhatsApp's servers; asking the phone to upload it again");
    let direct_path = reupload(&client, &request).await?;
    let location = request.location.moved_to(direct_path);
    let bytes = client.download(&location).await.map_err(failed)?;
    Ok(FetchedMedia {
        bytes,
        moved_to: Some(location),
    })
}

/// The new path the phone uploaded the file to.
async fn reupload(client: &Client, request: &MediaRequest) -> Result<String, WaError> {
    let chat = engine_jid(&request.chat)?;
    let participant = request.author.as_ref().map(engine_jid).transpose()?;
    let media_key = request
        .location
        .media_key()
        .ok_or_else(|| WaError::Session("the media's key is not kept".to_owned()))?;
    let asked = MediaReuploadRequest {
        msg_id: &request.message_id,
        chat_jid: &chat,
        media_key,
        is_from_me: request.from_me,
        participant: participant.as_ref(),
    };
    let answer = client
        .media_reupload()
        .request(&asked)
        .await
        .map_err(|err| {
            WaError::Session(format!(
                "the phone was asked to upload the media again, and did not: {err}"
            ))
        })?;
    match answer {
        MediaRetryResult::Success { direct_path } => Ok(direct_path),
        MediaRetryResult::NotFound => Err(WaError::Session(
            "WhatsApp's servers no longer have this media, and the phone no longer has it either"
                .to_owned(),
        )),
        MediaRetryResult::DecryptionError => Err(WaError::Session(
            "the phone could not read the request to upload the media again".to_owned(),
        )),
        _ => Err(WaError::Session(
            "the phone could not upload the media again".to_owned(),
        )),
    }
}
