//! What each CLI subcommand does.

use migration::{Migrator, MigratorTrait};

use crate::app::users::{NewUser, create_user};
use crate::cli::{Command, ConfigCommand, UserCommand};
use crate::config::Settings;
use crate::db;
use crate::domain::fields::PersonName;
use crate::domain::user::{Email, Password, Role};
use crate::error::ErrorCode;
use crate::startup::Application;

/// The operator's warning: the WhatsApp sessions' keys are only as safe as where they are kept.
fn where_sessions_are(settings: &Settings) -> String {
    let place = match settings.whatsapp.session_store {
        crate::config::SessionStore::Database => {
            "the database (database.url) and its backups hold".to_owned()
        }
        crate::config::SessionStore::Files => {
            format!("{} holds", settings.whatsapp.data_dir.display())
        }
    };
    format!(
        "{place} every instance's WhatsApp keys: whoever reads them can act as those accounts; protect them like the keys"
    )
}

pub async fn run(command: Option<Command>, settings: Settings) -> anyhow::Result<()> {
    match command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Config(ConfigCommand::Check) => {
            println!("# configuration is valid; effective settings (secrets masked):");
            println!("# {}\n", where_sessions_are(&settings));
            println!("{}", settings.to_masked_toml()?);
        }
        Command::Migrate => {
            let db = db::connect(&settings.database).await?;
            Migrator::up(&db, None).await?;
            println!("migrations applied");
        }
        Command::User(UserCommand::Create {
            email,
            password,
            first_name,
            last_name,
            admin,
        }) => {
            let email = Email::parse(email.trim()).map_err(|e| anyhow::anyhow!("--email {e}"))?;
            let password =
                Password::parse(&password).map_err(|e| anyhow::anyhow!("--password {e}"))?;
            let db = db::connect(&settings.database).await?;
            Migrator::up(&db, None).await?;
            let address = email.as_str().to_owned();
            let new = NewUser {
                email,
                password,
                first_name: PersonName::from(first_name.as_str())
                    .parse("--first-name")
                    .map_err(|refusal| anyhow::anyhow!("{}", refusal.message()))?,
                last_name: PersonName::from(last_name.as_str())
                    .parse("--last-name")
                    .map_err(|refusal| anyhow::anyhow!("{}", refusal.message()))?,
                role: if admin { Role::Admin } else { Role::User },
            };
            let user = match create_user(&db, new).await {
                Err(err) if err.code() == ErrorCode::EmailTaken => {
                    anyhow::bail!("a user with the email {address} already exists")
                }
                other => other?,
            };
            println!("id: {}\napiKey: {}", user.id, user.api_key);
        }
    }
    Ok(())
}
