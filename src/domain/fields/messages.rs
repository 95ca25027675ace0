//! The fields of the message routes: who to write to and what to say.

use super::{Refusal, text_field, text_problem};
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
    /// A text message's body: not blank, without NUL.
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
        if !self.follows_rule() {
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
    /// One emoji (one grapheme cluster, as a person sees one character), or empty.
    pub fn parse(self) -> Result<String, Refusal> {
        use unicode_segmentation::UnicodeSegmentation;
        let graphemes = self.0.graphemes(true).count();
        // A letter, a digit, a space or a mark is no emoji; a keycap (1️⃣) is.
        let plain = |c: char| c.is_alphanumeric() || c.is_whitespace() || c.is_ascii_punctuation();
        let not_emoji = !self.0.is_empty() && self.0.chars().all(plain);
        if !self.follows_rule() || graphemes > 1 || not_emoji {
            return Err(Refusal::Invalid(
                "emoji must be one emoji (one character as shown), or empty to remove the reaction"
                    .into(),
            ));
        }
        Ok(self.0)
    }
}
