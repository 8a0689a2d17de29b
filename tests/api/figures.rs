//! Reconciled casualty figures: what the bundled episode's competing reports add up to, and
//! how retractions, newer reports, an editor's preference and sub-events change the answer.

use crate::helpers::{spawn_app, spawn_empty_app, Backend, Client, TestApp, TestSchema};
use crate::on_both_backends;
use annals::domain::Role;
use annals::generate::{generate, Options};
use annals::service::figures::refresh_all;
use serde_json::{json, Value};

on_both_backends!(
    the_bundled_episode_reads_as_a_careful_reader_of_the_article_would,
    retracted_and_superseded_reports_leave_the_figure_and_say_why,
    an_editors_preference_gives_best_and_is_in_the_history,
    an_episode_is_the_larger_of_its_own_figure_and_its_sub_events_sum,
    stored_figures_follow_generated_data_and_every_kind_of_write,
);

const FIGURES: &str = "query($id: ID!) { node(id: $id) { ... on Event {
    figures { category low best high highOpen rule explanation
              considered { key } excluded { report { key } reason supersededBy { key } }
              subEvents { low best high highOpen } }
    missing: figure(category: MISSING) { best }
} } }";

async fn figures(app: &impl Client, event: &str) -> Value {
    let id = app.id_of("events", event).await;
    app.data(FIGURES, json!({ "id": id })).await["node"].clone()
}

fn category<'a>(figures: &'a Value, category: &str) -> &'a Value {
    figures["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["category"] == category)
        .unwrap_or_else(|| panic!("no {category} figure in {figures:#}"))
}

async fn the_bundled_episode_reads_as_a_careful_reader_of_the_article_would(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;

    // 164 dead, as a now-deleted government post said: the deletion is not a retraction.
    let killed = category(&episode, "KILLED");
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&json!(164), &json!(164), &json!(164))
    );
    assert_eq!(killed["highOpen"], false);
    assert_eq!(killed["rule"], "LOWEST_UNDISPUTED");
    assert_eq!(killed["considered"], json!([{ "key": "unrest-killed-164" }]));
    assert_eq!(killed["excluded"], json!([]));
    // More than 2,000 injured, more than 5,800 detained: open-ended.
    let injured = category(&episode, "INJURED");
    assert_eq!((&injured["best"], &injured["highOpen"]), (&json!(2000), &json!(true)));
    let detained = category(&episode, "DETAINED");
    assert_eq!(
        (&detained["low"], &detained["best"], &detained["high"]),
        (&json!(5800), &json!(5800), &json!(5800))
    );
    assert_eq!(detained["highOpen"], true);
    assert!(detained["explanation"].as_str().unwrap().contains("open-ended"), "{detained}");
    assert_eq!(episode["figures"].as_array().unwrap().len(), 3, "{episode:#}");
    // Nobody reported the missing: unknown, not zero.
    assert_eq!(episode["missing"], Value::Null);
    // A sub-event without reports has no figures.
    assert_eq!(figures(&app, "almaty-riots").await["figures"], json!([]));
}

const CREATE: &str = "mutation($input: CreateCasualtyReportInput!) {
    createCasualtyReport(input: $input) { casualtyReport { id key preferred } } }";

/// Creates a KILLED report on `event` and returns its id.
async fn report(app: &TestApp, editor: &str, event: &str, fields: Value) -> String {
    let mut input = json!({
        "eventId": app.id_of("events", event).await,
        "category": "KILLED",
        "citations": [{ "sourceId": app.id_of("sources", "nyt-kazakhstan-toll").await }],
    });
    input.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    let body = app.graphql_as(Some(editor), CREATE, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["createCasualtyReport"]["casualtyReport"]["id"].as_str().unwrap().to_owned()
}

async fn retract(app: &TestApp, editor: &str, report: &str) {
    let retract = "mutation($input: RetractCasualtyReportInput!) {
        retractCasualtyReport(input: $input) { casualtyReport { status } } }";
    let id = app.id_of("casualtyReports", report).await;
    let source = app.id_of("sources", "seed-article").await;
    let input = json!({ "input": { "id": id, "reason": "withdrawn", "sourceId": source } });
    let body = app.graphql_as(Some(editor), retract, input).await;
    assert_eq!(body["data"]["retractCasualtyReport"]["casualtyReport"]["status"], "RETRACTED");
}

