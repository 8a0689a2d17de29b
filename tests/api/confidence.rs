//! The low-confidence mark: read from a dataset file, filterable, and cleared by an editor.

use crate::helpers::{spawn_empty_app, Backend, Client};
use crate::on_both_backends;
use serde_json::json;

on_both_backends!(a_low_confidence_event_is_filterable_and_an_editor_clears_the_mark);

async fn a_low_confidence_event_is_filterable_and_an_editor_clears_the_mark(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    // The bundled dataset, one of whose events is machine-coded, as the dataset format writes
    // the mark.
    let mut dataset: serde_json::Value =
        serde_json::from_str(annals::dataset::BUNDLED).expect("bundled dataset");
    dataset["events"][0]["lowConfidence"] = json!(true);
    let marked = dataset["events"][0]["key"].clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("machine.json");
    std::fs::write(&path, dataset.to_string()).unwrap();
    let output = app.cli(&["import", path.to_str().unwrap()]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let count = |low: Option<bool>| {
        let app = &app;
        async move {
            let filter = match low {
                Some(low) => json!({"lowConfidence": low}),
                None => json!({}),
            };
            app.data(
                "query($f: EventFilter) { events(filter: $f) { totalCount nodes { id key lowConfidence } } }",
                json!({"f": filter}),
            )
            .await["events"]
                .clone()
        }
    };
    let all = count(None).await["totalCount"].as_i64().unwrap();
    let low = count(Some(true)).await;
    assert_eq!(low["totalCount"], 1);
    assert_eq!(low["nodes"][0]["key"], marked);
    assert_eq!(low["nodes"][0]["lowConfidence"], true);
    assert_eq!(count(Some(false)).await["totalCount"].as_i64().unwrap(), all - 1);

    // Checked by a person: the mark goes, with a revision saying so.
    let key = app.key("checker", annals::domain::Role::Editor).await;
    let updated = app
        .graphql_as(
            Some(&key),
            "mutation($id: ID!) { updateEvent(input: {id: $id, lowConfidence: false}) { event { lowConfidence history(first: 1) { nodes { changes { field before after } } } } } }",
            json!({"id": low["nodes"][0]["id"]}),
        )
        .await;
    let event = &updated["data"]["updateEvent"]["event"];
    assert_eq!(event["lowConfidence"], false, "{updated}");
    assert!(
        event["history"]["nodes"][0]["changes"].to_string().contains("lowConfidence"),
        "{updated}"
    );
    assert_eq!(count(Some(true)).await["totalCount"], 0);
}
