//! Subscriptions over WebSocket: `changes` replays what a client missed, then delivers each
//! commit once, in order, across reconnections, to subscribers of any instance.

use crate::helpers::{spawn_app, Backend, Binary, Client, TestApp};
use crate::on_both_backends;
use annals::domain::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

on_both_backends!(
    a_subscriber_replays_what_it_missed_then_receives_each_commit_once,
    without_anonymous_reading_the_key_comes_in_connection_init,
    subscriptions_follow_one_event_or_some_types,
    bad_subscriptions_are_clear_errors,
    both_websocket_protocols_are_spoken,
    connections_per_client_and_subscriptions_per_connection_are_bounded,
    a_commit_costs_the_same_reads_for_one_subscriber_and_for_twenty,
    a_connection_with_nothing_running_is_closed_after_the_idle_timeout,
    revoking_the_key_ends_its_subscriptions,
    a_stopping_server_ends_subscriptions_with_a_code_then_closes_their_sockets,
);

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Upgrades `/graphql` at `address` to a WebSocket speaking `protocol`, with `header_key` in
/// the upgrade's `Authorization` header, if any.
async fn upgrade(
    address: &str,
    protocol: &str,
    header_key: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}/graphql", address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    if let Some(key) = header_key {
        request.headers_mut().insert("Authorization", format!("Bearer {key}").parse().unwrap());
    }
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// A WebSocket client speaking `protocol`, past `connection_init` (with `key`, if any).
pub(crate) async fn connect(address: &str, protocol: &str, key: Option<&str>) -> Socket {
    let mut socket = upgrade(address, protocol, None).await.expect("it upgrades");
    let payload = key.map_or(json!({}), |key| json!({ "Authorization": format!("Bearer {key}") }));
    send(&mut socket, json!({ "type": "connection_init", "payload": payload })).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    socket
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    socket.send(Message::Text(message.to_string().into())).await.expect("sent");
}

/// The next protocol message, skipping pings; fails after 30 s.
pub(crate) async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("the socket is open")
            .expect("a message");
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if matches!(value["type"].as_str(), Some("ping" | "ka")) {
                    continue;
                }
                return value;
            }
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

pub(crate) const CHANGES: &str = "subscription($after: String, $types: [NodeType!], $eventId: ID) {
    changes(after: $after, types: $types, eventId: $eventId) {
        cursor sequence live
        revision { nodeType operation author changes { field after } }
        node { id ... on Event { title } } } }";

pub(crate) async fn subscribe(socket: &mut Socket, id: &str, variables: Value) {
    let message = json!({ "id": id, "type": "subscribe",
        "payload": { "query": CHANGES, "variables": variables } });
    send(socket, message).await;
}

/// The next change delivered on `socket`.
async fn next_change(socket: &mut Socket) -> Value {
    let message = receive(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message["payload"]["data"]["changes"].clone()
}

/// Renames event `id` to `title` through the API at `address`.
async fn rename(address: &str, key: &str, id: &str, title: &str) {
    let update =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } } }";
    let body: Value = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .bearer_auth(key)
        .json(&json!({ "query": update, "variables": { "input": { "id": id, "title": title } } }))
        .send()
        .await
        .expect("the write is sent")
        .json()
        .await
        .expect("a JSON answer");
    assert!(body.get("errors").is_none(), "{body}");
}

async fn feed_cursors(app: &TestApp) -> Vec<(String, i64)> {
    let data =
        app.data("{ changes(first: 100) { edges { cursor node { sequence } } } }", json!({})).await;
    data["changes"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["cursor"].as_str().unwrap().to_owned(), e["node"]["sequence"].as_i64().unwrap())
        })
        .collect()
}

