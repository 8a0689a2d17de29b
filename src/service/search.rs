//! Full-text search over events, statements, actors (names and aliases) and sources, ranked
//! by relevance, with the matches marked in each hit's fields. PostgreSQL reads the query with
//! `websearch_to_tsquery` against each table's generated `search` column; SQLite reads the same
//! query (parsed in `domain::search`) in FTS5's syntax against each table's FTS5 index.

use super::event::EventFilter;
use super::page::Filter;
use super::sql::Sql;
use crate::domain::search::{only_words, segments, Query, MATCH_END, MATCH_START};
use crate::domain::NodeType;
use crate::error::AppError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;
use std::collections::HashMap;

/// What can be searched.
pub const SEARCHABLE: [NodeType; 4] =
    [NodeType::Event, NodeType::Statement, NodeType::Actor, NodeType::Source];

/// Fields as `(name in the answer, column)`.
type Fields = &'static [(&'static str, &'static str)];

/// One searched table: the node type, its table and alias, its FTS5 table on SQLite, the
/// fields searched (and highlighted) and which rows are live.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Table {
    node: NodeType,
    table: &'static str,
    alias: &'static str,
    fields: Fields,
    live: &'static str,
}

static TABLES: [Table; 4] = [
    Table {
        node: NodeType::Event,
        table: "events",
        alias: "e",
        fields: &[("title", "title"), ("summary", "summary"), ("place", "place")],
        live: "e.archived_at IS NULL",
    },
    Table {
        node: NodeType::Statement,
        table: "statements",
        alias: "s",
        fields: &[("text", "text")],
        live: "s.archived_at IS NULL",
    },
    Table {
        node: NodeType::Actor,
        table: "actors",
        alias: "a",
        fields: &[("name", "name")],
        live: "a.archived_at IS NULL AND a.merged_into_id IS NULL",
    },
    Table {
        node: NodeType::Source,
        table: "sources",
        alias: "so",
        fields: &[("title", "title"), ("publisher", "publisher")],
        live: "so.archived_at IS NULL",
    },
];

/// One field of a hit with its matches marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// The field: `title`, `summary`, `place`, `text`, `name`, `alias`, `publisher`.
    pub field: &'static str,
    /// The field's text in order, each piece marked as a match or not.
    pub segments: Vec<(String, bool)>,
}

/// One record found.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Its type.
    pub node: NodeType,
    /// Its row id.
    pub id: i32,
    /// How well it matches; higher is better. Comparable within one answer only.
    pub score: f64,
    /// Where the next page starts after it.
    pub cursor: String,
    /// Its fields that hold a match.
    pub highlights: Vec<Highlight>,
}

/// One page of hits.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Hits {
    /// Best first.
    pub hits: Vec<Hit>,
    /// Whether more hits follow.
    pub has_next: bool,
    /// Whether every match was ranked: false when a kind had more matches than
    /// [`Wanted::ranked`], of which only the most recently recorded were ranked and listed.
    pub exhaustive: bool,
}

/// Which page of hits, and what of them, a search answers.
#[derive(Clone, Copy, Debug)]
pub struct Wanted<'a> {
    /// How many hits.
    pub first: u64,
    /// The cursor of the hit they follow.
    pub after: Option<&'a str>,
    /// Whether to mark the matches in their fields ([`Hit::highlights`]; empty otherwise).
    pub marked: bool,
    /// How many of the events' and of the statements' matches to rank, the most recently
    /// recorded (highest id) first; every match when `None`. Ranking reads each record it
    /// ranks, so a common word would otherwise read tens of thousands; actors and sources,
    /// far fewer, are always ranked whole.
    pub ranked: Option<u64>,
}

/// Up to how many times as many matches as it ranks a search finds the newest by reading
/// them all (one pass of the index, a few milliseconds per thousand); beyond, through the
/// recency blocks (a pass of the index per block).
const EVERY: u64 = 8;

