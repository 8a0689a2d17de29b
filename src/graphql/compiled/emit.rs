//! Writing the statement: one `json_build_object` per selected object, a correlated
//! sub-select per relation, and per list the same FROM, filter, keyset condition and order
//! the service layer uses when the resolvers fetch it.
//!
//! What each field reads mirrors its resolver in `graphql::types`; the differential test
//! holds the two together.

use super::select::{Group, Query};
use super::ListRequest;
use crate::graphql::id::{decode, NodeKind};
use crate::service::page::{Filter, KeyKind, ListSpec, Window};
use crate::service::sql::Sql;
use crate::service::{event, statement};
use async_graphql::parser::types::SelectionSet;
use async_graphql::ID;

/// Most key/value pairs one `json_build_object` takes: PostgreSQL functions take at most 100
/// arguments. A wider selection is left to the resolvers.
const MAX_PAIRS: usize = 50;

/// The kinds of object the compiler writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Node(NodeKind),
    Participation,
    Citation,
    ActorMention,
    Affiliation,
    Location,
}

impl Shape {
    fn type_name(self) -> &'static str {
        match self {
            Shape::Node(kind) => kind.into(),
            Shape::Participation => "Participation",
            Shape::Citation => "Citation",
            Shape::ActorMention => "ActorMention",
            Shape::Affiliation => "Affiliation",
            Shape::Location => "Location",
        }
    }

    fn interfaces(self) -> &'static [&'static str] {
        match self {
            Shape::Node(_) => &["Node"],
            _ => &[],
        }
    }
}

/// The table a node kind is stored in.
fn table(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Event => "events",
        NodeKind::Actor => "actors",
        NodeKind::Statement => "statements",
        NodeKind::CasualtyReport => "casualty_reports",
        NodeKind::Source => "sources",
    }
}

/// The rows of one page, as the statement names them.
struct PageRows {
    /// The alias of the page's rows.
    alias: String,
    /// Whether one row more than the page is fetched, and the rows numbered (`rn`) in fetch
    /// order.
    counted: bool,
}

/// A list to page through: a root list, or a nested one under the row `parent.1`.
struct Listing<'x> {
    spec: &'static ListSpec,
    window: &'x Window,
    node: NodeKind,
    filter: Option<&'x dyn Filter>,
    /// The list's column naming its parent (as the resolvers' grouped fetch names it), and
    /// the parent row's alias.
    parent: Option<(&'static str, &'x str)>,
}

/// Page sizes are written into the statement, not bound: PostgreSQL plans a prepared
/// statement once for all parameter values only when that plan looks no dearer than planning
/// each execution, and a `LIMIT $1` of unknown size always looks dear. Planning every
/// execution cost more than running it (0.3-0.7 ms against 0.1-0.9 ms for query 4 of the
/// benchmark). Sizes are validated integers up to 100, so the statements stay few.
///
/// Writes the statement for one request.
pub(super) struct Emitter<'a> {
    query: Query<'a>,
    aliases: usize,
}

impl<'a> Emitter<'a> {
    pub fn new(query: Query<'a>) -> Self {
        Emitter { query, aliases: 0 }
    }

