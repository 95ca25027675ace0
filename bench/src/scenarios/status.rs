//! The status route, against a bare actix-web handler on the same machine.

use std::sync::Arc;

use serde_json::json;

use super::{Plan, Throughput, repeat, summarize};
use crate::load::Request;
use crate::process::{Bare, Server, ServerOptions};

pub(super) async fn status(plan: &Plan) -> anyhow::Result<(Throughput, Throughput)> {
    let dir = tempfile::tempdir()?;
    let server = Server::start(dir.path(), &ServerOptions::default()).await?;
    let id = server.api.paired("15550000001", json!({})).await?;
    let (url, key) = (
        format!("{}/api/whatsapp/{id}/status", server.api.base),
        server.api.key.clone(),
    );
    let wamux = repeat(
        plan,
        Arc::new(move |_| Request {
            post: false,
            url: url.clone(),
            headers: vec![("x-api-key", key.clone())],
            body: None,
        }),
    );
    drop(server);
    let bare = Bare::start().await?;
    let url = bare.url.clone();
    let baseline = repeat(
        plan,
        Arc::new(move |_| Request {
            post: false,
            url: url.clone(),
            headers: vec![],
            body: None,
        }),
    );
    Ok((summarize(&wamux), summarize(&baseline)))
}
