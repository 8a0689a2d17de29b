//! `GET /export/events.{csv,geojson,ndjson}`: the events matching a filter as a streamed
//! download, let in like `/graphql` (API key, anonymous reading, rate limit).
//!
//! The body is a stream that reads the next page of events only when the previous one has
//! been sent: memory stays at one page whatever the export's size, and a client that goes
//! away drops the stream, which stops the export. The first page is read before the answer
//! starts, so a database that cannot be reached is a 503 with a code rather than a cut body.
//! Each page's statement is bound by the statement timeout; the export as a whole is not
//! bound by the request time limit, since a large one takes longer by nature.

use super::access::{failure, Access};
use crate::dataset::{CsvFlavor, EventExport, EventsFormat};
use crate::db::Database;
use crate::error::{AppError, ErrorCode};
use crate::graphql::errors::client_error;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::stream::{self, StreamExt};
use std::time::Instant;

/// The parameters an export takes.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    /// The filter of `events(filter:)`, as JSON.
    filter: Option<String>,
    /// The CSV columns: `annals` or `acled`.
    flavor: Option<String>,
}

/// GET /export/events.{format}.
pub async fn events(
    req: HttpRequest,
    format: web::Path<String>,
    access: Access,
    database: web::Data<Database>,
) -> HttpResponse {
    if let Err(refused) = access.identify(&req).await {
        return *refused;
    }
    let params = match web::Query::<Params>::from_query(req.query_string()) {
        Ok(web::Query(params)) => params,
        Err(err) => {
            return failure(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("the query string is not an export's (`filter`, `flavor`): {err}"),
            )
        }
    };
    let format = match read_format(&format, params.flavor.as_deref()) {
        Ok(format) => format,
        Err(err) => return error(&err),
    };
    let filter = match params.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        Some(json) => match crate::graphql::event_filter(json) {
            Ok(filter) => filter,
            Err(err) => return error(&err),
        },
        None => Default::default(),
    };

    let started = Instant::now();
    let mut export = EventExport::new(database.conn.clone(), filter, format);
    let first = match export.next_chunk().await {
        Ok(first) => first.unwrap_or_default(),
        Err(err) => return error(&err),
    };
    let rest = stream::unfold(Some(Running { export, started }), |running| async move {
        let mut running = running?;
        match running.export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(web::Bytes::from(chunk)), Some(running))),
            Ok(None) => None,
            Err(err) => {
                tracing::error!(
                    error.code = err.code().as_str(),
                    error.cause = %crate::error::error_chain(&err),
                    events = running.export.events_written(),
                    "export failed midway; the download is cut short"
                );
                Some((Err(actix_web::error::ErrorInternalServerError("export failed")), None))
            }
        }
    });
    let body =
        stream::once(async move { Ok::<_, actix_web::Error>(web::Bytes::from(first)) }).chain(rest);
    let disposition = format!("attachment; filename=events.{}", format.extension());
    let mut response = HttpResponse::Ok().content_type(format.content_type()).streaming(body);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// An export being sent. Dropped when it ends, or when the client goes away (actix drops the
/// body stream), which stops it.
struct Running {
    export: EventExport,
    started: Instant,
}

impl Drop for Running {
    fn drop(&mut self) {
        let events = self.export.events_written();
        let elapsed_ms = self.started.elapsed().as_millis() as u64;
        if self.export.is_finished() {
            tracing::info!(events, elapsed_ms, "export sent");
        } else {
            // An export that failed was logged with its cause where it failed.
            tracing::info!(events, elapsed_ms, "export stopped before its end");
        }
    }
}

/// The format named by the path's extension and the `flavor` parameter.
fn read_format(extension: &str, flavor: Option<&str>) -> Result<EventsFormat, AppError> {
    let format = match extension {
        "csv" => {
            let flavor = match flavor {
                None | Some("annals") => CsvFlavor::Annals,
                Some("acled") => CsvFlavor::Acled,
                Some(other) => {
                    return Err(AppError::invalid_input(
                        "flavor",
                        format!("{other:?} is not a CSV flavor: `annals` or `acled`"),
                    ))
                }
            };
            return Ok(EventsFormat::Csv(flavor));
        }
        "geojson" => EventsFormat::GeoJson,
        "ndjson" => EventsFormat::NdJson,
        other => return Err(AppError::NotFound(format!("the export format {other:?}"))),
    };
    match flavor {
        Some(_) => Err(AppError::invalid_input("flavor", "`flavor` applies to CSV exports only")),
        None => Ok(format),
    }
}

/// An error before the download starts, as JSON with the API's codes and status.
fn error(err: &AppError) -> HttpResponse {
    let status = match err.code() {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::ServiceUnavailable | ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    HttpResponse::build(status)
        .content_type("application/json")
        .body(serde_json::json!({ "errors": [client_error(err)] }).to_string())
}
