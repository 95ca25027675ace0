//! QR renderings: the PNG image and the console drawing decode to the pending QR.

use serde_json::json;

use super::{get, spawn_steady_qr_app};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body};
use crate::process::ServerProcess;

db_tests!(qr_png_decodes_to_the_pending_qr_string);

async fn qr_png_decodes_to_the_pending_qr_string(db: TestDb) {
    let app = spawn_steady_qr_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Scan me"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let qr = json_body(get(&app, &format!("/api/instances/{id}/qr")).await).await;
    let qr = qr["qrCode"].as_str().expect("qrCode").to_owned();

    for path in [
        format!("/api/instances/{id}/qr?format=png"),
        format!("/api/whatsapp/{id}/qr?format=png"),
    ] {
        let response = get(&app, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "image/png");
        let png = response.bytes().await.unwrap();
        let image = image::load_from_memory(&png).expect("a PNG").to_luma8();
        assert!(image.width() >= 320, "big enough to scan from a screen");
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the picture");
        let (_, content) = grids[0].decode().expect("the QR decodes");
        assert_eq!(content, qr, "the picture holds the pending QR string");
    }

    let response = get(&app, &format!("/api/instances/{id}/qr?format=svg")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");

    let code = assert_error(
        get(&app, &format!("/api/instances/{id}/qr?format=gif")).await,
        400,
    )
    .await;
    assert_eq!(code, "validation_error");

    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    let code = assert_error(
        get(&app, &format!("/api/instances/{id}/qr?format=png")).await,
        404,
    )
    .await;
    assert_eq!(
        code, "qr_not_available",
        "a connected instance has no QR to draw"
    );
}

/// The console drawing back to pixels (blocks are light modules, two rows per
/// line), decoded as a phone would.
fn decode_console_qr(drawing: &[&str]) -> String {
    const SCALE: usize = 4;
    let width = drawing
        .iter()
        .map(|line| line.chars().count())
        .max()
        .unwrap();
    let height = drawing.len() * 2;
    let light = |x: usize, y: usize| {
        let symbol = drawing[y / 2].chars().nth(x).unwrap_or(' ');
        matches!(
            (symbol, y % 2),
            ('\u{2588}', _) | ('\u{2580}', 0) | ('\u{2584}', 1)
        )
    };
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, height * SCALE, |x, y| {
            if light(x / SCALE, y / SCALE) { 255 } else { 0 }
        });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the console");
    grids[0].decode().expect("the console QR decodes").1
}

#[actix_web::test]
async fn qr_terminal_draws_each_new_qr_on_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__LOG__QR_TERMINAL", "true"),
            ("WAMUX__SIM__QR_REFRESH_MS", "60000"),
        ],
    )
    .await;
    let created = server
        .post("/api/instances", json!({"name": "Console"}))
        .await;
    let id = json_body(created).await["id"].as_str().unwrap().to_owned();
    server.wait_for_status(&id, "qr").await;
    let served = server.get(&format!("/api/instances/{id}/qr")).await["qrCode"]
        .as_str()
        .unwrap()
        .to_owned();

    let console = eventually("the QR on the console", || async {
        let output = std::fs::read_to_string(dir.path().join("wamux.log")).ok()?;
        output
            .contains(&format!("QR code for instance {id}"))
            .then_some(output)
    })
    .await;
    let drawing: Vec<&str> = console
        .lines()
        .skip_while(|line| !line.starts_with(&format!("QR code for instance {id}")))
        .skip(1)
        .take_while(|line| {
            !line.is_empty()
                && line
                    .chars()
                    .all(|c| " \u{2580}\u{2584}\u{2588}".contains(c))
        })
        .collect();
    assert!(
        drawing.len() > 10,
        "a drawing follows the heading:\n{console}"
    );
    assert_eq!(decode_console_qr(&drawing), served);
    assert!(
        !console.contains(&format!("\"{served}\"")),
        "the QR string itself is not logged"
    );
}
