use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// A closed list of names shared by the database, the dataset file and the API. The API layer
/// turns each into a GraphQL enum from what is written here, so that the domain knows nothing
/// of GraphQL and a value's documentation is written once, on the variant.
pub trait Vocabulary: Copy + Eq + Send + Sync + 'static {
    /// The enumeration's name (its GraphQL type name).
    const NAME: &'static str;
    /// The lines of the enumeration's doc comment.
    const DOC: &'static [&'static str];
    /// Every value, in declaration order, with the lines of its doc comment.
    const VALUES: &'static [(Self, &'static [&'static str])];

    /// The value's SCREAMING_CASE name.
    fn name(self) -> &'static str;
}

/// Declares a vocabulary enum: stored as its SCREAMING_CASE name in the database, written the
/// same way in the dataset file, and described (name, values, their docs) by `Vocabulary`.
macro_rules! vocabulary {
    (
        $(#[doc = $doc:literal])*
        $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident),+ $(,)? }
    ) => {
        $(#[doc = $doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize,
            strum::EnumString, strum::IntoStaticStr, strum::VariantArray,
        )]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($(#[doc = $vdoc])* $variant),+ }

        impl Vocabulary for $name {
            const NAME: &'static str = stringify!($name);
            const DOC: &'static [&'static str] = &[$($doc),*];
            const VALUES: &'static [(Self, &'static [&'static str])] =
                &[$((Self::$variant, &[$($vdoc),*])),+];

            fn name(self) -> &'static str {
                self.into()
            }
        }

        impl $name {
            /// The name stored in the database and written in the dataset file.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// Reads a stored name back; `None` means the database holds a value this
            /// build does not know, which the caller reports as an internal error.
            pub fn parse(value: &str) -> Option<Self> {
                value.parse().ok()
            }

            /// Reads a value stored by this service; anything else is a broken invariant.
            pub fn from_db(value: &str) -> Result<Self, crate::error::AppError> {
                Self::parse(value).ok_or_else(|| {
                    crate::error::AppError::internal(format!(
                        "unknown {} {value:?} in the database",
                        stringify!($name)
                    ))
                })
            }
        }
    };
}

vocabulary! {
    /// What kind of document a source is.
    SourceKind {
        /// A news outlet's report.
        News,
        /// An official publication of a government or one of its bodies.
        Government,
        /// A post on a social-media platform.
        SocialMedia,
        /// A report by a non-governmental organization.
        Ngo,
        /// A paper or report by a university or research institute.
        Academic,
        /// Anything else, such as an opinion piece or a blog post.
        Other,
    }
}

vocabulary! {
    /// Whether a source can still be read as it was first published.
    SourceStatus {
        /// Online and unchanged, as far as is known.
        Available,
        /// Changed after publication.
        Edited,
        /// Taken down; an archive copy may survive.
        Deleted,
    }
}

vocabulary! {
    /// What kind of actor takes part in, speaks about or is affected by events.
    ActorKind {
        /// A named individual.
        Person,
        /// A sovereign state.
        State,
        /// A government, ministry, council or other state body.
        GovernmentBody,
        /// Police, military, intelligence or other state security forces.
        SecurityForce,
        /// An alliance or intergovernmental organization, such as the CSTO or NATO.
        InternationalOrganization,
        /// A non-state armed group.
        ArmedGroup,
        /// A political party or civil-society group.
        PoliticalGroup,
        /// Demonstrators acting without violence.
        Protesters,
        /// Demonstrators engaged in violence or destruction.
        Rioters,
        /// Unarmed people not otherwise organized.
        Civilians,
        /// A news organization or journalist.
        Media,
        /// A university, think tank or research institute.
        AcademicInstitution,
        /// An actor referred to but not identified, such as "external forces".
        Unidentified,
    }
}

vocabulary! {
    /// How exactly a date is known: the stored date is the first day of that period.
    DatePrecision {
        /// The exact day.
        Day,
        /// Within the week starting on the date.
        Week,
        /// Within the month of the date.
        Month,
        /// Within the year of the date.
        Year,
    }
}

