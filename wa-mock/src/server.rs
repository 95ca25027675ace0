//! The mock's one HTTP server: the chat WebSocket, the admin routes, and the
//! media servers' upload and download paths, all on one port.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use crate::phone::Phones;
use crate::world::World;
use crate::{admin, connection, media};

/// A bound, not yet running, mock.
pub struct Bound {
    pub world: Arc<World>,
    pub server: actix_web::dev::Server,
    /// `ws://host:port/ws/chat`
    pub ws_url: String,
    /// `http://host:port`
    pub admin_url: String,
}

/// Binds `listen` (`127.0.0.1:0` for any free port); the phones' clients run on `phones`.
pub fn bind(listen: &str, phones: tokio::runtime::Handle) -> anyhow::Result<Bound> {
    let listener = TcpListener::bind(listen)?;
    let address = listener.local_addr()?;
    let ws_url = format!("ws://{address}/ws/chat");
    let world = World::new(address.to_string(), Phones::new(phones, ws_url.clone()));
    let data = web::Data::new(world.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(media::MAX_UPLOAD))
            .route("/ws/chat", web::get().to(chat))
            .configure(admin::routes)
            .route("/mms/{kind}/{token}", web::post().to(media::upload))
            .route("/mms-blob/{name}", web::get().to(media::download))
            .route("/sw.js", web::get().to(media::web_version))
    })
    .workers(2)
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    Ok(Bound {
        world,
        server,
        ws_url,
        admin_url: format!("http://{address}"),
    })
}

async fn chat(
    req: HttpRequest,
    body: web::Payload,
    world: web::Data<Arc<World>>,
) -> actix_web::Result<HttpResponse> {
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    actix_web::rt::spawn(connection::serve(world.get_ref().clone(), session, stream));
    Ok(response)
}
