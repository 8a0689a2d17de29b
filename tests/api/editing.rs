//! Editing events, statements and actors and their relations; merging actors; purging.

use crate::helpers::{spawn_app, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

on_both_backends!(
    events_statements_and_actors_are_created_with_their_relations,
    the_import_rules_refuse_bad_edits_and_nothing_is_written,
    relations_are_added_and_removed_and_recorded,
    merging_actors_moves_every_reference_and_the_merged_id_follows,
    only_admins_purge_and_only_archived_unreferenced_records,
);

/// Sends a mutation as `key`; returns its field of `data`, asserting no errors.
async fn ok(app: &TestApp, key: &str, field: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(key), query, variables).await;
    assert!(body.get("errors").is_none(), "{field}: {body:#}");
    body["data"][field].clone()
}

/// Sends a mutation as `key` that must be refused; returns the first error.
async fn refused(app: &TestApp, key: &str, query: &str, variables: Value) -> Value {
    let body = app.graphql_as(Some(key), query, variables).await;
    assert!(body["data"].is_null(), "refused: {body:#}");
    body["errors"][0].clone()
}

fn violations(error: &Value) -> Vec<String> {
    let mut found: Vec<String> = error["extensions"]["violations"]
        .as_array()
        .unwrap_or_else(|| panic!("violations in {error}"))
        .iter()
        .map(|v| format!("{} {}", v["path"].as_str().unwrap(), v["code"].as_str().unwrap()))
        .collect();
    found.sort();
    found
}

const CREATE_ACTOR: &str = "mutation($input: CreateActorInput!) { createActor(input: $input) {
    actor { id key name countryCode aliases version } } }";
const CREATE_EVENT: &str = "mutation($input: CreateEventInput!) { createEvent(input: $input) {
    event { id key title parent { key } location { countryCode place } subType
        participants { role actor { key } } citations { source { key } } } } }";
const CREATE_STATEMENT: &str =
    "mutation($input: CreateStatementInput!) { createStatement(input: $input) {
    statement { id text speaker { key } event { key } actorMentions { role actor { key } } } } }";

async fn massimov(app: &TestApp, key: &str) -> Value {
    ok(
        app,
        key,
        "createActor",
        CREATE_ACTOR,
        json!({ "input": {
        "key": "massimov", "kind": "PERSON", "name": "Karim Massimov",
        "aliases": ["Karim Masimov"], "countryCode": "kz" } }),
    )
    .await["actor"]
        .clone()
}

async fn arrest(app: &TestApp, key: &str, actor: &str) -> Value {
    let input = json!({
        "key": "massimov-arrested",
        "parentId": app.id_of("events", "kazakhstan-unrest-2022").await,
        "title": "Former security chief arrested",
        "type": "STRATEGIC_DEVELOPMENTS", "subType": "ARRESTS",
        "startDate": "2022-01-06", "datePrecision": "DAY",
        "location": { "countryCode": "KZ", "place": "Nur-Sultan", "precision": "CITY" },
        "participants": [{ "actorId": actor, "role": "TARGET" }],
        "citations": [{ "sourceId": app.id_of("sources", "npr-kazakhstan-riots").await }],
    });
    ok(app, key, "createEvent", CREATE_EVENT, json!({ "input": input })).await["event"].clone()
}