impl DatePrecision {
    /// The last day of the period that starts on `date`: the date itself for `DAY`, six days
    /// later for `WEEK`, the end of its month for `MONTH` and of its year for `YEAR`.
    pub fn period_end(self, date: NaiveDate) -> NaiveDate {
        let last_of_month = |year: i32, month: u32| {
            let (next_year, next_month) =
                if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            NaiveDate::from_ymd_opt(next_year, next_month, 1)
                .and_then(|d| d.pred_opt())
                .unwrap_or(date)
        };
        match self {
            DatePrecision::Day => date,
            DatePrecision::Week => date.checked_add_days(Days::new(6)).unwrap_or(date),
            DatePrecision::Month => last_of_month(date.year(), date.month()),
            DatePrecision::Year => NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date),
        }
    }
}

vocabulary! {
    /// How exactly a location is known.
    GeoPrecision {
        /// The exact spot.
        Exact,
        /// A town or city.
        City,
        /// A first-level administrative region.
        Region,
        /// Only the country.
        Country,
        /// A second-level administrative division, such as a district.
        District,
        /// A part of a country larger than a region ("northern Mali"), or a line such as a
        /// road or a river.
        PartOfCountry,
        /// International waters or airspace; the country is the one the event is counted for.
        Water,
    }
}

vocabulary! {
    /// ACLED's event types.
    EventType {
        /// Armed clashes between organized groups.
        Battles,
        /// One-sided violence at a distance: shelling, air strikes, bombs.
        ExplosionsRemoteViolence,
        /// Violence by organized groups against unarmed people.
        ViolenceAgainstCivilians,
        /// Public demonstrations without violence by the demonstrators.
        Protests,
        /// Violent demonstrations and mob violence.
        Riots,
        /// Non-violent developments that shape later violence.
        StrategicDevelopments,
    }
}

vocabulary! {
    /// ACLED's event sub-types; each belongs to exactly one `EventType`.
    EventSubType {
        /// Battles: organized armed groups fight each other.
        ArmedClash,
        /// Battles: a government retakes territory.
        GovernmentRegainsTerritory,
        /// Battles: a non-state group takes territory.
        NonStateActorOvertakesTerritory,
        /// Remote violence: chemical weapons.
        ChemicalWeapon,
        /// Remote violence: air or drone strikes.
        AirDroneStrike,
        /// Remote violence: suicide bombing.
        SuicideBomb,
        /// Remote violence: shelling, artillery or missiles.
        ShellingArtilleryMissileAttack,
        /// Remote violence: remote explosives, landmines or IEDs.
        RemoteExplosiveLandmineIed,
        /// Remote violence: grenades.
        Grenade,
        /// Violence against civilians: sexual violence.
        SexualViolence,
        /// Violence against civilians: attacks.
        Attack,
        /// Violence against civilians: abduction or forced disappearance.
        AbductionForcedDisappearance,
        /// Protests: peaceful protest.
        PeacefulProtest,
        /// Protests: protest met with intervention short of lethal force.
        ProtestWithIntervention,
        /// Protests: excessive force against protesters.
        ExcessiveForceAgainstProtesters,
        /// Riots: violent demonstration.
        ViolentDemonstration,
        /// Riots: mob violence.
        MobViolence,
        /// Strategic developments: agreements, ceasefires, offers.
        Agreement,
        /// Strategic developments: arrests and detentions.
        Arrests,
        /// Strategic developments: change to a group or its activity.
        ChangeToGroupActivity,
        /// Strategic developments: weapons seized or disrupted.
        DisruptedWeaponsUse,
        /// Strategic developments: headquarters or base established.
        HeadquartersOrBaseEstablished,
        /// Strategic developments: looting or property destruction.
        LootingPropertyDestruction,
        /// Strategic developments: territory transferred without violence.
        NonViolentTransferOfTerritory,
        /// Strategic developments: anything else.
        Other,
    }
}

impl EventSubType {
    /// The event type this sub-type belongs to.
    pub fn event_type(self) -> EventType {
        use EventSubType::*;
        match self {
            ArmedClash | GovernmentRegainsTerritory | NonStateActorOvertakesTerritory => {
                EventType::Battles
            }
            ChemicalWeapon
            | AirDroneStrike
            | SuicideBomb
            | ShellingArtilleryMissileAttack
            | RemoteExplosiveLandmineIed
            | Grenade => EventType::ExplosionsRemoteViolence,
            SexualViolence | Attack | AbductionForcedDisappearance => {
                EventType::ViolenceAgainstCivilians
            }
            PeacefulProtest | ProtestWithIntervention | ExcessiveForceAgainstProtesters => {
                EventType::Protests
            }
            ViolentDemonstration | MobViolence => EventType::Riots,
            Agreement
            | Arrests
            | ChangeToGroupActivity
            | DisruptedWeaponsUse
            | HeadquartersOrBaseEstablished
            | LootingPropertyDestruction
            | NonViolentTransferOfTerritory
            | Other => EventType::StrategicDevelopments,
        }
    }
}

