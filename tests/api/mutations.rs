//! Writing through the API: every mutation's happy path and its rejections, each rejection
//! proven to leave the database exactly as it was; versions, archiving, history.

use crate::helpers::{spawn_app, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use serde_json::{json, Value};

on_both_backends!(
    an_editor_creates_a_casualty_report_and_history_records_who_and_what,
    invalid_input_is_refused_with_every_problem_at_its_path_and_nothing_written,
    writing_needs_an_editor_key_and_never_reveals_whether_a_record_exists,
    updates_check_the_version_and_record_only_the_changed_fields,
    retracting_and_disputing_keep_the_figure_readable_with_reason_and_source,
    sources_are_created_updated_and_marked_deleted,
    archived_records_leave_lists_stay_reachable_and_come_back,
);

const CREATE: &str = "mutation($input: CreateCasualtyReportInput!) {
    createCasualtyReport(input: $input) { casualtyReport {
        id key version low high status category claimedBy { name } event { key }
        citations { source { key } excerpt }
    } } }";

const UPDATE: &str = "mutation($input: UpdateCasualtyReportInput!) {
    updateCasualtyReport(input: $input) { casualtyReport { id version low high note affectedGroup } } }";

const HISTORY: &str = "query($id: ID!) { node(id: $id) { ... on CasualtyReport {
    version history(first: 10) { totalCount edges { node {
        sequence operation author nodeType nodeId changes { field before after }
    } } } } } }";

/// A new figure for the whole episode, as the government claimed it.
async fn new_report(app: &TestApp) -> Value {
    json!({
        "key": "unrest-killed-225",
        "eventId": app.id_of("events", "kazakhstan-unrest-2022").await,
        "category": "KILLED",
        "low": 225,
        "high": 225,
        "asOf": "2022-01-15",
        "claimedById": app.id_of("actors", "kz-government").await,
        "citations": [{ "sourceId": app.id_of("sources", "nyt-kazakhstan-toll").await, "excerpt": "225 people" }],
    })
}

async fn an_editor_creates_a_casualty_report_and_history_records_who_and_what(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;

    let body = app.graphql_as(Some(&key), CREATE, json!({ "input": new_report(&app).await })).await;
    let report = &body["data"]["createCasualtyReport"]["casualtyReport"];
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(report["key"], "unrest-killed-225");
    assert_eq!(report["version"], 1);
    assert_eq!(report["status"], "REPORTED");
    assert_eq!(report["claimedBy"]["name"], "Government of Kazakhstan");
    assert_eq!(report["event"]["key"], "kazakhstan-unrest-2022");
    assert_eq!(
        report["citations"],
        json!([{ "source": { "key": "nyt-kazakhstan-toll" }, "excerpt": "225 people" }])
    );

    // It stands beside the earlier 164: competing figures are separate reports.
    let figures = app
        .data("{ casualtyReports(filter: {categories: [KILLED]}, orderBy: {field: LOW, direction: ASC}) {
            edges { node { low status } } } }", json!({}))
        .await;
    assert_eq!(
        figures["casualtyReports"]["edges"],
        json!([{ "node": { "low": 164, "status": "REPORTED" } }, { "node": { "low": 225, "status": "REPORTED" } }])
    );

    let history = app.data(HISTORY, json!({ "id": report["id"] })).await;
    let revisions = &history["node"]["history"];
    assert_eq!(revisions["totalCount"], 1);
    let created = &revisions["edges"][0]["node"];
    assert_eq!(created["operation"], "CREATE");
    assert_eq!(created["author"], "newsroom");
    assert_eq!(created["nodeType"], "CASUALTY_REPORT");
    assert_eq!(created["nodeId"], report["id"]);
    let change = |field: &str| {
        created["changes"].as_array().unwrap().iter().find(|c| c["field"] == field).cloned()
    };
    assert_eq!(change("low"), Some(json!({ "field": "low", "before": null, "after": 225 })));
    assert_eq!(
        change("claimedBy"),
        Some(json!({ "field": "claimedBy", "before": null, "after": "kz-government" }))
    );

    // The feed ends with it.
    let feed = app
        .data("{ changes(last: 1) { edges { node { sequence operation author } } } }", json!({}))
        .await;
    assert_eq!(feed["changes"]["edges"][0]["node"]["sequence"], created["sequence"]);
}

