//! The fields of the message routes: who to write to and what to say.

use super::{Refusal, text_field, text_problem, whole_number_field};
use crate::domain::phone::{InvalidPhone, Jid};
use crate::domain::rules;

text_field! {
    /// A chat: digits (optional leading `+`, spaces, dashes, parentheses) or a JID
    /// ending in `@s.whatsapp.net`, `@lid` or `@g.us`.
    Chat = rules::CHAT, example "79001234567"
}

impl Chat {
    pub fn parse(&self) -> Result<Jid, Refusal> {
        Jid::parse(&self.0).map_err(|InvalidPhone| Refusal::Phone(InvalidPhone.to_string()))
    }
}

text_field! {
    /// A person: digits (optional leading `+`, spaces, dashes, parentheses) or a
    /// person's JID; never a group.
    PersonPhone = rules::PERSON_PHONE, example "79001234567"
}

impl PersonPhone {
    pub fn parse(&self) -> Result<Jid, Refusal> {
        let jid =
            Jid::parse(&self.0).map_err(|InvalidPhone| Refusal::Phone(InvalidPhone.to_string()))?;
        if jid.is_group() {
            return Err(Refusal::Phone(
                "phone must be a person's number, not a group".into(),
            ));
        }
        Ok(jid)
    }
}

text_field! {
    /// A text message's body: not blank (white space and zero-width characters
    /// alone are blank), without NUL.
    MessageText = rules::MESSAGE_TEXT, example "Hello! How are you?"
}

impl MessageText {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "message must be 1-{} characters, not blank, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// A caption, without NUL; empty means none.
    Caption = rules::CAPTION
}

impl Caption {
    /// `None` for an empty caption.
    pub fn parse(self) -> Result<Option<String>, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "caption must be at most {} characters, without NUL",
                Self::RULE.max_chars
            )));
        }
        Ok(Some(self.0).filter(|caption| !caption.is_empty()))
    }
}

text_field! {
    /// The absolute http(s) URL of media to send.
    MediaUrl = rules::MEDIA_URL, example "https://example.com/image.jpg"
}

impl MediaUrl {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() || !super::http_url_parses(&self.0) {
            return Err(Refusal::Invalid(format!(
                "url must be an absolute http:// or https:// URL of at most {} characters",
                Self::RULE.max_chars
            )));
        }
        Ok(self.0)
    }
}

text_field! {
    /// A WhatsApp message id, as the history shows it.
    MessageId = rules::MESSAGE_ID, example "3EB0C258F6AA7F19E2F2C2"
}

const MESSAGE_ID_SHAPE: &str = "1-128 letters, digits, '.', '_' or '-'";

impl MessageId {
    pub fn parse(self, field: &str) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(Refusal::Invalid(format!(
                "{field} must be a WhatsApp message id ({MESSAGE_ID_SHAPE})"
            )));
        }
        Ok(self.0)
    }

    /// A list of ids, refused whole when one is not an id.
    pub fn parse_all(field: &str, ids: Vec<Self>) -> Result<Vec<String>, Refusal> {
        if ids.iter().any(|id| !id.follows_rule()) {
            return Err(Refusal::Invalid(format!(
                "{field} must hold WhatsApp message ids ({MESSAGE_ID_SHAPE})"
            )));
        }
        Ok(ids.into_iter().map(|id| id.0).collect())
    }
}

text_field! {
    /// A place's name or address, without NUL.
    PlaceText = rules::PLACE_TEXT
}

impl PlaceText {
    /// `None` when empty.
    pub fn parse(self, field: &str) -> Result<Option<String>, Refusal> {
        if !self.follows_rule() {
            return Err(text_problem(field, Self::RULE));
        }
        Ok(Some(self.0).filter(|text| !text.is_empty()))
    }
}

text_field! {
    /// The name on a contact card: not blank, no control characters.
    CardName = rules::CARD_NAME, example "Ivan Ivanov"
}

impl CardName {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(text_problem("contacts[].name", Self::RULE));
        }
        Ok(self.0.trim().to_owned())
    }
}

text_field! {
    /// A poll's question: not blank, without NUL.
    PollQuestion = rules::POLL_QUESTION, example "Lunch at noon?"
}

impl PollQuestion {
    pub fn parse(self) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(text_problem("question", Self::RULE));
        }
        Ok(self.0)
    }
}

text_field! {
    /// A poll's option: not blank, without NUL.
    PollOption = rules::POLL_OPTION, example "Yes"
}

impl PollOption {
    pub fn parse(self, field: &str) -> Result<String, Refusal> {
        if !self.follows_rule() {
            return Err(text_problem(field, Self::RULE));
        }
        Ok(self.0)
    }
}

text_field! {
    /// A reaction: one emoji, or empty to take the reaction back.
    Emoji = rules::EMOJI, example "👍"
}

impl Emoji {
    /// One emoji as Unicode lists it (with its variations and skin tones), or
    /// empty. Looked up in Unicode's own list (the `emojis` crate), not judged
    /// by its characters: a control, a bidi override or a letter with combining
    /// marks is one grapheme but no emoji.
    pub fn parse(self) -> Result<String, Refusal> {
        if self.0.is_empty() {
            return Ok(self.0);
        }
        if !self.follows_rule() || emojis::get(&self.0).is_none() {
            return Err(Refusal::Invalid(
                "emoji must be one emoji (one character as shown), or empty to remove the reaction"
                    .into(),
            ));
        }
        Ok(self.0)
    }
}

/// Most options a poll holds (and so most a voter may pick).
pub const MAX_POLL_OPTIONS: i64 = 12;

whole_number_field! {
    /// How many options one voter may pick: 1 (default) up to the number of options.
    SelectableCount in 1..=MAX_POLL_OPTIONS
}

impl SelectableCount {
    /// 1 when absent; at most `options`, the poll's number of options.
    pub fn parse(value: Option<Self>, options: usize) -> Result<u32, Refusal> {
        let Some(count) = value else {
            return Ok(1);
        };
        u32::try_from(count.0)
            .ok()
            .filter(|_| count.in_range())
            .filter(|picks| usize::try_from(*picks).is_ok_and(|picks| picks <= options))
            .ok_or_else(|| {
                Refusal::Invalid(format!(
                    "selectableCount must be between 1 and {options} (the number of options)"
                ))
            })
    }
}