vocabulary! {
    /// The part an actor plays in an event.
    ParticipantRole {
        /// Started or carried out the event.
        Initiator,
        /// The event was directed at them.
        Target,
        /// Stepped in from outside, such as foreign troops.
        Intervener,
        /// Backed one side without carrying out the event.
        Supporter,
        /// Watched or reported without taking part.
        Observer,
        /// Brokered between sides.
        Mediator,
    }
}

vocabulary! {
    /// Whether a statement's text is the speaker's own words.
    StatementMode {
        /// The speaker's words, quoted exactly.
        Verbatim,
        /// A reporter's rendering of what the speaker said.
        Paraphrase,
    }
}

vocabulary! {
    /// What a statement does.
    StatementKind {
        /// Asserts something as fact.
        Claim,
        /// Blames someone.
        Accusation,
        /// Rejects a claim or accusation.
        Denial,
        /// Judges or analyses a situation.
        Assessment,
        /// Threatens or warns of consequences.
        Warning,
        /// Commits to a future action.
        Promise,
        /// Makes a decision or result known.
        Announcement,
        /// Asks someone to act.
        Appeal,
    }
}

vocabulary! {
    /// How a statement refers to an actor.
    MentionRole {
        /// Refers to the actor.
        Mentioned,
        /// Holds the actor responsible.
        Blamed,
    }
}

vocabulary! {
    /// What a casualty figure counts.
    CasualtyCategory {
        /// People killed.
        Killed,
        /// People injured.
        Injured,
        /// People detained or arrested.
        Detained,
        /// People missing.
        Missing,
        /// People displaced from their homes.
        Displaced,
    }
}

vocabulary! {
    /// Where a reported figure stands.
    ReportStatus {
        /// Reported and not contested, as far as is known.
        Reported,
        /// Contested by another party or source.
        Disputed,
        /// Withdrawn by its claimant or reporter; kept readable, never deleted.
        Retracted,
    }
}

vocabulary! {
    /// Which step of the reconciliation rule gave an event's best casualty figure.
    ReconciliationRule {
        /// The figure of the report an editor marked as preferred.
        Preferred,
        /// The lowest figure among the undisputed reports.
        LowestUndisputed,
        /// Every report that stands is disputed: the lowest among them.
        LowestDisputed,
        /// Reports exist, but every one is retracted or superseded: the figure is unknown.
        NoneStanding,
        /// An episode whose sub-events add up to more than its own reports: their sum.
        SubEvents,
    }
}

vocabulary! {
    /// What event statistics are grouped by.
    StatsDimension {
        /// The country (ISO 3166-1 alpha-2 code).
        Country,
        /// The first-level administrative division, as the data names it.
        Admin1,
        /// ACLED's disorder type ("Political violence", "Demonstrations", …).
        DisorderType,
        /// The event type.
        EventType,
        /// The event sub-type.
        SubEventType,
        /// An actor taking part: an event counts once in each of its actors' series.
        Actor,
        /// The kind of an actor taking part: an event counts once per kind among its actors.
        ActorKind,
    }
}

vocabulary! {
    /// The width of one step of a statistics time axis.
    StatsInterval {
        /// One day.
        Day,
        /// One week, starting on the day `weekStart` says.
        Week,
        /// One calendar month.
        Month,
        /// One calendar quarter.
        Quarter,
        /// One calendar year.
        Year,
        /// No time axis: one total per series.
        None,
    }
}

vocabulary! {
    /// The day weeks start on.
    WeekStart {
        /// Monday, as ISO 8601 weeks.
        Monday,
        /// Saturday, as ACLED's weekly files.
        Saturday,
    }
}

