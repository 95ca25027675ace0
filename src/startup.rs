//! Builds the running server: database, migrations, bootstrap admin, HTTP.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::ErrorHandlers;
use actix_web::{App, HttpServer, web};
use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::auth::{jwt, password};
use crate::config::Settings;
use crate::routes::{self, errors};
use crate::state::AppState;
use crate::{bootstrap, db};

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let db = db::connect(&settings.database).await?;
        Migrator::up(&db, None).await?;
        bootstrap::ensure_admin(&db, &settings.auth).await?;
        let secret = jwt::load_or_create_secret(
            settings.auth.jwt_secret.expose_secret(),
            &settings.server.data_dir,
        )?;
        let decoy_password_hash = password::hash(
            crate::domain::user::Password::parse(&crate::auth::api_key::random_token(16))
                .map_err(anyhow::Error::msg)?,
        )
        .await?;
        let state = web::Data::new(AppState {
            db,
            jwt: jwt::JwtKeys::new(&secret, settings.auth.jwt_ttl_secs),
            settings: settings.clone(),
            decoy_password_hash,
        });

        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        let json_limit = settings.server.json_limit_bytes;
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(errors::json_config(json_limit))
                .app_data(errors::query_config())
                .app_data(errors::path_config())
                .wrap(ErrorHandlers::new().default_handler(errors::ensure_json_body))
                .wrap(TracingLogger::default())
                .configure(routes::configure)
                .default_service(web::to(errors::route_not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs);
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.listen(listener)?.run();
        tracing::info!(host = %settings.server.host, port, "wamux listening");
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server from outside (tests, signals already handled by actix).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
