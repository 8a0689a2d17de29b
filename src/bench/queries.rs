//! The representative queries: each one a GraphQL document and the single hand-written
//! PostgreSQL statement that produces the same JSON as the GraphQL `data`.
//!
//! The SQL mirrors the API's semantics exactly:
//! - events are ordered `start_date DESC, id DESC`; statements
//!   `COALESCE(stated_on, '0001-01-01') DESC, id DESC`; the casualty-report list
//!   `COALESCE(as_of, '0001-01-01') DESC, id DESC`; participants, an event's casualty reports
//!   and citations by their row id;
//! - an actor's events are the events it takes part in, once each whatever its roles;
//! - the event date filter is `period_end >= from AND start_date <= to`;
//! - global IDs are the URL-safe, unpadded base64 of `Type:id`;
//! - dates are `YYYY-MM-DD` strings (PostgreSQL writes dates in ISO 8601 in JSON whatever the
//!   `DateStyle`), and enumerations are stored as their GraphQL names;
//! - lists that hold nothing are `[]`, never `null`.
//!
//! Every statement returns one `text` value: the JSON, built by `json_build_object` and
//! `json_agg` (with lateral joins or correlated sub-queries), cast to text.

use super::params::Params;
use sea_orm::sqlx::postgres::PgArguments;
use sea_orm::sqlx::query::QueryScalar;
use sea_orm::sqlx::Postgres;

/// A prepared statement returning one text column, ready to be bound.
pub(crate) type TextQuery<'q> = QueryScalar<'q, Postgres, String, PgArguments>;

/// The SQL for the global ID of a row: `rtrim(translate(encode(convert_to('Event:' || e.id,
/// 'UTF8'), 'base64'), '+/', '-_'), '=')`. `encode` wraps base64 every 76 characters, so the
/// line breaks are dropped too (IDs are far shorter, but the expression stays correct).
macro_rules! global_id {
    ($kind:literal, $column:literal) => {
        concat!(
            "rtrim(translate(encode(convert_to('",
            $kind,
            ":' || ",
            $column,
            ", 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
        )
    };
}

/// One field of a search hit with its matches marked, as the API answers it (`field`, then
/// the text in segments that match or not, adjacent marks joined), or NULL when nothing in it
/// matches: PostgreSQL's `ts_headline` over `$column` with the query `q.q`, split in SQL.
macro_rules! marked_field {
    ($field:literal, $column:literal) => {
        concat!(
            "(SELECT CASE WHEN strpos(m.h, E'\\uE000') > 0 THEN json_build_object('field', '",
            $field,
            "', 'segments', (SELECT json_agg(json_build_object('text', COALESCE(t.p[1], t.p[2]), ",
            "'match', t.p[1] IS NOT NULL) ORDER BY t.n) FROM regexp_matches(m.h, ",
            "E'\\uE000([^\\uE001]+)\\uE001|([^\\uE000]+)', 'g') WITH ORDINALITY t(p, n))) END ",
            "FROM (SELECT replace(ts_headline('english', ",
            $column,
            ", q.q, E'StartSel=\\uE000, StopSel=\\uE001, HighlightAll=true'), ",
            "E'\\uE001\\uE000', '') AS h) m)"
        )
    };
}

/// One of the representative queries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QueryDef {
    /// Its label in the table: `1` to `10`, and `5p1` for the first page of query 5.
    pub label: &'static str,
    /// The number `--queries` selects it by.
    pub number: u8,
    /// What it asks for, in a few words.
    pub description: &'static str,
    /// The GraphQL document sent to the server.
    pub document: &'static str,
    /// The equivalent single PostgreSQL statement; see [`QueryDef::statement`].
    pub sql: &'static str,
}

impl QueryDef {
    /// The SQL for one parameter set: `sql`, except for a page reached by cursor, whose
    /// statement has the keyset condition.
    pub(crate) fn statement(&self, params: &Params) -> &'static str {
        match params {
            Params::TypePage { after: Some(_), .. } => EVENTS_OF_TYPE_AFTER_SQL,
            _ => self.sql,
        }
    }
}

