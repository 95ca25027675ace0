//! One chat's history, and the bytes of received media.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::AuthUser;
use crate::db;
use crate::db::messages::ChatFilter;
use crate::domain::time::{iso_millis, parse_iso};
use crate::error::ApiError;
use crate::routes::access::visible_instance;
use crate::routes::pagination::{Page, Pagination};
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryQuery {
    limit: Option<i64>,
    skip: Option<i64>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn date(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    value
        .map(|raw| {
            parse_iso(raw).ok_or_else(|| {
                ApiError::validation(format!("{name} must be an ISO 8601 date or date-time"))
            })
        })
        .transpose()
}

pub async fn history(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, chat_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    let chat = super::parse_jid(&chat_id)?;
    let page = Page::parse(query.limit, query.skip, 50, 500)?;
    let filter = ChatFilter {
        start: date("startDate", query.start_date.as_deref())?,
        end: date("endDate", query.end_date.as_deref())?,
    };
    state.recorder.flush().await;
    let (messages, total) = db::messages::history(
        &state.db,
        &instance.id,
        &chat.to_string(),
        &filter,
        page.limit,
        page.skip,
    )
    .await?;
    let messages: Vec<_> = messages
        .into_iter()
        .map(|m| {
            json!({
                "id": m.id,
                "instanceId": m.instance_id,
                "remoteJid": m.remote_jid,
                "fromMe": m.from_me,
                "messageType": m.message_type,
                "content": m.content,
                "messageId": m.message_id,
                "hasMedia": m.has_media,
                "pushName": m.push_name,
                "status": m.status,
                "createdAt": iso_millis(m.created_at),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "messages": messages,
        "pagination": Pagination::new(total, page),
    })))
}

/// The bytes of a received media message, when the session handed them over.
pub async fn media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, message_id) = path.into_inner();
    let instance = visible_instance(&state, &user, &instance_id).await?;
    if !crate::domain::text::is_message_id(&message_id) {
        return Err(ApiError::not_found(
            "message_not_found",
            "message not found",
        ));
    }
    state.recorder.flush().await;
    let message = db::messages::find(&state.db, &instance.id, &message_id)
        .await?
        .ok_or_else(|| ApiError::not_found("message_not_found", "message not found"))?;
    let stored = message
        .media_path
        .as_deref()
        .filter(|p| !p.contains(".."))
        .ok_or_else(|| {
            ApiError::not_found("media_not_stored", "this message has no stored media")
        })?;
    let bytes = tokio::fs::read(state.settings.server.data_dir.join("media").join(stored))
        .await
        .map_err(|_| ApiError::not_found("media_not_stored", "this message has no stored media"))?;
    let mimetype = message
        .media_mimetype
        .unwrap_or_else(|| "application/octet-stream".into());
    let filename: String = message
        .media_filename
        .unwrap_or_else(|| "file".into())
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(mimetype)
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(bytes))
}
