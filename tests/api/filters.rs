//! Every filter of every list, and injection strings through every string filter.

use crate::helpers::{Backend, Client, TestSchema};
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    event_filters_select_by_type_country_dates_actor_parent_and_box,
    actor_filters_match_names_and_aliases_case_insensitively,
    statement_filters_select_by_speaker_event_mention_kind_date_and_text,
    casualty_report_filters_select_by_event_category_status_and_claimant,
    source_filters_select_by_kind_and_status,
    string_filters_treat_injection_attempts_as_plain_text,
);

/// The keys of a list's nodes, in order.
async fn keys(app: &TestSchema, list: &str, filter: Value) -> Vec<String> {
    let query = format!("query($filter: {}) {{ {list}(filter: $filter, first: 100) {{ totalCount edges {{ node {{ key }} }} }} }}", filter_type(list));
    let data = app.data(&query, json!({ "filter": filter })).await;
    let keys: Vec<String> = data[list]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        data[list]["totalCount"],
        keys.len(),
        "totalCount agrees with the rows for {filter}"
    );
    keys
}

fn filter_type(list: &str) -> &'static str {
    match list {
        "events" => "EventFilter",
        "actors" => "ActorFilter",
        "statements" => "StatementFilter",
        "casualtyReports" => "CasualtyReportFilter",
        _ => "SourceFilter",
    }
}

fn sorted(mut keys: Vec<String>) -> Vec<String> {
    keys.sort();
    keys
}

