//! The read model, declared once: for every GraphQL object type that is read from rows (the
//! node types and the objects hanging off them), its table and, for each of its fields, where
//! the value comes from.
//!
//! Two engines answer reads and both follow this table:
//! - the compiled-read path (`graphql::compiled`) walks it to write one SQL statement per
//!   request; a field it does not find here, or finds as [`Source::ResolverOnly`], sends the
//!   request to the resolvers;
//! - the resolvers' DataLoaders fetch every to-many list ([`RowList`]) and every nested
//!   connection ([`Connection`]) with the table, parent column, order and condition written
//!   here, so the two cannot order or filter a list differently.
//!
//! The resolvers' plain fields are checked against it, not generated from it: a test walks the
//! served schema and names every field that is neither here nor resolver-only with a reason
//! (tests/api/catalogue.rs), another checks each column against the database, and the
//! differential test of the two engines selects every field listed here.
//!
//! Nothing here knows GraphQL beyond the type and field names it describes.

use super::page::{self, ListSpec, Ordering, Page, Window};
use super::sql::Sql;
use super::{event, statement};
use crate::domain::NodeType;
use crate::error::AppError;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

/// Where one field's value comes from.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// The node's global ID, made from the row id (`graphql::id`).
    GlobalId,
    /// A column of the row, as stored: enumerations are stored under their GraphQL names and
    /// dates as dates, so the stored value is the answer.
    Column(&'static str),
    /// An object of type `object` read from the same row's columns; null unless every column
    /// of `present_when` holds a value (the object's non-null fields).
    Embedded {
        /// The object's type.
        object: &'static str,
        /// The columns that must not be null for the object to exist.
        present_when: &'static [&'static str],
    },
    /// The node that a column of the row names; null when the column is.
    ToOne {
        /// The node's type.
        node: NodeType,
        /// The column holding the node's row id.
        column: &'static str,
    },
    /// Every row of a child table that names this row, as objects of the list's type.
    ToMany(&'static RowList),
    /// One column of every row of a child table that names this row.
    Values(&'static RowList, &'static str),
    /// The nodes that the rows of a child table name, in the child table's order.
    Through {
        /// The child table.
        list: &'static RowList,
        /// The type of the nodes named.
        node: NodeType,
        /// The child table's column naming them.
        column: &'static str,
    },
    /// A paginated connection (Relay) of nodes under this row.
    Connection(&'static Connection),
    /// Only the resolvers answer this field, for the reason given.
    ResolverOnly(&'static str),
}

/// The rows of a child table that belong to one parent row, in a fixed order.
#[derive(Debug)]
pub struct RowList {
    /// The child table.
    pub table: &'static str,
    /// Its column naming the parent row.
    pub parent: &'static str,
    /// Its columns the list is ordered by, ascending.
    pub order: &'static [&'static str],
    /// A condition each listed row meets (over the child table's columns, unqualified).
    pub condition: Option<&'static str>,
    /// The GraphQL type of one row, for lists of objects.
    pub object: &'static str,
}

/// A paginated list of nodes under a parent row.
#[derive(Debug)]
pub struct Connection {
    /// The listed nodes' type.
    pub node: NodeType,
    /// What the list selects from.
    pub list: &'static ListSpec,
    /// The expression over [`Connection::list`] naming the parent row.
    pub parent: &'static str,
    /// The order a page is cut from (the only one nested lists offer).
    pub ordering: fn() -> Ordering,
}

/// One field of an object type.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The GraphQL field name.
    pub name: &'static str,
    /// Where its value comes from.
    pub source: Source,
}

/// An object type read from rows.
#[derive(Clone, Copy, Debug)]
pub struct ObjectType {
    /// The GraphQL type name.
    pub name: &'static str,
    /// The node type, for node types (whose rows a global ID names).
    pub node: Option<NodeType>,
    /// The table its rows are read from: the node's table, the child table of a [`RowList`],
    /// or the parent's table for an embedded object.
    pub table: &'static str,
    /// Its fields, in schema order.
    pub fields: &'static [Field],
}

impl ObjectType {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        // Catalogue entries are statics, so the borrow can be too.
        let fields: &'static [Field] = self.fields;
        fields.iter().find(|field| field.name == name)
    }
}

const fn field(name: &'static str, source: Source) -> Field {
    Field { name, source }
}

