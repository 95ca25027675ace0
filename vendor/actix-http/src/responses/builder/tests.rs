use bytes::Bytes;

use super::*;
use crate::header::{HeaderName, HeaderValue, CONTENT_TYPE};

#[test]
fn test_basic_builder() {
    let resp = Response::build(StatusCode::OK)
        .insert_header(("X-TEST", "value"))
        .finish();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[test]
fn test_upgrade() {
    let resp = Response::build(StatusCode::OK)
        .upgrade("websocket")
        .finish();
    assert!(resp.upgrade());
    assert_eq!(
        resp.headers().get(header::UPGRADE).unwrap(),
        HeaderValue::from_static("websocket")
    );
}

#[test]
fn test_force_close() {
    let resp = Response::build(StatusCode::OK).force_close().finish();
    assert!(!resp.keep_alive());
}

#[test]
fn test_content_type() {
    let resp = Response::build(StatusCode::OK)
        .content_type("text/plain")
        .body(Bytes::new());
    assert_eq!(resp.headers().get(CONTENT_TYPE).unwrap(), "text/plain");

    let resp = Response::build(StatusCode::OK)
        .content_type(mime::TEXT_JAVASCRIPT)
        .body(Bytes::new());
    assert_eq!(resp.headers().get(CONTENT_TYPE).unwrap(), "text/javascript");
}

#[test]
fn test_into_builder() {
    let mut resp: Response<_> = "test".into();
    assert_eq!(resp.status(), StatusCode::OK);

    resp.headers_mut().insert(
        HeaderName::from_static("cookie"),
        HeaderValue::from_static("cookie1=val100"),
    );

    let mut builder: ResponseBuilder = resp.into();
    let resp = builder.status(StatusCode::BAD_REQUEST).finish();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    let cookie = resp.headers().get_all("Cookie").next().unwrap();
    assert_eq!(cookie.to_str().unwrap(), "cookie1=val100");
}

#[test]
fn response_builder_header_insert_kv() {
    let mut res = Response::build(StatusCode::OK);
    res.insert_header(("Content-Type", "application/octet-stream"));
    let res = res.finish();

    assert_eq!(
        res.headers().get("Content-Type"),
        Some(&HeaderValue::from_static("application/octet-stream"))
    );
}

#[test]
fn response_builder_header_insert_typed() {
    let mut res = Response::build(StatusCode::OK);
    res.insert_header((header::CONTENT_TYPE, mime::APPLICATION_OCTET_STREAM));
    let res = res.finish();

    assert_eq!(
        res.headers().get("Content-Type"),
        Some(&HeaderValue::from_static("application/octet-stream"))
    );
}

#[test]
fn response_builder_header_append_kv() {
    let mut res = Response::build(StatusCode::OK);
    res.append_header(("Content-Type", "application/octet-stream"));
    res.append_header(("Content-Type", "application/json"));
    let res = res.finish();

    let headers: Vec<_> = res.headers().get_all("Content-Type").cloned().collect();
    assert_eq!(headers.len(), 2);
    assert!(headers.contains(&HeaderValue::from_static("application/octet-stream")));
    assert!(headers.contains(&HeaderValue::from_static("application/json")));
}

#[test]
fn response_builder_header_append_typed() {
    let mut res = Response::build(StatusCode::OK);
    res.append_header((header::CONTENT_TYPE, mime::APPLICATION_OCTET_STREAM));
    res.append_header((header::CONTENT_TYPE, mime::APPLICATION_JSON));
    let res = res.finish();

    let headers: Vec<_> = res.headers().get_all("Content-Type").cloned().collect();
    assert_eq!(headers.len(), 2);
    assert!(headers.contains(&HeaderValue::from_static("application/octet-stream")));
    assert!(headers.contains(&HeaderValue::from_static("application/json")));
}
