//! Reading the whole database back into the dataset format. Records come out in id order,
//! which is the order an import wrote them, so export → import → export is the identity.

use super::*;
use crate::domain::*;
use crate::service::rows;
use entity::*;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use std::collections::HashMap;

/// The database's contents as a dataset.
#[tracing::instrument(skip_all)]
pub async fn export(db: &impl ConnectionTrait) -> Result<Dataset, AppError> {
    let source_rows = source::Entity::find().order_by_asc(source::Column::Id).all(db).await?;
    let actor_rows = actor::Entity::find().order_by_asc(actor::Column::Id).all(db).await?;
    let alias_rows =
        actor_alias::Entity::find().order_by_asc(actor_alias::Column::Id).all(db).await?;
    let affiliation_rows =
        affiliation::Entity::find().order_by_asc(affiliation::Column::Id).all(db).await?;
    let event_rows = event::Entity::find().order_by_asc(event::Column::Id).all(db).await?;
    let participant_rows = event_participant::Entity::find()
        .order_by_asc(event_participant::Column::Id)
        .all(db)
        .await?;
    let statement_rows =
        statement::Entity::find().order_by_asc(statement::Column::Id).all(db).await?;
    let mention_rows = statement_mention::Entity::find()
        .order_by_asc(statement_mention::Column::Id)
        .all(db)
        .await?;
    let report_rows =
        casualty_report::Entity::find().order_by_asc(casualty_report::Column::Id).all(db).await?;
    let citation_rows = citation::Entity::find().order_by_asc(citation::Column::Id).all(db).await?;

    let keys = |rows: Vec<(i32, &String)>| {
        rows.into_iter().map(|(id, key)| (id, key.clone())).collect::<HashMap<_, _>>()
    };
    let source_keys = keys(source_rows.iter().map(|r| (r.id, &r.key)).collect());
    let actor_keys = keys(actor_rows.iter().map(|r| (r.id, &r.key)).collect());
    let event_keys = keys(event_rows.iter().map(|r| (r.id, &r.key)).collect());
    let key_of = |keys: &HashMap<i32, String>, id: i32| {
        keys.get(&id)
            .cloned()
            .ok_or_else(|| AppError::internal(format!("dangling reference to row {id}")))
    };

    let mut citations: HashMap<(Cited, i32), Vec<CitationRecord>> = HashMap::new();
    for row in &citation_rows {
        let subject =
            match (row.event_id, row.statement_id, row.casualty_report_id, row.affiliation_id) {
                (Some(id), ..) => (Cited::Event, id),
                (_, Some(id), ..) => (Cited::Statement, id),
                (_, _, Some(id), _) => (Cited::CasualtyReport, id),
                (.., Some(id)) => (Cited::Affiliation, id),
                _ => return Err(AppError::internal(format!("citation {} cites nothing", row.id))),
            };
        citations.entry(subject).or_default().push(CitationRecord {
            source: key_of(&source_keys, row.source_id)?,
            excerpt: row.excerpt.clone(),
        });
    }
    let mut cited = |cited: Cited, id: i32| citations.remove(&(cited, id)).unwrap_or_default();

    let mut aliases: HashMap<i32, Vec<String>> = HashMap::new();
    for row in alias_rows {
        aliases.entry(row.actor_id).or_default().push(row.alias);
    }
    let mut participants: HashMap<i32, Vec<ParticipantRecord>> = HashMap::new();
    for row in participant_rows {
        participants.entry(row.event_id).or_default().push(ParticipantRecord {
            actor: key_of(&actor_keys, row.actor_id)?,
            role: ParticipantRole::from_db(&row.role)?,
        });
    }
    let mut mentions: HashMap<i32, Vec<MentionRecord>> = HashMap::new();
    for row in mention_rows {
        mentions.entry(row.statement_id).or_default().push(MentionRecord {
            actor: key_of(&actor_keys, row.actor_id)?,
            role: MentionRole::from_db(&row.role)?,
        });
    }

    let mut dataset = Dataset {
        format: FORMAT.to_owned(),
        sources: Vec::with_capacity(source_rows.len()),
        actors: Vec::with_capacity(actor_rows.len()),
        affiliations: Vec::with_capacity(affiliation_rows.len()),
        events: Vec::with_capacity(event_rows.len()),
        statements: Vec::with_capacity(statement_rows.len()),
        casualty_reports: Vec::with_capacity(report_rows.len()),
    };
    for row in source_rows {
        dataset.sources.push(rows::source_record(row)?);
    }
    for row in actor_rows {
        let aliases = aliases.remove(&row.id).unwrap_or_default();
        dataset.actors.push(rows::actor_record(row, aliases)?);
    }
    for row in affiliation_rows {
        let actor = key_of(&actor_keys, row.actor_id)?;
        let organization = key_of(&actor_keys, row.organization_id)?;
        let citations = cited(Cited::Affiliation, row.id);
        dataset.affiliations.push(rows::affiliation_record(row, actor, organization, citations)?);
    }
    for row in event_rows {
        let parent = row.parent_id.map(|id| key_of(&event_keys, id)).transpose()?;
        let participants = participants.remove(&row.id).unwrap_or_default();
        let citations = cited(Cited::Event, row.id);
        dataset.events.push(rows::event_record(row, parent, participants, citations)?);
    }
    for row in statement_rows {
        let speaker = key_of(&actor_keys, row.speaker_id)?;
        let event = row.event_id.map(|id| key_of(&event_keys, id)).transpose()?;
        let mentions = mentions.remove(&row.id).unwrap_or_default();
        let citations = cited(Cited::Statement, row.id);
        dataset.statements.push(rows::statement_record(row, speaker, event, mentions, citations)?);
    }
    for row in report_rows {
        let event = key_of(&event_keys, row.event_id)?;
        let claimed_by = row.claimed_by_id.map(|id| key_of(&actor_keys, id)).transpose()?;
        let citations = cited(Cited::CasualtyReport, row.id);
        dataset.casualty_reports.push(rows::casualty_record(row, event, claimed_by, citations)?);
    }
    Ok(dataset)
}

use crate::service::citation::Cited;
