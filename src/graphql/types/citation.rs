use super::Source;
use crate::graphql::context::load_required;
use crate::graphql::loaders::{CitationsOf, SourceById};
use crate::service::citation::Cited;
use async_graphql::{Context, Object, Result};
use entity::citation;

/// A source backing a record, with the passage that supports it.
pub struct Citation(pub citation::Model);

#[Object]
impl Citation {
    /// The document cited.
    async fn source(&self, ctx: &Context<'_>) -> Result<Source> {
        load_required(ctx, SourceById(self.0.source_id)).await.map(Source)
    }

    /// The passage of the source that supports the record, when recorded.
    async fn excerpt(&self) -> Option<&str> {
        self.0.excerpt.as_deref()
    }
}

/// The citations of one record.
pub async fn citations_of(ctx: &Context<'_>, cited: Cited, id: i32) -> Result<Vec<Citation>> {
    let rows =
        crate::graphql::context::load(ctx, CitationsOf(cited, id)).await?.unwrap_or_default();
    Ok(rows.into_iter().map(Citation).collect())
}