async fn a_subscriber_replays_what_it_missed_then_receives_each_commit_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    rename(&app.address, &editor, &event, "Riots in Almaty (1)").await;
    rename(&app.address, &editor, &event, "Riots in Almaty (2)").await;
    let feed = feed_cursors(&app).await;
    assert!(feed.len() >= 3, "{feed:?}");
    let (after, _) = &feed[feed.len() - 3];

    // Two changes were committed after that cursor: replayed, in order, not live.
    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&editor)).await;
    subscribe(&mut socket, "1", json!({ "after": after })).await;
    let mut sequences = Vec::new();
    for expected in &feed[feed.len() - 2..] {
        let change = next_change(&mut socket).await;
        assert_eq!(change["sequence"], expected.1);
        assert_eq!(change["cursor"], expected.0.as_str());
        assert_eq!(change["live"], false);
        sequences.push(change["sequence"].as_i64().unwrap());
    }
    // Then each new commit, live, with the node as it is now.
    for n in 3..6 {
        let title = format!("Riots in Almaty ({n})");
        rename(&app.address, &editor, &event, &title).await;
        let change = next_change(&mut socket).await;
        assert_eq!(change["live"], true);
        assert_eq!(change["revision"]["operation"], "UPDATE");
        assert_eq!(change["revision"]["author"], "newsroom");
        assert_eq!(change["node"]["title"], title.as_str());
        sequences.push(change["sequence"].as_i64().unwrap());
    }
    assert!(sequences.windows(2).all(|w| w[0] < w[1]), "{sequences:?}");

    // Reconnecting with the last cursor received: what was committed meanwhile, once.
    let last = feed_cursors(&app).await.last().unwrap().0.clone();
    drop(socket);
    rename(&app.address, &editor, &event, "Riots in Almaty (6)").await;
    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&editor)).await;
    subscribe(&mut socket, "2", json!({ "after": last })).await;
    let change = next_change(&mut socket).await;
    assert_eq!(
        (change["live"].clone(), change["node"]["title"].clone()),
        (json!(false), json!("Riots in Almaty (6)"))
    );
    rename(&app.address, &editor, &event, "Riots in Almaty (7)").await;
    let change = next_change(&mut socket).await;
    assert_eq!(
        (change["live"].clone(), change["node"]["title"].clone()),
        (json!(true), json!("Riots in Almaty (7)"))
    );

    // Completing the subscription stops it; the connection stays.
    send(&mut socket, json!({ "id": "2", "type": "complete" })).await;
    send(
        &mut socket,
        json!({ "id": "3", "type": "subscribe",
        "payload": { "query": "{ events(first: 1) { totalCount } }" } }),
    )
    .await;
    let mut answer = receive(&mut socket).await;
    // The server may confirm the completion first.
    if answer["id"] == "2" {
        assert_eq!(answer["type"], "complete", "{answer}");
        answer = receive(&mut socket).await;
    }
    assert_eq!(answer["id"], "3", "{answer}");
    assert!(answer["payload"]["data"]["events"]["totalCount"].as_i64().unwrap() > 0);
}

async fn subscriptions_follow_one_event_or_some_types(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let riots = app.id_of("events", "almaty-riots").await;
    let other = app.data("{ events(first: 100) { nodes { id key } } }", json!({})).await["events"]
        ["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] != "almaty-riots")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&editor)).await;
    subscribe(&mut socket, "event", json!({ "eventId": riots })).await;
    let mut reports = connect(&app.address, "graphql-transport-ws", Some(&editor)).await;
    subscribe(&mut reports, "reports", json!({ "types": ["CASUALTY_REPORT"] })).await;
    // Give both subscriptions a moment to start before the writes they should see.
    tokio::time::sleep(Duration::from_millis(300)).await;

    rename(&app.address, &editor, &other, "Another event, renamed").await;
    let create = "mutation($input: CreateCasualtyReportInput!) {
        createCasualtyReport(input: $input) { casualtyReport { id } } }";
    let source = app.id_of("sources", "nyt-kazakhstan-toll").await;
    let input = json!({ "eventId": riots, "category": "INJURED", "low": 12,
        "citations": [{ "sourceId": source }] });
    let body = app.graphql_as(Some(&editor), create, json!({ "input": input })).await;
    assert!(body.get("errors").is_none(), "{body}");

    // The other event's change is not delivered to either; the report reaches both.
    let about_riots = next_change(&mut socket).await;
    assert_eq!(about_riots["revision"]["nodeType"], "CASUALTY_REPORT", "{about_riots}");
    let report = next_change(&mut reports).await;
    assert_eq!(report["sequence"], about_riots["sequence"]);
}

