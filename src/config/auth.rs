//! `[auth]`: login tokens, the authentication cache and the first administrator.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid, masked};

const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Empty: generated once and kept in `server.data_dir`.
    #[serde(serialize_with = "masked")]
    pub jwt_secret: SecretString,
    pub jwt_ttl_secs: u64,
    /// How long an authenticated caller is remembered (0: every request reads the database).
    pub cache_ttl_secs: u64,
    pub bootstrap_admin_email: String,
    #[serde(serialize_with = "masked")]
    pub bootstrap_admin_password: SecretString,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: SecretString::from(String::new()),
            jwt_ttl_secs: 24 * 60 * 60,
            cache_ttl_secs: 30,
            bootstrap_admin_email: String::new(),
            bootstrap_admin_password: SecretString::from(String::new()),
        }
    }
}

impl AuthSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let secret_len = self.jwt_secret.expose_secret().len();
        if secret_len > 0 && secret_len < MIN_JWT_SECRET_BYTES {
            return Err(invalid(
                "auth.jwt_secret",
                format!("must be empty (generated) or at least {MIN_JWT_SECRET_BYTES} bytes"),
            ));
        }
        if self.jwt_ttl_secs == 0 {
            return Err(invalid("auth.jwt_ttl_secs", "must be greater than 0"));
        }
        let admin_email = self.bootstrap_admin_email.trim();
        let admin_password = self.bootstrap_admin_password.expose_secret();
        if !admin_email.is_empty() {
            crate::domain::user::Email::parse(admin_email.trim())
                .map_err(|e| invalid("auth.bootstrap_admin_email", e))?;
            crate::domain::user::Password::parse(admin_password)
                .map_err(|e| invalid("auth.bootstrap_admin_password", e))?;
        } else if !admin_password.is_empty() {
            return Err(invalid(
                "auth.bootstrap_admin_email",
                "must be set when auth.bootstrap_admin_password is",
            ));
        }
        Ok(())
    }
}
