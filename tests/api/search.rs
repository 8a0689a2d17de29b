//! Full-text search: the query language on both backends, ranking, highlighted segments,
//! pages with stable cursors, the search filters of events and statements, and a record found
//! right after it is written.

use crate::helpers::{
    spawn_app, spawn_app_with, Backend, Client, DatabaseGuard, TestApp, TestSchema,
};
use crate::on_both_backends;
use annals::domain::Role;
use serde_json::{json, Value};

on_both_backends!(
    statements_that_blame_foreign_terrorists_are_found_with_their_matches_marked,
    the_query_language_never_fails_and_operators_alone_find_nothing,
    pages_of_hits_follow_their_cursors,
    a_record_is_found_right_after_it_is_written,
    event_and_statement_lists_are_ordered_by_relevance_on_request,
    only_the_newest_matches_are_ranked_unless_every_match_is_asked_for,
    the_newest_matches_are_found_however_far_apart_their_ids_are,
    the_tables_whose_search_index_is_rebuilt_are_vacuumed,
);

const SEARCH: &str = "query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { score
      node { __typename id ... on Statement { key } ... on Event { key } ... on Actor { key }
             ... on Source { key } }
      highlights { field segments { text match } } } } } }";

async fn hits(app: &impl Client, q: &str, kinds: Value) -> Vec<Value> {
    let data = app.data(SEARCH, json!({ "q": q, "kinds": kinds, "first": 100 })).await;
    data["search"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

fn keys(hits: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> =
        hits.iter().map(|h| h["node"]["key"].as_str().unwrap().to_owned()).collect();
    keys.sort();
    keys
}

async fn statements_that_blame_foreign_terrorists_are_found_with_their_matches_marked(
    backend: Backend,
) {
    let app = TestSchema::new(backend).await;
    let found = hits(&app, "\"foreign interference\" terrorists", json!(["STATEMENT"])).await;
    assert_eq!(
        keys(&found),
        ["putin-blames-foreign-interference", "tokayev-blames-foreign-interference"]
    );
    let highlight = &found[0]["highlights"][0];
    assert_eq!(highlight["field"], "text");
    let matched: Vec<&str> = highlight["segments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["match"] == true)
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert!(matched.iter().any(|m| m.contains("terrorists")), "{highlight}");
    let whole: String = highlight["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(whole, "Blamed foreign interference and radical Islamic terrorists for the unrest.");

    // English words match their other forms; a name matches an alias; `-` excludes.
    assert!(keys(&hits(&app, "riot", json!(["EVENT"])).await).contains(&"almaty-riots".to_owned()));
    let actors = keys(&hits(&app, "paratroopers", json!(["ACTOR"])).await);
    assert_eq!(actors, ["csto-forces"]);
    let without = keys(&hits(&app, "foreign -interference", json!(["STATEMENT"])).await);
    assert_eq!(without, ["putin-russia-csto-role"]);
    // `or` makes either term do.
    let either = keys(&hits(&app, "coup or colour", json!(["STATEMENT"])).await);
    assert_eq!(either, ["putin-prevent-colour-revolutions", "tokayev-attempted-coup"]);
    // Every kind at once, the best first.
    let all = hits(&app, "CSTO", json!(null)).await;
    let kinds: Vec<&str> = all.iter().map(|h| h["node"]["__typename"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"Event") && kinds.contains(&"Statement") && kinds.contains(&"Actor"),
        "{kinds:?}"
    );
    let scores: Vec<f64> = all.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // Matches are marked wherever the request selects them: through `nodes` and a fragment
    // as well as through `edges`.
    let through_nodes = app
        .data(
            "{ search(query: \"terrorists\", kinds: [STATEMENT]) { nodes { ...Marks } } }
             fragment Marks on SearchHit { highlights { field } }",
            json!({}),
        )
        .await;
    let nodes = through_nodes["search"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty() && nodes.iter().all(|n| n["highlights"][0]["field"] == "text"));

    // The same language filters the event and statement lists.
    let events =
        app.data("{ events(filter: {search: \"airport\"}) { nodes { key } } }", json!({})).await;
    assert_eq!(events["events"]["nodes"], json!([{ "key": "airport-stormed" }]));
    let statements = app
        .data("{ statements(filter: {search: \"colour revolutions\"}) { totalCount } }", json!({}))
        .await;
    assert_eq!(statements["statements"]["totalCount"], 1);
}

async fn the_query_language_never_fails_and_operators_alone_find_nothing(backend: Backend) {
    let app = TestSchema::new(backend).await;
    for q in
        ["", "   ", "or", "- or -", "\"", "-", "*", "AND(", "NEAR(", "\"unclosed", "a:b", "^x", "'"]
    {
        let body = app.graphql(SEARCH, json!({ "q": q })).await;
        assert!(body.get("errors").is_none(), "{q:?}: {body}");
        if matches!(q, "" | "   " | "or" | "- or -" | "\"" | "-" | "*" | "'") {
            assert_eq!(body["data"]["search"]["edges"], json!([]), "{q:?}");
        }
    }
    // Hyphens and apostrophes inside words.
    let body = app.graphql(SEARCH, json!({ "q": "shoot-to-kill Tokayev's" })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let found = keys(&hits(&app, "shoot-to-kill", json!(["EVENT"])).await);
    assert_eq!(found, ["shoot-to-kill-order"]);
    // Words alone are looked for on PostgreSQL by their English stems only: they find what the
    // same words quoted find, which are also looked for as written. A stop word alone is
    // looked for as written.
    for (plain, quoted) in [
        ("protesters Almaty", "\"protesters\" \"Almaty\""),
        ("foreign terrorists", "\"foreign\" \"terrorists\""),
        ("the", "\"the\""),
    ] {
        let found = keys(&hits(&app, plain, json!(null)).await);
        assert!(!found.is_empty(), "{plain:?}");
        assert_eq!(found, keys(&hits(&app, quoted, json!(null)).await), "{plain:?}");
    }
    // A cursor of another search, or a record type that cannot be searched.
    let code = app.graphql(SEARCH, json!({ "q": "CSTO", "after": "bm90IGEgY3Vyc29y" })).await
        ["errors"][0]["extensions"]["code"]
        .clone();
    assert_eq!(code, "INVALID_CURSOR");
}

async fn pages_of_hits_follow_their_cursors(backend: Backend) {
    let app = TestSchema::new(backend).await;
    let everything = hits(&app, "Kazakhstan", json!(null)).await;
    assert!(everything.len() > 6, "{}", everything.len());
    let mut paged = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(SEARCH, json!({ "q": "Kazakhstan", "first": 4, "after": after })).await;
        let page = &data["search"];
        paged.extend(
            page["edges"].as_array().unwrap().iter().map(|e| e["node"]["node"]["id"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let whole: Vec<Value> = everything.iter().map(|h| h["node"]["id"].clone()).collect();
    assert_eq!(paged, whole, "pages of four give the same hits in the same order");
    // Another search refuses the cursor.
    let cursor = app.data(SEARCH, json!({ "q": "Kazakhstan", "first": 1 })).await["search"]
        ["pageInfo"]["endCursor"]
        .clone();
    let body = app.graphql(SEARCH, json!({ "q": "CSTO", "after": cursor })).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_CURSOR");
}

async fn a_record_is_found_right_after_it_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let create =
        "mutation($input: CreateActorInput!) { createActor(input: $input) { actor { id } } }";
    let body = app
        .graphql_as(
            Some(&editor),
            create,
            json!({ "input": { "key": "zhanaozen-workers", "name": "Жаңаөзен oil workers", "kind": "PROTESTERS" } }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    // Found at once, by its name as written, in Kazakh.
    let found = hits(&app, "Жаңаөзен", json!(["ACTOR"])).await;
    assert_eq!(keys(&found), ["zhanaozen-workers"]);
    let segments = &found[0]["highlights"][0]["segments"];
    assert_eq!(segments[0], json!({ "text": "Жаңаөзен", "match": true }), "{segments}");
}

/// The scores `search` gives each hit of `q` among `kind`, by key.
async fn scores(app: &impl Client, q: &str, kind: &str) -> Vec<(String, f64)> {
    hits(app, q, json!([kind]))
        .await
        .iter()
        .map(|h| (h["node"]["key"].as_str().unwrap().to_owned(), h["score"].as_f64().unwrap()))
        .collect()
}

async fn event_and_statement_lists_are_ordered_by_relevance_on_request(backend: Backend) {
    // Through HTTP: on PostgreSQL the compiled reads must leave these lists to the resolvers.
    let app = spawn_app(backend).await;
    let list = |field: &'static str, q: &'static str, direction: &str, first: i64, after: Value| {
        let query = format!(
            "query($q: String!, $first: Int, $after: String) {{ {field}(filter: {{search: $q}}, \
             orderBy: {{field: RELEVANCE, direction: {direction}}}, first: $first, after: $after) \
             {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ key }} }} }}"
        );
        let app = &app;
        async move { app.data(&query, json!({ "q": q, "first": first, "after": after })).await }
    };
    for (field, kind, q) in [
        ("events", "EVENT", "Almaty protest or riots"),
        ("statements", "STATEMENT", "foreign or unrest"),
    ] {
        let scored = scores(&app, q, kind).await;
        assert!(scored.len() >= 3, "{q}: {scored:?}");
        let data = list(field, q, "DESC", 100, Value::Null).await;
        let listed: Vec<String> = data[field]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["key"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(data[field]["totalCount"], scored.len(), "{q}");
        // Best first, by the score `search` gives the same record.
        let score_of = |key: &String| scored.iter().find(|(k, _)| k == key).unwrap().1;
        let listed_scores: Vec<f64> = listed.iter().map(score_of).collect();
        assert!(
            listed_scores.windows(2).all(|w| w[0] >= w[1]),
            "{q}: {listed:?} {listed_scores:?}"
        );
        assert!(listed_scores[0] > *listed_scores.last().unwrap(), "{q}: the scores differ");
        // Pages of two follow their cursors through the same order.
        let mut paged: Vec<String> = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = list(field, q, "DESC", 2, after).await;
            paged.extend(
                page[field]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["key"].as_str().unwrap().to_owned()),
            );
            if page[field]["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page[field]["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(paged, listed, "{q}");
        // Ascending is the same order reversed.
        let ascending = list(field, q, "ASC", 100, Value::Null).await;
        let mut reversed: Vec<Value> = ascending[field]["nodes"].as_array().unwrap().clone();
        reversed.reverse();
        let keys: Vec<&str> = reversed.iter().map(|n| n["key"].as_str().unwrap()).collect();
        assert_eq!(keys, listed, "{q}");
    }
    // A search of operators alone finds nothing here either, without an error.
    for q in ["-", "\"", "or"] {
        assert_eq!(list("events", q, "DESC", 5, Value::Null).await["events"]["nodes"], json!([]));
    }
    // Relevance needs a search; its cursors are refused by another ordering.
    let body =
        app.graphql("{ events(orderBy: {field: RELEVANCE}) { totalCount } }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    let cursor = list("events", "Almaty", "DESC", 1, Value::Null).await["events"]["pageInfo"]
        ["endCursor"]
        .clone();
    let body = app
        .graphql(
            "query($after: String) { events(after: $after) { totalCount } }",
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_CURSOR", "{body}");
}

const RANKED: &str = "query($q: String!, $first: Int, $after: String, $exhaustive: Boolean = false) {
  search(query: $q, kinds: [EVENT], first: $first, after: $after, exhaustive: $exhaustive) {
    exhaustive pageInfo { hasNextPage endCursor } nodes { score node { ... on Event { key } } } } }";

/// The keys of every hit of `q`, page by page (`first` each), and whether every match was
/// ranked, as the last page says.
async fn ranked_keys(
    app: &impl Client,
    q: &str,
    exhaustive: bool,
    first: i32,
) -> (Vec<String>, bool) {
    let mut keys = Vec::new();
    let mut after = Value::Null;
    loop {
        let variables = json!({ "q": q, "first": first, "after": after, "exhaustive": exhaustive });
        let page = app.data(RANKED, variables).await["search"].clone();
        keys.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["node"]["key"].as_str().unwrap().to_owned()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            return (keys, page["exhaustive"].as_bool().unwrap());
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Creates an event `key` titled `title`, cited to the seed article.
async fn create_event(app: &TestApp, editor: &str, key: &str, title: &str) {
    let source = app.id_of("sources", "seed-article").await;
    let create =
        "mutation($input: CreateEventInput!) { createEvent(input: $input) { event { id } } }";
    let input = json!({
        "key": key, "title": title, "type": "PROTESTS",
        "startDate": "2022-01-05", "datePrecision": "DAY",
        "citations": [{ "sourceId": source }],
    });
    let body = app.graphql_as(Some(editor), create, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");
}

async fn only_the_newest_matches_are_ranked_unless_every_match_is_asked_for(backend: Backend) {
    // A server that ranks three matches of a kind; thirty events name the kettles, more than
    // eight times three, so that PostgreSQL reads the newest through its recency blocks.
    let app = spawn_app_with(backend, |s| s.search_ranked = 3).await;
    let editor = app.key("newsroom", Role::Editor).await;
    for n in 1..=30 {
        // The older an event, the better it matches: its title names the kettles more often.
        let title = format!("{} kettle protest {n}", "kettles ".repeat(31 - n));
        create_event(&app, &editor, &format!("kettle-{n}"), &title).await;
    }
    // Only the three most recently recorded are ranked and listed, best first, on pages
    // that follow their cursors, and the answer says that matches were left out.
    let (newest, exhaustive) = ranked_keys(&app, "kettle", false, 2).await;
    assert_eq!(newest, ["kettle-28", "kettle-29", "kettle-30"]);
    assert!(!exhaustive);
    // Asked for every match, it ranks all thirty: the oldest matches best.
    let (all, exhaustive) = ranked_keys(&app, "kettle", true, 7).await;
    let expected: Vec<String> = (1..=30).map(|n| format!("kettle-{n}")).collect();
    assert_eq!(all, expected);
    assert!(exhaustive);
    // No more matches than it ranks: every match, and it says so.
    let (few, exhaustive) = ranked_keys(&app, "kettle 25", false, 10).await;
    assert_eq!(few, ["kettle-25"]);
    assert!(exhaustive);
    // A cursor of the bounded search is refused by the exhaustive one.
    let page = app.data(RANKED, json!({ "q": "kettle", "first": 1 })).await;
    let cursor = page["search"]["pageInfo"]["endCursor"].clone();
    let body = app
        .graphql(RANKED, json!({ "q": "kettle", "first": 1, "after": cursor, "exhaustive": true }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "INVALID_CURSOR");
}

async fn the_newest_matches_are_found_however_far_apart_their_ids_are(backend: Backend) {
    // A server that ranks four matches of a kind, and forty events that name the teapots, more
    // than eight times four, so that PostgreSQL reads the newest through its recency blocks:
    // the four newest are hundreds of thousands of ids apart, the rest far below them.
    let postgres = matches!(backend, Backend::Postgres(_));
    let app = spawn_app_with(backend, |s| s.search_ranked = 4).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let far = [(37, 300_000), (38, 600_000), (39, 950_000), (40, 1_000_000)];
    for n in 1..=40 {
        if let Some((_, id)) = far.iter().find(|(m, _)| *m == n) {
            // The next event's id is `id + 1`.
            app.execute(&if postgres {
                format!("SELECT setval(pg_get_serial_sequence('events', 'id'), {id})")
            } else {
                format!("UPDATE sqlite_sequence SET seq = {id} WHERE name = 'events'")
            })
            .await;
        }
        create_event(&app, &editor, &format!("teapot-{n}"), &format!("Teapot protest {n}")).await;
    }
    let newest = app.rows("SELECT id FROM events ORDER BY id DESC LIMIT 4").await;
    assert_eq!(
        newest,
        json!([{ "id": 1_000_001 }, { "id": 950_001 }, { "id": 600_001 }, { "id": 300_001 }])
    );
    // Equal scores list the newest first: the four newest, and the rest left unranked.
    let (found, exhaustive) = ranked_keys(&app, "teapot", false, 3).await;
    assert_eq!(found, ["teapot-40", "teapot-39", "teapot-38", "teapot-37"]);
    assert!(!exhaustive);
    // The oldest alone is found, however far below the newest.
    let (oldest, exhaustive) = ranked_keys(&app, "teapot 1", false, 3).await;
    assert_eq!(oldest, ["teapot-1"]);
    assert!(exhaustive);
}

async fn the_tables_whose_search_index_is_rebuilt_are_vacuumed(backend: Backend) {
    // The migration that rebuilds the search columns rewrites events and statements on
    // PostgreSQL; SQLite's FTS5 tables are kept by triggers and nothing is rewritten.
    let Backend::Postgres(_) = backend else { return };
    let guard = DatabaseGuard::create(&backend).await;
    let database = annals::db::Database::connect(&guard.url).await.expect("connects");
    database.migrate().await.expect("migrations run");
    let vacuumed = sea_orm::ConnectionTrait::query_one_raw(
        &database.conn,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_user_tables WHERE relname IN ('events', \
             'statements') AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL",
        ),
    )
    .await
    .expect("reads the statistics")
    .expect("a row")
    .try_get::<i64>("", "n")
    .expect("a count");
    assert_eq!(vacuumed, 2);
}