async fn retracted_and_superseded_reports_leave_the_figure_and_say_why(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let government = app.id_of("actors", "kz-government").await;

    // The same ministry later says 225: its 164 is superseded.
    let later = json!({ "key": "killed-225", "low": 225, "high": 225, "asOf": "2022-01-15",
                        "claimedById": government });
    report(&app, &editor, "kazakhstan-unrest-2022", later).await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;
    let killed = category(&episode, "KILLED");
    assert_eq!(killed["best"], 225);
    assert_eq!(killed["considered"], json!([{ "key": "killed-225" }]));
    assert_eq!(
        killed["excluded"],
        json!([{ "report": { "key": "unrest-killed-164" }, "reason": "SUPERSEDED",
                 "supersededBy": { "key": "killed-225" } }])
    );

    // Retracting the correction brings the earlier claim back.
    retract(&app, &editor, "killed-225").await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;
    let killed = category(&episode, "KILLED");
    assert_eq!(killed["best"], 164);
    assert_eq!(
        killed["excluded"],
        json!([{ "report": { "key": "killed-225" }, "reason": "RETRACTED", "supersededBy": null }])
    );

    // Every report retracted: the figure is unknown, and says why.
    retract(&app, &editor, "unrest-killed-164").await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;
    let killed = category(&episode, "KILLED");
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(killed["rule"], "NONE_STANDING");
    assert_eq!(killed["excluded"].as_array().unwrap().len(), 2);
}

async fn an_editors_preference_gives_best_and_is_in_the_history(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let ngo = json!({ "key": "ngo-killed-227", "low": 227, "high": 240, "best": 230 });
    let ngo = report(&app, &editor, "kazakhstan-unrest-2022", ngo).await;
    let killed = category(&figures(&app, "kazakhstan-unrest-2022").await, "KILLED").clone();
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&json!(164), &json!(164), &json!(240))
    );

    let update = "mutation($input: UpdateCasualtyReportInput!) {
        updateCasualtyReport(input: $input) { casualtyReport { preferred
            history(first: 1) { edges { node { changes { field before after } } } } } } }";
    let body = app
        .graphql_as(Some(&editor), update, json!({ "input": { "id": ngo, "preferred": true } }))
        .await;
    let saved = &body["data"]["updateCasualtyReport"]["casualtyReport"];
    assert_eq!(saved["preferred"], true, "{body}");
    assert_eq!(
        saved["history"]["edges"][0]["node"]["changes"],
        // Unset marks are left out of records, as in the dataset file: `before` is null.
        json!([{ "field": "preferred", "before": null, "after": true }])
    );
    let killed = category(&figures(&app, "kazakhstan-unrest-2022").await, "KILLED").clone();
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&json!(164), &json!(230), &json!(240))
    );
    assert_eq!(killed["rule"], "PREFERRED");
}

async fn an_episode_is_the_larger_of_its_own_figure_and_its_sub_events_sum(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    report(&app, &editor, "almaty-riots", json!({ "low": 100, "high": 120 })).await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;
    let killed = category(&episode, "KILLED");
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&json!(164), &json!(164), &json!(164))
    );
    assert_eq!(
        killed["subEvents"],
        json!({ "low": 100, "best": 100, "high": 120, "highOpen": false })
    );
    assert_eq!(killed["rule"], "LOWEST_UNDISPUTED");

    // A second sub-event's dead take the sum past the episode's own figure.
    report(&app, &editor, "airport-stormed", json!({ "low": 80 })).await;
    let episode = figures(&app, "kazakhstan-unrest-2022").await;
    let killed = category(&episode, "KILLED");
    assert_eq!(
        (&killed["low"], &killed["best"], &killed["high"]),
        (&json!(180), &json!(180), &json!(200))
    );
    assert_eq!(killed["highOpen"], true, "the airport's 80 is open-ended");
    assert_eq!(killed["rule"], "SUB_EVENTS");
    // The sub-event's own figure, and the injured figure the episode alone has.
    let riots = figures(&app, "almaty-riots").await;
    assert_eq!(category(&riots, "KILLED")["best"], 100);
    assert_eq!(category(&episode, "INJURED")["best"], 2000);
}

