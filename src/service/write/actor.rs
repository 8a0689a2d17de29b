//! Writing actors: create and update, aliases and affiliations, and merging two records of the
//! same actor into one.
//!
//! An actor's history covers its affiliations too: they are part of the state written here
//! ([`ActorState`]), so adding one shows up as a change of the actor's `affiliations`.

use super::casualty::Reports;
use super::event::Events;
use super::statement::Statements;
use super::{
    cited, describe, diff, ids_of, key_found, keys_of, load, open, patch_fields, recite, resolved,
    save, snapshot, store, Editable, NewCitation, References, Toggle, Writable,
};
use crate::domain::records::{ActorRecord, AffiliationRecord};
use crate::domain::validate::{check_actor, check_affiliation, Checker};
use crate::domain::{ActorKind, DatePrecision, NodeType, Operation};
use crate::error::AppError;
use crate::error::Rule;
use crate::service::citation::Cited;
use crate::service::rows;
use chrono::NaiveDate;
use entity::{actor, actor_alias, affiliation};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;

const NODE: NodeType = NodeType::Actor;

/// An actor as its history shows it: the dataset record and the affiliations it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActorState {
    /// The actor's own fields and aliases.
    #[serde(flatten)]
    pub record: ActorRecord,
    /// Its roles in organizations.
    pub affiliations: Vec<AffiliationRecord>,
}

/// A new actor.
#[derive(Debug, Clone)]
pub struct NewActor {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// What kind of actor.
    pub kind: ActorKind,
    /// Its usual name.
    pub name: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// Its country.
    pub country_code: Option<String>,
    /// Who or what it is.
    pub description: Option<String>,
    /// Its Wikidata item.
    pub wikidata_id: Option<String>,
}

/// Changes to an actor; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ActorPatch {
    /// Another kind.
    pub kind: Option<ActorKind>,
    /// Another name.
    pub name: Option<String>,
    /// Another country.
    pub country_code: Option<Option<String>>,
    /// Another description.
    pub description: Option<Option<String>>,
    /// Another Wikidata item.
    pub wikidata_id: Option<Option<String>>,
}

/// A new affiliation of an actor.
#[derive(Debug, Clone)]
pub struct NewAffiliation {
    /// Its readable key; made up when not given.
    pub key: Option<String>,
    /// The organization, state or body.
    pub organization_id: i32,
    /// The role: "president", "member state".
    pub role: String,
    /// Since when.
    pub from: Option<NaiveDate>,
    /// Until when.
    pub to: Option<NaiveDate>,
    /// How exactly the dates are known.
    pub date_precision: DatePrecision,
    /// Context.
    pub note: Option<String>,
    /// The sources that report it; at least one.
    pub citations: Vec<NewCitation>,
}

impl Writable for Actors {
    type New = NewActor;
    type Patch = ActorPatch;

    async fn build(
        refs: &mut References<'_, DatabaseTransaction>,
        input: NewActor,
    ) -> Result<ActorState, AppError> {
        let NewActor { key, kind, name, aliases, country_code, description, wikidata_id } = input;
        let key = refs.new_key(NODE, key);
        let record =
            ActorRecord { key, kind, name, aliases, country_code, description, wikidata_id };
        Ok(ActorState { record, affiliations: Vec::new() })
    }

    async fn apply(
        _refs: &mut References<'_, DatabaseTransaction>,
        _id: i32,
        after: &mut ActorState,
        patch: ActorPatch,
    ) -> Result<(), AppError> {
        let ActorPatch { kind, name, country_code, description, wikidata_id } = patch;
        patch_fields!(after.record; kind, name, country_code, description, wikidata_id);
        Ok(())
    }
}

/// Adds (`add`) or removes another name of an actor.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` for a blank or repeated alias,
/// or one that is not there to remove.
pub async fn set_alias(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    alias: String,
    add: bool,
) -> Result<actor::Model, AppError> {
    let (write, row, before) = open::<Actors>(db, author, id, version).await?;
    let mut check = Checker::default();
    let mut after = before.clone();
    let toggle = Toggle {
        add,
        path: "input.alias",
        present: "the actor has this alias already",
        absent: "the actor has no such alias",
    };
    let operation = toggle.apply(&mut check, &mut after.record.aliases, alias, |a, b| a == b);
    save::<Actors>(write, row, &before, &after, operation, check).await
}

