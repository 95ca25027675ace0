//! Command line: `wamux [serve]`, `wamux migrate`, `wamux user create`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "wamux",
    version,
    about = "Many WhatsApp connections behind one REST API"
)]
pub struct Cli {
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration (file and environment) and print the
    /// effective settings, secrets masked.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print its id and API key.
    Create {
        #[arg(long)]
        email: String,
        /// The password (or set WAMUX_USER_PASSWORD to keep it out of the process list).
        #[arg(long, env = "WAMUX_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// Give the user the admin role.
        #[arg(long)]
        admin: bool,
    },
}
