//! Query parameters, drawn at random from the dataset with a seeded generator so that a run is
//! repeatable: the same seed over the same database draws the same parameters, and both sides
//! of a query (API and raw SQL) get the same set.

use super::queries::QueryDef;
use crate::domain::NodeType;
use crate::graphql::id::encode;
use crate::service::sql::Sql;
use anyhow::Context as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult};
use serde_json::{json, Value as Json};

/// How many parameter sets are drawn for each query; the workers cycle through them.
pub(crate) const PARAM_SETS: usize = 100;
/// Rows per page in query 5.
const PAGE_SIZE: u64 = 20;
/// The page query 5 reaches by cursor, when the dataset holds that many.
pub(crate) const DEEP_PAGE: u64 = 200;

/// A row's place in the default event ordering (`start_date DESC, id DESC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position {
    /// The row's start date.
    pub start_date: NaiveDate,
    /// The row's id, the tie-breaker.
    pub id: i32,
}

impl Position {
    /// The API cursor pointing at this row: the format of `service::page`, URL-safe unpadded
    /// base64 of `["start","d","YYYY-MM-DD",id]`.
    fn cursor(&self) -> String {
        let payload =
            json!(["start", "d", self.start_date.format("%Y-%m-%d").to_string(), self.id]);
        URL_SAFE_NO_PAD.encode(payload.to_string())
    }
}

/// One parameter set of one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Params {
    /// Queries 1 and 10: an event's row id.
    Event {
        /// The row id.
        id: i32,
    },
    /// Queries 2 and 8: no parameters.
    Nothing,
    /// Queries 3 and 7: a country and a calendar year.
    CountryYear {
        /// ISO 3166-1 alpha-2, as stored.
        country: String,
        /// January 1st.
        from: NaiveDate,
        /// December 31st.
        to: NaiveDate,
    },
    /// Query 4: an actor's row id.
    Actor {
        /// The row id.
        id: i32,
    },
    /// Queries 5 and 5p1: an event type and, past page 1, the position the page starts after.
    TypePage {
        /// The type's GraphQL (and stored) name.
        event_type: String,
        /// The last row of the previous page; `None` for page 1.
        after: Option<Position>,
    },
    /// Query 6: a category and a status, as GraphQL (and stored) names.
    CategoryStatus {
        /// The casualty category.
        category: String,
        /// The report status.
        status: String,
    },
    /// Query 9: the words searched for.
    Words {
        /// Two words of an event's title.
        text: String,
    },
}

impl Params {
    /// The GraphQL variables for this parameter set.
    pub(crate) fn variables(&self) -> Json {
        match self {
            Params::Event { id } => json!({ "id": encode(NodeType::Event, *id).0 }),
            Params::Nothing => json!({}),
            Params::CountryYear { country, from, to } => json!({
                "country": country,
                "from": from.format("%Y-%m-%d").to_string(),
                "to": to.format("%Y-%m-%d").to_string(),
            }),
            Params::Actor { id } => json!({ "id": encode(NodeType::Actor, *id).0 }),
            Params::TypePage { event_type, after } => json!({
                "type": event_type,
                "after": after.map(|position| position.cursor()),
            }),
            Params::CategoryStatus { category, status } => {
                json!({ "category": category, "status": status })
            }
            Params::Words { text } => json!({ "text": text }),
        }
    }
}

/// The parameter sets of one query, and what the dataset allowed.
#[derive(Debug, Clone)]
pub(crate) struct Drawn {
    /// The sets, in the order workers use them.
    pub sets: Vec<Params>,
    /// For query 5: the page it reaches ([`DEEP_PAGE`] unless the dataset is too small).
    pub page: Option<u64>,
}