/// Adds an affiliation of actor `id` with an organization.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version` or a taken key, `VALIDATION` with every
/// problem of the input.
pub async fn add_affiliation(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    input: NewAffiliation,
) -> Result<actor::Model, AppError> {
    let (write, row, before) = open::<Actors>(db, author, id, version).await?;
    let mut refs = References::new(write.txn());
    let organization =
        refs.key(NodeType::Actor, input.organization_id, "input.organizationId").await?;
    let citations = refs.citations(&input.citations, "input.citations").await?;
    let mut check = refs.checker();
    let affiliation = AffiliationRecord {
        key: match input.key {
            Some(key) => {
                check.key("input.key", &key);
                key
            }
            None => super::new_key("affiliation"),
        },
        actor: before.record.key.clone(),
        organization,
        role: input.role,
        from: input.from,
        to: input.to,
        date_precision: input.date_precision,
        note: input.note,
        citations,
    };
    check_affiliation(&mut check, "input", &affiliation, None);
    let mut after = before.clone();
    after.affiliations.push(affiliation);
    save::<Actors>(write, row, &before, &after, Operation::AddRelation, check).await
}

/// Removes the affiliation with `key` of actor `id`.
///
/// # Errors
/// `NOT_FOUND`, `CONFLICT` for a stale `version`, `VALIDATION` when the actor holds no such
/// affiliation.
pub async fn remove_affiliation(
    db: &DatabaseConnection,
    author: &str,
    id: i32,
    version: Option<i32>,
    key: &str,
) -> Result<actor::Model, AppError> {
    let (write, row, before) = open::<Actors>(db, author, id, version).await?;
    let mut check = Checker::default();
    let mut after = before.clone();
    after.affiliations.retain(|a| a.key != key);
    if after.affiliations.len() == before.affiliations.len() {
        check.fail(Rule::NotPresent, "input.key", "the actor holds no affiliation with this key");
    }
    save::<Actors>(write, row, &before, &after, Operation::RemoveRelation, check).await
}

