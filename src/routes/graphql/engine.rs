//! Running a request: the document limits and variables first, then one of the two engines
//! (a compiled statement, or the resolvers) under the request's time limit, with its outcome
//! counted in the metrics.

use super::*;

/// The operation a request runs, when its document parsed: its name and type.
fn operation(request: &mut Request) -> Option<(Option<String>, OperationType)> {
    compiled::with_parsed(request, |document, name, _| {
        let (name, operation) = compiled::operation(document, name)?;
        Some((name.map(str::to_owned), operation.ty))
    })
}

impl Endpoint {
    pub(super) async fn execute(
        &self,
        req: &HttpRequest,
        method: Method,
        mut request: Request,
    ) -> HttpResponse {
        let started = Instant::now();
        let whole = match self.cache.prepare(&mut request) {
            Ok(whole) => whole,
            Err(refusal) => {
                self.metrics.reject(refusal.code);
                self.metrics.record(None, Outcome::Rejected, started.elapsed());
                let status = if accepts(req, GRAPHQL_RESPONSE_JSON) {
                    StatusCode::BAD_REQUEST
                } else {
                    StatusCode::OK
                };
                return failure(status, refusal.code, &refusal.message);
            }
        };
        // An object whose every field may be skipped gets a field that keeps it an object (see
        // `order::keep_empty_objects`); such rare documents are the resolvers' to answer.
        let kept = request.parsed_query().ok().and_then(crate::graphql::order::keep_empty_objects);
        let compilable = kept.is_none();
        if let Some(document) = kept {
            request.set_parsed_query(document);
        }
        let operation = operation(&mut request);
        if method == Method::Get
            && operation.as_ref().is_some_and(|(_, ty)| *ty == OperationType::Mutation)
        {
            let mut response = self.refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "mutations must be sent with POST",
            );
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let is_query = operation.as_ref().is_some_and(|(_, ty)| *ty == OperationType::Query);
        let name = operation.and_then(|(name, _)| name);
        let backend = self.database.conn.get_database_backend();
        let variant = (self.options.compiled_reads
            && compilable
            && is_query
            && backend == DbBackend::Postgres)
            .then(|| Gate::variant(&mut request))
            .flatten();
        let compiled = match &variant {
            Some(variant) if self.gate.admits(&request.query, variant) => {
                self.compiled(req, &mut request).await
            }
            _ => None,
        };
        let (response, outcome) = match compiled {
            Some(answered) => answered,
            None => {
                let query = variant.is_some().then(|| request.query.clone());
                let (response, outcome) = self.run(req, request, whole).await;
                // A request that ran without error passed validation; its document may now
                // be compiled.
                if let (Some(query), Some(variant), Outcome::Ok) = (query, variant, outcome) {
                    self.gate.validated(query, variant);
                }
                (response, outcome)
            }
        };
        let elapsed = started.elapsed();
        self.metrics.record(name.as_deref(), outcome, elapsed);
        if elapsed >= self.options.slow_request {
            tracing::warn!(
                operation = name.as_deref().unwrap_or("anonymous"),
                elapsed_ms = elapsed.as_millis() as u64,
                outcome = ?outcome,
                "slow GraphQL request"
            );
        }
        response
    }

