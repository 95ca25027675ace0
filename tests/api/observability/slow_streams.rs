//! Event streams whose clients do not read, or hang up: what the server holds
//! for them is bounded in bytes and released at once.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, eventually, spawn_sim_app};
use crate::observability::metrics::{sample, scrape};

db_tests!(
    a_client_that_never_reads_is_let_go_and_what_it_held_released,
    a_client_that_hangs_up_frees_its_place_at_once,
);

/// The server's bound for one stream (`actors::live::MAX_BACKLOG_BYTES`).
const MAX_BACKLOG_BYTES: f64 = 1024.0 * 1024.0;

async fn gauge(app: &TestApp, name: &str) -> f64 {
    sample(&scrape(app).await, name, &[]).unwrap_or_else(|| panic!("no {name} in /metrics"))
}

/// A stream opened over a socket with a tiny receive buffer, never read.
async fn open_unread_stream(app: &TestApp, id: &str) -> tokio::net::TcpStream {
    let address: std::net::SocketAddr = app
        .address
        .trim_start_matches("http://")
        .parse()
        .expect("a socket address");
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(address).await.unwrap();
    let request = format!(
        "GET /api/instances/{id}/events HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {}\r\n\r\n",
        app.admin_key
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream
}

async fn a_client_that_never_reads_is_let_go_and_what_it_held_released(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Watched"}))
        .await;
    app.pair(&app.admin_key, &id, "79001111111", "Alice").await;
    let mut unread = open_unread_stream(&app, &id).await;
    eventually("the stream open", || async {
        (gauge(&app, "wamux_event_streams").await == 1.0).then_some(())
    })
    .await;

    // ~60 KB frames: 256 of them (the old bound, in frames) held ~16 MB.
    let long_text = "x".repeat(60_000);
    let mut most_held: f64 = 0.0;
    let mut let_go = false;
    for _ in 0..200 {
        app.inbound(&app.admin_key, &id, "79005555555", &long_text)
            .await;
        most_held = most_held.max(gauge(&app, "wamux_event_stream_backlog_bytes").await);
        if gauge(&app, "wamux_event_streams").await == 0.0 {
            let_go = true;
            break;
        }
    }
    assert!(
        let_go,
        "a stream that is never read is let go (held at most {most_held} bytes)"
    );
    assert!(
        most_held <= MAX_BACKLOG_BYTES,
        "held {most_held} bytes for one stream, past the bound"
    );
    assert_eq!(
        gauge(&app, "wamux_event_stream_backlog_bytes").await,
        0.0,
        "everything held for it is released when it is let go"
    );

    // The client, reading at last, gets what was already on its way, the
    // notice, and the end of the stream.
    let mut received = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), unread.read_to_end(&mut received))
        .await
        .expect("the stream ends")
        .expect("read");
    let received = String::from_utf8_lossy(&received);
    assert!(received.starts_with("HTTP/1.1 200"), "{}", &received[..80]);
    assert!(
        received.contains(": frames lost: this client read too slowly; reconnect"),
        "the stream says why it ends"
    );

    // The instance keeps serving the streams that read.
    let response = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn a_client_that_hangs_up_frees_its_place_at_once(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Busy"}))
        .await;
    let path = format!("/api/instances/{id}/events");
    let watch = || app.with_key(&app.admin_key, Method::GET, &path).send();
    let mut watchers = Vec::new();
    for _ in 0..32 {
        let response = watch().await.unwrap();
        assert_eq!(response.status(), 200);
        watchers.push(response);
    }
    assert_eq!(watch().await.unwrap().status(), 429);
    drop(watchers);
    // Well before the next keep-alive comment (15 s), which was how a hang-up
    // used to be noticed.
    let freed = async {
        while gauge(&app, "wamux_event_streams").await > 0.0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), freed)
        .await
        .expect("the places are freed when the clients hang up");
    let mut again = Vec::new();
    for _ in 0..32 {
        let response = watch().await.unwrap();
        assert_eq!(response.status(), 200, "a freed place is taken again");
        again.push(response);
    }
}
