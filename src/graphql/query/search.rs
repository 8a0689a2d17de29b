use super::event::EventFilter;
use crate::domain::NodeType;
use crate::graphql::context::db;
use crate::graphql::pagination::page_cost;
use crate::graphql::types::Node;
use crate::graphql::SearchRanked;
use crate::service::page::page_size;
use crate::service::search::{self, Highlight, Hit};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};

/// Full-text search.
#[derive(Default)]
pub struct SearchRoot;

/// What `search` looks through.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    /// Events: title, summary and place.
    Event,
    /// Statements: their text.
    Statement,
    /// Actors: name and aliases.
    Actor,
    /// Sources: title and publisher.
    Source,
}

impl From<SearchKind> for NodeType {
    fn from(kind: SearchKind) -> Self {
        match kind {
            SearchKind::Event => NodeType::Event,
            SearchKind::Statement => NodeType::Statement,
            SearchKind::Actor => NodeType::Actor,
            SearchKind::Source => NodeType::Source,
        }
    }
}

#[Object]
impl SearchRoot {
    /// Events, statements, actors and sources matching `query`, the best first. The query
    /// language is PostgreSQL's web search: words are all required (English words match their
    /// other forms: "protest" finds "protesters"; names match as written, in any script),
    /// `"quoted words"` are a phrase, `-word` excludes, `or` between terms makes either do.
    /// Nothing a user types is a syntax error; a query of operators or punctuation alone
    /// finds nothing. `filter` narrows the events found (other kinds are not events). Each hit
    /// carries its relevance `score` (comparable within one answer) and its fields with the
    /// matches marked. A record written a moment ago is found: the index is written in the
    /// same transaction.
    ///
    /// Ranking reads every record it ranks, so of the events, and of the statements, only the
    /// most recently recorded matches are ranked (1,000 unless the server is set otherwise)
    /// and listed; `exhaustive` on the answer says whether that left any out, and
    /// `exhaustive: true` ranks every match, however many. Actors and sources are always
    /// ranked whole. Equal scores list the most recently recorded first.
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(desc = "The kinds of record to look through; every kind when not given.")]
        kinds: Option<Vec<SearchKind>>,
        filter: Option<EventFilter>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(
            default = false,
            desc = "Rank every matching event and statement, not only the most recently \
                    recorded: slower for words found in tens of thousands of records."
        )]
        exhaustive: bool,
    ) -> Result<Connection<String, SearchHit, Ranking>> {
        let first = page_size("first", first)?;
        let kinds: Vec<NodeType> =
            kinds.unwrap_or_default().into_iter().map(NodeType::from).collect();
        let filter = filter.map(EventFilter::into_service).transpose()?.unwrap_or_default();
        let ranked = (!exhaustive).then(|| ctx.data_opt::<SearchRanked>().map_or(1_000, |r| r.0));
        let wanted =
            search::Wanted { first, after: after.as_deref(), marked: marks_selected(ctx), ranked };
        let found = search::search(db(ctx)?, &query, &kinds, &filter, wanted).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            found.has_next,
            Ranking { exhaustive: found.exhaustive },
        );
        connection.edges.extend(
            found.hits.into_iter().map(|hit| Edge::new(hit.cursor.clone(), SearchHit(hit))),
        );
        Ok(connection)
    }
}

/// How a search ranked its matches.
#[derive(SimpleObject)]
pub struct Ranking {
    /// Whether every match was ranked and can be listed. False when the events or the
    /// statements had more matches than the server ranks: only their most recently recorded
    /// ones were ranked, and the list ends after them. Ask with `exhaustive: true` for every
    /// match.
    exhaustive: bool,
}

/// Whether the request selects any hit's `highlights`: marking the matches is a statement
/// per kind of hit found.
fn marks_selected(ctx: &Context<'_>) -> bool {
    let connection = ctx.look_ahead();
    connection.field("nodes").field("highlights").exists()
        || connection.field("edges").field("node").field("highlights").exists()
}

/// One record found.
pub struct SearchHit(Hit);

#[Object]
impl SearchHit {
    /// How well the record matches; higher is better. Comparable within one answer only, and
    /// computed differently by the two backends (PostgreSQL's `ts_rank`: how often the words
    /// occur, weighted by field; SQLite's BM25).
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// The record.
    async fn node(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        super::fetch_node(ctx, self.0.node, self.0.id, false).await
    }

    /// The record's fields that hold a match, each as segments marked match or not (never
    /// markup).
    async fn highlights(&self) -> Vec<TextHighlight> {
        self.0.highlights.iter().map(TextHighlight::from).collect()
    }
}

/// One field of a hit with its matches marked.
#[derive(SimpleObject)]
pub struct TextHighlight {
    /// The field: `title`, `summary`, `place`, `text`, `name`, `alias` or `publisher`.
    field: String,
    /// The field's whole text, in order, in pieces that match or do not.
    segments: Vec<TextSegment>,
}

impl From<&Highlight> for TextHighlight {
    fn from(highlight: &Highlight) -> Self {
        TextHighlight {
            field: highlight.field.to_owned(),
            segments: highlight
                .segments
                .iter()
                .map(|(text, matched)| TextSegment { text: text.clone(), matched: *matched })
                .collect(),
        }
    }
}

/// A piece of highlighted text.
#[derive(SimpleObject)]
pub struct TextSegment {
    /// The text.
    text: String,
    /// Whether it matches the query.
    #[graphql(name = "match")]
    matched: bool,
}
