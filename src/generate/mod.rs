//! `annals generate`: a deterministic, realistic synthetic dataset at scale, for benchmarks.
//!
//! Every record of event `i` is drawn from a random stream seeded by `(seed, i)` alone, so the
//! tables can be written one after another (each in its own pass over the events) and still
//! agree with each other, and the same seed and size always give the same dataset. The shape
//! follows what ACLED-like data looks like: about three participants, three statements, two
//! casualty reports (some competing, some retracted) and two citations per event; a tenth of
//! the events are sub-events of an episode; a few actors take part in very many events; dates
//! span ten years over sixty countries.
//!
//! On PostgreSQL the rows stream through `COPY` inside one transaction, with secondary indexes,
//! unique and foreign-key constraints dropped first and rebuilt after the load; on SQLite they
//! go in as large multi-row `INSERT`s in one transaction.

mod countries;
mod sink;

use crate::domain::text::fold;
use crate::domain::*;
use crate::error::AppError;
use chrono::{Days, NaiveDate};
use countries::COUNTRIES;
use indicatif::{ProgressBar, ProgressStyle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Zipf};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use sink::{Field, Sink};
use std::time::Instant;
use strum::VariantArray;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// How many events; every other table grows in proportion.
    pub events: u64,
    /// The generator's seed.
    pub seed: u64,
}

/// What was generated, per table.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// (table, rows) in load order.
    pub tables: Vec<(&'static str, u64)>,
    /// Wall-clock time of the whole load, index rebuilds included.
    pub elapsed: std::time::Duration,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "generated in {:.1?}:", self.elapsed)?;
        for (table, rows) in &self.tables {
            write!(f, " {table}={rows}")?;
        }
        Ok(())
    }
}

/// Fills an empty, migrated database.
///
/// # Errors
/// `CONFLICT` when the database already holds records: generated keys and ids start from one.
#[tracing::instrument(skip_all, fields(events = options.events, seed = options.seed))]
pub async fn generate(db: &DatabaseConnection, options: &Options) -> Result<Summary, AppError> {
    let existing = entity::event::Entity::find().count(db).await?
        + entity::actor::Entity::find().count(db).await?
        + entity::source::Entity::find().count(db).await?;
    if existing > 0 {
        return Err(AppError::Conflict(
            "generate fills an empty database; this one already holds records".to_owned(),
        ));
    }
    if options.events == 0 || options.events > 50_000_000 {
        return Err(AppError::invalid_input("events", "generate between 1 and 50,000,000 events"));
    }
    let started = Instant::now();
    let world = World::new(options);
    let progress = ProgressBar::new(world.estimated_rows());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg:<20} [{bar:40}] {human_pos}/{human_len} rows ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let mut sink = Sink::open(db).await?;
    let tables = world.write(&mut sink, &progress).await?;
    progress.set_message("indexing");
    sink.close(db).await?;
    // The rows went in around the write path, so their reconciled figures are computed here.
    progress.set_message("reconciling figures");
    let txn = sea_orm::TransactionTrait::begin(db).await?;
    crate::service::figures::refresh_all(&txn).await?;
    txn.commit().await?;
    if sea_orm::ConnectionTrait::get_database_backend(db) == sea_orm::DbBackend::Postgres {
        sea_orm::ConnectionTrait::execute_unprepared(
            db,
            "VACUUM ANALYZE event_figures, episodes, stats_month_events, stats_month_figures",
        )
        .await?;
    }
    progress.finish_and_clear();
    Ok(Summary { tables, elapsed: started.elapsed() })
}

/// The fixed parameters of one generated dataset.
struct World {
    seed: u64,
    events: u64,
    actors: u64,
    sources: u64,
    actor_popularity: Zipf<f64>,
    source_popularity: Zipf<f64>,
}

/// The first day of the ten years events fall in.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()
}

