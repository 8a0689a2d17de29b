//! DataLoaders: every relation is fetched for a whole batch of parents in one statement, so the
//! number of SQL statements a request makes depends on its depth, not on its page sizes.

use crate::domain::NodeType;
use crate::error::AppError;
use crate::service::catalogue::{self, Connection};
use crate::service::citation::{self, Cited};
use crate::service::event::Participation;
use crate::service::page::{Page, Window};
use crate::service::statement::Mention;
use crate::service::{actor, casualty, event, figures, provenance, revision, source, statement};
use async_graphql::dataloader::Loader;
use async_graphql::ErrorExtensions;
use entity::{affiliation, casualty_report, citation as citation_entity, external_id};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

/// The one loader behind the request's `DataLoader`; each key type is one relation.
pub struct AppLoader {
    db: DatabaseConnection,
}

impl AppLoader {
    /// A loader reading from `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        AppLoader { db }
    }
}

/// A failed batch, shared by every resolver that waited on it.
#[derive(Clone, Debug)]
pub struct LoadError(Arc<AppError>);

impl From<AppError> for LoadError {
    fn from(err: AppError) -> Self {
        LoadError(Arc::new(err))
    }
}

impl LoadError {
    /// The error the batch failed with.
    pub fn inner(&self) -> &AppError {
        &self.0
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ErrorExtensions for LoadError {
    fn extend(&self) -> async_graphql::Error {
        self.0.extend()
    }
}

/// An actor by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActorById(pub i32);
/// A statement's speaker. Separate from [`ActorById`] so that each relation is one batch:
/// sharing a key type would merge batches only when their timing happened to overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpeakerById(pub i32);
/// An actor a statement mentions; separate for the same reason as [`SpeakerById`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MentionedById(pub i32);
/// An event by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventById(pub i32);
/// A statement by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatementById(pub i32);
/// A casualty report by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CasualtyReportById(pub i32);
/// A source by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceById(pub i32);
/// An actor's aliases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AliasesOf(pub i32);
/// An actor's affiliations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AffiliationsOf(pub i32);
/// An event's participants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParticipantsOf(pub i32);
/// A statement's mentions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MentionsOf(pub i32);
/// An event's casualty reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CasualtyReportsOf(pub i32);
/// An event's reconciled casualty figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FiguresOf(pub i32);
/// A record's citations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CitationsOf(pub Cited, pub i32);
/// A record's ids in the datasets it was imported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternalIdsOf(pub NodeType, pub i32);

/// The nested lists that are paginated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Nested {
    /// An event's direct sub-events.
    SubEvents,
    /// The events an actor took part in.
    EventsOfActor,
    /// The statements about an event.
    StatementsOfEvent,
    /// The statements an actor made.
    StatementsOfActor,
    /// The revisions of one record of a node type.
    History(NodeType),
}

impl Nested {
    /// The catalogue's description of the list; none for histories, which are not nodes.
    pub fn connection(self) -> Option<&'static Connection> {
        match self {
            Nested::SubEvents => Some(&catalogue::SUB_EVENTS),
            Nested::EventsOfActor => Some(&catalogue::EVENTS_OF_ACTOR),
            Nested::StatementsOfEvent => Some(&catalogue::STATEMENTS_OF_EVENT),
            Nested::StatementsOfActor => Some(&catalogue::STATEMENTS_OF_SPEAKER),
            Nested::History(_) => None,
        }
    }

    fn list(self) -> Result<&'static Connection, LoadError> {
        self.connection()
            .ok_or_else(|| AppError::internal(format!("{self:?} is not a node list")).into())
    }
}

/// One page of a nested event list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventPage(pub Nested, pub i32, pub Window);
/// One page of a nested statement list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatementPage(pub Nested, pub i32, pub Window);
/// One page of a record's history.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RevisionPage(pub NodeType, pub i32, pub Window);
/// The length of a nested list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NestedCount(pub Nested, pub i32);

macro_rules! by_id_loader {
    ($key:ident, $value:ty, $service:path) => {
        impl Loader<$key> for AppLoader {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let ids: Vec<i32> = keys.iter().map(|key| key.0).collect();
                let found = $service(&self.db, &ids).await?;
                Ok(found.into_iter().map(|(id, value)| ($key(id), value)).collect())
            }
        }
    };
}

