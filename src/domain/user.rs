//! What a user is made of, parsed from untrusted input.

use std::fmt;

use super::rules::{EMAIL, PASSWORD};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// `local@domain` as `domain::rules::EMAIL` has it, then lower-cased.
    /// Not trimmed: callers reading a person's typing trim first.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if EMAIL.allows(raw) {
            Ok(Self(raw.to_lowercase()))
        } else {
            Err("must be a valid email address".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password as given by a person; never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if !PASSWORD.allows(raw) {
            return Err(format!(
                "must be {}-{} characters",
                PASSWORD.min_chars, PASSWORD.max_chars
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

pub use entity::values::Role;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lower_cased_and_not_trimmed() {
        assert_eq!(
            Email::parse("Ann@Example.COM").map(Email::into_inner),
            Ok("ann@example.com".into())
        );
        assert!(Email::parse(" ann@example.com").is_err());
        assert!(Email::parse("admin@localhost").is_ok());
    }

    #[test]
    fn email_without_at_or_with_spaces_is_refused() {
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a b@example.com",
            "a@b@c",
            "ann@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn password_length_is_bounded_on_both_sides() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert!(Password::parse(&"x".repeat(PASSWORD.max_chars + 1)).is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let password = Password::parse("hunter2hunter2").map(|p| format!("{p:?}"));
        assert_eq!(password, Ok("Password(***)".into()));
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn a_parsed_email_is_lower_case_without_whitespace(raw in "\\PC{0,60}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
                prop_assert!(!email.as_str().chars().any(char::is_whitespace));
                prop_assert_eq!(email.as_str().matches('@').count(), 1);
            }
        }

        #[test]
        fn names_are_bounded_and_printable(raw in "\\PC{0,150}") {
            if let Ok(name) = crate::domain::fields::PersonName::from(raw.as_str()).parse("name") {
                prop_assert!(name.chars().count() <= 100);
                prop_assert!(!name.chars().any(char::is_control));
            }
        }
    }
}

/// Who is calling: an active user, authenticated by token or API key.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
