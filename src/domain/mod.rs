//! Small parsed types: once built, they are valid.

pub mod time;
pub mod user;
