//! What hostile clients cost the server in memory: many large uploads at once,
//! and event streams that are never read.

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::Plan;
use super::media::multipart;
use crate::process::{Server, reset_peak, rss};

#[derive(Default)]
pub struct Hostile {
    pub uploads: usize,
    pub upload_bytes: usize,
    pub uploads_answered: usize,
    pub uploads_peak_growth: u64,
    pub streams: usize,
    pub stream_frames: usize,
    pub frame_bytes: usize,
    pub streams_peak_growth: u64,
    /// Bytes still held for the unread streams at the end (`/metrics`).
    pub streams_held_after: f64,
}

pub(super) async fn hostile(plan: &Plan) -> anyhow::Result<Hostile> {
    let dir = tempfile::tempdir()?;
    let (uploads, upload_bytes) = plan.concurrent_uploads;
    let extra = vec![
        (
            "WAMUX__WHATSAPP__MAX_MEDIA_BYTES".into(),
            (upload_bytes + 1024 * 1024).to_string(),
        ),
        // Every upload in flight at once: the bound must hold whatever their number.
        (
            "WAMUX__LIMITS__UPLOADS_IN_FLIGHT".into(),
            (uploads + 1).to_string(),
        ),
        (
            "WAMUX__LIMITS__UPLOADS_IN_FLIGHT_PER_USER".into(),
            (uploads + 1).to_string(),
        ),
        ("WAMUX__LIMITS__REQUESTS_PER_SECOND".into(), "0".into()),
    ];
    let server = Server::on_sqlite(dir.path(), extra).await?;
    let alice = server.api.paired("15550000001", json!({})).await?;
    let mut figures = Hostile {
        uploads,
        upload_bytes,
        ..Hostile::default()
    };
    (figures.uploads_answered, figures.uploads_peak_growth) =
        uploads_at_once(&server, &alice, uploads, upload_bytes).await?;
    let (streams, frames) = plan.slow_streams;
    figures.streams = streams;
    figures.stream_frames = frames;
    figures.frame_bytes = 60_000;
    figures.streams_peak_growth =
        unread_streams(&server, &alice, streams, frames, figures.frame_bytes).await?;
    let metrics = server.api.text("/metrics").await?;
    figures.streams_held_after = metrics
        .lines()
        .find_map(|line| line.strip_prefix("wamux_event_stream_backlog_bytes "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(f64::NAN);
    server.stop()?;
    Ok(figures)
}

/// `count` uploads of `bytes` each, all sent at once; the answered ones and the
/// server's peak RSS growth.
async fn uploads_at_once(
    server: &Server,
    instance: &str,
    count: usize,
    bytes: usize,
) -> anyhow::Result<(usize, u64)> {
    let mut file = vec![0u8; bytes];
    rand::fill(file.as_mut_slice());
    let (content_type, body) = multipart("15550000009", &file);
    drop(file);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(600))
        .connector(awc::Connector::new().limit(count + 1))
        .finish();
    let url = format!("{}/api/whatsapp/{instance}/send-file", server.api.base);
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let (before, _) = rss(server.pid())?;
    reset_peak(server.pid())?;
    let sends: Vec<_> = (0..count)
        .map(|_| {
            let request = client
                .post(url.as_str())
                .insert_header(("x-api-key", server.api.key.as_str()))
                .insert_header(("content-type", content_type.as_str()))
                .send_body(body.clone());
            actix_web::rt::spawn(async move {
                match request.await {
                    Ok(mut response) => {
                        let _ = response.body().await;
                        response.status().is_success()
                    }
                    Err(_) => false,
                }
            })
        })
        .collect();
    let mut answered = 0;
    for send in sends {
        answered += usize::from(send.await.unwrap_or(false));
    }
    let (_, peak) = rss(server.pid())?;
    Ok((answered, peak.saturating_sub(before)))
}

/// `streams` event streams that never read (a 4 KB receive buffer), then
/// `frames` inbound messages of `frame_bytes`; the server's peak RSS growth.
async fn unread_streams(
    server: &Server,
    instance: &str,
    streams: usize,
    frames: usize,
    frame_bytes: usize,
) -> anyhow::Result<u64> {
    let address: std::net::SocketAddr = server.api.base.trim_start_matches("http://").parse()?;
    let mut sockets = Vec::new();
    for _ in 0..streams {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_recv_buffer_size(4096)?;
        let mut stream = socket.connect(address).await?;
        let request = format!(
            "GET /api/instances/{instance}/events HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {}\r\n\r\n",
            server.api.key
        );
        stream.write_all(request.as_bytes()).await?;
        sockets.push(stream);
    }
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let (before, _) = rss(server.pid())?;
    reset_peak(server.pid())?;
    let text = "x".repeat(frame_bytes);
    for _ in 0..frames {
        server
            .api
            .call(
                "POST",
                &format!("/api/sim/instances/{instance}/inbound"),
                Some(json!({"from": "15550000009", "body": text, "pushName": "Bench"})),
            )
            .await?;
    }
    let (_, peak) = rss(server.pid())?;
    drop(sockets);
    Ok(peak.saturating_sub(before))
}
