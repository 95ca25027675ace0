//! Webhooks: what each event delivers, which events go where, retries, order, the deliveries API.

mod deliveries;
mod ordering;
mod payloads;
mod retries;
pub mod schemas;
mod settings;

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::receiver::Received;

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn assert_signed(request: &Received, secret: &str) {
    assert_eq!(
        request.header("x-webhook-signature"),
        Some(hmac_hex(secret, &request.body).as_str())
    );
}

fn webhook(url: &str, extra: Value) -> Value {
    let mut body = json!({"name": "Hooked", "webhookUrl": url, "webhookEnabled": true,
        "notifyReceived": true, "notifySent": true, "notifyDelivery": true, "notifyRead": true,
        "maxRetries": 3, "retryInterval": 1000});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}