async fn bad_subscriptions_are_clear_errors(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut socket = connect(&app.address, "graphql-transport-ws", None).await;
    let cases = [
        (json!({ "after": "not-a-cursor" }), "INVALID_CURSOR"),
        (json!({ "eventId": "nope" }), "INVALID_ID"),
        (json!({ "types": ["PLANET"] }), "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (i, (variables, code)) in cases.into_iter().enumerate() {
        subscribe(&mut socket, &i.to_string(), variables.clone()).await;
        let mut message = receive(&mut socket).await;
        // The server completes each refused subscription after its error.
        while message["type"] == "complete" {
            message = receive(&mut socket).await;
        }
        let errors = match message["type"].as_str() {
            Some("error") => message["payload"].clone(),
            _ => message["payload"]["errors"].clone(),
        };
        assert_eq!(errors[0]["extensions"]["code"], code, "{variables}: {message}");
    }
    // A wrong key in connection_init is refused.
    let mut socket = upgrade(&app.address, "graphql-transport-ws", None).await.unwrap();
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope" } }),
    )
    .await;
    let closed = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap();
    match closed {
        // async-graphql closes a refused connection_init as a protocol error, with the
        // reason.
        Some(Ok(Message::Close(Some(frame)))) => {
            assert_eq!(u16::from(frame.code), 1002);
            assert!(frame.reason.contains("key"), "{}", frame.reason);
        }
        other => panic!("the connection is closed, not {other:?}"),
    }
}

async fn without_anonymous_reading_the_key_comes_in_connection_init(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.anonymous_read = false).await;
    let reader = app.key("reader", Role::Reader).await;
    // A browser cannot set headers on a WebSocket: the upgrade goes through without a key,
    // and the key in connection_init is what lets it subscribe.
    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&reader)).await;
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe",
        "payload": { "query": "{ events(first: 1) { totalCount } }" } }),
    )
    .await;
    let answer = receive(&mut socket).await;
    assert!(answer["payload"]["data"]["events"]["totalCount"].as_i64().unwrap() > 0, "{answer}");

    let mut socket = upgrade(&app.address, "graphql-transport-ws", None).await.unwrap();
    send(&mut socket, json!({ "type": "connection_init", "payload": {} })).await;
    match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.unwrap() {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert!(frame.reason.contains("API key"), "{}", frame.reason);
        }
        other => panic!("the connection is closed, not {other:?}"),
    }
}

async fn both_websocket_protocols_are_spoken(backend: Backend) {
    let app = spawn_app(backend).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    // The legacy protocol: `start` and `data` instead of `subscribe` and `next`.
    let mut legacy = connect(&app.address, "graphql-ws", None).await;
    send(&mut legacy, json!({ "id": "1", "type": "start", "payload": { "query": CHANGES } })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    rename(&app.address, &editor, &event, "Riots in Almaty, legacy").await;
    let message = receive(&mut legacy).await;
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["payload"]["data"]["changes"]["node"]["title"], "Riots in Almaty, legacy");
}

