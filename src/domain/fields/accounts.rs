//! The fields of users and instances: names, credentials and webhook settings.

use super::{Refusal, text_field, whole_number_field};
use crate::domain::rules;
use crate::domain::user::{Email, Password};

text_field! {
    /// An instance's name: not blank (white space and zero-width characters alone
    /// are blank), no control characters or bidi controls.
    InstanceName = rules::INSTANCE_NAME, example "Main line"
}

impl InstanceName {
    /// Checked as sent, then trimmed.
    pub fn parse(&self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "name must be 1-{} characters, not blank, without control characters or bidi controls",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0.trim().to_owned())
    }
}

text_field! {
    /// An instance's description, without NUL.
    InstanceDescription = rules::INSTANCE_DESCRIPTION
}

impl InstanceDescription {
    /// Checked as sent, then trimmed.
    pub fn parse(&self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "description must be at most {} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0.trim().to_owned())
    }
}

text_field! {
    /// The absolute http(s) URL events are posted to; empty means none.
    WebhookUrl = rules::WEBHOOK_URL, example "https://example.com/webhook"
}

impl WebhookUrl {
    /// `None` for an empty URL.
    pub fn parse(&self) -> Result<Option<String>, Refusal> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let problem = || {
            Refusal::Invalid(format!(
                "webhookUrl must be an absolute http:// or https:// URL of at most {} characters",
                Self::RULE.max_chars
            ))
        };
        if !self.follows_rule() || !super::http_url_parses(&self.0) {
            return Err(problem());
        }
        Ok(Some(self.0.clone()))
    }
}

text_field! {
    /// The secret deliveries are signed with, without NUL; empty means none.
    WebhookSecret = rules::WEBHOOK_SECRET
}

impl WebhookSecret {
    /// `None` for an empty secret.
    pub fn parse(&self) -> Result<Option<String>, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "webhook secret must be at most {} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(Some(self.0.clone()).filter(|secret| !secret.is_empty()))
    }
}

/// Most attempts a webhook delivery gets after its first.
pub const MAX_RETRIES: i32 = 20;

whole_number_field! {
    /// How many times a failed delivery is tried again.
    MaxRetries in 0..=MAX_RETRIES as i64
}

impl MaxRetries {
    pub fn parse(self) -> Result<i32, Refusal> {
        i32::try_from(self.0)
            .ok()
            .filter(|_| self.in_range())
            .ok_or_else(|| {
                Refusal::Invalid(format!("maxRetries must be between 0 and {MAX_RETRIES}"))
            })
    }
}

whole_number_field! {
    /// Milliseconds between a failed delivery and its next attempt.
    RetryInterval in 1000..=3_600_000
}

impl RetryInterval {
    pub fn parse(self) -> Result<i64, Refusal> {
        if !self.in_range() {
            return Err(Refusal::Invalid(format!(
                "retryInterval must be between {} and {} ms",
                Self::RANGE.start(),
                Self::RANGE.end()
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// `local@domain`; stored lower-cased.
    EmailAddress = rules::EMAIL, example "ivan.petrov@example.com"
}

impl EmailAddress {
    pub fn parse(&self) -> Result<Email, Refusal> {
        Email::parse(&self.0).map_err(|problem| Refusal::Invalid(format!("email {problem}")))
    }
}

text_field! {
    /// A password: its length is bounded on both sides.
    NewPassword = rules::PASSWORD
}

impl NewPassword {
    pub fn parse(&self) -> Result<Password, Refusal> {
        Password::parse(&self.0).map_err(|problem| Refusal::Invalid(format!("password {problem}")))
    }
}

text_field! {
    /// A first or last name, or a WhatsApp display name: no control characters or
    /// bidi controls; may be empty.
    PersonName = rules::PERSON_NAME, example "Ivan"
}

impl PersonName {
    /// Checked as sent, then trimmed.
    pub fn parse(&self, field: &str) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "{field} must be at most {} characters, without control characters or bidi controls",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0.trim().to_owned())
    }
}
