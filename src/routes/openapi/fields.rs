//! Which rule each request body's field follows, by schema and property
//! name: the table `limits` states in the document.

use crate::domain::instance::{MAX_RETRIES, RETRY_INTERVAL_MS};
use crate::domain::rules::{self, TextRule};

/// What one field or parameter may hold.
pub(super) enum Limit {
    Text(&'static TextRule),
    Range(i64, i64),
    /// An array whose items follow the rule; `unique`: no item twice.
    Items(&'static TextRule, bool),
}

/// Request bodies' fields, by schema and property name.
pub(super) fn body_fields() -> Vec<(&'static str, &'static str, Limit)> {
    use Limit::{Items, Range, Text};
    let retries = || Range(0, i64::from(MAX_RETRIES));
    let interval = || Range(*RETRY_INTERVAL_MS.start(), *RETRY_INTERVAL_MS.end());
    vec![
        ("CreateInstance", "name", Text(&rules::INSTANCE_NAME)),
        (
            "CreateInstance",
            "description",
            Text(&rules::INSTANCE_DESCRIPTION),
        ),
        ("CreateInstance", "webhookUrl", Text(&rules::WEBHOOK_URL)),
        (
            "CreateInstance",
            "webhookSecret",
            Text(&rules::WEBHOOK_SECRET),
        ),
        ("CreateInstance", "maxRetries", retries()),
        ("CreateInstance", "retryInterval", interval()),
        ("UpdateInstance", "name", Text(&rules::INSTANCE_NAME)),
        (
            "UpdateInstance",
            "description",
            Text(&rules::INSTANCE_DESCRIPTION),
        ),
        ("UpdateInstance", "webhookUrl", Text(&rules::WEBHOOK_URL)),
        (
            "WebhookSettingsPatch",
            "secret",
            Text(&rules::WEBHOOK_SECRET),
        ),
        ("WebhookSettingsPatch", "maxRetries", retries()),
        ("WebhookSettingsPatch", "retryInterval", interval()),
        ("CreateUserRequest", "email", Text(&rules::EMAIL)),
        ("CreateUserRequest", "password", Text(&rules::PASSWORD)),
        ("CreateUserRequest", "firstName", Text(&rules::PERSON_NAME)),
        ("CreateUserRequest", "lastName", Text(&rules::PERSON_NAME)),
        ("UpdateUserRequest", "password", Text(&rules::PASSWORD)),
        ("UpdateUserRequest", "firstName", Text(&rules::PERSON_NAME)),
        ("UpdateUserRequest", "lastName", Text(&rules::PERSON_NAME)),
        ("PairingCodeRequest", "phone", Text(&rules::PERSON_PHONE)),
        ("SendText", "phone", Text(&rules::CHAT)),
        ("SendText", "message", Text(&rules::MESSAGE_TEXT)),
        ("SendMedia", "phone", Text(&rules::CHAT)),
        ("SendMedia", "url", Text(&rules::MEDIA_URL)),
        ("SendMedia", "caption", Text(&rules::CAPTION)),
        ("SendText", "quotedMessageId", Text(&rules::MESSAGE_ID)),
        ("SendText", "mentions", Items(&rules::PERSON_PHONE, false)),
        ("SendMedia", "quotedMessageId", Text(&rules::MESSAGE_ID)),
        ("SendFileForm", "quotedMessageId", Text(&rules::MESSAGE_ID)),
        ("SendLocation", "phone", Text(&rules::CHAT)),
        ("SendLocation", "name", Text(&rules::PLACE_TEXT)),
        ("SendLocation", "address", Text(&rules::PLACE_TEXT)),
        ("SendContact", "phone", Text(&rules::CHAT)),
        ("ContactCardInput", "name", Text(&rules::CARD_NAME)),
        ("ContactCardInput", "phone", Text(&rules::PERSON_PHONE)),
        ("SendPoll", "phone", Text(&rules::CHAT)),
        ("SendPoll", "question", Text(&rules::POLL_QUESTION)),
        ("SendPoll", "options", Items(&rules::POLL_OPTION, true)),
        ("Reaction", "emoji", Text(&rules::EMOJI)),
        ("Vote", "options", Items(&rules::POLL_OPTION, true)),
        ("EditMessage", "message", Text(&rules::MESSAGE_TEXT)),
        ("MarkRead", "messageIds", Items(&rules::MESSAGE_ID, false)),
        ("CheckNumbers", "phones", Items(&rules::PERSON_PHONE, false)),
        ("SendFileForm", "phone", Text(&rules::CHAT)),
        ("SendFileForm", "caption", Text(&rules::CAPTION)),
        ("CreateGroup", "subject", Text(&rules::GROUP_SUBJECT)),
        (
            "CreateGroup",
            "description",
            Text(&rules::GROUP_DESCRIPTION),
        ),
        (
            "CreateGroup",
            "participants",
            Items(&rules::PERSON_PHONE, false),
        ),
        ("UpdateGroup", "subject", Text(&rules::GROUP_SUBJECT)),
        (
            "UpdateGroup",
            "description",
            Text(&rules::GROUP_DESCRIPTION),
        ),
        (
            "ParticipantsChange",
            "participants",
            Items(&rules::PERSON_PHONE, false),
        ),
        ("JoinGroup", "invite", Text(&rules::GROUP_INVITE)),
        ("Scan", "phone", Text(&rules::PERSON_PHONE)),
        ("Scan", "pushName", Text(&rules::PERSON_NAME)),
        ("Inbound", "from", Text(&rules::PERSON_PHONE)),
        ("Inbound", "group", Text(&rules::GROUP)),
        ("Inbound", "body", Text(&rules::INBOUND_BODY)),
        ("Inbound", "pushName", Text(&rules::PERSON_NAME)),
        ("InboundMedia", "data", Text(&rules::BASE64)),
        ("PastChatMessage", "chat", Text(&rules::PERSON_PHONE)),
        ("PastChatMessage", "body", Text(&rules::PAST_MESSAGE_BODY)),
        ("PastChatMessage", "pushName", Text(&rules::PERSON_NAME)),
        (
            "PastChatMessage",
            "timestamp",
            Range(0, rules::MAX_UNIX_SECONDS),
        ),
    ]
}
