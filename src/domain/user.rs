//! What a user is made of, parsed from untrusted input.

use std::fmt;

const MAX_EMAIL_LEN: usize = 254;
const MIN_PASSWORD_LEN: usize = 8;
/// Argon2 cost grows with input; a cap keeps one request from pinning a core.
const MAX_PASSWORD_LEN: usize = 1024;
const MAX_NAME_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trimmed and lower-cased; `local@domain` with no spaces.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= MAX_EMAIL_LEN
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && matches!(email.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !domain.contains('@')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Self(email))
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
        let chars = raw.chars().count();
        if chars < MIN_PASSWORD_LEN {
            return Err(format!("must be at least {MIN_PASSWORD_LEN} characters"));
        }
        if raw.len() > MAX_PASSWORD_LEN {
            return Err(format!("must be at most {MAX_PASSWORD_LEN} bytes"));
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

/// A role as given: `user` or `admin`.
pub fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| "must be \"user\" or \"admin\"".into())
}

/// First or last name: trimmed, at most 100 characters, may be empty.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.chars().count() > MAX_NAME_LEN {
        return Err(format!("must be at most {MAX_NAME_LEN} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").map(Email::into_inner),
            Ok("ann@example.com".into())
        );
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
        assert!(Password::parse(&"x".repeat(MAX_PASSWORD_LEN + 1)).is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let password = Password::parse("hunter2hunter2").map(|p| format!("{p:?}"));
        assert_eq!(password, Ok("Password(***)".into()));
    }

    #[test]
    fn role_accepts_only_user_and_admin() {
        assert_eq!(parse_role("admin"), Ok(Role::Admin));
        assert!(parse_role("root").is_err());
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
            if let Ok(name) = parse_name(&raw) {
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
