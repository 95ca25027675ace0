//! The shape a client's text must have, written once: the server checks input
//! against these rules and the OpenAPI document states them
//! (`routes::openapi::limits`), so what is documented is what is enforced.
//!
//! Patterns spell every character class out: `\s` and `\d` mean different
//! things to Rust, Python and JavaScript regexes, and clients of all three read
//! the document. Lengths count characters (Unicode scalar values), as JSON
//! Schema's `minLength`/`maxLength` do.

use std::sync::OnceLock;

use regex::Regex;

/// White space as `char::is_whitespace` (and so `str::trim`) knows it.
macro_rules! space {
    () => {
        r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    };
}

/// Control characters (category Cc), as `char::is_control` knows them.
macro_rules! control {
    () => {
        r"\x00-\x1f\x7f-\x9f"
    };
}

/// A phone number: an optional `+`, then 5 to 15 digits (the first not 0)
/// among spaces, dashes and parentheses.
macro_rules! phone_number {
    () => {
        r"\+?[ ()-]*[1-9](?:[ ()-]*[0-9]){4,14}[ ()-]*"
    };
}

/// A person's JID: the number's digits at `s.whatsapp.net`.
macro_rules! person_jid {
    () => {
        r"[1-9][0-9]{4,14}@s\.whatsapp\.net"
    };
}

/// An absolute http(s) URL: a host name or bracketed IPv6 address, an optional
/// port, then path and query in the characters RFC 3986 allows.
/// One of the alternatives, with white space around allowed.
macro_rules! spaced {
    ($($alternatives:expr),+) => {
        concat!("^[", space!(), "]*(?:", $($alternatives),+, ")[", space!(), "]*$")
    };
}

macro_rules! http_url {
    () => {
        concat!(
            r"https?://",
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*",
            r"|\[[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}\])",
            r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?",
            r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?",
            r"(?:\?[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*)?"
        )
    };
}

/// Lengths and a pattern a text must match.
pub struct TextRule {
    pub min_chars: usize,
    pub max_chars: usize,
    /// A regex (Rust, Python and ECMA-262 read it alike); empty for none.
    pub pattern: &'static str,
    compiled: OnceLock<Option<Regex>>,
}

impl TextRule {
    const fn new(min_chars: usize, max_chars: usize, pattern: &'static str) -> Self {
        Self {
            min_chars,
            max_chars,
            pattern,
            compiled: OnceLock::new(),
        }
    }

    pub fn allows(&self, raw: &str) -> bool {
        let chars = raw.chars().count();
        if chars < self.min_chars || chars > self.max_chars {
            return false;
        }
        if self.pattern.is_empty() {
            return true;
        }
        // A pattern that does not compile refuses everything; the tests compile them all.
        self.compiled
            .get_or_init(|| Regex::new(self.pattern).ok())
            .as_ref()
            .is_some_and(|regex| regex.is_match(raw))
    }
}

/// An instance's name: no control characters, not blank.
pub static INSTANCE_NAME: TextRule = TextRule::new(1, 100, VISIBLE_NAME);
/// A name: no control characters, not blank.
const VISIBLE_NAME: &str = concat!(
    "^[^",
    control!(),
    "]*[^",
    space!(),
    control!(),
    "][^",
    control!(),
    "]*$"
);
/// A text that is not blank, without NUL.
const NOT_BLANK: &str = concat!(r"^[^\x00]*[^\x00", space!(), r"][^\x00]*$");
/// Texts that are stored as given, where only NUL is refused (PostgreSQL
/// cannot store it).
const NO_NUL: &str = r"^[^\x00]*$";
pub static INSTANCE_DESCRIPTION: TextRule = TextRule::new(0, 1000, NO_NUL);
/// A webhook URL; empty means none.
pub static WEBHOOK_URL: TextRule = TextRule::new(0, 2048, concat!("^(?:", http_url!(), ")?$"));
/// A webhook signing secret; empty means none.
pub static WEBHOOK_SECRET: TextRule = TextRule::new(0, 256, NO_NUL);
/// The URL of media to send.
pub static MEDIA_URL: TextRule = TextRule::new(1, 2048, concat!("^", http_url!(), "$"));

/// `local@domain`: no white space or control characters, one `@`, and a domain
/// that neither starts nor ends with a dot.
pub static EMAIL: TextRule = TextRule::new(
    3,
    254,
    concat!(
        "^[^@",
        space!(),
        control!(),
        "]+@[^@.",
        space!(),
        control!(),
        "](?:[^@",
        space!(),
        control!(),
        "]*[^@.",
        space!(),
        control!(),
        "])?$"
    ),
);
/// Argon2's cost grows with its input: the cap keeps one request from pinning a core.
pub static PASSWORD: TextRule = TextRule::new(8, 1024, "");
/// A first or last name, or a WhatsApp display name: may be empty.
pub static PERSON_NAME: TextRule = TextRule::new(0, 100, concat!("^[^", control!(), "]*$"));

