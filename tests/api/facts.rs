//! The article's facts, read back through the API without losing their nuance.

use crate::helpers::{Backend, Client, TestSchema};
use crate::on_both_backends;
use serde_json::json;

on_both_backends!(
    the_detained_figure_is_a_lower_bound_claimed_by_the_government_and_reported_by_the_nyt,
    the_death_toll_from_the_deleted_post_stands_with_its_source_marked_deleted,
    tokayev_blames_radical_islamist_groups_in_his_own_words,
    the_csto_deployment_has_its_interveners,
    the_unrest_is_an_episode_of_sub_events,
    affiliations_carry_their_dates_and_organizations,
    every_figure_of_the_event_is_listed_side_by_side,
);

async fn the_detained_figure_is_a_lower_bound_claimed_by_the_government_and_reported_by_the_nyt(
    backend: Backend,
) {
    let app = TestSchema::new(backend).await;

    let data = app
        .data(
            r#"{ casualtyReports(filter: {categories: [DETAINED]}) {
                totalCount
                edges { node { low high status claimedBy { name kind }
                               event { title }
                               citations { source { publisher kind status } } } } } }"#,
            json!({}),
        )
        .await;

    assert_eq!(data["casualtyReports"]["totalCount"], 1);
    let report = &data["casualtyReports"]["edges"][0]["node"];
    assert_eq!(report["low"], 5800);
    assert_eq!(report["high"], serde_json::Value::Null, "\"more than 5,800\" has no upper bound");
    assert_eq!(report["status"], "REPORTED");
    assert_eq!(report["claimedBy"]["name"], "Government of Kazakhstan");
    assert_eq!(report["claimedBy"]["kind"], "GOVERNMENT_BODY");
    let publishers: Vec<_> = report["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"]["publisher"].clone())
        .collect();
    assert!(publishers.contains(&json!("The New York Times")), "{publishers:?}");
}

async fn the_death_toll_from_the_deleted_post_stands_with_its_source_marked_deleted(
    backend: Backend,
) {
    let app = TestSchema::new(backend).await;

    let data = app
        .data(
            r#"{ casualtyReports(filter: {categories: [KILLED]}) {
                edges { node { low high status note claimedBy { key }
                               citations { source { key kind status } } } } } }"#,
            json!({}),
        )
        .await;

    let report = &data["casualtyReports"]["edges"][0]["node"];
    assert_eq!(
        (report["low"].clone(), report["high"].clone()),
        (json!(164), json!(164)),
        "an exact figure has low = high"
    );
    // A deleted post does not retract the claim it made: the source says it is gone.
    assert_eq!(report["status"], "REPORTED");
    assert_eq!(report["claimedBy"]["key"], "kz-government");
    assert!(report["note"].as_str().unwrap().contains("deleted"));
    let deleted_post = report["citations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["source"]["key"] == "kz-government-deleted-post")
        .expect("the deleted government post is cited");
    assert_eq!(deleted_post["source"]["status"], "DELETED");
    assert_eq!(deleted_post["source"]["kind"], "SOCIAL_MEDIA");
}

async fn tokayev_blames_radical_islamist_groups_in_his_own_words(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let tokayev = app.id_of("actors", "tokayev").await;

    let data = app
        .data(
            r#"query($speaker: ID!) { statements(filter: {speakerIds: [$speaker], kinds: [ACCUSATION]}) {
                edges { node { key text mode speaker { name }
                               actorMentions { role actor { key kind } }
                               citations { excerpt source { key } } } } } }"#,
            json!({ "speaker": tokayev }),
        )
        .await;

    let statements = data["statements"]["edges"].as_array().unwrap();
    let verbatim = statements
        .iter()
        .map(|e| &e["node"])
        .find(|s| s["mode"] == "VERBATIM")
        .expect("a verbatim accusation by Tokayev");
    assert!(verbatim["text"].as_str().unwrap().contains("radical Islamist groups"));
    assert_eq!(verbatim["speaker"]["name"], "Kassym-Jomart Tokayev");
    assert_eq!(
        verbatim["actorMentions"],
        json!([{ "role": "BLAMED", "actor": { "key": "radical-islamist-groups", "kind": "ARMED_GROUP" } }])
    );
    assert!(statements.iter().all(|e| e["node"]["speaker"]["name"] == "Kassym-Jomart Tokayev"));
}