const fn column(name: &'static str, column: &'static str) -> Field {
    field(name, Source::Column(column))
}

/// `id`, `key`, `version`, `archivedAt`, `history` and `externalIds`: the fields every edited
/// record has, given the list of its external ids.
macro_rules! record_fields {
    ($external_ids:expr; $($rest:expr),* $(,)?) => {
        &[
            field("id", Source::GlobalId),
            column("key", "key"),
            column("version", "version"),
            field("archivedAt", Source::ResolverOnly(ARCHIVED_AT)),
            field("history", Source::ResolverOnly(HISTORY)),
            field("externalIds", Source::ToMany($external_ids)),
            $($rest),*
        ]
    };
}

/// Why a reconciled figure's report lists are the resolvers'.
const REPORT_IDS: &str = "report ids kept as JSON in one column, decoded in Rust";
const ARCHIVED_AT: &str = "a timestamp with time zone, which PostgreSQL's JSON writes in another \
                           form than the resolvers' RFC 3339; rarely read";
const HISTORY: &str = "revisions hold each change as JSON before and after, decoded in Rust";

/// An event's direct sub-events, latest first.
pub static SUB_EVENTS: Connection = Connection {
    node: NodeType::Event,
    list: &event::LIVE_EVENTS,
    parent: "e.parent_id",
    ordering: event::default_ordering,
};
/// The events an actor took part in, latest first.
pub static EVENTS_OF_ACTOR: Connection = Connection {
    node: NodeType::Event,
    list: &event::EVENTS_OF_ACTORS,
    parent: "p.actor_id",
    ordering: event::default_ordering,
};
/// The statements about an event, latest first.
pub static STATEMENTS_OF_EVENT: Connection = Connection {
    node: NodeType::Statement,
    list: &statement::LIVE_STATEMENTS,
    parent: "s.event_id",
    ordering: statement::default_ordering,
};
/// The statements an actor made, latest first.
pub static STATEMENTS_OF_SPEAKER: Connection = Connection {
    node: NodeType::Statement,
    list: &statement::LIVE_STATEMENTS,
    parent: "s.speaker_id",
    ordering: statement::default_ordering,
};

/// An event's participants, in the order recorded.
pub static PARTICIPANTS: RowList = RowList {
    table: "event_participants",
    parent: "event_id",
    order: &["id"],
    condition: None,
    object: "Participation",
};
/// An event's live casualty reports, in the order recorded.
pub static CASUALTY_REPORTS_OF_EVENT: RowList = RowList {
    table: "casualty_reports",
    parent: "event_id",
    order: &["id"],
    condition: Some("archived_at IS NULL"),
    object: "CasualtyReport",
};
/// An event's reconciled casualty figures, in the categories' order.
pub static FIGURES_OF_EVENT: RowList = RowList {
    table: "event_figures",
    parent: "event_id",
    order: &["position"],
    condition: None,
    object: "ReconciledFigure",
};
/// An actor's aliases, in the order recorded.
pub static ALIASES: RowList = RowList {
    table: "actor_aliases",
    parent: "actor_id",
    order: &["id"],
    condition: None,
    object: "String",
};
/// An actor's affiliations, earliest first.
pub static AFFILIATIONS: RowList = RowList {
    table: "affiliations",
    parent: "actor_id",
    order: &["from_date", "id"],
    condition: None,
    object: "Affiliation",
};
/// The actors a statement mentions, in the order recorded.
pub static MENTIONS: RowList = RowList {
    table: "statement_mentions",
    parent: "statement_id",
    order: &["id"],
    condition: None,
    object: "ActorMention",
};

/// The citations of one kind of record, in the order recorded.
const fn citations(parent: &'static str) -> RowList {
    RowList { table: "citations", parent, order: &["id"], condition: None, object: "Citation" }
}
/// An event's citations.
pub static CITATIONS_OF_EVENT: RowList = citations("event_id");
/// A statement's citations.
pub static CITATIONS_OF_STATEMENT: RowList = citations("statement_id");
/// A casualty report's citations.
pub static CITATIONS_OF_CASUALTY_REPORT: RowList = citations("casualty_report_id");
/// An affiliation's citations.
pub static CITATIONS_OF_AFFILIATION: RowList = citations("affiliation_id");