async fn events_statements_and_actors_are_created_with_their_relations(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;

    let actor = massimov(&app, &key).await;
    assert_eq!(actor["countryCode"], "KZ");
    assert_eq!(actor["aliases"], json!(["Karim Masimov"]));
    assert_eq!(actor["version"], 1);

    let event = arrest(&app, &key, actor["id"].as_str().unwrap()).await;
    assert_eq!(event["parent"]["key"], "kazakhstan-unrest-2022");
    assert_eq!(event["subType"], "ARRESTS");
    assert_eq!(event["location"], json!({ "countryCode": "KZ", "place": "Nur-Sultan" }));
    assert_eq!(
        event["participants"],
        json!([{ "role": "TARGET", "actor": { "key": "massimov" } }])
    );

    let statement = ok(
        &app,
        &key,
        "createStatement",
        CREATE_STATEMENT,
        json!({ "input": {
        "speakerId": app.id_of("actors", "tokayev").await,
        "text": "The former security chief was detained on suspicion of treason.",
        "mode": "PARAPHRASE", "kind": "ACCUSATION",
        "statedOn": "2022-01-08", "datePrecision": "DAY",
        "eventId": event["id"],
        "mentions": [{ "actorId": actor["id"], "role": "BLAMED" }],
        "citations": [{ "sourceId": app.id_of("sources", "npr-kazakhstan-riots").await }],
    } }),
    )
    .await["statement"]
        .clone();
    assert_eq!(statement["speaker"]["key"], "tokayev");
    assert_eq!(
        statement["actorMentions"],
        json!([{ "role": "BLAMED", "actor": { "key": "massimov" } }])
    );

    // The new records read back like the imported ones, through the same relations.
    let read = app
        .data("query($id: ID!) { node(id: $id) { ... on Actor { events(first: 5) { edges { node { key } } }
            statements(first: 5) { totalCount } } } }", json!({ "id": actor["id"] }))
        .await;
    assert_eq!(read["node"]["events"]["edges"][0]["node"]["key"], "massimov-arrested");
    // Mentions are not statements by the actor.
    assert_eq!(read["node"]["statements"]["totalCount"], 0);

    let update = ok(&app, &key, "updateEvent", "mutation($input: UpdateEventInput!) { updateEvent(input: $input) {
        event { title endDate summary version } } }", json!({ "input": {
            "id": event["id"], "version": 1, "endDate": "2022-01-07", "summary": "Detained on treason charges." } }))
    .await;
    assert_eq!(update["event"]["version"], 2);
    assert_eq!(update["event"]["endDate"], "2022-01-07");
    let update = ok(&app, &key, "updateActor", "mutation($input: UpdateActorInput!) { updateActor(input: $input) {
        actor { description wikidataId version } } }", json!({ "input": {
            "id": actor["id"], "description": "Former chairman of the National Security Committee", "wikidataId": "Q319148" } }))
    .await;
    assert_eq!(update["actor"]["version"], 2);
    let update = ok(&app, &key, "updateStatement", "mutation($input: UpdateStatementInput!) { updateStatement(input: $input) {
        statement { kind statedOn version } } }", json!({ "input": { "id": statement["id"], "kind": "CLAIM", "statedOn": null, "datePrecision": null } }))
    .await;
    assert_eq!(update["statement"], json!({ "kind": "CLAIM", "statedOn": null, "version": 2 }));
}