async fn invalid_input_is_refused_with_every_problem_at_its_path_and_nothing_written(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let before = app.state().await;

    let mut input = new_report(&app).await;
    input["low"] = json!(-5);
    input["high"] = json!(-10);
    input["key"] = json!("Not A Key");
    input["claimedById"] = json!(annals_id("Actor", 99_999));
    input["citations"] = json!([{ "sourceId": annals_id("Source", 99_999) }]);
    let body = app.graphql_as(Some(&key), CREATE, json!({ "input": input })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION", "{body}");
    let mut found: Vec<(String, String)> = body["errors"][0]["extensions"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["path"].as_str().unwrap().to_owned(), v["code"].as_str().unwrap().to_owned()))
        .collect();
    found.sort();
    let expected = [
        ("input.citations[0].sourceId", "UNKNOWN_REFERENCE"),
        ("input.claimedById", "UNKNOWN_REFERENCE"),
        ("input.high", "OUT_OF_RANGE"),
        ("input.key", "INVALID_KEY"),
        ("input.low", "OUT_OF_RANGE"),
    ];
    assert_eq!(found, expected.map(|(p, c)| (p.to_owned(), c.to_owned())), "{body}");

    let mut uncited = new_report(&app).await;
    uncited["citations"] = json!([]);
    let body = app.graphql_as(Some(&key), CREATE, json!({ "input": uncited })).await;
    assert_eq!(body["errors"][0]["extensions"]["violations"][0]["code"], "NOT_CITED", "{body}");

    // A key that is taken is a conflict.
    let mut taken = new_report(&app).await;
    taken["key"] = json!("unrest-killed-164");
    let body = app.graphql_as(Some(&key), CREATE, json!({ "input": taken })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "CONFLICT", "{body}");

    // An ID of the wrong type is not a reference at all.
    let mut wrong = new_report(&app).await;
    wrong["eventId"] = json!(app.id_of("actors", "tokayev").await);
    let body = app.graphql_as(Some(&key), CREATE, json!({ "input": wrong })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_ID", "{body}");

    assert_eq!(app.state().await, before, "nothing was written");
}

/// The ID the API would give row `row` of `type_name`, for IDs of rows that do not exist.
fn annals_id(type_name: &str, row: i32) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{type_name}:{row}"))
}

async fn writing_needs_an_editor_key_and_never_reveals_whether_a_record_exists(backend: Backend) {
    let app = spawn_app(backend).await;
    let reader = app.key("partner", Role::Reader).await;
    let before = app.state().await;
    let input = new_report(&app).await;

    let anonymous = app.graphql_as(None, CREATE, json!({ "input": input })).await;
    assert_eq!(anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{anonymous}");
    let forbidden = app.graphql_as(Some(&reader), CREATE, json!({ "input": input })).await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN", "{forbidden}");

    // Existing or not, a reader gets the same answer for the same mutation.
    let existing = app.id_of("casualtyReports", "unrest-injured-2000").await;
    let missing = annals_id("CasualtyReport", 99_999);
    let mut answers = Vec::new();
    for id in [existing, missing] {
        let body =
            app.graphql_as(Some(&reader), UPDATE, json!({ "input": { "id": id, "low": 1 } })).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        answers.push(body["errors"][0]["message"].clone());
    }
    assert_eq!(answers[0], answers[1]);
    let archive = "mutation($id: ID!) { archive(input: {id: $id}) { node { id } } }";
    let id = app.id_of("events", "almaty-riots").await;
    let body = app.graphql_as(None, archive, json!({ "id": id })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    assert_eq!(app.state().await, before, "nothing was written");
}

async fn updates_check_the_version_and_record_only_the_changed_fields(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let id = app.id_of("casualtyReports", "unrest-injured-2000").await;

    let body = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "high": 2500, "affectedGroup": "protesters and police" } }),
        )
        .await;
    let report = &body["data"]["updateCasualtyReport"]["casualtyReport"];
    assert_eq!(report["version"], 2, "{body}");
    assert_eq!((report["low"].clone(), report["high"].clone()), (json!(2000), json!(2500)));

    // A stale version is refused and changes nothing.
    let before = app.state().await;
    let stale = app
        .graphql_as(Some(&key), UPDATE, json!({ "input": { "id": id, "version": 1, "low": 1 } }))
        .await;
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT", "{stale}");
    let missing = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "input": { "id": annals_id("CasualtyReport", 99_999), "low": 1 } }),
        )
        .await;
    assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND", "{missing}");
    let invalid =
        app.graphql_as(Some(&key), UPDATE, json!({ "input": { "id": id, "low": 3000 } })).await;
    assert_eq!(invalid["errors"][0]["extensions"]["violations"][0]["path"], "input.high");
    assert_eq!(app.state().await, before, "nothing was written");

    // null clears an optional field; a field left out stays.
    let cleared = app
        .graphql_as(
            Some(&key),
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "high": null } }),
        )
        .await;
    let report = &cleared["data"]["updateCasualtyReport"]["casualtyReport"];
    assert_eq!(report["high"], Value::Null, "{cleared}");
    assert_eq!(report["affectedGroup"], "protesters and police");

    // An update that changes nothing writes nothing.
    let before = app.state().await;
    let same =
        app.graphql_as(Some(&key), UPDATE, json!({ "input": { "id": id, "low": 2000 } })).await;
    assert_eq!(same["data"]["updateCasualtyReport"]["casualtyReport"]["version"], 3);
    assert_eq!(app.state().await, before);

    let history = app.data(HISTORY, json!({ "id": id })).await;
    let edges = history["node"]["history"]["edges"].as_array().unwrap().clone();
    let summary: Vec<(String, Vec<String>)> = edges
        .iter()
        .map(|e| {
            let node = &e["node"];
            let fields = node["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["field"].as_str().unwrap().to_owned())
                .collect();
            (node["operation"].as_str().unwrap().to_owned(), fields)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("UPDATE".to_owned(), vec!["high".to_owned()]),
            ("UPDATE".to_owned(), vec!["affectedGroup".to_owned(), "high".to_owned()]),
            ("IMPORT".to_owned(), summary[2].1.clone()),
        ],
        "newest first"
    );
    let first_update = &edges[1]["node"]["changes"];
    assert!(first_update
        .as_array()
        .unwrap()
        .contains(&json!({ "field": "high", "before": null, "after": 2500 })));
    assert_eq!(edges[2]["node"]["author"], "import");
}

