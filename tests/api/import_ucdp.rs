//! UCDP GED files through `annals import`: every mapping read back through the API (with and
//! without the header row), conflicts as episodes, re-import idempotence, a newer file's exact
//! revisions, and bad rows refused with their codes.

use crate::helpers::{spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    ged_rows_become_events_in_conflicts_with_best_low_and_high,
    reimporting_ged_writes_nothing_and_a_newer_file_revises_only_what_changed,
    bad_ged_rows_are_refused_with_their_codes_or_set_aside,
);

fn fixture(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ucdp");
    dir.join(name).display().to_string()
}

async fn import(app: &TestApp, args: &[&str]) -> String {
    let paths: Vec<String> = args
        .iter()
        .map(|a| if a.starts_with("--") { (*a).to_owned() } else { fixture(a) })
        .collect();
    let mut all = vec!["import"];
    all.extend(paths.iter().map(String::as_str));
    let output = app.cli(&all).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

const EVENTS: &str = "{ events(first: 50) { totalCount nodes {
    key title type subType startDate endDate datePrecision disorderType civilianTargeting tags
    location { countryCode admin1 admin2 place latitude longitude precision }
    parent { key }
    subEvents { totalCount }
    participants { role actor { name kind countryCode } }
    citations { excerpt source { key publisher } }
    externalIds { dataset externalId }
    casualtyReports { key category low best high claimedBy { name } breakdown { group count } }
} } }";

fn event<'a>(events: &'a Value, key: &str) -> &'a Value {
    events["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap_or_else(|| panic!("no event {key} in {events}"))
}

