//! People named by LID: the phone number behind a LID, and a phone number's
//! LID, as far as WhatsApp has told the instance.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::answers::LidMapping;
use crate::domain::fields::PersonPhone;
use crate::domain::phone::Jid;
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::state::AppState;

/// The phone number behind a LID.
///
/// WhatsApp names some people by a LID (`…@lid`) instead of their number. This answers the
/// number when WhatsApp has told it to the instance (its LID map, or a message that named
/// both); `phone` and `jid` are null when the LID is known but its number is not.
#[utoipa::path(tag = "whatsapp", operation_id = "getLid",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        ("lid" = String, Path, description = "The LID: its digits, with or without `@lid`", example = "200000007000001@lid"),
    ),
    responses(
        (status = 200, description = "The LID and the phone number behind it", body = LidMapping,
            example = json!({"lid": "200000007000001@lid", "phone": "79001234567", "jid": "79001234567@s.whatsapp.net"})),
        (status = 400, description = "Not a LID (`invalid_lid`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidLid, "a LID is 1-20 digits, with or without @lid"))),
        (status = 404, description = "The instance knows nothing of this LID (`lid_not_found`), or no such instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::LidNotFound, "this instance does not know the LID 200000007000001@lid: WhatsApp has not named it"))),
    ))]
#[get("/lids/{lid}")]
pub async fn lid(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, lid) = path.into_inner();
    let lid = Jid::parse_lid(&lid).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidLid,
            "a LID is 1-20 digits, with or without @lid",
        )
    });
    let found = state.app.people().lid(&user, &instance_id, lid).await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LidQuery {
    /// The phone number whose LID is asked (digits, optional leading +).
    #[param(value_type = String, required = true, example = "79001234567")]
    phone: Option<PersonPhone>,
}

/// A person's phone number, as the query names it.
fn person_phone(query: LidQuery) -> Result<Jid, ApiError> {
    let phone = query
        .phone
        .ok_or_else(|| ApiError::new(ErrorCode::ValidationError, "phone is required"))?
        .parse()?;
    if phone.is_lid() || phone.is_group() {
        return Err(ApiError::new(
            ErrorCode::InvalidPhone,
            "phone must be a person's phone number, not a LID or a group",
        ));
    }
    Ok(phone)
}

/// A phone number's LID.
///
/// The same shape as `GET …/lids/{lid}`, for the LID of a phone number the instance has
/// learnt one for.
#[utoipa::path(tag = "whatsapp", operation_id = "findLid",
    params(
        ("instance_id" = String, Path, description = "Instance id (UUID)"),
        LidQuery,
    ),
    responses(
        (status = 200, description = "The phone number's LID", body = LidMapping,
            example = json!({"lid": "200000007000001@lid", "phone": "79001234567", "jid": "79001234567@s.whatsapp.net"})),
        (status = 400, description = "`phone` is missing or not a phone number (`invalid_phone`, `validation_error`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::InvalidPhone, "phone must be 5-15 digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @s.whatsapp.net, @lid or @g.us"))),
        (status = 404, description = "The instance knows no LID of the number (`lid_not_found`), or no such instance (`instance_not_found`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::LidNotFound, "this instance knows no LID of 79001234567@s.whatsapp.net"))),
    ))]
#[get("/lids")]
pub async fn find_lid(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<LidQuery>,
) -> Result<HttpResponse, ApiError> {
    let phone = person_phone(query.into_inner());
    let found = state.app.people().lid(&user, &path, phone).await?;
    Ok(HttpResponse::Ok().json(found))
}
