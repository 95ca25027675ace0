//! Phone numbers and WhatsApp addresses (JIDs) from untrusted input.

use std::fmt;

pub const USER_SERVER: &str = "s.whatsapp.net";
pub const GROUP_SERVER: &str = "g.us";
/// A person's hidden id, used by WhatsApp where the phone number is not shared.
pub const LID_SERVER: &str = "lid";
const MAX_LID_DIGITS: usize = 20;
/// Servers WhatsApp names besides people and groups: hidden user ids, broadcast
/// lists and statuses, channels. Taken from WhatsApp, never from callers.
const OTHER_SERVERS: [&str; 3] = [LID_SERVER, "broadcast", "newsletter"];
const MAX_USER_LEN: usize = 64;
const MIN_DIGITS: usize = 5;
/// E.164 caps numbers at 15 digits.
const MAX_DIGITS: usize = 15;
const MAX_GROUP_ID_LEN: usize = 64;

/// `<digits>@s.whatsapp.net` or `<id>@g.us`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Jid {
    user: String,
    server: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPhone;

impl fmt::Display for InvalidPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "phone must be {MIN_DIGITS}-{MAX_DIGITS} digits with an optional leading +, spaces, dashes or parentheses, or a JID ending in @{USER_SERVER}, @{LID_SERVER} or @{GROUP_SERVER}"
        )
    }
}

impl Jid {
    /// A phone number (`+7 (900) 123-45-67`) or a full JID.
    pub fn parse(raw: &str) -> Result<Self, InvalidPhone> {
        // The documented shape first (`domain::rules::CHAT`); what follows takes it apart.
        if !super::rules::CHAT.allows(raw) {
            return Err(InvalidPhone);
        }
        let raw = raw.trim();
        if let Some(user) = raw.strip_suffix(&format!("@{USER_SERVER}")) {
            return Self::phone(&digits_only(user)?);
        }
        if let Some(lid) = raw.strip_suffix(&format!("@{LID_SERVER}")) {
            let valid = (1..=MAX_LID_DIGITS).contains(&lid.len())
                && lid.chars().all(|c| c.is_ascii_digit());
            return valid
                .then(|| Self {
                    user: lid.to_owned(),
                    server: LID_SERVER,
                })
                .ok_or(InvalidPhone);
        }
        if let Some(group) = raw.strip_suffix(&format!("@{GROUP_SERVER}")) {
            let valid = !group.is_empty()
                && group.len() <= MAX_GROUP_ID_LEN
                && group.chars().all(|c| c.is_ascii_digit() || c == '-');
            return valid
                .then(|| Self {
                    user: group.to_owned(),
                    server: GROUP_SERVER,
                })
                .ok_or(InvalidPhone);
        }
        let rest = raw.strip_prefix('+').unwrap_or(raw);
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
        {
            return Err(InvalidPhone);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        Self::phone(&digits)
    }

    fn phone(digits: &str) -> Result<Self, InvalidPhone> {
        if (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) && !digits.starts_with('0') {
            Ok(Self {
                user: digits.to_owned(),
                server: USER_SERVER,
            })
        } else {
            Err(InvalidPhone)
        }
    }

    /// A JID as WhatsApp reports it (`user@server`, the device part dropped):
    /// also the servers callers may not name. `None` for anything malformed.
    pub fn from_whatsapp(raw: &str) -> Option<Self> {
        let (user, server) = raw.rsplit_once('@')?;
        let user = user.split(':').next().unwrap_or_default();
        let server = [USER_SERVER, GROUP_SERVER]
            .into_iter()
            .chain(OTHER_SERVERS)
            .find(|known| *known == server)?;
        let valid = !user.is_empty()
            && user.len() <= MAX_USER_LEN
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        valid.then(|| Self {
            user: user.to_owned(),
            server,
        })
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn server(&self) -> &'static str {
        self.server
    }

    pub fn is_group(&self) -> bool {
        self.server == GROUP_SERVER
    }

    pub fn is_lid(&self) -> bool {
        self.server == LID_SERVER
    }

    /// A LID as a caller names it: its digits, with or without `@lid`.
    pub fn parse_lid(raw: &str) -> Option<Self> {
        if !super::rules::LID.allows(raw) {
            return None;
        }
        let raw = raw.trim();
        let digits = raw.strip_suffix(&format!("@{LID_SERVER}")).unwrap_or(raw);
        let valid = (1..=MAX_LID_DIGITS).contains(&digits.len())
            && digits.chars().all(|c| c.is_ascii_digit());
        valid.then(|| Self {
            user: digits.to_owned(),
            server: LID_SERVER,
        })
    }

    /// The phone JID of a phone number's digits.
    pub fn of_phone(digits: &str) -> Option<Self> {
        Self::phone(digits).ok()
    }
}

fn digits_only(user: &str) -> Result<String, InvalidPhone> {
    if !user.is_empty() && user.chars().all(|c| c.is_ascii_digit()) {
        Ok(user.to_owned())
    } else {
        Err(InvalidPhone)
    }
}

impl fmt::Display for Jid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.user, self.server)
    }
}

