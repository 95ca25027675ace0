//! The first administrator, so a newcomer can log in right after the first start.

use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;

use crate::app::users::{NewUser, create_user};
use crate::auth::api_key;
use crate::config::AuthSettings;
use crate::db;
use crate::domain::user::{Email, Password, Role};
use crate::error::ErrorCode;

const DEFAULT_ADMIN_EMAIL: &str = "admin@localhost";
const GENERATED_PASSWORD_BYTES: usize = 18;

/// Creates the configured administrator when missing; with none configured and no
/// user at all, creates `admin@localhost` with a random password printed once.
pub async fn ensure_admin(db: &DatabaseConnection, auth: &AuthSettings) -> anyhow::Result<()> {
    let configured = auth.bootstrap_admin_email.trim();
    if !configured.is_empty() {
        let email = Email::parse(configured)
            .map_err(|e| anyhow::anyhow!("auth.bootstrap_admin_email {e}"))?;
        if db::users::find_by_email(db, email.as_str())
            .await?
            .is_some()
        {
            return Ok(());
        }
        let password = Password::parse(auth.bootstrap_admin_password.expose_secret())
            .map_err(|e| anyhow::anyhow!("auth.bootstrap_admin_password {e}"))?;
        if create_admin(db, email.clone(), password).await? {
            tracing::info!(email = email.as_str(), "bootstrap administrator created");
        }
        return Ok(());
    }
    if db::users::count(db).await? > 0 {
        return Ok(());
    }
    let generated = api_key::random_token(GENERATED_PASSWORD_BYTES);
    let email = Email::parse(DEFAULT_ADMIN_EMAIL).map_err(anyhow::Error::msg)?;
    let password = Password::parse(&generated).map_err(anyhow::Error::msg)?;
    if create_admin(db, email, password).await? {
        // Printed, not logged: it must reach the person at the console, not a log store.
        println!(
            "\n  wamux created the administrator {DEFAULT_ADMIN_EMAIL} with the password:\n\n      {generated}\n\n  It is shown only this once. Sign in at /console, or log in with POST /api/auth/login.\n"
        );
    }
    Ok(())
}

/// False when another process created the same email first.
async fn create_admin(
    db: &DatabaseConnection,
    email: Email,
    password: Password,
) -> anyhow::Result<bool> {
    let new = NewUser {
        email,
        password,
        first_name: "Admin".into(),
        last_name: String::new(),
        role: Role::Admin,
    };
    match create_user(db, new).await {
        Ok(_) => Ok(true),
        Err(err) if err.code() == ErrorCode::EmailTaken => Ok(false),
        Err(err) => Err(err.into()),
    }
}