/// The kinds whose matches a search may rank only the newest of: the large tables.
const BOUNDED: [NodeType; 2] = [NodeType::Event, NodeType::Statement];

/// The kind of the row that says a kind had more matches than were ranked.
const UNRANKED: &str = "UNRANKED";

/// A page of what `text` finds among `kinds` (every searchable kind when empty), events
/// restricted by `filter`: the hits `wanted` asks for. A query with nothing to look for
/// (only operators, punctuation or `-` terms) finds nothing.
///
/// # Errors
/// `INVALID_CURSOR` for a cursor of another search; `BAD_USER_INPUT` for a kind that cannot
/// be searched; `INTERNAL` when the database fails.
pub async fn search(
    db: &impl ConnectionTrait,
    text: &str,
    kinds: &[NodeType],
    filter: &EventFilter,
    wanted: Wanted<'_>,
) -> Result<Hits, AppError> {
    let Wanted { first, after, marked, ranked } = wanted;
    if let Some(kind) = kinds.iter().find(|k| !SEARCHABLE.contains(k)) {
        return Err(AppError::invalid_input(
            "kinds",
            format!("{} records cannot be searched", kind.as_str()),
        ));
    }
    let after = after.map(|cursor| decode(cursor, text, ranked.is_none())).transpose()?;
    let query = Query::parse(text);
    if query.is_empty() || first == 0 {
        return Ok(Hits { exhaustive: true, ..Hits::default() });
    }
    let backend = db.get_database_backend();
    let tables: Vec<&Table> =
        TABLES.iter().filter(|t| kinds.is_empty() || kinds.contains(&t.node)).collect();
    let bounded = |table: &Table| ranked.filter(|_| BOUNDED.contains(&table.node));
    let mut sql = Sql::new(backend);
    sql.push("WITH ");
    if backend == DbBackend::Postgres {
        for table in &tables {
            if let Some(ranked) = bounded(table) {
                sql.subquery(|sql| few(sql, table, text, filter, ranked));
                sql.push(", ");
            }
        }
    }
    sql.push("found AS (");
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.subquery(|sql| match bounded(table) {
            Some(ranked) => newest(sql, table, text, &query, filter, ranked),
            None => {
                sql.push("SELECT kind, id, score, 0 AS n FROM (");
                branch(sql, table, text, &query, filter);
                sql.push(") whole");
            }
        });
    }
    sql.push(") SELECT kind, id, score FROM (SELECT kind, id, score FROM found");
    if let Some(ranked) = ranked {
        sql.push(&format!(" WHERE n <= {ranked}"));
    }
    if let Some((score, kind, id)) = &after {
        sql.push(if ranked.is_some() { " AND " } else { " WHERE " });
        sql.push("(score < ").bind(*score).push(" OR (score = ").bind(*score);
        sql.push(" AND (kind > ").bind(kind.clone()).push(" OR (kind = ").bind(kind.clone());
        sql.push(" AND id < ").bind(*id).push("))))");
    }
    // Equal scores, common among the matches of common words, list the newest first.
    sql.push(" ORDER BY score DESC, kind, id DESC LIMIT ")
        .bind(i64::try_from(first.saturating_add(1)).unwrap_or(i64::MAX));
    sql.push(") page");
    if let Some(ranked) = ranked {
        sql.push(&format!(
            " UNION ALL SELECT kind, id, score FROM (SELECT '{UNRANKED}' AS kind, 0 AS id, \
             CAST(0 AS DOUBLE PRECISION) AS score FROM found WHERE n > {ranked} LIMIT 1) unranked"
        ));
    }
    let rows = db.query_all_raw(sql.build()).await?;
    let mut found = Vec::with_capacity(rows.len());
    let mut exhaustive = true;
    for row in &rows {
        let kind: String = row.try_get("", "kind")?;
        if kind == UNRANKED {
            exhaustive = false;
            continue;
        }
        let node = NodeType::from_db(&kind)?;
        let id: i32 = row.try_get("", "id")?;
        let score: f64 = row.try_get("", "score")?;
        let cursor = encode(text, ranked.is_none(), score, &kind, id);
        found.push((kind, Hit { node, id, score, cursor, highlights: Vec::new() }));
    }
    // The page's order, which the union with the unranked row need not keep.
    found.sort_by(|(a_kind, a), (b_kind, b)| {
        b.score.total_cmp(&a.score).then_with(|| a_kind.cmp(b_kind)).then(b.id.cmp(&a.id))
    });
    let mut hits: Vec<Hit> = found.into_iter().map(|(_, hit)| hit).collect();
    let has_next = hits.len() as u64 > first;
    hits.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    if marked {
        let mut marks = highlights(db, text, &query, &hits).await?;
        for hit in &mut hits {
            hit.highlights = marks.remove(&(hit.node, hit.id)).unwrap_or_default();
        }
    }
    Ok(Hits { hits, has_next, exhaustive })
}

