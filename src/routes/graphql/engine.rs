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

/// How an attempt at a request ended.
enum Answer {
    /// With this response.
    Done(HttpResponse, Outcome),
    /// The replica it read went away: the primary must answer it.
    ReplicaGone(usize),
}

/// A read sent to a replica, kept to run it again on the primary if the replica goes away.
struct Spare {
    query: String,
    operation_name: Option<String>,
    variables: async_graphql::Variables,
    viewer: crate::service::keys::Viewer,
}

impl Spare {
    fn of(request: &Request, viewer: crate::service::keys::Viewer) -> Self {
        Spare {
            query: request.query.clone(),
            operation_name: request.operation_name.clone(),
            variables: request.variables.clone(),
            viewer,
        }
    }

    fn request(&self) -> Request {
        let mut request = Request::new(self.query.clone()).variables(self.variables.clone());
        request.operation_name = self.operation_name.clone();
        request.data(self.viewer.clone())
    }
}

/// A request parsed and checked against the document limits.
struct Prepared {
    request: Request,
    whole: Option<ExecutableDocument>,
    /// Whether the SQL compiler may answer it.
    compilable: bool,
}

impl Endpoint {
    pub(super) async fn execute(
        &self,
        req: &HttpRequest,
        method: Method,
        request: Request,
        viewer: crate::service::keys::Viewer,
    ) -> HttpResponse {
        let started = Instant::now();
        let token = match consistency_token(req, &request) {
            Ok(token) => token,
            Err(err) => return failure(StatusCode::BAD_REQUEST, err.code(), &err.to_string()),
        };
        let Prepared { mut request, mut whole, mut compilable } =
            match self.prepare(request.data(viewer.clone())) {
                Ok(prepared) => prepared,
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
        let operation = operation(&mut request);
        let kind = operation.as_ref().map(|(_, ty)| *ty);
        if method == Method::Get && kind == Some(OperationType::Mutation) {
            let mut response = self.refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "mutations must be sent with POST",
            );
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let name = operation.and_then(|(name, _)| name);
        let mut target = match kind {
            Some(OperationType::Query) => self.replicas.choose(token).await,
            _ => Target::Primary,
        };
        // Only a replica's read may have to run again, on the primary.
        let spare = matches!(target, Target::Replica(_)).then(|| Spare::of(&request, viewer));
        let (response, outcome) = loop {
            match self.answer(req, request, whole, compilable, kind, target).await {
                Answer::Done(response, outcome) => break (response, outcome),
                Answer::ReplicaGone(index) => {
                    self.replicas.failed(index);
                    target = self.replicas.read_primary("primary_replica_failed");
                    let Some(spare) = &spare else { unreachable!("only a replica goes away") };
                    // The same request again: it passed the limits once, so it passes again.
                    match self.prepare(spare.request()) {
                        Ok(prepared) => {
                            (request, whole, compilable) =
                                (prepared.request, prepared.whole, prepared.compilable)
                        }
                        Err(refusal) => {
                            break (
                                failure(StatusCode::OK, refusal.code, &refusal.message),
                                Outcome::Rejected,
                            )
                        }
                    }
                }
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

    /// Parses `request` (through the cache) and checks it against the document limits.
    fn prepare(&self, mut request: Request) -> Result<Prepared, crate::graphql::Refusal> {
        let whole = self.cache.prepare(&mut request)?;
        // An object whose every field may be skipped gets a field that keeps it an object (see
        // `order::keep_empty_objects`); such rare documents are the resolvers' to answer.
        let kept = request.parsed_query().ok().and_then(crate::graphql::order::keep_empty_objects);
        let compilable = kept.is_none();
        if let Some(document) = kept {
            request.set_parsed_query(document);
        }
        Ok(Prepared { request, whole, compilable })
    }

    /// Answers a prepared request on `target`: with one compiled statement when the compiler
    /// knows the query and the gate admits it, otherwise through the resolvers.
    async fn answer(
        &self,
        req: &HttpRequest,
        mut request: Request,
        whole: Option<ExecutableDocument>,
        compilable: bool,
        kind: Option<OperationType>,
        target: Target,
    ) -> Answer {
        let backend = self.database.conn.get_database_backend();
        let variant = (self.options.compiled_reads
            && compilable
            && kind == Some(OperationType::Query)
            && backend == DbBackend::Postgres)
            .then(|| Gate::variant(&mut request))
            .flatten();
        if let Some(variant) = &variant {
            if self.gate.admits(&request.query, variant) {
                if let Some(answer) = self.compiled(req, &mut request, target).await {
                    return answer;
                }
            }
        }
        let query = variant.is_some().then(|| request.query.clone());
        let answer = self.run(req, request, whole, target, kind).await;
        // A request that ran without error passed validation; its document may now be
        // compiled.
        if let (Some(query), Some(variant), Answer::Done(_, Outcome::Ok)) =
            (query, variant, &answer)
        {
            self.gate.validated(query, variant);
        }
        answer
    }

    /// Answers `request` with one compiled statement, or `None` when the resolvers must: the
    /// compiler does not know the query, or the statement failed (the resolvers then give
    /// the error its usual shape).
    async fn compiled(
        &self,
        req: &HttpRequest,
        request: &mut Request,
        target: Target,
    ) -> Option<Answer> {
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
        let query = self.replicas.connection(target, &self.database).conn.query_one_raw(statement);
        let row = match tokio::time::timeout(self.options.request_timeout, query).await {
            Ok(Ok(Some(row))) => row,
            Ok(Ok(None)) => return None,
            Ok(Err(err)) => {
                let err = crate::error::AppError::from(err);
                if err.code() == ErrorCode::Timeout {
                    // PostgreSQL's statement_timeout, the request's own limit: the resolvers
                    // would only run out of time again.
                    return Some(Answer::Done(self.timed_out(), Outcome::Timeout));
                }
                if let (ErrorCode::ServiceUnavailable, Target::Replica(index)) =
                    (err.code(), target)
                {
                    tracing::warn!(error.cause = %crate::error::error_chain(&err), "a replica failed a read; the primary answers it");
                    return Some(Answer::ReplicaGone(index));
                }
                if err.code() == ErrorCode::ServiceUnavailable {
                    // The resolvers would only wait for a connection as long again.
                    tracing::error!(error.code = err.code().as_str(), error.cause = %crate::error::error_chain(&err), "compiled read failed");
                    let response = failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        ErrorCode::ServiceUnavailable,
                        "the database is unavailable",
                    );
                    return Some(Answer::Done(response, Outcome::Error));
                }
                tracing::warn!(error.cause = %crate::error::error_chain(&err), "compiled read failed; answering through the resolvers");
                return None;
            }
            Err(_) => return Some(Answer::Done(self.timed_out(), Outcome::Timeout)),
        };
        let body: String = row.try_get_by_index(0).ok()?;
        self.metrics.compiled();
        let modern = accepts(req, GRAPHQL_RESPONSE_JSON);
        let response = HttpResponse::Ok()
            .content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" })
            .body(body);
        Some(Answer::Done(response, Outcome::Ok))
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
        target: Target,
        kind: Option<OperationType>,
    ) -> Answer {
        let options = &self.options;
        // Tells parse errors from validation errors. The parse cache has already given the
        // request its document, so only a document that does not parse is parsed again.
        let parses = request.parsed_query().is_ok();
        let key_order = compiled::with_parsed(&mut request, |document, name, _| {
            let (_, operation) = compiled::operation(document, name)?;
            Some(crate::graphql::order::KeyOrder::of(document, operation))
        });
        // A panic is a bug; the client gets a masked INTERNAL error, the log gets the cause.
        let execution = AssertUnwindSafe(self.api.execute(request, whole, target)).catch_unwind();
        let mut response = match tokio::time::timeout(options.request_timeout, execution).await {
            Ok(Ok(response)) => response,
            Ok(Err(_)) => {
                tracing::error!(error.code = ErrorCode::Internal.as_str(), "a resolver panicked");
                let response = failure(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "internal error",
                );
                return Answer::Done(response, Outcome::Panic);
            }
            Err(_) => {
                // Dropping the execution cancels its futures; on PostgreSQL statement_timeout
                // stops whatever SQL was still running.
                return Answer::Done(self.timed_out(), Outcome::Timeout);
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
        let has_code = |code: ErrorCode| {
            response.errors.iter().any(|error| {
                error.extensions.as_ref().and_then(|e| e.get("code"))
                    == Some(&async_graphql::Value::from(code.as_str()))
            })
        };
        if let (Target::Replica(index), true) = (target, has_code(ErrorCode::ServiceUnavailable)) {
            tracing::warn!("a replica failed a read; the primary answers it");
            return Answer::ReplicaGone(index);
        }
        // PostgreSQL's statement_timeout is the request's own limit: a resolver it stopped
        // gets the answer the request's timer gives, whichever of the two fired first.
        if has_code(ErrorCode::Timeout) {
            return Answer::Done(self.timed_out(), Outcome::Timeout);
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

        // A mutation's response carries the primary's position after it, for the client to
        // send with the reads that must see it (see `consistency_token`).
        let token = match (kind, self.replicas.configured()) {
            (Some(OperationType::Mutation), true) => match self.replicas.position().await {
                Ok(position) => Some(position.to_string()),
                Err(err) => {
                    tracing::warn!(error.cause = %crate::error::error_chain(&err), "no consistency token: the primary's WAL position could not be read");
                    None
                }
            },
            _ => None,
        };
        if let Some(token) = &token {
            response.extensions.insert(TOKEN_EXTENSION.to_owned(), token.as_str().into());
        }
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
        let mut response = HttpResponse::build(status);
        response.content_type(if modern { GRAPHQL_RESPONSE_JSON } else { "application/json" });
        if let Some(token) = token {
            response.insert_header((TOKEN_HEADER, token));
        }
        Answer::Done(response.body(body), outcome)
    }
}

/// The response header, and request header, carrying a consistency token.
const TOKEN_HEADER: &str = "annals-consistency-token";
/// The name of the consistency token in a response's, or request's, `extensions`.
const TOKEN_EXTENSION: &str = "consistencyToken";

/// The consistency token a request carries, in its `Annals-Consistency-Token` header or its
/// `extensions.consistencyToken`: the reads it makes must see every write before it.
fn consistency_token(
    req: &HttpRequest,
    request: &Request,
) -> Result<Option<Lsn>, crate::error::AppError> {
    let parse = |text: &str| text.parse::<Lsn>().map(Some);
    if let Some(value) = req.headers().get(TOKEN_HEADER) {
        return parse(value.to_str().unwrap_or_default());
    }
    match request.extensions.0.get(TOKEN_EXTENSION) {
        None | Some(async_graphql::Value::Null) => Ok(None),
        Some(async_graphql::Value::String(text)) => parse(text),
        Some(other) => parse(&other.to_string()),
    }
}