/// The ids a record has in the datasets it was imported from, in the order imported.
const fn external_ids(condition: &'static str) -> RowList {
    RowList {
        table: "external_ids",
        parent: "node_id",
        order: &["id"],
        condition: Some(condition),
        object: "ExternalId",
    }
}
/// An event's external ids.
pub static EXTERNAL_IDS_OF_EVENT: RowList = external_ids("node_type = 'EVENT'");
/// An actor's external ids.
pub static EXTERNAL_IDS_OF_ACTOR: RowList = external_ids("node_type = 'ACTOR'");
/// A statement's external ids.
pub static EXTERNAL_IDS_OF_STATEMENT: RowList = external_ids("node_type = 'STATEMENT'");
/// A casualty report's external ids.
pub static EXTERNAL_IDS_OF_CASUALTY_REPORT: RowList = external_ids("node_type = 'CASUALTY_REPORT'");
/// A source's external ids.
pub static EXTERNAL_IDS_OF_SOURCE: RowList = external_ids("node_type = 'SOURCE'");

/// The list of the external ids of a record of type `node`.
pub fn external_ids_of(node: NodeType) -> &'static RowList {
    match node {
        NodeType::Event => &EXTERNAL_IDS_OF_EVENT,
        NodeType::Actor => &EXTERNAL_IDS_OF_ACTOR,
        NodeType::Statement => &EXTERNAL_IDS_OF_STATEMENT,
        NodeType::CasualtyReport => &EXTERNAL_IDS_OF_CASUALTY_REPORT,
        NodeType::Source => &EXTERNAL_IDS_OF_SOURCE,
    }
}