    /// A table alias no other part of the statement uses, so that a nested list can name
    /// its parent row whatever aliases the lists in between use.
    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("t{}", self.aliases)
    }

    /// `SELECT` of the whole response body, `{"data": …}`, as text.
    pub fn response(&mut self, sql: &mut Sql, set: &'a SelectionSet) -> Option<()> {
        let groups = self.query.fields([set], "Query", &[])?;
        sql.push("SELECT json_build_object('data', ");
        self.object(sql, &groups, |this, sql, group| this.root_field(sql, group))?;
        sql.push(")::text");
        Some(())
    }

    /// `json_build_object` with one pair per group, each value written by `value`.
    fn object(
        &mut self,
        sql: &mut Sql,
        groups: &[Group<'a>],
        mut value: impl FnMut(&mut Self, &mut Sql, &Group<'a>) -> Option<()>,
    ) -> Option<()> {
        if groups.len() > MAX_PAIRS {
            return None;
        }
        if groups.is_empty() {
            // async-graphql answers an object with nothing selected on its type (a node
            // whose type no fragment names) with null.
            sql.push("NULL::json");
            return Some(());
        }
        sql.push("json_build_object(");
        for (i, group) in groups.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            // Response keys are GraphQL names (letters, digits, underscores): safe to quote.
            sql.push("'").push(group.key).push("', ");
            value(self, sql, group)?;
        }
        sql.push(")");
        Some(())
    }

    fn root_field(&mut self, sql: &mut Sql, group: &Group<'a>) -> Option<()> {
        let args = self.query.arguments(group.field());
        match group.name() {
            "__typename" => text(sql, "Query"),
            "node" => {
                let (kind, row) = decode(&args.get::<ID>("id")?).ok()?;
                self.node_by_id(sql, group, kind, row)
            }
            "nodes" => {
                let ids = args.get::<Vec<ID>>("ids")?;
                if ids.len() > crate::graphql::query::MAX_NODES {
                    return None;
                }
                let decoded = ids.iter().map(|id| decode(id).ok()).collect::<Option<Vec<_>>>()?;
                sql.push("json_build_array(");
                for (i, (kind, row)) in decoded.into_iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    self.node_by_id(sql, group, kind, row)?;
                }
                sql.push(")");
                Some(())
            }
            name => {
                let list = crate::graphql::query::compiled_list(name, &args)?;
                let ListRequest { spec, filter, window, node } = list;
                let listing =
                    Listing { spec, window: &window, node, filter: Some(&*filter), parent: None };
                self.connection(sql, group, &listing)
            }
        }
    }

    /// The node of `kind` with row id `row`, or null; an actor merged into another is the
    /// one it was merged into, as `node` resolves it.
    fn node_by_id(
        &mut self,
        sql: &mut Sql,
        group: &Group<'a>,
        kind: NodeKind,
        row: i32,
    ) -> Option<()> {
        let t = self.alias();
        sql.push("(SELECT ");
        self.shape_object(sql, Shape::Node(kind), &t, group)?;
        sql.push(" FROM ").push(table(kind)).push(" ").push(&t);
        sql.push(" WHERE ").push(&t).push(".id = ");
        if kind == NodeKind::Actor {
            // Merged actors are rare: the chain is walked only for one (an InitPlan runs when
            // its branch is taken).
            sql.push("CASE WHEN (SELECT merged_into_id FROM actors WHERE id = ");
            sql.bind(row).push(") IS NULL THEN ").bind(row).push(" ELSE ");
            sql.push(
                "(WITH RECURSIVE chain(id, next, hops) AS (SELECT id, merged_into_id, 0 \
                 FROM actors WHERE id = ",
            );
            sql.bind(row);
            sql.push(
                " UNION ALL SELECT a.id, a.merged_into_id, chain.hops + 1 FROM chain \
                 JOIN actors a ON a.id = chain.next WHERE chain.hops < ",
            );
            sql.push(&crate::graphql::query::MAX_MERGE_HOPS.to_string());
            sql.push(") SELECT id FROM chain ORDER BY hops DESC LIMIT 1) END");
        } else {
            sql.bind(row);
        }
        sql.push(")");
        Some(())
    }

    /// The object of `shape` read from row alias `row`, with what `group` selects on it.
    fn shape_object(
        &mut self,
        sql: &mut Sql,
        shape: Shape,
        row: &str,
        group: &Group<'a>,
    ) -> Option<()> {
        let groups =
            self.query.fields(group.selections(), shape.type_name(), shape.interfaces())?;
        self.object(sql, &groups, |this, sql, field| {
            if !field.field().arguments.is_empty() && !is_list_field(shape, field.name()) {
                return None;
            }
            match field.name() {
                "__typename" => text(sql, shape.type_name()),
                _ => match shape {
                    Shape::Node(kind) => this.node_field(sql, kind, row, field),
                    Shape::Participation => match field.name() {
                        "role" => column(sql, row, "role"),
                        "actor" => this.related(sql, NodeKind::Actor, row, "actor_id", field),
                        _ => None,
                    },
                    Shape::ActorMention => match field.name() {
                        "role" => column(sql, row, "role"),
                        "actor" => this.related(sql, NodeKind::Actor, row, "actor_id", field),
                        _ => None,
                    },
                    Shape::Citation => match field.name() {
                        "excerpt" => column(sql, row, "excerpt"),
                        "source" => this.related(sql, NodeKind::Source, row, "source_id", field),
                        _ => None,
                    },
                    Shape::Affiliation => match field.name() {
                        "key" | "role" | "note" => column(sql, row, field.name()),
                        "from" => column(sql, row, "from_date"),
                        "to" => column(sql, row, "to_date"),
                        "datePrecision" => column(sql, row, "date_precision"),
                        "actor" => this.related(sql, NodeKind::Actor, row, "actor_id", field),
                        "organization" => {
                            this.related(sql, NodeKind::Actor, row, "organization_id", field)
                        }
                        "citations" => this.citations(sql, "affiliation_id", row, field),
                        _ => None,
                    },
                    Shape::Location => match field.name() {
                        "countryCode" => column(sql, row, "country_code"),
                        "admin1" | "place" | "latitude" | "longitude" => {
                            column(sql, row, field.name())
                        }
                        "precision" => column(sql, row, "geo_precision"),
                        _ => None,
                    },
                },
            }
        })
    }

    fn node_field(
        &mut self,
        sql: &mut Sql,
        kind: NodeKind,
        row: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        let name = field.name();
        match name {
            "id" => return global_id(sql, kind, row),
            "key" | "version" => return column(sql, row, name),
            _ => {}
        }
        match kind {
            NodeKind::Event => match name {
                "title" | "summary" => column(sql, row, name),
                "type" => column(sql, row, "event_type"),
                "subType" => column(sql, row, "sub_type"),
                "startDate" => column(sql, row, "start_date"),
                "endDate" => column(sql, row, "end_date"),
                "datePrecision" => column(sql, row, "date_precision"),
                "location" => {
                    // Null unless both the country and the precision are known.
                    sql.push("CASE WHEN ").push(row).push(".country_code IS NOT NULL AND ");
                    sql.push(row).push(".geo_precision IS NOT NULL THEN ");
                    self.shape_object(sql, Shape::Location, row, field)?;
                    sql.push(" END");
                    Some(())
                }
                "parent" => self.related(sql, NodeKind::Event, row, "parent_id", field),
                "subEvents" => self.nested(
                    sql,
                    field,
                    row,
                    NodeKind::Event,
                    &event::LIVE_EVENTS,
                    "e.parent_id",
                ),
                "participants" => self.rows(
                    sql,
                    Shape::Participation,
                    "event_participants",
                    ("event_id", row),
                    None,
                    field,
                ),
                "statements" => self.nested(
                    sql,
                    field,
                    row,
                    NodeKind::Statement,
                    &statement::LIVE_STATEMENTS,
                    statement::StatementsOf::Event.column(),
                ),
                "casualtyReports" => self.rows(
                    sql,
                    Shape::Node(NodeKind::CasualtyReport),
                    "casualty_reports",
                    ("event_id", row),
                    Some("archived_at IS NULL"),
                    field,
                ),
                "citations" => self.citations(sql, "event_id", row, field),
                _ => None,
            },
            NodeKind::Actor => match name {
                "name" | "kind" | "description" => column(sql, row, name),
                "countryCode" => column(sql, row, "country_code"),
                "wikidataId" => column(sql, row, "wikidata_id"),
                "aliases" => {
                    let t = self.alias();
                    sql.push("COALESCE((SELECT json_agg(").push(&t).push(".alias ORDER BY ");
                    sql.push(&t).push(".id) FROM actor_aliases ").push(&t).push(" WHERE ");
                    sql.push(&t).push(".actor_id = ").push(row).push(".id), '[]')");
                    Some(())
                }
                "affiliations" => {
                    let order = "from_date, id";
                    self.rows_ordered(
                        sql,
                        Shape::Affiliation,
                        "affiliations",
                        ("actor_id", row),
                        None,
                        order,
                        field,
                    )
                }
                "events" => self.nested(
                    sql,
                    field,
                    row,
                    NodeKind::Event,
                    &event::EVENTS_OF_ACTORS,
                    event::ACTOR_OF_EVENTS,
                ),
                "statements" => self.nested(
                    sql,
                    field,
                    row,
                    NodeKind::Statement,
                    &statement::LIVE_STATEMENTS,
                    statement::StatementsOf::Speaker.column(),
                ),
                _ => None,
            },
            NodeKind::Statement => match name {
                "text" | "mode" | "kind" => column(sql, row, name),
                "statedOn" => column(sql, row, "stated_on"),
                "datePrecision" => column(sql, row, "date_precision"),
                "speaker" => self.related(sql, NodeKind::Actor, row, "speaker_id", field),
                "event" => self.related(sql, NodeKind::Event, row, "event_id", field),
                "mentions" => {
                    let (m, a) = (self.alias(), self.alias());
                    sql.push("COALESCE((SELECT json_agg(");
                    self.shape_object(sql, Shape::Node(NodeKind::Actor), &a, field)?;
                    sql.push(" ORDER BY ").push(&m).push(".id) FROM statement_mentions ");
                    sql.push(&m).push(" JOIN actors ").push(&a).push(" ON ").push(&a);
                    sql.push(".id = ").push(&m).push(".actor_id WHERE ").push(&m);
                    sql.push(".statement_id = ").push(row).push(".id), '[]')");
                    Some(())
                }
                "actorMentions" => self.rows(
                    sql,
                    Shape::ActorMention,
                    "statement_mentions",
                    ("statement_id", row),
                    None,
                    field,
                ),
                "citations" => self.citations(sql, "statement_id", row, field),
                _ => None,
            },
            NodeKind::CasualtyReport => match name {
                "category" | "low" | "high" | "status" | "note" => column(sql, row, name),
                "affectedGroup" => column(sql, row, "affected_group"),
                "asOf" => column(sql, row, "as_of"),
                "statusReason" => column(sql, row, "status_reason"),
                "event" => self.related(sql, NodeKind::Event, row, "event_id", field),
                "claimedBy" => self.related(sql, NodeKind::Actor, row, "claimed_by_id", field),
                "citations" => self.citations(sql, "casualty_report_id", row, field),
                _ => None,
            },
            NodeKind::Source => match name {
                "kind" | "publisher" | "title" | "url" | "status" => column(sql, row, name),
                "publishedOn" => column(sql, row, "published_on"),
                "archiveUrl" => column(sql, row, "archive_url"),
                _ => None,
            },
        }
    }

    /// The node `row.column` names, or null.
    fn related(
        &mut self,
        sql: &mut Sql,
        kind: NodeKind,
        row: &str,
        column: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        let t = self.alias();
        sql.push("(SELECT ");
        self.shape_object(sql, Shape::Node(kind), &t, field)?;
        sql.push(" FROM ").push(table(kind)).push(" ").push(&t).push(" WHERE ").push(&t);
        sql.push(".id = ").push(row).push(".").push(column).push(")");
        Some(())
    }

    /// The citations of the record `row`, by the citations column naming it.
    fn citations(
        &mut self,
        sql: &mut Sql,
        column: &'static str,
        row: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        self.rows(sql, Shape::Citation, "citations", (column, row), None, field)
    }

    /// Every row of `table` whose `parent.0` is the row `parent.1`, in the order recorded.
    fn rows(
        &mut self,
        sql: &mut Sql,
        shape: Shape,
        table: &str,
        parent: (&str, &str),
        condition: Option<&str>,
        field: &Group<'a>,
    ) -> Option<()> {
        self.rows_ordered(sql, shape, table, parent, condition, "id", field)
    }

    /// Like [`Emitter::rows`], ordered by `order` (columns of `table`, comma-separated).
    #[allow(clippy::too_many_arguments)]
    fn rows_ordered(
        &mut self,
        sql: &mut Sql,
        shape: Shape,
        table: &str,
        (column, parent): (&str, &str),
        condition: Option<&str>,
        order: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        let t = self.alias();
        sql.push("COALESCE((SELECT json_agg(");
        self.shape_object(sql, shape, &t, field)?;
        sql.push(" ORDER BY ");
        for (i, key) in order.split(", ").enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push(&t).push(".").push(key);
        }
        sql.push(") FROM ").push(table).push(" ").push(&t).push(" WHERE ").push(&t);
        sql.push(".").push(column).push(" = ").push(parent).push(".id");
        if let Some(condition) = condition {
            sql.push(" AND ").push(&t).push(".").push(condition);
        }
        sql.push("), '[]')");
        Some(())
    }

    /// A nested connection of `node`s under `row`, read with the resolver's default order.
    fn nested(
        &mut self,
        sql: &mut Sql,
        field: &Group<'a>,
        row: &str,
        node: NodeKind,
        spec: &'static ListSpec,
        parent_column: &'static str,
    ) -> Option<()> {
        let ordering = match node {
            NodeKind::Event => event::default_ordering(),
            _ => statement::default_ordering(),
        };
        let args = self.query.arguments(field.field());
        let window = Window::new(&args.page()?, ordering).ok()?;
        let listing = Listing {
            spec,
            window: &window,
            node,
            filter: None,
            parent: Some((parent_column, row)),
        };
        self.connection(sql, field, &listing)
    }

    /// A connection: `totalCount`, `edges`, `nodes` and `pageInfo` over one page of rows,
    /// fetched `size + 1` at a time as the service does, the extra row telling whether
    /// another page follows.
    fn connection(
        &mut self,
        sql: &mut Sql,
        group: &Group<'a>,
        listing: &Listing<'_>,
    ) -> Option<()> {
        let node_name: &'static str = listing.node.into();
        let connection_type = format!("{node_name}Connection");
        let groups = self.query.fields(group.selections(), &connection_type, &[])?;
        // Only `pageInfo` needs to know whether rows lie beyond the page: then one row more
        // is fetched, and each row is numbered to tell it from the page's own.
        let rows = PageRows {
            alias: self.alias(),
            counted: groups.iter().any(|g| g.name() == "pageInfo"),
        };
        sql.push("(SELECT ");
        self.object(sql, &groups, |this, sql, field| match field.name() {
            "__typename" => text(sql, &connection_type),
            "totalCount" => {
                sql.push("(SELECT count(*) FROM ");
                sql.subquery(|sql| conditions(sql, listing));
                sql.push(")");
                Some(())
            }
            "edges" => this.page_list(sql, field, listing, &rows, true),
            "nodes" => this.page_list(sql, field, listing, &rows, false),
            "pageInfo" => this.page_info(sql, field, listing, &rows.alias),
            _ => None,
        })?;
        if groups.iter().any(|g| matches!(g.name(), "edges" | "nodes" | "pageInfo")) {
            let window = listing.window;
            let fetched = window.size() + u64::from(rows.counted);
            sql.push(" FROM (SELECT page.*");
            if rows.counted {
                sql.push(", row_number() OVER (ORDER BY ").push(&window.order_by_output());
                sql.push(") AS rn");
            }
            sql.push(" FROM (");
            sql.subquery(|sql| {
                sql.push("SELECT ").push(listing.spec.columns).push(", ");
                sql.push(window.ordering().key.expr).push(" AS sort_key FROM ");
                conditions(sql, listing);
                window.push_keyset(sql, listing.spec.id);
                sql.push(" ORDER BY ").push(&window.order_by(listing.spec.id)).push(" LIMIT ");
                sql.push(&fetched.to_string());
            });
            // Every value above is an aggregate over the page; GROUP BY () makes that one
            // row even when nothing aggregating was selected.
            sql.push(") page) ").push(&rows.alias).push(" GROUP BY ()");
        }
        sql.push(")");
        Some(())
    }

    /// The page's edges (or nodes), in list order: the ordering's own, whichever way the
    /// page was fetched, without the row fetched to look past the page.
    fn page_list(
        &mut self,
        sql: &mut Sql,
        field: &Group<'a>,
        listing: &Listing<'_>,
        rows: &PageRows,
        edges: bool,
    ) -> Option<()> {
        let (window, t) = (listing.window, rows.alias.as_str());
        sql.push("COALESCE(json_agg(");
        if edges {
            let node_name: &'static str = listing.node.into();
            let edge_type = format!("{node_name}Edge");
            let groups = self.query.fields(field.selections(), &edge_type, &[])?;
            self.object(sql, &groups, |this, sql, part| match part.name() {
                "__typename" => text(sql, &edge_type),
                "cursor" => cursor(sql, window, t),
                "node" => this.shape_object(sql, Shape::Node(listing.node), t, part),
                _ => None,
            })?;
        } else {
            self.shape_object(sql, Shape::Node(listing.node), t, field)?;
        }
        sql.push(" ORDER BY ").push(&window.list_order_output(t)).push(")");
        if rows.counted {
            sql.push(" FILTER (WHERE ").push(t).push(".rn <= ");
            sql.push(&window.size().to_string()).push(")");
        }
        sql.push(", '[]')");
        Some(())
    }

    fn page_info(
        &mut self,
        sql: &mut Sql,
        field: &Group<'a>,
        listing: &Listing<'_>,
        t: &str,
    ) -> Option<()> {
        let window = listing.window;
        let (after, before) = window.has_cursors();
        let groups = self.query.fields(field.selections(), "PageInfo", &[])?;
        self.object(sql, &groups, |_, sql, part| {
            // Rows past the page exist when the fetch found the extra row; rows before it
            // when the page starts at a cursor (the other way round for `last`).
            let more = |sql: &mut Sql| {
                sql.push("(count(*) > ").push(&window.size().to_string()).push(")");
                Some(())
            };
            let literal = |sql: &mut Sql, value: bool| {
                sql.push(if value { "true" } else { "false" });
                Some(())
            };
            match (part.name(), window.backward()) {
                ("__typename", _) => text(sql, "PageInfo"),
                ("hasNextPage", false) | ("hasPreviousPage", true) => more(sql),
                ("hasPreviousPage", false) => literal(sql, after),
                ("hasNextPage", true) => literal(sql, before),
                ("startCursor", _) => edge_cursor(sql, window, t, !window.backward()),
                ("endCursor", _) => edge_cursor(sql, window, t, window.backward()),
                _ => None,
            }
        })
    }
}

