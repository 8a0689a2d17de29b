//! Keyset pagination shared by every list.
//!
//! A page is cut by the position of a row in its ordering (the sort key, then the id as a
//! tie-breaker), never by an offset: a cursor keeps pointing at the same place when rows are
//! inserted before it, and page 200 costs what page 1 costs. Cursors are opaque to clients but
//! carry the ordering they were made for, so a cursor used with another ordering is refused.

use super::search::Relevance;
use super::sql::Sql;
use crate::error::AppError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QueryResult};
use serde_json::{json, Value as Json};
use std::collections::HashMap;

/// Rows per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a client may ask for; larger requests are refused, not cut.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The most records fetched by ID at once, the same bound as a page.
pub const MAX_NODES: usize = MAX_PAGE_SIZE as usize;

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl Direction {
    fn flip(self) -> Self {
        match self {
            Direction::Asc => Direction::Desc,
            Direction::Desc => Direction::Asc,
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// The type of a sort key's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// A calendar date.
    Date,
    /// Text.
    Text,
    /// A 32-bit integer.
    Int,
    /// How well a row matches a full-text search ([`Window::ranked`] carries the search).
    /// Computed per row, so the key is the subquery's output column `sort_key`.
    Score,
}

/// A key a list can be sorted by: a fixed SQL expression and the name cursors carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// Short name written into cursors.
    pub name: &'static str,
    /// The SQL expression over the list's table alias. Never NULL: nullable columns are
    /// wrapped in COALESCE so that keyset comparisons stay total.
    pub expr: &'static str,
    /// What the expression yields.
    pub kind: KeyKind,
}

/// The key of a list ordered by relevance to a search ([`Window::ranked`]): the score its
/// subquery computes per row.
pub const RELEVANCE: SortKey =
    SortKey { name: "relevance", expr: "sort_key", kind: KeyKind::Score };

/// A sort key and a direction; the row id breaks ties in the same direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ordering {
    /// What to sort by.
    pub key: SortKey,
    /// Which way.
    pub direction: Direction,
}

/// A value of a sort key, as read from a row or a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyValue {
    /// A date key's value.
    Date(NaiveDate),
    /// A text key's value.
    Text(String),
    /// An integer key's value.
    Int(i32),
    /// A relevance score's value, as the bits of its `f64` (so that positions hash).
    Score(u64),
}

impl KeyValue {
    fn to_json(&self) -> Json {
        match self {
            KeyValue::Date(date) => json!(date.format("%Y-%m-%d").to_string()),
            KeyValue::Text(text) => json!(text),
            KeyValue::Int(n) => json!(n),
            KeyValue::Score(bits) => json!(f64::from_bits(*bits)),
        }
    }

    fn from_json(kind: KeyKind, value: &Json) -> Option<Self> {
        match kind {
            KeyKind::Date => value.as_str()?.parse().ok().map(KeyValue::Date),
            KeyKind::Text => value.as_str().map(|s| KeyValue::Text(s.to_owned())),
            KeyKind::Int => i32::try_from(value.as_i64()?).ok().map(KeyValue::Int),
            KeyKind::Score => {
                value.as_f64().filter(|x| x.is_finite()).map(|x| KeyValue::Score(x.to_bits()))
            }
        }
    }

    fn read(kind: KeyKind, row: &QueryResult) -> Result<Self, sea_orm::DbErr> {
        Ok(match kind {
            KeyKind::Date => KeyValue::Date(row.try_get("", "sort_key")?),
            KeyKind::Text => KeyValue::Text(row.try_get("", "sort_key")?),
            KeyKind::Int => KeyValue::Int(row.try_get("", "sort_key")?),
            KeyKind::Score => KeyValue::Score(row.try_get::<f64>("", "sort_key")?.to_bits()),
        })
    }

    fn bind(&self, sql: &mut Sql) {
        match self {
            KeyValue::Date(date) => sql.bind(*date),
            KeyValue::Text(text) => sql.bind(text.clone()),
            KeyValue::Int(n) => sql.bind(*n),
            KeyValue::Score(bits) => sql.bind(f64::from_bits(*bits)),
        };
    }
}

/// Where a row sits in an ordering.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// The row's sort-key value.
    pub key: KeyValue,
    /// The row id, the tie-breaker.
    pub id: i32,
}