async fn the_csto_deployment_has_its_interveners(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let deployment = app.id_of("events", "csto-deployment").await;

    let data = app
        .data(
            r#"query($id: ID!) { node(id: $id) { ... on Event {
                title type subType parent { key }
                participants { role actor { key } } } } }"#,
            json!({ "id": deployment }),
        )
        .await;

    let event = &data["node"];
    assert_eq!(event["type"], "STRATEGIC_DEVELOPMENTS");
    assert_eq!(event["parent"]["key"], "kazakhstan-unrest-2022");
    let interveners: Vec<_> = event["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["role"] == "INTERVENER")
        .map(|p| p["actor"]["key"].as_str().unwrap())
        .collect();
    assert_eq!(interveners, ["russia", "csto-forces"]);
}

async fn the_unrest_is_an_episode_of_sub_events(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let episode = app.id_of("events", "kazakhstan-unrest-2022").await;

    let data = app
        .data(
            r#"query($id: ID!) { node(id: $id) { ... on Event {
                startDate endDate datePrecision location { countryCode precision }
                subEvents(first: 100) { totalCount edges { node { key parent { key } } } } } } }"#,
            json!({ "id": episode }),
        )
        .await;

    let event = &data["node"];
    assert_eq!(event["startDate"], "2022-01-01");
    assert_eq!(event["endDate"], "2022-01-10");
    assert_eq!(event["datePrecision"], "WEEK", "\"shortly after New Year's Day\" is not a day");
    assert_eq!(event["location"]["countryCode"], "KZ");
    let keys: Vec<_> = event["subEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["key"].as_str().unwrap())
        .collect();
    for expected in [
        "almaty-riots",
        "airport-stormed",
        "government-buildings-burned",
        "internet-restrictions",
        "shoot-to-kill-order",
        "csto-deployment",
        "putin-declares-victory",
        "china-security-offer",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    assert_eq!(event["subEvents"]["totalCount"], keys.len());
    assert!(event["subEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["node"]["parent"]["key"] == "kazakhstan-unrest-2022"));
}

async fn affiliations_carry_their_dates_and_organizations(backend: Backend) {
    let app = TestSchema::new(backend).await;

    let data = app
        .data(
            r#"{ actors(filter: {name: "nazarbayev"}) { edges { node { key
                affiliations { role from to datePrecision organization { key } citations { source { key } } } } } } }"#,
            json!({}),
        )
        .await;

    let nazarbayev = &data["actors"]["edges"][0]["node"];
    assert_eq!(nazarbayev["key"], "nazarbayev");
    let affiliations = nazarbayev["affiliations"].as_array().unwrap();
    assert_eq!(affiliations.len(), 2);
    assert_eq!(affiliations[0]["organization"]["key"], "kazakhstan");
    assert_eq!(affiliations[0]["to"], "2019-01-01");
    assert_eq!(affiliations[0]["datePrecision"], "YEAR");
    assert_eq!(affiliations[1]["organization"]["key"], "kz-security-council");
    assert_eq!(affiliations[1]["from"], "2019-01-01");
    assert_eq!(affiliations[1]["to"], serde_json::Value::Null);
    assert!(affiliations.iter().all(|a| !a["citations"].as_array().unwrap().is_empty()));
}

async fn every_figure_of_the_event_is_listed_side_by_side(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let episode = app.id_of("events", "kazakhstan-unrest-2022").await;

    let data = app
        .data(
            r#"query($id: ID!) { node(id: $id) { ... on Event { casualtyReports { category low status } } } }"#,
            json!({ "id": episode }),
        )
        .await;

    let reports = data["node"]["casualtyReports"].as_array().unwrap();
    let categories: Vec<_> = reports.iter().map(|r| r["category"].as_str().unwrap()).collect();
    assert_eq!(categories, ["KILLED", "INJURED", "DETAINED"]);
    assert!(reports.iter().all(|r| r["status"] == "REPORTED"), "{reports:?}");
}