/// Draws the parameter sets of `query` from the database.
///
/// # Errors
/// When the database cannot be read, or holds no rows the query can be asked about.
pub(crate) async fn draw(
    db: &DatabaseConnection,
    query: &QueryDef,
    seed: u64,
) -> anyhow::Result<Drawn> {
    // One stream per query: the parameters of a query do not depend on which others run.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(query.number));
    let plain = |sets| Drawn { sets, page: None };
    match query.label {
        "1" | "10" => {
            let rows = sample(db, &mut rng, "id", "events", "id", None).await?;
            let sets = rows
                .iter()
                .map(|row| Ok(Params::Event { id: row.try_get("", "id")? }))
                .collect::<anyhow::Result<_>>()?;
            Ok(plain(sets))
        }
        "2" | "8" => Ok(plain(vec![Params::Nothing])),
        "3" | "7" => {
            let rows = sample(
                db,
                &mut rng,
                "country_code, start_date",
                "events",
                "id",
                Some("country_code IS NOT NULL"),
            )
            .await?;
            let sets = rows
                .iter()
                .map(|row| {
                    let country: String = row.try_get("", "country_code")?;
                    let start: NaiveDate = row.try_get("", "start_date")?;
                    let year = start.year();
                    let day = |month, day| {
                        NaiveDate::from_ymd_opt(year, month, day)
                            .with_context(|| format!("no calendar year {year}"))
                    };
                    Ok(Params::CountryYear { country, from: day(1, 1)?, to: day(12, 31)? })
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(plain(sets))
        }
        "4" => {
            let rows =
                sample(db, &mut rng, "actor_id", "event_participants", "actor_id", None).await?;
            let sets = rows
                .iter()
                .map(|row| Ok(Params::Actor { id: row.try_get("", "actor_id")? }))
                .collect::<anyhow::Result<_>>()?;
            Ok(plain(sets))
        }
        "5" | "5p1" => type_pages(db, &mut rng, query.label == "5").await,
        "6" => {
            let rows =
                sample(db, &mut rng, "category, status", "casualty_reports", "id", None).await?;
            let sets = rows
                .iter()
                .map(|row| {
                    Ok(Params::CategoryStatus {
                        category: row.try_get("", "category")?,
                        status: row.try_get("", "status")?,
                    })
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(plain(sets))
        }
        "9" => {
            let rows = sample(db, &mut rng, "title", "events", "id", None).await?;
            let sets = rows
                .iter()
                .map(|row| {
                    Ok(Params::Words { text: two_words(&row.try_get::<String>("", "title")?) })
                })
                .collect::<anyhow::Result<_>>()?;
            Ok(plain(sets))
        }
        other => anyhow::bail!("no parameters are defined for query {other}"),
    }
}

/// Two words a reader of `title` might search for: its first word and the first after
/// " in " ("Armed clash in Kazakhstan locality 17" gives "Armed Kazakhstan"), or its first two.
fn two_words(title: &str) -> String {
    let first = title.split_whitespace().next().unwrap_or_default();
    let second = match title.split_once(" in ") {
        Some((_, place)) => place.split_whitespace().next(),
        None => title.split_whitespace().nth(1),
    };
    [Some(first), second].into_iter().flatten().collect::<Vec<_>>().join(" ")
}

/// Draws [`PARAM_SETS`] rows of `from` (optionally filtered) roughly uniformly over `key`:
/// a random value between the smallest and largest key, then the first row at or above it.
/// Each draw is one indexed lookup, however large the table.
async fn sample(
    db: &DatabaseConnection,
    rng: &mut ChaCha8Rng,
    select: &str,
    from: &str,
    key: &str,
    filter: Option<&str>,
) -> anyhow::Result<Vec<QueryResult>> {
    let backend = db.get_database_backend();
    let mut bounds = Sql::new(backend);
    bounds.push("SELECT MIN(").push(key).push(") AS lo, MAX(").push(key).push(") AS hi FROM ");
    bounds.push(from);
    if let Some(filter) = filter {
        bounds.and().push(filter);
    }
    let row = db
        .query_one_raw(bounds.build())
        .await
        .with_context(|| format!("cannot read the range of {from}.{key}"))?
        .with_context(|| format!("no row reading the range of {from}.{key}"))?;
    let lo: Option<i32> = row.try_get("", "lo")?;
    let hi: Option<i32> = row.try_get("", "hi")?;
    let (Some(lo), Some(hi)) = (lo, hi) else {
        let which = filter.map(|f| format!(" with {f}")).unwrap_or_default();
        anyhow::bail!("the database holds no {from}{which} to draw parameters from");
    };

    let mut rows = Vec::with_capacity(PARAM_SETS);
    for _ in 0..PARAM_SETS {
        let mut sql = Sql::new(backend);
        sql.push("SELECT ").push(select).push(" FROM ").push(from);
        if let Some(filter) = filter {
            sql.and().push(filter);
        }
        sql.and().push(key).push(" >= ").bind(rng.random_range(lo..=hi));
        sql.push(" ORDER BY ").push(key).push(" LIMIT 1");
        let row = db
            .query_one_raw(sql.build())
            .await
            .with_context(|| format!("cannot draw a row of {from}"))?
            .with_context(|| format!("{from} changed while parameters were drawn"))?;
        rows.push(row);
    }
    Ok(rows)
}

/// Query 5 (`deep`) and 5p1: random event types, and for query 5 the position that page
/// [`DEEP_PAGE`] starts after, read straight from the database in the API's ordering. On a
/// dataset too small for that page, the deepest page that some type has is used instead.
async fn type_pages(
    db: &DatabaseConnection,
    rng: &mut ChaCha8Rng,
    deep: bool,
) -> anyhow::Result<Drawn> {
    let backend = db.get_database_backend();
    let mut counts = Sql::new(backend);
    counts.push(
        "SELECT event_type, COUNT(*) AS n FROM events GROUP BY event_type ORDER BY event_type",
    );
    let mut types = Vec::new();
    for row in db.query_all_raw(counts.build()).await.context("cannot count events by type")? {
        let event_type: String = row.try_get("", "event_type")?;
        let n: i64 = row.try_get("", "n")?;
        types.push((event_type, u64::try_from(n).unwrap_or(0)));
    }
    let most = types.iter().map(|(_, n)| *n).max().context("the database holds no events")?;
    // The deepest page available to some type, at most DEEP_PAGE; every type with at least
    // that many pages is eligible, so 5 and 5p1 run over the same lists.
    let page = most.div_ceil(PAGE_SIZE).clamp(1, DEEP_PAGE);
    let skipped = (page - 1) * PAGE_SIZE;
    let eligible: Vec<&String> =
        types.iter().filter(|(_, n)| *n > skipped).map(|(event_type, _)| event_type).collect();

    let mut positions = std::collections::HashMap::new();
    if deep && skipped > 0 {
        for event_type in &eligible {
            let mut sql = Sql::new(backend);
            sql.push("SELECT start_date, id FROM events WHERE event_type = ")
                .bind(event_type.to_string())
                .push(" ORDER BY start_date DESC, id DESC LIMIT 1 OFFSET ")
                .bind(i64::try_from(skipped - 1).context("page offset out of range")?);
            let row = db
                .query_one_raw(sql.build())
                .await
                .with_context(|| format!("cannot find page {page} of {event_type} events"))?
                .with_context(|| format!("{event_type} events changed while reading"))?;
            positions.insert(
                event_type.to_string(),
                Position { start_date: row.try_get("", "start_date")?, id: row.try_get("", "id")? },
            );
        }
    }

    let mut sets = Vec::with_capacity(PARAM_SETS);
    for _ in 0..PARAM_SETS {
        let event_type = eligible.choose(rng).context("no event type to page through")?;
        sets.push(Params::TypePage {
            event_type: event_type.to_string(),
            after: positions.get(event_type.as_str()).copied(),
        });
    }
    Ok(Drawn { sets, page: deep.then_some(page) })
}