async fn ged_rows_become_events_in_conflicts_with_best_low_and_high(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    // One file with its header, one without (CRLF, dates with a time part): both detected.
    import(&app, &["ged.csv", "ged-noheader.csv"]).await;
    let events = app.data(EVENTS, json!({})).await;
    // Nine GED events and their four conflicts.
    assert_eq!(events["events"]["totalCount"], 13, "{events}");

    let clash = event(&events, "ucdp-ged-900001");
    assert_eq!(clash["title"], "Government of Kazakhstan - Fixture Front in Zhanaozen town");
    assert_eq!(
        (clash["type"].as_str(), clash["subType"].as_str()),
        (Some("BATTLES"), Some("ARMED_CLASH"))
    );
    assert_eq!(clash["startDate"], "2022-01-05");
    assert_eq!(clash["endDate"], Value::Null);
    assert_eq!(clash["datePrecision"], "DAY");
    assert_eq!(clash["parent"]["key"], "ucdp-conflict-90001");
    assert_eq!(
        clash["location"],
        json!({"countryCode": "KZ", "admin1": "Mangystau region", "admin2": "Zhanaozen city",
               "place": "Zhanaozen town", "latitude": 43.3412, "longitude": 52.8619,
               "precision": "EXACT"})
    );
    assert_eq!(
        clash["participants"],
        json!([
            {"role": "INITIATOR", "actor": {"name": "Government of Kazakhstan", "kind": "STATE", "countryCode": "KZ"}},
            {"role": "TARGET", "actor": {"name": "Fixture Front", "kind": "ARMED_GROUP", "countryCode": null}},
        ])
    );
    let cited: Vec<(&str, &Value)> = clash["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"]["publisher"].as_str().unwrap(), &c["excerpt"]))
        .collect();
    assert_eq!(
        cited,
        vec![
            ("Uppsala Conflict Data Program", &Value::Null),
            ("Example Wire", &json!("Clash near the square")),
            ("Example Daily", &json!("Two sides fight in Zhanaozen")),
        ]
    );
    assert_eq!(
        clash["casualtyReports"][0],
        json!({"key": "ucdp-ged-900001-killed", "category": "KILLED", "low": 5, "best": 6, "high": 9,
               "claimedBy": {"name": "UCDP"},
               "breakdown": [{"group": "side_a", "count": 2}, {"group": "side_b", "count": 3},
                             {"group": "civilians", "count": 1}, {"group": "unknown", "count": 0}]})
    );
    assert_eq!(clash["externalIds"], json!([{"dataset": "ucdp-ged", "externalId": "900001"}]));
    // The flat exports carry the reconciled figure: the report's own best, its low and high.
    let output = app.cli(&["export", "--format", "ndjson"]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let exported: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let exported = exported.iter().find(|f| f["id"] == "ucdp-ged-900001").unwrap();
    let figures = ["fatalities", "fatalities_low", "fatalities_high", "low_confidence"];
    let figures: Vec<&Value> = figures.iter().map(|f| &exported["properties"][*f]).collect();
    assert_eq!(figures, [&json!(6), &json!(5), &json!(9), &json!(false)]);
    assert_eq!(clash["civilianTargeting"], false);
    assert!(clash["tags"].as_array().unwrap().contains(&json!("type_of_violence=state-based")));

    // Each precision: date_prec 2 → WEEK with the range's end; where_prec 3 → DISTRICT.
    let district = event(&events, "ucdp-ged-900002");
    assert_eq!(
        (district["datePrecision"].as_str(), district["startDate"].as_str()),
        (Some("WEEK"), Some("2022-01-06"))
    );
    assert_eq!(district["endDate"], "2022-01-09");
    assert_eq!(district["location"]["precision"], "DISTRICT");
    let month = event(&events, "ucdp-ged-900003");
    assert_eq!(
        (month["datePrecision"].as_str(), month["startDate"].as_str()),
        (Some("MONTH"), Some("2022-01-01"))
    );
    assert_eq!(month["location"]["precision"], "REGION");
    let year = event(&events, "ucdp-ged-900004");
    assert_eq!(
        (year["datePrecision"].as_str(), year["startDate"].as_str()),
        (Some("YEAR"), Some("2022-01-01"))
    );
    assert_eq!(year["endDate"], "2022-12-31");
    assert_eq!(year["location"]["precision"], "PART_OF_COUNTRY");
    assert_eq!(year["type"], "VIOLENCE_AGAINST_CIVILIANS");
    assert_eq!(year["civilianTargeting"], true);
    assert_eq!(year["participants"][1]["actor"]["kind"], "CIVILIANS");
    assert!(year["tags"].as_array().unwrap().contains(&json!("event_clarity=2")));
    let near = event(&events, "ucdp-ged-900005");
    assert_eq!(
        (near["location"]["precision"].as_str(), near["location"]["countryCode"].as_str()),
        (Some("CITY"), Some("KG"))
    );
    assert_eq!(near["datePrecision"], "WEEK");
    let sea = event(&events, "ucdp-ged-900006");
    assert_eq!(sea["location"]["precision"], "WATER");
    // The quoted newline inside where_description is kept.
    assert!(sea["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t.as_str().unwrap().contains("coast,\nnorth")));
    assert_eq!(event(&events, "ucdp-ged-900007")["location"]["precision"], "COUNTRY");
    let headerless = event(&events, "ucdp-ged-900101");
    assert_eq!(
        (headerless["startDate"].as_str(), headerless["endDate"].as_str()),
        (Some("2022-05-17"), Some("2022-05-18"))
    );
    assert_eq!(headerless["location"]["countryCode"], "TJ");

    // A conflict is an episode spanning its events in the file, in one country here.
    let conflict = event(&events, "ucdp-conflict-90001");
    assert_eq!(conflict["title"], "Kazakhstan: Government (fixture)");
    assert_eq!(
        (conflict["startDate"].as_str(), conflict["endDate"].as_str()),
        (Some("2022-01-01"), Some("2022-01-31"))
    );
    assert_eq!(conflict["subEvents"]["totalCount"], 4);
    assert_eq!(conflict["location"]["precision"], "COUNTRY");
    assert_eq!(conflict["casualtyReports"], json!([]));
    assert_eq!(
        conflict["externalIds"],
        json!([{"dataset": "ucdp-conflict", "externalId": "90001"}])
    );
    let found = app
        .data(
            "{ nodeByExternalId(type: EVENT, dataset: \"ucdp-conflict\", externalId: \"90003\") { ... on Event { key location { countryCode } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        found["nodeByExternalId"],
        json!({"key": "ucdp-conflict-90003", "location": {"countryCode": "KG"}})
    );
}

async fn reimporting_ged_writes_nothing_and_a_newer_file_revises_only_what_changed(
    backend: Backend,
) {
    let app = spawn_empty_app(backend).await;
    import(&app, &["ged.csv"]).await;
    let revisions = app.count_rows("revisions").await;
    let again = import(&app, &["ged.csv"]).await;
    // Seven rows and three conflicts.
    assert!(again.contains("created: 0, updated: 0, unchanged: 10"), "{again}");
    assert_eq!(app.count_rows("revisions").await, revisions);

    // 900001's best estimate is revised, and 900008 carries conflict 90001 into February.
    let newer = import(&app, &["ged-newer.csv"]).await;
    assert!(newer.contains("created: 1, updated: 2, unchanged: 8"), "{newer}");
    let changes = app
        .data(
            "{ changes(last: 4) { nodes { operation author node { __typename ... on Event { key endDate } ... on CasualtyReport { key best } } } } }",
            json!({}),
        )
        .await;
    let summary: Vec<Value> = changes["changes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| json!([c["operation"], c["node"]["key"], c["node"]["endDate"], c["node"]["best"]]))
        .collect();
    assert_eq!(app.count_rows("revisions").await, revisions + 4);
    assert_eq!(
        summary,
        vec![
            json!(["UPDATE", "ucdp-conflict-90001", "2022-02-10", null]),
            json!(["UPDATE", "ucdp-ged-900001-killed", null, 7]),
            json!(["IMPORT", "ucdp-ged-900008", null, null]),
            json!(["IMPORT", "ucdp-ged-900008-killed", null, 1]),
        ]
    );
}

async fn bad_ged_rows_are_refused_with_their_codes_or_set_aside(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    app.refused_import(
        &fixture("invalid.csv"),
        &[
            // A Gleditsch–Ward state with no ISO 3166-1 code.
            "invalid.csv line 3 column country_id",
            "German Democratic Republic has none",
            "invalid.csv line 4 column type_of_violence",
            "invalid.csv line 4 column date_start",
            "INVALID_DATE",
            "invalid.csv line 5.best",
            "OUT_OF_RANGE",
        ],
    )
    .await;
    assert_eq!(app.count_rows("events").await, 0);
    assert_eq!(app.count_rows("revisions").await, 0);

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("invalid.csv");
    std::fs::copy(fixture("invalid.csv"), &copy).unwrap();
    let stdout = import(&app, &["--skip-invalid", copy.to_str().unwrap()]).await;
    // The good row and its conflict.
    assert!(stdout.contains("created: 2") && stdout.contains("rejected: 3"), "{stdout}");
    let rejects = std::fs::read_to_string(dir.path().join("invalid.csv.rejected.csv")).unwrap();
    assert_eq!(
        rejects
            .lines()
            .filter(|l| l.contains("[UNKNOWN_CODE]") || l.contains("[OUT_OF_RANGE]"))
            .count(),
        3
    );
}