/// The tsquery of `text` on PostgreSQL, as an expression over bound parameters each time it
/// is pushed: stemmed English words, or the words as written. It is a scalar subquery so
/// that it is computed once per statement: in the generic plan of a prepared statement,
/// where the text is a parameter, the functions would otherwise run again for every row
/// matched and ranked (40 against 12 ms for 2,300 matches).
fn push_tsquery(sql: &mut Sql, text: &str) {
    if only_words(text) {
        // The words as written would find nothing the stems do not, and would cost a second
        // pass of the index and of each record ranked (query 9's matches: a median of 5.4
        // against 3.7 ms in psql); they are needed only when every word is a stop word, which
        // the English query drops.
        sql.push("(SELECT CASE WHEN numnode(t.q) > 0 THEN t.q ELSE websearch_to_tsquery(");
        sql.push("'simple', ").bind(text.to_owned()).push(") END FROM (SELECT ");
        sql.push("websearch_to_tsquery('english', ").bind(text.to_owned()).push(") AS q) t)");
    } else {
        sql.push("(SELECT websearch_to_tsquery('english', ").bind(text.to_owned());
        sql.push(") || websearch_to_tsquery('simple', ").bind(text.to_owned()).push("))");
    }
}

/// The score of the row under `table`'s alias on PostgreSQL.
fn push_rank(sql: &mut Sql, table: &Table, text: &str) {
    sql.push("CAST(ts_rank(").push(table.alias).push(".search, ");
    push_tsquery(sql, text);
    sql.push(") AS DOUBLE PRECISION)");
}

/// The conditions on `table`'s rows besides the match: live, and `filter` for events.
fn push_live(sql: &mut Sql, table: &Table, filter: &EventFilter) {
    sql.and().push(table.live);
    if table.node == NodeType::Event {
        filter.push(sql);
    }
}

