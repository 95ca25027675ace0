//! A webhook receiver on 127.0.0.1 that records what it gets and answers as told.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;

use crate::helpers::eventually;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }

    pub fn event(&self) -> String {
        self.json()["event"].as_str().unwrap_or_default().to_owned()
    }
}

/// What the receiver answers to its n-th request (0-based).
pub type Behaviour = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

#[derive(Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Holds the request this long, then answers 200.
    After(Duration),
}

pub fn always_ok() -> Behaviour {
    Arc::new(|_| Answer::Status(200))
}

pub struct Receiver {
    pub url: String,
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    server: actix_web::dev::ServerHandle,
}

impl Receiver {
    pub async fn start(behaviour: Behaviour) -> Self {
        Self::start_on(0, behaviour).await
    }

    pub async fn start_on(port: u16, behaviour: Behaviour) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        let server = HttpServer::new(move || {
            let log = log.clone();
            let behaviour = behaviour.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let log = log.clone();
                let behaviour = behaviour.clone();
                async move {
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(Received {
                            headers: req
                                .headers()
                                .iter()
                                .map(|(n, v)| {
                                    (
                                        n.as_str().to_owned(),
                                        v.to_str().unwrap_or_default().to_owned(),
                                    )
                                })
                                .collect(),
                            body: body.to_vec(),
                            at: Instant::now(),
                        });
                        log.len() - 1
                    };
                    match behaviour(n) {
                        Answer::Status(code) => HttpResponse::build(
                            actix_web::http::StatusCode::from_u16(code).unwrap(),
                        )
                        .finish(),
                        Answer::After(wait) => {
                            tokio::time::sleep(wait).await;
                            HttpResponse::Ok().finish()
                        }
                    }
                }
            }))
        })
        .workers(1)
        .shutdown_timeout(0)
        .bind(("127.0.0.1", port))
        .expect("bind receiver");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            port,
            received,
            server: handle,
        }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// The first request of each delivery: an attempt that timed out on the
/// sender's side may arrive again under the same `X-Webhook-Id`.
pub fn distinct(requests: &[Received]) -> Vec<Received> {
    let mut seen = std::collections::HashSet::new();
    requests
        .iter()
        .filter(|r| seen.insert(r.header("x-webhook-id").unwrap_or_default().to_owned()))
        .cloned()
        .collect()
}

impl Receiver {
    pub fn events(&self) -> Vec<String> {
        self.requests().iter().map(Received::event).collect()
    }

    /// Waits until `predicate` holds for the requests received so far.
    pub async fn wait_until(
        &self,
        what: &str,
        predicate: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        eventually(what, || async {
            let requests = self.requests();
            predicate(&requests).then_some(requests)
        })
        .await
    }

    pub async fn wait_for_event(&self, event: &str) -> Received {
        let requests = self
            .wait_until(&format!("a {event} webhook"), |r| {
                r.iter().any(|r| r.event() == event)
            })
            .await;
        requests.into_iter().find(|r| r.event() == event).unwrap()
    }

    /// The `data` of the first `event` webhook whose data satisfies `matches`,
    /// once it arrived.
    pub async fn event_data(
        &self,
        event: &str,
        matches: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let found = |r: &Received| r.event() == event && matches(&r.json()["data"]);
        let requests = self
            .wait_until(&format!("a matching {event}"), |r| r.iter().any(found))
            .await;
        requests.iter().find(|r| found(r)).unwrap().json()["data"].clone()
    }

    pub async fn stop(&self) {
        self.server.stop(false).await;
    }
}

/// A port nothing listens on (for a while).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
