//! The flat exports (CSV, GeoJSON, NDJSON) through the real binary and the real HTTP stack:
//! ACLED's flavour imports back as the same events, GeoJSON is RFC 7946 with flat properties,
//! and the HTTP downloads take the API's filter, keys, codes and rate limits.

use crate::helpers::{spawn_app, spawn_app_with, spawn_empty_app, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::dataset::{CsvFlavor, EventExport, EventsFormat};
use serde_json::{json, Value};

on_both_backends!(
    the_acled_flavour_imports_back_as_the_same_events,
    geojson_is_rfc_7946_with_flat_properties_and_ndjson_has_the_same_features,
    http_exports_hold_the_events_the_api_lists_for_the_same_filter,
    http_exports_let_in_whom_the_api_lets_in,
    a_bad_filter_or_format_is_refused_with_the_apis_codes,
    exports_read_in_pages_with_a_fixed_number_of_statements_each,
);

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/acled/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `annals` with `args` on `app`'s database; its standard output.
async fn cli(app: &TestApp, args: &[&str]) -> String {
    let output = app.cli(args).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "annals {args:?} failed: {stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// What the ACLED flavour carries of every event, read through the API, by key.
const ACLED_FIELDS: &str = "{ events(first: 100, orderBy: {field: TITLE, direction: ASC}) { nodes {
    key title summary type subType startDate datePrecision
    disorderType civilianTargeting sourceScale tags
    location { countryCode admin1 admin2 admin3 place latitude longitude precision }
    participants { role actor { name kind } }
    citations { source { publisher kind } }
    casualtyReports { category low high asOf status claimedBy { name } }
} } }";

