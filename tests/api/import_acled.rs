//! ACLED exports through `annals import`: every mapping read back through the API, re-import
//! idempotence, a newer export's exact revisions, and a bad file rejected whole.

use crate::helpers::{spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    both_acled_schemas_import_with_every_mapping,
    reimporting_writes_nothing_and_a_newer_export_updates_only_what_changed,
    an_invalid_export_is_rejected_whole_with_each_problem_located,
);

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/acled/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn import(app: &TestApp, files: &[&str]) -> String {
    let paths: Vec<String> = files.iter().map(|f| fixture(f)).collect();
    let mut args = vec!["import"];
    args.extend(paths.iter().map(String::as_str));
    let output = app.cli(&args).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

const EVENTS: &str = "{ events(first: 50) { totalCount nodes {
    key title summary type subType startDate datePrecision
    disorderType civilianTargeting sourceScale tags
    location { countryCode admin1 admin2 admin3 place latitude longitude precision }
    participants { role actor { key name kind } }
    citations { source { key publisher kind } }
    casualtyReports { key category low high asOf status claimedBy { key name } }
} } }";

/// The imported event with ACLED id `id`.
fn event<'a>(events: &'a Value, id: &str) -> &'a Value {
    let key = format!("acled-{}", id.to_lowercase());
    events["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key.as_str())
        .unwrap_or_else(|| panic!("no event {key} in {events}"))
}

