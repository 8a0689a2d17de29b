//! `eventStats`: counts and summed reconciled figures over a time axis and groups, the same on
//! both backends, agreeing with the `events` list and with ACLED's weekly aggregated files.

use crate::helpers::{spawn_app, spawn_empty_app, Backend, Client, TestSchema};
use crate::on_both_backends;
use annals::generate::{generate, Options};
use serde_json::{json, Value};

on_both_backends!(
    the_bundled_month_counts_its_events_and_the_episodes_figures_once,
    groups_keep_the_top_series_and_fold_the_rest,
    bad_statistics_requests_are_clear_errors,
    weekly_counts_by_place_and_type_match_acleds_aggregated_file,
    statistics_read_from_the_rollup_answer_as_the_events_do,
    counts_of_reports_by_category_and_status_are_kept_by_the_writes,
    figures_asked_for_through_fragments_are_summed,
);

const STATS: &str = "query($filter: EventFilter, $groupBy: [StatsDimension!], $interval: StatsInterval,
    $from: Date, $to: Date, $weekStart: WeekStart, $scope: StatsScope, $top: Int) {
  eventStats(filter: $filter, groupBy: $groupBy, interval: $interval, from: $from, to: $to,
             weekStart: $weekStart, scope: $scope, top: $top) {
    steps
    series { other key { dimension value countryCode admin1 disorderType eventType subType
                         actorKind actor { name } }
             points { start events coarserDates figures { category low best high highOpen unknown } }
             total { events coarserDates figures { category low best high highOpen unknown } } }
    total { points { start events coarserDates figures { category best unknown } }
            total { events coarserDates figures { category low best high highOpen unknown } } }
  } }";

async fn stats(app: &impl Client, variables: Value) -> Value {
    app.data(STATS, variables).await["eventStats"].clone()
}

fn figure<'a>(point: &'a Value, category: &str) -> &'a Value {
    point["figures"].as_array().unwrap().iter().find(|f| f["category"] == category).unwrap()
}

async fn the_bundled_month_counts_its_events_and_the_episodes_figures_once(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let filter = json!({ "from": "2022-01-01", "to": "2022-01-31" });
    let answer = stats(&app, json!({ "filter": filter, "interval": "WEEK" })).await;

    // The list for the same filter, less the episode (it has sub-events): what is counted.
    let listed = app
        .data(
            "query($filter: EventFilter) { events(filter: $filter, first: 100) {
                nodes { key startDate subEvents { totalCount } } } }",
            json!({ "filter": filter }),
        )
        .await;
    let leaves: Vec<&Value> = listed["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subEvents"]["totalCount"] == 0)
        .collect();
    let total = &answer["total"]["total"];
    assert_eq!(total["events"], leaves.len(), "{answer:#}");
    // The episode's figures, once: 164 killed, more than 2,000 injured.
    assert_eq!(figure(total, "KILLED")["best"], 164);
    assert_eq!(figure(total, "INJURED")["best"], 2000);
    assert_eq!(figure(total, "INJURED")["highOpen"], true);
    // No counted event has a killed figure of its own: every one is unknown, none zero.
    assert_eq!(figure(total, "KILLED")["unknown"], leaves.len());
    // Weeks from Monday: every step present, and the points add up to the total.
    let steps = answer["steps"].as_array().unwrap();
    assert_eq!(steps.first().unwrap(), "2021-12-27", "the week holding the first event");
    let points = answer["total"]["points"].as_array().unwrap();
    assert_eq!(points.len(), steps.len());
    let summed: i64 = points.iter().map(|p| p["events"].as_i64().unwrap()).sum();
    assert_eq!(summed, total["events"].as_i64().unwrap());
    assert!(points.iter().any(|p| p["events"] == 0), "empty weeks are present: {points:?}");

    // Scope ALL counts what the list lists, the episode too, and its figures still once.
    let all = stats(&app, json!({ "filter": filter, "interval": "WEEK", "scope": "ALL" })).await;
    let all = &all["total"]["total"];
    assert_eq!(all["events"], listed["events"]["nodes"].as_array().unwrap().len());
    assert_eq!(all["events"].as_i64().unwrap(), total["events"].as_i64().unwrap() + 1);
    // The same sums; the episode counted among the events whose figure is known.
    for category in ["KILLED", "INJURED", "DETAINED"] {
        let (counted, leaves) = (figure(all, category), figure(total, category));
        for bound in ["low", "best", "high", "highOpen"] {
            assert_eq!(counted[bound], leaves[bound], "{category} {bound}");
        }
        assert_eq!(counted["unknown"], leaves["unknown"], "{category}: the episode is known");
    }

    // An axis where nothing happened is still a full axis of zeros.
    let empty = stats(
        &app,
        json!({ "interval": "MONTH", "from": "2030-01-01", "to": "2030-03-31",
                 "groupBy": ["EVENT_TYPE"] }),
    )
    .await;
    assert_eq!(empty["steps"], json!(["2030-01-01", "2030-02-01", "2030-03-01"]));
    assert_eq!(empty["series"], json!([]));
    assert_eq!(empty["total"]["total"]["events"], 0);
    assert_eq!(empty["total"]["points"].as_array().unwrap().len(), 3);

    // Top-level scope: the episode counts, with its whole figure.
    let top =
        stats(&app, json!({ "filter": filter, "interval": "NONE", "scope": "TOP_LEVEL" })).await;
    assert_eq!(top["steps"], json!([]));
    assert_eq!(figure(&top["total"]["total"], "KILLED")["best"], 164);
    assert_eq!(
        figure(&top["total"]["total"], "KILLED")["unknown"],
        top["total"]["total"]["events"].as_i64().unwrap() - 1
    );
}