/// Relay pagination arguments as the client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    /// Rows after `after`, from the start.
    pub first: Option<i32>,
    /// Cursor to start after.
    pub after: Option<String>,
    /// Rows before `before`, from the end.
    pub last: Option<i32>,
    /// Cursor to end before.
    pub before: Option<String>,
}

/// A validated request for one page of an ordered list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    ordering: Ordering,
    size: u64,
    backward: bool,
    after: Option<Position>,
    before: Option<Position>,
    relevance: Option<Relevance>,
}

/// One page of rows, each with its cursor.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The rows in list order, each with the cursor that points at it.
    pub items: Vec<(String, T)>,
    /// Whether rows exist before the first one returned.
    pub has_previous: bool,
    /// Whether rows exist after the last one returned.
    pub has_next: bool,
}

/// The page size argument `name` asks for: the default when absent, refused when negative or
/// past [`MAX_PAGE_SIZE`].
///
/// # Errors
/// `INVALID_PAGINATION`, naming the argument.
pub fn page_size(name: &str, requested: Option<i32>) -> Result<u64, AppError> {
    match requested {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 => {
            Err(AppError::InvalidPagination(format!("`{name}` cannot be negative")))
        }
        Some(n) if n as u64 > MAX_PAGE_SIZE => Err(AppError::InvalidPagination(format!(
            "`{name}` is {n}, but at most {MAX_PAGE_SIZE} rows can be requested at once; page with cursors"
        ))),
        Some(n) => Ok(n as u64),
    }
}

impl Window {
    /// Checks the client's arguments against the limits and decodes its cursors.
    ///
    /// # Errors
    /// `INVALID_PAGINATION` for negative or oversized pages or `first` with `last`;
    /// `INVALID_CURSOR` for a cursor not issued for this ordering.
    pub fn new(args: &PageArgs, ordering: Ordering) -> Result<Self, AppError> {
        let (requested, name, backward) = match (args.first, args.last) {
            (Some(_), Some(_)) => {
                return Err(AppError::InvalidPagination(
                    "pass `first` or `last`, not both".to_owned(),
                ))
            }
            (None, Some(last)) => (Some(last), "last", true),
            (first, None) => (first, "first", false),
        };
        let size = page_size(name, requested)?;
        let decode = |cursor: &Option<String>| {
            cursor.as_deref().map(|c| decode_cursor(c, &ordering)).transpose()
        };
        Ok(Window {
            ordering,
            size,
            backward,
            after: decode(&args.after)?,
            before: decode(&args.before)?,
            relevance: None,
        })
    }

    /// [`Window::new`] for a list that may be ordered by relevance to the full-text search
    /// `relevance`, which the list's filter also applies.
    ///
    /// # Errors
    /// As [`Window::new`]; `BAD_USER_INPUT` (path `orderBy`) for an ordering by relevance
    /// without a search.
    pub fn ranked(
        args: &PageArgs,
        ordering: Ordering,
        relevance: Option<Relevance>,
    ) -> Result<Self, AppError> {
        let mut window = Window::new(args, ordering)?;
        if ordering.key.kind == KeyKind::Score {
            window.relevance = Some(relevance.ok_or_else(|| {
                AppError::invalid_input(
                    "orderBy",
                    "ordering by RELEVANCE needs a full-text `search` in the filter",
                )
            })?);
        }
        Ok(window)
    }

    /// Whether the page is ordered by relevance to a search, a key computed per row.
    pub(crate) fn is_ranked(&self) -> bool {
        self.relevance.is_some()
    }

    /// Rows on a full page.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Whether the page is counted back from the end (`last`/`before`).
    pub(crate) fn backward(&self) -> bool {
        self.backward
    }

    /// Whether the page starts after a cursor / ends before one.
    pub(crate) fn has_cursors(&self) -> (bool, bool) {
        (self.after.is_some(), self.before.is_some())
    }

    /// The ordering the page is cut from.
    pub(crate) fn ordering(&self) -> &Ordering {
        &self.ordering
    }

