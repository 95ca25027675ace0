//! The cluster's nodes, for administrators; and the one route nodes call on
//! each other (signed with `cluster.secret`, outside the API document).

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::cluster::Node;
use crate::cluster::signing;
use crate::domain::time::iso_millis;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::http::extract::AdminUser;
use crate::http::state::AppState;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    node_id: String,
    advertise_url: String,
    /// Instances whose lease it holds now.
    instances: i64,
    /// Its last heartbeat (the database's clock).
    last_seen: String,
    version: String,
}

#[derive(Serialize, ToSchema)]
pub struct NodeList {
    nodes: Vec<NodeView>,
}

impl NodeView {
    fn new(node: Node) -> Self {
        Self {
            node_id: node.node_id,
            advertise_url: node.advertise_url,
            instances: node.instances,
            last_seen: iso_millis(node.heartbeat_at),
            version: node.version,
        }
    }
}

/// The cluster's nodes (administrators only).
///
/// Every node registered in the database: the live ones heartbeat every quarter
/// of `cluster.lease_ttl_ms`; a node that stopped cleanly leaves the list, a
/// killed one stays with its last `lastSeen` and no instances. Empty when the
/// cluster is off.
#[utoipa::path(tag = "admin", operation_id = "listNodes",
    responses(
        (status = 200, description = "The nodes", body = NodeList,
            example = json!({"nodes": [{"nodeId": "wamux-a-3f9c01d2", "advertiseUrl": "http://10.0.0.5:8080",
                "instances": 412, "lastSeen": "2026-11-29T08:03:12.345Z", "version": "0.1.0"}]})),
        (status = 403, description = "The caller is not an administrator", body = ErrorBody,
            example = json!(ErrorBody::example(ErrorCode::Forbidden, "administrator role required"))),
    ))]
#[get("/api/admin/nodes")]
pub async fn list_nodes(
    state: web::Data<AppState>,
    _admin: AdminUser,
) -> Result<HttpResponse, ApiError> {
    let nodes = match state.app.cluster() {
        Some(cluster) => cluster.nodes().await?,
        None => Vec::new(),
    };
    Ok(HttpResponse::Ok().json(NodeList {
        nodes: nodes.into_iter().map(NodeView::new).collect(),
    }))
}

/// Another node asks this one to write what it has queued (before a read
/// across the whole cluster).
pub async fn make_writes_visible(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let cluster = state
        .app
        .cluster()
        .ok_or_else(|| ApiError::new(ErrorCode::RouteNotFound, "the cluster is off"))?;
    let signed = signing::from_headers(req.headers())
        .ok_or_else(|| ApiError::unauthorized("a node signature is required"))?;
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    if signed.body != signing::body_hash(b"") {
        return Err(ApiError::unauthorized("this request has no body"));
    }
    cluster
        .verify(req.method().as_str(), &path, &signed)
        .map_err(|err| ApiError::new(ErrorCode::Unauthorized, err.to_string()))?;
    cluster.make_writes_visible().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The routes between nodes, outside the API document.
pub fn internal(cfg: &mut web::ServiceConfig) {
    cfg.route(
        crate::app::cluster::VISIBLE_PATH,
        web::post().to(make_writes_visible),
    );
}