/// PostgreSQL: `few_<table>`, up to `ranked` × [`EVERY`] + 1 of `table`'s matches, whichever
/// the index gives first, with their rows' addresses: when it holds no more, they are all
/// the matches, and [`newest`] ranks the newest of them; otherwise it reads the newest through
/// the recency blocks, which `size_<table>` sizes. The limits are written into the text, not
/// bound: with a parameter the planner expects a tenth of the rows.
fn few(sql: &mut Sql, table: &Table, text: &str, filter: &EventFilter, ranked: u64) {
    let (name, alias) = (table.table, table.alias);
    // Only the newest `ranked + 1` are ranked, fetched again by their row's address: ranking
    // them all here would cost 6 ms for 8,000 matches, for nothing when the blocks are read.
    sql.push(&format!(
        "few_{name} AS MATERIALIZED (SELECT {alias}.id AS id, {alias}.ctid AS tid \
         FROM {name} {alias}"
    ));
    sql.and().push(alias).push(".search @@ ");
    push_tsquery(sql, text);
    push_live(sql, table, filter);
    sql.push(&format!(" LIMIT {})", ranked * EVERY + 1));
    // `size_<table>`: the block size (`lvl`), about as many ids as the share of the table the
    // bitmap scan read for the first `ranked × EVERY + 1` matches (it reads the table in page
    // order, whatever the order of the ids in it) holds for `ranked + 1`, rounded down to a
    // power of four; and the newest block of that size (`top`).
    sql.push(&format!(
        ", size_{name} AS (SELECT s.lvl, CAST(s.ids AS INTEGER) >> s.lvl AS top FROM (SELECT \
         c.ids, CAST(greatest(12, least(30, 2 * floor(ln(greatest(c.ids * {limit} / c.matches, \
         2)) / ln(4)))) AS INTEGER) AS lvl FROM (SELECT CAST((SELECT max(id) FROM {name}) AS \
         DOUBLE PRECISION) AS ids, {read} * greatest(pg_relation_size('{name}') / \
         current_setting('block_size')::int, 1) / (max((tid::text::point)[0]) + 1) AS matches \
         FROM few_{name}) c) s)",
        limit = ranked + 1,
        read = ranked * EVERY + 1
    ));
}

/// The `ranked + 1` most recently recorded of `table`'s matches (all of them when fewer),
/// numbered from the newest in `n`: `kind`, `id`, `score`, `n`.
///
/// On PostgreSQL, when `few_<table>` found more than `ranked` × [`EVERY`], the index is asked
/// for the matches block by block, newest first, each block a query ANDed with its lexeme,
/// until `ranked + 1` are found. The block size (`size_<table>`) is chosen so that each block
/// holds some hundreds of matches: smaller blocks would each cost a look-up in the index for
/// a handful, larger ones would read thousands of matches to keep a thousand. After sixteen
/// blocks (where the matches thin out among the newest records), one last query reads the
/// older rest. On SQLite FTS5 reads its matches by rowid, newest first.
fn newest(
    sql: &mut Sql,
    table: &Table,
    text: &str,
    query: &Query,
    filter: &EventFilter,
    ranked: u64,
) {
    let (name, alias, kind) = (table.table, table.alias, table.node.as_str());
    let (limit, all) = (ranked + 1, ranked * EVERY);
    sql.push(&format!(
        "SELECT '{kind}' AS kind, r.id AS id, r.score AS score, \
         row_number() OVER (ORDER BY r.id DESC) AS n FROM ("
    ));
    if sql.backend() == DbBackend::Postgres {
        // When `few_<table>` holds every match: the newest, fetched again by address (a TID
        // scan of pages just read) and ranked.
        sql.push(&format!("SELECT {alias}.id AS id, "));
        push_rank(sql, table, text);
        sql.push(&format!(
            " AS score FROM {name} {alias} WHERE {alias}.ctid = ANY(ARRAY(SELECT tid FROM \
             few_{name} ORDER BY id DESC LIMIT {limit})) AND (SELECT count(*) FROM few_{name}) \
             <= {all} UNION ALL "
        ));
        // `blk`: sixteen blocks newest first, each with its lexeme, then the rest (no lexeme),
        // the ids below them.
        sql.push(&format!(
            "SELECT id, score FROM (SELECT x.id, x.score FROM (SELECT o, b, tok, below \
             FROM (SELECT 0 AS o, g.b, CAST('''~' || f.lvl || ' ' || g.b || '''' AS tsquery) AS tok, \
             CAST(NULL AS BIGINT) AS below FROM size_{name} AS f, generate_series(f.top, \
             greatest(f.top - 15, 0), -1) AS g(b) UNION ALL SELECT 1, 0, NULL, \
             CAST(f.top - 15 AS BIGINT) << f.lvl FROM size_{name} AS f WHERE f.top > 15) AS l ORDER BY o, b DESC) \
             AS blk CROSS JOIN LATERAL (SELECT {alias}.id AS id, "
        ));
        push_rank(sql, table, text);
        sql.push(&format!(" AS score FROM {name} {alias}"));
        sql.subquery(|sql| {
            sql.and().push(alias).push(".search @@ CASE WHEN blk.tok IS NULL THEN ");
            push_tsquery(sql, text);
            sql.push(" ELSE ");
            push_tsquery(sql, text);
            sql.push(" && blk.tok END");
            // `+ 0`: the primary key's index would read every id below.
            sql.and().push(&format!("(blk.tok IS NOT NULL OR {alias}.id + 0 < blk.below)"));
            push_live(sql, table, filter);
        });
        sql.push(&format!(
            " ORDER BY {alias}.id DESC) x LIMIT {limit}) blocks \
             WHERE (SELECT count(*) FROM few_{name}) > {all}"
        ));
    } else {
        let fts = format!("{name}_fts");
        sql.push(&format!(
            "SELECT {alias}.id AS id, -bm25({fts}) AS score FROM {fts} \
             JOIN {name} {alias} ON {alias}.id = {fts}.rowid"
        ));
        sql.subquery(|sql| {
            sql.and().push(&format!("{fts} MATCH ")).bind(query.to_fts5());
            push_live(sql, table, filter);
        });
        sql.push(&format!(" ORDER BY {fts}.rowid DESC LIMIT {limit}"));
    }
    sql.push(") r");
}