/// A person's phone number or JID, white space around allowed.
pub static PERSON_PHONE: TextRule =
    TextRule::new(1, 100, spaced!(phone_number!(), "|", person_jid!()));
/// A chat: a person's phone number, JID or LID (the hidden id WhatsApp names
/// some people by), or a group's JID.
pub static CHAT: TextRule = TextRule::new(
    1,
    100,
    spaced!(
        phone_number!(),
        "|",
        person_jid!(),
        r"|[0-9]{1,20}@lid|[0-9-]{1,64}@g\.us"
    ),
);
/// A LID as a caller names it: its digits, `@lid` optional.
pub static LID: TextRule = TextRule::new(1, 30, r"^\s*[0-9]{1,20}(?:@lid)?\s*$");
/// A text message: not blank, no NUL.
pub static MESSAGE_TEXT: TextRule = TextRule::new(1, 65_536, NOT_BLANK);
/// A caption; empty means none.
pub static CAPTION: TextRule = TextRule::new(0, 1024, NO_NUL);
/// A received message's body in the simulated network; may be empty when media comes with it.
pub static INBOUND_BODY: TextRule = TextRule::new(0, 65_536, NO_NUL);
/// The last second of year 9999: later times are no one's chat history.
pub const MAX_UNIX_SECONDS: i64 = 253_402_300_799;
/// A message in a simulated phone's earlier chats: never empty.
pub static PAST_MESSAGE_BODY: TextRule = TextRule::new(1, 65_536, NO_NUL);
/// Standard base64 with its padding, as the decoder takes it (unused bits zero).
pub static BASE64: TextRule = TextRule::new(
    0,
    usize::MAX,
    r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$",
);
/// An `Idempotency-Key`: visible ASCII.
pub static IDEMPOTENCY_KEY: TextRule = TextRule::new(1, 255, r"^[\x21-\x7e]+$");
/// A message's id: ours (a UUID) or WhatsApp's.
pub static MESSAGE_ID: TextRule = TextRule::new(1, 128, r"^[A-Za-z0-9._-]+$");

/// A group's JID, white space around allowed.
pub static GROUP: TextRule = TextRule::new(1, 100, spaced!(r"[0-9-]{1,64}@g\.us"));
/// A `{groupId}`: a group JID's digits, or the whole JID.
pub static GROUP_ID: TextRule =
    TextRule::new(1, 100, spaced!(r"[0-9]{1,32}(?:-[0-9]{1,32})?(?:@g\.us)?"));
/// A group's subject: not blank, no NUL.
pub static GROUP_SUBJECT: TextRule = TextRule::new(1, 100, NOT_BLANK);
/// A group's description; empty removes it.
pub static GROUP_DESCRIPTION: TextRule = TextRule::new(0, 2048, NO_NUL);
/// An invite: the code, or the `https://chat.whatsapp.com/<code>` link.
pub static GROUP_INVITE: TextRule = TextRule::new(
    1,
    100,
    spaced!(r"(?:(?:https?://)?chat\.whatsapp\.com/)?[A-Za-z0-9]{1,64}/?"),
);
/// A poll's question: not blank, no NUL.
pub static POLL_QUESTION: TextRule = TextRule::new(1, 255, NOT_BLANK);
/// A poll's option: not blank, no NUL.
pub static POLL_OPTION: TextRule = TextRule::new(1, 100, NOT_BLANK);
/// A place's name or address; may be empty.
pub static PLACE_TEXT: TextRule = TextRule::new(0, 1000, NO_NUL);
/// A name on a contact card: not blank, no control characters.
pub static CARD_NAME: TextRule = TextRule::new(1, 100, VISIBLE_NAME);
/// A reaction: one emoji (checked as one grapheme), or empty to take it back.
pub static EMOJI: TextRule = TextRule::new(0, 16, NO_NUL);

