//! Users: logging in, authenticating a call, and managing users. One function
//! creates users, whoever asks (the admin route, `wamux user create`, boot).

use entity::users::Model as User;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use super::Deps;
use crate::auth::{api_key, password};
use crate::db;
use crate::db::users::{NewUser as UserRow, UserChanges};
use crate::domain::time::iso_millis;
use crate::domain::user::{AuthUser, Email, Password, Role};
use crate::error::{ApiError, ErrorCode};

const BAD_LOGIN: &str = "invalid email or password";

/// A user to create, already validated.
pub struct NewUser {
    pub email: Email,
    pub password: Password,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

/// A user as the API shows it: never the password hash; the API key only to
/// its owner at login and to the administrator who created the user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl UserView {
    fn new(user: User, with_api_key: bool) -> Self {
        Self {
            api_key: with_api_key.then_some(user.api_key),
            id: user.id,
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
            role: user.role,
            active: user.active,
            created_at: iso_millis(user.created_at),
            updated_at: iso_millis(user.updated_at),
        }
    }
}

/// What changes on a user; `None` leaves a field as it is.
#[derive(Default)]
pub struct UserUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// A new password also revokes every login token issued before it.
    pub password: Option<Password>,
    /// A new API key now; the old one stops working at once.
    pub rotate_api_key: bool,
}

/// A credential as a caller presented it.
pub enum Credential {
    Bearer(String),
    ApiKey(String),
}

fn email_taken() -> ApiError {
    ApiError::new(
        ErrorCode::EmailTaken,
        "a user with this email already exists",
    )
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized("invalid or expired credentials")
}

fn user_not_found() -> ApiError {
    ApiError::new(ErrorCode::UserNotFound, "user not found")
}

/// Creates a user with a fresh API key; `email_taken` when the email is in use
/// (also when another process created it first).
pub async fn create_user(db: &impl ConnectionTrait, new: NewUser) -> Result<User, ApiError> {
    if db::users::find_by_email(db, new.email.as_str())
        .await?
        .is_some()
    {
        return Err(email_taken());
    }
    let row = UserRow {
        email: new.email.into_inner(),
        password_hash: password::hash(new.password).await?,
        first_name: new.first_name,
        last_name: new.last_name,
        role: new.role,
        api_key: api_key::generate(),
    };
    match db::users::insert(db, row).await {
        Ok(user) => {
            tracing::info!(user_id = %user.id, role = %user.role, "user created");
            Ok(user)
        }
        Err(err) if db::is_unique_violation(&err) => Err(email_taken()),
        Err(err) => Err(err.into()),
    }
}

pub struct Users<'a> {
    deps: &'a Deps,
}

