//! The explorer: the read-only web page at `/` (its code is in `web/`), built by npm at build
//! time and embedded in the binary (see `build/explorer.rs`). It reads only the public GraphQL
//! API. Its assets live under `/explorer/<version>/`, a path that changes whenever their
//! contents do, so they are cached for a year; the page itself is never cached. A strict
//! Content-Security-Policy keeps every request on this origin.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use std::path::PathBuf;

/// One embedded file of the page.
pub struct Asset {
    /// Its path under the version, such as `app.js`.
    pub name: &'static str,
    /// Its contents.
    pub bytes: &'static [u8],
    /// The same, gzipped at build time.
    pub gzip: &'static [u8],
}

mod embedded {
    use super::Asset;
    include!(concat!(env!("OUT_DIR"), "/explorer.rs"));
}

/// Where the page comes from.
#[derive(Debug, Clone)]
pub enum Explorer {
    /// The build embedded in the binary (or, when the build had no npm, a page saying so).
    Embedded,
    /// Files read from a folder at each request (`web/dist` after `node build.mjs dist`), so
    /// that the page can be changed without rebuilding the binary; never cached.
    Folder(PathBuf),
    /// No page at `/`.
    Off,
}

/// The path segment the development folder is served under.
const FOLDER_VERSION: &str = "dev";

/// Everything but this origin is off limits; the WebSocket of the live view is named too, as
/// `'self'` covers `ws:` only in browsers that follow CSP level 3.
fn content_security_policy(req: &HttpRequest) -> String {
    let host = req.connection_info().host().to_owned();
    let sockets = if host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) {
        format!(" ws://{host} wss://{host}")
    } else {
        String::new()
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'"
    )
}

/// `GET /`: the page, with its assets' versioned base path filled in.
pub async fn page(req: HttpRequest, explorer: web::Data<Explorer>) -> HttpResponse {
    let (html, base) = match explorer.get_ref() {
        Explorer::Off => return HttpResponse::NotFound().finish(),
        Explorer::Embedded => match (embedded::MISSING, find("index.html")) {
            (None, Some(index)) => (
                String::from_utf8_lossy(index.bytes).into_owned(),
                format!("/explorer/{}", embedded::VERSION),
            ),
            (why, _) => return not_built(why.unwrap_or("the build wrote no index.html")),
        },
        Explorer::Folder(dir) => match std::fs::read_to_string(dir.join("index.html")) {
            Ok(html) => (html, format!("/explorer/{FOLDER_VERSION}")),
            Err(err) => return not_built(&format!("{}: {err}", dir.join("index.html").display())),
        },
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, content_security_policy(&req)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(html.replace("%BASE%", &base))
}

/// `GET /explorer/{version}/{file}`: one asset; a version other than the current one is not
/// found, so a stale page never mixes old and new files.
pub async fn asset(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    explorer: web::Data<Explorer>,
) -> HttpResponse {
    let (version, name) = path.into_inner();
    let kind = content_type(&name);
    match explorer.get_ref() {
        Explorer::Embedded if version == embedded::VERSION && embedded::MISSING.is_none() => {
            let Some(asset) = find(&name) else { return HttpResponse::NotFound().finish() };
            let mut response = HttpResponse::Ok();
            response
                .content_type(kind)
                .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
                .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .insert_header((header::VARY, "accept-encoding"));
            if accepts_gzip(&req) {
                response
                    .insert_header((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")))
                    .body(asset.gzip)
            } else {
                response.body(asset.bytes)
            }
        }
        Explorer::Folder(dir) if version == FOLDER_VERSION && is_plain(&name) => {
            match std::fs::read(dir.join(&name)) {
                Ok(bytes) => HttpResponse::Ok()
                    .content_type(kind)
                    .insert_header((header::CACHE_CONTROL, "no-cache"))
                    .body(bytes),
                Err(_) => HttpResponse::NotFound().finish(),
            }
        }
        _ => HttpResponse::NotFound().finish(),
    }
}

fn find(name: &str) -> Option<&'static Asset> {
    embedded::FILES.iter().find(|asset| asset.name == name)
}

/// A file name inside the folder: no way up or out of it.
fn is_plain(name: &str) -> bool {
    !name.is_empty() && name.split('/').all(|part| !part.is_empty() && part != ".." && part != ".")
}

fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("map") => "application/json",
        _ => "application/octet-stream",
    }
}

/// What `/` says when this binary has no page.
fn not_built(why: &str) -> HttpResponse {
    let why = why.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Annals</title></head><body><h1>Annals</h1>\
         <p>The explorer page is not available: this binary was built without it, or its folder \
         cannot be read ({why}).</p>\
         <p>To get it, install Node.js and npm and build again (<code>cargo build</code> runs \
         <code>npm ci</code> and <code>node build.mjs</code> in <code>web/</code>), or serve a page \
         built with <code>cd web &amp;&amp; npm ci &amp;&amp; node build.mjs dist</code> with \
         <code>ANNALS_EXPLORER_DIR=web/dist</code>.</p>\
         <p>The API works without it: the GraphiQL IDE is at <a href=\"/graphql\">/graphql</a> in \
         the development profile, and any GraphQL client can POST to <code>/graphql</code>.</p>\
         </body></html>\n"
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_stay_inside_the_folder() {
        assert!(is_plain("app.js"));
        assert!(is_plain("maps/countries.json"));
        for name in ["", "../Cargo.toml", "a/../../b", "/etc/passwd", "a//b", "./a"] {
            assert!(!is_plain(name), "{name}");
        }
    }
}