async fn retracting_and_disputing_keep_the_figure_readable_with_reason_and_source(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let injured = app.id_of("casualtyReports", "unrest-injured-2000").await;
    let detained = app.id_of("casualtyReports", "unrest-detained-5800").await;
    let deleted_post = app.id_of("sources", "kz-government-deleted-post").await;
    let npr = app.id_of("sources", "npr-kazakhstan-riots").await;
    let fields = "casualtyReport { low status statusReason version citations { source { key } } }";

    let retract = format!("mutation($input: RetractCasualtyReportInput!) {{ retractCasualtyReport(input: $input) {{ {fields} }} }}");
    let body = app
        .graphql_as(Some(&key), &retract, json!({ "input": {
            "id": injured, "version": 1, "reason": "the post announcing it was deleted", "sourceId": deleted_post } }))
        .await;
    let report = &body["data"]["retractCasualtyReport"]["casualtyReport"];
    assert_eq!(report["status"], "RETRACTED", "{body}");
    assert_eq!(report["low"], 2000, "the figure stays readable");
    assert_eq!(report["statusReason"], "the post announcing it was deleted");
    let cited: Vec<&str> = report["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"]["key"].as_str().unwrap())
        .collect();
    assert!(cited.contains(&"kz-government-deleted-post"), "{cited:?}");

    let dispute = format!("mutation($input: DisputeCasualtyReportInput!) {{ disputeCasualtyReport(input: $input) {{ {fields} }} }}");
    let body = app
        .graphql_as(
            Some(&key),
            &dispute,
            json!({ "input": {
            "id": detained, "reason": "rights groups count more", "sourceId": npr } }),
        )
        .await;
    assert_eq!(
        body["data"]["disputeCasualtyReport"]["casualtyReport"]["status"], "DISPUTED",
        "{body}"
    );

    let before = app.state().await;
    let blank = app
        .graphql_as(
            Some(&key),
            &dispute,
            json!({ "input": { "id": detained, "reason": " ", "sourceId": npr } }),
        )
        .await;
    assert_eq!(
        blank["errors"][0]["extensions"]["violations"][0]["path"], "input.reason",
        "{blank}"
    );
    let unknown = app
        .graphql_as(
            Some(&key),
            &dispute,
            json!({ "input": {
            "id": detained, "reason": "x", "sourceId": annals_id("Source", 99_999) } }),
        )
        .await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["violations"][0]["path"], "input.sourceId",
        "{unknown}"
    );
    assert_eq!(app.state().await, before);

    let history = app.data(HISTORY, json!({ "id": injured })).await;
    let latest = &history["node"]["history"]["edges"][0]["node"];
    assert_eq!(latest["operation"], "RETRACT");
    assert!(latest["changes"]
        .as_array()
        .unwrap()
        .contains(&json!({ "field": "status", "before": "REPORTED", "after": "RETRACTED" })));
}