async fn the_import_rules_refuse_bad_edits_and_nothing_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let before = app.state().await;
    let update_event =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } } }";

    // The episode cannot become a sub-event of its own sub-event.
    let episode = app.id_of("events", "kazakhstan-unrest-2022").await;
    let riots = app.id_of("events", "almaty-riots").await;
    let error =
        refused(&app, &key, update_event, json!({ "input": { "id": episode, "parentId": riots } }))
            .await;
    assert_eq!(violations(&error), ["input.parentId CYCLE"]);
    let error =
        refused(&app, &key, update_event, json!({ "input": { "id": riots, "parentId": riots } }))
            .await;
    assert_eq!(violations(&error), ["input.parentId CYCLE"]);
    // A sub-type of another type, an end before the start, a location half given.
    let error = refused(
        &app,
        &key,
        update_event,
        json!({ "input": {
        "id": riots, "type": "PROTESTS", "endDate": "2021-01-01",
        "location": { "countryCode": "XX", "latitude": 43.2, "precision": "CITY" } } }),
    )
    .await;
    assert_eq!(
        violations(&error),
        [
            "input.endDate DATE_ORDER",
            "input.location.countryCode INVALID_COUNTRY",
            "input.location.latitude INCOMPLETE",
            "input.subType TYPE_MISMATCH"
        ]
    );

    let error = refused(
        &app,
        &key,
        CREATE_ACTOR,
        json!({ "input": {
        "kind": "PERSON", "name": " ", "aliases": ["A", "A"], "wikidataId": "Q0" } }),
    )
    .await;
    assert_eq!(
        violations(&error),
        ["input.aliases[1] DUPLICATE", "input.name BLANK", "input.wikidataId INVALID_WIKIDATA_ID"]
    );

    let error = refused(&app, &key, CREATE_STATEMENT, json!({ "input": {
        "speakerId": app.id_of("actors", "tokayev").await, "text": "x", "mode": "VERBATIM", "kind": "CLAIM",
        "statedOn": "2022-01-07",
        "mentions": [{ "actorId": app.id_of("actors", "putin").await, "role": "MENTIONED" },
                     { "actorId": app.id_of("actors", "putin").await, "role": "BLAMED" }],
        "citations": [] } }))
    .await;
    assert_eq!(
        violations(&error),
        [
            "input.citations NOT_CITED",
            "input.datePrecision INCOMPLETE",
            "input.mentions[1] DUPLICATE"
        ]
    );

    assert_eq!(app.state().await, before, "nothing was written");
}