/// Every object type read from rows.
pub static OBJECTS: &[ObjectType] = &[
    ObjectType {
        name: "Event",
        node: Some(NodeType::Event),
        table: "events",
        fields: record_fields![
            &EXTERNAL_IDS_OF_EVENT;
            column("title", "title"),
            column("summary", "summary"),
            column("type", "event_type"),
            column("subType", "sub_type"),
            column("startDate", "start_date"),
            column("endDate", "end_date"),
            column("datePrecision", "date_precision"),
            field(
                "location",
                Source::Embedded {
                    object: "Location",
                    present_when: &["country_code", "geo_precision"],
                }
            ),
            column("disorderType", "disorder_type"),
            column("civilianTargeting", "civilian_targeting"),
            column("sourceScale", "source_scale"),
            field(
                "tags",
                Source::ResolverOnly(
                    "a list kept in one column, split by the resolver; rare outside imports"
                )
            ),
            column("lowConfidence", "low_confidence"),
            field("parent", Source::ToOne { node: NodeType::Event, column: "parent_id" }),
            field("subEvents", Source::Connection(&SUB_EVENTS)),
            field("participants", Source::ToMany(&PARTICIPANTS)),
            field("statements", Source::Connection(&STATEMENTS_OF_EVENT)),
            field("casualtyReports", Source::ToMany(&CASUALTY_REPORTS_OF_EVENT)),
            field("citations", Source::ToMany(&CITATIONS_OF_EVENT)),
            field("figures", Source::ToMany(&FIGURES_OF_EVENT)),
            field("distanceKm", Source::ResolverOnly("takes a point; computed in Rust")),
            field(
                "figure",
                Source::ResolverOnly("takes a category; `figures` lists every category")
            ),
        ],
    },
    ObjectType {
        name: "ReconciledFigure",
        node: None,
        table: "event_figures",
        fields: &[
            column("category", "category"),
            column("low", "low"),
            column("best", "best"),
            column("high", "high"),
            column("highOpen", "high_open"),
            column("rule", "rule"),
            field("explanation", Source::ResolverOnly("a sentence written in Rust from the rule")),
            field("considered", Source::ResolverOnly(REPORT_IDS)),
            field("excluded", Source::ResolverOnly(REPORT_IDS)),
            field(
                "subEvents",
                Source::Embedded { object: "FigureRange", present_when: &["sub_best"] },
            ),
        ],
    },
    ObjectType {
        name: "FigureRange",
        node: None,
        table: "event_figures",
        fields: &[
            column("low", "sub_low"),
            column("best", "sub_best"),
            column("high", "sub_high"),
            column("highOpen", "sub_high_open"),
        ],
    },
    ObjectType {
        name: "Location",
        node: None,
        table: "events",
        fields: &[
            column("countryCode", "country_code"),
            column("admin1", "admin1"),
            column("admin2", "admin2"),
            column("admin3", "admin3"),
            column("place", "place"),
            column("latitude", "latitude"),
            column("longitude", "longitude"),
            column("precision", "geo_precision"),
        ],
    },
    ObjectType {
        name: "Participation",
        node: None,
        table: "event_participants",
        fields: &[
            field("actor", Source::ToOne { node: NodeType::Actor, column: "actor_id" }),
            column("role", "role"),
        ],
    },
    ObjectType {
        name: "Actor",
        node: Some(NodeType::Actor),
        table: "actors",
        fields: record_fields![
            &EXTERNAL_IDS_OF_ACTOR;
            column("name", "name"),
            column("kind", "kind"),
            field("aliases", Source::Values(&ALIASES, "alias")),
            column("countryCode", "country_code"),
            column("description", "description"),
            column("wikidataId", "wikidata_id"),
            field("affiliations", Source::ToMany(&AFFILIATIONS)),
            field("events", Source::Connection(&EVENTS_OF_ACTOR)),
            field("statements", Source::Connection(&STATEMENTS_OF_SPEAKER)),
        ],
    },
    ObjectType {
        name: "Affiliation",
        node: None,
        table: "affiliations",
        fields: &[
            column("key", "key"),
            field("actor", Source::ToOne { node: NodeType::Actor, column: "actor_id" }),
            field(
                "organization",
                Source::ToOne { node: NodeType::Actor, column: "organization_id" },
            ),
            column("role", "role"),
            column("from", "from_date"),
            column("to", "to_date"),
            column("datePrecision", "date_precision"),
            column("note", "note"),
            field("citations", Source::ToMany(&CITATIONS_OF_AFFILIATION)),
        ],
    },
    ObjectType {
        name: "Statement",
        node: Some(NodeType::Statement),
        table: "statements",
        fields: record_fields![
            &EXTERNAL_IDS_OF_STATEMENT;
            column("text", "text"),
            column("mode", "mode"),
            column("kind", "kind"),
            column("statedOn", "stated_on"),
            column("datePrecision", "date_precision"),
            column("lowConfidence", "low_confidence"),
            field("speaker", Source::ToOne { node: NodeType::Actor, column: "speaker_id" }),
            field("event", Source::ToOne { node: NodeType::Event, column: "event_id" }),
            field(
                "mentions",
                Source::Through { list: &MENTIONS, node: NodeType::Actor, column: "actor_id" }
            ),
            field("actorMentions", Source::ToMany(&MENTIONS)),
            field("citations", Source::ToMany(&CITATIONS_OF_STATEMENT)),
        ],
    },
    ObjectType {
        name: "ActorMention",
        node: None,
        table: "statement_mentions",
        fields: &[
            field("actor", Source::ToOne { node: NodeType::Actor, column: "actor_id" }),
            column("role", "role"),
        ],
    },
    ObjectType {
        name: "CasualtyReport",
        node: Some(NodeType::CasualtyReport),
        table: "casualty_reports",
        fields: record_fields![
            &EXTERNAL_IDS_OF_CASUALTY_REPORT;
            field("event", Source::ToOne { node: NodeType::Event, column: "event_id" }),
            column("category", "category"),
            column("affectedGroup", "affected_group"),
            column("low", "low"),
            column("high", "high"),
            column("best", "best"),
            column("preferred", "preferred"),
            field(
                "breakdown",
                Source::ResolverOnly("kept as JSON in one column, decoded in Rust; import-only")
            ),
            column("asOf", "as_of"),
            field("claimedBy", Source::ToOne { node: NodeType::Actor, column: "claimed_by_id" }),
            column("status", "status"),
            column("statusReason", "status_reason"),
            column("note", "note"),
            field("citations", Source::ToMany(&CITATIONS_OF_CASUALTY_REPORT)),
        ],
    },
    ObjectType {
        name: "Citation",
        node: None,
        table: "citations",
        fields: &[
            field("source", Source::ToOne { node: NodeType::Source, column: "source_id" }),
            column("excerpt", "excerpt"),
        ],
    },
    ObjectType {
        name: "ExternalId",
        node: None,
        table: "external_ids",
        fields: &[
            column("dataset", "dataset"),
            column("externalId", "external_id"),
            column("file", "file"),
        ],
    },
    ObjectType {
        name: "Source",
        node: Some(NodeType::Source),
        table: "sources",
        fields: record_fields![
            &EXTERNAL_IDS_OF_SOURCE;
            column("kind", "kind"),
            column("publisher", "publisher"),
            column("title", "title"),
            column("url", "url"),
            column("publishedOn", "published_on"),
            column("status", "status"),
            column("archiveUrl", "archive_url"),
        ],
    },
];

