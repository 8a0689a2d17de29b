//! The GraphQL layer: object types, the query root, DataLoaders and pagination. Resolvers are
//! thin: they decode arguments, call one service function and wrap the result.

pub mod compiled;
mod context;
mod document_limits;
pub mod errors;
pub mod id;
mod loaders;
mod mutation;
pub mod order;
mod pagination;
mod parse_cache;

pub use document_limits::{DocumentLimits, Refusal};
pub use parse_cache::ParseCache;
mod query;
pub mod scalars;
mod subscription;
mod types;
mod validation;
mod variables;
mod vocabulary;

pub use validation::{LimitExceeded, Validator};

pub use variables::InputTypes;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Schema, SchemaBuilder};
use loaders::AppLoader;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use std::time::Duration;

pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

/// The filter of `events(filter:)` read from JSON, for the exports: see
/// `query::event::filter_from_json`.
///
/// # Errors
/// What the `filter` argument would give: `BAD_USER_INPUT` or `INVALID_ID`.
pub fn event_filter(
    json: &str,
) -> Result<crate::service::event::EventFilter, crate::error::AppError> {
    query::event_filter_from_json(json)
}

/// The schema Annals serves.
pub type AnnalsSchema = Schema<Query, Mutation, Subscription>;

/// The schema's shape, without data: enough to print the SDL.
pub fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
}

/// Bounds on the queries the schema accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Largest complexity (see `complexity` on the connection fields).
    pub max_complexity: usize,
    /// Whether `__schema` and `__type` are answered.
    pub introspection: bool,
    /// Whether validation errors suggest similar field names (they reveal the schema).
    pub suggestions: bool,
    /// Whether statistics may read the rollup when it holds the answer.
    pub stats_rollup: bool,
    /// How many of one kind's matches a search ranks unless it asks for every match.
    pub search_ranked: u64,
}

/// Whether statistics may read the rollup (see [`Limits::stats_rollup`]), as schema data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StatsRollup(pub bool);

/// How many of one kind's matches a search ranks (see [`Limits::search_ranked`]), as schema
/// data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SearchRanked(pub u64);

/// The API: the schema wired to a database, and the validator that checks each request before
/// the schema runs it. Built once at start and shared by every worker.
pub struct Api {
    schema: AnnalsSchema,
    validator: Validator,
    replicas: Vec<Arc<context::Replica>>,
}

impl Api {
    /// The API over `db` (the primary), reading queries from `replicas` when told to, with
    /// `limits`.
    pub fn new(db: DatabaseConnection, replicas: Vec<DatabaseConnection>, limits: Limits) -> Self {
        let replicas = replicas
            .into_iter()
            .map(|conn| Arc::new(context::Replica { loader: loader(conn.clone()), conn }))
            .collect();
        Api { schema: schema(db, limits), validator: Validator::new(limits), replicas }
    }

    /// The served schema (to read its SDL or input types).
    pub fn schema(&self) -> &AnnalsSchema {
        &self.schema
    }

    /// Validates `request` and runs it as a stream of responses: a subscription's events, or
    /// the one response of a query or mutation sent over WebSocket.
    pub fn execute_stream(
        self: Arc<Self>,
        mut request: async_graphql::Request,
        session: Option<Arc<async_graphql::Data>>,
    ) -> futures_util::stream::BoxStream<'static, async_graphql::Response> {
        Box::pin(async_stream::stream! {
            match self.validator.check(&mut request, None).await {
                Ok(()) => {
                    let mut responses =
                        async_graphql::Executor::execute_stream(&self.schema, request, session);
                    while let Some(mut response) =
                        futures_util::StreamExt::next(&mut responses).await
                    {
                        // An error before the first event stops the request, as a refused
                        // argument; one in an event is the event's.
                        let code = crate::error::ErrorCode::BadUserInput;
                        errors::complete(&mut response, code);
                        yield response;
                    }
                }
                Err(refused) => {
                    let mut response = async_graphql::Response::from_errors(refused);
                    errors::complete(&mut response, crate::error::ErrorCode::GraphqlValidationFailed);
                    yield response;
                }
            }
        })
    }

    /// Validates `request` (and `whole`, the document it was cut from, when it held other
    /// operations) and runs it if it is valid, reading from `target` (a query; anything else
    /// runs on the primary).
    pub async fn execute(
        &self,
        mut request: async_graphql::Request,
        whole: Option<async_graphql::parser::types::ExecutableDocument>,
        target: crate::replicas::Target,
    ) -> async_graphql::Response {
        if let crate::replicas::Target::Replica(index) = target {
            request = request.data(Arc::clone(&self.replicas[index]));
        }
        match self.validator.check(&mut request, whole).await {
            Ok(()) => self.schema.execute(request).await,
            Err(errors) => async_graphql::Response::from_errors(errors),
        }
    }
}

/// The schema wired to a database; it executes without validating (`Api` validates first).
fn schema(db: DatabaseConnection, limits: Limits) -> AnnalsSchema {
    let loader = loader(db.clone());
    // The rules and the limits were checked by `Validator` before execution.
    let hub = crate::service::live::Hub::start(db.clone());
    let mut builder = builder()
        .data(db)
        .data(loader)
        .data(hub)
        .data(StatsRollup(limits.stats_rollup))
        .data(SearchRanked(limits.search_ranked))
        .validation_mode(async_graphql::ValidationMode::Fast);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The batching loader reading `db`.
fn loader(db: DatabaseConnection) -> DataLoader<AppLoader> {
    DataLoader::new(AppLoader::new(db), |batch| tokio::spawn(after_siblings(batch)))
        .delay(Duration::ZERO)
        .max_batch_size(MAX_BATCH_KEYS)
}

/// Keys per batch; one batch is one SQL statement, and both backends accept this many
/// bound parameters.
const MAX_BATCH_KEYS: usize = 10_000;

/// Scheduler turns a batch waits before it runs.
const SETTLE_TURNS: usize = 16;

/// Runs a batch once the resolvers that feed it have gone quiet. A timer would cut a batch
/// whenever resolving a page of siblings took longer than the timer, so the number of
/// statements would depend on the page size and the machine's speed. Instead the batch yields
/// its worker thread a few times: sibling resolvers that are still registering keys are
/// ready, so they run first, and the batch goes out when they all wait on it.
async fn after_siblings(batch: futures_util::future::BoxFuture<'static, ()>) {
    for _ in 0..SETTLE_TURNS {
        tokio::task::yield_now().await;
    }
    batch.await
}

/// The statement answering a read `request` in one go (PostgreSQL), or `None` when the
/// resolvers must answer it: [`compiled::compile`] with the query root's lists.
pub fn compile(
    request: &mut async_graphql::Request,
    backend: sea_orm::DbBackend,
) -> Option<sea_orm::Statement> {
    compiled::compile(request, backend, query::compiled_list)
}

/// The SDL the server serves; `schema.graphql` must equal it.
pub fn sdl() -> String {
    builder().finish().sdl()
}