    /// Appends the conditions that keep rows after `after` and before `before`.
    pub(crate) fn push_keyset(&self, sql: &mut Sql, id_expr: &str) {
        let key = self.ordering.key.expr;
        let bounds = [
            (&self.after, self.ordering.direction),
            (&self.before, self.ordering.direction.flip()),
        ];
        for (position, direction) in bounds {
            let Some(position) = position else { continue };
            let (op, op_or_equal) =
                if direction == Direction::Asc { (" > ", " >= ") } else { (" < ", " <= ") };
            // The leading `key <= v` is implied by what follows, but only it lets the database
            // start the index scan at the cursor instead of reading and dropping the rows
            // before it: page 200 then costs what page 1 costs.
            sql.and().push("(").push(key).push(op_or_equal);
            position.key.bind(sql);
            sql.push(" AND (").push(key).push(op);
            position.key.bind(sql);
            sql.push(" OR (").push(key).push(" = ");
            position.key.bind(sql);
            sql.push(" AND ").push(id_expr).push(op).bind(position.id).push(")))");
        }
    }

    /// The ORDER BY list that fetches the page: reversed for a backward page.
    pub(crate) fn order_by(&self, id_expr: &str) -> String {
        let direction =
            if self.backward { self.ordering.direction.flip() } else { self.ordering.direction };
        format!("{} {dir}, {id_expr} {dir}", self.ordering.key.expr, dir = direction.sql())
    }

    /// The same order as [`Window::order_by`], over the output columns of a subquery.
    pub(crate) fn order_by_output(&self) -> String {
        let direction =
            if self.backward { self.ordering.direction.flip() } else { self.ordering.direction };
        format!("sort_key {dir}, id {dir}", dir = direction.sql())
    }

    /// The order rows are listed in (the ordering's own, whichever way the page was
    /// fetched), over the output columns of a subquery aliased `alias`.
    pub(crate) fn list_order_output(&self, alias: &str) -> String {
        format!("{alias}.sort_key {dir}, {alias}.id {dir}", dir = self.ordering.direction.sql())
    }

    /// Turns rows fetched one beyond the page size into a page.
    fn assemble<M: FromQueryResult>(&self, rows: Vec<QueryResult>) -> Result<Page<M>, AppError> {
        let has_more = rows.len() as u64 > self.size;
        let mut items = Vec::with_capacity(rows.len().min(self.size as usize));
        for row in rows.iter().take(self.size as usize) {
            let position = Position {
                key: KeyValue::read(self.ordering.key.kind, row)?,
                id: row.try_get("", "id")?,
            };
            items.push((encode_cursor(&self.ordering, &position), M::from_query_result(row, "")?));
        }
        if self.backward {
            items.reverse();
            Ok(Page { items, has_previous: has_more, has_next: self.before.is_some() })
        } else {
            Ok(Page { items, has_previous: self.after.is_some(), has_next: has_more })
        }
    }
}

/// The cursor pointing at `position` in `ordering`: the URL-safe unpadded base64 of
/// `["key","d",value,id]`. [`Ordering::cursor_sql`] is the same in SQL.
pub fn encode_cursor(ordering: &Ordering, position: &Position) -> String {
    let payload =
        json!([ordering.key.name, ordering.direction_code(), position.key.to_json(), position.id]);
    URL_SAFE_NO_PAD.encode(payload.to_string())
}

impl Ordering {
    fn direction_code(&self) -> &'static str {
        if self.direction == Direction::Asc {
            "a"
        } else {
            "d"
        }
    }

    /// The cursor of a row whose sort key is `key_expr` and id `id_expr`, computed by
    /// PostgreSQL as [`encode_cursor`] computes it in Rust: the compiled-read path writes
    /// cursors in SQL.
    pub fn cursor_sql(&self, key_expr: &str, id_expr: &str) -> String {
        let name = Json::from(self.key.name).to_string();
        // Sort-key names are identifiers written in this crate; doubling quotes keeps the
        // literal whole whatever they hold.
        let prefix = format!("[{name},\"{}\",", self.direction_code()).replace('\'', "''");
        let value = match self.key.kind {
            KeyKind::Date | KeyKind::Text => format!("to_json({key_expr})::text"),
            // Scores are never written by SQL: the compiler leaves ranked lists to the
            // resolvers, since PostgreSQL spells some floats unlike serde (`1e-05`, `1e-5`).
            KeyKind::Int | KeyKind::Score => format!("({key_expr})::text"),
        };
        format!(
            "rtrim(translate(encode(convert_to('{prefix}' || {value} || ',' || {id_expr} || ']', \
             'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
        )
    }
}

