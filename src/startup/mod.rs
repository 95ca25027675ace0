//! Builds the running server: database, migrations, bootstrap admin, actors, HTTP.

mod cluster;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, Addr};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use crate::actors::api_calls::ApiCallTally;
use crate::actors::lease_keeper::{Drain, LeaseKeeper};
use crate::actors::live::{LiveEvents, RelayEvents};
use crate::actors::registry::Registry;
use crate::actors::stats::{FlushStats, StatsActor};
use crate::actors::supervisor::{
    InstanceSupervisor, RestoreInstances, ShutdownAll, SupervisorParts,
};
use crate::actors::webhook::{StopDeliveries, WebhookActor};
use crate::app::Deps;
use crate::auth::cache::AuthCache;
use crate::auth::{api_key, jwt, password};
use crate::config::Settings;
use crate::db::engine_store::StoreConnections;
use crate::db::recorder::Recorder;
use crate::domain::user::Password;
use crate::events::EventBus;
use crate::http::state::AppState;
use crate::http::{self, errors};
use crate::metrics::Metrics;
use crate::net::fetch::MediaFetcher;
use crate::routes;
use crate::security;
use crate::security::limits::RateLimits;
use crate::security::uploads::UploadGate;
use crate::whatsapp::Backends;
use crate::{bootstrap, db};

pub struct Application {
    port: u16,
    server: Server,
    keeper: Option<Addr<LeaseKeeper>>,
    supervisor: Addr<InstanceSupervisor>,
    webhooks: Addr<WebhookActor>,
    stats: Addr<StatsActor>,
    recorder: Recorder,
    sessions: StoreConnections,
    shutdown_timeout: Duration,
}

