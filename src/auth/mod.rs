//! Who is calling: JWT (`Authorization: Bearer`) or API key (`x-api-key`), one extractor for both.

pub mod api_key;
pub mod cache;
pub mod extractor;
pub mod jwt;
pub mod password;

pub use extractor::{AdminUser, AuthUser};
