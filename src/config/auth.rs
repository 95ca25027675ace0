//! `[auth]`: login tokens, the authentication cache and the first administrator.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::masked;

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