/// Merges actor `merge` into actor `keep`, in one transaction: every event participation,
/// statement, mention, casualty claim and affiliation of `merge` moves to `keep`; `merge`'s
/// name and aliases become aliases of `keep`; `merge` is archived and from then on resolves to
/// `keep`. Every record that changed gets a `MERGE` revision.
///
/// # Errors
/// `NOT_FOUND` for either actor, `CONFLICT` for a stale version of `keep` or an actor merged
/// already, `VALIDATION` when both are the same actor.
pub async fn merge(
    db: &DatabaseConnection,
    author: &str,
    keep_id: i32,
    merge_id: i32,
    version: Option<i32>,
) -> Result<actor::Model, AppError> {
    if keep_id == merge_id {
        return Err(AppError::Validation(vec![crate::error::Violation::new(
            Rule::SelfReference,
            "input.mergeId",
            "an actor cannot be merged into itself",
        )]));
    }
    let (mut write, keep_row, keep_before) = open::<Actors>(db, author, keep_id, version).await?;
    let (merged_row, merged_before) = load::<Actors>(write.txn(), merge_id)
        .await?
        .ok_or_else(|| AppError::NotFound(describe(NODE, merge_id)))?;
    if merged_row.merged_into_id.is_some() || keep_row.merged_into_id.is_some() {
        return Err(AppError::Conflict(
            "one of the actors was merged into another already".to_owned(),
        ));
    }
    let (from, into) = (merged_before.record.key.clone(), keep_before.record.key.clone());

    // Records of others that refer to the merged actor.
    let mut pending = Vec::new();
    let txn = write.txn();
    for id in referring(
        txn,
        "SELECT DISTINCT event_id AS id FROM event_participants WHERE actor_id = ",
        merge_id,
    )
    .await?
    {
        let changed = rekey::<Events>(txn, id, |e| {
            for p in &mut e.participants {
                if p.actor == from {
                    p.actor.clone_from(&into);
                }
            }
            dedup_by(&mut e.participants, |p| (p.actor.clone(), p.role));
        })
        .await?;
        push(&mut pending, NodeType::Event, id, changed);
    }
    let statements = referring(txn, "SELECT id FROM statements WHERE speaker_id = ", merge_id)
        .await?
        .into_iter()
        .chain(
            referring(
                txn,
                "SELECT statement_id AS id FROM statement_mentions WHERE actor_id = ",
                merge_id,
            )
            .await?,
        )
        .collect::<std::collections::BTreeSet<_>>();
    for id in statements {
        let changed = rekey::<Statements>(txn, id, |s| {
            if s.speaker == from {
                s.speaker.clone_from(&into);
            }
            for m in &mut s.mentions {
                if m.actor == from {
                    m.actor.clone_from(&into);
                }
            }
            dedup_by(&mut s.mentions, |m| m.actor.clone());
        })
        .await?;
        push(&mut pending, NodeType::Statement, id, changed);
    }
    for id in
        referring(write.txn(), "SELECT id FROM casualty_reports WHERE claimed_by_id = ", merge_id)
            .await?
    {
        let changed = rekey::<Reports>(txn, id, |r| {
            if r.claimed_by.as_deref() == Some(from.as_str()) {
                r.claimed_by = Some(into.clone());
            }
        })
        .await?;
        push(&mut pending, NodeType::CasualtyReport, id, changed);
    }
    let members = referring(
        write.txn(),
        "SELECT DISTINCT actor_id AS id FROM affiliations WHERE organization_id = ",
        merge_id,
    )
    .await?;
    for id in members.into_iter().filter(|id| *id != merge_id && *id != keep_id) {
        let changed = rekey::<Actors>(txn, id, |a| {
            for affiliation in &mut a.affiliations {
                if affiliation.organization == from {
                    affiliation.organization.clone_from(&into);
                }
            }
        })
        .await?;
        push(&mut pending, NodeType::Actor, id, changed);
    }

    for (node, id, changes) in pending {
        write.record(node, id, Operation::Merge, changes);
    }

    // The merged actor gives up its aliases and affiliations, and points at the kept one.
    let mut merged_after = merged_before.clone();
    merged_after.record.aliases.clear();
    merged_after.affiliations.clear();
    let mut merged_changes = diff(&snapshot(&merged_before)?, &snapshot(&merged_after)?);
    store::<Actors>(write.txn(), Some((merged_row.clone(), &merged_before)), &merged_after).await?;
    let mut merged = actor::ActiveModel::from(
        actor::Entity::find_by_id(merge_id)
            .one(write.txn())
            .await?
            .ok_or_else(|| AppError::internal("the merged actor vanished"))?,
    );
    merged.merged_into_id = Set(Some(keep_id));
    if merged_row.archived_at.is_none() {
        merged.archived_at = Set(Some(write.at()));
        merged_changes
            .insert("archived".into(), serde_json::json!({ "before": false, "after": true }));
    }
    merged.update(write.txn()).await?;
    merged_changes
        .insert("mergedInto".into(), serde_json::json!({ "before": null, "after": into }));
    write.record(NODE, merge_id, Operation::Merge, merged_changes);

    // The kept actor gains the merged one's names and affiliations.
    let mut keep_after = keep_before.clone();
    let names = std::iter::once(merged_before.record.name.clone())
        .chain(merged_before.record.aliases.clone());
    for name in names {
        if name != keep_after.record.name && !keep_after.record.aliases.contains(&name) {
            keep_after.record.aliases.push(name);
        }
    }
    for mut affiliation in merged_before.affiliations {
        affiliation.actor.clone_from(&into);
        if affiliation.organization == from {
            affiliation.organization.clone_from(&into);
        }
        if affiliation.organization != into {
            keep_after.affiliations.push(affiliation);
        }
    }
    for affiliation in &mut keep_after.affiliations {
        if affiliation.organization == from {
            affiliation.organization.clone_from(&into);
        }
    }
    keep_after.affiliations.retain(|a| a.organization != into);
    let mut check = Checker::default();
    Actors::check(&mut check, &keep_after);
    check.finish()?;
    let mut keep_changes = diff(&snapshot(&keep_before)?, &snapshot(&keep_after)?);
    keep_changes.insert("mergedFrom".into(), serde_json::json!({ "before": null, "after": from }));
    // The merged actor's affiliations were deleted above, so their keys are free to move.
    let kept = store::<Actors>(write.txn(), Some((keep_row, &keep_before)), &keep_after).await?;
    write.record(NODE, keep_id, Operation::Merge, keep_changes);
    write.commit().await?;
    Ok(kept)
}

/// The ids a `SELECT … = ` query returns for `id`.
async fn referring(db: &impl ConnectionTrait, sql: &str, id: i32) -> Result<Vec<i32>, AppError> {
    let mut query = crate::service::sql::Sql::new(db.get_database_backend());
    query.push(sql).bind(id);
    db.query_all_raw(query.build())
        .await?
        .into_iter()
        .map(|row| Ok(row.try_get("", "id")?))
        .collect()
}