/// On the wire, a JID is its text.
impl serde::Serialize for Jid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> Option<String> {
        Jid::parse(raw).ok().map(|jid| jid.to_string())
    }

    #[test]
    fn phone_numbers_are_normalised_to_user_jids() {
        let expected = Some("79001234567@s.whatsapp.net".to_owned());
        for raw in [
            "79001234567",
            "+79001234567",
            "+7 900 123-45-67",
            "+7 (900) 123 45 67",
            " 79001234567 ",
        ] {
            assert_eq!(parsed(raw), expected, "{raw:?}");
        }
    }

    #[test]
    fn full_jids_are_kept() {
        assert_eq!(
            parsed("79001234567@s.whatsapp.net").as_deref(),
            Some("79001234567@s.whatsapp.net")
        );
        assert_eq!(
            parsed("120363025246125486@g.us").as_deref(),
            Some("120363025246125486@g.us")
        );
        assert!(Jid::parse("1234567890-1616161616@g.us").is_ok_and(|j| j.is_group()));
        // A person WhatsApp names by LID can be written to by it.
        assert_eq!(
            parsed("100000012345678@lid").as_deref(),
            Some("100000012345678@lid")
        );
    }

    #[test]
    fn whatsapp_s_own_jids_are_read_whole_but_only_people_and_groups_taken_from_callers() {
        let read = |raw| Jid::from_whatsapp(raw).map(|jid| jid.to_string());
        assert_eq!(
            read("79001234567:12@s.whatsapp.net").as_deref(),
            Some("79001234567@s.whatsapp.net")
        );
        assert_eq!(read("1234567890@lid").as_deref(), Some("1234567890@lid"));
        assert_eq!(
            read("status@broadcast").as_deref(),
            Some("status@broadcast")
        );
        assert_eq!(
            read("120363025246125486@g.us").as_deref(),
            Some("120363025246125486@g.us")
        );
        for raw in ["", "@lid", "x@example.com", "a b@s.whatsapp.net", "a\0@lid"] {
            assert_eq!(read(raw), None, "{raw:?}");
        }
        assert!(Jid::parse("status@broadcast").is_err());
        assert!(Jid::parse("123@newsletter").is_err());
    }

    #[test]
    fn anything_else_is_an_invalid_phone() {
        for raw in [
            "",
            "+",
            "abc",
            "7900123456a",
            "12",
            "1234567890123456",
            "++79001234567",
            "7900+1234567",
            "7900x1234567@lid",
            "123456789012345678901@lid",
            "@s.whatsapp.net",
            "x@g.us",
            "0123456789",
            "7900\u{0}1234567",
            "٧٩٠٠١٢٣٤٥٦٧",
        ] {
            assert!(Jid::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parsing_never_panics_and_yields_a_clean_jid(raw in "\\PC{0,40}") {
            if let Ok(jid) = Jid::parse(&raw) {
                let text = jid.to_string();
                prop_assert!(text.ends_with("@s.whatsapp.net") || text.ends_with("@g.us"));
                prop_assert!(jid.user().chars().all(|c| c.is_ascii_digit() || c == '-'));
            }
        }

        #[test]
        fn a_parsed_jid_parses_to_itself(raw in "[+]?[0-9 ()-]{0,25}") {
            if let Ok(jid) = Jid::parse(&raw) {
                prop_assert_eq!(Jid::parse(&jid.to_string()), Ok(jid));
            }
        }

        #[test]
        fn decorated_numbers_normalise_to_their_digits(digits in "[1-9][0-9]{6,14}", seps in proptest::collection::vec("[ ()-]{0,2}", 16)) {
            let mut raw = String::from("+");
            for (n, digit) in digits.chars().enumerate() {
                raw.push(digit);
                raw.push_str(&seps[n % seps.len()]);
            }
            prop_assert_eq!(Jid::parse(&raw).map(|j| j.to_string()), Ok(format!("{digits}@s.whatsapp.net")));
        }
    }
}
