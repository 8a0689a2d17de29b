//! Compiled reads: a read query whose every field is known here is answered by one SQL
//! statement that builds the whole `data` object in PostgreSQL (`json_build_object`,
//! `json_agg`), instead of by the resolvers and their DataLoaders.
//!
//! Why: on a small machine the resolvers' round trips to the database, their bookkeeping and
//! the JSON serialization cost more than the data (BENCHMARKS.md). One statement per request
//! is what the raw-SQL limit does; a compiled request costs little more.
//!
//! How it stays the same API:
//! - The resolvers remain the definition. Anything the compiler does not know (a field, a
//!   directive, a type condition, a mutation, SQLite) goes through them, and so does a
//!   request whose arguments the compiler's checks refuse: the resolvers then give the error.
//! - Arguments are read by the resolvers' own code: root lists through the functions their
//!   resolvers call (the [`RootLists`] the query root gives), pages through
//!   [`Window::new`], filters and keyset conditions through the service layer's SQL.
//! - A request is compiled only after the same document, operation and page sizes were
//!   validated by async-graphql once ([`Gate`]): validation depends on the document and, for
//!   complexity, on the page sizes; the compiler checks everything else that varies.
//! - A differential test (tests/api/compiled.rs) runs every kind of query both ways.

mod emit;
mod gate;
mod select;

pub use gate::{Gate, Variant};
pub(crate) use select::Arguments;

use crate::domain::NodeType;
use crate::service::page::{Filter, ListSpec, Window};
use crate::service::sql::Sql;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Request, Variables};
use sea_orm::{DbBackend, Statement};

/// A root list as its resolver would fetch it: which table, which rows, which page.
pub(crate) struct ListRequest {
    spec: &'static ListSpec,
    filter: Box<dyn Filter + Send>,
    window: Window,
    node: NodeType,
}

impl ListRequest {
    /// The request for a page of `spec`'s rows matching `filter`.
    pub(crate) fn new(
        spec: &'static ListSpec,
        filter: impl Filter + Send + 'static,
        window: Window,
        node: NodeType,
    ) -> Self {
        ListRequest { spec, filter: Box::new(filter), window, node }
    }
}

/// Reads a root list field's arguments as its resolver does: the list request, or `None` when
/// the field is not a list the compiler knows or its arguments are refused. The query root
/// provides it, so that this module does not reach up into the resolvers.
pub(crate) type RootLists = fn(&str, &Arguments<'_>) -> Option<ListRequest>;

/// The statement answering `request`, or `None` when the resolvers must answer it. The
/// statement returns one text column, the whole response body.
pub(crate) fn compile(
    request: &mut Request,
    backend: DbBackend,
    roots: RootLists,
) -> Option<Statement> {
    if backend != DbBackend::Postgres {
        return None;
    }
    with_parsed(request, |document, name, given| {
        let (_, operation) = operation(document, name)?;
        if operation.ty != OperationType::Query || !operation.directives.is_empty() {
            return None;
        }
        let variables = select::variables(operation, given)?;
        let query = select::Query { document, variables: &variables };
        let mut sql = Sql::new(backend);
        emit::Emitter::new(query, roots).response(&mut sql, &operation.selection_set.node)?;
        Some(sql.build())
    })
}

/// Runs `read` on the request's parsed document, operation name and variables.
pub fn with_parsed<R>(
    request: &mut Request,
    read: impl FnOnce(&ExecutableDocument, Option<&str>, &Variables) -> Option<R>,
) -> Option<R> {
    // The parsed document is only reachable through `&mut Request`: lend out the rest first.
    let variables = std::mem::take(&mut request.variables);
    let name = request.operation_name.take();
    let result = match request.parsed_query() {
        Ok(document) => read(document, name.as_deref(), &variables),
        Err(_) => None,
    };
    request.variables = variables;
    request.operation_name = name;
    result
}

/// The operation `name` picks, as execution would, with its name (an only operation is
/// picked by its own name when the request names none).
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&'a str>,
) -> Option<(Option<&'a str>, &'a OperationDefinition)> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), None) => Some((None, &op.node)),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| (Some(name), &op.node))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.iter().next().map(|(name, op)| (Some(name.as_str()), &op.node))
        }
        _ => None,
    }
}
