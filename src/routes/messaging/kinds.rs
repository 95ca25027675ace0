//! Sending places, contact cards and polls.

use actix_web::{HttpRequest, HttpResponse, post, web};

use serde::Deserialize;
use utoipa::ToSchema;

use super::answer;
use crate::app::messaging::Content;
use crate::domain::fields::{
    CardName, Chat, MAX_POLL_OPTIONS, PersonPhone, PlaceText, PollOption, PollQuestion,
    SelectableCount,
};
use crate::domain::kinds::{ContactCard, Location};
use crate::domain::user::AuthUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::Json;
use crate::http::state::AppState;
use crate::net::fetch::MediaFetcher;
use crate::routes::input;

/// Most contact cards in one message.
pub const MAX_CARDS: usize = 10;
/// A poll's options: WhatsApp's own bounds.
pub const POLL_OPTIONS: std::ops::RangeInclusive<usize> = 2..=MAX_POLL_OPTIONS as usize;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendLocation {
    phone: Chat,
    /// Degrees, -90 to 90.
    #[schema(minimum = -90, maximum = 90, example = 55.7539)]
    latitude: f64,
    /// Degrees, -180 to 180.
    #[schema(minimum = -180, maximum = 180, example = 37.6208)]
    longitude: f64,
    name: Option<PlaceText>,
    address: Option<PlaceText>,
}

/// Send a location.
#[utoipa::path(tag = "whatsapp", operation_id = "sendLocation",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = SendLocation, description = "`phone`, `latitude` (-90 to 90), `longitude` (-180 to 180), optional `name` and `address` (at most 1000 characters each)",
        example = json!({"phone": "79001234567", "latitude": 55.7539, "longitude": 37.6208, "name": "Red Square", "address": "Moscow, Russia"})),
    responses(
        (status = 400, description = "`validation_error` (a coordinate out of range, a missing or unknown field), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`, or WhatsApp refused the message (`send_rejected`)", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "latitude must be between -90 and 90"))),
    ))]
#[post("/send-location")]
pub async fn send_location(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: Json<SendLocation>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let body = body.into_inner();
    let to = body.phone.parse()?;
    if !(-90.0..=90.0).contains(&body.latitude) {
        return Err(ApiError::validation("latitude must be between -90 and 90"));
    }
    if !(-180.0..=180.0).contains(&body.longitude) {
        return Err(ApiError::validation(
            "longitude must be between -180 and 180",
        ));
    }
    let optional = |field: &str, value: Option<PlaceText>| {
        value
            .map(|v| v.parse(field))
            .transpose()
            .map(Option::flatten)
    };
    let place = Location {
        latitude: body.latitude,
        longitude: body.longitude,
        name: optional("name", body.name)?,
        address: optional("address", body.address)?,
    };
    let sent = state
        .app
        .messaging()
        .send(&user, &path, key, to, Content::Location(place), &fetcher)
        .await?;
    Ok(answer(sent))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendContact {
    phone: Chat,
    /// 1 to 10 cards; the server builds their vCards.
    #[schema(min_items = 1, max_items = 10)]
    contacts: Vec<ContactCardInput>,
}

/// A contact card to send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCardInput {
    name: CardName,
    /// The card's number: digits with an optional leading +, spaces, dashes.
    phone: PersonPhone,
}

/// Send contact cards.
#[utoipa::path(tag = "whatsapp", operation_id = "sendContact",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = SendContact, description = "`phone` and `contacts` (1-10 cards of `name` and `phone`)",
        example = json!({"phone": "79001234567", "contacts": [{"name": "Ivan Ivanov", "phone": "79001234567"}]})),
    responses(
        (status = 400, description = "`validation_error` (no cards or more than 10, a blank name), `invalid_phone` (the recipient's or a card's), `invalid_json`, `invalid_idempotency_key`, or `send_rejected`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "contacts must hold 1-10 cards"))),
    ))]
#[post("/send-contact")]
pub async fn send_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: Json<SendContact>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let body = body.into_inner();
    let to = body.phone.parse()?;
    if body.contacts.is_empty() || body.contacts.len() > MAX_CARDS {
        return Err(ApiError::validation(format!(
            "contacts must hold 1-{MAX_CARDS} cards"
        )));
    }
    let cards = body
        .contacts
        .into_iter()
        .map(|card| {
            Ok(ContactCard {
                name: card.name.parse()?,
                phone: card.phone.parse()?.user().to_owned(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let sent = state
        .app
        .messaging()
        .send(&user, &path, key, to, Content::Contacts(cards), &fetcher)
        .await?;
    Ok(answer(sent))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendPoll {
    phone: Chat,
    question: PollQuestion,
    /// 2 to 12 distinct options.
    #[schema(value_type = BTreeSet<PollOption>, min_items = 2, max_items = 12, example = json!(["Yes", "No"]))]
    options: Vec<PollOption>,
    /// How many options one voter may pick: 1 (default) up to the number of options.
    selectable_count: Option<SelectableCount>,
}

/// Send a poll.
#[utoipa::path(tag = "whatsapp", operation_id = "sendPoll",
    params(("instance_id" = String, Path, description = "Instance id (UUID)")),
    request_body(content = SendPoll, description = "`phone`, `question` (1-255 characters), `options` (2-12 distinct, 1-100 characters each), optional `selectableCount` (1 up to the number of options; default 1)",
        example = json!({"phone": "79001234567", "question": "Lunch at noon?", "options": ["Yes", "No"], "selectableCount": 1})),
    responses(
        (status = 400, description = "`validation_error` (fewer than 2 or more than 12 options, duplicates, `selectableCount` out of range, a blank question or option), `invalid_phone`, `invalid_json`, `invalid_idempotency_key`, or `send_rejected`", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::ValidationError, "selectableCount must be between 1 and 2 (the number of options)"))),
    ))]
#[post("/send-poll")]
pub async fn send_poll(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    fetcher: web::Data<MediaFetcher>,
    body: Json<SendPoll>,
) -> Result<HttpResponse, ApiError> {
    let key = input::idempotency_key(req.headers())?;
    let body = body.into_inner();
    let to = body.phone.parse()?;
    let question = body.question.parse()?;
    let options = poll_options("options", body.options, POLL_OPTIONS)?;
    let selectable_count = SelectableCount::parse(body.selectable_count, options.len())?;
    let content = Content::Poll {
        question,
        options,
        selectable_count,
    };
    let sent = state
        .app
        .messaging()
        .send(&user, &path, key, to, content, &fetcher)
        .await?;
    Ok(answer(sent))
}

/// Distinct options, each a valid option text, as many as `count` allows.
pub(super) fn poll_options(
    field: &str,
    options: Vec<PollOption>,
    count: std::ops::RangeInclusive<usize>,
) -> Result<Vec<String>, ApiError> {
    if !count.contains(&options.len()) {
        return Err(ApiError::validation(format!(
            "{field} must hold {}-{} options",
            count.start(),
            count.end()
        )));
    }
    let mut checked: Vec<String> = Vec::with_capacity(options.len());
    for (index, option) in options.into_iter().enumerate() {
        let option = option.parse(&format!("{field}[{index}]"))?;
        if checked.contains(&option) {
            return Err(ApiError::validation(format!(
                "{field} must be distinct: \"{option}\" is there twice"
            )));
        }
        checked.push(option);
    }
    Ok(checked)
}
