//! GDELT 2.0 event files through `annals import`: conflict and protest codes become
//! low-confidence events through the CAMEO crosswalk, other codes are skipped and counted,
//! FIPS countries become ISO, a re-import writes nothing, and bad rows and GDELT 1.0 files are
//! refused with their codes.

use crate::helpers::{spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    conflict_and_protest_codes_become_low_confidence_events,
    mentions_cite_the_articles_that_mention_imported_events,
    bad_gdelt_rows_and_gdelt_1_files_are_refused_with_their_codes,
);

fn fixture(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gdelt");
    dir.join(name).display().to_string()
}

async fn import(app: &TestApp, name: &str) -> String {
    let output = app.cli(&["import", &fixture(name)]).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

const EVENTS: &str = "query($f: EventFilter) { events(first: 50, filter: $f) { totalCount nodes {
    key title type subType startDate datePrecision lowConfidence tags
    location { countryCode place latitude longitude precision }
    participants { role actor { name kind countryCode aliases } }
    citations { source { key publisher url kind } }
    externalIds { dataset externalId }
} } }";

fn event<'a>(events: &'a Value, id: &str) -> &'a Value {
    let key = format!("gdelt-{id}");
    events["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key.as_str())
        .unwrap_or_else(|| panic!("no event {key} in {events}"))
}

