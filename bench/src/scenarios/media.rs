//! Large send-file uploads: throughput and peak memory growth.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use super::{Plan, median};
use crate::process::{Server, reset_peak, rss};

#[derive(Default)]
pub struct Media {
    pub file_bytes: usize,
    pub mb_per_second: f64,
    pub peak_growth_bytes: u64,
}

pub(super) fn multipart(phone: &str, file: &[u8]) -> (String, Bytes) {
    let boundary = format!("wamux-bench-{}", uuid::Uuid::now_v7().simple());
    let mut body = Vec::with_capacity(file.len() + 512);
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n{phone}\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (
        format!("multipart/form-data; boundary={boundary}"),
        Bytes::from(body),
    )
}

pub(super) async fn media(plan: &Plan) -> anyhow::Result<Media> {
    let dir = tempfile::tempdir()?;
    let extra = vec![(
        "WAMUX__WHATSAPP__MAX_MEDIA_BYTES".into(),
        (plan.media_bytes * 2).to_string(),
    )];
    let server = Server::on_sqlite(dir.path(), extra).await?;
    // To a phone outside the simulated network, as a send to WhatsApp: what
    // is measured is this server's send path, not a second instance receiving
    // (downloading, decrypting and storing) the file in the same process.
    let alice = server.api.paired("15550000001", json!({})).await?;
    let mut file = vec![0u8; plan.media_bytes];
    rand::fill(file.as_mut_slice());
    let (content_type, body) = multipart("15550000009", &file);
    drop(file);
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(120))
        .finish();
    let url = format!("{}/api/whatsapp/{alice}/send-file", server.api.base);
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    let (before, _) = rss(server.pid())?;
    reset_peak(server.pid())?;
    let mut rates = Vec::new();
    for _ in 0..plan.reps.max(3) {
        let started = Instant::now();
        let mut response = client
            .post(url.as_str())
            .insert_header(("x-api-key", server.api.key.as_str()))
            .insert_header(("content-type", content_type.as_str()))
            .send_body(body.clone())
            .await
            .map_err(|e| anyhow::anyhow!("send-file: {e}"))?;
        anyhow::ensure!(
            response.status().is_success(),
            "send-file answered {}",
            response.status()
        );
        let _ = response.body().await;
        rates.push(plan.media_bytes as f64 / (1024.0 * 1024.0) / started.elapsed().as_secs_f64());
    }
    let (_, peak) = rss(server.pid())?;
    Ok(Media {
        file_bytes: plan.media_bytes,
        mb_per_second: median(rates),
        peak_growth_bytes: peak.saturating_sub(before),
    })
}
