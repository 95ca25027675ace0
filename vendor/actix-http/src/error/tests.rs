use http::Error as HttpError;

use super::*;

#[test]
fn test_into_response() {
    let resp: Response<BoxBody> = ParseError::Incomplete.into();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    let err: HttpError = StatusCode::from_u16(10000).err().unwrap().into();
    let resp: Response<BoxBody> = Error::new_http().with_cause(err).into();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn test_as_response() {
    let orig = io::Error::other("other");
    let err: Error = ParseError::Io(orig).into();
    assert_eq!(
        format!("{}", err),
        "error parsing HTTP message: I/O error: other"
    );
}

#[test]
fn test_error_display() {
    let orig = io::Error::other("other");
    let err = Error::new_io().with_cause(orig);
    assert_eq!("connection error: other", err.to_string());
}

#[test]
fn test_error_http_response() {
    let orig = io::Error::other("other");
    let err = Error::new_io().with_cause(orig);
    let resp: Response<BoxBody> = err.into();
    assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn test_payload_error() {
    let err: PayloadError = io::Error::other("ParseError").into();
    assert!(err.to_string().contains("ParseError"));

    let err = PayloadError::Incomplete(None);
    assert_eq!(
        err.to_string(),
        "payload reached EOF before completing: None"
    );
}

macro_rules! from {
    ($from:expr => $error:pat) => {
        match ParseError::from($from) {
            err @ $error => {
                assert!(err.to_string().len() >= 5);
            }
            err => unreachable!("{:?}", err),
        }
    };
}

macro_rules! from_and_cause {
    ($from:expr => $error:pat) => {
        match ParseError::from($from) {
            e @ $error => {
                let desc = format!("{}", e);
                assert_eq!(desc, format!("I/O error: {}", $from));
            }
            _ => unreachable!("{:?}", $from),
        }
    };
}

#[test]
fn test_from() {
    from_and_cause!(io::Error::other("other") => ParseError::Io(..));
    from!(httparse::Error::HeaderName => ParseError::Header);
    from!(httparse::Error::HeaderName => ParseError::Header);
    from!(httparse::Error::HeaderValue => ParseError::Header);
    from!(httparse::Error::NewLine => ParseError::Header);
    from!(httparse::Error::Status => ParseError::Status);
    from!(httparse::Error::Token => ParseError::Header);
    from!(httparse::Error::TooManyHeaders => ParseError::TooLarge);
    from!(httparse::Error::Version => ParseError::Version);
}