/// Query 1's document, with `$extra` selected on the event after its citations.
macro_rules! event_by_id_document {
    ($extra:literal) => {
        concat!(
            "query EventById($id: ID!) { node(id: $id) { ... on Event { id title \
            participants { role actor { name kind } } \
            statements(first: 20) { edges { node { text speaker { name } } } } \
            casualtyReports { category low high status claimedBy { name } } \
            citations { source { title } } ",
            $extra,
            "} } }"
        )
    };
}

/// Query 1's statement, with `$extra` (`, 'key', value`) added to the event's object.
macro_rules! event_by_id_sql {
    ($extra:expr) => {
        concat!(
            "SELECT json_build_object('node', (SELECT json_build_object(",
            "'id', ",
            global_id!("Event", "e.id"),
            ", 'title', e.title",
            ", 'participants', COALESCE((SELECT json_agg(json_build_object(",
            "'role', p.role, 'actor', json_build_object('name', a.name, 'kind', a.kind)) ORDER BY p.id) ",
            "FROM event_participants p JOIN actors a ON a.id = p.actor_id WHERE p.event_id = e.id), '[]')",
            ", 'statements', json_build_object('edges', COALESCE((SELECT json_agg(json_build_object(",
            "'node', json_build_object('text', s.text, 'speaker', json_build_object('name', sp.name))) ",
            "ORDER BY s.sort_key DESC, s.id DESC) ",
            "FROM (SELECT s.id, s.text, s.speaker_id, COALESCE(s.stated_on, '0001-01-01') AS sort_key ",
            "FROM statements s WHERE s.event_id = e.id AND s.archived_at IS NULL ",
            "ORDER BY COALESCE(s.stated_on, '0001-01-01') DESC, s.id DESC LIMIT 20) s ",
            "JOIN actors sp ON sp.id = s.speaker_id), '[]'))",
            ", 'casualtyReports', COALESCE((SELECT json_agg(json_build_object(",
            "'category', c.category, 'low', c.low, 'high', c.high, 'status', c.status, ",
            "'claimedBy', (SELECT json_build_object('name', ca.name) FROM actors ca WHERE ca.id = c.claimed_by_id)) ",
            "ORDER BY c.id) FROM casualty_reports c WHERE c.event_id = e.id AND c.archived_at IS NULL), '[]')",
            ", 'citations', COALESCE((SELECT json_agg(json_build_object(",
            "'source', json_build_object('title', src.title)) ORDER BY ci.id) ",
            "FROM citations ci JOIN sources src ON src.id = ci.source_id WHERE ci.event_id = e.id), '[]')",
            $extra,
            ") FROM events e WHERE e.id = $1))::text"
        )
    };
}

/// 1: one event by id, with its participants, statements, casualty reports and citations.
pub(crate) const EVENT_BY_ID: QueryDef = QueryDef {
    label: "1",
    number: 1,
    description: "one event by id with participants, 20 statements, casualty reports, citations",
    document: event_by_id_document!(""),
    sql: event_by_id_sql!(""),
};