/// Whether `name` is a field of `shape` that takes arguments the compiler reads.
fn is_list_field(shape: Shape, name: &str) -> bool {
    matches!(
        (shape, name),
        (Shape::Node(NodeKind::Event), "subEvents" | "statements")
            | (Shape::Node(NodeKind::Actor), "events" | "statements")
    )
}

/// FROM, the list's own condition, its parent and its filter.
fn conditions(sql: &mut Sql, listing: &Listing<'_>) {
    listing.spec.push_from(sql);
    if let Some((column, parent)) = listing.parent {
        sql.and().push(column).push(" = ").push(parent).push(".id");
    }
    if let Some(filter) = listing.filter {
        filter.push(sql);
    }
}

/// The cursor of the first (`first_in_fetch_order`) or last page row in fetch order.
fn edge_cursor(sql: &mut Sql, window: &Window, t: &str, first_in_fetch_order: bool) -> Option<()> {
    sql.push("(array_agg(");
    cursor(sql, window, t)?;
    sql.push(" ORDER BY ").push(t).push(".rn");
    sql.push(if first_in_fetch_order { "" } else { " DESC" });
    sql.push(") FILTER (WHERE ").push(t).push(".rn <= ").push(&window.size().to_string());
    sql.push("))[1]");
    Some(())
}