impl<'a> Users<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// A login token and the user (with its API key), for a right email and
    /// password of an active user.
    pub async fn login(&self, email: &str, given: String) -> Result<(String, UserView), ApiError> {
        let deps = self.deps;
        // Typed by a person: surrounding spaces are forgiven here.
        let user = match Email::parse(email.trim()) {
            Ok(email) => db::users::find_by_email(&deps.db, email.as_str()).await?,
            Err(_) => None,
        };
        // Unknown emails are verified against a decoy hash so both failures take as long.
        let hash = user.as_ref().map_or_else(
            || deps.decoy_password_hash.clone(),
            |u| u.password_hash.clone(),
        );
        let password_ok = password::verify(given, hash).await?;
        let user = match user {
            Some(user) if password_ok && user.active => user,
            _ => return Err(ApiError::unauthorized(BAD_LOGIN)),
        };
        let token = deps
            .jwt
            .issue(&user.id, i64::from(user.token_version))
            .map_err(ApiError::internal)?;
        Ok((token, UserView::new(user, true)))
    }

    /// The active user behind a credential, or 401.
    pub async fn authenticate(&self, credential: Credential) -> Result<AuthUser, ApiError> {
        let deps = self.deps;
        match credential {
            Credential::Bearer(token) => {
                let subject = deps.jwt.verify(&token).ok_or_else(invalid_credentials)?;
                let (user_id, version) = (subject.user_id, subject.version);
                if let Some(user) = deps.auth_cache.by_user_id(&user_id, version) {
                    return Ok(user);
                }
                // A token issued before the user's last password change is revoked.
                let user = db::users::find_by_id(&deps.db, &user_id)
                    .await?
                    .filter(|user| i64::from(user.token_version) == version);
                let user = caller(user)?;
                deps.auth_cache.remember_id(&user, version);
                Ok(user)
            }
            Credential::ApiKey(key) => {
                if let Some(user) = deps.auth_cache.by_api_key(&key) {
                    return Ok(user);
                }
                let user = caller(db::users::find_by_api_key(&deps.db, &key).await?)?;
                deps.auth_cache.remember_key(&key, &user);
                Ok(user)
            }
        }
    }

    /// A new API key for the caller; the old one stops working at once.
    pub async fn rotate_api_key(&self, caller: &AuthUser) -> Result<String, ApiError> {
        let key = api_key::generate();
        if !db::users::set_api_key(&self.deps.db, &caller.id, &key).await? {
            return Err(invalid_credentials());
        }
        self.user_changed(&caller.id).await;
        tracing::info!(user_id = %caller.id, "API key rotated");
        Ok(key)
    }

    /// The new user, with its API key (shown this once).
    pub async fn create(&self, new: NewUser) -> Result<UserView, ApiError> {
        let user = create_user(&self.deps.db, new).await?;
        Ok(UserView::new(user, true))
    }

    /// A page of users, oldest first, and how many there are.
    pub async fn list(&self, limit: u64, skip: u64) -> Result<(Vec<UserView>, u64), ApiError> {
        let (users, total) = db::users::list(&self.deps.db, limit, skip).await?;
        let users = users.into_iter().map(|u| UserView::new(u, false)).collect();
        Ok((users, total))
    }

    /// Changes a user on an administrator's behalf. A new password revokes the
    /// user's earlier login tokens; the API key is shown when it was rotated.
    pub async fn update(
        &self,
        caller: &AuthUser,
        user_id: &str,
        update: UserUpdate,
    ) -> Result<UserView, ApiError> {
        let user = self.existing(user_id).await?;
        if update.role == Some(Role::User) || update.active == Some(false) {
            not_yourself(caller, &user)?;
        }
        let password_hash = match update.password {
            Some(new_password) => Some(password::hash(new_password).await?),
            None => None,
        };
        let revoke_tokens = password_hash.is_some();
        let rotated = update.rotate_api_key;
        let changes = UserChanges {
            first_name: update.first_name,
            last_name: update.last_name,
            role: update.role,
            active: update.active,
            password_hash,
            api_key: rotated.then(api_key::generate),
            revoke_tokens,
        };
        let user = db::users::update(&self.deps.db, user, changes).await?;
        // Also drops what this and every other node cached for the old tokens and key.
        self.user_changed(&user.id).await;
        tracing::info!(
            user_id = %user.id,
            tokens_revoked = revoke_tokens,
            api_key_rotated = rotated,
            "user updated"
        );
        Ok(UserView::new(user, rotated))
    }

    /// Deletes the user after every instance of theirs, as deleting each
    /// instance would (stopped, session ended and wiped) and with the webhook
    /// deliveries still waiting for them dropped. Answers the id of the user.
    pub async fn delete(&self, caller: &AuthUser, user_id: &str) -> Result<String, ApiError> {
        let user = self.existing(user_id).await?;
        not_yourself(caller, &user)?;
        // Deactivated first, so that their credentials cannot start another
        // instance while these stop.
        let deactivate = UserChanges {
            active: Some(false),
            ..UserChanges::default()
        };
        let user = db::users::update(&self.deps.db, user, deactivate).await?;
        self.user_changed(&user.id).await;
        let instances = super::instances::Instances::new(self.deps);
        let removed = instances.remove_all_of(&user.id).await?;
        // The database deletes the instance rows with the user (a foreign key
        // with cascade; migration m20261215_000019), deleted ones included.
        db::users::delete(&self.deps.db, &user.id).await?;
        self.user_changed(&user.id).await;
        tracing::info!(user_id = %user.id, instances = removed, "user deleted");
        Ok(user.id)
    }

    /// Every node forgets what it cached about the user, this one at once.
    async fn user_changed(&self, user_id: &str) {
        self.deps.auth_cache.forget_user(user_id);
        if let Some(cluster) = super::cluster::ClusterService::new(self.deps) {
            cluster.user_changed(user_id).await;
        }
    }

    async fn existing(&self, user_id: &str) -> Result<User, ApiError> {
        if !crate::domain::text::is_uuid(user_id) {
            return Err(user_not_found());
        }
        db::users::find_by_id(&self.deps.db, user_id)
            .await?
            .ok_or_else(user_not_found)
    }
}

/// An administrator who demotes, deactivates or deletes their own account locks
/// themselves out in the middle of a session: another administrator must do it.
/// Since the caller is an active administrator and stays one, this also means a
/// change through the API never leaves the server without an administrator.
fn not_yourself(caller: &AuthUser, user: &User) -> Result<(), ApiError> {
    if caller.id == user.id {
        return Err(ApiError::new(
            ErrorCode::SelfLockout,
            "administrators cannot demote, deactivate or delete themselves; another administrator can",
        ));
    }
    Ok(())
}

/// An active user, or 401.
fn caller(user: Option<User>) -> Result<AuthUser, ApiError> {
    let user = user
        .filter(|user| user.active)
        .ok_or_else(invalid_credentials)?;
    Ok(AuthUser {
        id: user.id,
        email: user.email,
        first_name: user.first_name,
        last_name: user.last_name,
        role: user.role,
    })
}
