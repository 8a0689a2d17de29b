//! Operations: graceful shutdown of the real binary, and surviving a database outage.

use crate::helpers::{spawn_app_with, Backend, Binary, DatabaseGuard};
use crate::on_both_backends;
use annals::domain::Role;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

on_both_backends!(sigterm_finishes_the_request_in_flight_then_closes_the_pool_and_exits);

async fn sigterm_finishes_the_request_in_flight_then_closes_the_pool_and_exits(backend: Backend) {
    let database = DatabaseGuard::create(&backend).await;
    let Binary { mut child, port, log, reader } =
        Binary::start(&database.url, &[("ANNALS_SLOW_REQUEST_MS", "0")]).await;

    // A request whose body is half sent when the signal comes.
    let body = json!({ "query": "query InFlight { sources { totalCount } }" }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;

    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    tokio::time::sleep(Duration::from_millis(1000)).await;

    // No new connection is served any more.
    let late = tokio::time::timeout(Duration::from_secs(2), async {
        let mut late = TcpStream::connect(("127.0.0.1", port)).await?;
        late.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await?;
        let mut buffer = [0u8; 64];
        let read = late.read(&mut buffer).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&buffer[..read]).into_owned())
    })
    .await;
    assert!(
        !matches!(&late, Ok(Ok(answer)) if answer.starts_with("HTTP/1.1 200")),
        "a connection made after SIGTERM was served: {late:?}"
    );

    // The request in flight completes.
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut response))
        .await
        .expect("the response comes")
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains(r#"{"data":{"sources":{"totalCount":7}}}"#), "{response}");

    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the process exits")
        .unwrap();
    assert!(status.success(), "{status}");
    reader.await.unwrap();
    let log = log.lock().unwrap().join("\n");
    let slow = log.lines().find(|line| line.contains("slow GraphQL request")).expect(&log);
    assert!(slow.contains(r#""operation":"InFlight""#), "{slow}");
    let pool_closed = log.find("closing the database pool").expect(&log);
    let shut_down = log.find("shut down").expect(&log);
    assert!(pool_closed < shut_down, "{log}");
}

/// A TCP proxy the test controls, between the service and PostgreSQL.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = {
            let (cut, links) = (Arc::clone(&cut), Arc::clone(&links));
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        // The database is "down": the connection is closed at once.
                        drop(client);
                        continue;
                    }
                    let upstream = upstream.clone();
                    let link = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    links.lock().unwrap().push(link);
                }
            })
        };
        Proxy { port, cut, links, accept }
    }

    /// Cuts every open connection and refuses new ones.
    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

/// One request of the load, as the client saw it.
#[derive(Debug)]
struct Outcome {
    at: Instant,
    took: Duration,
    status: u16,
    codes: Vec<String>,
    body: String,
    /// The key of the source a write created, when the server acknowledged it.
    acknowledged: Option<String>,
}

