//! The core schema: sources, actors and their aliases and affiliations, events and their
//! participants, statements and their mentions, casualty reports, and the citations that tie
//! every claim to the sources that report it.
//!
//! Enumerations are stored as their SCREAMING_CASE names in text columns guarded by CHECK
//! constraints: portable between PostgreSQL and SQLite, readable in a SQL shell, and a new value
//! needs only a new migration that widens the check.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SOURCE_KINDS: &[&str] = &["NEWS", "GOVERNMENT", "SOCIAL_MEDIA", "NGO", "ACADEMIC", "OTHER"];
const SOURCE_STATUSES: &[&str] = &["AVAILABLE", "EDITED", "DELETED"];
const ACTOR_KINDS: &[&str] = &[
    "PERSON",
    "STATE",
    "GOVERNMENT_BODY",
    "SECURITY_FORCE",
    "INTERNATIONAL_ORGANIZATION",
    "ARMED_GROUP",
    "POLITICAL_GROUP",
    "PROTESTERS",
    "RIOTERS",
    "CIVILIANS",
    "MEDIA",
    "ACADEMIC_INSTITUTION",
    "UNIDENTIFIED",
];
const DATE_PRECISIONS: &[&str] = &["DAY", "WEEK", "MONTH", "YEAR"];
const GEO_PRECISIONS: &[&str] = &["EXACT", "CITY", "REGION", "COUNTRY"];
/// ACLED's six event types, each with the sub-types that belong to it.
const EVENT_TYPES: &[(&str, &[&str])] = &[
    (
        "BATTLES",
        &["ARMED_CLASH", "GOVERNMENT_REGAINS_TERRITORY", "NON_STATE_ACTOR_OVERTAKES_TERRITORY"],
    ),
    (
        "EXPLOSIONS_REMOTE_VIOLENCE",
        &[
            "CHEMICAL_WEAPON",
            "AIR_DRONE_STRIKE",
            "SUICIDE_BOMB",
            "SHELLING_ARTILLERY_MISSILE_ATTACK",
            "REMOTE_EXPLOSIVE_LANDMINE_IED",
            "GRENADE",
        ],
    ),
    (
        "VIOLENCE_AGAINST_CIVILIANS",
        &["SEXUAL_VIOLENCE", "ATTACK", "ABDUCTION_FORCED_DISAPPEARANCE"],
    ),
    (
        "PROTESTS",
        &["PEACEFUL_PROTEST", "PROTEST_WITH_INTERVENTION", "EXCESSIVE_FORCE_AGAINST_PROTESTERS"],
    ),
    ("RIOTS", &["VIOLENT_DEMONSTRATION", "MOB_VIOLENCE"]),
    (
        "STRATEGIC_DEVELOPMENTS",
        &[
            "AGREEMENT",
            "ARRESTS",
            "CHANGE_TO_GROUP_ACTIVITY",
            "DISRUPTED_WEAPONS_USE",
            "HEADQUARTERS_OR_BASE_ESTABLISHED",
            "LOOTING_PROPERTY_DESTRUCTION",
            "NON_VIOLENT_TRANSFER_OF_TERRITORY",
            "OTHER",
        ],
    ),
];
const PARTICIPANT_ROLES: &[&str] =
    &["INITIATOR", "TARGET", "INTERVENER", "SUPPORTER", "OBSERVER", "MEDIATOR"];
const STATEMENT_MODES: &[&str] = &["VERBATIM", "PARAPHRASE"];
const STATEMENT_KINDS: &[&str] = &[
    "CLAIM",
    "ACCUSATION",
    "DENIAL",
    "ASSESSMENT",
    "WARNING",
    "PROMISE",
    "ANNOUNCEMENT",
    "APPEAL",
];
const MENTION_ROLES: &[&str] = &["MENTIONED", "BLAMED"];
const CASUALTY_CATEGORIES: &[&str] = &["KILLED", "INJURED", "DETAINED", "MISSING", "DISPLACED"];
const REPORT_STATUSES: &[&str] = &["REPORTED", "DISPUTED", "RETRACTED"];

