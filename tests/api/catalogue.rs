//! The read-model catalogue (`service::catalogue`) against what is served and stored: every
//! field of a node type, and of the objects hanging off them, is either catalogued or
//! resolver-only with a reason; every catalogued column exists; and the SQL forms of global IDs
//! and cursors, which the compiled-read path writes, equal the Rust encoders.

use crate::fuzz::{named, Schema, TypeDef};
use crate::helpers::{spawn_empty_app, Backend};
use crate::on_both_backends;
use annals::domain::NodeType;
use annals::service::catalogue::{self, Field, ObjectType, Source, CONNECTION_FIELDS};
use annals::service::page::{encode_cursor, KeyValue, Ordering, Position};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Statement};
use std::collections::{BTreeMap, BTreeSet};

on_both_backends!(every_catalogued_column_exists_in_the_database);

/// The served schema's object types: each with its fields and the named type of each field,
/// and the interfaces it implements (the fuzzer's reading of the SDL).
fn served_objects() -> BTreeMap<String, (BTreeMap<String, String>, Vec<String>)> {
    let schema = Schema::served();
    let implements = |object: &str| {
        schema
            .0
            .iter()
            .filter_map(|(name, def)| match def {
                TypeDef::Interface(_, objects) if objects.iter().any(|o| o == object) => {
                    Some(name.clone())
                }
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    schema
        .0
        .iter()
        .filter_map(|(name, def)| match def {
            TypeDef::Object(fields) => {
                let fields =
                    fields.iter().map(|f| (f.name.clone(), named(&f.ty).to_owned())).collect();
                Some((name.clone(), (fields, implements(name))))
            }
            _ => None,
        })
        .collect()
}

/// Every problem between the served schema and `objects`, one sentence each, naming the
/// type and field: the catalogue must describe every field reachable from the node types.
fn uncatalogued(objects: &[ObjectType]) -> Vec<String> {
    let served = served_objects();
    let find = |name: &str| objects.iter().find(|object| object.name == name);
    let mut problems = Vec::new();

    // Every type implementing Node is a catalogued node type, and the other way round.
    let nodes: BTreeSet<&str> = served
        .iter()
        .filter(|(_, (_, implements))| implements.iter().any(|i| i == "Node"))
        .map(|(name, _)| name.as_str())
        .collect();
    let catalogued: BTreeSet<&str> =
        objects.iter().filter(|o| o.node.is_some()).map(|o| o.name).collect();
    for missing in nodes.difference(&catalogued) {
        problems.push(format!("node type {missing} is not in the catalogue"));
    }

    let mut queue: Vec<&str> = nodes.iter().copied().collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = queue.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some((fields, _)) = served.get(name) else {
            problems.push(format!("{name} is catalogued but not served"));
            continue;
        };
        let Some(object) = find(name) else {
            problems.push(format!("{name} is served but not in the catalogue"));
            continue;
        };
        for (field, ty) in fields {
            let Some(entry) = object.fields.iter().find(|f| f.name == field) else {
                problems.push(format!(
                    "{name}.{field} is neither in the catalogue nor resolver-only with a reason"
                ));
                continue;
            };
            match entry.source {
                Source::ResolverOnly(reason) if reason.trim().is_empty() => {
                    problems.push(format!("{name}.{field} is resolver-only without a reason"));
                }
                Source::ToMany(list) => queue.push(list.object),
                Source::Embedded { object, .. } => queue.push(object),
                Source::Connection(connection) => {
                    let node = connection.node.type_name();
                    if ty != &format!("{node}Connection") {
                        problems.push(format!("{name}.{field} is a {ty}, catalogued as {node}s"));
                    }
                    for part in served.get(ty.as_str()).map(|(f, _)| f.keys()).into_iter().flatten()
                    {
                        if !CONNECTION_FIELDS.contains(&part.as_str()) {
                            problems.push(format!("{ty}.{part} is not a field the compiler knows"));
                        }
                    }
                }
                _ => {}
            }
        }
        for entry in object.fields {
            if !fields.contains_key(entry.name) {
                problems.push(format!("{name}.{} is catalogued but not served", entry.name));
            }
        }
    }
    problems
}

#[test]
fn every_served_field_of_the_read_model_is_catalogued_or_resolver_only() {
    let problems = uncatalogued(catalogue::OBJECTS);
    assert!(problems.is_empty(), "the catalogue and the schema disagree:\n{}", problems.join("\n"));
}

#[test]
fn a_field_missing_from_the_catalogue_is_named() {
    // Arrange: the catalogue without Event.title and without the Citation type.
    let objects: Vec<ObjectType> = catalogue::OBJECTS
        .iter()
        .filter(|object| object.name != "Citation")
        .map(|object| {
            let fields: Vec<Field> = object
                .fields
                .iter()
                .filter(|f| f.name != "title" || object.name != "Event")
                .copied()
                .collect();
            ObjectType { fields: Vec::leak(fields), ..*object }
        })
        .collect();

    // Act
    let problems = uncatalogued(&objects);

    // Assert
    assert!(
        problems.iter().any(|p| p.starts_with("Event.title is neither in the catalogue")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p == "Citation is served but not in the catalogue"),
        "{problems:?}"
    );
}

/// Every column the catalogue names, on each backend's migrated schema.
async fn every_catalogued_column_exists_in_the_database(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let db = &app.database.conn;
    let mut columns: Vec<(&str, &str)> = Vec::new();
    for object in catalogue::OBJECTS {
        for field in object.fields {
            match field.source {
                Source::Column(column) | Source::ToOne { column, .. } => {
                    columns.push((object.table, column))
                }
                Source::Embedded { present_when, .. } => {
                    columns.extend(present_when.iter().map(|c| (object.table, *c)))
                }
                Source::ToMany(list) | Source::Values(list, _) | Source::Through { list, .. } => {
                    columns.push((list.table, list.parent));
                    columns.extend(list.order.iter().map(|c| (list.table, *c)));
                    if let Source::Values(_, column) | Source::Through { column, .. } = field.source
                    {
                        columns.push((list.table, column));
                    }
                }
                _ => {}
            }
        }
    }
    for (table, column) in columns {
        let sql = format!("SELECT t.{column} FROM {table} t WHERE 1 = 0");
        let result = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await;
        assert!(result.is_ok(), "{table}.{column}: {result:?}");
    }
}

/// Row ids and sort keys the encoders must agree on: small and large ids (row ids are
/// PostgreSQL `integer`s, but the ID's SQL form must not depend on that), and text keys with
/// quotes, backslashes, control characters and text outside ASCII.
#[tokio::test]
async fn sql_forms_of_ids_and_cursors_equal_the_rust_encoders() {
    let Some(Backend::Postgres(url)) = Backend::postgres() else {
        eprintln!("TEST_DATABASE_URL is not set: the SQL forms are PostgreSQL's, skipped");
        return;
    };
    let db = sea_orm::Database::connect(url.as_str()).await.expect("PostgreSQL");
    let ids: Vec<i64> =
        vec![1, 7, 99, 1_000, 65_535, 999_999, 2_147_483_647, 2_147_483_648, 9_007_199_254_740_993];
    use strum::VariantArray;
    for node in NodeType::VARIANTS {
        for id in &ids {
            let sql = format!("SELECT {} AS v", annals::graphql::id::sql_encode(*node, "$1"));
            let bound = Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                sql.replace("$1", "$1::bigint"),
                [(*id).into()],
            );
            let row = db.query_one_raw(bound).await.expect("the ID in SQL").expect("a row");
            let in_sql: String = row.try_get("", "v").expect("text");
            assert_eq!(
                in_sql,
                annals::graphql::id::encode(*node, *id).to_string(),
                "{node:?} {id}"
            );
        }
    }

    let texts = [
        "plain",
        "Алматы",
        "Қазақстан — 2022",
        "quote \" and 'apostrophe'",
        "back\\slash",
        "tab\tnew\nline\u{1}",
        "emoji 🕊",
        "",
        &"long ".repeat(40),
    ];
    let dates = ["0001-01-01", "2022-01-05", "9999-12-31"];
    let row_ids = [1, 42, 2_147_483_647];
    for ordering in orderings() {
        let values: Vec<KeyValue> = match ordering.key.kind {
            annals::service::page::KeyKind::Text => {
                texts.iter().map(|t| KeyValue::Text((*t).to_owned())).collect()
            }
            annals::service::page::KeyKind::Date => dates
                .iter()
                .map(|d| KeyValue::Date(d.parse::<NaiveDate>().expect("a date")))
                .collect(),
            annals::service::page::KeyKind::Int => {
                [0, -5, 12_345, i32::MAX].into_iter().map(KeyValue::Int).collect()
            }
            // Relevance cursors are written in Rust only: the compiler leaves ranked lists
            // to the resolvers, and `orderings()` holds none.
            annals::service::page::KeyKind::Score => Vec::new(),
        };
        for key in values {
            for id in row_ids {
                let (cast, value): (&str, sea_orm::Value) = match &key {
                    KeyValue::Text(text) => ("text", text.clone().into()),
                    KeyValue::Date(date) => ("date", (*date).into()),
                    KeyValue::Int(n) => ("integer", (*n).into()),
                    KeyValue::Score(_) => unreachable!("no relevance ordering is listed"),
                };
                let expr = ordering.cursor_sql(&format!("$1::{cast}"), "$2::integer");
                let bound = Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    format!("SELECT {expr} AS v"),
                    [value, id.into()],
                );
                let row = db.query_one_raw(bound).await.expect("the cursor in SQL").expect("a row");
                let in_sql: String = row.try_get("", "v").expect("text");
                let in_rust = encode_cursor(&ordering, &Position { key: key.clone(), id });
                assert_eq!(in_sql, in_rust, "{} {key:?} {id}", ordering.key.name);
            }
        }
    }
}

/// Every ordering a list offers, each sort key in both directions: what cursors are made for.
fn orderings() -> Vec<Ordering> {
    use annals::service::page::Direction::{Asc, Desc};
    use annals::service::{actor, casualty, event, revision, source, statement};
    let mut all = vec![source::ordering(), revision::feed_ordering(), revision::history_ordering()];
    for direction in [Asc, Desc] {
        all.push(event::ordering(event::EventSort::StartDate, direction));
        all.push(event::ordering(event::EventSort::Title, direction));
        all.push(actor::ordering(direction));
        all.push(statement::ordering(statement::StatementSort::StatedOn, direction));
        all.push(casualty::ordering(casualty::CasualtySort::AsOf, direction));
        all.push(casualty::ordering(casualty::CasualtySort::Low, direction));
    }
    all
}