/// The stored figures and the statistics' rollup, checked against a recomputation of every
/// event from scratch; the kept report counts, against counting the reports.
async fn assert_current(app: &TestApp, after: &str) {
    let derived = [
        "event_figure",
        "episode",
        "stats_month_events",
        "stats_month_figures",
        "stats_day_events",
        "stats_day_figures",
    ];
    let state = app.state().await;
    let stored: Vec<Value> = derived.iter().map(|table| state[*table].clone()).collect();
    refresh_all(&app.database.conn).await.unwrap();
    let state = app.state().await;
    for (table, stored) in derived.iter().zip(stored) {
        assert_eq!(stored, state[*table], "{table} is stale after {after}");
    }
    for kept in state["casualty_report_counts"].as_array().unwrap() {
        let (category, status) = (&kept["category"], &kept["status"]);
        let counted = app
            .number(&format!(
                "SELECT COUNT(*) AS n FROM casualty_reports WHERE archived_at IS NULL \
                 AND category = '{}' AND status = '{}'",
                category.as_str().unwrap(),
                status.as_str().unwrap()
            ))
            .await;
        assert_eq!(kept["n"], counted, "{category} {status} reports miscounted after {after}");
    }
    let kept: i64 = state["casualty_report_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["n"].as_i64().unwrap())
        .sum();
    let counted =
        app.number("SELECT COUNT(*) AS n FROM casualty_reports WHERE archived_at IS NULL").await;
    assert_eq!(kept, counted, "live reports miscounted after {after}");
}

async fn stored_figures_follow_generated_data_and_every_kind_of_write(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    generate(&app.database.conn, &Options { events: 300, seed: 4 }).await.unwrap();
    let generated = app.state().await["event_figure"].as_array().unwrap().len();
    assert!(generated > 100, "generated events have figures: {generated}");
    let episodes = app.state().await["episode"].as_array().unwrap().len();
    assert!(episodes > 0, "generated episodes are listed: {episodes}");
    assert_current(&app, "generating").await;

    // An episode with reported sub-events, and one of those sub-events.
    let data = app
        .data(
            "{ events(first: 100) { edges { node { id key parent { id }
                figures { category } casualtyReports { id } } } } }",
            json!({}),
        )
        .await;
    let events = data["events"]["edges"].as_array().unwrap();
    let sub_event = events
        .iter()
        .map(|e| &e["node"])
        .find(|e| !e["parent"].is_null() && !e["casualtyReports"].as_array().unwrap().is_empty())
        .expect("a sub-event with reports");
    let editor = app.key("newsroom", Role::Editor).await;
    let write = |query: &'static str, input: Value| {
        let (app, editor) = (&app, &editor);
        async move {
            let body = app.graphql_as(Some(editor), query, json!({ "input": input })).await;
            assert!(body.get("errors").is_none(), "{body}");
        }
    };
    let archive = "mutation($input: ArchiveInput!) { archive(input: $input) { node { id } } }";
    let restore = "mutation($input: RestoreInput!) { restore(input: $input) { node { id } } }";
    write(archive, json!({ "id": sub_event["id"] })).await;
    assert_current(&app, "archiving a sub-event").await;
    write(restore, json!({ "id": sub_event["id"] })).await;
    assert_current(&app, "restoring it").await;

    let update_event =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } } }";
    write(update_event, json!({ "id": sub_event["id"], "parentId": null })).await;
    assert_current(&app, "taking a sub-event out of its episode").await;
    write(update_event, json!({ "id": sub_event["id"], "parentId": sub_event["parent"]["id"] }))
        .await;
    assert_current(&app, "putting it back").await;

    // Out of its month and country: both the groups it leaves and the one it joins change.
    let moved = events
        .iter()
        .map(|e| &e["node"])
        .find(|e| e["parent"].is_null() && !e["figures"].as_array().unwrap().is_empty())
        .expect("a top-level event with figures");
    let elsewhere_in_time = json!({ "id": moved["id"], "startDate": "1999-02-03",
        "location": { "countryCode": "KZ", "admin1": "Almaty", "precision": "REGION" } });
    write(update_event, elsewhere_in_time).await;
    assert_current(&app, "moving an event to another month and country").await;

    let report = &sub_event["casualtyReports"][0]["id"];
    let update_report = "mutation($input: UpdateCasualtyReportInput!) {
        updateCasualtyReport(input: $input) { casualtyReport { id } } }";
    let elsewhere = events.iter().find(|e| e["node"]["parent"].is_null()).unwrap();
    write(update_report, json!({ "id": report, "low": 7, "high": 9, "best": null })).await;
    assert_current(&app, "changing a figure").await;
    write(update_report, json!({ "id": report, "eventId": elsewhere["node"]["id"] })).await;
    assert_current(&app, "moving a report to another event").await;
    write(archive, json!({ "id": report })).await;
    assert_current(&app, "archiving a report").await;
    let purge = "mutation($input: PurgeInput!) { purge(input: $input) { purgedId } }";
    let admin = app.key("admin", Role::Admin).await;
    let body = app.graphql_as(Some(&admin), purge, json!({ "input": { "id": report } })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_current(&app, "purging a report").await;
}
