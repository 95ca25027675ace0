//! Small parsed types: once built, they are valid.

pub mod instance;
pub mod phone;
pub mod time;
pub mod user;
