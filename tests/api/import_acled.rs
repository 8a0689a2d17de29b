//! ACLED exports through `annals import`: every mapping read back through the API, re-import
//! idempotence, a newer export's exact revisions, and a bad file rejected whole.

use crate::helpers::{spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    both_acled_schemas_import_with_every_mapping,
    reimporting_writes_nothing_and_a_newer_export_updates_only_what_changed,
    an_invalid_export_is_rejected_whole_with_each_problem_located,
    skip_invalid_writes_the_valid_rows_and_the_rejects_beside_the_input,
    rows_missing_from_a_newer_export_are_reported_and_archived_only_when_asked,
    a_file_read_in_small_chunks_imports_the_same_and_a_late_bad_row_still_writes_nothing,
    a_long_report_lists_the_first_problems_and_counts_the_rest,
);

/// A fixture by name; an absolute path stays as it is.
fn fixture(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/acled");
    dir.join(name).display().to_string()
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
    // The actors and sources a file brings keep their names there; ACLED itself has none.
    let named = app
        .data(
            "{ actor: nodeByExternalId(type: ACTOR, dataset: \"acled\", externalId: \"Protesters (Kazakhstan)\") {
                ... on Actor { name externalIds { dataset externalId } } }
               source: nodeByExternalId(type: SOURCE, dataset: \"acled\", externalId: \"Example Wire\") {
                ... on Source { publisher } }
               acled: actors(first: 100, filter: {name: \"ACLED\"}) { nodes { name externalIds { dataset } } } }",
            json!({}),
        )
        .await;
    assert_eq!(named["actor"]["name"], "Protesters (Kazakhstan)", "{named}");
    assert_eq!(
        named["actor"]["externalIds"],
        json!([{"dataset": "acled", "externalId": "Protesters (Kazakhstan)"}])
    );
    assert_eq!(named["source"]["publisher"], "Example Wire", "{named}");
    let acled = named["acled"]["nodes"].as_array().unwrap();
    let acled = acled.iter().find(|a| a["name"] == "ACLED").expect("the actor ACLED");
    assert_eq!(acled["externalIds"], json!([]), "ACLED itself is no row of its data");
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
    app.refused_import(
        &fixture("invalid.csv"),
        &[
            "invalid.csv line 2 column event_date",
            "INVALID_DATE",
            "invalid.csv line 3 column iso",
            "UNKNOWN_CODE",
            "invalid.csv line 3 column fatalities",
            "INVALID_NUMBER",
        ],
    )
    .await;
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

/// `current.csv` with the two bad rows of `invalid.csv` (under new ids), a duplicate of its
/// first row and a row cut short, as a file in `dir`.
fn export_with_bad_rows(dir: &std::path::Path) -> std::path::PathBuf {
    let current = std::fs::read_to_string(fixture("current.csv")).unwrap();
    let invalid = std::fs::read_to_string(fixture("invalid.csv")).unwrap();
    let (_, bad_rows) = invalid.split_once('\n').unwrap();
    let bad_rows = bad_rows.replace("KAZ9001,", "KAZ9101,").replace("KAZ9002,", "KAZ9102,");
    let first = current.lines().nth(1).unwrap();
    let text = format!("{current}{bad_rows}{first}\r\nKAZ9109,2022-01-05,2022\r\n");
    let path = dir.join("mixed.csv");
    std::fs::write(&path, text).unwrap();
    path
}

async fn skip_invalid_writes_the_valid_rows_and_the_rejects_beside_the_input(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let path = export_with_bad_rows(dir.path());
    let path = path.to_str().unwrap();

    // Without the flag the file is refused whole, the cut row and the duplicate included.
    let output = app.cli(&["import", path]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("INVALID_CSV") && stderr.contains("cut short"), "{stderr}");
    assert!(stderr.contains("DUPLICATE"), "{stderr}");
    assert_eq!(app.count_rows("events").await, 0);
    assert!(!dir.path().join("mixed.csv.rejected.csv").exists());

    let output = app.cli(&["import", "--skip-invalid", path]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("created: 4") && stdout.contains("rejected: 4"), "{stdout}");
    let events = app.data("{ events(first: 50) { totalCount nodes { key } } }", json!({})).await;
    assert_eq!(events["events"]["totalCount"], 4);

    // The rejects have their problems first, then the file's columns, and read back as CSV.
    let rejects = dir.path().join("mixed.csv.rejected.csv");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(&rejects).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!((&header[0], &header[1]), ("annals_problems", "event_id_cnty"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(ids, vec!["KAZ9101", "KAZ9102", "KAZ9001", "KAZ9109"]);
    let problems: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert!(problems[0].contains("column event_date") && problems[0].contains("[INVALID_DATE]"));
    assert!(problems[1].contains("[UNKNOWN_CODE]") && problems[1].contains("[INVALID_NUMBER]"));
    assert!(problems[2].contains("[DUPLICATE]"), "{}", problems[2]);
    assert!(problems[3].contains("[INVALID_CSV]"), "{}", problems[3]);
    // The quoted newline of the bad riot row survives the round trip.
    assert!(rows[1].iter().any(|field| field.contains("a comma, and\na second line")));

    // Fixed, the rejects import: here the two cut and duplicated rows are dropped and the
    // others corrected.
    let fixed: String = std::fs::read_to_string(&rejects)
        .unwrap()
        .replace("31 February 2022", "01 February 2022")
        .replace(",999,", ",398,")
        .replace(",many,", ",3,");
    let fixed: Vec<&str> = fixed
        .split_inclusive('\n')
        .filter(|l| !l.contains("DUPLICATE") && !l.contains("cut short"))
        .collect();
    let fixed_path = dir.path().join("fixed.csv");
    std::fs::write(&fixed_path, fixed.concat()).unwrap();
    let stdout = import(&app, &[fixed_path.to_str().unwrap()]).await;
    assert!(stdout.contains("created: 2"), "{stdout}");
}

async fn rows_missing_from_a_newer_export_are_reported_and_archived_only_when_asked(
    backend: Backend,
) {
    let app = spawn_empty_app(backend).await;
    // Kyrgyzstan is outside what the Kazakh exports cover: never missing from them.
    import(&app, &["current.csv", "legacy-2020.csv"]).await;
    let dir = tempfile::tempdir().unwrap();
    let newer = std::fs::read_to_string(fixture("current-newer.csv")).unwrap();
    let without: String =
        newer.split_inclusive('\n').filter(|line| !line.starts_with("KAZ9003,")).collect();
    let path = dir.path().join("newer-without-9003.csv");
    std::fs::write(&path, without).unwrap();
    let path = path.to_str().unwrap();

    let reported = String::from_utf8_lossy(&app.cli(&["import", path]).await.stdout).into_owned();
    assert!(reported.contains("missing: 1 (KAZ9003), kept"), "{reported}");
    let live = "{ events(first: 50) { totalCount } }";
    assert_eq!(app.data(live, json!({})).await["events"]["totalCount"], 6);

    let revisions = app.count_rows("revisions").await;
    let archived =
        String::from_utf8_lossy(&app.cli(&["import", "--archive-missing", path]).await.stdout)
            .into_owned();
    assert!(archived.contains("missing: 1 (KAZ9003), archived"), "{archived}");
    assert_eq!(app.data(live, json!({})).await["events"]["totalCount"], 5);
    // The event and its report, each with an ARCHIVE revision by `import`.
    let changes = app
        .data(
            "{ changes(last: 2) { nodes { operation author node { ... on Event { key archivedAt } ... on CasualtyReport { key archivedAt } } } } }",
            json!({}),
        )
        .await;
    let nodes = changes["changes"]["nodes"].as_array().unwrap();
    assert_eq!(app.count_rows("revisions").await, revisions + 2);
    let keys: Vec<&str> = nodes.iter().map(|n| n["node"]["key"].as_str().unwrap()).collect();
    assert_eq!(keys, vec!["acled-kaz9003", "acled-kaz9003-killed"]);
    for node in nodes {
        assert_eq!(node["operation"], "ARCHIVE");
        assert_eq!(node["author"], "import");
        assert!(node["node"]["archivedAt"].is_string());
    }
    // Once archived, it is no longer missing.
    let again = String::from_utf8_lossy(&app.cli(&["import", path]).await.stdout).into_owned();
    assert!(again.contains("missing: 0"), "{again}");
}

async fn a_file_read_in_small_chunks_imports_the_same_and_a_late_bad_row_still_writes_nothing(
    backend: Backend,
) {
    // One row at a time, and the whole file at once: the same records, the same history.
    let whole = spawn_empty_app(backend.clone()).await;
    import(&whole, &["current.csv", "legacy-2020.csv"]).await;
    let chunked = spawn_empty_app(backend.clone()).await;
    let files = [fixture("current.csv"), fixture("legacy-2020.csv")];
    let output = chunked.cli(&["import", "--chunk-rows", "1", &files[0], &files[1]]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(chunked.data(EVENTS, json!({})).await, whole.data(EVENTS, json!({})).await);
    for table in ["actors", "sources", "citations", "revisions", "external_ids"] {
        assert_eq!(chunked.count_rows(table).await, whole.count_rows(table).await, "{table}");
    }
    // The same revisions, though the actors of each chunk come before its events.
    let feed = "{ changes(first: 100) { nodes { operation node { __typename } } } }";
    let revisions = |feed: Value| {
        let mut nodes = feed["changes"]["nodes"].as_array().unwrap().clone();
        nodes.sort_by_key(Value::to_string);
        nodes
    };
    assert_eq!(
        revisions(chunked.data(feed, json!({})).await),
        revisions(whole.data(feed, json!({})).await)
    );

    // The bad rows come after four good ones, two chunks already merged: they roll back too.
    let app = spawn_empty_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let path = export_with_bad_rows(dir.path());
    let output = app.cli(&["import", "--chunk-rows", "2", path.to_str().unwrap()]).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("INVALID_DATE") && stderr.contains("DUPLICATE"), "{stderr}");
    for table in ["events", "actors", "sources", "revisions", "external_ids"] {
        assert_eq!(app.count_rows(table).await, 0, "{table} written by a refused import");
    }
}

async fn a_long_report_lists_the_first_problems_and_counts_the_rest(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    let current = std::fs::read_to_string(fixture("current.csv")).unwrap();
    let header = current.lines().next().unwrap();
    let row = current.lines().nth(1).unwrap().replacen("05 January 2022", "31 February 2022", 1);
    let mut text = format!("{header}\n");
    for i in 0..1_100 {
        text.push_str(&row.replacen("KAZ9001,", &format!("KAZB{i},"), 1));
        text.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    std::fs::write(&path, text).unwrap();
    let stderr = app
        .refused_import(
            path.to_str().unwrap(),
            &["long.csv line 2 column event_date", "INVALID_DATE", "… and 900 more"],
        )
        .await;
    assert!(
        stderr.contains("100 more problem(s) not listed; 1100 row(s) have problems in all")
            && stderr.contains("[TOO_MANY_PROBLEMS]"),
        "{stderr}"
    );
}
