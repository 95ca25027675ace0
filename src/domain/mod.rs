//! Small parsed types: once built, they are valid.

pub mod fields;
pub mod group;
pub mod instance;
pub mod kinds;
pub mod period;
pub mod phone;
pub mod rules;
pub mod text;
pub mod time;
pub mod user;