async fn sources_are_created_updated_and_marked_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let create = "mutation($input: CreateSourceInput!) { createSource(input: $input) {
        source { id key kind publisher url status version } } }";
    let body = app
        .graphql_as(Some(&key), create, json!({ "input": {
            "kind": "NGO", "publisher": "Human Rights Watch", "url": "https://www.hrw.org/kazakhstan" } }))
        .await;
    let source = body["data"]["createSource"]["source"].clone();
    assert_eq!(source["status"], "AVAILABLE", "{body}");
    assert!(source["key"].as_str().unwrap().starts_with("source-"), "a key is made up: {source}");

    let update = "mutation($input: UpdateSourceInput!) { updateSource(input: $input) { source { url version } } }";
    let before = app.state().await;
    let bad = app
        .graphql_as(
            Some(&key),
            update,
            json!({ "input": { "id": source["id"], "url": "ftp://example.org", "publisher": "" } }),
        )
        .await;
    let mut codes: Vec<String> = bad["errors"][0]["extensions"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} {}", v["path"].as_str().unwrap(), v["code"].as_str().unwrap()))
        .collect();
    codes.sort();
    assert_eq!(codes, ["input.publisher BLANK", "input.url INVALID_URL"], "{bad}");
    assert_eq!(app.state().await, before);

    let mark = "mutation($input: MarkSourceDeletedInput!) { markSourceDeleted(input: $input) {
        source { status archiveUrl version history(first: 1) { edges { node { operation } } } } } }";
    let body = app
        .graphql_as(Some(&key), mark, json!({ "input": {
            "id": source["id"], "version": 1, "archiveUrl": "https://web.archive.org/web/2022/https://www.hrw.org/kazakhstan" } }))
        .await;
    let marked = &body["data"]["markSourceDeleted"]["source"];
    assert_eq!(marked["status"], "DELETED", "{body}");
    assert_eq!(marked["version"], 2);
    assert_eq!(marked["history"]["edges"][0]["node"]["operation"], "MARK_DELETED");
    assert!(marked["archiveUrl"].as_str().unwrap().starts_with("https://web.archive.org/"));
}