by_id_loader!(ActorById, entity::actor::Model, actor::by_ids);
by_id_loader!(SpeakerById, entity::actor::Model, actor::by_ids);
by_id_loader!(MentionedById, entity::actor::Model, actor::by_ids);
by_id_loader!(EventById, entity::event::Model, event::by_ids);
by_id_loader!(StatementById, entity::statement::Model, statement::by_ids);
by_id_loader!(CasualtyReportById, casualty_report::Model, casualty::by_ids);
by_id_loader!(SourceById, entity::source::Model, source::by_ids);
by_id_loader!(AliasesOf, Vec<String>, actor::aliases);
by_id_loader!(AffiliationsOf, Vec<affiliation::Model>, actor::affiliations);
by_id_loader!(ParticipantsOf, Vec<Participation>, event::participants);
by_id_loader!(MentionsOf, Vec<Mention>, statement::mentions);
by_id_loader!(CasualtyReportsOf, Vec<casualty_report::Model>, casualty::of_events);
by_id_loader!(FiguresOf, Vec<entity::event_figure::Model>, figures::of_events);

/// Splits keys into groups that one statement can answer.
fn group<K: Clone, G: Hash + Eq>(
    keys: &[K],
    group_of: impl Fn(&K) -> (G, i32),
) -> HashMap<G, Vec<i32>> {
    let mut groups: HashMap<G, Vec<i32>> = HashMap::new();
    for key in keys {
        let (group, parent) = group_of(key);
        groups.entry(group).or_default().push(parent);
    }
    groups
}

impl Loader<CitationsOf> for AppLoader {
    type Value = Vec<citation_entity::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CitationsOf],
    ) -> Result<HashMap<CitationsOf, Self::Value>, LoadError> {
        let mut loaded = HashMap::new();
        for (cited, ids) in group(keys, |key| (key.0, key.1)) {
            for (id, rows) in citation::of(&self.db, cited, &ids).await? {
                loaded.insert(CitationsOf(cited, id), rows);
            }
        }
        Ok(loaded)
    }
}

impl Loader<ExternalIdsOf> for AppLoader {
    type Value = Vec<external_id::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ExternalIdsOf],
    ) -> Result<HashMap<ExternalIdsOf, Self::Value>, LoadError> {
        let mut loaded = HashMap::new();
        for (node, ids) in group(keys, |key| (key.0, key.1)) {
            for (id, rows) in provenance::of(&self.db, node, &ids).await? {
                loaded.insert(ExternalIdsOf(node, id), rows);
            }
        }
        Ok(loaded)
    }
}

impl Loader<EventPage> for AppLoader {
    type Value = Page<entity::event::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[EventPage]) -> Result<HashMap<EventPage, Self::Value>, LoadError> {
        let mut loaded = HashMap::new();
        for ((nested, window), parents) in group(keys, |key| ((key.0, key.2.clone()), key.1)) {
            for (parent, page) in nested.list()?.pages(&self.db, &parents, &window).await? {
                loaded.insert(EventPage(nested, parent, window.clone()), page);
            }
        }
        Ok(loaded)
    }
}

impl Loader<StatementPage> for AppLoader {
    type Value = Page<entity::statement::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[StatementPage],
    ) -> Result<HashMap<StatementPage, Self::Value>, LoadError> {
        let mut loaded = HashMap::new();
        for ((nested, window), parents) in group(keys, |key| ((key.0, key.2.clone()), key.1)) {
            for (parent, page) in nested.list()?.pages(&self.db, &parents, &window).await? {
                loaded.insert(StatementPage(nested, parent, window.clone()), page);
            }
        }
        Ok(loaded)
    }
}

impl Loader<RevisionPage> for AppLoader {
    type Value = Page<entity::revision::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RevisionPage],
    ) -> Result<HashMap<RevisionPage, Self::Value>, LoadError> {
        let mut loaded = HashMap::new();
        for ((node, window), ids) in group(keys, |key| ((key.0, key.2.clone()), key.1)) {
            for (id, page) in revision::histories(&self.db, node, &ids, &window).await? {
                loaded.insert(RevisionPage(node, id, window.clone()), page);
            }
        }
        Ok(loaded)
    }
}

impl Loader<NestedCount> for AppLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[NestedCount]) -> Result<HashMap<NestedCount, i64>, LoadError> {
        let mut loaded = HashMap::new();
        for (nested, parents) in group(keys, |key| (key.0, key.1)) {
            let counts = match nested {
                Nested::History(node) => {
                    revision::count_histories(&self.db, node, &parents).await?
                }
                _ => nested.list()?.counts(&self.db, &parents).await?,
            };
            loaded.extend(counts.into_iter().map(|(parent, n)| (NestedCount(nested, parent), n)));
        }
        Ok(loaded)
    }
}
