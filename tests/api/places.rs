//! Places: events within a distance of a point, in a box that may cross the antimeridian, of
//! a location precision, with their distance; indexed on both backends.

use crate::helpers::{spawn_app, Backend, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use serde_json::{json, Value};

on_both_backends!(
    events_are_found_near_a_point_in_boxes_and_by_precision,
    bad_places_are_clear_errors,
);

/// (key, country, latitude, longitude, precision)
const PLACES: &[(&str, &str, f64, f64, &str)] = &[
    ("astana-rally", "KZ", 51.1694, 71.4491, "CITY"),
    ("almaty-square", "KZ", 43.2380, 76.9450, "EXACT"),
    ("talgar-road", "KZ", 43.3030, 77.2400, "EXACT"),
    ("suva-march", "FJ", -18.1416, 178.4419, "CITY"),
    ("taveuni-landing", "FJ", -16.8500, -179.9700, "EXACT"),
    ("kz-region", "KZ", 48.0, 67.0, "COUNTRY"),
];

async fn create_places(app: &TestApp) {
    let editor = app.key("newsroom", Role::Editor).await;
    let source = app.id_of("sources", "seed-article").await;
    let create =
        "mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }";
    for (key, country, latitude, longitude, precision) in PLACES {
        let input = json!({
            "key": key, "title": key, "type": "PROTESTS", "startDate": "2022-01-05",
            "datePrecision": "DAY",
            "location": { "countryCode": country, "latitude": latitude, "longitude": longitude,
                          "precision": precision },
            "citations": [{ "sourceId": source }],
        });
        let body = app.graphql_as(Some(&editor), create, json!({ "input": input })).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
}

const LIST: &str = "query($filter: EventFilter, $lat: Float!, $lon: Float!) {
    events(filter: $filter, first: 100, orderBy: {field: TITLE, direction: ASC}) {
        totalCount nodes { key distanceKm(latitude: $lat, longitude: $lon) } } }";

async fn keys(app: &impl Client, filter: Value) -> Vec<String> {
    let data = app.data(LIST, json!({ "filter": filter, "lat": 0.0, "lon": 0.0 })).await;
    let nodes = data["events"]["nodes"].as_array().unwrap();
    assert_eq!(data["events"]["totalCount"], nodes.len(), "the count agrees with the list");
    let mut keys: Vec<String> =
        nodes.iter().map(|n| n["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    keys
}

async fn events_are_found_near_a_point_in_boxes_and_by_precision(backend: Backend) {
    let app = spawn_app(backend).await;
    create_places(&app).await;

    // Almaty's centre: the square (2.4 km), the bundled riots (on the centre) and Talgar
    // (about 25 km) within 30 km; not Astana (about 970 km).
    let almaty = json!({ "latitude": 43.2567, "longitude": 76.9286, "radiusKm": 30 });
    assert_eq!(
        keys(&app, json!({ "near": almaty })).await,
        ["almaty-riots", "almaty-square", "talgar-road"]
    );
    let close = json!({ "latitude": 43.2567, "longitude": 76.9286, "radiusKm": 10 });
    assert_eq!(keys(&app, json!({ "near": close })).await, ["almaty-riots", "almaty-square"]);
    let data = app
        .data(LIST, json!({ "filter": { "near": almaty }, "lat": 43.2567, "lon": 76.9286 }))
        .await;
    let distance = |key: &str| {
        let nodes = data["events"]["nodes"].as_array().unwrap();
        nodes.iter().find(|n| n["key"] == key).unwrap()["distanceKm"].as_f64().unwrap()
    };
    assert!(distance("almaty-riots") < 0.001);
    assert!((2.0..3.0).contains(&distance("almaty-square")), "{}", distance("almaty-square"));
    assert!((20.0..30.0).contains(&distance("talgar-road")), "{}", distance("talgar-road"));
    // 1,000 km reaches Astana.
    let wide = json!({ "latitude": 43.2567, "longitude": 76.9286, "radiusKm": 1000 });
    assert!(keys(&app, json!({ "near": wide })).await.contains(&"astana-rally".to_owned()));

    // A circle and a box across the antimeridian: Suva (178.4 E) and Taveuni (179.97 W).
    let fiji = json!({ "latitude": -17.5, "longitude": 179.5, "radiusKm": 250 });
    assert_eq!(keys(&app, json!({ "near": fiji })).await, ["suva-march", "taveuni-landing"]);
    let across = json!({ "minLatitude": -20, "maxLatitude": -15, "minLongitude": 178, "maxLongitude": -179 });
    assert_eq!(keys(&app, json!({ "bbox": across })).await, ["suva-march", "taveuni-landing"]);
    let west_only = json!({ "minLatitude": -20, "maxLatitude": -15, "minLongitude": -180, "maxLongitude": -179 });
    assert_eq!(keys(&app, json!({ "bbox": west_only })).await, ["taveuni-landing"]);

    // The whole globe: every event with coordinates, and only those.
    let globe =
        json!({ "minLatitude": -90, "maxLatitude": 90, "minLongitude": -180, "maxLongitude": 180 });
    let mut located = keys(&app, json!({ "bbox": globe })).await;
    located.sort();
    let mut expected: Vec<String> = PLACES.iter().map(|p| p.0.to_owned()).collect();
    expected.push("almaty-riots".to_owned());
    expected.sort();
    assert_eq!(located, expected);

    // Only events located to a point or a town: the country centroid is left out.
    let kazakhstan =
        json!({ "minLatitude": 40, "maxLatitude": 56, "minLongitude": 46, "maxLongitude": 88 });
    let all = keys(&app, json!({ "bbox": kazakhstan })).await;
    assert!(all.contains(&"kz-region".to_owned()), "{all:?}");
    let precise =
        keys(&app, json!({ "bbox": kazakhstan, "geoPrecisions": ["EXACT", "CITY"] })).await;
    assert_eq!(precise, ["almaty-riots", "almaty-square", "astana-rally", "talgar-road"]);
    // An event without coordinates has no distance.
    let data = app
        .data(LIST, json!({ "filter": { "geoPrecisions": ["COUNTRY"], "types": ["RIOTS"] }, "lat": 0.0, "lon": 0.0 }))
        .await;
    assert!(data["events"]["nodes"].as_array().unwrap().iter().all(|n| n["distanceKm"].is_null()));
}

async fn bad_places_are_clear_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let refused = |filter: Value| {
        let app = &app;
        async move {
            let body = app.graphql(LIST, json!({ "filter": filter, "lat": 0.0, "lon": 0.0 })).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
            body["errors"][0]["extensions"]["path"].as_str().unwrap_or_default().to_owned()
        }
    };
    let south_above_north =
        json!({ "minLatitude": 50, "maxLatitude": 40, "minLongitude": 0, "maxLongitude": 10 });
    assert_eq!(refused(json!({ "bbox": south_above_north })).await, "filter.bbox.maxLatitude");
    let zero = json!({ "latitude": 43.0, "longitude": 76.0, "radiusKm": 0 });
    assert_eq!(refused(json!({ "near": zero })).await, "filter.near.radiusKm");
    let negative = json!({ "latitude": 43.0, "longitude": 76.0, "radiusKm": -5 });
    assert_eq!(refused(json!({ "near": negative })).await, "filter.near.radiusKm");
    let off_earth = json!({ "latitude": 91.0, "longitude": 76.0, "radiusKm": 5 });
    assert_eq!(refused(json!({ "near": off_earth })).await, "filter.near.latitude");
    // A circle larger than the Earth holds every located event.
    let everything = json!({ "latitude": 0.0, "longitude": 0.0, "radiusKm": 30000 });
    assert_eq!(keys(&app, json!({ "near": everything })).await, ["almaty-riots"]);
}
