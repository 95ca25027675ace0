//! Prometheus metrics: HTTP (by route pattern and status, from actix-web-prom)
//! and what the actors do. Served at `/metrics` to scrapers that may see it.

use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

pub struct Metrics {
    pub registry: Registry,
    pub instances: IntGaugeVec,
    pub session_restarts: IntCounter,
    pub supervisor_give_ups: IntCounter,
    pub messages_sent: IntCounter,
    pub messages_received: IntCounter,
    pub webhook_deliveries: IntCounterVec,
    pub webhook_seconds: Histogram,
    pub webhook_outbox: IntGauge,
    pub stats_flushes: IntCounterVec,
    /// Session clients that still exist (an ended attempt's must be gone).
    pub session_clients: IntGauge,
    /// Tasks alive, by runtime: `main` (the simulated network's sessions and
    /// background work; actors run on its local set and are not counted) and
    /// `engine` (the WhatsApp engine's clients).
    pub runtime_tasks: IntGaugeVec,
    /// Seconds since WhatsApp last sent anything, per connected engine instance.
    pub inbound_age: IntGaugeVec,
    /// Live event streams open, and the bytes held for the ones not read yet.
    pub event_streams: IntGauge,
    pub event_stream_backlog: IntGauge,
    /// send-file uploads being received or waiting to be sent.
    pub uploads_in_flight: IntGauge,
}

fn gauge(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntGauge> {
    let metric = IntGauge::with_opts(Opts::new(name, help).namespace("wamux"))?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn counter(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    let metric = IntCounter::with_opts(Opts::new(name, help).namespace("wamux"))?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn counters(
    registry: &Registry,
    name: &str,
    help: &str,
    label: &str,
) -> prometheus::Result<IntCounterVec> {
    let metric = IntCounterVec::new(Opts::new(name, help).namespace("wamux"), &[label])?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

impl Metrics {
    /// `node`: in a cluster, every metric carries a `node` label with this node's id.
    pub fn new(node: Option<&str>) -> prometheus::Result<Self> {
        let labels = node
            .map(|node| std::collections::HashMap::from([("node".to_owned(), node.to_owned())]));
        let registry = Registry::new_custom(None, labels)?;
        let instances = IntGaugeVec::new(
            Opts::new("instances", "Live instances by status").namespace("wamux"),
            &["status"],
        )?;
        registry.register(Box::new(instances.clone()))?;
        let webhook_seconds = Histogram::with_opts(
            HistogramOpts::new("webhook_delivery_seconds", "Time of one webhook attempt")
                .namespace("wamux")
                .buckets(vec![
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
                ]),
        )?;
        registry.register(Box::new(webhook_seconds.clone()))?;
        let webhook_outbox = IntGauge::with_opts(
            Opts::new(
                "webhook_outbox_depth",
                "Webhook deliveries waiting to be made",
            )
            .namespace("wamux"),
        )?;
        registry.register(Box::new(webhook_outbox.clone()))?;
        let session_clients = IntGauge::with_opts(
            Opts::new(
                "session_clients",
                "WhatsApp session clients that still exist",
            )
            .namespace("wamux"),
        )?;
        registry.register(Box::new(session_clients.clone()))?;
        let runtime_tasks = IntGaugeVec::new(
            Opts::new(
                "runtime_alive_tasks",
                "Tasks alive on the main runtime (sessions of the simulated network, background work) and the engine's",
            ).namespace("wamux"),
            &["runtime"],
        )?;
        registry.register(Box::new(runtime_tasks.clone()))?;
        let inbound_age = IntGaugeVec::new(
            Opts::new(
                "session_inbound_age_seconds",
                "Seconds since WhatsApp last sent anything on a connected session",
            )
            .namespace("wamux"),
            &["instance"],
        )?;
        registry.register(Box::new(inbound_age.clone()))?;
        // process_open_fds, process_resident_memory_bytes, process_threads, ...
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(Self {
            session_restarts: counter(
                &registry,
                "session_restarts_total",
                "Sessions restarted by the supervisor",
            )?,
            supervisor_give_ups: counter(
                &registry,
                "supervisor_give_ups_total",
                "Instances the supervisor gave up on",
            )?,
            messages_sent: counter(&registry, "messages_sent_total", "Messages sent")?,
            messages_received: counter(&registry, "messages_received_total", "Messages received")?,
            webhook_deliveries: counters(
                &registry,
                "webhook_deliveries_total",
                "Webhook attempts by outcome (delivered, retry, failed)",
                "outcome",
            )?,
            stats_flushes: counters(
                &registry,
                "stats_flushes_total",
                "Usage statistics flushes",
                "result",
            )?,
            event_streams: gauge(&registry, "event_streams", "Live event streams open")?,
            event_stream_backlog: gauge(
                &registry,
                "event_stream_backlog_bytes",
                "Bytes of events held for live event streams not read yet",
            )?,
            uploads_in_flight: gauge(
                &registry,
                "uploads_in_flight",
                "send-file uploads being received or waiting to be sent",
            )?,
            instances,
            session_clients,
            runtime_tasks,
            inbound_age,
            webhook_seconds,
            webhook_outbox,
            registry,
        })
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        prometheus::TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_default()
    }
}

/// What the server holds right now, read at scrape time: session clients and
/// the tasks alive on each runtime.
pub struct LoadProbe {
    backend: std::sync::Arc<dyn crate::whatsapp::WaBackend>,
    /// The runtime that built the application.
    main: tokio::runtime::Handle,
}

impl LoadProbe {
    /// Call on the runtime that builds the application.
    pub fn new(backend: std::sync::Arc<dyn crate::whatsapp::WaBackend>) -> Self {
        Self {
            backend,
            main: tokio::runtime::Handle::current(),
        }
    }

    pub fn observe(&self, metrics: &Metrics) {
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let load = self.backend.load();
        metrics.session_clients.set(gauge(load.clients));
        metrics
            .runtime_tasks
            .with_label_values(&["main"])
            .set(gauge(self.main.metrics().num_alive_tasks()));
        if let Some(tasks) = load.tasks {
            metrics
                .runtime_tasks
                .with_label_values(&["engine"])
                .set(gauge(tasks));
        }
    }
}
