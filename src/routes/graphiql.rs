//! The GraphiQL IDE, served entirely by this binary: its scripts and styles are bundled at
//! build time (see `build/graphiql.rs`), so exploring the API needs no internet access.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

macro_rules! asset {
    ($file:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/graphiql/", $file))
    };
}

const GRAPHIQL_JS: &[u8] = asset!("graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = asset!("graphiql.min.css");
const REACT_JS: &[u8] = asset!("react.production.min.js");
const REACT_DOM_JS: &[u8] = asset!("react-dom.production.min.js");

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Annals · GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/graphiql/graphiql.min.css">
    <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script src="/graphiql/react.production.min.js"></script>
    <script src="/graphiql/react-dom.production.min.js"></script>
    <script src="/graphiql/graphiql.min.js"></script>
    <script src="/graphiql/start.js"></script>
  </body>
</html>
"#;

const START_JS: &str = r##"ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: "/graphql" }),
    defaultEditorToolsVisibility: true,
    defaultQuery: "# Casualty figures of the January 2022 unrest in Kazakhstan, with who claimed them.\n{\n  casualtyReports {\n    edges {\n      node {\n        category low high status\n        claimedBy { name }\n        citations { source { publisher status } }\n      }\n    }\n  }\n}\n"
  })
);
"##;

const NOT_BUNDLED: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Annals</title></head>
<body><h1>Annals GraphQL API</h1>
<p>This build does not include the GraphiQL IDE: its assets could not be fetched from the npm
registry when it was compiled (see <code>build/graphiql.rs</code>). The API itself works: POST GraphQL
requests to <code>/graphql</code> with any GraphQL client.</p></body></html>
"#;

/// The IDE page, or an explanation when this build has no IDE assets.
pub fn page() -> HttpResponse {
    let html = if GRAPHIQL_JS.is_empty() { NOT_BUNDLED } else { PAGE };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html)
}

/// GET /graphiql/{file}: the IDE's scripts and stylesheet.
pub async fn asset(file: web::Path<String>, options: web::Data<super::Options>) -> HttpResponse {
    if !options.graphiql {
        return HttpResponse::NotFound().finish();
    }
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "graphiql.min.js" => (GRAPHIQL_JS, "text/javascript; charset=utf-8"),
        "graphiql.min.css" => (GRAPHIQL_CSS, "text/css; charset=utf-8"),
        "react.production.min.js" => (REACT_JS, "text/javascript; charset=utf-8"),
        "react-dom.production.min.js" => (REACT_DOM_JS, "text/javascript; charset=utf-8"),
        "start.js" => (START_JS.as_bytes(), "text/javascript; charset=utf-8"),
        _ => return HttpResponse::NotFound().finish(),
    };
    if body.is_empty() {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}