/// Rewrites record `id` of `E` with `edit`, stores it, and returns what changed.
async fn rekey<E: Editable>(
    db: &DatabaseTransaction,
    id: i32,
    edit: impl FnOnce(&mut E::Record),
) -> Result<super::Changes, AppError> {
    let (row, before) = load::<E>(db, id)
        .await?
        .ok_or_else(|| AppError::internal(format!("{} vanished", describe(E::NODE, id))))?;
    let mut after = before.clone();
    edit(&mut after);
    let changes = diff(&snapshot(&before)?, &snapshot(&after)?);
    if !changes.is_empty() {
        store::<E>(db, Some((row, &before)), &after).await?;
    }
    Ok(changes)
}

fn push(
    pending: &mut Vec<(NodeType, i32, super::Changes)>,
    node: NodeType,
    id: i32,
    changes: super::Changes,
) {
    if !changes.is_empty() {
        pending.push((node, id, changes));
    }
}

/// Drops later items whose `key` an earlier item has.
fn dedup_by<T, K: PartialEq>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    let mut seen: Vec<K> = Vec::new();
    items.retain(|item| {
        let k = key(item);
        if seen.contains(&k) {
            false
        } else {
            seen.push(k);
            true
        }
    });
}

/// Actors as the write path edits them.
pub struct Actors;

impl Editable for Actors {
    type Entity = actor::Entity;
    type Model = actor::Model;
    type Active = actor::ActiveModel;
    type Record = ActorState;
    const NODE: NodeType = NODE;

    async fn record(db: &DatabaseTransaction, row: &actor::Model) -> Result<ActorState, AppError> {
        let id = row.id;
        let aliases =
            crate::service::actor::aliases(db, &[id]).await?.remove(&id).unwrap_or_default();
        let record = rows::actor_record(row.clone(), aliases)?;
        let held = affiliation::Entity::find()
            .filter(affiliation::Column::ActorId.eq(id))
            .order_by_asc(affiliation::Column::Id)
            .all(db)
            .await?;
        let organizations: Vec<i32> = held.iter().map(|a| a.organization_id).collect();
        let keys = keys_of(db, NODE, &organizations).await?;
        let mut affiliations = Vec::with_capacity(held.len());
        for affiliation in held {
            let organization = key_found(&keys, affiliation.organization_id)?;
            let citations = cited(db, Cited::Affiliation, affiliation.id).await?;
            let actor = record.key.clone();
            affiliations.push(rows::affiliation_record(
                affiliation,
                actor,
                organization,
                citations,
            )?);
        }
        Ok(ActorState { record, affiliations })
    }

    async fn row(
        _db: &DatabaseTransaction,
        state: &ActorState,
    ) -> Result<actor::ActiveModel, AppError> {
        Ok(rows::actor_model(&state.record))
    }

    async fn store_lists(
        db: &DatabaseTransaction,
        id: i32,
        before: Option<&ActorState>,
        state: &ActorState,
    ) -> Result<(), AppError> {
        if before.map(|b| &b.record.aliases) != Some(&state.record.aliases) {
            actor_alias::Entity::delete_many()
                .filter(actor_alias::Column::ActorId.eq(id))
                .exec(db)
                .await?;
            for alias in &state.record.aliases {
                rows::alias_model(id, alias).insert(db).await?;
            }
        }
        if before.map(|b| &b.affiliations) != Some(&state.affiliations) {
            // Rewritten whole; their citations go with them (ON DELETE CASCADE).
            affiliation::Entity::delete_many()
                .filter(affiliation::Column::ActorId.eq(id))
                .exec(db)
                .await?;
            let organizations = state.affiliations.iter().map(|a| a.organization.as_str());
            let organizations = ids_of(db, NODE, organizations).await?;
            for record in &state.affiliations {
                let organization_id = resolved(&organizations, &record.organization)?;
                let saved = rows::affiliation_model(record, id, organization_id).insert(db).await?;
                recite(db, Cited::Affiliation, saved.id, &record.citations).await?;
            }
        }
        Ok(())
    }

    /// The actor's own rules; a new affiliation is checked where it is added, at `input.*`.
    fn check(check: &mut Checker, state: &Self::Record) {
        check_actor(check, "input", &state.record);
    }
}
