#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod auth;
mod cli;
mod config;
mod health;
mod helpers;