/// 2: the latest 50 events, with their participants and casualty reports.
pub(crate) const LATEST_EVENTS: QueryDef = QueryDef {
    label: "2",
    number: 2,
    description: "latest 50 events with participants and casualty reports",
    document: "query LatestEvents { events(first: 50) { edges { node { id title \
        participants { actor { name } } casualtyReports { category low high status } } } } }",
    sql: concat!(
        "SELECT json_build_object('events', json_build_object('edges', COALESCE(json_agg(",
        "json_build_object('node', json_build_object('id', ",
        global_id!("Event", "e.id"),
        ", 'title', e.title, 'participants', COALESCE(pa.list, '[]'), ",
        "'casualtyReports', COALESCE(cr.list, '[]'))) ORDER BY e.start_date DESC, e.id DESC), '[]')))::text ",
        "FROM (SELECT id, title, start_date FROM events WHERE archived_at IS NULL ",
        "ORDER BY start_date DESC, id DESC LIMIT 50) e ",
        "LEFT JOIN LATERAL (SELECT json_agg(json_build_object('actor', json_build_object('name', a.name)) ",
        "ORDER BY p.id) AS list FROM event_participants p JOIN actors a ON a.id = p.actor_id ",
        "WHERE p.event_id = e.id) pa ON true ",
        "LEFT JOIN LATERAL (SELECT json_agg(json_build_object('category', c.category, 'low', c.low, ",
        "'high', c.high, 'status', c.status) ORDER BY c.id) AS list FROM casualty_reports c ",
        "WHERE c.event_id = e.id AND c.archived_at IS NULL) cr ON true"
    ),
};

/// 3: events in one country over one year, counted, and the first 20.
pub(crate) const EVENTS_BY_COUNTRY_AND_YEAR: QueryDef = QueryDef {
    label: "3",
    number: 3,
    description: "events filtered by country and a one-year range: totalCount + first 20",
    document: "query EventsByCountryAndYear($country: String!, $from: Date!, $to: Date!) { \
        events(filter: {countryCodes: [$country], from: $from, to: $to}, first: 20) { \
        totalCount edges { node { id title startDate } } } }",
    sql: concat!(
        "SELECT json_build_object('events', json_build_object(",
        "'totalCount', (SELECT count(*) FROM events e ",
        "WHERE e.country_code = $1 AND e.period_end >= $2 AND e.start_date <= $3 ",
        "AND e.archived_at IS NULL), ",
        "'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', ",
        global_id!("Event", "e.id"),
        ", 'title', e.title, 'startDate', e.start_date)) ORDER BY e.start_date DESC, e.id DESC) ",
        "FROM (SELECT e.id, e.title, e.start_date FROM events e ",
        "WHERE e.country_code = $1 AND e.period_end >= $2 AND e.start_date <= $3 ",
        "AND e.archived_at IS NULL ORDER BY e.start_date DESC, e.id DESC LIMIT 20) e), '[]')))::text"
    ),
};

/// 4: one actor with its latest 20 events and 20 statements.
pub(crate) const ACTOR_BY_ID: QueryDef = QueryDef {
    label: "4",
    number: 4,
    description: "one actor by id with its latest 20 events and 20 statements",
    document: "query ActorById($id: ID!) { node(id: $id) { ... on Actor { name \
        events(first: 20) { edges { node { id title startDate } } } \
        statements(first: 20) { edges { node { text statedOn } } } } } }",
    sql: concat!(
        "SELECT json_build_object('node', (SELECT json_build_object('name', a.name, ",
        "'events', json_build_object('edges', COALESCE((SELECT json_agg(json_build_object('node', ",
        "json_build_object('id', ",
        global_id!("Event", "e.id"),
        ", 'title', e.title, 'startDate', e.start_date)) ORDER BY e.start_date DESC, e.id DESC) ",
        "FROM (SELECT e.id, e.title, e.start_date FROM events e ",
        "WHERE e.id IN (SELECT p.event_id FROM event_participants p WHERE p.actor_id = a.id) ",
        "AND e.archived_at IS NULL ",
        "ORDER BY e.start_date DESC, e.id DESC LIMIT 20) e), '[]')), ",
        "'statements', json_build_object('edges', COALESCE((SELECT json_agg(json_build_object('node', ",
        "json_build_object('text', s.text, 'statedOn', s.stated_on)) ORDER BY s.sort_key DESC, s.id DESC) ",
        "FROM (SELECT s.id, s.text, s.stated_on, COALESCE(s.stated_on, '0001-01-01') AS sort_key ",
        "FROM statements s WHERE s.speaker_id = a.id AND s.archived_at IS NULL ",
        "ORDER BY COALESCE(s.stated_on, '0001-01-01') DESC, s.id DESC LIMIT 20) s), '[]'))",
        ") FROM actors a WHERE a.id = $1))::text"
    ),
};