async fn groups_keep_the_top_series_and_fold_the_rest(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    generate(&app.database.conn, &Options { events: 400, seed: 3 }).await.unwrap();
    let by_type =
        stats(&app, json!({ "groupBy": ["EVENT_TYPE"], "interval": "YEAR", "top": 2 })).await;
    let series = by_type["series"].as_array().unwrap();
    assert_eq!(series.len(), 3, "two series and the rest");
    assert_eq!(series[2]["other"], true);
    assert!(series[0]["total"]["events"].as_i64() >= series[1]["total"]["events"].as_i64());
    assert!(series[0]["key"][0]["eventType"].is_string());
    // By type, every event is in exactly one series.
    let summed: i64 = series.iter().map(|s| s["total"]["events"].as_i64().unwrap()).sum();
    assert_eq!(summed, by_type["total"]["total"]["events"].as_i64().unwrap());
    // The total of a grouped answer (the groups added up) equals the ungrouped answer.
    let ungrouped = stats(&app, json!({ "interval": "YEAR" })).await;
    assert_eq!(by_type["total"], ungrouped["total"]);
    let listed =
        app.data("{ events { totalCount } }", json!({})).await["events"]["totalCount"].clone();
    assert!(summed <= listed.as_i64().unwrap(), "episodes are not counted");

    // Grouped by actor, each series names its actor; an event counts once per actor.
    let by_actor =
        stats(&app, json!({ "groupBy": ["ACTOR", "ACTOR_KIND"], "interval": "NONE", "top": 3 }))
            .await;
    let first = &by_actor["series"][0];
    assert!(first["key"][0]["actor"]["name"].is_string(), "{first}");
    assert!(first["key"][1]["actorKind"].is_string(), "{first}");
    assert_eq!(first["key"][0]["dimension"], "ACTOR");
}

async fn bad_statistics_requests_are_clear_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let code = |variables: Value| {
        let app = &app;
        async move {
            let body = app.graphql(STATS, variables).await;
            assert!(body.get("data").is_none() || body["data"].is_null(), "{body}");
            (body["errors"][0]["extensions"]["code"].clone(), body["errors"][0]["message"].clone())
        }
    };
    let (too_long, message) =
        code(json!({ "interval": "DAY", "from": "2000-01-01", "to": "2022-01-01" })).await;
    assert_eq!(too_long, "BAD_USER_INPUT");
    assert!(message.as_str().unwrap().contains("1000 steps"), "{message}");
    let (backwards, _) = code(json!({ "from": "2022-02-01", "to": "2022-01-01" })).await;
    assert_eq!(backwards, "BAD_USER_INPUT");
    let (top, _) = code(json!({ "top": 1000, "groupBy": ["COUNTRY"] })).await;
    assert_eq!(top, "BAD_USER_INPUT");
    let (negative, _) = code(json!({ "top": -1 })).await;
    assert_eq!(negative, "BAD_USER_INPUT");
    let (unknown, _) = code(json!({ "groupBy": ["PLANET"] })).await;
    assert_eq!(unknown, "GRAPHQL_VALIDATION_FAILED");
}