/// All of one table's hits: `kind`, `id`, `score`.
fn branch(sql: &mut Sql, table: &Table, text: &str, query: &Query, filter: &EventFilter) {
    let (name, alias) = (table.table, table.alias);
    let kind = table.node.as_str();
    match (sql.backend(), table.node) {
        (DbBackend::Postgres, NodeType::Actor) => {
            sql.push("SELECT 'ACTOR' AS kind, a.id AS id, MAX(m.score) AS score FROM (");
            for (i, source) in [("actors", "id"), ("actor_aliases", "actor_id")].iter().enumerate()
            {
                if i > 0 {
                    sql.push(" UNION ALL ");
                }
                sql.push("SELECT ").push(source.1).push(" AS id, CAST(ts_rank(search, ");
                push_tsquery(sql, text);
                sql.push(") AS DOUBLE PRECISION) AS score FROM ").push(source.0);
                sql.push(" WHERE search @@ ");
                push_tsquery(sql, text);
            }
            sql.push(") m JOIN actors a ON a.id = m.id WHERE ").push(table.live);
            sql.push(" GROUP BY a.id");
        }
        (DbBackend::Postgres, _) => {
            sql.push("SELECT '").push(kind).push("' AS kind, ").push(alias).push(".id AS id, ");
            push_rank(sql, table, text);
            sql.push(" AS score FROM ").push(name).push(" ").push(alias);
            sql.and().push(alias).push(".search @@ ");
            push_tsquery(sql, text);
            push_live(sql, table, filter);
        }
        (_, NodeType::Actor) => {
            let fts = query.to_fts5();
            sql.push("SELECT 'ACTOR' AS kind, a.id AS id, MAX(m.score) AS score FROM (");
            sql.push("SELECT rowid AS id, -bm25(actors_fts) AS score FROM actors_fts ");
            sql.push("WHERE actors_fts MATCH ").bind(fts.clone());
            sql.push(" UNION ALL SELECT al.actor_id AS id, -bm25(actor_aliases_fts) AS score ");
            sql.push(
                "FROM actor_aliases_fts JOIN actor_aliases al ON al.id = actor_aliases_fts.rowid ",
            );
            sql.push("WHERE actor_aliases_fts MATCH ").bind(fts);
            sql.push(") m JOIN actors a ON a.id = m.id WHERE ").push(table.live);
            sql.push(" GROUP BY a.id");
        }
        _ => {
            sql.push("SELECT '").push(kind).push("' AS kind, ").push(alias).push(".id AS id, ");
            sql.push("-bm25(")
                .push(name)
                .push("_fts) AS score FROM ")
                .push(name)
                .push("_fts JOIN ");
            sql.push(name).push(" ").push(alias).push(" ON ").push(alias).push(".id = ");
            sql.push(name).push("_fts.rowid");
            sql.and().push(name).push("_fts MATCH ").bind(query.to_fts5());
            push_live(sql, table, filter);
        }
    }
}

