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

/// Format characters (category Cf): zero-width spaces and joiners, the
/// byte-order mark, bidirectional controls, tags. Alone they show nothing, so
/// a text of them and white space is blank. Those beyond the BMP are the
/// characters themselves (Rust, Python and ECMA-262 in its `u` mode, which
/// JSON Schema's patterns use, read them alike; escapes differ).
macro_rules! format_chars {
    () => {
        concat!(
            r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f",
            r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb",
            "\u{110BD}\u{110CD}\u{13430}-\u{1343F}\u{1BCA0}-\u{1BCA3}\u{1D173}-\u{1D17A}",
            "\u{E0001}\u{E0020}-\u{E007F}"
        )
    };
}

/// Bidirectional embeddings, overrides and isolates (U+202A-U+202E,
/// U+2066-U+2069): in a name they reorder what is shown after it, so a name
/// could display as another (or as someone's message).
macro_rules! bidi_controls {
    () => {
        r"\u202a-\u202e\u2066-\u2069"
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

/// One of the alternatives, with white space around allowed.
macro_rules! spaced {
    ($($alternatives:expr),+) => {
        concat!("^[", space!(), "]*(?:", $($alternatives),+, ")[", space!(), "]*$")
    };
}

/// An IPv6 address in hexadecimal groups (RFC 4291 section 2.2, forms 1 and 2;
/// the dotted IPv4 tail of form 3 is not taken): eight groups, or fewer with
/// one `::`. Documents the shape; the server's last word is the standard
/// library's parser (`domain::fields::http_url_parses`), which a test holds
/// this pattern to.
macro_rules! ipv6_hex {
    () => {
        concat!(
            r"(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,7}:",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}",
            r"|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}",
            r"|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}",
            r"|:(?::[0-9A-Fa-f]{1,4}){1,7}",
            r"|::)"
        )
    };
}

/// An absolute http(s) URL: a host name or bracketed IPv6 address, an optional
/// port, then path and query in the characters RFC 3986 allows.
macro_rules! http_url {
    () => {
        concat!(
            r"https?://",
            r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*",
            r"|\[",
            ipv6_hex!(),
            r"\])",
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

/// An instance's name: no control characters or bidi controls, not blank.
pub static INSTANCE_NAME: TextRule = TextRule::new(1, 100, VISIBLE_NAME);
/// A name: no control characters or bidi controls, not blank (one character
/// neither white space nor a format character).
const VISIBLE_NAME: &str = concat!(
    "^[^",
    control!(),
    bidi_controls!(),
    "]*[^",
    space!(),
    control!(),
    format_chars!(),
    "][^",
    control!(),
    bidi_controls!(),
    "]*$"
);
/// A text that is not blank (one character neither white space nor a format
/// character), without NUL.
const NOT_BLANK: &str = concat!(r"^[^\x00]*[^\x00", space!(), format_chars!(), r"][^\x00]*$");
/// A name that may hold control characters: not blank, without NUL or bidi controls.
const NAME_NOT_BLANK: &str = concat!(
    r"^[^\x00",
    bidi_controls!(),
    r"]*[^\x00",
    space!(),
    format_chars!(),
    r"][^\x00",
    bidi_controls!(),
    r"]*$"
);
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
pub static PERSON_NAME: TextRule =
    TextRule::new(0, 100, concat!("^[^", control!(), bidi_controls!(), "]*$"));

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
/// A group's subject: not blank, no NUL or bidi controls.
pub static GROUP_SUBJECT: TextRule = TextRule::new(1, 100, NAME_NOT_BLANK);
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
/// A reaction: one emoji (looked up in Unicode's emoji list), or empty to take it back.
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
mod tests;
