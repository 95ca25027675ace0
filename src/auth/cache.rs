//! Recently authenticated callers, so a request does not cost a database read.
//! Any change to a user (rotation, deactivation, deletion, role) drops them at
//! once in this process, and in a cluster on every node (a `UserChanged`
//! signal); `auth.cache_ttl_secs` bounds how long another process sharing the
//! database outside a cluster may go on trusting a changed user.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::domain::user::AuthUser;

/// Past this many entries the cache starts over rather than grow.
const MAX_ENTRIES: usize = 100_000;

pub struct AuthCache {
    ttl: Duration,
    by_key: RwLock<HashMap<String, (AuthUser, Instant)>>,
    /// Keyed by user id and token version (`id_key`): a token of an older
    /// version never finds the entry a newer one left.
    by_id: RwLock<HashMap<String, (AuthUser, Instant)>>,
}

fn id_key(user_id: &str, token_version: i64) -> String {
    format!("{token_version}:{user_id}")
}

fn fresh(
    map: &RwLock<HashMap<String, (AuthUser, Instant)>>,
    key: &str,
    ttl: Duration,
) -> Option<AuthUser> {
    let map = map
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.get(key)
        .filter(|(_, at)| at.elapsed() < ttl)
        .map(|(user, _)| user.clone())
}

fn remember(map: &RwLock<HashMap<String, (AuthUser, Instant)>>, key: &str, user: &AuthUser) {
    let mut map = map
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if map.len() >= MAX_ENTRIES {
        map.clear();
    }
    map.insert(key.to_owned(), (user.clone(), Instant::now()));
}

impl AuthCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            by_key: RwLock::new(HashMap::new()),
            by_id: RwLock::new(HashMap::new()),
        }
    }

    pub fn by_api_key(&self, key: &str) -> Option<AuthUser> {
        fresh(&self.by_key, key, self.ttl)
    }

    /// The user behind a login token of this version, if recently seen.
    pub fn by_user_id(&self, user_id: &str, token_version: i64) -> Option<AuthUser> {
        fresh(&self.by_id, &id_key(user_id, token_version), self.ttl)
    }

    pub fn remember_key(&self, key: &str, user: &AuthUser) {
        if !self.ttl.is_zero() {
            remember(&self.by_key, key, user);
        }
    }

    /// Remembers a user whose login token of this version is valid.
    pub fn remember_id(&self, user: &AuthUser, token_version: i64) {
        if !self.ttl.is_zero() {
            remember(&self.by_id, &id_key(&user.id, token_version), user);
        }
    }

    /// Forgets everyone (signals from other nodes may have been missed).
    pub fn clear(&self) {
        self.by_id
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
        self.by_key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// Drops everything known about the user (called on every change to them).
    pub fn forget_user(&self, user_id: &str) {
        self.by_id
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, (user, _)| user.id != user_id);
        self.by_key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|_, (user, _)| user.id != user_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::Role;

    fn user(id: &str) -> AuthUser {
        AuthUser {
            id: id.into(),
            email: format!("{id}@example.com"),
            first_name: String::new(),
            last_name: String::new(),
            role: Role::User,
        }
    }

    #[test]
    fn forgetting_a_user_drops_their_keys_and_id() {
        let cache = AuthCache::new(Duration::from_secs(60));
        cache.remember_key("key-a", &user("a"));
        cache.remember_key("key-b", &user("b"));
        cache.remember_id(&user("a"), 0);
        cache.forget_user("a");
        assert!(cache.by_api_key("key-a").is_none());
        assert!(cache.by_user_id("a", 0).is_none());
        assert!(cache.by_api_key("key-b").is_some());
    }

    #[test]
    fn a_token_version_finds_only_its_own_entry() {
        let cache = AuthCache::new(Duration::from_secs(60));
        cache.remember_id(&user("a"), 1);
        assert!(cache.by_user_id("a", 1).is_some());
        assert!(cache.by_user_id("a", 0).is_none());
    }

    #[test]
    fn a_zero_ttl_caches_nothing() {
        let cache = AuthCache::new(Duration::ZERO);
        cache.remember_key("key-a", &user("a"));
        assert!(cache.by_api_key("key-a").is_none());
    }
}