/// The position `cursor` points at in `ordering`.
///
/// # Errors
/// `INVALID_CURSOR` for a cursor not issued for `ordering`.
pub fn decode_cursor(cursor: &str, ordering: &Ordering) -> Result<Position, AppError> {
    let invalid = || AppError::InvalidCursor(cursor.to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let payload: Json = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    match payload.as_array().map(Vec::as_slice) {
        Some([name, dir, key, id])
            if name == ordering.key.name && dir == ordering.direction_code() =>
        {
            Ok(Position {
                key: KeyValue::from_json(ordering.key.kind, key).ok_or_else(invalid)?,
                id: id.as_i64().and_then(|id| i32::try_from(id).ok()).ok_or_else(invalid)?,
            })
        }
        _ => Err(invalid()),
    }
}

/// What a list selects from: fixed SQL written in this crate.
#[derive(Clone, Copy, Debug)]
pub struct ListSpec {
    /// The FROM clause, with the table alias the sort keys use.
    pub from: &'static str,
    /// The selected columns, which must include the row's `id`.
    pub columns: &'static str,
    /// The qualified id column, the tie-breaker of every ordering.
    pub id: &'static str,
    /// A condition every listed row meets, such as not being archived.
    pub condition: Option<&'static str>,
}

impl ListSpec {
    /// Appends the FROM clause and the spec's own condition.
    pub(crate) fn push_from(&self, sql: &mut Sql) {
        sql.push(self.from);
        if let Some(condition) = self.condition {
            sql.and().push(condition);
        }
    }
}

/// The conditions a filter adds to a list's statement.
pub trait Filter {
    /// Appends the filter's conditions, each after [`Sql::and`].
    fn push(&self, sql: &mut Sql);

    /// Appends an expression worth the number of rows the filter selects, read from counts
    /// the write path keeps, and returns `true`; or appends nothing and returns `false` when
    /// no kept count holds the answer and the rows must be counted.
    fn push_kept_count(&self, _sql: &mut Sql) -> bool {
        false
    }
}

/// Fetches one page of a filtered list in a single statement.
pub async fn fetch_page<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    filter: impl Fn(&mut Sql),
    window: &Window,
) -> Result<Page<M>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    let id = if let Some(relevance) = &window.relevance {
        // The score is computed once per matching row in a subquery; the page is cut and
        // ordered on its output.
        sql.push("SELECT * FROM (SELECT ").push(spec.columns).push(", ");
        relevance.push_score(&mut sql);
        sql.push(" AS sort_key FROM ");
        sql.subquery(|sql| {
            relevance.push_source(sql);
            spec.push_from(sql);
            relevance.push_condition(sql);
            filter(sql);
        });
        sql.push(") ranked");
        "ranked.id"
    } else {
        sql.push("SELECT ").push(spec.columns).push(", ").push(window.ordering.key.expr);
        sql.push(" AS sort_key FROM ");
        spec.push_from(&mut sql);
        filter(&mut sql);
        spec.id
    };
    window.push_keyset(&mut sql, id);
    sql.push(" ORDER BY ").push(&window.order_by(id)).push(" LIMIT ").bind(window.size as i64 + 1);
    let rows = db.query_all_raw(sql.build()).await?;
    window.assemble(rows)
}

/// Counts the rows of a filtered list.
pub async fn count(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    filter: &(dyn Filter + Sync),
) -> Result<i64, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ");
    if filter.push_kept_count(&mut sql) {
        sql.push(" AS n");
    } else {
        sql.push("COUNT(*) AS n FROM ");
        spec.push_from(&mut sql);
        filter.push(&mut sql);
    }
    let row = db
        .query_one_raw(sql.build())
        .await?
        .ok_or_else(|| AppError::internal("COUNT returned no row"))?;
    Ok(row.try_get("", "n")?)
}

