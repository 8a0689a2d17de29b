//! Events as rows of ACLED's current CSV export, so that scripts written for ACLED's files
//! read Annals' data. It is the inverse of the importer (`acled.rs`): a file it writes from
//! imported events imports back as the same events. The decisions it has to make where
//! Annals holds more, or other, than ACLED are listed in `data/crosswalks/acled.md`.

use super::acled::ACLED;
use super::flat::ExportedEvent;
use crate::domain::{
    ActorKind, DatePrecision, EventSubType, EventType, GeoPrecision, ParticipantRole,
};
use chrono::Datelike;

/// ACLED's current export columns, in its order.
pub const COLUMNS: [&str; 31] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
];

/// ACLED's label of an event type.
pub fn event_type_label(event_type: EventType) -> &'static str {
    match event_type {
        EventType::Battles => "Battles",
        EventType::ExplosionsRemoteViolence => "Explosions/Remote violence",
        EventType::ViolenceAgainstCivilians => "Violence against civilians",
        EventType::Protests => "Protests",
        EventType::Riots => "Riots",
        EventType::StrategicDevelopments => "Strategic developments",
    }
}

/// ACLED's label of a sub-event type.
pub fn sub_type_label(sub_type: EventSubType) -> &'static str {
    use EventSubType::*;
    match sub_type {
        ArmedClash => "Armed clash",
        GovernmentRegainsTerritory => "Government regains territory",
        NonStateActorOvertakesTerritory => "Non-state actor overtakes territory",
        ChemicalWeapon => "Chemical weapon",
        AirDroneStrike => "Air/drone strike",
        SuicideBomb => "Suicide bomb",
        ShellingArtilleryMissileAttack => "Shelling/artillery/missile attack",
        RemoteExplosiveLandmineIed => "Remote explosive/landmine/IED",
        Grenade => "Grenade",
        SexualViolence => "Sexual violence",
        Attack => "Attack",
        AbductionForcedDisappearance => "Abduction/forced disappearance",
        PeacefulProtest => "Peaceful protest",
        ProtestWithIntervention => "Protest with intervention",
        ExcessiveForceAgainstProtesters => "Excessive force against protesters",
        ViolentDemonstration => "Violent demonstration",
        MobViolence => "Mob violence",
        Agreement => "Agreement",
        Arrests => "Arrests",
        ChangeToGroupActivity => "Change to group/activity",
        DisruptedWeaponsUse => "Disrupted weapons use",
        HeadquartersOrBaseEstablished => "Headquarters or base established",
        LootingPropertyDestruction => "Looting/property destruction",
        NonViolentTransferOfTerritory => "Non-violent transfer of territory",
        Other => "Other",
    }
}

/// ACLED's actor category for an actor kind, with its number in ACLED's order (which orders
/// the two sides of `interaction`); `None` for an unidentified actor, which ACLED leaves
/// without a category. The importer reads each category back as the kind it is written for
/// here; the kinds ACLED has no category of take the nearest.
fn category(kind: ActorKind) -> Option<(u8, &'static str)> {
    use ActorKind::*;
    match kind {
        SecurityForce | State | GovernmentBody => Some((1, "State forces")),
        // ACLED splits armed groups into rebels and political and identity militias; Annals
        // does not, and political militias are the most common of the three.
        ArmedGroup => Some((3, "Political militia")),
        Rioters => Some((5, "Rioters")),
        Protesters => Some((6, "Protesters")),
        // ACLED codes journalists and named individuals as civilians.
        Civilians | Person | Media => Some((7, "Civilians")),
        InternationalOrganization | PoliticalGroup | AcademicInstitution => {
            Some((8, "External/Other forces"))
        }
        Unidentified => None,
    }
}

