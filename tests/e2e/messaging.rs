//! Messages between two wamux instances through the test server: Signal-
//! encrypted texts with their receipts, and media through its media store.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};
use crate::helpers::eventually;

e2e_tests!(
    texts_go_both_ways_with_delivered_and_read_receipts,
    images_go_both_ways_and_are_served_byte_equal,
    a_send_during_a_slow_download_is_answered_and_received_messages_keep_their_order,
    a_picture_whose_download_timed_out_is_fetched_when_asked_for,
    a_picture_whatsapp_no_longer_serves_is_uploaded_again_by_the_phone,
);

const ALICE: &str = "15550003001";
const BOB: &str = "15550003002";

async fn texts_go_both_ways_with_delivered_and_read_receipts(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;

    let sent = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "Hello Bob"}),
        )
        .await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let received = net
        .event(&bob, "message_received", |d| d["messageId"] == id)
        .await;
    assert_eq!(received["body"], "Hello Bob");
    assert_eq!(received["from"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(received["pushName"], "Alice");
    net.event(&alice, "message_sent", |d| d["messageId"] == id)
        .await;
    net.event(&alice, "message_status", |d| {
        d["messageId"] == id && d["status"] == "delivered"
    })
    .await;

    let read = net
        .wamux
        .post(
            &format!("/api/whatsapp/{bob}/chats/{ALICE}/read"),
            json!({}),
        )
        .await;
    assert_eq!(read["read"], 1, "{read}");
    net.event(&alice, "message_status", |d| {
        d["messageId"] == id && d["status"] == "read"
    })
    .await;
    let row = net
        .wamux
        .wait_for_row(&alice, BOB, &id, |row| row["status"] == "read")
        .await;
    assert_eq!(row["fromMe"], true);

    let answer = net
        .wamux
        .post(
            &format!("/api/whatsapp/{bob}/send"),
            json!({"phone": ALICE, "message": "Hi Alice"}),
        )
        .await;
    let answer_id = answer["id"].as_str().unwrap().to_owned();
    let back = net
        .event(&alice, "message_received", |d| d["messageId"] == answer_id)
        .await;
    assert_eq!(back["body"], "Hi Alice");
    assert_eq!(back["from"], format!("{BOB}@s.whatsapp.net"));
    net.event(&bob, "message_status", |d| {
        d["messageId"] == answer_id && d["status"] == "delivered"
    })
    .await;
    // One chat per person on each side, each with both messages.
    assert_eq!(net.wamux.history(&alice, BOB).await.len(), 2);
    assert_eq!(net.wamux.history(&bob, ALICE).await.len(), 2);
}

async fn images_go_both_ways_and_are_served_byte_equal(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    for (from, to, to_phone, seed) in [(&alice, &bob, BOB, 1u8), (&bob, &alice, ALICE, 2u8)] {
        let picture = picture(seed);
        let form = Form::new()
            .text("phone", to_phone)
            .text("caption", "a picture")
            .part(
                "file",
                Part::bytes(picture.clone())
                    .file_name("picture.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        let (status, sent) = {
            let response = net
                .wamux
                .request(Method::POST, &format!("/api/whatsapp/{from}/send-file"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<serde_json::Value>().await.unwrap(),
            )
        };
        assert_eq!(status, 200, "{sent}");
        let id = sent["id"].as_str().unwrap().to_owned();
        let received = net
            .event(to, "message_received", |d| d["messageId"] == id)
            .await;
        assert_eq!(received["hasMedia"], true, "{received}");
        assert_eq!(received["type"], "imageMessage", "{received}");
        assert_eq!(received["body"], "a picture");
        let download = net
            .wamux
            .request(
                Method::GET,
                &format!("/api/instances/{to}/messages/{id}/media"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(download.status(), 200);
        assert_eq!(
            download.bytes().await.unwrap().to_vec(),
            picture,
            "the received picture, byte for byte"
        );
    }
}

/// A download that takes as long as WhatsApp's CDN cares to: the instance
/// goes on answering, and what arrived behind the picture waits for it.
async fn a_send_during_a_slow_download_is_answered_and_received_messages_keep_their_order(
    db: TestDb,
) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let (status, _) = net.mock.post("media/hold", json!({"held": true})).await;
    assert_eq!(status, 200);

    let picture_id = send_picture(&net, &bob, ALICE, 3).await;
    crate::helpers::eventually("Alice's download held", || async {
        (net.mock.stats().await["heldDownloads"].as_u64() >= Some(1)).then_some(())
    })
    .await;
    let text = net
        .wamux
        .post(
            &format!("/api/whatsapp/{bob}/send"),
            json!({"phone": ALICE, "message": "after the picture"}),
        )
        .await;
    let text_id = text["id"].as_str().unwrap().to_owned();

    // Alice's instance sends while its download waits: answered, not parked
    // behind the download until the request times out (202 "sending").
    let (status, sent) = net
        .wamux
        .call(
            Method::POST,
            &format!("/api/whatsapp/{alice}/send"),
            Some(json!({"phone": BOB, "message": "during the download"})),
        )
        .await;
    assert_eq!(status, 200, "{sent}");
    let sent_id = sent["id"].as_str().unwrap().to_owned();
    net.event(&bob, "message_received", |d| d["messageId"] == sent_id)
        .await;
    assert_eq!(
        net.count(&alice, "message_received", |_| true),
        0,
        "nothing announced ahead of the held picture"
    );

    let (status, _) = net.mock.post("media/hold", json!({"held": false})).await;
    assert_eq!(status, 200);
    net.event(&alice, "message_received", |d| d["messageId"] == text_id)
        .await;
    let order: Vec<String> = crate::receiver::distinct(&net.hooks.requests())
        .iter()
        .filter(|r| r.event() == "message_received")
        .map(|r| r.json()["data"].clone())
        .filter(|d| d["instanceId"] == alice.as_str())
        .map(|d| d["messageId"].as_str().unwrap_or_default().to_owned())
        .collect();
    let position = |id: &str| order.iter().position(|o| o == id);
    assert!(
        position(&picture_id) < position(&text_id) && position(&picture_id).is_some(),
        "the picture is announced before the text behind it: {order:?}"
    );
    let download = net
        .wamux
        .request(
            Method::GET,
            &format!("/api/instances/{alice}/messages/{picture_id}/media"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
}

/// The first download gives up (WhatsApp's CDN too slow): the message is kept
/// with where WhatsApp holds the picture, and the media route fetches it then.
async fn a_picture_whose_download_timed_out_is_fetched_when_asked_for(db: TestDb) {
    let net = Network::start_with(db, &[("WAMUX__WHATSAPP__MEDIA_FETCH_TIMEOUT_MS", "1500")]).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let (status, _) = net.mock.post("media/hold", json!({"held": true})).await;
    assert_eq!(status, 200);
    let id = send_picture(&net, &bob, ALICE, 4).await;
    let received = net
        .event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
    assert_eq!(received["hasMedia"], true, "{received}");
    let media = format!("/api/instances/{alice}/messages/{id}/media");
    // Still held: the media route's own try gives up too, and says so.
    let (status, answer) = net.wamux.call(Method::GET, &media, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (503, &json!("service_unavailable")),
        "{answer}"
    );

    let (status, _) = net.mock.post("media/hold", json!({"held": false})).await;
    assert_eq!(status, 200);
    for attempt in ["fetched from WhatsApp", "kept since"] {
        let download = net.wamux.request(Method::GET, &media).send().await.unwrap();
        assert_eq!(download.status(), 200, "{attempt}");
        assert_eq!(
            download.bytes().await.unwrap().to_vec(),
            picture(4),
            "{attempt}"
        );
    }
}

/// The first download timed out, and by the time the picture is asked for,
/// WhatsApp's servers have dropped it (404): the instance asks the phone, which
/// still has it, to upload it again, and keeps where it now is.
async fn a_picture_whatsapp_no_longer_serves_is_uploaded_again_by_the_phone(db: TestDb) {
    let net = Network::start_with(db, &[("WAMUX__WHATSAPP__MEDIA_FETCH_TIMEOUT_MS", "1500")]).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let (status, _) = net.mock.post("media/hold", json!({"held": true})).await;
    assert_eq!(status, 200);
    let id = send_picture(&net, &bob, ALICE, 5).await;
    net.event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
    // Alice's phone got the picture too; then the servers drop every file.
    eventually("Alice's phone has the picture", || async {
        let inbox = net.mock.inbox(ALICE).await;
        inbox.iter().any(|m| m["id"] == id.as_str()).then_some(())
    })
    .await;
    let (status, expired) = net.mock.post("media/expire", json!({})).await;
    assert_eq!(status, 200, "{expired}");
    let (status, _) = net.mock.post("media/hold", json!({"held": false})).await;
    assert_eq!(status, 200);

    let media = format!("/api/instances/{alice}/messages/{id}/media");
    for attempt in ["uploaded again by the phone", "kept since"] {
        let download = net.wamux.request(Method::GET, &media).send().await.unwrap();
        assert_eq!(download.status(), 200, "{attempt}");
        assert_eq!(
            download.bytes().await.unwrap().to_vec(),
            picture(5),
            "{attempt}"
        );
    }
    let stats = net.mock.stats().await;
    assert_eq!(
        stats["stanzas"]["mediaretry:uploaded"],
        json!(1),
        "one re-upload: {stats}"
    );
}

/// `from` sends the phone `to` a picture (`picture(seed)`); its WhatsApp id.
async fn send_picture(net: &Network, from: &str, to: &str, seed: u8) -> String {
    let form = Form::new().text("phone", to.to_owned()).part(
        "file",
        Part::bytes(picture(seed))
            .file_name("picture.png")
            .mime_str("image/png")
            .unwrap(),
    );
    let response = net
        .wamux
        .request(Method::POST, &format!("/api/whatsapp/{from}/send-file"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A real PNG (wamux reads pictures for their thumbnail and size).
fn picture(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(96, 64, |x, y| {
        image::Rgb([
            (x as u8).wrapping_mul(seed),
            (y as u8).wrapping_add(seed),
            seed,
        ])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}