/// The GraphQL document of queries 5 and 5p1: one page of the events of one type.
const EVENTS_OF_TYPE_DOCUMENT: &str = "query EventsOfType($type: EventType!, $after: String) { \
    events(filter: {types: [$type]}, first: 20, after: $after) { \
    edges { node { id title startDate } } } }";

/// The SQL of queries 5 and 5p1 past page 1: the page after a `(start_date, id)` position.
const EVENTS_OF_TYPE_AFTER_SQL: &str = concat!(
    "SELECT json_build_object('events', json_build_object('edges', COALESCE(json_agg(",
    "json_build_object('node', json_build_object('id', ",
    global_id!("Event", "e.id"),
    ", 'title', e.title, 'startDate', e.start_date)) ORDER BY e.start_date DESC, e.id DESC), '[]')))::text ",
    "FROM (SELECT id, title, start_date FROM events ",
    "WHERE event_type = $1 AND archived_at IS NULL AND (start_date, id) < ($2, $3) ",
    "ORDER BY start_date DESC, id DESC LIMIT 20) e"
);

/// The SQL of queries 5 and 5p1 on page 1.
const EVENTS_OF_TYPE_FIRST_SQL: &str = concat!(
    "SELECT json_build_object('events', json_build_object('edges', COALESCE(json_agg(",
    "json_build_object('node', json_build_object('id', ",
    global_id!("Event", "e.id"),
    ", 'title', e.title, 'startDate', e.start_date)) ORDER BY e.start_date DESC, e.id DESC), '[]')))::text ",
    "FROM (SELECT id, title, start_date FROM events WHERE event_type = $1 AND archived_at IS NULL ",
    "ORDER BY start_date DESC, id DESC LIMIT 20) e"
);

/// 5: a deep page (200 when the dataset has one) of the events of one type, by cursor.
pub(crate) const EVENTS_OF_TYPE_DEEP: QueryDef = QueryDef {
    label: "5",
    number: 5,
    description: "events of one type, page 200 reached by cursor (first: 20, after:)",
    document: EVENTS_OF_TYPE_DOCUMENT,
    sql: EVENTS_OF_TYPE_FIRST_SQL,
};

/// 5p1: the first page of the same lists as query 5.
pub(crate) const EVENTS_OF_TYPE_FIRST: QueryDef = QueryDef {
    label: "5p1",
    number: 5,
    description: "events of one type, page 1 (the baseline of query 5)",
    document: EVENTS_OF_TYPE_DOCUMENT,
    sql: EVENTS_OF_TYPE_FIRST_SQL,
};

/// 6: casualty reports of one category and status, counted, and the first 20.
pub(crate) const REPORTS_BY_CATEGORY_AND_STATUS: QueryDef = QueryDef {
    label: "6",
    number: 6,
    description: "casualty reports filtered by category and status: totalCount + first 20",
    document:
        "query ReportsByCategoryAndStatus($category: CasualtyCategory!, $status: ReportStatus!) { \
        casualtyReports(filter: {categories: [$category], statuses: [$status]}, first: 20) { \
        totalCount edges { node { id low high category status } } } }",
    sql: concat!(
        "SELECT json_build_object('casualtyReports', json_build_object(",
        "'totalCount', (SELECT COALESCE(SUM(k.n), 0) FROM casualty_report_counts k ",
        "WHERE k.category = $1 AND k.status = $2), ",
        "'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object('id', ",
        global_id!("CasualtyReport", "c.id"),
        ", 'low', c.low, 'high', c.high, 'category', c.category, 'status', c.status)) ",
        "ORDER BY c.sort_key DESC, c.id DESC) ",
        "FROM (SELECT c.id, c.low, c.high, c.category, c.status, ",
        "COALESCE(c.as_of, '0001-01-01') AS sort_key FROM casualty_reports c ",
        "WHERE c.category = $1 AND c.status = $2 AND c.archived_at IS NULL ",
        "ORDER BY COALESCE(c.as_of, '0001-01-01') DESC, c.id DESC LIMIT 20) c), '[]')))::text"
    ),
};