/// The actors, running, and what the services need of them.
struct Actors {
    deps: Deps,
    keeper: Option<Addr<LeaseKeeper>>,
    supervisor: Addr<InstanceSupervisor>,
    webhooks: Addr<WebhookActor>,
    stats: Addr<StatsActor>,
    recorder: Recorder,
    sessions: StoreConnections,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let db = db::connect(&settings.database).await?;
        Migrator::up(&db, None).await?;
        bootstrap::ensure_admin(&db, &settings.auth).await?;
        let actors = start_actors(settings.clone(), db.clone()).await?;
        spawn_housekeeping(db);
        let Actors {
            deps,
            keeper,
            supervisor,
            webhooks,
            stats,
            recorder,
            sessions,
        } = actors;
        let metrics = deps.metrics.clone();
        let state = web::Data::new(AppState {
            app: crate::app::App::new(deps),
            limits: RateLimits::new(&settings.limits),
            uploads: UploadGate::new(
                &settings.limits,
                settings.whatsapp.max_media_bytes,
                metrics.uploads_in_flight.clone(),
            ),
            routes: routes::known_routes(),
        });
        spawn_limit_housekeeping(state.clone());
        let (server, port) = serve_http(&settings, state, &metrics)?;
        Ok(Self {
            port,
            server,
            keeper,
            supervisor,
            webhooks,
            stats,
            recorder,
            sessions,
            shutdown_timeout: Duration::from_secs(settings.server.shutdown_timeout_secs),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the engine's sessions are read and written (benchmarks share it).
    pub fn session_connections(&self) -> StoreConnections {
        self.sessions.clone()
    }

    /// Stops the server from outside (tests); SIGTERM/SIGINT are handled by actix.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped, then ends every session and writes what is queued.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        tracing::info!("HTTP stopped; shutting instances down");
        let stopped = async {
            if let Some(keeper) = &self.keeper {
                // Hand the instances to the other nodes before anything else stops.
                let _ = keeper.send(Drain).await;
            }
            let _ = self.supervisor.send(ShutdownAll).await;
            let _ = self.webhooks.send(StopDeliveries).await;
            if let Ok(Err(err)) = self.stats.send(FlushStats).await {
                tracing::error!(error = %err, "usage statistics not written at shutdown");
            }
            self.recorder.flush().await;
        };
        if tokio::time::timeout(self.shutdown_timeout, stopped)
            .await
            .is_err()
        {
            tracing::warn!("shutdown timed out; some sessions were not closed cleanly");
        }
        tracing::info!("wamux stopped");
        served
    }
}

/// Starts the stats, webhook, live-events and supervisor actors, restores the
/// instances, and gathers what the services work with.
async fn start_actors(settings: Arc<Settings>, db: DatabaseConnection) -> anyhow::Result<Actors> {
    let clustered = cluster::identify(&settings)?;
    let secret = match &clustered {
        Some(node) if settings.auth.jwt_secret.expose_secret().is_empty() => {
            jwt::derived_secret(node.secret())
        }
        _ => jwt::load_or_create_secret(
            settings.auth.jwt_secret.expose_secret(),
            &settings.server.data_dir,
        )?,
    };
    let decoy = Password::parse(&api_key::random_token(16)).map_err(anyhow::Error::msg)?;
    let decoy_password_hash = password::hash(decoy).await?;
    let (writer, queues) = db::connect_recorder(&settings.database).await?;
    let recorder = Recorder::spawn_queues(writer.clone(), queues);
    let metrics = Arc::new(Metrics::new(clustered.as_ref().map(|node| node.node_id()))?);
    let sessions = StoreConnections::new(db.clone(), writer).fenced_by(clustered.clone());
    let backends = Backends::from_settings(&settings, sessions.clone())?;
    let load = crate::metrics::LoadProbe::new(backends.sessions.clone());
    let api_calls = ApiCallTally::default();
    let stats = StatsActor::new(
        db.clone(),
        Duration::from_millis(settings.stats.flush_interval_ms),
        metrics.clone(),
        api_calls.clone(),
    )
    .start();
    let mut webhooks = WebhookActor::new(
        db.clone(),
        recorder.clone(),
        settings.webhooks.clone(),
        Some(stats.clone().recipient()),
        metrics.clone(),
    );
    if clustered.is_some() {
        webhooks = webhooks.clustered();
    }
    let webhooks = webhooks.start();
    let registry = Registry::default();
    let mut events = EventBus::default();
    events.subscribe_durable(webhooks.clone().recipient(), webhooks.clone().recipient());
    events.subscribe(stats.clone().recipient());
    let live = LiveEvents::new(
        metrics.event_stream_backlog.clone(),
        metrics.event_streams.clone(),
    )
    .start();
    events.subscribe(live.clone().recipient());
    let supervisor = InstanceSupervisor::new(SupervisorParts {
        db: db.clone(),
        recorder: recorder.clone(),
        backend: backends.sessions,
        events,
        settings: settings.supervision.clone(),
        media_dir: settings.server.data_dir.join("media"),
        qr_terminal: settings.log.qr_terminal,
        metrics: metrics.clone(),
        registry: registry.clone(),
    })
    .start();
    let auth_cache = Arc::new(AuthCache::new(Duration::from_secs(
        settings.auth.cache_ttl_secs,
    )));
    let (cluster, keeper) = match clustered {
        // The lease keeper starts this node's share of the instances.
        Some(node) => {
            let joined = cluster::join(
                node,
                &db,
                supervisor.clone(),
                webhooks.clone(),
                recorder.clone(),
                auth_cache.clone(),
            )
            .await?;
            #[cfg(feature = "sim")]
            if let Some(sim) = &backends.sim {
                sim.join_cluster(joined.deps.signals.clone());
            }
            live.do_send(RelayEvents {
                node_id: joined.deps.cluster.node_id().to_owned(),
                signals: joined.deps.signals.clone(),
            });
            (Some(joined.deps), Some(joined.keeper))
        }
        None => {
            supervisor.send(RestoreInstances).await??;
            (None, None)
        }
    };
    let deps = Deps {
        db,
        jwt: jwt::JwtKeys::new(&secret, settings.auth.jwt_ttl_secs),
        auth_cache,
        settings,
        decoy_password_hash,
        recorder: recorder.clone(),
        supervisor: supervisor.clone(),
        registry,
        webhooks: webhooks.clone(),
        stats: stats.clone(),
        api_calls,
        live,
        metrics,
        load,
        sim: backends.sim,
        cluster,
    };
    Ok(Actors {
        deps,
        keeper,
        supervisor,
        webhooks,
        stats,
        recorder,
        sessions,
    })
}

/// The HTTP server with its middleware, listening; and the port it got.
fn serve_http(
    settings: &Settings,
    state: web::Data<AppState>,
    metrics: &Metrics,
) -> anyhow::Result<(Server, u16)> {
    let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
    let port = listener.local_addr()?.port();
    let json_limit = settings.server.json_limit_bytes;
    let media = settings.whatsapp.clone();
    let tls = (!settings.server.tls_cert.is_empty())
        .then(|| security::tls::server_config(&settings.server.tls_cert, &settings.server.tls_key))
        .transpose()?;
    let with_tls = tls.is_some();
    let with_sim = state.app.has_sim();
    let cors_origins = settings.server.cors_allowed_origins.clone();
    let http_metrics = actix_web_prom::PrometheusMetricsBuilder::new("wamux")
        .registry(metrics.registry.clone())
        .mask_unmatched_patterns("UNKNOWN")
        .build()
        .map_err(|e| anyhow::anyhow!("HTTP metrics: {e}"))?;
    let mut server = HttpServer::new(move || {
        // awc::Client is not Send: each worker gets its own fetcher.
        let fetcher = MediaFetcher::new(
            Duration::from_millis(media.media_fetch_timeout_ms),
            media.max_media_bytes,
            media.allow_private_media_urls,
        );
        App::new()
            .app_data(state.clone())
            .app_data(web::Data::new(fetcher))
            .app_data(web::Data::new(http::forward::Forwarder::new()))
            .app_data(errors::json_config(json_limit))
            .app_data(errors::query_config())
            .app_data(errors::path_config())
            // Innermost: a request about an instance another node holds goes there,
            // once its caller is known.
            .wrap(from_fn(http::forward::to_holder))
            // Everything outside it (allow-list, CORS, metrics) runs first.
            .wrap(from_fn(http::extract::require_auth))
            .wrap(http_metrics.clone())
            // Outside the metrics: no request can add a label value by inventing a method.
            .wrap(from_fn(security::methods::known_methods_only))
            .wrap(security::headers::cors(&cors_origins))
            .wrap(from_fn(http::allowlist::allowed_ips_only))
            .wrap(ErrorHandlers::new().default_handler(errors::ensure_json_body))
            .wrap(security::headers::security_headers(with_tls))
            .wrap(TracingLogger::<http::request_log::SafeRootSpan>::new())
            .configure(|cfg| routes::configure(cfg, with_sim))
            .default_service(web::to(errors::no_route))
    })
    .shutdown_timeout(settings.server.shutdown_timeout_secs)
    // A client that hangs up is let go as soon as its end of the connection
    // closes: an event stream would otherwise keep its watcher slot (and its
    // backlog) until the next write failed, up to a keep-alive later. HTTP/1.1
    // clients do not half-close while waiting for an answer.
    .h1_allow_half_closed(false);
    if settings.server.workers > 0 {
        server = server.workers(settings.server.workers);
    }
    let server = match tls {
        Some(tls) => server.listen_rustls_0_23(listener, tls)?,
        None => server.listen(listener)?,
    }
    .run();
    tracing::info!(host = %settings.server.host, port, tls = with_tls, backend = ?settings.whatsapp.backend, "wamux listening");
    #[cfg(feature = "mock-whatsapp")]
    tracing::warn!(
        ws_url = %settings.whatsapp.ws_url,
        "built with the mock-whatsapp feature: WhatsApp's certificates are NOT verified and only a \
         WhatsApp test server on 127.0.0.0/8 is reached (tests and benchmarks only, never production)"
    );
    Ok((server, port))
}

/// Forgets idempotency keys past their 24 hours, once an hour.
fn spawn_housekeeping(db: DatabaseConnection) {
    const EVERY: Duration = Duration::from_secs(60 * 60);
    actix::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            match crate::db::idempotency::expire(&db).await {
                Ok(0) => {}
                Ok(expired) => tracing::debug!(expired, "idempotency keys expired"),
                Err(err) => tracing::warn!(error = %err, "idempotency keys not expired"),
            }
        }
    });
}

/// Lets rate limiters forget callers who are back to a full allowance.
fn spawn_limit_housekeeping(state: web::Data<AppState>) {
    const EVERY: Duration = Duration::from_secs(60);
    actix::spawn(async move {
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            state.limits.forget_idle();
        }
    });
}
