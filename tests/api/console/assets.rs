//! The console's files: served from the binary without credentials, under a
//! Content-Security-Policy that forbids inline code, complete (every module a
//! page imports is served) and free of the constructs that policy would block.

use reqwest::Method;
use serde_json::json;
use wamux::routes::console::{CONTENT_SECURITY_POLICY, asset_paths};

use crate::helpers::{TestApp, TestDb, assert_error, json_body, spawn_sim_app};

#[actix_web::test]
async fn every_file_is_served_without_credentials_under_the_strict_policy() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/console"))
        .send()
        .await
        .unwrap();
    assert!(redirect.status().is_redirection());
    assert_eq!(redirect.headers()["location"], "/console/");

    for path in asset_paths() {
        let response = app.request(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-security-policy"], CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        let kind = headers["content-type"].to_str().unwrap().to_owned();
        let expected = match path.rsplit('.').next() {
            Some("js") => "text/javascript",
            Some("css") => "text/css",
            _ => "text/html",
        };
        assert!(kind.starts_with(expected), "{path}: {kind}");

        // Revalidated by its tag rather than downloaded again.
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let again = app
            .request(Method::GET, &path)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }

    let missing = app
        .request(Method::GET, "/console/js/nope.js")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(missing, 404).await, "route_not_found");
    let features = json_body(
        app.request(Method::GET, "/console/features.json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(features, json!({"sim": true, "cluster": false}));
}

async fn text_of(app: &TestApp, path: &str) -> String {
    let response = app.request(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

#[actix_web::test]
async fn the_page_needs_nothing_the_policy_forbids() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let served: Vec<String> = asset_paths().collect();
    let page = text_of(&app, "/console/").await;
    // Every script is a file of this server; no inline handler or style.
    for script in page.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        let src = tag
            .split("src=\"")
            .nth(1)
            .expect("a script has src")
            .split('"')
            .next()
            .unwrap();
        assert!(served.contains(&src.to_owned()), "{src} is served");
    }
    for forbidden in [" style=", " onclick=", " onload=", "http://", "https://"] {
        assert!(!page.contains(forbidden), "the page holds {forbidden:?}");
    }

    for path in served.iter().filter(|path| path.ends_with(".js")) {
        let code = text_of(&app, path).await;
        // Text goes in as text: no HTML parsing of data, no code from strings.
        for forbidden in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setAttribute('style'",
            "localStorage",
            "document.cookie",
        ] {
            assert!(!code.contains(forbidden), "{path} uses {forbidden}");
        }
        // Every module it imports is served too.
        for import in code.split("from './").skip(1) {
            let name = import.split('\'').next().unwrap();
            let imported = format!("/console/js/{name}");
            assert!(
                served.contains(&imported),
                "{path} imports {imported}, which is not served"
            );
        }
    }
}

#[actix_web::test]
async fn me_names_the_role_the_console_shows_pages_by() {
    let app = spawn_sim_app(TestDb::Sqlite).await;
    let user = app
        .create_user("dan@example.com", "correct horse battery", "user")
        .await;
    for (key, role) in [(&app.admin_key, "admin"), (&user.api_key, "user")] {
        let me = app
            .with_key(key, Method::GET, "/api/auth/me")
            .send()
            .await
            .unwrap();
        assert_eq!(json_body(me).await["role"], role);
    }
}
