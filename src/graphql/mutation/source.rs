use super::{author, created, patch, row, updated, CreateInput, UpdateInput};
use crate::domain::NodeType;
use crate::domain::{Role, SourceKind, SourceStatus};
use crate::graphql::context::db;
use crate::graphql::scalars::Date;
use crate::graphql::types::Source;
use crate::service::write::source::{self as write, NewSource, SourcePatch};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

/// Writing sources.
#[derive(Default)]
pub struct SourceMutation;

#[Object]
impl SourceMutation {
    /// Records a source document. Needs an `EDITOR` key.
    async fn create_source(
        &self,
        ctx: &Context<'_>,
        input: CreateSourceInput,
    ) -> Result<SourcePayload> {
        Ok(SourcePayload { source: Source(created(ctx, input).await?) })
    }

    /// Changes fields of a source; fields left out stay as they are, `null` clears an
    /// optional one. Needs an `EDITOR` key.
    async fn update_source(
        &self,
        ctx: &Context<'_>,
        input: UpdateSourceInput,
    ) -> Result<SourcePayload> {
        Ok(SourcePayload { source: Source(updated(ctx, input).await?) })
    }

    /// Records that the publisher took the source down. It stays cited by everything that
    /// cites it, now with status `DELETED` and, when given, a copy in a web archive. Needs an
    /// `EDITOR` key.
    async fn mark_source_deleted(
        &self,
        ctx: &Context<'_>,
        input: MarkSourceDeletedInput,
    ) -> Result<SourcePayload> {
        let author = author(ctx, Role::Editor)?;
        let id = row(NodeType::Source, &input.id)?;
        let saved =
            write::mark_deleted(db(ctx)?, &author, id, input.version, input.archive_url).await?;
        Ok(SourcePayload { source: Source(saved) })
    }
}

/// The source a mutation wrote.
#[derive(SimpleObject)]
pub struct SourcePayload {
    /// The source as it is now.
    source: Source,
}

/// A new source document.
#[derive(InputObject)]
pub struct CreateSourceInput {
    /// A readable key (lower-case letters, digits and `-`); one is made up when left out.
    key: Option<String>,
    /// What kind of document it is.
    kind: SourceKind,
    /// Who published it.
    publisher: String,
    /// Its headline or title.
    title: Option<String>,
    /// Where it was published (http or https).
    url: Option<String>,
    /// When it was published.
    published_on: Option<Date>,
    /// Whether it can still be read as published.
    #[graphql(default_with = "SourceStatus::Available")]
    status: SourceStatus,
    /// A copy in a web archive.
    archive_url: Option<String>,
}

/// Changes to a source.
#[derive(InputObject)]
pub struct UpdateSourceInput {
    /// The source to change.
    id: ID,
    /// The version you read; the update is refused with `CONFLICT` if the source changed
    /// since.
    version: Option<i32>,
    /// Another kind.
    kind: Option<SourceKind>,
    /// Another publisher.
    publisher: Option<String>,
    /// Another title; `null` clears it.
    title: MaybeUndefined<String>,
    /// Another URL; `null` clears it.
    url: MaybeUndefined<String>,
    /// Another publication day; `null` clears it.
    published_on: MaybeUndefined<Date>,
    /// Another status.
    status: Option<SourceStatus>,
    /// Another archive copy; `null` clears it.
    archive_url: MaybeUndefined<String>,
}

impl CreateInput for CreateSourceInput {
    type Write = write::Sources;

    fn into_new(self) -> Result<NewSource> {
        let Self { key, kind, publisher, title, url, published_on, status, archive_url } = self;
        let published_on = published_on.map(|d| d.0);
        Ok(NewSource { key, kind, publisher, title, url, published_on, status, archive_url })
    }
}

impl UpdateInput for UpdateSourceInput {
    type Write = write::Sources;

    fn target(&self) -> (&ID, Option<i32>) {
        (&self.id, self.version)
    }

    fn into_patch(self) -> Result<SourcePatch> {
        let Self {
            id: _,
            version: _,
            kind,
            publisher,
            title,
            url,
            published_on,
            status,
            archive_url,
        } = self;
        let changes = SourcePatch {
            kind,
            publisher,
            title: patch(title, Ok)?,
            url: patch(url, Ok)?,
            published_on: patch(published_on, |d| Ok(d.0))?,
            status,
            archive_url: patch(archive_url, Ok)?,
        };
        Ok(changes)
    }
}

/// A source its publisher took down.
#[derive(InputObject)]
pub struct MarkSourceDeletedInput {
    /// The source.
    id: ID,
    /// The version you read, checked as in `updateSource`.
    version: Option<i32>,
    /// A copy in a web archive, if one was saved.
    archive_url: Option<String>,
}
