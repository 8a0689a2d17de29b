//! Validation as a step of its own, before anything runs: the GraphQL rules over every
//! operation of the document, and the depth and cost limits over the operation the request
//! runs, with typed errors.
//!
//! async-graphql validates and executes in one call, prices every operation of a document
//! together, and reports its limits by English message only (docs/upstream.md, report 3). So
//! the request's document is first validated here, on a copy of the schema that carries no
//! limits and never executes: an extension reads async-graphql's verdict, applies Annals'
//! limits to the figures it computed, and stops. The served schema then executes the operation
//! with the fast validation mode (the rules have run already).

use super::{builder, AnnalsSchema, Limits};
use crate::error::ErrorCode;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerError, ValidationResult, Value, Variables};
use std::sync::Arc;

/// The depth or cost limit a document passed; the error's source, so that its code is known by
/// type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded(pub ErrorCode);

/// What one validation pass checks.
#[derive(Clone, Copy)]
enum Pass {
    /// The operation the request runs, with its variables: every rule, and the limits.
    Selected { max_depth: usize, max_complexity: usize },
    /// The document's other operations, which do not run: the rules only.
    Others,
}

/// Source of the error that stops a pass that found nothing wrong, so that it never executes.
struct Passed;

/// Checks documents against the schema without executing them.
pub struct Validator {
    schema: AnnalsSchema,
    limits: Limits,
}

impl Validator {
    /// A validator for the schema `builder` describes, with `limits`.
    pub fn new(limits: Limits) -> Self {
        let mut schema = builder().extension(Verdict);
        if !limits.introspection {
            schema = schema.disable_introspection();
        }
        if !limits.suggestions {
            schema = schema.disable_suggestions();
        }
        Validator { schema: schema.finish(), limits }
    }

    /// Validates `request` (its parsed document cut to the operation it runs) and, when the
    /// document held other operations, `whole`. A document that does not parse passes: the
    /// execution reports its syntax error.
    ///
    /// # Errors
    /// The validation errors, each a request error; a limit's carries [`LimitExceeded`].
    pub async fn check(
        &self,
        request: &mut Request,
        whole: Option<ExecutableDocument>,
    ) -> Result<(), Vec<ServerError>> {
        let Ok(document) = request.parsed_query().cloned() else { return Ok(()) };
        let pass = Pass::Selected {
            max_depth: self.limits.max_depth,
            max_complexity: self.limits.max_complexity,
        };
        let mut selected =
            Request::new(String::new()).variables(request.variables.clone()).data(pass);
        selected.operation_name = request.operation_name.clone();
        selected.set_parsed_query(document);
        self.run(selected).await?;
        if let Some(whole) = whole {
            // Every variable null (what page sizes default to), and no operation selected: the
            // rules skip the values of unselected operations' variables, and the cost visitor,
            // which still walks them, finds each variable defined.
            let variables = nulls(&whole);
            let mut others = Request::new(String::new()).variables(variables).data(Pass::Others);
            others.operation_name = Some(String::new());
            others.set_parsed_query(whole);
            self.run(others).await?;
        }
        Ok(())
    }

    async fn run(&self, request: Request) -> Result<(), Vec<ServerError>> {
        let response = self.schema.execute(request).await;
        let passed = response.errors.len() == 1 && response.errors[0].source::<Passed>().is_some();
        if passed {
            Ok(())
        } else {
            Err(response.errors)
        }
    }
}

/// Every variable that any operation of `document` defines, as null.
fn nulls(document: &ExecutableDocument) -> Variables {
    let mut variables = Variables::default();
    for (_, operation) in document.operations.iter() {
        for definition in &operation.node.variable_definitions {
            variables.insert(definition.node.name.node.clone(), Value::Null);
        }
    }
    variables
}

struct Verdict;

impl ExtensionFactory for Verdict {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(VerdictExtension)
    }
}

struct VerdictExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for VerdictExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(Pass::Selected { max_depth, max_complexity }) = ctx.data_opt::<Pass>() {
            if result.depth > *max_depth {
                return Err(vec![limit(
                    ErrorCode::QueryTooDeep,
                    format!(
                        "the query is nested {} levels deep; the limit is {max_depth}",
                        result.depth
                    ),
                )]);
            }
            if result.complexity > *max_complexity {
                return Err(vec![limit(
                    ErrorCode::QueryTooComplex,
                    format!(
                        "the query costs {} (page sizes times what each item selects); the \
                         limit is {max_complexity}",
                        result.complexity
                    ),
                )]);
            }
        }
        let mut stop = ServerError::new("validated", None);
        stop.source = Some(Arc::new(Passed));
        Err(vec![stop])
    }
}

fn limit(code: ErrorCode, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error.source = Some(Arc::new(LimitExceeded(code)));
    error
}