async fn relations_are_added_and_removed_and_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let riots = app.id_of("events", "almaty-riots").await;
    let putin = app.id_of("actors", "putin").await;
    let participant = "mutation($input: AddParticipantInput!) { addParticipant(input: $input) { event { version participants { role actor { key } } } } }";
    let remove_participant = "mutation($input: RemoveParticipantInput!) { removeParticipant(input: $input) { event { participants { actor { key } } } } }";

    let added = ok(
        &app,
        &key,
        "addParticipant",
        participant,
        json!({ "input": {
        "eventId": riots, "version": 1, "actorId": putin, "role": "OBSERVER" } }),
    )
    .await;
    assert!(added["event"]["participants"]
        .as_array()
        .unwrap()
        .contains(&json!({ "role": "OBSERVER", "actor": { "key": "putin" } })));
    let before = app.state().await;
    let twice = refused(
        &app,
        &key,
        participant,
        json!({ "input": { "eventId": riots, "actorId": putin, "role": "OBSERVER" } }),
    )
    .await;
    assert_eq!(violations(&twice), ["input.actorId DUPLICATE"]);
    let absent = refused(
        &app,
        &key,
        remove_participant,
        json!({ "input": { "eventId": riots, "actorId": putin, "role": "TARGET" } }),
    )
    .await;
    assert_eq!(violations(&absent), ["input.actorId NOT_PRESENT"]);
    assert_eq!(app.state().await, before);
    let removed = ok(
        &app,
        &key,
        "removeParticipant",
        remove_participant,
        json!({ "input": {
        "eventId": riots, "actorId": putin, "role": "OBSERVER" } }),
    )
    .await;
    assert!(!removed["event"]["participants"].to_string().contains("putin"));

    let statement = app.id_of("statements", "tokayev-attempted-coup").await;
    let mention = ok(&app, &key, "addMention", "mutation($input: AddMentionInput!) { addMention(input: $input) {
        statement { actorMentions { role actor { key } } } } }", json!({ "input": {
            "statementId": statement, "actorId": app.id_of("actors", "nazarbayev").await, "role": "MENTIONED" } }))
    .await;
    assert_eq!(
        mention["statement"]["actorMentions"],
        json!([{ "role": "MENTIONED", "actor": { "key": "nazarbayev" } }])
    );
    ok(&app, &key, "removeMention", "mutation($input: RemoveMentionInput!) { removeMention(input: $input) { statement { id } } }",
        json!({ "input": { "statementId": statement, "actorId": app.id_of("actors", "nazarbayev").await } })).await;

    let tokayev = app.id_of("actors", "tokayev").await;
    let alias = ok(
        &app,
        &key,
        "addAlias",
        "mutation($input: AliasInput!) { addAlias(input: $input) { actor { aliases } } }",
        json!({ "input": { "actorId": tokayev, "alias": "Qasym-Jomart Toqayev" } }),
    )
    .await;
    assert_eq!(alias["actor"]["aliases"], json!(["President Tokayev", "Qasym-Jomart Toqayev"]));
    let affiliation = ok(&app, &key, "addAffiliation", "mutation($input: AddAffiliationInput!) { addAffiliation(input: $input) {
        actor { affiliations { key role organization { key } } } } }", json!({ "input": {
            "actorId": tokayev, "key": "tokayev-chair-security-council", "organizationId": app.id_of("actors", "kz-security-council").await,
            "role": "Chairman", "from": "2022-01-05", "datePrecision": "DAY",
            "citations": [{ "sourceId": app.id_of("sources", "npr-kazakhstan-riots").await }] } }))
    .await;
    assert!(affiliation["actor"]["affiliations"]
        .to_string()
        .contains("tokayev-chair-security-council"));
    let error = refused(&app, &key, "mutation($input: AddAffiliationInput!) { addAffiliation(input: $input) { actor { id } } }",
        json!({ "input": { "actorId": tokayev, "organizationId": tokayev, "role": " ", "datePrecision": "DAY", "citations": [] } })).await;
    assert_eq!(
        violations(&error),
        ["input.citations NOT_CITED", "input.organization SELF_REFERENCE", "input.role BLANK"]
    );
    ok(&app, &key, "removeAffiliation", "mutation($input: RemoveAffiliationInput!) { removeAffiliation(input: $input) { actor { id } } }",
        json!({ "input": { "actorId": tokayev, "key": "tokayev-chair-security-council" } })).await;

    // Citations, on any record that cites: the last one cannot go.
    let report = app.id_of("casualtyReports", "unrest-detained-5800").await;
    let cite = "mutation($input: AddCitationInput!) { addCitation(input: $input) { node { ... on CasualtyReport { citations { source { key } excerpt } } } } }";
    let uncite = "mutation($input: RemoveCitationInput!) { removeCitation(input: $input) { node { ... on CasualtyReport { citations { source { key } } } } } }";
    let cited = ok(&app, &key, "addCitation", cite, json!({ "input": {
        "recordId": report, "sourceId": app.id_of("sources", "npr-kazakhstan-riots").await, "excerpt": "thousands detained" } }))
    .await;
    assert_eq!(cited["node"]["citations"].as_array().unwrap().len(), 3);
    for source in ["nyt-kazakhstan-toll", "seed-article"] {
        ok(&app, &key, "removeCitation", uncite, json!({ "input": { "recordId": report, "sourceId": app.id_of("sources", source).await } })).await;
    }
    let last = refused(&app, &key, uncite, json!({ "input": { "recordId": report, "sourceId": app.id_of("sources", "npr-kazakhstan-riots").await } })).await;
    assert_eq!(violations(&last), ["input.citations NOT_CITED"]);
    let on_source = refused(
        &app,
        &key,
        cite,
        json!({ "input": { "recordId": app.id_of("sources", "seed-article").await,
        "sourceId": app.id_of("sources", "seed-article").await } }),
    )
    .await;
    assert_eq!(on_source["extensions"]["code"], "BAD_USER_INPUT");

    let history = app
        .data("query($id: ID!) { node(id: $id) { ... on Event { history(first: 3) { edges { node { operation changes { field before after } } } } } } }",
            json!({ "id": riots }))
        .await;
    let edges = history["node"]["history"]["edges"].as_array().unwrap();
    assert_eq!(edges[0]["node"]["operation"], "REMOVE_RELATION");
    assert_eq!(edges[1]["node"]["operation"], "ADD_RELATION");
    assert_eq!(edges[1]["node"]["changes"][0]["field"], "participants");
    assert_eq!(edges[1]["node"]["changes"][0]["after"].as_array().unwrap().len(), 4);
}

