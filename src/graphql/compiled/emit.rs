//! Writing the statement: one `json_build_object` per selected object, a correlated
//! sub-select per relation, and per list the same FROM, filter, keyset condition and order
//! the service layer uses when the resolvers fetch it.
//!
//! What each field reads is what the read-model catalogue (`service::catalogue`) says; the
//! resolvers' loaders read lists from the same entries, and the differential test holds the
//! two engines together.

use super::select::{Group, Query};
use super::{ListRequest, RootLists};
use crate::domain::NodeType;
use crate::graphql::id::{decode, sql_encode};
use crate::service::catalogue::{self, Connection, ObjectType, RowList, Source};
use crate::service::page::{Filter, ListSpec, Window};
use crate::service::sql::Sql;
use async_graphql::parser::types::SelectionSet;
use async_graphql::ID;

/// Most key/value pairs one `json_build_object` takes: PostgreSQL functions take at most 100
/// arguments. A wider selection is left to the resolvers.
const MAX_PAIRS: usize = 50;

/// The interfaces an object type implements, for fragments on them.
fn interfaces(object: &ObjectType) -> &'static [&'static str] {
    if object.node.is_some() {
        &["Node"]
    } else {
        &[]
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
    node: NodeType,
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
    roots: RootLists,
    aliases: usize,
}

impl<'a> Emitter<'a> {
    pub fn new(query: Query<'a>, roots: RootLists) -> Self {
        Emitter { query, roots, aliases: 0 }
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
        if groups.is_empty() {
            // Every root field skipped: the spec's answer is an empty object.
            sql.push("json_build_object()");
        } else {
            self.object(sql, &groups, |this, sql, group| this.root_field(sql, group))?;
        }
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
                if ids.len() > crate::service::page::MAX_NODES {
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
                let list = (self.roots)(name, &args)?;
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
        kind: NodeType,
        row: i32,
    ) -> Option<()> {
        let t = self.alias();
        let object = catalogue::node(kind);
        sql.push("(SELECT ");
        self.shape_object(sql, object, &t, group)?;
        sql.push(" FROM ").push(object.table).push(" ").push(&t);
        sql.push(" WHERE ").push(&t).push(".id = ");
        if kind == NodeType::Actor {
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
            sql.push(&crate::service::actor::MAX_MERGE_HOPS.to_string());
            sql.push(") SELECT id FROM chain ORDER BY hops DESC LIMIT 1) END");
        } else {
            sql.bind(row);
        }
        sql.push(")");
        Some(())
    }

    /// The object of type `object` read from row alias `row`, with what `group` selects on
    /// it, each field as the catalogue says.
    fn shape_object(
        &mut self,
        sql: &mut Sql,
        object: &'static ObjectType,
        row: &str,
        group: &Group<'a>,
    ) -> Option<()> {
        let groups = self.query.fields(group.selections(), object.name, interfaces(object))?;
        self.object(sql, &groups, |this, sql, field| {
            if field.name() == "__typename" {
                return text(sql, object.name);
            }
            let source = object.field(field.name())?.source;
            // Only connections take arguments the compiler reads.
            if !field.field().arguments.is_empty() && !matches!(source, Source::Connection(_)) {
                return None;
            }
            this.field(sql, object, source, row, field)
        })
    }

    /// The value of one field of `object`, read from row alias `row`.
    fn field(
        &mut self,
        sql: &mut Sql,
        object: &'static ObjectType,
        source: Source,
        row: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        match source {
            Source::GlobalId => {
                sql.push(&sql_encode(object.node?, &format!("{row}.id")));
                Some(())
            }
            Source::Column(name) => column(sql, row, name),
            Source::Embedded { object: embedded, present_when } => {
                sql.push("CASE WHEN ");
                for (i, name) in present_when.iter().enumerate() {
                    sql.push(if i == 0 { "" } else { " AND " });
                    sql.push(row).push(".").push(name).push(" IS NOT NULL");
                }
                sql.push(" THEN ");
                self.shape_object(sql, catalogue::object(embedded)?, row, field)?;
                sql.push(" END");
                Some(())
            }
            Source::ToOne { node, column } => self.related(sql, node, row, column, field),
            Source::ToMany(list) => {
                let t = self.alias();
                let element = catalogue::object(list.object)?;
                self.aggregate(sql, list, row, &t, None, |this, sql| {
                    this.shape_object(sql, element, &t, field)
                })
            }
            Source::Values(list, name) => {
                let t = self.alias();
                self.aggregate(sql, list, row, &t, None, |_, sql| column(sql, &t, name))
            }
            Source::Through { list, node, column } => {
                let t = self.alias();
                let target = format!("{t}_node");
                let object = catalogue::node(node);
                self.aggregate(
                    sql,
                    list,
                    row,
                    &t,
                    Some((object.table, &target, column)),
                    |this, sql| this.shape_object(sql, object, &target, field),
                )
            }
            Source::Connection(connection) => self.nested(sql, field, row, connection),
            Source::ResolverOnly(_) => None,
        }
    }

    /// The node `row.column` names, or null.
    fn related(
        &mut self,
        sql: &mut Sql,
        kind: NodeType,
        row: &str,
        column: &str,
        field: &Group<'a>,
    ) -> Option<()> {
        let t = self.alias();
        let object = catalogue::node(kind);
        sql.push("(SELECT ");
        self.shape_object(sql, object, &t, field)?;
        sql.push(" FROM ").push(object.table).push(" ").push(&t).push(" WHERE ").push(&t);
        sql.push(".id = ").push(row).push(".").push(column).push(")");
        Some(())
    }

    /// `json_agg` of `element` over the rows of `list` under the row `parent`, aliased `t`,
    /// in the list's order; `[]` when there are none. With `join`, each row is joined to the
    /// row of `join.0` (aliased `join.1`) that its column `join.2` names.
    fn aggregate(
        &mut self,
        sql: &mut Sql,
        list: &RowList,
        parent: &str,
        t: &str,
        join: Option<(&str, &str, &str)>,
        element: impl FnOnce(&mut Self, &mut Sql) -> Option<()>,
    ) -> Option<()> {
        sql.push("COALESCE((SELECT json_agg(");
        element(self, sql)?;
        sql.push(" ORDER BY ");
        for (i, key) in list.order.iter().enumerate() {
            sql.push(if i == 0 { "" } else { ", " }).push(t).push(".").push(key);
        }
        sql.push(") FROM ").push(list.table).push(" ").push(t);
        if let Some((table, alias, column)) = join {
            sql.push(" JOIN ").push(table).push(" ").push(alias).push(" ON ").push(alias);
            sql.push(".id = ").push(t).push(".").push(column);
        }
        sql.push(" WHERE ").push(t).push(".").push(list.parent).push(" = ").push(parent);
        sql.push(".id");
        if let Some(condition) = list.condition {
            sql.push(" AND ").push(t).push(".").push(condition);
        }
        sql.push("), '[]')");
        Some(())
    }

    /// A nested connection under `row`, read with the list's one ordering.
    fn nested(
        &mut self,
        sql: &mut Sql,
        field: &Group<'a>,
        row: &str,
        connection: &'static Connection,
    ) -> Option<()> {
        let args = self.query.arguments(field.field());
        let window = Window::new(&args.page()?, (connection.ordering)()).ok()?;
        let listing = Listing {
            spec: connection.list,
            window: &window,
            node: connection.node,
            filter: None,
            parent: Some((connection.parent, row)),
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
        let connection_type = format!("{}Connection", listing.node.type_name());
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
                let kept = listing.parent.is_none()
                    && listing.filter.is_some_and(|filter| filter.push_kept_count(sql));
                if !kept {
                    sql.push("(SELECT count(*) FROM ");
                    sql.subquery(|sql| conditions(sql, listing));
                    sql.push(")");
                }
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
            let edge_type = format!("{}Edge", listing.node.type_name());
            let groups = self.query.fields(field.selections(), &edge_type, &[])?;
            self.object(sql, &groups, |this, sql, part| match part.name() {
                "__typename" => text(sql, &edge_type),
                "cursor" => cursor(sql, window, t),
                "node" => this.shape_object(sql, catalogue::node(listing.node), t, part),
                _ => None,
            })?;
        } else {
            self.shape_object(sql, catalogue::node(listing.node), t, field)?;
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

/// A page row's cursor, as the service writes it.
fn cursor(sql: &mut Sql, window: &Window, t: &str) -> Option<()> {
    sql.push(&window.ordering().cursor_sql(&format!("{t}.sort_key"), &format!("{t}.id")));
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