async fn archived_records_leave_lists_stay_reachable_and_come_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = app.key("newsroom", Role::Editor).await;
    let id = app.id_of("casualtyReports", "unrest-detained-5800").await;
    let archive =
        "mutation($id: ID!, $version: Int) { archive(input: {id: $id, version: $version}) {
        node { id ... on CasualtyReport { archivedAt version } } } }";
    let restore = "mutation($id: ID!) { restore(input: {id: $id}) {
        node { ... on CasualtyReport { archivedAt version } } } }";
    let listed = "{ casualtyReports { totalCount } all: casualtyReports(filter: {includeArchived: true}) { totalCount }
        events(filter: {countryCodes: [\"KZ\"]}, first: 100) { edges { node { key casualtyReports { key } } } } }";
    let episode_reports = |data: &Value| -> usize {
        data["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["key"] == "kazakhstan-unrest-2022")
            .map(|e| e["node"]["casualtyReports"].as_array().unwrap().len())
            .unwrap()
    };
    let live = app.data(listed, json!({})).await;
    assert_eq!(
        (live["casualtyReports"]["totalCount"].clone(), episode_reports(&live)),
        (json!(3), 3)
    );

    let stale = app.graphql_as(Some(&key), archive, json!({ "id": id, "version": 7 })).await;
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT");
    let body = app.graphql_as(Some(&key), archive, json!({ "id": id, "version": 1 })).await;
    let node = &body["data"]["archive"]["node"];
    assert!(node["archivedAt"].is_string(), "{body}");
    assert_eq!(node["version"], 2);

    let after = app.data(listed, json!({})).await;
    assert_eq!(after["casualtyReports"]["totalCount"], 2);
    assert_eq!(after["all"]["totalCount"], 3, "includeArchived lists it");
    assert_eq!(episode_reports(&after), 2, "nested lists leave it out too");
    let reachable = app.data("query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(reachable["node"]["id"], id);

    // Archiving again changes nothing.
    let again = app.graphql_as(Some(&key), archive, json!({ "id": id })).await;
    assert_eq!(again["data"]["archive"]["node"]["version"], 2);

    let body = app.graphql_as(Some(&key), restore, json!({ "id": id })).await;
    assert_eq!(body["data"]["restore"]["node"]["archivedAt"], Value::Null, "{body}");
    assert_eq!(app.data(listed, json!({})).await["casualtyReports"]["totalCount"], 3);

    let history = app.data(HISTORY, json!({ "id": id })).await;
    let operations: Vec<&str> = history["node"]["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations, ["RESTORE", "ARCHIVE", "IMPORT"]);

    // Every record type can be archived.
    for (list, key_name) in [
        ("events", "almaty-riots"),
        ("actors", "nato"),
        ("statements", "putin-victory-declaration"),
        ("sources", "axios-russia-nato-standoff"),
    ] {
        let id = app.id_of(list, key_name).await;
        let body = app
            .graphql_as(
                Some(&key),
                "mutation($id: ID!) { archive(input: {id: $id}) { node { id } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(body["data"]["archive"]["node"]["id"], id, "{body}");
        let count = format!("{{ {list}(first: 100) {{ edges {{ node {{ id }} }} }} }}");
        let data = app.data(&count, json!({})).await;
        assert!(
            !data[list]["edges"].as_array().unwrap().iter().any(|e| e["node"]["id"] == id),
            "{list}"
        );
    }
}

on_both_backends!(every_mutation_refuses_without_a_role_with_a_stale_version_or_an_unknown_id);

/// One mutation, with an input that would succeed for an editor.
struct Case {
    field: &'static str,
    input_type: &'static str,
    input: Value,
    /// The input field naming the record the mutation changes, and its type; none for creates.
    target: Option<(&'static str, &'static str)>,
}

async fn cases(app: &TestApp) -> Vec<Case> {
    let event = app.id_of("events", "almaty-riots").await;
    let actor = app.id_of("actors", "tokayev").await;
    let other = app.id_of("actors", "nazarbayev").await;
    let statement = app.id_of("statements", "tokayev-attempted-coup").await;
    let report = app.id_of("casualtyReports", "unrest-injured-2000").await;
    let source = app.id_of("sources", "npr-kazakhstan-riots").await;
    let cite = json!([{ "sourceId": source }]);
    let case = |field, input_type, input: Value, target| Case { field, input_type, input, target };
    vec![
        case(
            "createEvent",
            "CreateEventInput",
            json!({ "title": "t", "type": "RIOTS", "startDate": "2022-01-05", "datePrecision": "DAY", "citations": cite }),
            None,
        ),
        case(
            "updateEvent",
            "UpdateEventInput",
            json!({ "id": event, "title": "t" }),
            Some(("id", "Event")),
        ),
        case(
            "addParticipant",
            "AddParticipantInput",
            json!({ "eventId": event, "actorId": actor, "role": "OBSERVER" }),
            Some(("eventId", "Event")),
        ),
        case(
            "removeParticipant",
            "RemoveParticipantInput",
            json!({ "eventId": event, "actorId": app.id_of("actors", "rioters").await, "role": "INITIATOR" }),
            Some(("eventId", "Event")),
        ),
        case("createActor", "CreateActorInput", json!({ "kind": "PERSON", "name": "n" }), None),
        case(
            "updateActor",
            "UpdateActorInput",
            json!({ "id": actor, "description": "d" }),
            Some(("id", "Actor")),
        ),
        case(
            "addAlias",
            "AliasInput",
            json!({ "actorId": actor, "alias": "a" }),
            Some(("actorId", "Actor")),
        ),
        case(
            "removeAlias",
            "AliasInput",
            json!({ "actorId": actor, "alias": "President Tokayev" }),
            Some(("actorId", "Actor")),
        ),
        case(
            "addAffiliation",
            "AddAffiliationInput",
            json!({ "actorId": actor, "organizationId": other, "role": "r", "datePrecision": "YEAR", "citations": cite }),
            Some(("actorId", "Actor")),
        ),
        case(
            "removeAffiliation",
            "RemoveAffiliationInput",
            json!({ "actorId": actor, "key": "tokayev-president-kazakhstan" }),
            Some(("actorId", "Actor")),
        ),
        case(
            "mergeActors",
            "MergeActorsInput",
            json!({ "keepId": actor, "mergeId": other }),
            Some(("keepId", "Actor")),
        ),
        case(
            "createStatement",
            "CreateStatementInput",
            json!({ "speakerId": actor, "text": "t", "mode": "PARAPHRASE", "kind": "CLAIM", "citations": cite }),
            None,
        ),
        case(
            "updateStatement",
            "UpdateStatementInput",
            json!({ "id": statement, "text": "t" }),
            Some(("id", "Statement")),
        ),
        case(
            "addMention",
            "AddMentionInput",
            json!({ "statementId": statement, "actorId": other, "role": "MENTIONED" }),
            Some(("statementId", "Statement")),
        ),
        case(
            "removeMention",
            "RemoveMentionInput",
            json!({ "statementId": statement, "actorId": other }),
            Some(("statementId", "Statement")),
        ),
        case(
            "createCasualtyReport",
            "CreateCasualtyReportInput",
            json!({ "eventId": event, "category": "KILLED", "low": 1, "citations": cite }),
            None,
        ),
        case(
            "updateCasualtyReport",
            "UpdateCasualtyReportInput",
            json!({ "id": report, "low": 1 }),
            Some(("id", "CasualtyReport")),
        ),
        case(
            "retractCasualtyReport",
            "RetractCasualtyReportInput",
            json!({ "id": report, "reason": "r", "sourceId": source }),
            Some(("id", "CasualtyReport")),
        ),
        case(
            "disputeCasualtyReport",
            "DisputeCasualtyReportInput",
            json!({ "id": report, "reason": "r", "sourceId": source }),
            Some(("id", "CasualtyReport")),
        ),
        case(
            "createSource",
            "CreateSourceInput",
            json!({ "kind": "NEWS", "publisher": "p" }),
            None,
        ),
        case(
            "updateSource",
            "UpdateSourceInput",
            json!({ "id": source, "publisher": "p" }),
            Some(("id", "Source")),
        ),
        case(
            "markSourceDeleted",
            "MarkSourceDeletedInput",
            json!({ "id": source }),
            Some(("id", "Source")),
        ),
        case(
            "addCitation",
            "AddCitationInput",
            json!({ "recordId": report, "sourceId": app.id_of("sources", "reuters-putin-victory").await }),
            Some(("recordId", "CasualtyReport")),
        ),
        case(
            "removeCitation",
            "RemoveCitationInput",
            json!({ "recordId": report, "sourceId": app.id_of("sources", "seed-article").await }),
            Some(("recordId", "CasualtyReport")),
        ),
        case("archive", "ArchiveInput", json!({ "id": event }), Some(("id", "Event"))),
        case("restore", "RestoreInput", json!({ "id": event }), Some(("id", "Event"))),
    ]
}

async fn every_mutation_refuses_without_a_role_with_a_stale_version_or_an_unknown_id(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let reader = app.key("partner", Role::Reader).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let cases = cases(&app).await;
    let before = app.state().await;

    let code = |body: &Value| {
        body["errors"][0]["extensions"]["code"].as_str().unwrap_or("none").to_owned()
    };
    for case in &cases {
        let query = format!(
            "mutation($input: {}!) {{ {}(input: $input) {{ __typename }} }}",
            case.input_type, case.field
        );
        let send = |key: Option<&str>, input: Value| {
            let app = &app;
            let query = query.clone();
            let key = key.map(str::to_owned);
            async move { app.graphql_as(key.as_deref(), &query, json!({ "input": input })).await }
        };
        assert_eq!(
            code(&send(None, case.input.clone()).await),
            "UNAUTHENTICATED",
            "{}",
            case.field
        );
        assert_eq!(
            code(&send(Some(&reader), case.input.clone()).await),
            "FORBIDDEN",
            "{}",
            case.field
        );
        if let Some((field, type_name)) = case.target {
            let mut stale = case.input.clone();
            stale["version"] = json!(99);
            assert_eq!(code(&send(Some(&editor), stale).await), "CONFLICT", "{}", case.field);
            let mut unknown = case.input.clone();
            unknown[field] = json!(annals_id(type_name, 99_999));
            assert_eq!(code(&send(Some(&editor), unknown).await), "NOT_FOUND", "{}", case.field);
        }
    }
    assert_eq!(app.state().await, before, "no refused mutation wrote anything");

    // The same inputs go through for an editor: the refusals above were not the inputs' fault.
    for case in &cases {
        let query = format!(
            "mutation($input: {}!) {{ {}(input: $input) {{ __typename }} }}",
            case.input_type, case.field
        );
        let body = app.graphql_as(Some(&editor), &query, json!({ "input": case.input })).await;
        assert!(body.get("errors").is_none(), "{}: {body}", case.field);
    }
}
