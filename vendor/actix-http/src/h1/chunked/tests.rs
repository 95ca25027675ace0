use actix_codec::Decoder as _;
use bytes::{Bytes, BytesMut};
use http::Method;

use crate::{
    error::ParseError,
    h1::decoder::{MessageDecoder, PayloadItem},
    HttpMessage as _, Request,
};

macro_rules! parse_ready {
    ($e:expr) => {{
        match MessageDecoder::<Request>::default().decode($e) {
            Ok(Some((msg, _))) => msg,
            Ok(_) => unreachable!("Eof during parsing http request"),
            Err(err) => unreachable!("Error during parsing http request: {:?}", err),
        }
    }};
}

macro_rules! expect_parse_err {
    ($e:expr) => {{
        match MessageDecoder::<Request>::default().decode($e) {
            Err(err) => match err {
                ParseError::Io(_) => unreachable!("Parse error expected"),
                _ => {}
            },
            _ => unreachable!("Error expected"),
        }
    }};
}

macro_rules! assert_decode_chunk_eq {
    ($pl:expr, $buf:expr, $expected:expr) => {
        assert_eq!(
            $pl.decode(&mut $buf).unwrap().unwrap().chunk().as_ref(),
            $expected,
        );
    };
}

macro_rules! assert_decode_chunked_eof {
    ($pl:expr, $buf:expr) => {
        assert!($pl.decode(&mut $buf).unwrap().unwrap().eof());
    };
}

#[test]
fn test_reject_empty_chunk_size() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n",
    );
    let mut reader = MessageDecoder::<Request>::default();
    let (_req, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();

    // Empty chunk size before CRLF is illegal under RFC 9112 §7.1
    buf.extend(b"\r\n\r\n");
    assert!(pl.decode(&mut buf).is_err());
}

#[test]
fn test_parse_chunked_payload_chunk_extension() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
        Host: localhost\r\n\
        transfer-encoding: chunked\r\n\
        \r\n",
    );

    let mut reader = MessageDecoder::<Request>::default();
    let (msg, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();
    assert!(msg.chunked().unwrap());

    buf.extend(b"4;test\r\ndata\r\n4\r\nline\r\n0\r\n\r\n"); // test: test\r\n\r\n")
    let chunk = pl.decode(&mut buf).unwrap().unwrap().chunk();
    assert_eq!(chunk, Bytes::from_static(b"data"));
    let chunk = pl.decode(&mut buf).unwrap().unwrap().chunk();
    assert_eq!(chunk, Bytes::from_static(b"line"));
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert!(msg.eof());
}

#[test]
fn test_request_chunked() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n",
    );
    let req = parse_ready!(&mut buf);

    if let Ok(val) = req.chunked() {
        assert!(val);
    } else {
        unreachable!("Error");
    }

    // intentional typo in "chunked"
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chnked\r\n\r\n",
    );
    expect_parse_err!(&mut buf);
}

#[test]
fn test_http_request_chunked_payload() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n",
    );
    let mut reader = MessageDecoder::<Request>::default();
    let (req, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();
    assert!(req.chunked().unwrap());

    buf.extend(b"4\r\ndata\r\n4\r\nline\r\n0\r\n\r\n");
    assert_eq!(
        pl.decode(&mut buf).unwrap().unwrap().chunk().as_ref(),
        b"data"
    );
    assert_eq!(
        pl.decode(&mut buf).unwrap().unwrap().chunk().as_ref(),
        b"line"
    );
    assert!(pl.decode(&mut buf).unwrap().unwrap().eof());
}

#[test]
fn test_http_request_chunked_payload_and_next_message() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n",
    );
    let mut reader = MessageDecoder::<Request>::default();
    let (req, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();
    assert!(req.chunked().unwrap());

    buf.extend(
        b"4\r\ndata\r\n4\r\nline\r\n0\r\n\r\n\
          POST /test2 HTTP/1.1\r\n\
          Host: localhost\r\n\
          transfer-encoding: chunked\r\n\r\n"
            .iter(),
    );
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"data");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"line");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert!(msg.eof());

    let (req, _) = reader.decode(&mut buf).unwrap().unwrap();
    assert!(req.chunked().unwrap());
    assert_eq!(*req.method(), Method::POST);
    assert!(req.chunked().unwrap());
}