async fn the_acled_flavour_imports_back_as_the_same_events(backend: Backend) {
    // Arrange: ACLED's rows in a first app.
    let first = spawn_empty_app(backend.clone()).await;
    cli(&first, &["import", &fixture("current.csv")]).await;
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("exported.csv");
    let exported = exported.to_str().unwrap();

    // Act: export them in ACLED's columns, and import the file into a second, empty app.
    cli(&first, &["export", "--format", "csv", "--flavor", "acled", exported]).await;
    let second = spawn_empty_app(backend).await;
    let imported = cli(&second, &["import", exported]).await;

    // Assert: the same events, field for field, and the same file again.
    assert!(imported.contains("created: 4"), "{imported}");
    let before = first.data(ACLED_FIELDS, json!({})).await;
    let after = second.data(ACLED_FIELDS, json!({})).await;
    assert_eq!(before["events"]["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(after, before);
    let header = std::fs::read_to_string(exported).unwrap();
    assert!(header.starts_with(
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,\
         actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,\
         iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,\
         source_scale,notes,fatalities,tags,timestamp\n"
    ));
    let again = cli(&second, &["export", "--format", "csv", "--flavor", "acled"]).await;
    assert_eq!(again, header, "export → import → export is the identity");
    // The rows keep ACLED's ids and ACLED's date form.
    assert!(header
        .contains("\nKAZ9001,05 January 2022,2022,1,Demonstrations,Protests,Peaceful protest,"));
}

/// Each event's key and coordinates, as the API gives them.
async fn locations(app: &TestApp) -> Vec<(String, Option<f64>, Option<f64>)> {
    let data = app
        .data(
            "{ events(first: 100) { totalCount nodes { key location { latitude longitude } } } }",
            json!({}),
        )
        .await;
    data["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let at = |c: &str| e["location"][c].as_f64();
            (e["key"].as_str().unwrap().to_owned(), at("latitude"), at("longitude"))
        })
        .collect()
}

async fn geojson_is_rfc_7946_with_flat_properties_and_ndjson_has_the_same_features(
    backend: Backend,
) {
    // Arrange: the bundled dataset, where one event has coordinates.
    let app = spawn_app(backend).await;
    let api = locations(&app).await;

    // Act
    let geojson = cli(&app, &["export", "--format", "geojson"]).await;
    let ndjson = cli(&app, &["export", "--format", "ndjson"]).await;

    // Assert
    let collection: Value = serde_json::from_str(&geojson).expect("the GeoJSON is JSON");
    assert_eq!(collection["type"], "FeatureCollection");
    let features = collection["features"].as_array().expect("features");
    assert_eq!(features.len(), api.len());
    for feature in features {
        assert_eq!(feature["type"], "Feature");
        let key = feature["id"].as_str().expect("the id is the key");
        assert_eq!(feature["properties"]["key"], key);
        let (_, latitude, longitude) = api.iter().find(|(k, ..)| k == key).expect("a listed event");
        match (latitude, longitude) {
            (Some(latitude), Some(longitude)) => {
                assert_eq!(feature["geometry"]["type"], "Point");
                let coordinates = feature["geometry"]["coordinates"].as_array().unwrap();
                let (lon, lat) =
                    (coordinates[0].as_f64().unwrap(), coordinates[1].as_f64().unwrap());
                assert_eq!((lon, lat), (*longitude, *latitude), "longitude first ({key})");
                assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
                assert_eq!(coordinates.len(), 2);
            }
            _ => assert_eq!(feature["geometry"], Value::Null, "no coordinates, no point ({key})"),
        }
        let properties = feature["properties"].as_object().expect("properties");
        for (name, value) in properties {
            assert!(!value.is_object() && !value.is_array(), "{key}.{name} is not flat: {value}");
        }
    }
    let almaty = features.iter().find(|f| f["id"] == "almaty-riots").unwrap();
    assert_eq!(almaty["geometry"], json!({"type": "Point", "coordinates": [76.9286, 43.2567]}));
    let properties = &almaty["properties"];
    assert_eq!(properties["type"], "RIOTS");
    assert_eq!(properties["start_date"], "2022-01-01");
    assert_eq!(properties["global_id"], app.id_of("events", "almaty-riots").await);
    assert!(properties["actors"].as_str().unwrap().contains("Rioters in Kazakhstan;"));
    assert_eq!(properties["low_confidence"], false);
    for figure in ["fatalities", "fatalities_low", "injured_high_open", "displaced_high"] {
        assert!(properties.get(figure).is_some(), "{figure} is a column even when empty");
    }
    let unrest = features.iter().find(|f| f["id"] == "kazakhstan-unrest-2022").unwrap();
    assert_eq!(unrest["geometry"], Value::Null);

    // The figures are the reconciled ones the API gives, every category of every event.
    let api = app
        .data(
            "{ events(first: 100) { nodes { key figures { category low best high highOpen rule } } } }",
            json!({}),
        )
        .await;
    for event in api["events"]["nodes"].as_array().unwrap() {
        let feature = features.iter().find(|f| f["id"] == event["key"]).unwrap();
        let properties = &feature["properties"];
        for (category, column) in [
            ("KILLED", "fatalities"),
            ("INJURED", "injured"),
            ("DETAINED", "detained"),
            ("MISSING", "missing"),
            ("DISPLACED", "displaced"),
        ] {
            let figure =
                event["figures"].as_array().unwrap().iter().find(|f| f["category"] == category);
            let expected = match figure {
                Some(f) if !f["best"].is_null() => {
                    [f["best"].clone(), f["low"].clone(), f["high"].clone(), f["highOpen"].clone()]
                }
                _ => [Value::Null, Value::Null, Value::Null, Value::Null],
            };
            let written = ["", "_low", "_high", "_high_open"]
                .map(|suffix| properties[format!("{column}{suffix}")].clone());
            assert_eq!(written, expected, "{} {category}", event["key"]);
        }
    }
    let properties = &unrest["properties"];
    assert_eq!(properties["fatalities"], 164);
    assert_eq!(
        (properties["injured"].clone(), properties["injured_high_open"].clone()),
        (json!(2000), json!(true))
    );
    assert_eq!(
        (properties["detained"].clone(), properties["detained_high_open"].clone()),
        (json!(5800), json!(true))
    );
    assert!(properties["fatalities_rule"].is_string());

    // NDJSON: one feature per line, the same features.
    let lines: Vec<Value> =
        ndjson.lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect();
    assert_eq!(&lines, features);
}

/// GETs `path` with `key` as the API key; the response.
async fn get(app: &TestApp, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("the request is sent")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// A URL query parameter holding `value`.
fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn http_exports_hold_the_events_the_api_lists_for_the_same_filter(backend: Backend) {
    // Arrange: the bundled dataset and ACLED's rows; a filter that keeps some of them.
    let app = spawn_app(backend).await;
    cli(&app, &["import", &fixture("current.csv")]).await;
    let filter =
        json!({"countryCodes": ["kz"], "types": ["RIOTS", "PROTESTS"], "from": "2022-01-02"});
    let listed = app
        .data(
            "query($filter: EventFilter) { events(filter: $filter, first: 100) { totalCount nodes { key } } }",
            json!({"filter": filter}),
        )
        .await;
    let total = listed["events"]["totalCount"].as_u64().unwrap() as usize;
    let mut keys: Vec<&str> = listed["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    assert!(total > 1 && total < 20, "the filter keeps some events: {total}");
    let query = format!("filter={}", encoded(&filter.to_string()));

    // Act
    let csv = get(&app, &format!("/export/events.csv?{query}"), None).await;
    let acled = get(&app, &format!("/export/events.csv?{query}&flavor=acled"), None).await;
    let ndjson = get(&app, &format!("/export/events.ndjson?{query}"), None).await;
    let geojson = get(&app, &format!("/export/events.geojson?{query}"), None).await;

    // Assert: headers, then bodies.
    for (response, media_type, file) in [
        (&csv, "text/csv; charset=utf-8", "events.csv"),
        (&acled, "text/csv; charset=utf-8", "events.csv"),
        (&ndjson, "application/x-ndjson", "events.ndjson"),
        (&geojson, "application/geo+json", "events.geojson"),
    ] {
        assert_eq!(response.status(), 200);
        assert_eq!(header(response, "content-type"), media_type);
        assert_eq!(header(response, "content-disposition"), format!("attachment; filename={file}"));
    }
    let csv = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let columns: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(columns.first().map(String::as_str), Some("key"));
    assert_eq!(&columns[columns.len() - 2..], ["latitude", "longitude"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    assert_eq!(rows.len(), total);
    let mut exported: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    exported.sort_unstable();
    assert_eq!(exported, keys);

    let acled = acled.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(acled.as_bytes());
    assert_eq!(reader.headers().unwrap().len(), 31);
    assert_eq!(reader.records().count(), total);

    let ndjson = ndjson.text().await.unwrap();
    assert!(ndjson.ends_with('\n'));
    let mut features: Vec<String> = ndjson
        .lines()
        .map(|line| {
            let feature: Value = serde_json::from_str(line).expect("each line is one JSON value");
            assert_eq!(feature["type"], "Feature");
            feature["id"].as_str().unwrap().to_owned()
        })
        .collect();
    features.sort_unstable();
    assert_eq!(features, keys);

    let geojson: Value = geojson.json().await.expect("a GeoJSON document");
    assert_eq!(geojson["features"].as_array().unwrap().len(), total);

    // Null fields are fields left out; no filter is every event.
    let nulls = format!("filter={}", encoded(r#"{"types":null,"parentId":null,"bbox":null}"#));
    let nulls = get(&app, &format!("/export/events.ndjson?{nulls}"), None).await;
    assert_eq!(nulls.status(), 200);
    let nulls = nulls.text().await.unwrap();
    let all = get(&app, "/export/events.ndjson", None).await.text().await.unwrap();
    let every = app.data("{ events { totalCount } }", json!({})).await;
    assert_eq!(all.lines().count() as u64, every["events"]["totalCount"].as_u64().unwrap());
    assert_eq!(nulls, all);
}

/// The `extensions.code` of the first error of an error response, after checking its status.
async fn refused(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert!(header(&response, "content-type").starts_with("application/json"));
    let body: Value = response.json().await.expect("a JSON error");
    body["errors"][0].clone()
}

async fn http_exports_let_in_whom_the_api_lets_in(backend: Backend) {
    // Arrange: a private deployment, and one with a tight rate limit.
    let private = spawn_app_with(backend.clone(), |s| s.anonymous_read = false).await;
    let reader = private.key("analyst", annals::domain::Role::Reader).await;
    let limited = spawn_app_with(backend, |s| {
        s.rate_limit = 1;
        s.rate_limit_burst = 1;
    })
    .await;

    // Act & assert: no key, or a bad one, is 401 as on /graphql; a reader's key is enough.
    let anonymous = get(&private, "/export/events.csv", None).await;
    assert_eq!(header(&anonymous, "www-authenticate"), "Bearer");
    assert_eq!(refused(anonymous, 401).await["extensions"]["code"], "UNAUTHENTICATED");
    let wrong = get(&private, "/export/events.csv", Some("annals_not_a_key")).await;
    assert_eq!(refused(wrong, 401).await["extensions"]["code"], "UNAUTHENTICATED");
    let graphql = private
        .client
        .post(format!("{}/graphql", private.address))
        .json(&json!({"query": "{ events { totalCount } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused(graphql, 401).await["extensions"]["code"], "UNAUTHENTICATED");
    let allowed = get(&private, "/export/events.geojson", Some(&reader)).await;
    assert_eq!(allowed.status(), 200);
    let features: Value = allowed.json().await.unwrap();
    assert_eq!(features["features"].as_array().unwrap().len(), 16);

    // The same bucket as /graphql: one request spends it.
    limited.data("{ events { totalCount } }", json!({})).await;
    let limit = get(&limited, "/export/events.ndjson", None).await;
    assert!(header(&limit, "retry-after").parse::<u64>().unwrap() >= 1);
    assert_eq!(refused(limit, 429).await["extensions"]["code"], "RATE_LIMITED");
}

async fn a_bad_filter_or_format_is_refused_with_the_apis_codes(backend: Backend) {
    let app = spawn_app(backend).await;
    let with_filter = |filter: &str| format!("/export/events.csv?filter={}", encoded(filter));

    // Values the `events` argument refuses: the same code and path as the API.
    let country =
        refused(get(&app, &with_filter(r#"{"countryCodes":["XX"]}"#), None).await, 400).await;
    let api =
        app.graphql("{ events(filter: {countryCodes: [\"XX\"]}) { totalCount } }", json!({})).await;
    assert_eq!(country["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(country["extensions"]["code"], api["errors"][0]["extensions"]["code"]);
    assert_eq!(country["extensions"]["path"], api["errors"][0]["extensions"]["path"]);
    let id = refused(get(&app, &with_filter(r#"{"actorIds":["nope"]}"#), None).await, 400).await;
    assert_eq!(id["extensions"]["code"], "INVALID_ID");
    let order = r#"{"from":"2022-02-01","to":"2022-01-01"}"#;
    let order = refused(get(&app, &with_filter(order), None).await, 400).await;
    assert_eq!(order["extensions"]["path"], "filter.to");

    // A filter that is not EventFilter's JSON: a misspelt field is refused, never ignored.
    for (filter, path) in [
        ("{not json", "filter"),
        ("[\"KZ\"]", "filter"),
        (r#"{"types":["RIOT"]}"#, "filter"),
        (r#"{"from":"5 January 2022"}"#, "filter"),
        (r#"{"countryCode":["KZ"]}"#, "filter.countryCode"),
        (
            r#"{"bbox":{"minLatitude":0,"minLongitude":0,"maxLatitude":1,"maxLongitude":1,"north":2}}"#,
            "filter.bbox.north",
        ),
    ] {
        let error = refused(get(&app, &with_filter(filter), None).await, 400).await;
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{filter}");
        assert_eq!(error["extensions"]["path"], path, "{filter}");
    }

    // The format and its parameters.
    let flavor = refused(get(&app, "/export/events.geojson?flavor=acled", None).await, 400).await;
    assert_eq!(flavor["extensions"]["path"], "flavor");
    let flavor = refused(get(&app, "/export/events.csv?flavor=ucdp", None).await, 400).await;
    assert_eq!(flavor["extensions"]["code"], "BAD_USER_INPUT");
    let unknown = refused(get(&app, "/export/events.csv?filters=%7B%7D", None).await, 400).await;
    assert_eq!(unknown["extensions"]["code"], "BAD_REQUEST");
    let format = refused(get(&app, "/export/events.xml", None).await, 404).await;
    assert_eq!(format["extensions"]["code"], "NOT_FOUND");

    // The CLI refuses the same filter with the same code.
    let output =
        app.cli(&["export", "--format", "ndjson", "--filter", r#"{"countryCodes":["XX"]}"#]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("BAD_USER_INPUT"));
}

async fn exports_read_in_pages_with_a_fixed_number_of_statements_each(backend: Backend) {
    let app = &spawn_app(backend).await;
    let conn = || app.database.conn.clone();
    let whole = |format, page| async move {
        let mut export = EventExport::new(conn(), Default::default(), format).with_page_size(page);
        let mut out = Vec::new();
        while let Some(chunk) = export.next_chunk().await.unwrap() {
            out.extend(chunk);
        }
        String::from_utf8(out).unwrap()
    };

    // Pages of 3 and of 5 (16 events: the last page short, or not) write what one page does.
    for format in [
        EventsFormat::Csv(CsvFlavor::Annals),
        EventsFormat::Csv(CsvFlavor::Acled),
        EventsFormat::GeoJson,
        EventsFormat::NdJson,
    ] {
        let one = whole(format, 1000).await;
        assert_eq!(whole(format, 3).await, one, "{format:?}");
        assert_eq!(whole(format, 4).await, one, "{format:?}");
        assert_eq!(whole(format, 16).await, one, "{format:?}");
    }
    serde_json::from_str::<Value>(&whole(EventsFormat::GeoJson, 4).await)
        .expect("valid JSON across pages");

    // A page of sixteen events costs what a page of one does: no statement per event.
    let statements = |filter: &'static str| async move {
        let before = app.statements();
        let query = format!("filter={}", encoded(filter));
        let response = get(app, &format!("/export/events.ndjson?{query}"), None).await;
        let lines = response.text().await.unwrap().lines().count();
        (lines, app.statements() - before)
    };
    let (all, all_cost) = statements("{}").await;
    let (one, one_cost) = statements(
        r#"{"bbox":{"minLatitude":43,"minLongitude":76,"maxLatitude":44,"maxLongitude":77}}"#,
    )
    .await;
    assert_eq!((all, one), (16, 1));
    assert_eq!(all_cost, one_cost);
    assert!(all_cost <= 7, "{all_cost} statements for one page");
}