/// The fields of a connection type (`EventConnection`, …), answered from the page.
pub const CONNECTION_FIELDS: &[&str] = &["totalCount", "edges", "nodes", "pageInfo"];
/// The fields of an edge type (`EventEdge`, …).
pub const EDGE_FIELDS: &[&str] = &["cursor", "node"];
/// The fields of `PageInfo`.
pub const PAGE_INFO_FIELDS: &[&str] =
    &["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"];

/// The object type called `name`.
pub fn object(name: &str) -> Option<&'static ObjectType> {
    OBJECTS.iter().find(|object| object.name == name)
}

/// The object type of a node type.
pub fn node(node: NodeType) -> &'static ObjectType {
    OBJECTS
        .iter()
        .find(|object| object.node == Some(node))
        .unwrap_or_else(|| unreachable!("every node type is catalogued: {node:?}"))
}

impl RowList {
    /// The rows of the list under each of `parents`, in the list's order; an empty list for
    /// a parent without any. One statement for all parents.
    pub async fn fetch<M: FromQueryResult>(
        &self,
        db: &impl ConnectionTrait,
        parents: &[i32],
    ) -> Result<HashMap<i32, Vec<M>>, AppError> {
        let mut sql = Sql::new(db.get_database_backend());
        sql.push("SELECT t.*, t.").push(self.parent).push(" AS parent_key FROM ");
        sql.push(self.table).push(" t WHERE ");
        sql.in_list(&format!("t.{}", self.parent), parents.iter().copied());
        if let Some(condition) = self.condition {
            sql.push(" AND t.").push(condition);
        }
        sql.push(" ORDER BY ");
        for (i, key) in self.order.iter().enumerate() {
            sql.push(if i == 0 { "t." } else { ", t." }).push(key);
        }
        let mut grouped: HashMap<i32, Vec<M>> =
            parents.iter().map(|parent| (*parent, Vec::new())).collect();
        for row in db.query_all_raw(sql.build()).await? {
            let parent: i32 = row.try_get("", "parent_key")?;
            grouped.entry(parent).or_default().push(M::from_query_result(&row, "")?);
        }
        Ok(grouped)
    }
}

impl Connection {
    /// One page of the list under each of `parents`, in one statement.
    pub async fn pages<M: FromQueryResult>(
        &self,
        db: &impl ConnectionTrait,
        parents: &[i32],
        window: &Window,
    ) -> Result<HashMap<i32, Page<M>>, AppError> {
        page::fetch_grouped_pages(db, self.list, self.parent, parents, window).await
    }

    /// The length of the list under each of `parents`, in one statement.
    pub async fn counts(
        &self,
        db: &impl ConnectionTrait,
        parents: &[i32],
    ) -> Result<HashMap<i32, i64>, AppError> {
        page::count_grouped(db, self.list, self.parent, parents).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn each_external_id_list_selects_its_own_node_type() {
        for node in NodeType::VARIANTS {
            let condition = external_ids_of(*node).condition;
            assert_eq!(condition, Some(format!("node_type = '{}'", node.as_str()).as_str()));
        }
    }

    #[test]
    fn every_node_type_is_catalogued_once_and_every_list_names_a_catalogued_object() {
        for kind in NodeType::VARIANTS {
            let found = OBJECTS.iter().filter(|object| object.node == Some(*kind)).count();
            assert_eq!(found, 1, "{kind:?}");
        }
        for object in OBJECTS {
            for field in object.fields {
                let named = match field.source {
                    Source::ToMany(list) => Some(list.object),
                    Source::Embedded { object, .. } => Some(object),
                    _ => None,
                };
                if let Some(name) = named {
                    assert!(
                        super::object(name).is_some(),
                        "{}.{}: {name}",
                        object.name,
                        field.name
                    );
                }
            }
        }
    }
}