/// Every rule, for the tests.
pub fn all() -> [(&'static str, &'static TextRule); 26] {
    [
        ("GROUP_ID", &GROUP_ID),
        ("GROUP_SUBJECT", &GROUP_SUBJECT),
        ("GROUP_DESCRIPTION", &GROUP_DESCRIPTION),
        ("GROUP_INVITE", &GROUP_INVITE),
        ("GROUP", &GROUP),
        ("POLL_QUESTION", &POLL_QUESTION),
        ("POLL_OPTION", &POLL_OPTION),
        ("PLACE_TEXT", &PLACE_TEXT),
        ("CARD_NAME", &CARD_NAME),
        ("EMOJI", &EMOJI),
        ("INSTANCE_NAME", &INSTANCE_NAME),
        ("INSTANCE_DESCRIPTION", &INSTANCE_DESCRIPTION),
        ("WEBHOOK_URL", &WEBHOOK_URL),
        ("WEBHOOK_SECRET", &WEBHOOK_SECRET),
        ("MEDIA_URL", &MEDIA_URL),
        ("EMAIL", &EMAIL),
        ("PASSWORD", &PASSWORD),
        ("PERSON_NAME", &PERSON_NAME),
        ("PERSON_PHONE", &PERSON_PHONE),
        ("CHAT", &CHAT),
        ("MESSAGE_TEXT", &MESSAGE_TEXT),
        ("CAPTION", &CAPTION),
        ("INBOUND_BODY", &INBOUND_BODY),
        ("BASE64", &BASE64),
        ("IDEMPOTENCY_KEY", &IDEMPOTENCY_KEY),
        ("MESSAGE_ID", &MESSAGE_ID),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for (name, rule) in all() {
            if !rule.pattern.is_empty() {
                assert!(Regex::new(rule.pattern).is_ok(), "{name}: {}", rule.pattern);
            }
        }
    }

    /// The class matches exactly the code points `rust_class` says yes to.
    fn same_as_rust(class: &str, rust_class: fn(char) -> bool) {
        let class = Regex::new(&format!("^[{class}]$")).ok();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let matched = class
                .as_ref()
                .is_some_and(|r| r.is_match(c.encode_utf8(&mut [0; 4])));
            assert_eq!(matched, rust_class(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn white_space_is_what_trim_trims() {
        same_as_rust(space!(), char::is_whitespace);
    }

    #[test]
    fn control_is_what_is_control_means() {
        same_as_rust(control!(), char::is_control);
    }

    #[test]
    fn instance_names_are_not_blank_and_have_no_controls() {
        assert!(INSTANCE_NAME.allows("Sales"));
        assert!(INSTANCE_NAME.allows(" Sales "));
        assert!(!INSTANCE_NAME.allows(""));
        assert!(!INSTANCE_NAME.allows(" \u{3000}"));
        assert!(!INSTANCE_NAME.allows("Sa\nles"));
        assert!(INSTANCE_NAME.allows(&"x".repeat(100)));
        assert!(!INSTANCE_NAME.allows(&"x".repeat(101)));
    }

    #[test]
    fn phones_and_chats() {
        for person in [
            "79001234567",
            "+7 (900) 123-45-67",
            " 12345 ",
            "79001234567@s.whatsapp.net",
        ] {
            assert!(PERSON_PHONE.allows(person), "{person}");
            assert!(CHAT.allows(person), "{person}");
        }
        for bad in [
            "",
            "1234",
            "01234567",
            "1234567890123456",
            "12a45",
            "++12345",
            "12345@g.us",
        ] {
            assert!(!PERSON_PHONE.allows(bad), "{bad}");
        }
        assert!(CHAT.allows("120363025246125486@g.us"));
        assert!(CHAT.allows("100000012345678@lid"));
        assert!(!PERSON_PHONE.allows("100000012345678@lid"));
        assert!(!CHAT.allows("1000x@lid") && !CHAT.allows("@lid"));
    }

    #[test]
    fn urls_and_emails() {
        for url in [
            "https://hooks.example.com/wamux?x=1",
            "http://localhost:8080/",
            "http://[::1]:9/a",
            "http://10.0.0.1",
        ] {
            assert!(MEDIA_URL.allows(url), "{url}");
            assert!(WEBHOOK_URL.allows(url), "{url}");
            assert!(url.parse::<actix_web::http::Uri>().is_ok(), "{url}");
        }
        assert!(WEBHOOK_URL.allows(""));
        for bad in [
            "ftp://x",
            "https://",
            "https://a b",
            "https://x:65536",
            " https://x",
        ] {
            assert!(!WEBHOOK_URL.allows(bad), "{bad}");
        }
        assert!(EMAIL.allows("ivan.petrov@example.com"));
        for bad in ["a@", "@b", "a@b@c", "a@.b", "a@b.", "a b@c", " a@b"] {
            assert!(!EMAIL.allows(bad), "{bad}");
        }
    }

    #[test]
    fn base64_is_what_the_decoder_takes() {
        use base64::Engine;
        for (text, valid) in [
            ("aGVsbG8=", true),
            ("aGVsbA==", true),
            ("aGVsbG9=", false),
            ("aGV", false),
            ("", true),
        ] {
            let decodes = base64::engine::general_purpose::STANDARD
                .decode(text)
                .is_ok();
            assert_eq!(decodes, valid, "{text}");
            assert_eq!(BASE64.allows(text), valid, "{text}");
        }
    }
}
