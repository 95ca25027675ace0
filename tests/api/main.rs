#![allow(clippy::unwrap_used, clippy::expect_used)]

mod activity;
mod admin;
mod auth;
mod cli;
mod config;
mod crash;
mod engine;
mod health;
mod helpers;
mod instances;
mod messaging;
mod process;
mod receiver;
mod stats;
mod supervision;
mod webhooks;
