//! A throwaway file server for media sends.

/// A throwaway HTTP server on 127.0.0.1 serving fixed files: `(path, content type, bytes)`.
pub async fn serve_files(files: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let files = std::sync::Arc::new(files);
    let server = HttpServer::new(move || {
        let files = files.clone();
        App::new().default_service(web::to(move |req: actix_web::HttpRequest| {
            let files = files.clone();
            async move {
                match files.iter().find(|(path, _, _)| *path == req.path()) {
                    Some((_, content_type, bytes)) => {
                        let mut response = HttpResponse::Ok();
                        if !content_type.is_empty() {
                            response.content_type(*content_type);
                        }
                        response.body(bytes.clone())
                    }
                    None if req.path() == "/redirect" => HttpResponse::Found()
                        .insert_header(("location", "/image.png"))
                        .finish(),
                    None => HttpResponse::NotFound().finish(),
                }
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind file server");
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    format!("http://127.0.0.1:{port}")
}