#[tokio::test]
async fn a_database_outage_fails_fast_with_a_code_and_the_service_recovers_by_itself() {
    let Some(backend) = Backend::postgres() else {
        eprintln!("TEST_DATABASE_URL is not set: skipped");
        return;
    };
    let Backend::Postgres(admin_url) = &backend else {
        unreachable!("postgres() gives PostgreSQL")
    };
    let admin = url::Url::parse(admin_url).unwrap();
    let upstream =
        format!("{}:{}", admin.host_str().unwrap(), admin.port_or_known_default().unwrap());
    let proxy = Proxy::start(upstream).await;
    let port = proxy.port;
    let app = spawn_app_with(backend, move |s| {
        let mut url = url::Url::parse(&s.database_url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(port)).unwrap();
        s.database_url = url.to_string();
        s.db_acquire_timeout_ms = 1_000;
        s.rate_limit = 0;
    })
    .await;
    let app = Arc::new(app);

    let stop = Arc::new(AtomicBool::new(false));
    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let editor = annals::service::keys::create(&app.database.conn, "desk", Role::Editor)
        .await
        .expect("a key")
        .0;
    let read = "{ events(first: 5) { edges { node { title participants { actor { name } } } } } }";
    let write = "mutation($key: String!) { createSource(input: {key: $key, kind: NEWS, publisher: \"Wire\"}) {
        source { key } } }";
    // Four readers and two writers; each write creates a source with a key of its own.
    let load: Vec<_> = (0..6)
        .map(|client| {
            let (app, stop, outcomes, editor) =
                (Arc::clone(&app), Arc::clone(&stop), Arc::clone(&outcomes), editor.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    let at = Instant::now();
                    let mut request = app.client.post(format!("{}/graphql", app.address));
                    let written = if client < 4 {
                        request = request.json(&json!({ "query": read }));
                        None
                    } else {
                        n += 1;
                        let key = format!("wire-{client}-{n}");
                        request = request
                            .bearer_auth(&editor)
                            .json(&json!({ "query": write, "variables": { "key": key } }));
                        Some(key)
                    };
                    let response = request
                        .timeout(Duration::from_secs(20))
                        .send()
                        .await
                        .expect("the server answers every request");
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap();
                    let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    let codes: Vec<String> = json["errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|e| e["extensions"]["code"].as_str().unwrap_or("none").to_owned())
                        .collect();
                    let acknowledged = written.filter(|_| status == 200 && codes.is_empty());
                    outcomes.lock().unwrap().push(Outcome {
                        at,
                        took: at.elapsed(),
                        status,
                        codes,
                        body,
                        acknowledged,
                    });
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    let ready = || async {
        app.client.get(format!("{}/readyz", app.address)).send().await.unwrap().status().as_u16()
    };

    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(ready().await, 200);
    let cut_at = Instant::now();
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(ready().await, 503, "/readyz reports the outage");
    let restored_at = Instant::now();
    proxy.restore();
    let recovered_at = loop {
        let recovered = outcomes
            .lock()
            .unwrap()
            .iter()
            .find(|o| o.at > restored_at && o.status == 200 && o.codes.is_empty())
            .map(|o| o.at + o.took);
        if let Some(at) = recovered {
            break at;
        }
        assert!(restored_at.elapsed() < Duration::from_secs(15), "no recovery within 15 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(ready().await, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.expect("no client task panicked");
    }

    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    let during: Vec<_> =
        outcomes.iter().filter(|o| o.at >= cut_at && o.at + o.took <= restored_at).collect();
    assert!(!during.is_empty(), "requests were made during the outage");
    for outcome in outcomes.iter() {
        // 503 comes from checking an API key while the database is away; never a 500.
        assert!(matches!(outcome.status, 200 | 503), "no 500 from an outage: {outcome:?}");
        for code in &outcome.codes {
            assert_eq!(code, "SERVICE_UNAVAILABLE", "{outcome:?}");
        }
        for leak in ["sqlx", "Connection", "connection refused", "io error", "postgres", "5432"] {
            assert!(!outcome.body.contains(leak), "{leak} leaked: {}", outcome.body);
        }
    }
    for outcome in &during {
        assert!(outcome.codes.contains(&"SERVICE_UNAVAILABLE".to_owned()), "{outcome:?}");
        assert!(outcome.took < Duration::from_secs(3), "fails fast: {outcome:?}");
    }
    let before = outcomes.iter().filter(|o| o.at + o.took < cut_at && o.codes.is_empty()).count();
    let after = outcomes.iter().filter(|o| o.at > recovered_at && o.codes.is_empty()).count();
    assert!(before > 0 && after > 0, "{before} answered before the outage, {after} after");
    // Every write the server acknowledged is in the database.
    let acknowledged: Vec<&String> =
        outcomes.iter().filter_map(|o| o.acknowledged.as_ref()).collect();
    assert!(!acknowledged.is_empty());
    let stored = app
        .database
        .conn
        .query_all_raw(sea_orm::Statement::from_string(
            app.database.conn.get_database_backend(),
            "SELECT key FROM sources WHERE key LIKE 'wire-%'",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get::<String>("", "key").unwrap())
        .collect::<std::collections::HashSet<_>>();
    for key in &acknowledged {
        assert!(stored.contains(*key), "the acknowledged write {key} was lost");
    }
    eprintln!(
        "outage: {} requests during it, {} writes acknowledged (all kept), recovery {:?} after the database returned",
        during.len(),
        acknowledged.len(),
        recovered_at - restored_at
    );
}