/// Fetches the same page of a nested list for many parents in a single statement.
pub async fn fetch_grouped_pages<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    parent_expr: &str,
    parents: &[i32],
    window: &Window,
) -> Result<HashMap<i32, Page<M>>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    if sql.backend() == DbBackend::Postgres {
        // One index-ordered, LIMITed scan per parent: a popular actor's page stops after
        // `size + 1` rows instead of ranking every event the actor ever took part in.
        sql.push("SELECT page.*, parent.id AS parent_key FROM (VALUES ");
        for (i, parent) in parents.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { ", (" }).bind(*parent).push(")");
        }
        sql.push(") AS parent(id) CROSS JOIN LATERAL (SELECT ").push(spec.columns).push(", ");
        sql.push(window.ordering.key.expr).push(" AS sort_key FROM ");
        spec.push_from(&mut sql);
        sql.and().push(parent_expr).push(" = parent.id");
        window.push_keyset(&mut sql, spec.id);
        sql.push(" ORDER BY ").push(&window.order_by(spec.id)).push(" LIMIT ");
        sql.bind(window.size as i64 + 1).push(") page ORDER BY parent_key, ");
        sql.push(&window.order_by_output());
    } else {
        // SQLite has no LATERAL: number the rows per parent and cut at the page size.
        sql.push("SELECT * FROM (SELECT ").push(spec.columns).push(", ");
        sql.push(window.ordering.key.expr).push(" AS sort_key, ").push(parent_expr);
        sql.push(" AS parent_key, ROW_NUMBER() OVER (PARTITION BY ").push(parent_expr);
        sql.push(" ORDER BY ").push(&window.order_by(spec.id)).push(") AS page_rank FROM ");
        spec.push_from(&mut sql);
        sql.and().in_list(parent_expr, parents.iter().copied());
        window.push_keyset(&mut sql, spec.id);
        sql.push(") ranked WHERE page_rank <= ").bind(window.size as i64 + 1);
        sql.push(" ORDER BY parent_key, page_rank");
    }
    let rows = db.query_all_raw(sql.build()).await?;

    let mut grouped: HashMap<i32, Vec<QueryResult>> = HashMap::new();
    for row in rows {
        grouped.entry(row.try_get("", "parent_key")?).or_default().push(row);
    }
    parents
        .iter()
        .map(|parent| {
            // A parent without rows gets the page a root list would give: no rows, and the
            // far side of each cursor still there.
            let page = window.assemble(grouped.remove(parent).unwrap_or_default())?;
            Ok((*parent, page))
        })
        .collect()
}

/// Counts a nested list for many parents in a single statement.
pub async fn count_grouped(
    db: &impl ConnectionTrait,
    spec: &ListSpec,
    parent_expr: &str,
    parents: &[i32],
) -> Result<HashMap<i32, i64>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT ").push(parent_expr).push(" AS parent_key, COUNT(*) AS n FROM ");
    spec.push_from(&mut sql);
    sql.and().in_list(parent_expr, parents.iter().copied());
    sql.push(" GROUP BY ").push(parent_expr);
    let mut counts: HashMap<i32, i64> = parents.iter().map(|p| (*p, 0)).collect();
    for row in db.query_all_raw(sql.build()).await? {
        counts.insert(row.try_get("", "parent_key")?, row.try_get("", "n")?);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BY_DATE: Ordering = Ordering {
        key: SortKey { name: "start", expr: "e.start_date", kind: KeyKind::Date },
        direction: Direction::Desc,
    };

    #[test]
    fn cursors_round_trip_and_refuse_other_orderings() {
        let position =
            Position { key: KeyValue::Date(NaiveDate::from_ymd_opt(2022, 1, 5).unwrap()), id: 7 };
        let cursor = encode_cursor(&BY_DATE, &position);
        assert_eq!(decode_cursor(&cursor, &BY_DATE).unwrap(), position);
        let ascending = Ordering { direction: Direction::Asc, ..BY_DATE };
        assert!(decode_cursor(&cursor, &ascending).is_err());
        assert!(decode_cursor("not-a-cursor", &BY_DATE).is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        let args = |first, last| PageArgs { first, last, ..PageArgs::default() };
        assert_eq!(Window::new(&args(None, None), BY_DATE).unwrap().size, DEFAULT_PAGE_SIZE);
        assert!(Window::new(&args(Some(101), None), BY_DATE).is_err());
        assert!(Window::new(&args(Some(-1), None), BY_DATE).is_err());
        assert!(Window::new(&args(Some(1), Some(1)), BY_DATE).is_err());
        assert!(Window::new(&args(None, Some(100)), BY_DATE).unwrap().backward);
    }
}
