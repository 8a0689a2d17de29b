use super::record::{Record as _, RecordFields};
use crate::domain::{SourceKind, SourceStatus};
use crate::graphql::scalars::Date;
use async_graphql::{Object, Result};
use entity::source;

/// A document that reports facts: a news report, a government post, a paper.
#[derive(Clone)]
pub struct Source(pub source::Model);

#[Object]
impl Source {
    /// The fields every record has: `id`, `key`, `version`, `archivedAt`, `history`.
    #[graphql(flatten)]
    async fn record(&self) -> RecordFields {
        self.fields()
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