/// The end of queries 7 and 8: from `counted` (`k`, `step`, `n`) and `steps`, the axis and
/// one series per key, the largest first, each point gap-filled.
macro_rules! stats_series_sql {
    () => {
        concat!(
            "totals AS (SELECT k, SUM(n) AS total FROM counted GROUP BY k) ",
            "SELECT json_build_object('eventStats', json_build_object(",
            "'steps', COALESCE((SELECT json_agg(step ORDER BY step) FROM steps), '[]'), ",
            "'series', COALESCE((SELECT json_agg(json_build_object(",
            "'key', json_build_array(json_build_object('value', t.k)), ",
            "'points', (SELECT json_agg(json_build_object('events', COALESCE(c.n, 0)) ORDER BY s.step) ",
            "FROM steps s LEFT JOIN counted c ON c.k = t.k AND c.step = s.step)) ",
            "ORDER BY t.total DESC, t.k) FROM totals t), '[]')))::text"
        )
    };
}

/// 7: statistics of one country and one year, weekly, by event type: what the daily rollup
/// allows (until 2026-12-02 the limit counted the events themselves).
pub(crate) const WEEKLY_STATS: QueryDef = QueryDef {
    label: "7",
    number: 7,
    description: "eventStats: one country, one year, weekly, by event type",
    document: "query WeeklyStats($country: String!, $from: Date!, $to: Date!) { \
        eventStats(filter: {countryCodes: [$country]}, groupBy: [EVENT_TYPE], interval: WEEK, \
        from: $from, to: $to) { steps series { key { value } points { events } } } }",
    sql: concat!(
        "WITH counted AS (SELECT r.event_type AS k, CAST(date_trunc('week', r.day) AS date) AS step, ",
        "SUM(r.leaves) AS n FROM stats_day_events r WHERE r.country_code = $1 ",
        "AND r.day >= $2 AND r.day <= $3 GROUP BY 1, 2 HAVING SUM(r.leaves) > 0), ",
        "steps AS (SELECT CAST(s AS date) AS step FROM generate_series(date_trunc('week', $2::date), ",
        "date_trunc('week', $3::date), interval '1 week') s), ",
        stats_series_sql!()
    ),
};

/// 8: statistics of everything, monthly, by event type: what the monthly rollup allows.
pub(crate) const MONTHLY_STATS: QueryDef = QueryDef {
    label: "8",
    number: 8,
    description: "eventStats: everything, monthly, by event type",
    document: "query MonthlyStats { eventStats(groupBy: [EVENT_TYPE], interval: MONTH) { \
        steps series { key { value } points { events } } } }",
    sql: concat!(
        "WITH counted AS (SELECT r.event_type AS k, r.month AS step, SUM(r.leaves) AS n ",
        "FROM stats_month_events r GROUP BY 1, 2 HAVING SUM(r.leaves) > 0), ",
        "steps AS (SELECT CAST(s AS date) AS step FROM (SELECT MIN(step) AS lo, MAX(step) AS hi FROM counted) b, ",
        "generate_series(b.lo, b.hi, interval '1 month') s), ",
        stats_series_sql!()
    ),
};