/// Two processes on one PostgreSQL database: a subscriber of the test's instance receives,
/// in order and once each, the writes made through another instance (the real binary), and
/// keeps receiving them after its listening connection is killed.
#[tokio::test]
async fn subscribers_of_one_instance_receive_the_writes_of_another() {
    let Some(postgres) = Backend::postgres() else {
        return eprintln!("TEST_DATABASE_URL is not set: the two-instance test skipped");
    };
    let app = spawn_app(postgres).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    let binary = Binary::start(&app.database_url, &[("ANNALS_RATE_LIMIT", "0")]).await;
    let other = format!("http://127.0.0.1:{}", binary.port);

    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&editor)).await;
    subscribe(&mut socket, "1", json!({ "types": ["EVENT"] })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Through NOTIFY each arrives at once; the follower's own look every 5 s would take
    // seconds per write.
    let started = Instant::now();
    let mut last = 0;
    for n in 0..10 {
        let title = format!("Written through the other instance ({n})");
        rename(&other, &editor, &event, &title).await;
        let change = next_change(&mut socket).await;
        assert_eq!(change["node"]["title"], title.as_str());
        let sequence = change["sequence"].as_i64().unwrap();
        assert!(sequence > last);
        last = sequence;
    }
    assert!(started.elapsed() < Duration::from_secs(10), "{:?} for 10 writes", started.elapsed());

    // The listening connection killed: what is committed meanwhile still arrives, once.
    let killed = app
        .number(
            "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND query ILIKE 'LISTEN%'",
        )
        .await;
    assert!(killed >= 1, "the listeners were found: {killed}");
    for n in 0..3 {
        let title = format!("After the listener was killed ({n})");
        rename(&other, &editor, &event, &title).await;
        let change = next_change(&mut socket).await;
        assert_eq!(change["node"]["title"], title.as_str());
        assert_eq!(change["sequence"].as_i64().unwrap(), last + 1 + n);
    }
}

