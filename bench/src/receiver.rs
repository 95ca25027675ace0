//! A webhook receiver on its own thread: verifies each signature and records
//! when each event happened and when it arrived.

use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Default)]
pub struct Log {
    /// (arrival, event time), UTC milliseconds.
    pub arrivals: Vec<(i64, i64)>,
    pub bad_signatures: u64,
    /// `message_received` of texts `sent-at:<ms>` (see [`sent_at`]): (arrival, sent), ms.
    pub messages: Vec<(i64, i64)>,
}

/// A text that carries when its send request left, for `Log::messages`.
pub fn sent_at() -> String {
    format!("{SENT_AT}{}", chrono::Utc::now().timestamp_millis())
}

const SENT_AT: &str = "sent-at:";

pub struct Receiver {
    pub url: String,
    pub log: Arc<Mutex<Log>>,
    handle: actix_web::dev::ServerHandle,
}

impl Receiver {
    pub fn start(secret: &'static str) -> anyhow::Result<Self> {
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let log = shared.clone();
                    App::new().default_service(web::to(
                        move |req: HttpRequest, body: web::Bytes| {
                            let log = log.clone();
                            async move {
                                record(&log, &req, &body, secret);
                                HttpResponse::Ok().finish()
                            }
                        },
                    ))
                })
                .workers(1)
                .bind(("127.0.0.1", 0));
                let Ok(server) = server else { return };
                let port = server.addrs()[0].port();
                let server = server.run();
                let _ = tx.send((port, server.handle()));
                let _ = server.await;
            });
        });
        let (port, handle) = rx.recv()?;
        Ok(Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            log,
            handle,
        })
    }

    pub fn count(&self) -> usize {
        self.log.lock().map(|l| l.arrivals.len()).unwrap_or(0)
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

fn record(log: &Mutex<Log>, req: &HttpRequest, body: &[u8], secret: &str) {
    let arrived = chrono::Utc::now().timestamp_millis();
    let signature_ok = req
        .headers()
        .get("x-webhook-signature")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|given| {
            let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
                return false;
            };
            mac.update(body);
            hex::encode(mac.finalize().into_bytes()) == given
        });
    let event = serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default();
    let happened = event["timestamp"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(arrived, |t| t.timestamp_millis());
    let sent = (event["event"] == "message_received")
        .then(|| event["data"]["body"].as_str())
        .flatten()
        .and_then(|body| body.strip_prefix(SENT_AT))
        .and_then(|ms| ms.parse::<i64>().ok());
    if let Ok(mut log) = log.lock() {
        log.arrivals.push((arrived, happened));
        if let Some(sent) = sent {
            log.messages.push((arrived, sent));
        }
        if !signature_ok {
            log.bad_signatures += 1;
        }
    }
}