/// The newest 1,001 matches of one table, as `search` finds them by default: the newest of the
/// first 8,001 the index gives when they are fewer, else through sixteen recency blocks
/// newest first, then the rest (see `service::search`). Numbered from the newest: `id`,
/// `score`, `n`.
macro_rules! newest_matches {
    ($cte:literal, $table:literal, $alias:literal) => {
        concat!(
            "few_",
            $cte,
            " AS MATERIALIZED (SELECT ",
            $alias,
            ".id, ",
            $alias,
            ".ctid AS tid FROM ",
            $table,
            " ",
            $alias,
            ", q WHERE ",
            $alias,
            ".search @@ q.q AND ",
            $alias,
            ".archived_at IS NULL LIMIT 8001), ",
            "size_",
            $cte,
            " AS (SELECT s.lvl, CAST(s.ids AS INTEGER) >> s.lvl AS top FROM (SELECT c.ids, ",
            "CAST(greatest(12, least(30, 2 * floor(",
            "ln(greatest(c.ids * 1001 / c.matches, 2)) / ln(4)))) AS INTEGER) AS lvl FROM (SELECT ",
            "CAST((SELECT max(id) FROM ",
            $table,
            ") AS DOUBLE PRECISION) AS ids, 8001 * ",
            "greatest(pg_relation_size('",
            $table,
            "') / current_setting('block_size')::int, 1) ",
            "/ (max((tid::text::point)[0]) + 1) AS matches FROM few_",
            $cte,
            ") c) s), ",
            $cte,
            " AS (SELECT id, score, row_number() OVER (ORDER BY id DESC) AS n FROM (",
            "SELECT ",
            $alias,
            ".id, CAST(ts_rank(",
            $alias,
            ".search, q.q) AS DOUBLE PRECISION) AS score FROM ",
            $table,
            " ",
            $alias,
            ", q WHERE ",
            $alias,
            ".ctid = ANY(ARRAY(SELECT tid FROM few_",
            $cte,
            " ORDER BY id DESC LIMIT 1001)) AND (SELECT count(*) FROM few_",
            $cte,
            ") <= 8000 ",
            "UNION ALL SELECT id, score FROM (SELECT x.id, x.score FROM (",
            "SELECT o, b, tok, below FROM (SELECT 0 AS o, g.b, CAST('''~' || f.lvl || ' ' || g.b ",
            "|| '''' AS tsquery) AS tok, CAST(NULL AS BIGINT) AS below FROM size_",
            $cte,
            " f, generate_series(f.top, greatest(f.top - 15, 0), -1) g(b) UNION ALL SELECT 1, 0, ",
            "NULL, CAST(f.top - 15 AS BIGINT) << f.lvl FROM size_",
            $cte,
            " f WHERE f.top > 15) l ",
            "ORDER BY o, b DESC) blk CROSS JOIN LATERAL (",
            "SELECT ",
            $alias,
            ".id, CAST(ts_rank(",
            $alias,
            ".search, q.q) AS DOUBLE PRECISION) ",
            "AS score FROM ",
            $table,
            " ",
            $alias,
            ", q WHERE ",
            $alias,
            ".search @@ CASE WHEN ",
            "blk.tok IS NULL THEN q.q ELSE q.q && blk.tok END AND (blk.tok IS NOT NULL OR ",
            $alias,
            ".id + 0 < blk.below) AND ",
            $alias,
            ".archived_at IS NULL ORDER BY ",
            $alias,
            ".id DESC) x LIMIT 1001) b ",
            "WHERE (SELECT count(*) FROM few_",
            $cte,
            ") > 8000) m)"
        )
    };
}