async fn connections_per_client_and_subscriptions_per_connection_are_bounded(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.max_sockets_per_client = 2;
        s.max_subscriptions_per_socket = 2;
    })
    .await;
    let editor = app.key("newsroom", Role::Editor).await;
    let protocol = "graphql-transport-ws";
    // A connection belongs to the key its upgrade carries, else to its address.
    let mut first =
        upgrade(&app.address, protocol, Some(&editor)).await.expect("the key's connection");
    send(&mut first, json!({ "type": "connection_init", "payload": {} })).await;
    assert_eq!(receive(&mut first).await["type"], "connection_ack");
    let second = connect(&app.address, "graphql-transport-ws", None).await;
    let _third =
        upgrade(&app.address, protocol, None).await.expect("a second connection from the address");
    match upgrade(&app.address, protocol, None).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 429);
            let body = String::from_utf8(response.body().clone().unwrap_or_default()).unwrap();
            assert!(body.contains("TOO_MANY_SUBSCRIPTIONS"), "{body}");
        }
        other => panic!("a third connection is refused, not {other:?}"),
    }
    drop(second);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _again = upgrade(&app.address, protocol, None)
        .await
        .expect("a connection closed gives its place back");

    subscribe(&mut first, "a", json!({})).await;
    subscribe(&mut first, "b", json!({})).await;
    subscribe(&mut first, "c", json!({})).await;
    let refused = receive(&mut first).await;
    assert_eq!(refused["id"], "c", "{refused}");
    assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS");
    // Completing one makes room for another, which then receives the next write.
    send(&mut first, json!({ "id": "a", "type": "complete" })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    subscribe(&mut first, "d", json!({ "types": ["EVENT"] })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let event = app.id_of("events", "almaty-riots").await;
    rename(&app.address, &editor, &event, "Riots in Almaty, bounded").await;
    let mut ids = Vec::new();
    while ids.len() < 2 {
        let message = receive(&mut first).await;
        if message["type"] == "next" {
            ids.push(message["id"].as_str().unwrap().to_owned());
        }
    }
    ids.sort();
    assert_eq!(ids, ["b", "d"]);
    let metrics = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    for expected in [
        "annals_websocket_open{kind=\"connections\"} 3",
        "annals_websocket_open{kind=\"operations\"} 2",
    ] {
        assert!(metrics.contains(expected), "{expected} in {metrics}");
    }
}

/// Each commit is read once per process, and the node each subscriber selects is loaded in
/// one batch for all of them: twenty subscribers cost the statements one does.
async fn a_commit_costs_the_same_reads_for_one_subscriber_and_for_twenty(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.max_sockets_per_client = 50).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let event = app.id_of("events", "almaty-riots").await;
    let mut costs = Vec::new();
    for (round, n) in [1usize, 20].into_iter().enumerate() {
        let mut sockets = Vec::new();
        for _ in 0..n {
            let mut socket = connect(&app.address, "graphql-transport-ws", None).await;
            subscribe(&mut socket, "1", json!({ "types": ["EVENT"] })).await;
            sockets.push(socket);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        // A first write makes every subscription live; the second is measured.
        for write in 0..2 {
            let title = format!("Round {round}, write {write}");
            let before = app.statements();
            rename(&app.address, &editor, &event, &title).await;
            for socket in &mut sockets {
                assert_eq!(next_change(socket).await["node"]["title"], title.as_str());
            }
            if write == 1 {
                costs.push(app.statements() - before);
            }
        }
    }
    eprintln!("statements per commit: {costs:?} for 1 and 20 subscribers");
    assert!(costs[1] <= costs[0] + 2, "{costs:?}");
}

async fn a_connection_with_nothing_running_is_closed_after_the_idle_timeout(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| s.socket_idle_timeout_secs = 1).await;
    let editor = app.key("newsroom", Role::Editor).await;
    let mut idle = connect(&app.address, "graphql-transport-ws", None).await;
    let mut busy = connect(&app.address, "graphql-transport-ws", None).await;
    subscribe(&mut busy, "1", json!({ "types": ["EVENT"] })).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The idle one is gone: closed, or its stream ended.
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match idle.next().await {
                None | Some(Ok(Message::Close(_))) | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the idle connection is closed");
    // The one with a subscription still receives.
    let event = app.id_of("events", "almaty-riots").await;
    rename(&app.address, &editor, &event, "Riots in Almaty, still open").await;
    assert_eq!(next_change(&mut busy).await["node"]["title"], "Riots in Almaty, still open");
}

async fn revoking_the_key_ends_its_subscriptions(backend: Backend) {
    let app = spawn_app(backend).await;
    let reader = app.key("watcher", Role::Reader).await;
    let admin = app.key("admin", Role::Admin).await;
    let mut socket = connect(&app.address, "graphql-transport-ws", Some(&reader)).await;
    subscribe(&mut socket, "1", json!({})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let revoke = "mutation { revokeApiKey(input: { name: \"watcher\" }) { apiKey { name } } }";
    let body = app.graphql_as(Some(&admin), revoke, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let message = receive(&mut socket).await;
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{message}"
    );
}

async fn a_stopping_server_ends_subscriptions_with_a_code_then_closes_their_sockets(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let mut binary = Binary::start(&app.database_url, &[]).await;
    let mut sockets = Vec::new();
    for protocol in ["graphql-transport-ws", "graphql-ws"] {
        let mut socket = connect(&binary.address(), protocol, None).await;
        let start = if protocol == "graphql-ws" { "start" } else { "subscribe" };
        let message = json!({ "id": "1", "type": start, "payload": { "query": CHANGES } });
        send(&mut socket, message).await;
        sockets.push(socket);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = binary.child.id().expect("running");
    let status = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
    assert!(status.unwrap().success());
    for socket in &mut sockets {
        // The subscription's last word is the code, then it is complete, then the socket ends.
        let ended = receive(socket).await;
        assert!(matches!(ended["type"].as_str(), Some("next" | "data")), "{ended}");
        assert_eq!(ended["payload"]["errors"][0]["extensions"]["code"], "SHUTTING_DOWN", "{ended}");
        assert_eq!(
            receive_or_close(socket).await.map(|m| m["type"].clone()),
            Some(json!("complete"))
        );
        assert_eq!(receive_or_close(socket).await, None, "the connection is closed");
    }
    let exited = tokio::time::timeout(Duration::from_secs(10), binary.child.wait()).await;
    assert!(exited.expect("it stops within 10 s").unwrap().success());
}

/// The next protocol message, or `None` once the connection is closed.
pub(crate) async fn receive_or_close(socket: &mut Socket) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message or the end within 10 s");
        match message {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if !matches!(value["type"].as_str(), Some("ping" | "ka")) {
                    return Some(value);
                }
            }
            Some(Ok(_)) => {}
        }
    }
}