/// A row's cursor, written as the service writes it: the URL-safe unpadded base64 of
/// `["key","d",value,id]`.
fn cursor(sql: &mut Sql, window: &Window, t: &str) -> Option<()> {
    let prefix = window.ordering().cursor_prefix();
    // Sort-key names are identifiers written in this crate; a quote would break the literal.
    if prefix.contains('\'') {
        return None;
    }
    sql.push("rtrim(translate(encode(convert_to('").push(&prefix).push("' || ");
    match window.ordering().key.kind {
        KeyKind::Date | KeyKind::Text => sql.push("to_json(").push(t).push(".sort_key)::text"),
        KeyKind::Int => sql.push(t).push(".sort_key::text"),
    };
    sql.push(" || ',' || ").push(t).push(".id || ']', 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')");
    Some(())
}

/// A node's global ID: the URL-safe unpadded base64 of `Type:id`, as `id::encode` writes it.
/// `encode` breaks lines every 76 characters, so line breaks are dropped too.
fn global_id(sql: &mut Sql, kind: NodeKind, row: &str) -> Option<()> {
    let name: &'static str = kind.into();
    sql.push("rtrim(translate(encode(convert_to('").push(name).push(":' || ").push(row);
    sql.push(".id, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')");
    Some(())
}

fn column(sql: &mut Sql, row: &str, column: &str) -> Option<()> {
    sql.push(row).push(".").push(column);
    Some(())
}

/// A fixed string, such as a `__typename`; the names are this crate's own.
fn text(sql: &mut Sql, value: &str) -> Option<()> {
    sql.push("'").push(value).push("'::text");
    Some(())
}