/// 9: a two-word search over events and statements, the first 20 hits by rank with their
/// matches marked, ranking the newest 1,000 matches of each (the server's default).
pub(crate) const SEARCH_WORDS: QueryDef = QueryDef {
    label: "9",
    number: 9,
    description: "search: two words over events and statements, first 20 by rank, marked",
    document: "query Search($text: String!) { search(query: $text, kinds: [EVENT, STATEMENT], \
        first: 20) { nodes { score node { id } highlights { field segments { text match } } } } }",
    sql: concat!(
        // Two words of a title, letters alone: the server looks them up by their English stems
        // (`service::search`), by the words as written only if both are stop words.
        "WITH q AS (SELECT CASE WHEN numnode(e.q) > 0 THEN e.q ELSE websearch_to_tsquery('simple', $1) \
         END AS q FROM (SELECT websearch_to_tsquery('english', $1) AS q) e), ",
        newest_matches!("ev", "events", "e"),
        ", ",
        newest_matches!("st", "statements", "s"),
        " SELECT json_build_object('search', json_build_object('nodes', COALESCE((SELECT json_agg(",
        "json_build_object('score', h.score, 'node', json_build_object('id', CASE h.kind ",
        "WHEN 'EVENT' THEN ",
        global_id!("Event", "h.id"),
        " ELSE ",
        global_id!("Statement", "h.id"),
        " END), 'highlights', COALESCE(CASE h.kind WHEN 'EVENT' THEN (",
        "SELECT json_agg(v.x ORDER BY v.i) FROM events e, LATERAL (VALUES (1, ",
        marked_field!("title", "e.title"),
        "), (2, ",
        marked_field!("summary", "e.summary"),
        "), (3, ",
        marked_field!("place", "e.place"),
        ")) v(i, x) WHERE e.id = h.id AND v.x IS NOT NULL) ELSE (",
        "SELECT json_agg(v.x) FROM statements s, LATERAL (VALUES (",
        marked_field!("text", "s.text"),
        ")) v(x) WHERE s.id = h.id AND v.x IS NOT NULL) END, '[]')",
        ") ORDER BY h.score DESC, h.kind, h.id DESC) FROM q, (",
        "SELECT 'EVENT' AS kind, id, score FROM ev WHERE n <= 1000 UNION ALL ",
        "SELECT 'STATEMENT', id, score FROM st WHERE n <= 1000 ",
        "ORDER BY 3 DESC, 1, 2 DESC LIMIT 20) h), '[]')))::text"
    ),
};

/// 10: query 1 with the event's reconciled figures: what the figures add to it.
pub(crate) const EVENT_WITH_FIGURES: QueryDef = QueryDef {
    label: "10",
    number: 10,
    description: "query 1 with the event's reconciled figures",
    document: event_by_id_document!("figures { category low best high highOpen } "),
    sql: event_by_id_sql!(concat!(
        ", 'figures', COALESCE((SELECT json_agg(json_build_object('category', f.category, ",
        "'low', f.low, 'best', f.best, 'high', f.high, 'highOpen', f.high_open) ORDER BY f.position) ",
        "FROM event_figures f WHERE f.event_id = e.id), '[]')"
    )),
};

/// Every query, in the order the table lists them.
pub(crate) const ALL: [QueryDef; 11] = [
    EVENT_BY_ID,
    LATEST_EVENTS,
    EVENTS_BY_COUNTRY_AND_YEAR,
    ACTOR_BY_ID,
    EVENTS_OF_TYPE_DEEP,
    EVENTS_OF_TYPE_FIRST,
    REPORTS_BY_CATEGORY_AND_STATUS,
    WEEKLY_STATS,
    MONTHLY_STATS,
    SEARCH_WORDS,
    EVENT_WITH_FIGURES,
];

/// Binds one parameter set to `query`'s SQL.
pub(crate) fn bind<'q>(query: TextQuery<'q>, params: &Params) -> TextQuery<'q> {
    match params {
        Params::Event { id } | Params::Actor { id } => query.bind(*id),
        Params::Nothing => query,
        Params::CountryYear { country, from, to } => {
            query.bind(country.clone()).bind(*from).bind(*to)
        }
        Params::TypePage { event_type, after } => {
            let query = query.bind(event_type.clone());
            match after {
                Some(position) => query.bind(position.start_date).bind(position.id),
                None => query,
            }
        }
        Params::CategoryStatus { category, status } => {
            query.bind(category.clone()).bind(status.clone())
        }
        Params::Words { text } => query.bind(text.clone()),
    }
}
