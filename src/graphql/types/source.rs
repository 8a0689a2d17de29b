use crate::domain::{SourceKind, SourceStatus};
use crate::graphql::id::{encode, NodeKind};
use crate::graphql::pagination::gql;
use crate::graphql::scalars::Date;
use async_graphql::{Object, Result, ID};
use entity::source;

/// A document that reports facts: a news report, a government post, a paper.
#[derive(Clone)]
pub struct Source(pub source::Model);

#[Object]
impl Source {
    /// The source's global ID.
    pub async fn id(&self) -> ID {
        encode(NodeKind::Source, self.0.id)
    }

    /// The source's readable key in the dataset, such as `nyt-kazakhstan-toll`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// What kind of document this is.
    async fn kind(&self) -> Result<SourceKind> {
        SourceKind::from_db(&self.0.kind).map_err(gql)
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
        SourceStatus::from_db(&self.0.status).map_err(gql)
    }

    /// A copy in a web archive, for edited or deleted sources.
    async fn archive_url(&self) -> Option<&str> {
        self.0.archive_url.as_deref()
    }
}
