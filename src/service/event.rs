//! Events: filtered lists, sub-events, participants, and the events an actor took part in.

use super::catalogue;
use super::page::Filter;
use super::page::{self, Direction, KeyKind, ListSpec, Ordering, Page, SortKey, Window};
use super::sql::Sql;
use crate::domain::{ActorKind, EventSubType, EventType, GeoPrecision, ParticipantRole};
use crate::error::AppError;
use chrono::NaiveDate;
use entity::{event, event_participant};
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

pub(crate) const EVENTS: ListSpec =
    ListSpec { from: "events e", columns: "e.*", id: "e.id", condition: None };
/// Events in nested lists, where archived events are left out.
pub(crate) const LIVE_EVENTS: ListSpec =
    ListSpec { condition: Some("e.archived_at IS NULL"), ..EVENTS };
/// Events joined to the actors that took part, once per actor whatever their roles.
pub(crate) const EVENTS_OF_ACTORS: ListSpec = ListSpec {
    from: "events e JOIN (SELECT DISTINCT event_id, actor_id FROM event_participants) p ON p.event_id = e.id",
    columns: "e.*",
    id: "e.id",
    condition: Some("e.archived_at IS NULL"),
};

/// What events can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventSort {
    /// When the event started.
    StartDate,
    /// The event's title.
    Title,
    /// How well the event matches the filter's full-text search.
    Relevance,
}

/// The ordering of an event list.
pub fn ordering(sort: EventSort, direction: Direction) -> Ordering {
    let key = match sort {
        EventSort::StartDate => {
            SortKey { name: "start", expr: "e.start_date", kind: KeyKind::Date }
        }
        EventSort::Title => SortKey { name: "title", expr: "e.title", kind: KeyKind::Text },
        EventSort::Relevance => page::RELEVANCE,
    };
    Ordering { key, direction }
}

/// The default: latest first.
pub fn default_ordering() -> Ordering {
    ordering(EventSort::StartDate, Direction::Desc)
}

pub use super::places::{BoundingBox, Near};

/// Which events a list holds; every criterion given must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventFilter {
    /// Any of these types.
    pub types: Option<Vec<EventType>>,
    /// Any of these sub-types.
    pub sub_types: Option<Vec<EventSubType>>,
    /// In any of these countries (ISO 3166-1 alpha-2, upper case).
    pub country_codes: Option<Vec<String>>,
    /// Ongoing on or after this day: `[start, period end]` overlaps `[from, to]`.
    pub from: Option<NaiveDate>,
    /// Ongoing on or before this day.
    pub to: Option<NaiveDate>,
    /// With any of these actors taking part.
    pub actor_ids: Option<Vec<i32>>,
    /// Direct sub-events of this event.
    pub parent_id: Option<i32>,
    /// With coordinates inside this box.
    pub bbox: Option<BoundingBox>,
    /// Within this distance of a point.
    pub near: Option<Near>,
    /// Located to any of these precisions.
    pub geo_precisions: Option<Vec<GeoPrecision>>,
    /// Matching this full-text search (`service::search`'s query language).
    pub search: Option<String>,
    /// Machine-coded and unchecked (`true`), or not (`false`).
    pub low_confidence: Option<bool>,
    /// Archived records too; they are left out unless asked for.
    pub include_archived: bool,
}

impl page::Filter for EventFilter {
    fn push(&self, sql: &mut Sql) {
        if !self.include_archived {
            sql.and().push("e.archived_at IS NULL");
        }
        if let Some(types) = &self.types {
            sql.and().in_list("e.event_type", types.iter().map(|t| t.as_str()));
        }
        if let Some(sub_types) = &self.sub_types {
            sql.and().in_list("e.sub_type", sub_types.iter().map(|t| t.as_str()));
        }
        if let Some(codes) = &self.country_codes {
            sql.and().in_list("e.country_code", codes.iter().cloned());
        }
        if let Some(from) = self.from {
            sql.and().push("e.period_end >= ").bind(from);
        }
        if let Some(to) = self.to {
            sql.and().push("e.start_date <= ").bind(to);
        }
        if let Some(actor_ids) = &self.actor_ids {
            sql.and()
                .push("EXISTS (SELECT 1 FROM event_participants fp WHERE fp.event_id = e.id AND ");
            sql.in_list("fp.actor_id", actor_ids.iter().copied()).push(")");
        }
        if let Some(low) = self.low_confidence {
            sql.and().push("e.low_confidence = ").bind(low);
        }
        if let Some(parent_id) = self.parent_id {
            sql.and().push("e.parent_id = ").bind(parent_id);
        }
        if let Some(bbox) = self.bbox {
            super::places::push_box(sql, bbox);
        }
        if let Some(near) = self.near {
            super::places::push_near(sql, near);
        }
        if let Some(text) = &self.search {
            super::search::push_matches(sql, crate::domain::NodeType::Event, "e", text);
        }
        if let Some(precisions) = &self.geo_precisions {
            sql.and().in_list("e.geo_precision", precisions.iter().map(|p| p.as_str()));
        }
    }
}