async fn conflict_and_protest_codes_become_low_confidence_events(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let stdout = import(&app, "20220105120000.export.CSV").await;
    // Five events and an accusation (112); a visit (042) becomes nothing.
    assert!(stdout.contains("created: 6") && stdout.contains("skipped: 1"), "{stdout}");
    let events = app.data(EVENTS, json!({"f": {}})).await;
    assert_eq!(events["events"]["totalCount"], 5);

    let riot = event(&events, "1000000001");
    assert_eq!(
        (riot["type"].as_str(), riot["subType"].as_str()),
        (Some("RIOTS"), Some("VIOLENT_DEMONSTRATION"))
    );
    assert_eq!(
        riot["title"],
        "Protest violently, riot, not specified below in Almaty, Almaty City, Kazakhstan"
    );
    assert_eq!(
        (riot["startDate"].as_str(), riot["datePrecision"].as_str()),
        (Some("2022-01-05"), Some("DAY"))
    );
    assert_eq!(riot["lowConfidence"], true);
    assert_eq!(
        riot["location"],
        json!({"countryCode": "KZ", "place": "Almaty, Almaty City, Kazakhstan", "latitude": 43.25,
               "longitude": 76.95, "precision": "CITY"})
    );
    assert_eq!(
        riot["participants"],
        json!([
            {"role": "INITIATOR", "actor": {"name": "OPPOSITION", "kind": "POLITICAL_GROUP", "countryCode": "KZ", "aliases": ["KAZOPP"]}},
            {"role": "TARGET", "actor": {"name": "POLICE", "kind": "SECURITY_FORCE", "countryCode": "KZ", "aliases": ["KAZCOP"]}},
        ])
    );
    let sources: Vec<(&str, &Value)> = riot["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["source"]["publisher"].as_str().unwrap(), &c["source"]["url"]))
        .collect();
    assert_eq!(
        sources,
        vec![
            ("The GDELT Project", &json!("https://www.gdeltproject.org/")),
            ("news.example", &json!("https://news.example/almaty-riot")),
        ]
    );
    let tags = riot["tags"].as_array().unwrap();
    assert!(tags.contains(&json!("cameo=145")) && tags.contains(&json!("adm1=KZ02")), "{tags:?}");
    assert_eq!(riot["externalIds"], json!([{"dataset": "gdelt", "externalId": "1000000001"}]));

    assert_eq!(event(&events, "1000000002")["subType"], "ARRESTS");
    let protest = event(&events, "1000000003");
    assert_eq!(protest["subType"], "PEACEFUL_PROTEST");
    assert_eq!(protest["location"]["precision"], "COUNTRY");
    assert_eq!(protest["participants"][0]["actor"]["kind"], "STATE");
    // GDELT could not place the clash.
    assert_eq!(event(&events, "1000000004")["location"], Value::Null);
    let shelling = event(&events, "1000000007");
    assert_eq!(shelling["subType"], "SHELLING_ARTILLERY_MISSILE_ATTACK");
    // FIPS UP is ISO UA; a first-order division is a region.
    assert_eq!(
        (shelling["location"]["countryCode"].as_str(), shelling["location"]["precision"].as_str()),
        (Some("UA"), Some("REGION"))
    );

    // A statement-like code is a statement of the first actor, about the second.
    let statements = app
        .data(
            "{ statements(first: 10) { totalCount nodes { key text mode kind statedOn lowConfidence
                speaker { name kind aliases } actorMentions { role actor { name kind } }
                citations { source { url } } externalIds { dataset externalId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(statements["statements"]["totalCount"], 1);
    let checked =
        app.data("{ statements(filter: {lowConfidence: false}) { totalCount } }", json!({})).await;
    assert_eq!(checked["statements"]["totalCount"], 0);
    assert_eq!(
        statements["statements"]["nodes"][0],
        json!({"key": "gdelt-1000000005", "text": "Accuse, not specified below: TERRORIST",
               "mode": "PARAPHRASE", "kind": "ACCUSATION", "statedOn": "2022-01-07",
               "lowConfidence": true,
               "speaker": {"name": "KAZAKHSTAN", "kind": "GOVERNMENT_BODY", "aliases": ["KAZGOV"]},
               "actorMentions": [{"role": "BLAMED", "actor": {"name": "TERRORIST", "kind": "ARMED_GROUP"}}],
               "citations": [{"source": {"url": "https://www.gdeltproject.org/"}},
                             {"source": {"url": "https://news.example/accusation"}}],
               "externalIds": [{"dataset": "gdelt", "externalId": "1000000005"}]})
    );

    // The mark filters.
    let low = app.data(EVENTS, json!({"f": {"lowConfidence": true}})).await;
    assert_eq!(low["events"]["totalCount"], 5);
    let checked = app.data(EVENTS, json!({"f": {"lowConfidence": false}})).await;
    assert_eq!(checked["events"]["totalCount"], 0);

    // Each file adds to the last: nothing is missing, and a re-import writes nothing.
    let revisions = app.count_rows("revisions").await;
    let again = import(&app, "20220105120000.export.CSV").await;
    assert!(again.contains("unchanged: 6") && again.contains("missing: 0"), "{again}");
    assert_eq!(app.count_rows("revisions").await, revisions);
}

async fn mentions_cite_the_articles_that_mention_imported_events(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    import(&app, "20220105120000.export.CSV").await;
    let revisions = app.count_rows("revisions").await;
    let stdout = import(&app, "20220105120000.mentions.CSV").await;
    // A second article on the riot, one on the arrests; the article the riot came from is
    // cited already, a broadcast cannot be opened, and one event was never imported.
    assert!(stdout.contains("events cited: 2") && stdout.contains("skipped: 2"), "{stdout}");
    assert_eq!(app.count_rows("revisions").await, revisions + 2 + 2, "two sources, two events");
    let events = app.data(EVENTS, json!({"f": {}})).await;
    let urls = |id: &str| -> Vec<String> {
        event(&events, id)["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["source"]["url"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        urls("1000000001"),
        vec![
            "https://www.gdeltproject.org/",
            "https://news.example/almaty-riot",
            "https://daily.example/almaty-second-look"
        ]
    );
    assert_eq!(urls("1000000002").last().unwrap(), "https://wire.example/aktau");
    let again = import(&app, "20220105120000.mentions.CSV").await;
    assert!(again.contains("events cited: 0"), "{again}");
    assert_eq!(app.count_rows("revisions").await, revisions + 4);
}

async fn bad_gdelt_rows_and_gdelt_1_files_are_refused_with_their_codes(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    app.refused_import(
        &fixture("invalid.export.CSV"),
        &[
            "invalid.export.CSV line 2 column SQLDATE",
            "INVALID_DATE",
            "invalid.export.CSV line 3 column ActionGeo_CountryCode",
            "no ISO 3166-1 country",
            "invalid.export.CSV line 4 column EventCode",
            "UNKNOWN_CODE",
        ],
    )
    .await;
    assert_eq!(app.count_rows("events").await, 0);

    let output = app.cli(&["import", &fixture("gdelt1.export.CSV")]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("GDELT 1.0") && stderr.contains("INVALID_FORMAT"), "{stderr}");
}
