//! `annals bench --subscribers N`: N WebSocket subscribers of one event's changes on the
//! running server, then writes to that event one after another; for each write, the delay from
//! its commit (the mutation's response) to the last subscriber receiving it, and the server's
//! resident memory per subscriber. Run the server with `--max-sockets-per-client` and
//! `--rate-limit 0` set for that many connections from one address.

use super::server::Server;
use crate::config::{BenchArgs, Settings};
use crate::db::Database;
use crate::domain::{NodeType, Role};
use anyhow::Context as _;
use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

/// The server's resident memory now.
const RESIDENT: &str = r#"annals_process_memory_bytes{kind="resident"}"#;

/// Runs the subscriber benchmark and prints its table.
///
/// # Errors
/// When the database or the server cannot be reached, a connection is refused, or a
/// subscriber does not receive a write within 30 seconds.
pub async fn run(settings: &Settings, args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.subscribers;
    let database = Database::connect(&settings.database_url)
        .await
        .with_context(|| format!("cannot connect to {}", settings.database_url_masked()))?;
    let db = &database.conn;
    let (key, _) = crate::service::keys::create(db, "bench-subscribers", Role::Editor).await?;
    let sql = "SELECT MIN(id) AS id FROM events WHERE archived_at IS NULL";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("no event to write to")?;
    let event: i32 = row.try_get("", "id")?;
    let event = crate::graphql::id::encode(NodeType::Event, event).0;
    let server = Server::new(&args.url)?;
    let resident = |metrics: std::collections::HashMap<String, f64>| {
        metrics.get(RESIDENT).copied().unwrap_or(0.0)
    };
    let before = resident(server.metrics().await?);

    let (received, mut receipts) = mpsc::unbounded_channel::<Instant>();
    let ws_url = args.url.replacen("http", "ws", 1);
    let document = "subscription($event: ID) { changes(eventId: $event) { sequence } }";
    let mut readers = Vec::with_capacity(n);
    for i in 0..n {
        let mut request = ws_url.as_str().into_client_request()?;
        request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse()?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .with_context(|| format!("subscriber {i} cannot connect"))?;
        let init = json!({ "type": "connection_init", "payload": {} });
        socket.send(Message::Text(init.to_string().into())).await?;
        let subscribe = json!({ "id": "1", "type": "subscribe",
            "payload": { "query": document, "variables": { "event": event } } });
        socket.send(Message::Text(subscribe.to_string().into())).await?;
        let received = received.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Json>(&text) else { continue };
                if value["type"] == "next" && received.send(Instant::now()).is_err() {
                    break;
                }
            }
        }));
    }
    drop(received);
    let client = reqwest::Client::builder().no_proxy().build()?;
    let rename =
        "mutation($input: UpdateEventInput!) { updateEvent(input: $input) { event { id } } }";
    let mut delays = Vec::new();
    let mut subscribed = before;
    for write in 0..=args.writes {
        let input = json!({ "id": event, "title": format!("Benchmark write {write}") });
        let body = json!({ "query": rename, "variables": { "input": input } });
        let response = client.post(&args.url).bearer_auth(&key).json(&body).send().await?;
        let committed = Instant::now();
        let answer: Json = response.json().await?;
        anyhow::ensure!(answer.get("errors").is_none(), "the write failed: {answer}");
        let mut last = committed;
        for _ in 0..n {
            let at = tokio::time::timeout(Duration::from_secs(30), receipts.recv())
                .await
                .context("a subscriber missed a write for 30 s")?
                .context("every subscriber disconnected")?;
            last = last.max(at);
        }
        // The first write makes sure every subscription is live; it is not measured.
        if write == 0 {
            subscribed = resident(server.metrics().await?);
        } else {
            delays.push(last - committed);
        }
    }
    for reader in readers {
        reader.abort();
    }
    delays.sort();
    let at = |q: f64| {
        let index = ((delays.len() as f64 - 1.0) * q).round() as usize;
        delays.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "annals bench --subscribers {n}: {}, {} writes, one at a time\n",
        args.url, args.writes
    );
    println!("| subscribers | writes | commit → last subscriber p50 ms | p99 ms | max ms | server RSS before MiB | with subscribers MiB | per subscriber KiB |");
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|");
    let mib = |bytes: f64| bytes / 1_048_576.0;
    println!(
        "| {n} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        args.writes,
        at(0.5),
        at(0.99),
        at(1.0),
        mib(before),
        mib(subscribed),
        (subscribed - before) / 1024.0 / n.max(1) as f64
    );
    Ok(())
}