/// `column IN ('A', 'B', …)`, named `ck_<table>_<column>` so violations can be matched on.
fn one_of(table: &str, column: &str, values: &[&str]) -> Check {
    let list = values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ");
    check(table, column, &format!("{column} IN ({list})"))
}

fn check(table: &str, name: &str, sql: &str) -> Check {
    Check::named(Alias::new(format!("ck_{table}_{name}")), Expr::cust(sql.to_owned()))
}

fn fk(
    table: impl IntoIden + Clone + 'static,
    column: impl IntoIden + Clone + 'static,
    target: impl IntoIden + 'static,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(target, Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn index(
    table: impl IntoIden + 'static,
    name: &str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sources::Table)
                    .if_not_exists()
                    .col(pk_auto(Sources::Id))
                    .col(string_uniq(Sources::Key))
                    .col(string(Sources::Kind))
                    .col(string(Sources::Publisher))
                    .col(string_null(Sources::Title))
                    .col(string_null(Sources::Url))
                    .col(date_null(Sources::PublishedOn))
                    .col(string(Sources::Status))
                    .col(string_null(Sources::ArchiveUrl))
                    .check(one_of("sources", "kind", SOURCE_KINDS))
                    .check(one_of("sources", "status", SOURCE_STATUSES))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Actors::Table)
                    .if_not_exists()
                    .col(pk_auto(Actors::Id))
                    .col(string_uniq(Actors::Key))
                    .col(string(Actors::Kind))
                    .col(string(Actors::Name))
                    // Lower-cased in Rust with full Unicode rules: SQLite's lower() and LIKE only
                    // fold ASCII, and names here are Kazakh and Russian as often as English.
                    .col(string(Actors::NameFolded))
                    .col(string_null(Actors::CountryCode))
                    .col(text_null(Actors::Description))
                    .col(string_null(Actors::WikidataId))
                    .check(one_of("actors", "kind", ACTOR_KINDS))
                    .check(check(
                        "actors",
                        "country_code",
                        "country_code IS NULL OR length(country_code) = 2",
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActorAliases::Table)
                    .if_not_exists()
                    .col(pk_auto(ActorAliases::Id))
                    .col(integer(ActorAliases::ActorId))
                    .col(string(ActorAliases::Alias))
                    .col(string(ActorAliases::AliasFolded))
                    .foreign_key(&mut fk(
                        ActorAliases::Table,
                        ActorAliases::ActorId,
                        Actors::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(ActorAliases::Table, "ux_actor_aliases_actor_alias", &["actor_id", "alias"])
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Affiliations::Table)
                    .if_not_exists()
                    .col(pk_auto(Affiliations::Id))
                    .col(string_uniq(Affiliations::Key))
                    .col(integer(Affiliations::ActorId))
                    .col(integer(Affiliations::OrganizationId))
                    .col(string(Affiliations::Role))
                    .col(date_null(Affiliations::FromDate))
                    .col(date_null(Affiliations::ToDate))
                    .col(string(Affiliations::DatePrecision))
                    .col(text_null(Affiliations::Note))
                    .foreign_key(&mut fk(
                        Affiliations::Table,
                        Affiliations::ActorId,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Affiliations::Table,
                        Affiliations::OrganizationId,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("affiliations", "date_precision", DATE_PRECISIONS))
                    .check(check(
                        "affiliations",
                        "dates",
                        "from_date IS NULL OR to_date IS NULL OR from_date <= to_date",
                    ))
                    .check(check("affiliations", "not_self", "actor_id <> organization_id"))
                    .to_owned(),
            )
            .await?;

        let sub_type_check = EVENT_TYPES
            .iter()
            .map(|(event_type, sub_types)| {
                let list = sub_types.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>();
                format!(
                    "(event_type = '{event_type}' AND (sub_type IS NULL OR sub_type IN ({})))",
                    list.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        manager
            .create_table(
                Table::create()
                    .table(Events::Table)
                    .if_not_exists()
                    .col(pk_auto(Events::Id))
                    .col(string_uniq(Events::Key))
                    .col(integer_null(Events::ParentId))
                    .col(string(Events::Title))
                    .col(text_null(Events::Summary))
                    .col(string(Events::EventType))
                    .col(string_null(Events::SubType))
                    .col(date(Events::StartDate))
                    .col(date_null(Events::EndDate))
                    .col(string(Events::DatePrecision))
                    // The last day the event may cover given its precision: an undated end
                    // in "January 2022" (MONTH) is the 31st. Written by the service so date
                    // filters stay one indexed comparison on both backends.
                    .col(date(Events::PeriodEnd))
                    .col(string_null(Events::CountryCode))
                    .col(string_null(Events::Admin1))
                    .col(string_null(Events::Place))
                    .col(double_null(Events::Latitude))
                    .col(double_null(Events::Longitude))
                    .col(string_null(Events::GeoPrecision))
                    .foreign_key(&mut fk(
                        Events::Table,
                        Events::ParentId,
                        Events::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    // The sub-type must belong to the type: a PEACEFUL_PROTEST is never a BATTLE.
                    .check(check("events", "sub_type", &sub_type_check))
                    .check(one_of("events", "date_precision", DATE_PRECISIONS))
                    .check(check(
                        "events",
                        "geo_precision",
                        &format!(
                            "geo_precision IS NULL OR geo_precision IN ({})",
                            GEO_PRECISIONS.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                        ),
                    ))
                    .check(check("events", "dates", "end_date IS NULL OR end_date >= start_date"))
                    .check(check("events", "period_end", "period_end >= start_date"))
                    .check(check(
                        "events",
                        "latitude",
                        "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
                    ))
                    .check(check(
                        "events",
                        "longitude",
                        "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
                    ))
                    .check(check(
                        "events",
                        "coordinates",
                        "(latitude IS NULL) = (longitude IS NULL)",
                    ))
                    // A location is a country at least; its precision travels with it.
                    .check(check(
                        "events",
                        "location",
                        "(country_code IS NULL) = (geo_precision IS NULL) \
                         AND (country_code IS NOT NULL OR (admin1 IS NULL AND place IS NULL AND latitude IS NULL))",
                    ))
                    .check(check(
                        "events",
                        "no_self_parent",
                        "parent_id IS NULL OR parent_id <> id",
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ix_events_start_date_id", &["start_date", "id"][..]),
            ("ix_events_parent_id", &["parent_id", "start_date", "id"][..]),
            // period_end rides along so that date-range filters are decided inside the index.
            (
                "ix_events_country_start_date",
                &["country_code", "start_date", "id", "period_end"][..],
            ),
            ("ix_events_type_start_date", &["event_type", "start_date", "id"][..]),
            ("ix_events_period_end", &["period_end"][..]),
        ] {
            manager.create_index(index(Events::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EventParticipants::Table)
                    .if_not_exists()
                    .col(pk_auto(EventParticipants::Id))
                    .col(integer(EventParticipants::EventId))
                    .col(integer(EventParticipants::ActorId))
                    .col(string(EventParticipants::Role))
                    .foreign_key(&mut fk(
                        EventParticipants::Table,
                        EventParticipants::EventId,
                        Events::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        EventParticipants::Table,
                        EventParticipants::ActorId,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("event_participants", "role", PARTICIPANT_ROLES))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    EventParticipants::Table,
                    "ux_event_participants_event_actor_role",
                    &["event_id", "actor_id", "role"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                EventParticipants::Table,
                "ix_event_participants_actor_id",
                &["actor_id", "event_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Statements::Table)
                    .if_not_exists()
                    .col(pk_auto(Statements::Id))
                    .col(string_uniq(Statements::Key))
                    .col(integer(Statements::SpeakerId))
                    .col(integer_null(Statements::EventId))
                    .col(text(Statements::Text))
                    .col(text(Statements::TextFolded))
                    .col(string(Statements::Mode))
                    .col(string(Statements::Kind))
                    .col(date_null(Statements::StatedOn))
                    .col(string_null(Statements::DatePrecision))
                    .foreign_key(&mut fk(
                        Statements::Table,
                        Statements::SpeakerId,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Statements::Table,
                        Statements::EventId,
                        Events::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("statements", "mode", STATEMENT_MODES))
                    .check(one_of("statements", "kind", STATEMENT_KINDS))
                    .check(check(
                        "statements",
                        "date_precision",
                        &format!(
                            "(stated_on IS NULL) = (date_precision IS NULL) AND (date_precision IS NULL OR date_precision IN ({}))",
                            DATE_PRECISIONS.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", ")
                        ),
                    ))
                    .to_owned(),
            )
            .await?;
        // Statement orderings are indexed by the next migration (expression indexes).

        manager
            .create_table(
                Table::create()
                    .table(StatementMentions::Table)
                    .if_not_exists()
                    .col(pk_auto(StatementMentions::Id))
                    .col(integer(StatementMentions::StatementId))
                    .col(integer(StatementMentions::ActorId))
                    .col(string(StatementMentions::Role))
                    .foreign_key(&mut fk(
                        StatementMentions::Table,
                        StatementMentions::StatementId,
                        Statements::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        StatementMentions::Table,
                        StatementMentions::ActorId,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("statement_mentions", "role", MENTION_ROLES))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    StatementMentions::Table,
                    "ux_statement_mentions_statement_actor",
                    &["statement_id", "actor_id"],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                StatementMentions::Table,
                "ix_statement_mentions_actor",
                &["actor_id", "statement_id"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CasualtyReports::Table)
                    .if_not_exists()
                    .col(pk_auto(CasualtyReports::Id))
                    .col(string_uniq(CasualtyReports::Key))
                    .col(integer(CasualtyReports::EventId))
                    .col(string(CasualtyReports::Category))
                    .col(string_null(CasualtyReports::AffectedGroup))
                    .col(integer(CasualtyReports::Low))
                    .col(integer_null(CasualtyReports::High))
                    .col(date_null(CasualtyReports::AsOf))
                    .col(integer_null(CasualtyReports::ClaimedById))
                    .col(string(CasualtyReports::Status))
                    .col(text_null(CasualtyReports::Note))
                    .foreign_key(&mut fk(
                        CasualtyReports::Table,
                        CasualtyReports::EventId,
                        Events::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        CasualtyReports::Table,
                        CasualtyReports::ClaimedById,
                        Actors::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("casualty_reports", "category", CASUALTY_CATEGORIES))
                    .check(one_of("casualty_reports", "status", REPORT_STATUSES))
                    .check(check("casualty_reports", "low", "low >= 0"))
                    .check(check("casualty_reports", "high", "high IS NULL OR high >= low"))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("ix_casualty_reports_event", &["event_id", "id"][..]),
            ("ix_casualty_reports_claimed_by", &["claimed_by_id", "id"][..]),
        ] {
            manager.create_index(index(CasualtyReports::Table, name, columns)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Citations::Table)
                    .if_not_exists()
                    .col(pk_auto(Citations::Id))
                    .col(integer(Citations::SourceId))
                    .col(text_null(Citations::Excerpt))
                    .col(integer_null(Citations::EventId))
                    .col(integer_null(Citations::StatementId))
                    .col(integer_null(Citations::CasualtyReportId))
                    .col(integer_null(Citations::AffiliationId))
                    .foreign_key(&mut fk(
                        Citations::Table,
                        Citations::SourceId,
                        Sources::Table,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Citations::Table,
                        Citations::EventId,
                        Events::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Citations::Table,
                        Citations::StatementId,
                        Statements::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Citations::Table,
                        Citations::CasualtyReportId,
                        CasualtyReports::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Citations::Table,
                        Citations::AffiliationId,
                        Affiliations::Table,
                        ForeignKeyAction::Cascade,
                    ))
                    // One nullable foreign key per citable table, exactly one of them set: every
                    // reference stays enforced by the database, which a polymorphic
                    // (type, id) pair could not be.
                    .check(check(
                        "citations",
                        "one_subject",
                        "(CASE WHEN event_id IS NULL THEN 0 ELSE 1 END) \
                         + (CASE WHEN statement_id IS NULL THEN 0 ELSE 1 END) \
                         + (CASE WHEN casualty_report_id IS NULL THEN 0 ELSE 1 END) \
                         + (CASE WHEN affiliation_id IS NULL THEN 0 ELSE 1 END) = 1",
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_citations_event", "event_id"),
            ("ix_citations_statement", "statement_id"),
            ("ix_citations_casualty_report", "casualty_report_id"),
            ("ix_citations_affiliation", "affiliation_id"),
            ("ix_citations_source", "source_id"),
        ] {
            manager.create_index(index(Citations::Table, name, &[column, "id"])).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Citations::Table.into_iden(),
            CasualtyReports::Table.into_iden(),
            StatementMentions::Table.into_iden(),
            Statements::Table.into_iden(),
            EventParticipants::Table.into_iden(),
            Events::Table.into_iden(),
            Affiliations::Table.into_iden(),
            ActorAliases::Table.into_iden(),
            Actors::Table.into_iden(),
            Sources::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Sources {
    Table,
    Id,
    Key,
    Kind,
    Publisher,
    Title,
    Url,
    PublishedOn,
    Status,
    ArchiveUrl,
}

#[derive(DeriveIden, Clone, Copy)]
enum Actors {
    Table,
    Id,
    Key,
    Kind,
    Name,
    NameFolded,
    CountryCode,
    Description,
    WikidataId,
}

#[derive(DeriveIden, Clone, Copy)]
enum ActorAliases {
    Table,
    Id,
    ActorId,
    Alias,
    AliasFolded,
}

#[derive(DeriveIden, Clone, Copy)]
enum Affiliations {
    Table,
    Id,
    Key,
    ActorId,
    OrganizationId,
    Role,
    FromDate,
    ToDate,
    DatePrecision,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum Events {
    Table,
    Id,
    Key,
    ParentId,
    Title,
    Summary,
    EventType,
    SubType,
    StartDate,
    EndDate,
    DatePrecision,
    PeriodEnd,
    CountryCode,
    Admin1,
    Place,
    Latitude,
    Longitude,
    GeoPrecision,
}

#[derive(DeriveIden, Clone, Copy)]
enum EventParticipants {
    Table,
    Id,
    EventId,
    ActorId,
    Role,
}

#[derive(DeriveIden, Clone, Copy)]
enum Statements {
    Table,
    Id,
    Key,
    SpeakerId,
    EventId,
    Text,
    TextFolded,
    Mode,
    Kind,
    StatedOn,
    DatePrecision,
}

#[derive(DeriveIden, Clone, Copy)]
enum StatementMentions {
    Table,
    Id,
    StatementId,
    ActorId,
    Role,
}

#[derive(DeriveIden, Clone, Copy)]
enum CasualtyReports {
    Table,
    Id,
    Key,
    EventId,
    Category,
    AffectedGroup,
    Low,
    High,
    AsOf,
    ClaimedById,
    Status,
    Note,
}

#[derive(DeriveIden, Clone, Copy)]
enum Citations {
    Table,
    Id,
    SourceId,
    Excerpt,
    EventId,
    StatementId,
    CasualtyReportId,
    AffiliationId,
}