async fn merging_actors_moves_every_reference_and_the_merged_id_follows(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("desk", Role::Editor).await;
    let nazarbayev = app.id_of("actors", "nazarbayev").await;
    let tokayev = app.id_of("actors", "tokayev").await;
    let npr = app.id_of("sources", "npr-kazakhstan-riots").await;

    // A second record of the same man, with references of its own.
    let duplicate = ok(
        &app,
        &key,
        "createActor",
        CREATE_ACTOR,
        json!({ "input": {
        "key": "n-nazarbaev", "kind": "PERSON", "name": "N. Nazarbaev", "aliases": ["Elbasy"] } }),
    )
    .await["actor"]["id"]
        .clone();
    let protests = app.id_of("events", "fuel-price-protests").await;
    let riots = app.id_of("events", "almaty-riots").await;
    for (event, role) in [(&protests, "TARGET"), (&riots, "TARGET")] {
        ok(&app, &key, "addParticipant", "mutation($input: AddParticipantInput!) { addParticipant(input: $input) { event { id } } }",
            json!({ "input": { "eventId": event, "actorId": duplicate, "role": role } })).await;
    }
    let statement = ok(&app, &key, "createStatement", CREATE_STATEMENT, json!({ "input": {
        "speakerId": duplicate, "text": "Rumours of my departure are false.", "mode": "PARAPHRASE", "kind": "DENIAL",
        "mentions": [{ "actorId": tokayev, "role": "MENTIONED" }], "citations": [{ "sourceId": npr }] } }))
    .await["statement"]["id"]
        .clone();
    ok(&app, &key, "addAffiliation", "mutation($input: AddAffiliationInput!) { addAffiliation(input: $input) { actor { id } } }",
        json!({ "input": { "actorId": duplicate, "key": "elbasy-nur-otan", "organizationId": app.id_of("actors", "kz-government").await,
            "role": "Party chairman", "datePrecision": "YEAR", "citations": [{ "sourceId": npr }] } })).await;

    let merge = "mutation($input: MergeActorsInput!) { mergeActors(input: $input) { actor { key aliases version
        affiliations { key } events(first: 10) { edges { node { key participants { role actor { key } } } } } } } }";
    let error = refused(
        &app,
        &key,
        merge,
        json!({ "input": { "keepId": nazarbayev, "mergeId": nazarbayev } }),
    )
    .await;
    assert_eq!(violations(&error), ["input.mergeId SELF_REFERENCE"]);
    let merged = ok(
        &app,
        &key,
        "mergeActors",
        merge,
        json!({ "input": { "keepId": nazarbayev, "mergeId": duplicate, "version": 1 } }),
    )
    .await;
    let kept = &merged["actor"];
    assert_eq!(kept["key"], "nazarbayev");
    assert_eq!(kept["aliases"], json!(["N. Nazarbaev", "Elbasy"]));
    let affiliations: Vec<&str> = kept["affiliations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert!(affiliations.contains(&"elbasy-nur-otan"), "{affiliations:?}");
    // The protests listed him twice as a target: once now.
    let protests_node = kept["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["key"] == "fuel-price-protests")
        .unwrap();
    let targets = protests_node["node"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["actor"]["key"] == "nazarbayev")
        .count();
    assert_eq!(targets, 1);
    assert!(kept["events"].to_string().contains("almaty-riots"));

    // Nothing refers to the merged record any more, and its ID answers with the kept actor.
    for table in [
        "event_participants WHERE actor_id",
        "statements WHERE speaker_id",
        "affiliations WHERE actor_id",
    ] {
        let (table, column) = table.split_once(" WHERE ").unwrap();
        let rows = app.database.conn.query_one_raw(sea_orm::Statement::from_string(
            app.database.conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = (SELECT id FROM actors WHERE key = 'n-nazarbaev')"),
        )).await.unwrap().unwrap();
        assert_eq!(rows.try_get::<i64>("", "n").unwrap(), 0, "{table}");
    }
    let follows = app
        .data(
            "query($id: ID!) { node(id: $id) { id ... on Actor { key } } }",
            json!({ "id": duplicate }),
        )
        .await;
    assert_eq!(follows["node"]["id"], nazarbayev);
    let speaker = app.data("query($id: ID!) { node(id: $id) { ... on Statement { speaker { key } history(first: 1) { edges { node { operation } } } } } }",
        json!({ "id": statement })).await;
    assert_eq!(speaker["node"]["speaker"]["key"], "nazarbayev");
    assert_eq!(speaker["node"]["history"]["edges"][0]["node"]["operation"], "MERGE");
    let listed = app
        .data("{ actors(filter: {name: \"nazarba\"}) { edges { node { key } } } }", json!({}))
        .await;
    assert_eq!(
        listed["actors"]["edges"],
        json!([{ "node": { "key": "nazarbayev" } }]),
        "the merged record is archived"
    );

    let again =
        refused(&app, &key, merge, json!({ "input": { "keepId": tokayev, "mergeId": duplicate } }))
            .await;
    assert_eq!(again["extensions"]["code"], "CONFLICT");
    let feed = app
        .data("{ changes(last: 10) { edges { node { operation nodeType author } } } }", json!({}))
        .await;
    let merges = feed["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["operation"] == "MERGE")
        .count();
    // The two events, the statement, the merged and the kept actor.
    assert_eq!(merges, 5, "{feed}");
}

async fn only_admins_purge_and_only_archived_unreferenced_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("desk", Role::Editor).await;
    let admin = app.key("ops", Role::Admin).await;
    let purge = "mutation($id: ID!) { purge(input: {id: $id}) { purgedId } }";
    let archive = "mutation($id: ID!) { archive(input: {id: $id}) { node { id } } }";
    let statement = app.id_of("statements", "putin-victory-declaration").await;

    let before = app.state().await;
    assert_eq!(
        refused(&app, &editor, purge, json!({ "id": statement })).await["extensions"]["code"],
        "FORBIDDEN"
    );
    assert_eq!(
        refused(&app, &admin, purge, json!({ "id": statement })).await["extensions"]["code"],
        "CONFLICT",
        "not archived"
    );
    assert_eq!(app.state().await, before);

    ok(&app, &editor, "archive", archive, json!({ "id": statement })).await;
    let purged = ok(&app, &admin, "purge", purge, json!({ "id": statement })).await;
    assert_eq!(purged["purgedId"], statement);
    let gone =
        app.data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": statement })).await;
    assert_eq!(gone["node"], Value::Null);
    let feed = app
        .data("{ changes(last: 1) { edges { node { operation author nodeId node { id } changes { field before after } } } } }", json!({}))
        .await;
    let record = &feed["changes"]["edges"][0]["node"];
    assert_eq!(
        (record["operation"].clone(), record["author"].clone()),
        (json!("PURGE"), json!("ops"))
    );
    assert_eq!(record["nodeId"], statement);
    assert_eq!(record["node"], Value::Null);
    let text = record["changes"].as_array().unwrap().iter().find(|c| c["field"] == "text").unwrap();
    assert!(text["before"].as_str().unwrap().len() > 10 && text["after"].is_null());

    // A source that records still cite cannot go.
    let source = app.id_of("sources", "seed-article").await;
    ok(&app, &editor, "archive", archive, json!({ "id": source })).await;
    let before = app.state().await;
    let error = refused(&app, &admin, purge, json!({ "id": source })).await;
    assert_eq!(error["extensions"]["code"], "CONFLICT", "{error}");
    assert_eq!(app.state().await, before);
}
