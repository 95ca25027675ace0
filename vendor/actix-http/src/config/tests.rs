use memchr::memmem;
use tokio::{
    task::yield_now,
    time::{sleep, sleep_until},
};

use super::*;
use crate::{date::DATE_VALUE_LENGTH, notify_on_drop};

#[actix_rt::test]
async fn test_date_service_update() {
    let settings =
        ServiceConfig::new(KeepAlive::Os, Duration::ZERO, Duration::ZERO, false, None);

    yield_now().await;

    let mut buf1 = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf1, false);
    let now1 = settings.now();

    sleep_until((Instant::now() + Duration::from_secs(2)).into()).await;
    yield_now().await;

    let now2 = settings.now();
    let mut buf2 = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf2, false);

    assert_ne!(now1, now2);

    assert_ne!(buf1, buf2);

    drop(settings);

    // Ensure the task will drop eventually
    let mut times = 0;
    while !notify_on_drop::is_dropped() {
        sleep(Duration::from_millis(100)).await;
        times += 1;
        assert!(times < 10, "Timeout waiting for task drop");
    }
}

#[actix_rt::test]
async fn test_date_service_drop() {
    let service = Rc::new(DateService::new());

    // yield so date service have a chance to register the spawned timer update task.
    yield_now().await;

    let clone1 = service.clone();
    let clone2 = service.clone();
    let clone3 = service.clone();

    drop(clone1);
    assert!(!notify_on_drop::is_dropped());
    drop(clone2);
    assert!(!notify_on_drop::is_dropped());
    drop(clone3);
    assert!(!notify_on_drop::is_dropped());

    drop(service);

    // Ensure the task will drop eventually
    let mut times = 0;
    while !notify_on_drop::is_dropped() {
        sleep(Duration::from_millis(100)).await;
        times += 1;
        assert!(times < 10, "Timeout waiting for task drop");
    }
}

#[test]
fn test_date_len() {
    assert_eq!(DATE_VALUE_LENGTH, "Sun, 06 Nov 1994 08:49:37 GMT".len());
}

#[actix_rt::test]
async fn test_date() {
    let settings = ServiceConfig::default();

    let mut buf1 = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf1, false);

    let mut buf2 = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf2, false);

    assert_eq!(buf1, buf2);
}

#[actix_rt::test]
async fn test_date_camel_case() {
    let settings = ServiceConfig::default();

    let mut buf = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf, false);
    assert!(memmem::find(&buf, b"date:").is_some());

    let mut buf = BytesMut::with_capacity(DATE_VALUE_LENGTH + 10);
    settings.write_date_header(&mut buf, true);
    assert!(memmem::find(&buf, b"Date:").is_some());
}