const FIRST_NAMES: &[&str] = &[
    "Aigerim", "Nurlan", "Olena", "Dmitri", "Fatima", "Ahmed", "Maria", "José", "Amina", "Kofi",
    "Li", "Wei", "Sofia", "Ivan", "Leila", "Omar", "Grace", "Samuel", "Nadia", "Arman",
];
const LAST_NAMES: &[&str] = &[
    "Nurlanova",
    "Petrenko",
    "Ivanov",
    "Haddad",
    "Mensah",
    "Garcia",
    "Okafor",
    "Zhang",
    "Karimov",
    "Sultanova",
    "Kovalenko",
    "Rahman",
    "Silva",
    "Abdullah",
    "Osei",
    "Mendez",
    "Tokhtarov",
    "Aliyev",
];
const GROUP_WORDS: &[&str] =
    &["Front", "Movement", "Union", "Council", "Brigade", "Alliance", "Committee", "Coalition"];

/// Everything generated for one event, drawn from its own random stream.
struct EventDetail {
    parent: Option<u64>,
    event_type: EventType,
    sub_type: EventSubType,
    start: NaiveDate,
    end: Option<NaiveDate>,
    precision: DatePrecision,
    country: usize,
    coordinates: Option<(f64, f64)>,
    geo_precision: GeoPrecision,
    participants: Vec<(u64, ParticipantRole)>,
    statements: Vec<StatementDetail>,
    reports: Vec<ReportDetail>,
    citations: Vec<u64>,
}

struct StatementDetail {
    speaker: u64,
    kind: StatementKind,
    mode: StatementMode,
    stated_on: Option<NaiveDate>,
    mentions: Vec<(u64, MentionRole)>,
    source: u64,
}

struct ReportDetail {
    category: CasualtyCategory,
    low: i64,
    high: Option<i64>,
    as_of: Option<NaiveDate>,
    claimed_by: Option<u64>,
    status: ReportStatus,
    source: u64,
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

impl World {
    fn new(options: &Options) -> Self {
        let actors = (options.events / 10).max(COUNTRIES.len() as u64 + 40);
        let sources = (options.events / 20).max(10);
        World {
            seed: options.seed,
            events: options.events,
            actors,
            sources,
            // Exponents near 1 give the long tail of real data: a few actors and outlets
            // appear everywhere, most appear a handful of times.
            actor_popularity: Zipf::new(actors as f64, 1.05).expect("a valid Zipf distribution"),
            source_popularity: Zipf::new(sources as f64, 0.9).expect("a valid Zipf distribution"),
        }
    }

    fn estimated_rows(&self) -> u64 {
        self.sources + self.actors * 2 + self.events * 16
    }

