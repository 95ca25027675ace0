//! The limits the server enforces that body fields' types do not state
//! themselves (those come with `domain::fields`): parameters, page sizes,
//! periods, the closed sets of values and the rules that tie fields together.
//! A client generated from the document, or a fuzzer reading it, sees exactly
//! what the server takes.

use serde_json::{Value, json};
use utoipa::openapi::path::{Operation, ParameterStyle};
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, KnownFormat, Object,
    ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{OpenApi, RefOr};
use utoipa::{Modify, PartialSchema};

use crate::app::instances::ActivityAction;
use crate::app::webhooks::DeliveryState;
use crate::domain::fields::{Chat, GroupId, MessageId, PersonPhone, text_schema};
use crate::domain::period::Periods;
use crate::domain::rules;
use crate::routes::pagination::{MAX_SKIP, PageSize};

pub struct Limits;

impl Modify for Limits {
    fn modify(&self, openapi: &mut OpenApi) {
        body_limits(openapi);
        cross_field_rules(openapi);
        for (path, item) in &mut openapi.paths.paths {
            for operation in super::operations(item) {
                parameter_limits(path, operation);
                super::answers::binary_answers(operation);
                super::answers::event_stream(operation);
            }
        }
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn number(n: i64) -> utoipa::Number {
    utoipa::Number::Int(isize::try_from(n).unwrap_or(isize::MAX))
}

fn component_object<'a>(openapi: &'a mut OpenApi, name: &str) -> Option<&'a mut Object> {
    let schema = openapi.components.as_mut()?.schemas.get_mut(name)?;
    match schema {
        RefOr::T(Schema::Object(object)) => Some(object),
        _ => None,
    }
}

/// The fields' own limits come with their types (`domain::fields`); what is
/// left is the upload form's.
fn body_limits(openapi: &mut OpenApi) {
    // JSON bodies ignore fields they do not know (clients may send more than
    // a version reads); the upload form refuses them, since a misnamed file
    // part would otherwise be dropped with its bytes.
    if let Some(form) = component_object(openapi, "SendFileForm") {
        form.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        // An empty file is refused: there is nothing to send.
        if let Some(RefOr::T(Schema::Object(file))) = form.properties.get_mut("file") {
            file.min_length = Some(1);
        }
    }
}

/// Rules that tie fields together, as `anyOf` beside the object's own schema.
fn cross_field_rules(openapi: &mut OpenApi) {
    let non_empty = || {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
    };
    // webhookEnabled: true needs a webhookUrl (an empty one means none).
    let webhook_off = ObjectBuilder::new().property(
        "webhookEnabled",
        ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::Boolean,
                Type::Null,
            ]))
            .enum_values(Some([json!(false), Value::Null])),
    );
    let with_url = ObjectBuilder::new()
        .property("webhookUrl", non_empty())
        .required("webhookUrl");
    require_one_of(
        openapi,
        "CreateInstance",
        [webhook_off.into(), with_url.into()],
    );
    // A received message has a body, media, or both.
    let with_body = ObjectBuilder::new()
        .property("body", non_empty())
        .required("body");
    let with_media = ObjectBuilder::new()
        .property(
            "media",
            RefOr::Ref(utoipa::openapi::Ref::from_schema_name("InboundMedia")),
        )
        .required("media");
    require_one_of(openapi, "Inbound", [with_body.into(), with_media.into()]);
}

fn require_one_of(openapi: &mut OpenApi, name: &str, alternatives: [Schema; 2]) {
    let Some(schemas) = openapi.components.as_mut().map(|c| &mut c.schemas) else {
        return;
    };
    let Some(own) = schemas.remove(name) else {
        return;
    };
    let mut any_of = AnyOfBuilder::new();
    for alternative in alternatives {
        any_of = any_of.item(alternative);
    }
    let combined = AllOfBuilder::new().item(own).item(any_of).build();
    schemas.insert(name.to_owned(), RefOr::T(Schema::AllOf(combined)));
}

/// What a query, path or header parameter may hold, by its name (and, for
/// page sizes and periods, its route).
fn parameter_schema(path: &str, name: &str) -> Option<RefOr<Schema>> {
    let values = |names: Vec<&'static str>, default: Option<&'static str>| {
        let object = ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .default(default.map(Value::from));
        Some(object.into())
    };
    match name {
        "instance_id" | "user_id" | "delivery_id" => Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                .into(),
        ),
        "chat_id" => Some(Chat::schema()),
        "group_id" => Some(GroupId::schema()),
        "phone" => Some(PersonPhone::schema()),
        "message_id" => Some(MessageId::schema()),
        "lid" => Some(text_schema(&rules::LID, "", &[])),
        "Idempotency-Key" => Some(text_schema(&rules::IDEMPOTENCY_KEY, "", &[])),
        "limit" => {
            let size = page_size(path)?;
            Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(number(to_i64(size.max))))
                    .default(Some(json!(size.default)))
                    .into(),
            )
        }
        "skip" => Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(number(to_i64(MAX_SKIP))))
                .default(Some(json!(0)))
                .into(),
        ),
        "period" => {
            let periods = periods(path)?;
            values(
                periods.allowed.iter().map(|p| p.name()).collect(),
                Some(periods.default.name()),
            )
        }
        "format" => values(
            crate::routes::instances::control::QR_FORMATS.to_vec(),
            Some("json"),
        ),
        "state" => values(
            DeliveryState::ALL.iter().map(|s| s.as_str()).collect(),
            None,
        ),
        "actions" => Some(
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(ActivityAction::ALL.iter().map(|a| a.as_str()))),
                )
                .unique_items(true)
                .into(),
        ),
        "startDate" | "endDate" => Some(
            AnyOfBuilder::new()
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime))),
                )
                .item(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
                )
                .into(),
        ),
        "all" => Some(ObjectBuilder::new().schema_type(Type::Boolean).into()),
        _ => None,
    }
}

/// The page sizes of the list routes.
fn page_size(path: &str) -> Option<PageSize> {
    use crate::routes::{admin, instances::control, messaging::history, webhooks};
    match path {
        "/api/admin/users" => Some(admin::USERS_PAGE),
        "/api/instances/{instance_id}/activity" => Some(control::ACTIVITY_PAGE),
        "/api/instances/{instance_id}/chats/{chat_id}/messages" => Some(history::MESSAGES_PAGE),
        "/api/instances/{instance_id}/webhooks/deliveries" => Some(webhooks::DELIVERIES_PAGE),
        _ => None,
    }
}

/// The periods of the statistics routes.
fn periods(path: &str) -> Option<Periods> {
    use crate::routes::stats;
    match path {
        "/api/stats/user" => Some(stats::USER_PERIODS),
        "/api/stats/instances/{instance_id}" => Some(stats::INSTANCE_PERIODS),
        "/api/stats/system" => Some(stats::SYSTEM_PERIODS),
        _ => None,
    }
}

fn parameter_limits(path: &str, operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        let RefOr::T(parameter) = parameter else {
            continue;
        };
        if let Some(schema) = parameter_schema(path, &parameter.name) {
            parameter.schema = Some(schema);
        }
        if parameter.name == "actions" {
            // `actions=a,b`: one parameter, comma-separated.
            parameter.style = Some(ParameterStyle::Form);
            parameter.explode = Some(false);
        }
    }
}

/// Every parameter the document names, for the tests: each must have a limit.
#[cfg(test)]
pub fn has_parameter_limit(path: &str, name: &str) -> bool {
    parameter_schema(path, name).is_some()
}