async fn event_filters_select_by_type_country_dates_actor_parent_and_box(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let all = keys(&app, "events", json!({})).await;
    assert_eq!(all.len(), 16);

    let riots = keys(&app, "events", json!({ "types": ["RIOTS"] })).await;
    assert_eq!(
        sorted(riots),
        [
            "airport-stormed",
            "almaty-riots",
            "government-buildings-burned",
            "kazakhstan-unrest-2022"
        ]
    );

    let arrests = keys(&app, "events", json!({ "subTypes": ["ARRESTS"] })).await;
    assert_eq!(arrests, ["mass-detentions"]);

    let in_kz = keys(&app, "events", json!({ "countryCodes": ["kz"] })).await;
    assert!(
        in_kz.contains(&"almaty-riots".to_owned())
            && !in_kz.contains(&"putin-declares-victory".to_owned())
    );
    assert!(keys(&app, "events", json!({ "countryCodes": ["RU"] })).await.is_empty());

    // [start, end] overlaps [from, to], where an end is as late as the date's precision allows:
    // the episode runs to 10 January; the China offer and the standoff are dated "January".
    let ninth =
        sorted(keys(&app, "events", json!({ "from": "2022-01-09", "to": "2022-01-09" })).await);
    assert_eq!(
        ninth,
        ["china-security-offer", "kazakhstan-unrest-2022", "russia-nato-ukraine-standoff"]
    );
    let tenth = keys(&app, "events", json!({ "from": "2022-01-10", "to": "2022-01-10" })).await;
    assert!(tenth.contains(&"putin-declares-victory".to_owned()));
    assert!(!tenth.contains(&"almaty-riots".to_owned()), "a WEEK from 1 January ends on the 7th");
    let nineties = keys(&app, "events", json!({ "from": "1990-01-01", "to": "1999-12-31" })).await;
    assert_eq!(nineties, ["kazakhstan-independence-1991"]);

    let china = app.id_of("actors", "china").await;
    assert_eq!(
        keys(&app, "events", json!({ "actorIds": [china] })).await,
        ["china-security-offer"]
    );

    let episode = app.id_of("events", "kazakhstan-unrest-2022").await;
    let children = keys(&app, "events", json!({ "parentId": episode })).await;
    assert_eq!(children.len(), 12);
    assert!(!children.contains(&"kazakhstan-unrest-2022".to_owned()));

    let around_almaty = json!({ "minLatitude": 43.0, "minLongitude": 76.5, "maxLatitude": 43.5, "maxLongitude": 77.5 });
    assert_eq!(keys(&app, "events", json!({ "bbox": around_almaty })).await, ["almaty-riots"]);
    let far_away = json!({ "minLatitude": -10.0, "minLongitude": 170.0, "maxLatitude": 10.0, "maxLongitude": -170.0 });
    assert!(
        keys(&app, "events", json!({ "bbox": far_away })).await.is_empty(),
        "a box across the antimeridian"
    );

    let combined = keys(
        &app,
        "events",
        json!({ "types": ["RIOTS"], "parentId": episode, "bbox": around_almaty }),
    )
    .await;
    assert_eq!(combined, ["almaty-riots"]);
    assert!(
        keys(&app, "events", json!({ "types": [] })).await.is_empty(),
        "an empty list matches nothing"
    );

    let code = app
        .error_code("{ events(filter: {countryCodes: [\"ZZ\"]}) { totalCount } }", json!({}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let code = app.error_code("{ events(filter: {bbox: {minLatitude: 95, minLongitude: 0, maxLatitude: 96, maxLongitude: 1}}) { totalCount } }", json!({})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}

async fn actor_filters_match_names_and_aliases_case_insensitively(backend: Backend) {
    let app = TestSchema::new(backend).await;

    assert_eq!(keys(&app, "actors", json!({ "name": "KASSYM-jomart" })).await, ["tokayev"]);
    // The security forces are also known as "Tokayev's forces".
    assert_eq!(
        sorted(keys(&app, "actors", json!({ "name": "tokayev" })).await),
        ["kz-security-forces", "tokayev"]
    );
    // "Moscow" is only an alias of Russia.
    assert_eq!(keys(&app, "actors", json!({ "name": "moscow" })).await, ["russia"]);
    let people_in_russia =
        keys(&app, "actors", json!({ "kinds": ["PERSON"], "countryCodes": ["RU"] })).await;
    assert_eq!(sorted(people_in_russia), ["putin", "russian-deputy-foreign-minister"]);
    let states = keys(&app, "actors", json!({ "kinds": ["STATE"] })).await;
    assert_eq!(
        sorted(states),
        ["china", "kazakhstan", "russia", "ukraine", "united-states", "western-powers"]
    );
    assert!(keys(&app, "actors", json!({ "name": "nobody by that name" })).await.is_empty());
}

async fn statement_filters_select_by_speaker_event_mention_kind_date_and_text(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let putin = app.id_of("actors", "putin").await;
    let external = app.id_of("actors", "external-forces").await;
    let victory = app.id_of("events", "putin-declares-victory").await;

    let by_putin = keys(&app, "statements", json!({ "speakerIds": [putin] })).await;
    assert_eq!(by_putin.len(), 5);
    assert_eq!(
        keys(&app, "statements", json!({ "eventIds": [victory] })).await,
        ["putin-victory-declaration"]
    );
    let blaming_external =
        sorted(keys(&app, "statements", json!({ "mentionsActorIds": [external] })).await);
    assert_eq!(
        blaming_external,
        [
            "china-offer-against-external-forces",
            "putin-blames-foreign-interference",
            "putin-internal-external-forces",
            "tokayev-blames-foreign-interference"
        ]
    );
    assert_eq!(
        keys(&app, "statements", json!({ "kinds": ["WARNING"] })).await,
        ["deputy-fm-military-technical"]
    );
    assert_eq!(
        keys(&app, "statements", json!({ "from": "2022-01-10" })).await,
        ["putin-victory-declaration"]
    );
    assert_eq!(
        keys(&app, "statements", json!({ "text": "COUP D" })).await,
        ["tokayev-attempted-coup"]
    );
    assert_eq!(
        keys(&app, "statements", json!({ "speakerIds": [putin], "kinds": ["PROMISE"] })).await,
        ["putin-prevent-colour-revolutions"]
    );

    let code = app
        .error_code(
            "query($f: StatementFilter) { statements(filter: $f) { totalCount } }",
            json!({ "f": { "speakerIds": ["not-an-id"] } }),
        )
        .await;
    assert_eq!(code, "INVALID_ID");
    let code = app
        .error_code(
            "query($f: StatementFilter) { statements(filter: $f) { totalCount } }",
            json!({ "f": { "speakerIds": [victory] } }),
        )
        .await;
    assert_eq!(code, "INVALID_ID", "an event ID is not an actor ID");
}

async fn casualty_report_filters_select_by_event_category_status_and_claimant(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let episode = app.id_of("events", "kazakhstan-unrest-2022").await;
    let government = app.id_of("actors", "kz-government").await;
    let putin = app.id_of("actors", "putin").await;

    assert_eq!(keys(&app, "casualtyReports", json!({ "eventIds": [episode] })).await.len(), 3);
    assert!(keys(&app, "casualtyReports", json!({ "statuses": ["RETRACTED"] })).await.is_empty());
    let standing = sorted(
        keys(&app, "casualtyReports", json!({ "statuses": ["REPORTED", "DISPUTED"] })).await,
    );
    assert_eq!(standing, ["unrest-detained-5800", "unrest-injured-2000", "unrest-killed-164"]);
    assert_eq!(
        keys(
            &app,
            "casualtyReports",
            json!({ "categories": ["INJURED"], "claimedByIds": [government] })
        )
        .await,
        ["unrest-injured-2000"]
    );
    assert!(keys(&app, "casualtyReports", json!({ "claimedByIds": [putin] })).await.is_empty());
    // No report in the article gives an as-of date, so a date range matches none.
    assert!(keys(&app, "casualtyReports", json!({ "from": "2022-01-01", "to": "2022-12-31" }))
        .await
        .is_empty());
}

async fn source_filters_select_by_kind_and_status(backend: Backend) {
    let app = TestSchema::new(backend).await;

    assert_eq!(
        keys(&app, "sources", json!({ "statuses": ["DELETED"] })).await,
        ["kz-government-deleted-post"]
    );
    assert_eq!(keys(&app, "sources", json!({ "kinds": ["NEWS"] })).await.len(), 5);
    assert_eq!(keys(&app, "sources", json!({})).await.len(), 7);
}

async fn string_filters_treat_injection_attempts_as_plain_text(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let attempts = [
        "' OR '1'='1",
        "%",
        "_",
        "\\",
        "'; DROP TABLE events; --",
        "\" OR 1=1 --",
        "') OR EXISTS (SELECT 1 FROM actors) --",
    ];

    for attempt in attempts {
        assert!(
            keys(&app, "actors", json!({ "name": attempt })).await.is_empty(),
            "actor name {attempt:?}"
        );
        assert!(
            keys(&app, "statements", json!({ "text": attempt })).await.is_empty(),
            "statement text {attempt:?}"
        );
    }
    let code = app
        .error_code(
            "query($c: [String!]) { events(filter: {countryCodes: $c}) { totalCount } }",
            json!({ "c": ["' OR 1=1 --"] }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    let code = app
        .error_code(
            "query($c: [String!]) { actors(filter: {countryCodes: $c}) { totalCount } }",
            json!({ "c": ["KZ' OR 1=1 --"] }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");

    // Cursors and IDs are client-held strings too. A forged cursor whose title key carries
    // SQL is a bound value: it positions the page, and nothing else happens.
    use base64::Engine as _;
    let by_title = "query($after: String) { events(orderBy: {field: TITLE, direction: ASC},
        after: $after, first: 100) { edges { node { title } } } }";
    for attempt in attempts {
        let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!(["title", "a", attempt, 1]).to_string());
        let body = app.graphql(by_title, json!({ "after": forged })).await;
        assert!(body.get("errors").is_none(), "{attempt:?}: {body}");
        let titles = body["data"]["events"]["edges"].as_array().unwrap();
        // Exactly the titles after the forged key in the database's own order.
        let all = app.graphql(by_title, json!({})).await;
        let all: Vec<&str> = all["data"]["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap())
            .collect();
        assert!(titles.len() <= all.len(), "{attempt:?}");
        assert_eq!(
            titles.iter().map(|e| e["node"]["title"].as_str().unwrap()).collect::<Vec<_>>(),
            all[all.len() - titles.len()..],
            "{attempt:?}: a suffix of the full order"
        );
        let forged_id = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("Event:1 OR 1=1{attempt}"));
        let code = app
            .error_code("query($id: ID!) { node(id: $id) { id } }", json!({ "id": forged_id }))
            .await;
        assert_eq!(code, "INVALID_ID", "{attempt:?}");
    }
    assert_eq!(app.count_rows("events").await, 16, "the events table is intact");
    assert_eq!(app.count_rows("actors").await, 28, "the actors table is intact");
}