/// The event as one row of [`COLUMNS`].
pub fn row(event: &ExportedEvent) -> Vec<String> {
    let e = &event.row;
    let side = |role: ParticipantRole| {
        let mut actors = event.participants.iter().filter(move |p| p.role == role);
        let main = actors.next();
        let associated: Vec<&str> = actors.map(|p| p.name.as_str()).collect();
        (main, associated.join("; "))
    };
    // Other roles (interveners, supporters, observers, mediators) have no place in ACLED's
    // two sides: written as associated actors they would come back as initiators.
    let (actor1, assoc1) = side(ParticipantRole::Initiator);
    let (actor2, assoc2) = side(ParticipantRole::Target);
    let inter1 = actor1.and_then(|a| category(a.kind));
    let inter2 = actor2.and_then(|a| category(a.kind));
    let interaction = match (inter1, inter2) {
        (Some(a), Some(b)) => {
            let (first, second) = if b.0 < a.0 { (b, a) } else { (a, b) };
            format!("{}-{}", first.1, second.1)
        }
        (Some((_, only)), None) | (None, Some((_, only))) => format!("{only} only"),
        (None, None) => String::new(),
    };
    let country =
        e.country_code.as_deref().and_then(|c| isocountry::CountryCode::for_alpha2(c).ok());
    let sources: Vec<&str> =
        event.sources.iter().filter(|s| s.key != ACLED.key).map(|s| s.publisher.as_str()).collect();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    vec![
        event.acled_id.clone().unwrap_or_else(|| e.key.clone()),
        e.start_date.format("%d %B %Y").to_string(),
        e.start_date.year().to_string(),
        match event.date_precision {
            DatePrecision::Day => "1",
            DatePrecision::Week => "2",
            // ACLED's coarsest precision is the month.
            DatePrecision::Month | DatePrecision::Year => "3",
        }
        .to_owned(),
        text(&e.disorder_type),
        event_type_label(event.event_type).to_owned(),
        event.sub_type.map(sub_type_label).unwrap_or_default().to_owned(),
        actor1.map(|a| a.name.clone()).unwrap_or_default(),
        assoc1,
        inter1.map(|c| c.1).unwrap_or_default().to_owned(),
        actor2.map(|a| a.name.clone()).unwrap_or_default(),
        assoc2,
        inter2.map(|c| c.1).unwrap_or_default().to_owned(),
        interaction,
        if e.civilian_targeting == Some(true) { "Civilian targeting" } else { "" }.to_owned(),
        country.map(|c| c.numeric_id().to_string()).unwrap_or_default(),
        // Annals does not keep ACLED's regions.
        String::new(),
        country.map(|c| c.name().to_owned()).unwrap_or_default(),
        text(&e.admin1),
        text(&e.admin2),
        text(&e.admin3),
        text(&e.place),
        number(e.latitude),
        number(e.longitude),
        match event.geo_precision {
            Some(GeoPrecision::Exact | GeoPrecision::City) => "1",
            Some(GeoPrecision::Region | GeoPrecision::District) => "2",
            // ACLED's 3 is "a larger area": its coarsest.
            Some(GeoPrecision::Country | GeoPrecision::PartOfCountry | GeoPrecision::Water) => "3",
            None => "",
        }
        .to_owned(),
        sources.join("; "),
        text(&e.source_scale),
        text(&e.summary),
        event.fatalities.as_ref().map_or(0, |f| f.count).to_string(),
        event.tags.join("; "),
        event
            .fatalities
            .as_ref()
            .and_then(|f| f.as_of)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp().to_string())
            .unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::flat::{CitedSource, Fatalities, NamedParticipant};
    use strum::VariantArray;

    /// An event of `sub_type` whose actors, named after `n`, have `kinds`.
    fn event(n: usize, sub_type: EventSubType, kinds: (ActorKind, ActorKind)) -> ExportedEvent {
        let date = chrono::NaiveDate::from_ymd_opt(2022, 1, 5).unwrap();
        let participant =
            |name: &str, kind, role| NamedParticipant { name: format!("{name} {n}"), kind, role };
        ExportedEvent {
            row: entity::event::Model {
                id: 1,
                key: "some-event".into(),
                parent_id: None,
                title: "t".into(),
                summary: Some("A summary, with a comma\nand a line.".into()),
                event_type: sub_type.event_type().as_str().into(),
                sub_type: Some(sub_type.as_str().into()),
                start_date: date,
                end_date: None,
                date_precision: "DAY".into(),
                period_end: date,
                country_code: Some("KZ".into()),
                admin1: Some("Almaty".into()),
                place: Some("Almaty".into()),
                latitude: Some(43.2567),
                longitude: Some(76.9286),
                geo_precision: Some("CITY".into()),
                admin2: None,
                admin3: None,
                disorder_type: Some("Political violence".into()),
                civilian_targeting: Some(true),
                source_scale: Some("National".into()),
                tags: None,
                version: 1,
                archived_at: None,
                low_confidence: false,
                geo_x: None,
                geo_y: None,
                geo_z: None,
            },
            event_type: sub_type.event_type(),
            sub_type: Some(sub_type),
            date_precision: DatePrecision::Day,
            geo_precision: Some(GeoPrecision::City),
            tags: vec!["a".into(), "b=c".into()],
            participants: vec![
                participant("One", kinds.0, ParticipantRole::Initiator),
                participant("Two", kinds.1, ParticipantRole::Target),
                participant("Three", kinds.0, ParticipantRole::Initiator),
                participant("Four", kinds.0, ParticipantRole::Observer),
            ],
            sources: vec![
                CitedSource { key: ACLED.key.into(), publisher: ACLED.publisher.into() },
                CitedSource { key: "wire".into(), publisher: "Example Wire".into() },
            ],
            fatalities: Some(Fatalities { count: 3, best: None, high: None, as_of: Some(date) }),
            figures: Vec::new(),
            acled_id: None,
        }
    }

    /// A row written for each sub-type, with each of ACLED's categories on either side, reads
    /// back through the importer as what was written: the label tables are the importer's,
    /// inverted.
    #[test]
    fn every_label_and_category_reads_back_through_the_importer() {
        let kinds = [
            ActorKind::SecurityForce,
            ActorKind::ArmedGroup,
            ActorKind::Rioters,
            ActorKind::Protesters,
            ActorKind::Civilians,
        ];
        let mut file = csv::Writer::from_writer(Vec::new());
        file.write_record(COLUMNS).unwrap();
        let mut written = Vec::new();
        for (i, sub_type) in EventSubType::VARIANTS.iter().enumerate() {
            let kinds = (kinds[i % kinds.len()], kinds[(i + 1) % kinds.len()]);
            let mut event = event(i, *sub_type, kinds);
            event.acled_id = Some(format!("KAZ{i}"));
            file.write_record(row(&event)).unwrap();
            written.push(event);
        }
        let text = String::from_utf8(file.into_inner().unwrap()).unwrap();
        let input: crate::dataset::Input = Box::new(std::io::Cursor::new(text.into_bytes()));
        let (mut reader, mut batch) =
            crate::dataset::acled::open("export.csv", input).expect("the file reads back");
        while crate::dataset::external::RowReader::next_row(&mut reader, &mut batch).unwrap() {}
        assert_eq!(batch.rows.len(), written.len());
        for (read, written) in batch.rows.iter().zip(&written) {
            assert_eq!(read.external_id, written.acled_id.clone().unwrap());
            assert_eq!(read.event.sub_type, written.sub_type);
            assert_eq!(read.event.event_type, written.event_type);
            assert_eq!(read.event.start_date, written.row.start_date);
            assert_eq!(read.event.civilian_targeting, Some(true));
            assert_eq!(read.event.summary, written.row.summary);
            assert_eq!(read.event.tags, written.tags);
            assert_eq!(read.event.location.as_ref().unwrap().country_code, "KZ");
            assert_eq!(read.reports[0].low, 3);
            assert_eq!(read.reports[0].as_of, written.fatalities.as_ref().unwrap().as_of);
            // The observer is left out; the initiators stay initiators, in their order.
            let read_back: Vec<(ActorKind, ParticipantRole)> = read
                .event
                .participants
                .iter()
                .map(|p| {
                    let actor = batch.records.actors.iter().find(|a| a.key == p.actor).unwrap();
                    (actor.kind, p.role)
                })
                .collect();
            let expected: Vec<(ActorKind, ParticipantRole)> = [0, 2, 1]
                .into_iter()
                .map(|i| &written.participants[i])
                .map(|p| (p.kind, p.role))
                .collect();
            assert_eq!(read_back, expected);
        }
        let sources: Vec<&str> =
            batch.records.sources.iter().map(|s| s.publisher.as_str()).collect();
        assert_eq!(
            sources,
            ["ACLED", "Example Wire"],
            "ACLED is not written as a source of its own"
        );
    }

    #[test]
    fn interaction_orders_the_categories_as_acled_numbers_them() {
        let event =
            event(0, EventSubType::Attack, (ActorKind::Civilians, ActorKind::SecurityForce));
        let row = row(&event);
        let at = |name: &str| &row[COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(at("interaction"), "State forces-Civilians");
        assert_eq!(at("actor1"), "One 0");
        assert_eq!(at("assoc_actor_1"), "Three 0");
        assert_eq!(at("inter1"), "Civilians");
        assert_eq!(at("event_date"), "05 January 2022");
        assert_eq!(at("iso"), "398");
        assert_eq!(at("country"), "Kazakhstan");
        assert_eq!(at("source"), "Example Wire");
        assert_eq!(at("timestamp"), "1641340800");
        assert_eq!(at("event_id_cnty"), "some-event");
    }
}