#[test]
fn test_http_request_chunked_payload_chunks() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n",
    );

    let mut reader = MessageDecoder::<Request>::default();
    let (req, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();
    assert!(req.chunked().unwrap());

    buf.extend(b"4\r\n1111\r\n");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"1111");

    buf.extend(b"4\r\ndata\r");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"data");

    buf.extend(b"\n4");
    assert!(pl.decode(&mut buf).unwrap().is_none());

    buf.extend(b"\r");
    assert!(pl.decode(&mut buf).unwrap().is_none());
    buf.extend(b"\n");
    assert!(pl.decode(&mut buf).unwrap().is_none());

    buf.extend(b"li");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"li");

    //trailers
    //buf.feed_data("test: test\r\n");
    //not_ready!(reader.parse(&mut buf, &mut readbuf));

    buf.extend(b"ne\r\n0\r\n");
    let msg = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(msg.chunk().as_ref(), b"ne");
    assert!(pl.decode(&mut buf).unwrap().is_none());

    buf.extend(b"\r\n");
    assert!(pl.decode(&mut buf).unwrap().unwrap().eof());
}

#[test]
fn chunk_extension_quoted() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
        Host: localhost:8080\r\n\
        Transfer-Encoding: chunked\r\n\
        \r\n\
        2;hello=b;one=\"1 2 3\"\r\n\
        xx",
    );

    let mut reader = MessageDecoder::<Request>::default();
    let (_msg, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();

    let chunk = pl.decode(&mut buf).unwrap().unwrap();
    assert_eq!(chunk, PayloadItem::Chunk(Bytes::from_static(b"xx")));
}

#[test]
fn hrs_chunk_extension_invalid() {
    let mut buf = BytesMut::from(
        "GET / HTTP/1.1\r\n\
        Host: localhost:8080\r\n\
        Transfer-Encoding: chunked\r\n\
        \r\n\
        2;x\nx\r\n\
        4c\r\n\
        0\r\n",
    );

    let mut reader = MessageDecoder::<Request>::default();
    let (_msg, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();

    let err = pl.decode(&mut buf).unwrap_err();
    assert!(err
        .to_string()
        .contains("Invalid character in chunk extension"));
}

#[test]
fn hrs_chunk_size_overflow() {
    let mut buf = BytesMut::from(
        "GET / HTTP/1.1\r\n\
        Host: example.com\r\n\
        Transfer-Encoding: chunked\r\n\
        \r\n\
        f0000000000000003\r\n\
        abc\r\n\
        0\r\n",
    );

    let mut reader = MessageDecoder::<Request>::default();
    let (_msg, pl) = reader.decode(&mut buf).unwrap().unwrap();
    let mut pl = pl.unwrap();

    let err = pl.decode(&mut buf).unwrap_err();
    assert!(err
        .to_string()
        .contains("Invalid chunk size line: Size is too big"));
}

#[test]
fn test_parse_chunked_payload_with_trailers() {
    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n\
         4\r\ndata\r\n\
         0\r\n\
         X-Checksum: 12345\r\n\
         Expires: Wed\r\n\r\n",
    );
    let mut reader = MessageDecoder::<Request>::default();
    let mut pl = reader.decode(&mut buf).unwrap().unwrap().1.unwrap();

    assert_decode_chunk_eq!(pl, buf, b"data");
    assert_decode_chunked_eof!(pl, buf);

    let mut buf = BytesMut::from(
        "GET /test HTTP/1.1\r\n\
         Host: localhost\r\n\
         transfer-encoding: chunked\r\n\r\n\
         4\r\ndata\r\n\
         0\r\n\
           X-Checksum: 12345\r\n\
         Expires: Wed  \r\n\r\n",
    );
    let mut reader = MessageDecoder::<Request>::default();
    let mut pl = reader.decode(&mut buf).unwrap().unwrap().1.unwrap();

    assert_decode_chunk_eq!(pl, buf, b"data");
    assert_decode_chunked_eof!(pl, buf);
}
