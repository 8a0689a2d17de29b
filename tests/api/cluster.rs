//! Annals as it is deployed: a PostgreSQL primary and a streaming replica, two instances and
//! nginx in front, all started on this machine by `deploy/local-cluster` (which leaves the
//! machine's own PostgreSQL alone). Runs when `ANNALS_TEST_CLUSTER=1` (CI sets it; it needs
//! PostgreSQL's programs and nginx).

use crate::live::{connect, receive, receive_or_close, send, Socket, CHANGES};
use annals::domain::Role;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A running cluster, taken down when dropped.
struct Cluster {
    dir: PathBuf,
    urls: HashMap<String, String>,
    primary: DatabaseConnection,
    replica: DatabaseConnection,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/local-cluster")
}

impl Cluster {
    async fn up() -> Cluster {
        let dir = std::env::temp_dir().join(format!("annals-cluster-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The PostgreSQL programs run as `postgres` when the tests run as root.
        let status = std::process::Command::new("chmod").arg("755").arg(&dir).status().unwrap();
        assert!(status.success());
        let output = tokio::process::Command::new(script())
            .arg("up")
            .arg(&dir)
            .env("ANNALS_BIN", env!("CARGO_BIN_EXE_annals"))
            .env("CLUSTER_BASE_PORT", "26400")
            .env("ANNALS_RATE_LIMIT", "0")
            .env("ANNALS_WORKERS", "2")
            .env("ANNALS_REPLICA_CHECK_MS", "50")
            .env("ANNALS_REPLICA_MAX_LAG_MS", "1000")
            .env("ANNALS_LOG", "info")
            .output()
            .await
            .expect("deploy/local-cluster runs");
        let cluster_env = std::fs::read_to_string(dir.join("cluster.env")).unwrap_or_default();
        let urls: HashMap<String, String> = cluster_env
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.trim_matches('\'').to_owned()))
            .collect();
        if !output.status.success() || urls.len() < 5 {
            let _ = std::process::Command::new(script()).arg("down").arg(&dir).status();
            panic!(
                "the cluster did not come up:\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let primary = sea_orm::Database::connect(&urls["PRIMARY_URL"]).await.unwrap();
        let replica = sea_orm::Database::connect(&urls["REPLICA_URL"]).await.unwrap();
        Cluster { dir, urls, primary, replica }
    }

    fn url(&self, name: &str) -> &str {
        &self.urls[name]
    }

    /// Runs `deploy/local-cluster ARGS…` on this cluster.
    async fn run(&self, command: &str, args: &[&str]) {
        let output = tokio::process::Command::new(script())
            .arg(command)
            .arg(&self.dir)
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{command} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Waits until instance `address` reports its replica in rotation (or, with `false`,
    /// out of it), and returns the reason it gave.
    async fn replica_in_rotation(&self, address: &str, wanted: bool) -> Value {
        let started = Instant::now();
        loop {
            if let Ok(response) = reqwest::get(format!("{address}/readyz")).await {
                if let Ok(body) = response.json::<Value>().await {
                    if body["replicas"][0]["inRotation"] == wanted {
                        return body["replicas"][0].clone();
                    }
                }
            }
            assert!(started.elapsed() < Duration::from_secs(60), "{address}: never {wanted}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new(script()).arg("down").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// POSTs `query` with `variables` to `address`, with `key` and a consistency `token` if
/// given; returns the body and the token the response gave.
async fn post(
    address: &str,
    key: Option<&str>,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> (Value, Option<String>) {
    let mut request = reqwest::Client::new()
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(token) = token {
        request = request.header("annals-consistency-token", token);
    }
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), 200);
    let token = response
        .headers()
        .get("annals-consistency-token")
        .map(|value| value.to_str().unwrap().to_owned());
    (response.json().await.expect("JSON"), token)
}

const RENAME: &str =
    "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { title } } }";
const TITLE: &str = "query($id: ID!) { node(id: $id) { ... on Event { title } } }";

async fn rename(address: &str, key: &str, id: &str, title: &str) -> String {
    let (body, token) =
        post(address, Some(key), None, RENAME, json!({ "input": { "id": id, "title": title } }))
            .await;
    assert!(body.get("errors").is_none(), "{body}");
    token.expect("a mutation gives a consistency token")
}

async fn title(address: &str, token: Option<&str>, id: &str) -> String {
    let (body, _) = post(address, None, token, TITLE, json!({ "id": id })).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["node"]["title"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_primary_a_replica_two_instances_and_nginx() {
    if std::env::var("ANNALS_TEST_CLUSTER").as_deref() != Ok("1") {
        return eprintln!("ANNALS_TEST_CLUSTER is not 1: the cluster test skipped");
    }
    let cluster = Cluster::up().await;
    let (a, b) =
        (cluster.url("INSTANCE_1_URL").to_owned(), cluster.url("INSTANCE_2_URL").to_owned());
    let key =
        annals::service::keys::create(&cluster.primary, "cluster", Role::Editor).await.unwrap().0;
    let (body, _) = post(&a, None, None, "{ events(first: 1) { nodes { id } } }", json!({})).await;
    let event = body["data"]["events"]["nodes"][0]["id"].as_str().expect("an event").to_owned();
    for instance in [&a, &b] {
        cluster.replica_in_rotation(instance, true).await;
    }

    reads_follow_the_replica_unless_a_token_asks_for_more(&cluster, &a, &b, &key, &event).await;
    a_stopped_replica_costs_no_request(&cluster, &key, &event).await;
    a_subscriber_receives_every_write_of_the_other_instance_once_in_order(
        &cluster, &a, &b, &key, &event,
    )
    .await;
}

/// With the replica's replay paused, a write through B is invisible to a plain read on A
/// (the replica answered it) and visible to a read carrying the write's token (the primary
/// answered it); once the replica is too far behind it leaves the rotation, and returns
/// when it catches up.
async fn reads_follow_the_replica_unless_a_token_asks_for_more(
    cluster: &Cluster,
    a: &str,
    b: &str,
    key: &str,
    event: &str,
) {
    rename(b, key, event, "Before the pause").await;
    let started = Instant::now();
    while title(a, None, event).await != "Before the pause" {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the replica never replayed the write"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    cluster.replica.execute_unprepared("SELECT pg_wal_replay_pause()").await.unwrap();
    let token = rename(b, key, event, "Written while the replica was paused").await;
    assert_eq!(title(a, None, event).await, "Before the pause", "a plain read is the replica's");
    assert_eq!(title(a, Some(&token), event).await, "Written while the replica was paused");
    let metrics = reqwest::get(format!("{a}/metrics")).await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("annals_reads_total{target=\"primary_token_not_replayed\"}"),
        "{metrics}"
    );

    let out = cluster.replica_in_rotation(a, false).await;
    assert_eq!(out["reason"], "lagging", "{out}");
    assert_eq!(title(a, None, event).await, "Written while the replica was paused");

    cluster.replica.execute_unprepared("SELECT pg_wal_replay_resume()").await.unwrap();
    cluster.replica_in_rotation(a, true).await;
    let before = replica_reads(a).await;
    assert_eq!(title(a, None, event).await, "Written while the replica was paused");
    assert!(replica_reads(a).await > before, "the replica answers again");
}

/// `annals_reads_total{target="replica"}` of an instance.
async fn replica_reads(address: &str) -> u64 {
    let metrics = reqwest::get(format!("{address}/metrics")).await.unwrap().text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("annals_reads_total{target=\"replica\"} "))
        .map_or(0, |n| n.parse().unwrap())
}

/// Readers through nginx keep reading while the replica stops and starts again: every read
/// is answered.
async fn a_stopped_replica_costs_no_request(cluster: &Cluster, key: &str, event: &str) {
    let nginx = cluster.url("NGINX_URL").to_owned();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (nginx, stop, event) = (nginx.clone(), stop.clone(), event.to_owned());
            tokio::spawn(async move {
                let mut answered = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let (body, _) = post(&nginx, None, None, TITLE, json!({ "id": event })).await;
                    assert!(body.get("errors").is_none(), "a read failed: {body}");
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.run("replica", &["stop"]).await;
    for instance in ["INSTANCE_1_URL", "INSTANCE_2_URL"] {
        let out = cluster.replica_in_rotation(cluster.url(instance), false).await;
        assert_eq!(out["reason"], "unreachable", "{out}");
    }
    // Writes go on while the replica is away, and it catches up when it is back.
    let token = rename(&nginx, key, event, "Written while the replica was stopped").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.run("replica", &["start"]).await;
    for instance in ["INSTANCE_1_URL", "INSTANCE_2_URL"] {
        cluster.replica_in_rotation(cluster.url(instance), true).await;
    }
    assert_eq!(title(&nginx, Some(&token), event).await, "Written while the replica was stopped");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut answered = 0;
    for reader in readers {
        answered += reader.await.expect("no read failed");
    }
    assert!(answered > 20, "{answered} reads");
}

/// A subscriber on A receives, in order and once each, 1,000 writes made through B, while
/// A's listening connection is killed and A itself restarts (the subscriber resumes from
/// the last cursor it saw).
async fn a_subscriber_receives_every_write_of_the_other_instance_once_in_order(
    cluster: &Cluster,
    a: &str,
    b: &str,
    key: &str,
    event: &str,
) {
    const WRITES: usize = 1_000;
    let subscribe = |after: Option<String>| {
        json!({ "id": "1", "type": "subscribe",
                "payload": { "query": CHANGES, "variables": { "after": after, "types": ["EVENT"] } } })
    };
    let mut socket: Socket = connect(a, "graphql-transport-ws", None).await;
    send(&mut socket, subscribe(None)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let writer = {
        let (b, key, event) = (b.to_owned(), key.to_owned(), event.to_owned());
        tokio::spawn(async move {
            for n in 0..WRITES {
                rename(&b, &key, &event, &format!("write {n}")).await;
            }
        })
    };
    let mut received: Vec<(i64, String)> = Vec::new();
    let mut last_cursor: Option<String> = None;
    let (mut killed, mut restarted) = (false, false);
    while received.len() < WRITES {
        let message = receive_or_close(&mut socket).await;
        let change = match message {
            Some(message)
                if message["type"] == "next" && message["payload"]["errors"].is_null() =>
            {
                message["payload"]["data"]["changes"].clone()
            }
            // Restarting, A ends the subscription with SHUTTING_DOWN, then closes: resume on A
            // once it is back, after the last cursor.
            ended => {
                if let Some(message) = &ended {
                    let code = &message["payload"]["errors"][0]["extensions"]["code"];
                    assert!(message["type"] == "complete" || code == "SHUTTING_DOWN", "{message}");
                }
                if ended.is_some_and(|m| m["type"] != "complete") {
                    continue;
                }
                cluster.replica_in_rotation(a, true).await;
                socket = connect(a, "graphql-transport-ws", None).await;
                send(&mut socket, subscribe(last_cursor.clone())).await;
                continue;
            }
        };
        // The node is as it is now, which during a replay is a later write's; the revision
        // says what this change wrote.
        let title = change["revision"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["field"] == "title")
            .and_then(|c| c["after"].as_str())
            .expect("a title change")
            .to_owned();
        received.push((change["sequence"].as_i64().unwrap(), title));
        last_cursor = Some(change["cursor"].as_str().unwrap().to_owned());
        if received.len() == WRITES / 3 && !killed {
            let n = cluster
                .primary
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                     WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()",
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap();
            assert!(n >= 2, "both instances' listeners were killed: {n}");
            killed = true;
        }
        if received.len() == 2 * WRITES / 3 && !restarted {
            cluster.run("instance", &["1", "restart"]).await;
            restarted = true;
        }
    }
    writer.await.expect("every write succeeded");
    assert!(killed && restarted);
    for (n, (_, title)) in received.iter().enumerate() {
        assert_eq!(title, &format!("write {n}"), "change {n} of {WRITES}");
    }
    for pair in received.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 1, "gap-free, in order, once: {pair:?}");
    }
    // Nothing more arrives.
    let extra = tokio::time::timeout(Duration::from_millis(500), receive(&mut socket)).await;
    assert!(extra.is_err(), "nothing after the last write: {extra:?}");
}
