//! Reading answers: JSON bodies and the contract's error shape.

use reqwest::Response;
use serde_json::Value;

/// Reads a JSON body, failing the test on anything else.
pub async fn json_body(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"))
}

/// Asserts status and the contract's error shape; returns the `code`.
pub async fn assert_error(response: Response, status: u16) -> String {
    assert_eq!(response.status(), status, "unexpected status");
    let body = json_body(response).await;
    assert!(body["error"].is_string(), "no error message in {body}");
    body["code"].as_str().expect("code").to_owned()
}
