use std::pin::pin;

use actix_utils::future::poll_fn;
use futures_util::stream;

use super::*;
use crate::body::{self, EitherBody};

macro_rules! assert_poll_next {
    ($pin:expr, $exp:expr) => {
        assert_eq!(
            poll_fn(|cx| $pin.as_mut().poll_next(cx))
                .await
                .unwrap() // unwrap option
                .unwrap(), // unwrap result
            $exp
        );
    };
}

macro_rules! assert_poll_next_none {
    ($pin:expr) => {
        assert!(poll_fn(|cx| $pin.as_mut().poll_next(cx)).await.is_none());
    };
}

#[allow(unused_allocation)] // triggered by `Box::new(()).size()`
#[actix_rt::test]
async fn boxing_equivalence() {
    assert_eq!(().size(), BodySize::Sized(0));
    assert_eq!(().size(), Box::new(()).size());
    assert_eq!(().size(), Box::pin(()).size());

    let pl = Box::new(());
    let mut pl = pin!(pl);
    assert_poll_next_none!(pl);

    let mut pl = Box::pin(());
    assert_poll_next_none!(pl);
}

#[actix_rt::test]
async fn mut_equivalence() {
    assert_eq!(().size(), BodySize::Sized(0));
    assert_eq!(().size(), (&(&mut ())).size());

    let pl = &mut ();
    let mut pl = pin!(pl);
    assert_poll_next_none!(pl);

    let pl = &mut Box::new(());
    let mut pl = pin!(pl);
    assert_poll_next_none!(pl);

    let mut body = body::SizedStream::new(
        8,
        stream::iter([
            Ok::<_, std::io::Error>(Bytes::from("1234")),
            Ok(Bytes::from("5678")),
        ]),
    );
    let body = &mut body;
    assert_eq!(body.size(), BodySize::Sized(8));
    let mut body = pin!(body);
    assert_poll_next!(body, Bytes::from_static(b"1234"));
    assert_poll_next!(body, Bytes::from_static(b"5678"));
    assert_poll_next_none!(body);
}

#[allow(clippy::let_unit_value)]
#[actix_rt::test]
async fn test_unit() {
    let pl = ();
    assert_eq!(pl.size(), BodySize::Sized(0));
    let mut pl = pin!(pl);
    assert_poll_next_none!(pl);
}

#[actix_rt::test]
async fn test_static_str() {
    assert_eq!("".size(), BodySize::Sized(0));
    assert_eq!("test".size(), BodySize::Sized(4));

    let pl = "test";
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_static_bytes() {
    assert_eq!(b"".as_ref().size(), BodySize::Sized(0));
    assert_eq!(b"test".as_ref().size(), BodySize::Sized(4));

    let pl = b"test".as_ref();
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_vec() {
    assert_eq!(vec![0; 0].size(), BodySize::Sized(0));
    assert_eq!(Vec::from("test").size(), BodySize::Sized(4));

    let pl = Vec::from("test");
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_bytes() {
    assert_eq!(Bytes::new().size(), BodySize::Sized(0));
    assert_eq!(Bytes::from_static(b"test").size(), BodySize::Sized(4));

    let pl = Bytes::from_static(b"test");
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_bytes_mut() {
    assert_eq!(BytesMut::new().size(), BodySize::Sized(0));
    assert_eq!(BytesMut::from(b"test".as_ref()).size(), BodySize::Sized(4));

    let pl = BytesMut::from("test");
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_string() {
    assert_eq!(String::new().size(), BodySize::Sized(0));
    assert_eq!("test".to_owned().size(), BodySize::Sized(4));

    let pl = "test".to_owned();
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from("test"));
}

#[actix_rt::test]
async fn test_byte_string() {
    let pl = bytestring::ByteString::from_static("test");
    assert_eq!(pl.size(), BodySize::Sized(4));
    let mut pl = pin!(pl);
    assert_poll_next!(pl, Bytes::from_static(b"test"));
    assert_poll_next_none!(pl);
}

#[actix_rt::test]
async fn complete_body_combinators() {
    let body = Bytes::from_static(b"test");
    let body = BoxBody::new(body);
    let body = EitherBody::<_, ()>::left(body);
    let body = EitherBody::<(), _>::right(body);
    // Do not support try_into_bytes:
    // let body = Box::new(body);
    // let body = Box::pin(body);

    assert_eq!(body.try_into_bytes().unwrap(), Bytes::from("test"));
}

#[actix_rt::test]
async fn complete_body_combinators_poll() {
    let body = Bytes::from_static(b"test");
    let body = BoxBody::new(body);
    let body = EitherBody::<_, ()>::left(body);
    let body = EitherBody::<(), _>::right(body);
    let mut body = body;

    assert_eq!(body.size(), BodySize::Sized(4));
    assert_poll_next!(Pin::new(&mut body), Bytes::from("test"));
    assert_poll_next_none!(Pin::new(&mut body));
}

#[actix_rt::test]
async fn none_body_combinators() {
    fn none_body() -> BoxBody {
        let body = body::None;
        let body = BoxBody::new(body);
        let body = EitherBody::<_, ()>::left(body);
        let body = EitherBody::<(), _>::right(body);
        body.boxed()
    }

    assert_eq!(none_body().size(), BodySize::None);
    assert_eq!(none_body().try_into_bytes().unwrap(), Bytes::new());
    assert_poll_next_none!(Pin::new(&mut none_body()));
}

// down-casting used to be done with a method on MessageBody trait
// test is kept to demonstrate equivalence of Any trait
#[actix_rt::test]
async fn test_body_casting() {
    let mut body = String::from("hello cast");
    // let mut resp_body: &mut dyn MessageBody<Error = Error> = &mut body;
    let resp_body: &mut dyn std::any::Any = &mut body;
    let body = resp_body.downcast_ref::<String>().unwrap();
    assert_eq!(body, "hello cast");
    let body = &mut resp_body.downcast_mut::<String>().unwrap();
    body.push('!');
    let body = resp_body.downcast_ref::<String>().unwrap();
    assert_eq!(body, "hello cast!");
    let not_body = resp_body.downcast_ref::<()>();
    assert!(not_body.is_none());
}

#[actix_rt::test]
async fn non_owning_to_bytes() {
    let mut body = BoxBody::new(());
    let bytes = body::to_bytes(&mut body).await.unwrap();
    assert_eq!(bytes, Bytes::new());

    let mut body = body::BodyStream::new(stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("1234")),
        Ok(Bytes::from("5678")),
    ]));
    let bytes = body::to_bytes(&mut body).await.unwrap();
    assert_eq!(bytes, Bytes::from_static(b"12345678"));
}