vocabulary! {
    /// Which events statistics count.
    StatsScope {
        /// Every event without live sub-events (sub-events and events that stand alone); an
        /// episode is not counted, and adds to the figures only what its sub-events do not
        /// already account for, so that the totals equal the episodes' figures.
        Leaves,
        /// Only events without a parent, each with its whole figure.
        TopLevel,
        /// Every event the filter selects, as `events` lists them, episodes and sub-events
        /// alike: the counts are the list's `totalCount`. Figures are summed as under
        /// `LEAVES` (an episode adds only what its sub-events leave out), so that no death is
        /// counted twice.
        All,
    }
}

vocabulary! {
    /// Why a casualty report does not count towards its event's reconciled figure.
    ExclusionReason {
        /// Its status is retracted.
        Retracted,
        /// A later report by the same claimant about the same group replaces it.
        Superseded,
    }
}

vocabulary! {
    /// What an API key may do; each role may do everything the ones before it may.
    Role {
        /// Read every record, its history and the change feed.
        Reader,
        /// Also create, edit, archive and restore records.
        Editor,
        /// Also manage API keys and purge archived records.
        Admin,
    }
}

vocabulary! {
    /// The kinds of records that are edited, archived and followed through the change feed.
    NodeType {
        /// A source document.
        Source,
        /// An actor.
        Actor,
        /// An event.
        Event,
        /// A statement.
        Statement,
        /// A casualty report.
        CasualtyReport,
    }
}

impl NodeType {
    /// The GraphQL type of the records, as global IDs name it (`CasualtyReport`).
    pub fn type_name(self) -> &'static str {
        match self {
            NodeType::Source => "Source",
            NodeType::Actor => "Actor",
            NodeType::Event => "Event",
            NodeType::Statement => "Statement",
            NodeType::CasualtyReport => "CasualtyReport",
        }
    }

    /// The global ID of row `row`, as the API and the exports give it: the URL-safe,
    /// unpadded base64 of `Type:row`.
    pub fn global_id(self, row: i64) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{}:{row}", self.type_name()))
    }

    /// The node type whose GraphQL type is `name`.
    pub fn from_type_name(name: &str) -> Option<Self> {
        use strum::VariantArray;
        Self::VARIANTS.iter().copied().find(|node| node.type_name() == name)
    }
}

vocabulary! {
    /// What one revision did to its record.
    Operation {
        /// The record was created through the API.
        Create,
        /// The record was loaded by `annals import`.
        Import,
        /// Fields of the record were changed.
        Update,
        /// The record was archived: hidden from lists, still reachable by ID.
        Archive,
        /// An archived record was restored.
        Restore,
        /// A casualty figure was retracted by its source.
        Retract,
        /// A casualty figure was disputed.
        Dispute,
        /// A source was taken down by its publisher.
        MarkDeleted,
        /// Another actor was merged into this one (on the kept actor), or this actor into
        /// another (on the merged one).
        Merge,
        /// An archived record was removed for good by an admin.
        Purge,
        /// A participant, mention, affiliation, alias or citation was added.
        AddRelation,
        /// A participant, mention, affiliation, alias or citation was removed.
        RemoveRelation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::VariantArray;

    #[test]
    fn names_round_trip_in_screaming_case() {
        assert_eq!(
            EventSubType::RemoteExplosiveLandmineIed.as_str(),
            "REMOTE_EXPLOSIVE_LANDMINE_IED"
        );
        for sub_type in EventSubType::VARIANTS {
            assert_eq!(EventSubType::parse(sub_type.as_str()), Some(*sub_type));
        }
        assert_eq!(ReportStatus::parse("retracted"), None);
    }

    #[test]
    fn precision_gives_the_last_day_a_date_may_stand_for() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(DatePrecision::Day.period_end(date(2022, 1, 5)), date(2022, 1, 5));
        assert_eq!(DatePrecision::Week.period_end(date(2022, 1, 1)), date(2022, 1, 7));
        assert_eq!(DatePrecision::Month.period_end(date(2024, 2, 1)), date(2024, 2, 29));
        assert_eq!(DatePrecision::Month.period_end(date(2022, 12, 1)), date(2022, 12, 31));
        assert_eq!(DatePrecision::Year.period_end(date(2019, 1, 1)), date(2019, 12, 31));
    }

    #[test]
    fn acled_has_twenty_five_sub_types_over_six_types() {
        assert_eq!(EventSubType::VARIANTS.len(), 25);
        for event_type in EventType::VARIANTS {
            assert!(EventSubType::VARIANTS.iter().any(|s| s.event_type() == *event_type));
        }
    }
}