/// One page of events matching `filter`.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    window: &Window,
) -> Result<Page<event::Model>, AppError> {
    page::fetch_page(db, &EVENTS, |sql| filter.push(sql), window).await
}

/// How many events match `filter`.
pub async fn count(db: &impl ConnectionTrait, filter: &EventFilter) -> Result<i64, AppError> {
    page::count(db, &EVENTS, filter).await
}

/// Up to `limit` events matching `filter` whose ids are above `after`, in id order: one step
/// of a walk through every matching event (an export), which needs no cursor and no count.
/// Each step is its own statement: an event written during the walk is seen if its id is
/// still ahead.
pub async fn walk(
    db: &impl ConnectionTrait,
    filter: &EventFilter,
    after: Option<i32>,
    limit: u64,
) -> Result<Vec<event::Model>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ").push(EVENTS.columns).push(" FROM ");
    EVENTS.push_from(&mut sql);
    filter.push(&mut sql);
    if let Some(after) = after {
        sql.and().push("e.id > ").bind(after);
    }
    sql.push(" ORDER BY e.id LIMIT ").bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let rows = db.query_all_raw(sql.build()).await?;
    Ok(rows.iter().map(|row| event::Model::from_query_result(row, "")).collect::<Result<_, _>>()?)
}

/// Events by id.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, event::Model>, AppError> {
    super::by_ids::<event::Entity>(db, ids, event::Column::Id).await
}

/// An actor's part in an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participation {
    /// Who took part.
    pub actor_id: i32,
    /// In what role.
    pub role: ParticipantRole,
}

/// The participants of each event, in the order they were recorded.
pub async fn participants(
    db: &impl ConnectionTrait,
    event_ids: &[i32],
) -> Result<HashMap<i32, Vec<Participation>>, AppError> {
    let grouped: HashMap<i32, Vec<event_participant::Model>> =
        catalogue::PARTICIPANTS.fetch(db, event_ids).await?;
    grouped
        .into_iter()
        .map(|(event_id, rows)| {
            let participations = rows
                .into_iter()
                .map(|row| {
                    Ok(Participation {
                        actor_id: row.actor_id,
                        role: ParticipantRole::from_db(&row.role)?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok((event_id, participations))
        })
        .collect()
}

/// An actor's part in an event, named: what a walk through many events reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedParticipant {
    /// The actor's name.
    pub name: String,
    /// The actor's kind.
    pub kind: ActorKind,
    /// Its role in the event.
    pub role: ParticipantRole,
}

/// The participants of each event with their actors' names and kinds, in the order recorded,
/// in one statement. (The loaders read participations and actors apart, since requests share
/// actors.)
pub async fn named_participants(
    db: &impl ConnectionTrait,
    event_ids: &[i32],
) -> Result<HashMap<i32, Vec<NamedParticipant>>, AppError> {
    // Look-ups by primary key rather than a join: for a page's few thousand participants
    // PostgreSQL merge-joins the whole actors table (44 ms at a million events, against 8 ms).
    let mut sql = Sql::new(db.get_database_backend());
    sql.push(
        "SELECT p.event_id AS parent_key, p.role, \
         (SELECT a.name FROM actors a WHERE a.id = p.actor_id) AS name, \
         (SELECT a.kind FROM actors a WHERE a.id = p.actor_id) AS kind \
         FROM event_participants p WHERE ",
    );
    sql.in_list("p.event_id", event_ids.iter().copied()).push(" ORDER BY p.id");
    let mut grouped: HashMap<i32, Vec<NamedParticipant>> = HashMap::new();
    for row in db.query_all_raw(sql.build()).await? {
        let role: String = row.try_get("", "role")?;
        let kind: String = row.try_get("", "kind")?;
        grouped.entry(row.try_get("", "parent_key")?).or_default().push(NamedParticipant {
            name: row.try_get("", "name")?,
            kind: ActorKind::from_db(&kind)?,
            role: ParticipantRole::from_db(&role)?,
        });
    }
    Ok(grouped)
}