/// Both backends, the same generated data, the same questions: the same answers.
#[tokio::test]
async fn both_backends_answer_the_same_statistics() {
    let Some(postgres) = Backend::postgres() else {
        return eprintln!("TEST_DATABASE_URL is not set: the comparison with PostgreSQL skipped");
    };
    let lite = spawn_empty_app(Backend::Sqlite).await;
    let pg = spawn_empty_app(postgres).await;
    for app in [&lite, &pg] {
        generate(&app.database.conn, &Options { events: 500, seed: 11 }).await.unwrap();
    }
    let questions = [
        json!({ "groupBy": ["COUNTRY", "EVENT_TYPE"], "interval": "MONTH", "top": 100 }),
        json!({ "groupBy": ["ACTOR"], "interval": "QUARTER", "top": 20 }),
        json!({ "groupBy": ["ACTOR_KIND", "SUB_EVENT_TYPE"], "interval": "WEEK", "weekStart": "SATURDAY",
                "from": "2021-01-01", "to": "2022-12-31" }),
        json!({ "groupBy": ["ADMIN1", "DISORDER_TYPE"], "interval": "YEAR", "scope": "TOP_LEVEL" }),
        json!({ "filter": { "types": ["RIOTS", "PROTESTS"] }, "interval": "DAY",
                "from": "2022-01-01", "to": "2022-03-31" }),
    ];
    for question in questions {
        // Global IDs of actors are the same: both databases numbered the rows alike.
        assert_eq!(
            stats(&lite, question.clone()).await,
            stats(&pg, question.clone()).await,
            "{question}"
        );
    }
}

async fn weekly_counts_by_place_and_type_match_acleds_aggregated_file(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let imported = app.cli(&["import", &fixture("weekly.csv")]).await;
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let answer = stats(
        &app,
        json!({ "groupBy": ["COUNTRY", "ADMIN1", "DISORDER_TYPE", "EVENT_TYPE", "SUB_EVENT_TYPE"],
                "interval": "WEEK", "weekStart": "SATURDAY", "top": 100 }),
    )
    .await;
    let mut table = Vec::new();
    for series in answer["series"].as_array().unwrap() {
        let key = |i: usize, field: &str| series["key"][i][field].as_str().unwrap_or("").to_owned();
        for point in series["points"].as_array().unwrap() {
            if point["events"] == 0 {
                continue;
            }
            table.push(format!(
                "{},{},{},{},{},{},{},{}",
                point["start"].as_str().unwrap(),
                country_name(&key(0, "countryCode")),
                key(1, "admin1"),
                acled_label(&key(3, "eventType")),
                acled_label(&key(4, "subType")),
                point["events"],
                figure(point, "KILLED")["best"],
                csv_field(&key(2, "disorderType")),
            ));
        }
    }
    table.sort();
    let golden = std::fs::read_to_string(fixture("weekly-aggregated.csv")).unwrap();
    let mut expected: Vec<String> = golden.lines().skip(1).map(str::to_owned).collect();
    expected.sort();
    assert_eq!(table, expected);
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/acled/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn country_name(code: &str) -> &'static str {
    match code {
        "KZ" => "Kazakhstan",
        "KG" => "Kyrgyzstan",
        other => panic!("no name for {other}"),
    }
}