    fn rng(&self, stream: u64, index: u64) -> ChaCha8Rng {
        let mut rng =
            ChaCha8Rng::seed_from_u64(self.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.set_stream(index);
        rng
    }

    fn actor(&self, rng: &mut ChaCha8Rng) -> u64 {
        // Zipf yields 1..=n; ids are 1-based too. The states (ids 1..=60) sit at the head.
        (self.actor_popularity.sample(rng) as u64).clamp(1, self.actors)
    }

    fn source(&self, rng: &mut ChaCha8Rng) -> u64 {
        (self.source_popularity.sample(rng) as u64).clamp(1, self.sources)
    }

    /// An episode every hundred events; the ten events after it are its sub-events.
    fn parent_of(&self, index: u64) -> Option<u64> {
        let offset = index % 100;
        (1..=10).contains(&offset).then(|| index - offset).filter(|p| *p < self.events)
    }

    fn core(&self, index: u64) -> (NaiveDate, usize) {
        let mut rng = self.rng(1, index);
        (epoch() + Days::new(rng.random_range(0..3650)), rng.random_range(0..COUNTRIES.len()))
    }

    fn event(&self, index: u64) -> EventDetail {
        let mut rng = self.rng(2, index);
        let parent = self.parent_of(index);
        let (mut start, mut country) = self.core(index);
        if let Some(parent) = parent {
            let (parent_start, parent_country) = self.core(parent);
            start = parent_start + Days::new(rng.random_range(0..14));
            country = parent_country;
        }
        let event_type = match rng.random_range(0..100) {
            0..40 => EventType::Protests,
            40..55 => EventType::Riots,
            55..70 => EventType::Battles,
            70..82 => EventType::ViolenceAgainstCivilians,
            82..90 => EventType::ExplosionsRemoteViolence,
            _ => EventType::StrategicDevelopments,
        };
        let sub_types: Vec<EventSubType> = EventSubType::VARIANTS
            .iter()
            .copied()
            .filter(|s| s.event_type() == event_type)
            .collect();
        let sub_type = pick(&mut rng, &sub_types);
        let precision = match rng.random_range(0..100) {
            0..80 => DatePrecision::Day,
            80..90 => DatePrecision::Week,
            90..97 => DatePrecision::Month,
            _ => DatePrecision::Year,
        };
        let is_episode = index.is_multiple_of(100) && index + 1 < self.events;
        let end = (is_episode || rng.random_bool(0.1))
            .then(|| start + Days::new(rng.random_range(1..30)));
        let (coordinates, geo_precision) = if rng.random_bool(0.85) {
            let (_, _, lat, lon) = COUNTRIES[country];
            let jitter = |rng: &mut ChaCha8Rng| rng.random_range(-0.8..0.8);
            let point = (
                (lat + jitter(&mut rng)).clamp(-90.0, 90.0),
                (lon + jitter(&mut rng)).clamp(-180.0, 180.0),
            );
            (
                Some(point),
                if rng.random_bool(0.7) { GeoPrecision::City } else { GeoPrecision::Exact },
            )
        } else {
            (None, if rng.random_bool(0.5) { GeoPrecision::Region } else { GeoPrecision::Country })
        };

        let mut participants: Vec<(u64, ParticipantRole)> = Vec::new();
        let wanted = rng.random_range(1..=5);
        for attempt in 0..wanted * 3 {
            if participants.len() == wanted {
                break;
            }
            let actor = if attempt == 0 { (country + 1) as u64 } else { self.actor(&mut rng) };
            if participants.iter().any(|(a, _)| *a == actor) {
                continue;
            }
            let role = match participants.len() {
                0 => ParticipantRole::Initiator,
                1 => ParticipantRole::Target,
                _ => pick(&mut rng, ParticipantRole::VARIANTS),
            };
            participants.push((actor, role));
        }

        let statements = (0..rng.random_range(0..=6))
            .map(|_| {
                let speaker = if rng.random_bool(0.6) {
                    participants[rng.random_range(0..participants.len())].0
                } else {
                    self.actor(&mut rng)
                };
                let mut mentions: Vec<(u64, MentionRole)> = Vec::new();
                for _ in 0..rng.random_range(0..=2) {
                    let actor = self.actor(&mut rng);
                    if actor != speaker && !mentions.iter().any(|(a, _)| *a == actor) {
                        let role = if rng.random_bool(0.4) {
                            MentionRole::Blamed
                        } else {
                            MentionRole::Mentioned
                        };
                        mentions.push((actor, role));
                    }
                }
                StatementDetail {
                    speaker,
                    kind: pick(&mut rng, StatementKind::VARIANTS),
                    mode: if rng.random_bool(0.5) {
                        StatementMode::Verbatim
                    } else {
                        StatementMode::Paraphrase
                    },
                    stated_on: rng
                        .random_bool(0.8)
                        .then(|| start + Days::new(rng.random_range(0..10))),
                    mentions,
                    source: self.source(&mut rng),
                }
            })
            .collect();

        let mut reports: Vec<ReportDetail> = Vec::new();
        for _ in 0..rng.random_range(0..=4) {
            // A third of the figures compete with the previous one: same category, another
            // claimant, another count.
            let category = match reports.last() {
                Some(previous) if rng.random_bool(0.33) => previous.category,
                _ => match rng.random_range(0..100) {
                    0..40 => CasualtyCategory::Killed,
                    40..70 => CasualtyCategory::Injured,
                    70..90 => CasualtyCategory::Detained,
                    90..95 => CasualtyCategory::Missing,
                    _ => CasualtyCategory::Displaced,
                },
            };
            let low = (rng.random::<f64>().powi(3) * 2000.0) as i64;
            let high = match rng.random_range(0..3) {
                0 => Some(low),
                1 => Some(low + rng.random_range(1..500)),
                _ => None,
            };
            reports.push(ReportDetail {
                category,
                low,
                high,
                as_of: rng.random_bool(0.7).then(|| start + Days::new(rng.random_range(0..20))),
                claimed_by: rng.random_bool(0.8).then(|| self.actor(&mut rng)),
                status: match rng.random_range(0..100) {
                    0..5 => ReportStatus::Retracted,
                    5..15 => ReportStatus::Disputed,
                    _ => ReportStatus::Reported,
                },
                source: self.source(&mut rng),
            });
        }

        let mut citations: Vec<u64> = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
            let source = self.source(&mut rng);
            if !citations.contains(&source) {
                citations.push(source);
            }
        }

        EventDetail {
            parent,
            event_type,
            sub_type,
            start,
            end,
            precision,
            country,
            coordinates,
            geo_precision,
            participants,
            statements,
            reports,
            citations,
        }
    }