async fn both_acled_schemas_import_with_every_mapping(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    // The current export has a byte-order mark, CRLF line ends and a quoted newline; the
    // 2020-era one has numeric actor categories and no actor2 columns.
    import(&app, &["current.csv", "legacy-2020.csv"]).await;
    let events = app.data(EVENTS, json!({})).await;
    assert_eq!(events["events"]["totalCount"], 5);

    let protest = event(&events, "KAZ9001");
    assert_eq!(protest["title"], "Peaceful protest in Zhanaozen");
    assert_eq!(protest["type"], "PROTESTS");
    assert_eq!(protest["subType"], "PEACEFUL_PROTEST");
    assert_eq!(protest["startDate"], "2022-01-05");
    assert_eq!(protest["datePrecision"], "DAY");
    assert_eq!(protest["disorderType"], "Demonstrations");
    assert_eq!(protest["civilianTargeting"], false);
    assert_eq!(protest["sourceScale"], "National");
    assert_eq!(protest["tags"], json!(["crowd size=hundreds"]));
    assert_eq!(
        protest["location"],
        json!({"countryCode": "KZ", "admin1": "Mangystau", "admin2": "Zhanaozen", "admin3": null,
               "place": "Zhanaozen", "latitude": 43.3412, "longitude": 52.8619,
               "precision": "CITY"})
    );
    assert!(protest["summary"].as_str().unwrap().contains("\"fuel, not promises\""));
    // The first actor and its two associated actors initiate; one actor per distinct name.
    let names: Vec<(&str, &str, &str)> = protest["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["actor"]["name"].as_str().unwrap(),
                p["role"].as_str().unwrap(),
                p["actor"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        vec![
            ("Protesters (Kazakhstan)", "INITIATOR", "PROTESTERS"),
            ("Labor Group (Kazakhstan)", "INITIATOR", "PROTESTERS"),
            ("Students (Kazakhstan)", "INITIATOR", "PROTESTERS"),
        ]
    );
    // ACLED itself, then each `;`-separated source.
    let publishers: Vec<&str> = protest["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"]["publisher"].as_str().unwrap())
        .collect();
    assert_eq!(publishers, vec!["ACLED", "Example Wire", "Example Daily"]);
    let report = &protest["casualtyReports"][0];
    assert_eq!(report["category"], "KILLED");
    assert_eq!((report["low"].as_i64(), report["high"].as_i64()), (Some(0), Some(0)));
    assert_eq!(report["claimedBy"]["name"], "ACLED");
    assert_eq!(report["asOf"], "2022-01-08");

    let riot = event(&events, "KAZ9002");
    assert_eq!(
        riot["summary"],
        "Invented fixture row, with a comma, and\na second line inside the quotes."
    );
    assert_eq!(riot["casualtyReports"][0]["low"], 8);
    let roles: Vec<(&str, &str)> = riot["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["role"].as_str().unwrap(), p["actor"]["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, vec![("INITIATOR", "RIOTERS"), ("TARGET", "SECURITY_FORCE")]);

    // `9-Jan-22`, a week's precision, civilian targeting, a region's precision.
    let attack = event(&events, "KAZ9003");
    assert_eq!(attack["startDate"], "2022-01-09");
    assert_eq!(attack["datePrecision"], "WEEK");
    assert_eq!(attack["civilianTargeting"], true);
    assert_eq!(attack["location"]["precision"], "REGION");
    assert_eq!(attack["type"], "VIOLENCE_AGAINST_CIVILIANS");

    // A month's precision starts at the month's first day.
    let arrests = event(&events, "KAZ9004");
    assert_eq!(arrests["startDate"], "2022-01-01");
    assert_eq!(arrests["datePrecision"], "MONTH");

    // The 2020-era schema: numeric categories, ISO numeric 417, nothing known of targeting.
    let legacy = event(&events, "KGZ8001");
    assert_eq!(legacy["location"]["countryCode"], "KG");
    assert_eq!(legacy["participants"][0]["actor"]["kind"], "PROTESTERS");
    assert_eq!(legacy["civilianTargeting"], Value::Null);
    assert_eq!(legacy["disorderType"], Value::Null);
    assert_eq!(legacy["subType"], "PROTEST_WITH_INTERVENTION");

    // "Protesters (Kazakhstan)" is one actor across rows and files.
    let actors = app.data("{ actors(first: 100) { nodes { name } } }", json!({})).await;
    let protesters = actors["actors"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["name"] == "Protesters (Kazakhstan)")
        .count();
    assert_eq!(protesters, 1);

    // Each imported event and its report keep their ACLED id and file, and the id finds them.
    let found = app
        .data(
            "query($type: NodeType!) { nodeByExternalId(type: $type, dataset: \"acled\", externalId: \"KAZ9002\") {
                ... on Event { key externalIds { dataset externalId file } }
                ... on CasualtyReport { key externalIds { externalId } } } }",
            json!({"type": "EVENT"}),
        )
        .await;
    let found = &found["nodeByExternalId"];
    assert_eq!(found["key"], "acled-kaz9002");
    assert_eq!(found["externalIds"][0]["dataset"], "acled");
    assert_eq!(found["externalIds"][0]["externalId"], "KAZ9002");
    assert!(found["externalIds"][0]["file"].as_str().unwrap().ends_with("current.csv"));
    let report = app
        .data(
            "{ nodeByExternalId(type: CASUALTY_REPORT, dataset: \"acled\", externalId: \"KAZ9002\") {
                ... on CasualtyReport { key externalIds { externalId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(report["nodeByExternalId"]["externalIds"][0]["externalId"], "KAZ9002");
    let missing = app
        .data(
            "{ nodeByExternalId(type: EVENT, dataset: \"acled\", externalId: \"NOPE1\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(missing["nodeByExternalId"], Value::Null);
    // A record made in Annals has none.
    let bundled =
        app.data("{ actors(first: 1) { nodes { externalIds { dataset } } } }", json!({})).await;
    assert_eq!(bundled["actors"]["nodes"][0]["externalIds"], json!([]));
}

async fn reimporting_writes_nothing_and_a_newer_export_updates_only_what_changed(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    import(&app, &["current.csv"]).await;
    let revisions = app.count_rows("revisions").await;
    let again = import(&app, &["current.csv"]).await;
    assert!(again.contains("unchanged: 4"), "{again}");
    assert_eq!(app.count_rows("revisions").await, revisions, "a re-import wrote revisions");

    // An edit made in Annals to a field ACLED does not carry survives the next export.
    let riot = event(&app.data(EVENTS, json!({})).await, "KAZ9002").clone();
    let id = app.data("{ events(first: 50) { nodes { id key } } }", json!({})).await["events"]
        ["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == riot["key"])
        .unwrap()["id"]
        .clone();
    let key = app.key("newsroom", annals::domain::Role::Editor).await;
    let edited = app
        .graphql_as(
            Some(&key),
            "mutation($id: ID!) { updateEvent(input: {id: $id, endDate: \"2022-01-06\"}) { event { endDate } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(edited["data"]["updateEvent"]["event"]["endDate"], "2022-01-06", "{edited}");
    let revisions = app.count_rows("revisions").await;

    // The newer export revises KAZ9002's fatalities and adds KAZ9005.
    let newer = import(&app, &["current-newer.csv"]).await;
    assert!(newer.contains("created: 1") && newer.contains("updated: 1"), "{newer}");
    assert!(newer.contains("unchanged: 3"), "{newer}");
    let changes = app
        .data(
            "{ changes(last: 20) { nodes { operation author node { __typename ... on CasualtyReport { key low } ... on Event { key endDate } } } } }",
            json!({}),
        )
        .await;
    let new: Vec<&Value> = changes["changes"]["nodes"].as_array().unwrap().iter().collect();
    let new = &new[new.len() - (app.count_rows("revisions").await - revisions) as usize..];
    let summary: Vec<(String, String)> = new
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap().to_owned(),
                c["node"]["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("UPDATE".to_owned(), "acled-kaz9002-killed".to_owned()),
            ("IMPORT".to_owned(), "acled-kaz9005".to_owned()),
            ("IMPORT".to_owned(), "acled-kaz9005-killed".to_owned()),
        ],
        "{changes}"
    );
    assert!(new.iter().all(|c| c["author"] == "import"));
    let riot = event(&app.data(EVENTS, json!({})).await, "KAZ9002").clone();
    assert_eq!(riot["casualtyReports"][0]["low"], 11);
    let end = app
        .data("query($id: ID!) { node(id: $id) { ... on Event { endDate } } }", json!({"id": id}))
        .await;
    assert_eq!(end["node"]["endDate"], "2022-01-06", "the edit in Annals was lost");
}

async fn an_invalid_export_is_rejected_whole_with_each_problem_located(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let output = app.cli(&["import", &fixture("invalid.csv")]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "invalid.csv line 2 column event_date",
        "INVALID_DATE",
        "invalid.csv line 3 column iso",
        "UNKNOWN_CODE",
        "invalid.csv line 3 column fatalities",
        "INVALID_NUMBER",
    ] {
        assert!(stderr.contains(expected), "{expected} missing from {stderr}");
    }
    assert_eq!(app.count_rows("events").await, 0);
    assert_eq!(app.count_rows("actors").await, 0);
    assert_eq!(app.count_rows("revisions").await, 0);

    // A binary file, and a CSV in no known format, are coded errors too.
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("data.csv");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let output = app.cli(&["import", binary.to_str().unwrap()]).await;
    assert!(String::from_utf8_lossy(&output.stderr).contains("INVALID_CSV"));
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "a,b,c\n1,2,3\n").unwrap();
    let output = app.cli(&["import", other.to_str().unwrap()]).await;
    assert!(String::from_utf8_lossy(&output.stderr).contains("INVALID_FORMAT"));
}
