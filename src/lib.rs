//! wamux: many WhatsApp connections behind one REST API.

pub mod actors;
pub mod app;
pub mod auth;
pub mod bootstrap;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod metrics;
pub mod net;
pub mod qr;
pub mod routes;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod webhooks;
pub mod whatsapp;
