use super::*;
use crate::{header, test::TestRequest};

#[test]
fn test_handshake() {
    let req = TestRequest::default().method(Method::POST).finish();
    assert_eq!(
        HandshakeError::GetMethodRequired,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default().finish();
    assert_eq!(
        HandshakeError::NoWebsocketUpgrade,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default()
        .insert_header((header::UPGRADE, header::HeaderValue::from_static("test")))
        .finish();
    assert_eq!(
        HandshakeError::NoWebsocketUpgrade,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .finish();
    assert_eq!(
        HandshakeError::NoConnectionUpgrade,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .insert_header((
            header::CONNECTION,
            header::HeaderValue::from_static("upgrade"),
        ))
        .finish();
    assert_eq!(
        HandshakeError::NoVersionHeader,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .insert_header((
            header::CONNECTION,
            header::HeaderValue::from_static("upgrade"),
        ))
        .insert_header((
            header::SEC_WEBSOCKET_VERSION,
            header::HeaderValue::from_static("5"),
        ))
        .finish();
    assert_eq!(
        HandshakeError::UnsupportedVersion,
        verify_handshake(req.head()).unwrap_err(),
    );

    for &ver in &["7", "8"] {
        let req = TestRequest::default()
            .insert_header((
                header::UPGRADE,
                header::HeaderValue::from_static("websocket"),
            ))
            .insert_header((
                header::CONNECTION,
                header::HeaderValue::from_static("upgrade"),
            ))
            .insert_header((
                header::SEC_WEBSOCKET_VERSION,
                header::HeaderValue::from_static(ver),
            ))
            .finish();
        assert_eq!(
            HandshakeError::UnsupportedVersion,
            verify_handshake(req.head()).unwrap_err(),
        );
    }

    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .insert_header((
            header::CONNECTION,
            header::HeaderValue::from_static("upgrade"),
        ))
        .insert_header((
            header::SEC_WEBSOCKET_VERSION,
            header::HeaderValue::from_static("13"),
        ))
        .finish();
    assert_eq!(
        HandshakeError::BadWebsocketKey,
        verify_handshake(req.head()).unwrap_err(),
    );

    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .insert_header((
            header::CONNECTION,
            header::HeaderValue::from_static("keep-alive"),
        ))
        .append_header((header::CONNECTION, "Upgrade"))
        .insert_header((
            header::SEC_WEBSOCKET_VERSION,
            header::HeaderValue::from_static("13"),
        ))
        .insert_header((
            header::SEC_WEBSOCKET_KEY,
            header::HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        ))
        .finish();
    assert_eq!(
        StatusCode::SWITCHING_PROTOCOLS,
        handshake(req.head()).unwrap().finish().status()
    );

    // Invalid key length / non-16-byte base64 nonce
    let req = TestRequest::default()
        .insert_header((
            header::UPGRADE,
            header::HeaderValue::from_static("websocket"),
        ))
        .insert_header((
            header::CONNECTION,
            header::HeaderValue::from_static("upgrade"),
        ))
        .insert_header((
            header::SEC_WEBSOCKET_VERSION,
            header::HeaderValue::from_static("13"),
        ))
        .insert_header((
            header::SEC_WEBSOCKET_KEY,
            header::HeaderValue::from_static("13"),
        ))
        .finish();
    assert_eq!(
        HandshakeError::BadWebsocketKey,
        verify_handshake(req.head()).unwrap_err(),
    );
}

#[test]
fn test_ws_error_http_response() {
    let resp: Response<BoxBody> = HandshakeError::GetMethodRequired.into();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resp: Response<BoxBody> = HandshakeError::NoWebsocketUpgrade.into();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp: Response<BoxBody> = HandshakeError::NoConnectionUpgrade.into();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp: Response<BoxBody> = HandshakeError::NoVersionHeader.into();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp: Response<BoxBody> = HandshakeError::UnsupportedVersion.into();
    assert_eq!(resp.status(), StatusCode::UPGRADE_REQUIRED);
    assert!(!resp.upgrade());
    assert_eq!(resp.headers().get(header::UPGRADE).unwrap(), "websocket");
    assert_eq!(
        resp.headers().get(header::SEC_WEBSOCKET_VERSION).unwrap(),
        "13"
    );
    let resp: Response<BoxBody> = HandshakeError::BadWebsocketKey.into();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}