/// ACLED's label for an event type or sub-type name: `VIOLENT_DEMONSTRATION` → "Violent
/// demonstration".
fn acled_label(name: &str) -> String {
    let words = name.to_lowercase().replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

async fn statistics_read_from_the_rollup_answer_as_the_events_do(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    generate(&app.database.conn, &Options { events: 400, seed: 23 }).await.unwrap();
    // The same database, with statistics counted from the events every time.
    let counting = app.twin(|s| s.stats_rollup = false).await;
    let questions = [
        json!({ "groupBy": ["EVENT_TYPE"], "interval": "MONTH", "filter": {} }),
        json!({ "groupBy": ["COUNTRY", "DISORDER_TYPE"], "interval": "QUARTER", "top": 5,
                "from": "2020-01-01", "to": "2022-06-30", "filter": {} }),
        json!({ "interval": "YEAR", "scope": "TOP_LEVEL", "filter": { "types": ["RIOTS", "BATTLES"] } }),
        json!({ "groupBy": ["COUNTRY"], "interval": "NONE", "top": 100,
                "filter": { "countryCodes": ["KZ", "FR", "BR"], "from": "2019-05-01" },
                "from": "2019-06-01", "to": "2021-12-31" }),
        json!({ "groupBy": ["EVENT_TYPE", "COUNTRY"], "interval": "MONTH", "scope": "LEAVES",
                "from": "2018-01-01", "to": "2018-12-31", "filter": { "to": "2018-08-31" } }),
        // Days and weeks: the daily rows. Months on an axis that does not start or end with
        // one: the monthly rows for the whole months, the daily rows for the ends.
        json!({ "groupBy": ["EVENT_TYPE"], "interval": "WEEK", "from": "2019-01-01",
                "to": "2020-12-31", "filter": { "countryCodes": ["KZ", "FR", "BR", "IN"] } }),
        json!({ "groupBy": ["DISORDER_TYPE"], "interval": "WEEK", "weekStart": "SATURDAY",
                "scope": "TOP_LEVEL", "filter": { "to": "2021-03-17" } }),
        json!({ "interval": "DAY", "from": "2020-02-03", "to": "2020-05-29",
                "filter": { "types": ["PROTESTS", "RIOTS"] } }),
        json!({ "groupBy": ["COUNTRY"], "interval": "MONTH", "top": 3,
                "from": "2019-03-15", "to": "2021-11-20", "filter": {} }),
        json!({ "groupBy": ["EVENT_TYPE"], "interval": "QUARTER", "from": "2018-02-10",
                "to": "2022-03-15", "filter": { "to": "2021-07-04", "types": ["BATTLES", "RIOTS", "PROTESTS"] } }),
    ];
    for question in &questions {
        let rolled = stats(&app, question.clone()).await;
        assert!(rolled["total"]["total"]["events"].as_i64().unwrap() > 0, "{question}: {rolled}");
        assert_eq!(rolled, stats(&counting, question.clone()).await, "{question}");
    }

    // The rollups are what answered: a change made to them around the write path shows, in
    // the monthly rows for months (whole ones on an unaligned axis too) and the daily for weeks.
    for (table, asked) in [("stats_month_events", &[0, 8][..]), ("stats_day_events", &[5][..])] {
        app.execute(&format!("UPDATE {table} SET leaves = leaves + 1")).await;
        for question in asked.iter().map(|i| &questions[*i]) {
            let tampered = stats(&app, question.clone()).await;
            let counted = stats(&counting, question.clone()).await;
            assert_ne!(
                tampered["total"]["total"]["events"], counted["total"]["total"]["events"],
                "{table}: {question}"
            );
        }
    }
}

async fn counts_of_reports_by_category_and_status_are_kept_by_the_writes(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    generate(&app.database.conn, &Options { events: 200, seed: 5 }).await.unwrap();
    let count = |filter: Value| {
        let app = &app;
        async move {
            let query = "query($filter: CasualtyReportFilter) {
                casualtyReports(filter: $filter, first: 20) { totalCount edges { node { id } } } }";
            let data = app.data(query, json!({ "filter": filter })).await;
            data["casualtyReports"]["totalCount"].as_i64().unwrap()
        }
    };
    let counted = |condition: &str| {
        let app = &app;
        let sql = format!(
            "SELECT COUNT(*) AS n FROM casualty_reports WHERE archived_at IS NULL{condition}"
        );
        async move { app.number(&sql).await }
    };
    let killed_reported = json!({ "categories": ["KILLED"], "statuses": ["REPORTED"] });
    let expected = counted(" AND category = 'KILLED' AND status = 'REPORTED'").await;
    assert!(expected > 10, "generated reports: {expected}");
    assert_eq!(count(killed_reported.clone()).await, expected);
    assert_eq!(
        count(json!({ "statuses": ["DISPUTED", "RETRACTED"] })).await,
        counted(" AND status IN ('DISPUTED', 'RETRACTED')").await
    );
    assert_eq!(count(json!({ "categories": [] })).await, 0);
    assert_eq!(count(json!({})).await, counted("").await);

    // Retracting one, through the API, moves it from one count to the other.
    let first = app
        .data(
            "query($f: CasualtyReportFilter) { casualtyReports(filter: $f, first: 1) {
        nodes { id } } }",
            json!({ "f": killed_reported }),
        )
        .await;
    let id = first["casualtyReports"]["nodes"][0]["id"].clone();
    let editor = app.key("newsroom", annals::domain::Role::Editor).await;
    let retract = "mutation($input: RetractCasualtyReportInput!) {
        retractCasualtyReport(input: $input) { casualtyReport { status } } }";
    let source = app.data("{ sources(first: 1) { nodes { id } } }", json!({})).await;
    let source = source["sources"]["nodes"][0]["id"].clone();
    let input = json!({ "input": { "id": id, "reason": "withdrawn", "sourceId": source } });
    let body = app.graphql_as(Some(&editor), retract, input).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(count(killed_reported.clone()).await, expected - 1);
    let archive = "mutation($input: ArchiveInput!) { archive(input: $input) { node { id } } }";
    let body = app.graphql_as(Some(&editor), archive, json!({ "input": { "id": id } })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(count(json!({})).await, counted("").await);

    // The kept count is what answered: a change made to it around the write path shows.
    app.execute("UPDATE casualty_report_counts SET n = n + 1000 WHERE category = 'KILLED' AND status = 'REPORTED'").await;
    assert_eq!(count(killed_reported).await, expected - 1 + 1000);
}

/// Figures are summed only when a point's `figures` is selected, however it is selected.
async fn figures_asked_for_through_fragments_are_summed(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let query = "query { eventStats(interval: NONE) { ...Answer } }
        fragment Answer on StatsAnswer { total { ... on StatsSeries { total { ...Sums } } } }
        fragment Sums on StatsPoint { events figures { category best } }";
    let data = app.data(query, json!({})).await;
    let total = &data["eventStats"]["total"]["total"];
    assert_eq!(figure(total, "KILLED")["best"], 164, "{data}");
}
