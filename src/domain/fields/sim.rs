//! The fields of the simulated network's routes: what a simulated phone sends.

use super::{Refusal, text_field, whole_number_field};
use crate::domain::rules;

text_field! {
    /// A received message's text, without NUL; may be empty when media comes with it.
    InboundBody = rules::INBOUND_BODY
}

impl InboundBody {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "body must be at most {} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// A past message's text, without NUL.
    PastMessageBody = rules::PAST_MESSAGE_BODY
}

impl PastMessageBody {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "history body must be 1-{} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// Bytes in standard base64.
    Base64Data = rules::BASE64
}

impl Base64Data {
    pub fn parse(&self) -> Result<Vec<u8>, Refusal> {
        use base64::Engine;
        let not_base64 = || Refusal::Invalid("media.data must be standard base64".into());
        // The rule is what the decoder takes; checked first so that the
        // documented pattern is the one enforced.
        if !self.follows_rule() {
            return Err(not_base64());
        }
        base64::engine::general_purpose::STANDARD
            .decode(self.0.as_bytes())
            .map_err(|_| not_base64())
    }
}

whole_number_field! {
    /// Unix seconds, up to the end of year 9999.
    UnixSeconds in 0..=rules::MAX_UNIX_SECONDS
}

impl UnixSeconds {
    /// Required: absent is refused like out of range.
    pub fn parse(value: Option<Self>) -> Result<i64, Refusal> {
        value
            .filter(|seconds| seconds.in_range())
            .map(|seconds| seconds.0)
            .ok_or_else(|| {
                Refusal::Invalid(format!(
                    "history timestamp must be unix seconds, 0-{}",
                    rules::MAX_UNIX_SECONDS
                ))
            })
    }
}

whole_number_field! {
    /// The code WhatsApp refuses a message with (463: the reach-out timelock).
    NackCode in 100..=999
}

impl NackCode {
    /// 463 when absent.
    pub fn parse(value: Option<Self>) -> Result<u16, Refusal> {
        let Some(code) = value else {
            return Ok(463);
        };
        u16::try_from(code.0)
            .ok()
            .filter(|_| code.in_range())
            .ok_or_else(|| Refusal::Invalid("code must be between 100 and 999".into()))
    }
}

whole_number_field! {
    /// Milliseconds WhatsApp takes to take the next message.
    DelayMs in 0..=60_000
}

impl DelayMs {
    /// 0 when absent.
    pub fn parse(value: Option<Self>) -> Result<u64, Refusal> {
        let Some(delay) = value else {
            return Ok(0);
        };
        u64::try_from(delay.0)
            .ok()
            .filter(|_| delay.in_range())
            .ok_or_else(|| Refusal::Invalid("delayMs must be between 0 and 60000".into()))
    }
}