/// The marked fields of `hits`, one statement per kind of hit (two for actors).
async fn highlights(
    db: &impl ConnectionTrait,
    text: &str,
    query: &Query,
    hits: &[Hit],
) -> Result<HashMap<(NodeType, i32), Vec<Highlight>>, AppError> {
    let mut marked: HashMap<(NodeType, i32), Vec<Highlight>> = HashMap::new();
    let start = MATCH_START.to_string();
    let end = MATCH_END.to_string();
    let mut targets: Vec<(&Table, &'static str, Fields)> = Vec::new();
    for table in &TABLES {
        targets.push((table, table.table, table.fields));
        if table.node == NodeType::Actor {
            targets.push((table, "actor_aliases", &[("alias", "alias")]));
        }
    }
    for (table, source, fields) in targets {
        let ids: Vec<i32> = hits.iter().filter(|h| h.node == table.node).map(|h| h.id).collect();
        if ids.is_empty() {
            continue;
        }
        let owner = if source == "actor_aliases" { "actor_id" } else { "id" };
        let mut sql = Sql::new(db.get_database_backend());
        match sql.backend() {
            DbBackend::Postgres => {
                sql.push("SELECT t.").push(owner).push(" AS owner");
                for (i, (_, column)) in fields.iter().enumerate() {
                    sql.push(&format!(", ts_headline('english', t.{column}, "));
                    push_tsquery(&mut sql, text);
                    sql.push(", ")
                        .bind(format!("StartSel={start}, StopSel={end}, HighlightAll=true"));
                    sql.push(&format!(") AS h{i}"));
                }
                sql.push(" FROM ").push(source).push(" t WHERE t.search @@ ");
                push_tsquery(&mut sql, text);
                sql.push(" AND ").in_list(&format!("t.{owner}"), ids);
            }
            _ => {
                let fts = format!("{source}_fts");
                sql.push("SELECT t.").push(owner).push(" AS owner");
                for i in 0..fields.len() {
                    sql.push(&format!(", highlight({fts}, {i}, "));
                    sql.bind(start.clone())
                        .push(", ")
                        .bind(end.clone())
                        .push(&format!(") AS h{i}"));
                }
                sql.push(&format!(
                    " FROM {fts} JOIN {source} t ON t.id = {fts}.rowid WHERE {fts} MATCH "
                ));
                sql.bind(query.to_fts5()).push(" AND ").in_list(&format!("t.{owner}"), ids);
            }
        }
        for row in db.query_all_raw(sql.build()).await? {
            let owner: i32 = row.try_get("", "owner")?;
            for (i, (field, _)) in fields.iter().enumerate() {
                let Some(text) = row.try_get::<Option<String>>("", &format!("h{i}"))? else {
                    continue;
                };
                let segments = segments(&text);
                if segments.iter().any(|(_, matched)| *matched) {
                    marked
                        .entry((table.node, owner))
                        .or_default()
                        .push(Highlight { field, segments });
                }
            }
        }
    }
    Ok(marked)
}

/// The cursor after a hit: the search it belongs to (its text and whether it ranked every
/// match, so that another search refuses it), the hit's score, kind and id. The score is
/// written as its bits: a decimal read back may land one unit of precision away, and the
/// next page then starts with the hit it follows.
fn encode(text: &str, exhaustive: bool, score: f64, kind: &str, id: i32) -> String {
    let tag = if exhaustive { "search-all" } else { "search" };
    URL_SAFE_NO_PAD.encode(json!([tag, text, score.to_bits(), kind, id]).to_string())
}

fn decode(cursor: &str, text: &str, exhaustive: bool) -> Result<(f64, String, i32), AppError> {
    let wanted = if exhaustive { "search-all" } else { "search" };
    let invalid = || AppError::InvalidCursor(cursor.to_owned());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let payload: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    match payload.as_array().map(Vec::as_slice) {
        Some([tag, print, score, kind, id]) if tag == wanted && print.as_str() == Some(text) => {
            let kind =
                kind.as_str().filter(|k| NodeType::parse(k).is_some()).ok_or_else(invalid)?;
            Ok((
                f64::from_bits(score.as_u64().ok_or_else(invalid)?),
                kind.to_owned(),
                id.as_i64().and_then(|id| i32::try_from(id).ok()).ok_or_else(invalid)?,
            ))
        }
        _ => Err(invalid()),
    }
}

/// A list ordered by how well its rows match a full-text search: the score `search` gives
/// the same record for the same text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Relevance {
    table: &'static Table,
    text: String,
}

