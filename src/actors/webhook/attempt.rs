//! One POST of a delivery.

use std::time::Duration;

use entity::webhook_deliveries::Model as Delivery;

use crate::net::guard;

pub enum Outcome {
    Delivered { status: u16 },
    Failed { error: String, status: Option<u16> },
}

pub const USER_AGENT: &str = concat!("wamux-webhooks/", env!("CARGO_PKG_VERSION"));

pub async fn post(
    client: awc::Client,
    delivery: Delivery,
    timeout: Duration,
    allow_private: bool,
) -> Outcome {
    let failed = |error: String| Outcome::Failed {
        error,
        status: None,
    };
    let (uri, host, port) = match guard::http_target(&delivery.url) {
        Ok(target) => target,
        Err(err) => return failed(err.to_string()),
    };
    let address = match guard::resolve(&host, port, allow_private).await {
        Ok(address) => address,
        Err(err) => return failed(err.to_string()),
    };
    let mut request = client
        .post(uri)
        .address(address)
        .timeout(timeout)
        .insert_header(("content-type", "application/json"))
        .insert_header(("user-agent", USER_AGENT))
        .insert_header(("x-webhook-event", delivery.event.as_str()))
        .insert_header(("x-webhook-id", delivery.id.as_str()))
        .insert_header((
            "x-webhook-timestamp",
            chrono::Utc::now().timestamp().to_string(),
        ));
    if let Some(signature) = &delivery.signature {
        request = request.insert_header(("x-webhook-signature", signature.as_str()));
    }
    match request.send_body(delivery.payload).await {
        Ok(response) if response.status().is_success() => Outcome::Delivered {
            status: response.status().as_u16(),
        },
        Ok(response) => Outcome::Failed {
            error: format!("receiver answered HTTP {}", response.status().as_u16()),
            status: Some(response.status().as_u16()),
        },
        Err(awc::error::SendRequestError::Timeout) => {
            failed(format!("no answer within {} ms", timeout.as_millis()))
        }
        Err(err) => failed(format!("could not reach the receiver: {err}")),
    }
}
