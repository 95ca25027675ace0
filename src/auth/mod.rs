//! Authentication's mechanics: login tokens (JWT), API keys, password hashes and
//! the cache of recently authenticated callers. Finding the caller of a request
//! is the routes' (`http::extract`).

pub mod api_key;
pub mod cache;
pub mod jwt;
pub mod password;