    /// Writes every table in dependency order and returns the row counts.
    async fn write(
        &self,
        sink: &mut Sink,
        progress: &ProgressBar,
    ) -> Result<Vec<(&'static str, u64)>, AppError> {
        let mut counts = Vec::new();

        progress.set_message("sources");
        let mut table = sink
            .table(
                "sources",
                &[
                    "id",
                    "key",
                    "kind",
                    "publisher",
                    "title",
                    "url",
                    "published_on",
                    "status",
                    "archive_url",
                ],
            )
            .await?;
        for id in 1..=self.sources {
            let mut rng = self.rng(3, id);
            let kind = match rng.random_range(0..10) {
                0..6 => SourceKind::News,
                6..8 => SourceKind::Government,
                8 => SourceKind::SocialMedia,
                _ => SourceKind::Ngo,
            };
            let deleted = rng.random_bool(0.03);
            let published = epoch() + Days::new(rng.random_range(0..3650));
            table
                .row(vec![
                    Field::Int(id as i64),
                    Field::text(format!("source-{id}")),
                    Field::text(kind.as_str()),
                    Field::text(format!("Publisher {}", id % 997)),
                    Field::text(format!("Report {id}")),
                    Field::text(format!("https://example.org/reports/{id}")),
                    Field::Date(Some(published)),
                    Field::text(if deleted {
                        SourceStatus::Deleted.as_str()
                    } else {
                        SourceStatus::Available.as_str()
                    }),
                    Field::opt_text(deleted.then(|| {
                        format!("https://web.archive.org/web/2020/https://example.org/reports/{id}")
                    })),
                ])
                .await?;
            progress.inc(1);
        }
        counts.push(("sources", table.finish().await?));

        progress.set_message("actors");
        let mut table = sink
            .table(
                "actors",
                &[
                    "id",
                    "key",
                    "kind",
                    "name",
                    "name_folded",
                    "country_code",
                    "description",
                    "wikidata_id",
                ],
            )
            .await?;
        let mut aliases = Vec::new();
        for id in 1..=self.actors {
            let mut rng = self.rng(4, id);
            let (kind, name, country) = if id as usize <= COUNTRIES.len() {
                let (code, name, _, _) = COUNTRIES[id as usize - 1];
                (ActorKind::State, name.to_owned(), Some(code))
            } else {
                let (code, country, _, _) = COUNTRIES[rng.random_range(0..COUNTRIES.len())];
                let kind = match rng.random_range(0..100) {
                    0..40 => ActorKind::Person,
                    40..50 => ActorKind::GovernmentBody,
                    50..60 => ActorKind::SecurityForce,
                    60..70 => ActorKind::Protesters,
                    70..75 => ActorKind::Rioters,
                    75..80 => ActorKind::Civilians,
                    80..88 => ActorKind::ArmedGroup,
                    88..94 => ActorKind::PoliticalGroup,
                    94..97 => ActorKind::Media,
                    _ => ActorKind::Unidentified,
                };
                let name = match kind {
                    ActorKind::Person => {
                        format!("{} {}", pick(&mut rng, FIRST_NAMES), pick(&mut rng, LAST_NAMES))
                    }
                    ActorKind::GovernmentBody => format!("Ministry {} of {country}", id % 50),
                    ActorKind::SecurityForce => format!("Police of {country} ({id})"),
                    ActorKind::Protesters => format!("Protesters ({country})"),
                    ActorKind::Rioters => format!("Rioters ({country})"),
                    ActorKind::Civilians => format!("Civilians ({country})"),
                    _ => format!(
                        "{} {} {}",
                        pick(&mut rng, LAST_NAMES),
                        pick(&mut rng, GROUP_WORDS),
                        id
                    ),
                };
                (kind, name, Some(code))
            };
            for n in 0..rng.random_range(0..=2u64) {
                aliases.push((id, format!("{name} ({})", n + 1)));
            }
            table
                .row(vec![
                    Field::Int(id as i64),
                    Field::text(format!("actor-{id}")),
                    Field::text(kind.as_str()),
                    Field::text(name.clone()),
                    Field::text(fold(&name)),
                    Field::opt_text(country.map(str::to_owned)),
                    Field::Text(None),
                    Field::Text(None),
                ])
                .await?;
            progress.inc(1);
        }
        counts.push(("actors", table.finish().await?));

        progress.set_message("actor aliases");
        let mut table =
            sink.table("actor_aliases", &["id", "actor_id", "alias", "alias_folded"]).await?;
        for (n, (actor, alias)) in aliases.into_iter().enumerate() {
            table
                .row(vec![
                    Field::Int(n as i64 + 1),
                    Field::Int(actor as i64),
                    Field::text(alias.clone()),
                    Field::text(fold(&alias)),
                ])
                .await?;
            progress.inc(1);
        }
        counts.push(("actor_aliases", table.finish().await?));

        // Every twentieth non-state actor holds a post in its country's state.
        progress.set_message("affiliations");
        let affiliated: Vec<u64> = (COUNTRIES.len() as u64 + 1..=self.actors).step_by(20).collect();
        let mut table = sink
            .table(
                "affiliations",
                &[
                    "id",
                    "key",
                    "actor_id",
                    "organization_id",
                    "role",
                    "from_date",
                    "to_date",
                    "date_precision",
                    "note",
                ],
            )
            .await?;
        for (n, actor) in affiliated.iter().enumerate() {
            let mut rng = self.rng(5, *actor);
            let from = epoch() + Days::new(rng.random_range(0..3000));
            table
                .row(vec![
                    Field::Int(n as i64 + 1),
                    Field::text(format!("affiliation-{}", n + 1)),
                    Field::Int(*actor as i64),
                    Field::Int(rng.random_range(1..=COUNTRIES.len() as i64)),
                    Field::text(pick(&mut rng, &["Official", "Member", "Adviser", "Spokesperson"])),
                    Field::Date(Some(from)),
                    Field::Date(
                        rng.random_bool(0.5).then(|| from + Days::new(rng.random_range(30..2000))),
                    ),
                    Field::text(DatePrecision::Month.as_str()),
                    Field::Text(None),
                ])
                .await?;
        }
        counts.push(("affiliations", table.finish().await?));

        progress.set_message("events");
        let mut table = sink
            .table(
                "events",
                &[
                    "id",
                    "key",
                    "parent_id",
                    "title",
                    "summary",
                    "event_type",
                    "sub_type",
                    "start_date",
                    "end_date",
                    "date_precision",
                    "period_end",
                    "country_code",
                    "admin1",
                    "place",
                    "latitude",
                    "longitude",
                    "geo_precision",
                    "geo_x",
                    "geo_y",
                    "geo_z",
                ],
            )
            .await?;
        for index in 0..self.events {
            let event = self.event(index);
            let (code, country, _, _) = COUNTRIES[event.country];
            let sub_type = event.sub_type.as_str().replace('_', " ").to_lowercase();
            let place = format!("{country} locality {}", index % 500);
            let period_end = event.precision.period_end(event.end.unwrap_or(event.start));
            let point =
                event.coordinates.map(|(lat, lon)| crate::domain::geo::unit_vector(lat, lon));
            table
                .row(vec![
                    Field::Int(index as i64 + 1),
                    Field::text(format!("event-{}", index + 1)),
                    Field::opt_int(event.parent.map(|p| p as i64 + 1)),
                    Field::text(format!(
                        "{}{} in {place}",
                        sub_type[..1].to_uppercase(),
                        &sub_type[1..]
                    )),
                    Field::opt_text((index % 3 == 0).then(|| {
                        format!(
                            "Synthetic {} event {} in {country}.",
                            event.event_type.as_str().to_lowercase(),
                            index + 1
                        )
                    })),
                    Field::text(event.event_type.as_str()),
                    Field::text(event.sub_type.as_str()),
                    Field::Date(Some(event.start)),
                    Field::Date(event.end),
                    Field::text(event.precision.as_str()),
                    Field::Date(Some(period_end)),
                    Field::text(code),
                    Field::text(format!("{country} region {}", index % 12)),
                    Field::opt_text(event.coordinates.map(|_| place.clone())),
                    Field::Float(event.coordinates.map(|c| c.0)),
                    Field::Float(event.coordinates.map(|c| c.1)),
                    Field::text(event.geo_precision.as_str()),
                    Field::Float(point.map(|p| p[0])),
                    Field::Float(point.map(|p| p[1])),
                    Field::Float(point.map(|p| p[2])),
                ])
                .await?;
            progress.inc(1);
        }
        counts.push(("events", table.finish().await?));

        progress.set_message("participants");
        let mut table =
            sink.table("event_participants", &["id", "event_id", "actor_id", "role"]).await?;
        let mut id = 0i64;
        for index in 0..self.events {
            for (actor, role) in self.event(index).participants {
                id += 1;
                table
                    .row(vec![
                        Field::Int(id),
                        Field::Int(index as i64 + 1),
                        Field::Int(actor as i64),
                        Field::text(role.as_str()),
                    ])
                    .await?;
                progress.inc(1);
            }
        }
        counts.push(("event_participants", table.finish().await?));

        progress.set_message("statements");
        let mut table = sink
            .table(
                "statements",
                &[
                    "id",
                    "key",
                    "speaker_id",
                    "event_id",
                    "text",
                    "text_folded",
                    "mode",
                    "kind",
                    "stated_on",
                    "date_precision",
                ],
            )
            .await?;
        let mut id = 0i64;
        for index in 0..self.events {
            for statement in self.event(index).statements {
                id += 1;
                let text = format!(
                    "Statement {id}: a {} about event {} by actor {}",
                    statement.kind.as_str().to_lowercase(),
                    index + 1,
                    statement.speaker
                );
                table
                    .row(vec![
                        Field::Int(id),
                        Field::text(format!("statement-{id}")),
                        Field::Int(statement.speaker as i64),
                        Field::Int(index as i64 + 1),
                        Field::text(text.clone()),
                        Field::text(fold(&text)),
                        Field::text(statement.mode.as_str()),
                        Field::text(statement.kind.as_str()),
                        Field::Date(statement.stated_on),
                        Field::opt_text(
                            statement.stated_on.map(|_| DatePrecision::Day.as_str().to_owned()),
                        ),
                    ])
                    .await?;
                progress.inc(1);
            }
        }
        counts.push(("statements", table.finish().await?));

        progress.set_message("mentions");
        let mut table =
            sink.table("statement_mentions", &["id", "statement_id", "actor_id", "role"]).await?;
        let (mut id, mut statement_id) = (0i64, 0i64);
        for index in 0..self.events {
            for statement in self.event(index).statements {
                statement_id += 1;
                for (actor, role) in statement.mentions {
                    id += 1;
                    table
                        .row(vec![
                            Field::Int(id),
                            Field::Int(statement_id),
                            Field::Int(actor as i64),
                            Field::text(role.as_str()),
                        ])
                        .await?;
                    progress.inc(1);
                }
            }
        }
        counts.push(("statement_mentions", table.finish().await?));

        progress.set_message("casualty reports");
        let mut table = sink
            .table(
                "casualty_reports",
                &[
                    "id",
                    "key",
                    "event_id",
                    "category",
                    "affected_group",
                    "low",
                    "high",
                    "as_of",
                    "claimed_by_id",
                    "status",
                    "note",
                ],
            )
            .await?;
        let mut id = 0i64;
        for index in 0..self.events {
            for report in self.event(index).reports {
                id += 1;
                table
                    .row(vec![
                        Field::Int(id),
                        Field::text(format!("report-{id}")),
                        Field::Int(index as i64 + 1),
                        Field::text(report.category.as_str()),
                        Field::Text(None),
                        Field::Int(report.low),
                        Field::opt_int(report.high),
                        Field::Date(report.as_of),
                        Field::opt_int(report.claimed_by.map(|a| a as i64)),
                        Field::text(report.status.as_str()),
                        Field::opt_text(
                            (report.status == ReportStatus::Retracted)
                                .then(|| "Withdrawn by its claimant.".to_owned()),
                        ),
                    ])
                    .await?;
                progress.inc(1);
            }
        }
        counts.push(("casualty_reports", table.finish().await?));

        progress.set_message("citations");
        let mut table = sink
            .table(
                "citations",
                &[
                    "id",
                    "source_id",
                    "excerpt",
                    "event_id",
                    "statement_id",
                    "casualty_report_id",
                    "affiliation_id",
                ],
            )
            .await?;
        let (mut id, mut statement_id, mut report_id) = (0i64, 0i64, 0i64);
        for index in 0..self.events {
            let event = self.event(index);
            let mut cite = |source: u64, subject: [Option<i64>; 4]| {
                id += 1;
                let [event, statement, report, affiliation] = subject.map(Field::opt_int);
                vec![
                    Field::Int(id),
                    Field::Int(source as i64),
                    Field::Text(None),
                    event,
                    statement,
                    report,
                    affiliation,
                ]
            };
            let mut rows = Vec::new();
            for source in &event.citations {
                rows.push(cite(*source, [Some(index as i64 + 1), None, None, None]));
            }
            for statement in &event.statements {
                statement_id += 1;
                rows.push(cite(statement.source, [None, Some(statement_id), None, None]));
            }
            for report in &event.reports {
                report_id += 1;
                rows.push(cite(report.source, [None, None, Some(report_id), None]));
            }
            for row in rows {
                table.row(row).await?;
                progress.inc(1);
            }
        }
        for n in 0..affiliated.len() as i64 {
            id += 1;
            let source = 1 + n % self.sources as i64;
            let none = || Field::opt_int(None);
            let row = vec![
                Field::Int(id),
                Field::Int(source),
                Field::Text(None),
                none(),
                none(),
                none(),
                Field::Int(n + 1),
            ];
            table.row(row).await?;
        }
        counts.push(("citations", table.finish().await?));
        Ok(counts)
    }
}
