//! Request fields that carry a rule, as types: each is what the JSON holds
//! (deserialized as sent), documents itself in the OpenAPI document from its
//! rule (`domain::rules`), and checks itself into the value the services take.
//! A body's field of such a type cannot be documented one way and checked
//! another, and a new field states its rule by its type alone.

mod accounts;
mod groups;
mod messages;
#[cfg(feature = "sim")]
mod sim;

pub use accounts::{
    EmailAddress, InstanceDescription, InstanceName, MaxRetries, NewPassword, PersonName,
    RetryInterval, WebhookSecret, WebhookUrl,
};
pub use groups::{GroupDescription, GroupId, GroupInvite, GroupJid, GroupSubject};
pub use messages::{
    Caption, CardName, Chat, Emoji, MAX_POLL_OPTIONS, MediaUrl, MessageId, MessageText,
    PersonPhone, PlaceText, PollOption, PollQuestion, SelectableCount,
};
#[cfg(feature = "sim")]
pub use sim::{Base64Data, DelayMs, InboundBody, NackCode, PastMessageBody, UnixSeconds};

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{RefOr, schema::Object};

use super::rules::TextRule;

/// Why a field was refused: the message names the field and what it must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The field breaks its rule.
    Invalid(String),
    /// Not a phone number or JID (a person's, where one is asked for).
    Phone(String),
    /// Not a group's JID or id.
    Group(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Self::Invalid(message) | Self::Phone(message) | Self::Group(message) => message,
        }
    }
}

/// A string schema stating `rule`'s lengths and pattern.
pub fn text_schema(rule: &TextRule, description: &str, examples: &[&str]) -> RefOr<Schema> {
    let mut object: Object = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(one_line(description))
        .examples(examples.iter().copied())
        .build();
    object.min_length = (rule.min_chars > 0).then_some(rule.min_chars);
    object.max_length = (rule.max_chars < usize::MAX).then_some(rule.max_chars);
    object.pattern = (!rule.pattern.is_empty()).then(|| rule.pattern.to_owned());
    object.into()
}

/// A doc comment's lines as one paragraph; `None` when there is none.
fn one_line(doc: &str) -> Option<String> {
    let text = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// The message of a text that breaks its rule, for fields that share a rule
/// under several names (`name`, `options[2]`).
fn text_problem(field: &str, rule: &TextRule) -> Refusal {
    let blank = if rule.min_chars > 0 {
        ", not blank"
    } else {
        ""
    };
    Refusal::Invalid(format!(
        "{field} must be {}-{} characters{blank}, without NUL or control characters",
        rule.min_chars, rule.max_chars
    ))
}

/// Whether an http(s) URL that follows its rule names a host: a bracketed one
/// must be an IPv6 address as the standard library parses it (the rule's
/// pattern documents that shape; a parser, not a pattern, has the last word).
pub fn http_url_parses(raw: &str) -> bool {
    let Ok(uri) = raw.parse::<actix_web::http::Uri>() else {
        return false;
    };
    match uri.host() {
        Some(host) if host.starts_with('[') => host
            .strip_prefix('[')
            .and_then(|inside| inside.strip_suffix(']'))
            .is_some_and(|inside| inside.parse::<std::net::Ipv6Addr>().is_ok()),
        Some(host) => !host.is_empty(),
        None => false,
    }
}

/// Declares a text field type: a JSON string kept as sent, documented as a
/// named schema from `$rule` (the doc comment becomes its description). Its
/// checks are written beside it, by what the field means.
macro_rules! text_field {
    ($(#[doc = $doc:literal])* $name:ident = $rule:path $(, example $example:literal)?) => {
        $(#[doc = $doc])*
        #[derive(Clone, Default, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const RULE: &'static $crate::domain::rules::TextRule = &$rule;

            /// As sent, before any check.
            #[allow(dead_code)]
            pub fn raw(&self) -> &str {
                &self.0
            }

            // Some types check through a value type that applies the same rule.
            #[allow(dead_code)]
            fn follows_rule(&self) -> bool {
                Self::RULE.allows(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self(raw.to_owned())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::domain::fields::text_schema(
                    Self::RULE,
                    concat!($($doc, "\n"),*),
                    &[$($example)?],
                )
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use text_field;

/// JSON Schema counts `3.0` as the integer 3, so the server does too.
pub fn integral<'de, D>(deserializer: D) -> Result<Option<i64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    // Within i64 on both sides; anything beyond fails every range check anyway.
    const LIMIT: f64 = 9.2e18;
    let Some(number) =
        <Option<serde_json::Number> as serde::Deserialize>::deserialize(deserializer)?
    else {
        return Ok(None);
    };
    #[allow(clippy::cast_possible_truncation)]
    let whole = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < LIMIT)
            .map(|f| f as i64)
    });
    whole
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not an integer")))
}

/// Declares a whole-number field type within `$range`: `3.0` counts as 3, as
/// in JSON Schema; documented with the range's bounds.
macro_rules! whole_number_field {
    ($(#[doc = $doc:literal])* $name:ident in $range:expr) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(i64);

        impl $name {
            pub const RANGE: std::ops::RangeInclusive<i64> = $range;

            fn in_range(self) -> bool {
                Self::RANGE.contains(&self.0)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                match $crate::domain::fields::integral(deserializer)? {
                    Some(value) => Ok(Self(value)),
                    None => Err(serde::de::Error::custom("expected an integer, not null")),
                }
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::domain::fields::range_schema(Self::RANGE, concat!($($doc, "\n"),*))
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use whole_number_field;

/// An integer schema stating `range`'s bounds.
pub fn range_schema(range: std::ops::RangeInclusive<i64>, description: &str) -> RefOr<Schema> {
    let bound = |n: i64| utoipa::Number::Int(isize::try_from(n).unwrap_or(isize::MAX));
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(bound(*range.start())))
        .maximum(Some(bound(*range.end())))
        .description(one_line(description))
        .into()
}

#[cfg(test)]
mod tests;
