use super::*;
use crate::{
    body::to_bytes,
    header::{HeaderValue, CONTENT_TYPE, COOKIE},
};

#[test]
fn test_debug() {
    let resp = Response::build(StatusCode::OK)
        .append_header((COOKIE, HeaderValue::from_static("cookie1=value1; ")))
        .append_header((COOKIE, HeaderValue::from_static("cookie2=value2; ")))
        .finish();
    let dbg = format!("{:?}", resp);
    assert!(dbg.contains("Response"));
}

#[actix_rt::test]
async fn test_into_response() {
    let res = Response::from("test");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("text/plain; charset=utf-8")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let res = Response::from(b"test".as_ref());
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("application/octet-stream")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let res = Response::from("test".to_owned());
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("text/plain; charset=utf-8")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let res = Response::from("test".to_owned());
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("text/plain; charset=utf-8")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let b = Bytes::from_static(b"test");
    let res = Response::from(b);
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("application/octet-stream")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let b = Bytes::from_static(b"test");
    let res = Response::from(b);
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("application/octet-stream")
    );
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);

    let b = BytesMut::from("test");
    let res = Response::from(b);
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers().get(CONTENT_TYPE).unwrap(),
        HeaderValue::from_static("application/octet-stream")
    );

    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(to_bytes(res.into_body()).await.unwrap(), &b"test"[..]);
}