impl Relevance {
    /// Relevance to `text` of the records of `node`'s table (events or statements), listed
    /// under the table's usual alias; `None` for a table that is not searched.
    pub fn new(node: NodeType, text: String) -> Option<Self> {
        let table = TABLES.iter().find(|t| t.node == node)?;
        Some(Relevance { table, text })
    }

    /// Appends the score of the row under the alias: higher is better, as in [`search`].
    /// On SQLite it is read from the rows [`Relevance::push_source`] adds.
    pub(crate) fn push_score(&self, sql: &mut Sql) {
        match sql.backend() {
            DbBackend::Postgres => push_rank(sql, self.table, &self.text),
            _ => {
                sql.push("relevance.score");
            }
        }
    }

    /// Appends, before the list's table, the rows its score is read from: on SQLite the FTS5
    /// matches with their BM25, as the outer loop of a `CROSS JOIN` (SQLite keeps that order),
    /// so that each match looks its row up by id. (BM25 needs its table queried with MATCH;
    /// each row looked up in FTS5 instead cost half a millisecond.) Nothing on PostgreSQL.
    pub(crate) fn push_source(&self, sql: &mut Sql) {
        if sql.backend() == DbBackend::Postgres {
            return;
        }
        let query = Query::parse(&self.text);
        if query.is_empty() {
            // Nothing to look for matches nothing (and an empty MATCH is an FTS5 error).
            sql.push("(SELECT 0 AS id, 0.0 AS score WHERE 1 = 0) relevance CROSS JOIN ");
            return;
        }
        let fts = format!("{}_fts", self.table.table);
        sql.push(&format!(
            "(SELECT rowid AS id, -bm25({fts}) AS score FROM {fts} WHERE {fts} MATCH "
        ));
        sql.bind(query.to_fts5()).push(") relevance CROSS JOIN ");
    }

    /// Appends the condition that ties the list's rows to [`Relevance::push_source`]'s.
    pub(crate) fn push_condition(&self, sql: &mut Sql) {
        if sql.backend() != DbBackend::Postgres {
            sql.and().push("relevance.id = ").push(self.table.alias).push(".id");
        }
    }
}

/// Appends the condition that the record `alias` of `node`'s table (events or statements)
/// matches the search `text`; nothing matches a query with nothing to look for.
pub fn push_matches(sql: &mut Sql, node: NodeType, alias: &str, text: &str) {
    let query = Query::parse(text);
    let Some(table) = TABLES.iter().find(|t| t.node == node) else { return };
    sql.and();
    if query.is_empty() {
        sql.push("1 = 0");
        return;
    }
    match sql.backend() {
        DbBackend::Postgres => {
            sql.push(alias).push(".search @@ ");
            push_tsquery(sql, text);
        }
        _ => {
            let fts = format!("{}_fts", table.table);
            sql.push(alias).push(&format!(".id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH "));
            sql.bind(query.to_fts5()).push(")");
        }
    }
}
