use crate::domain::NodeType;
use crate::domain::{SourceKind, SourceStatus};
use crate::graphql::id::encode;
use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use entity::source;

/// A document that reports facts: a news report, a government post, a paper.
#[derive(Clone)]
pub struct Source(pub source::Model);

#[Object]
impl Source {
    /// The source's global ID.
    pub async fn id(&self) -> ID {
        encode(NodeType::Source, self.0.id)
    }

    /// The source's readable key in the dataset, such as `nyt-kazakhstan-toll`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The record's version, one more with every change. Name it in an update to have the
    /// update refused (`CONFLICT`) if someone changed the record since you read it.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record was archived; null while it is live. Archived records are left out of
    /// lists unless they ask for them, and stay reachable by ID.
    async fn archived_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.archived_at
    }

    /// Every change to the record, newest first: who, when, and each field before and after.
    #[graphql(complexity = "crate::graphql::pagination::page_cost(first, last, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<crate::graphql::pagination::Conn<super::Revision>> {
        let args = crate::graphql::pagination::args(first, after, last, before);
        super::history(ctx, NodeType::Source, self.0.id, args).await
    }

    /// What kind of document this is.
    async fn kind(&self) -> Result<SourceKind> {
        Ok(SourceKind::from_db(&self.0.kind)?)
    }

    /// Who published it.
    async fn publisher(&self) -> &str {
        &self.0.publisher
    }

    /// Its headline or title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Where it was published.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    /// When it was published.
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }

    /// Whether it can still be read as published; `DELETED` sources stay cited.
    async fn status(&self) -> Result<SourceStatus> {
        Ok(SourceStatus::from_db(&self.0.status)?)
    }

    /// A copy in a web archive, for edited or deleted sources.
    async fn archive_url(&self) -> Option<&str> {
        self.0.archive_url.as_deref()
    }
}