    /// Answers `request` with one compiled statement, or `None` when the resolvers must: the
    /// compiler does not know the query, or the statement failed (the resolvers then give
    /// the error its usual shape).
    async fn compiled(
        &self,
        req: &HttpRequest,
        request: &mut Request,
    ) -> Option<(HttpResponse, Outcome)> {
        // A bug in the compiler must not cost the request: the resolvers answer it instead.
        let compiled = std::panic::catch_unwind(AssertUnwindSafe(|| {
            crate::graphql::compile(request, DbBackend::Postgres)
        }));
        let statement = match compiled {
            Ok(statement) => statement?,
            Err(_) => {
                tracing::error!(
                    error.code = ErrorCode::Internal.as_str(),
                    "the SQL compiler panicked; answering through the resolvers"
                );
                return None;
            }
        };
        let query = self.database.conn.query_one_raw(statement);
        let row = match tokio::time::timeout(self.options.request_timeout, query).await {
            Ok(Ok(Some(row))) => row,
            Ok(Ok(None)) => return None,
            Ok(Err(err)) => {
                let err = crate::error::AppError::from(err);
                if err.code() == ErrorCode::Timeout {
                    // PostgreSQL's statement_timeout, the request's own limit: the resolvers
                    // would only run out of time again.
                    return Some((self.timed_out(), Outcome::Timeout));
                }
                if err.code() == ErrorCode::ServiceUnavailable {
                    // The resolvers would only wait for a connection as long again.
                    tracing::error!(error.code = err.code().as_str(), error.cause = %crate::error::error_chain(&err), "compiled read failed");
                    let response = failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::ServiceUnavailable,
                        "the database is unavailable",
                    );
                    return Some((response, Outcome::Error));
                }
                tracing::warn!(error.cause = %crate::error::error_chain(&err), "compiled read failed; answering through the resolvers");
                return None;
            }
            Err(_) => return Some((self.timed_out(), Outcome::Timeout)),
        };
        let body: String = row.try_get_by_index(0).ok()?;
        self.metrics.compiled();
        let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
        let response = HttpResponse::Ok()
            .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
            .body(body);
        Some((response, Outcome::Ok))
    }

    /// The answer to a request stopped at `ANNALS_REQUEST_TIMEOUT_MS`.
    fn timed_out(&self) -> HttpResponse {
        let timeout = self.options.request_timeout;
        tracing::warn!(
            error.code = ErrorCode::Timeout.as_str(),
            timeout_ms = timeout.as_millis() as u64,
            "request stopped"
        );
        let message =
            format!("the request ran longer than {} ms and was stopped", timeout.as_millis());
        self.metrics.reject(ErrorCode::Timeout);
        failure(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Timeout, &message)
    }

    async fn run(
        &self,
        req: &HttpRequest,
        mut request: Request,
        whole: Option<ExecutableDocument>,
    ) -> (HttpResponse, Outcome) {
        let options = &self.options;
        // Tells parse errors from validation errors. The parse cache has already given the
        // request its document, so only a document that does not parse is parsed again.
        let parses = request.parsed_query().is_ok();
        let key_order = compiled::with_parsed(&mut request, |document, name, _| {
            let (_, operation) = compiled::operation(document, name)?;
            Some(crate::graphql::order::KeyOrder::of(document, operation))
        });
        // A panic is a bug; the client gets a masked INTERNAL error, the log gets the cause.
        let execution = AssertUnwindSafe(self.api.execute(request, whole)).catch_unwind();
        let mut response = match tokio::time::timeout(options.request_timeout, execution).await {
            Ok(Ok(response)) => response,
            Ok(Err(_)) => {
                tracing::error!(error.code = ErrorCode::Internal.as_str(), "a resolver panicked");
                let response = failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "internal error",
                );
                return (response, Outcome::Panic);
            }
            Err(_) => {
                // Dropping the execution cancels its futures; on PostgreSQL statement_timeout
                // stops whatever SQL was still running.
                return (self.timed_out(), Outcome::Timeout);
            }
        };
        // async-graphql answers a selection whose every field was skipped with null; the spec
        // says `{}`.
        if response.data == async_graphql::Value::Null && response.errors.is_empty() {
            response.data = async_graphql::Value::Object(Default::default());
        }
        if let Some(order) = &key_order {
            order.apply(&mut response.data);
        }
        // A request error (syntax, validation) stops before execution: no result, no error
        // paths.
        let request_error = !response.errors.is_empty()
            && response.data == async_graphql::Value::Null
            && response.errors.iter().all(|e| e.path.is_empty());
        let fallback_code = if !request_error {
            ErrorCode::BadUserInput
        } else if !parses {
            ErrorCode::GraphqlParseFailed
        } else {
            ErrorCode::GraphqlValidationFailed
        };
        crate::graphql::errors::complete(&mut response, fallback_code);
        // PostgreSQL's statement_timeout is the request's own limit: a resolver it stopped
        // gets the answer the request's timer gives, whichever of the two fired first.
        let timed_out = response.errors.iter().any(|error| {
            error.extensions.as_ref().and_then(|e| e.get("code"))
                == Some(&async_graphql::Value::from(ErrorCode::Timeout.as_str()))
        });
        if timed_out {
            return (self.timed_out(), Outcome::Timeout);
        }
        let outcome = if request_error {
            for error in &response.errors {
                if let Some(LimitExceeded(code)) = error.source::<LimitExceeded>() {
                    self.metrics.reject(*code);
                }
            }
            Outcome::Rejected
        } else if response.errors.is_empty() {
            Outcome::Ok
        } else {
            Outcome::Error
        };

        let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
        let status = if modern && request_error { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        let body = if request_error {
            // Per the GraphQL-over-HTTP spec a request error has no `data` entry at all.
            serde_json::to_vec(&json!({ "errors": response.errors }))
        } else {
            serde_json::to_vec(&response)
        };
        let body = body.unwrap_or_else(|_| {
            br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#
                .to_vec()
        });
        let response = HttpResponse::build(status)
            .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
            .body(body);
        (response, outcome)
    }
}
