//! Live changes: each process follows the change feed once and fans every new revision out to
//! its subscribers, so that a commit costs one read per process, not one per subscriber.
//!
//! On PostgreSQL a process learns that something was committed from `NOTIFY annals_changes`,
//! which every write sends in its transaction, so that every instance on the same database
//! (this one included) hears of it when it commits; one connection per process listens.
//! Whatever the listener misses while its connection is down is caught up: the follower reads
//! every revision past the last one it sent, whatever woke it, and it also looks every few
//! seconds. On SQLite the writes of the one process tell the followers of their database
//! ([`Committed`]).
//!
//! A subscriber first replays what it missed from the database, then takes the fan-out,
//! skipping what its replay already gave: it receives every revision after its cursor once,
//! in order. A subscriber that falls further behind than the fan-out holds is dropped with
//! `SLOW_SUBSCRIBER`, so memory never grows with a slow reader.

use super::sql::Sql;
use crate::domain::NodeType;
use crate::error::AppError;
use entity::revision;
use futures_util::Stream;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;

/// The PostgreSQL channel commits are announced on.
pub const CHANNEL: &str = "annals_changes";

/// Revisions a subscriber may be behind the fan-out before it is dropped.
pub const FAN_OUT: usize = 4_096;

/// Most revisions a subscription replays; a cursor further behind is refused, and the client
/// pages through the `changes` query first.
pub const MAX_REPLAY: u64 = 10_000;

/// Revisions read per statement.
const BATCH: u64 = 500;

/// How often the follower looks for revisions nobody told it about.
const POLL: Duration = Duration::from_secs(5);

/// This process's commits to each SQLite database, counted: the database's followers wait for
/// its count to move. PostgreSQL needs none: its `NOTIFY` reaches this process's listener too,
/// and only the followers of that database.
static SQLITE_COMMITS: LazyLock<Mutex<HashMap<PathBuf, watch::Sender<u64>>>> =
    LazyLock::new(Mutex::default);

/// How a write tells the followers in this process of its database that it committed.
#[derive(Clone, Debug)]
pub struct Committed(Option<watch::Sender<u64>>);

impl Committed {
    /// The announcer of commits to `db`.
    pub fn of(db: &DatabaseConnection) -> Committed {
        if db.get_database_backend() != DbBackend::Sqlite {
            return Committed(None);
        }
        let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_owned();
        let mut commits = SQLITE_COMMITS.lock().unwrap_or_else(|e| e.into_inner());
        Committed(Some(commits.entry(file).or_insert_with(|| watch::channel(0).0).clone()))
    }

    /// Tells the followers that something was committed.
    pub fn announce(&self) {
        if let Some(commits) = &self.0 {
            commits.send_modify(|n| *n = n.wrapping_add(1));
        }
    }
}

/// Tells every instance's follower to look: on PostgreSQL a `NOTIFY` on [`CHANNEL`],
/// delivered when `db`'s transaction commits (at once outside one); nothing on SQLite, whose
/// one process hears [`Committed`].
///
/// # Errors
/// `INTERNAL` when the database fails.
pub async fn notify(db: &impl ConnectionTrait) -> Result<(), AppError> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// One revision as fanned out: the revision, and the event it is about (the event itself, or
/// the event of a casualty report or statement), for subscribers that follow one event.
#[derive(Debug)]
pub struct Change {
    /// The revision.
    pub revision: revision::Model,
    /// The event it concerns, if any.
    pub event_id: Option<i32>,
}

/// The fan-out of one process, and the tasks that feed it; dropping it stops them, which ends
/// every subscription.
pub struct Hub {
    sender: broadcast::Sender<Arc<Change>>,
    follower: Arc<Follower>,
    /// The revoked API keys, as the follower last read them.
    revoked: watch::Receiver<Arc<HashSet<i32>>>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the follower and new subscribers share. While nobody subscribes the follower reads
/// nothing; the first subscriber tells it where to resume (its own cursor, which it replays
/// from the database), so that the follower never skips what a subscriber has not replayed.
struct Follower {
    wake: Notify,
    /// The lowest cursor of the subscribers that arrived while the follower was idle.
    resume: Mutex<Option<i32>>,
}

impl Hub {
    /// Starts following the change feed of `db` (and listening on PostgreSQL).
    pub fn start(db: DatabaseConnection) -> Arc<Hub> {
        let (sender, _) = broadcast::channel(FAN_OUT);
        let follower = Arc::new(Follower { wake: Notify::new(), resume: Mutex::new(None) });
        let (revoked_sender, revoked) = watch::channel(Arc::new(HashSet::new()));
        let mut tasks = Vec::new();
        if db.get_database_backend() == DbBackend::Postgres {
            let pool = db.get_postgres_connection_pool().clone();
            tasks.push(tokio::spawn(listen(pool, follower.clone())));
        }
        tasks.push(tokio::spawn(follow(db, sender.clone(), follower.clone(), revoked_sender)));
        Arc::new(Hub { sender, follower, revoked, tasks })
    }

    /// The revisions fanned out from now on. The subscriber then calls
    /// [`Hub::resume_from`] with the cursor it replays from.
    fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.sender.subscribe()
    }

    /// Makes sure the fan-out carries every revision after `after`.
    fn resume_from(&self, after: i32) {
        let mut resume = self.follower.resume.lock().unwrap_or_else(|e| e.into_inner());
        *resume = Some(resume.map_or(after, |r| r.min(after)));
        drop(resume);
        self.follower.wake.notify_one();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Keeps one connection listening on [`CHANNEL`], reconnecting when it drops; wakes the
/// follower on each notification and after each (re)connection, since notifications sent
/// while it was down are lost.
async fn listen(pool: sea_orm::sqlx::PgPool, follower: Arc<Follower>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot open the change listener; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot listen for changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        follower.wake.notify_one();
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => follower.wake.notify_one(),
                // The connection dropped: the next call reconnects and listens again.
                Ok(None) => {
                    tracing::warn!("the change listener's connection dropped; reconnecting");
                    follower.wake.notify_one();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the change listener failed; reconnecting");
                    break;
                }
            }
        }
    }
}

/// Reads every revision past the last one sent, whenever something may have been committed,
/// and sends each to the subscribers; reads nothing while there are none.
async fn follow(
    db: DatabaseConnection,
    sender: broadcast::Sender<Arc<Change>>,
    follower: Arc<Follower>,
    revoked: watch::Sender<Arc<HashSet<i32>>>,
) {
    let mut local = Committed::of(&db).0.map(|commits| commits.subscribe());
    // The last revision sent; `None` while idle.
    let mut sent: Option<i32> = None;
    loop {
        let committed = async {
            match local.as_mut() {
                Some(commits) => {
                    let _ = commits.changed().await;
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = committed => {}
            () = follower.wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
        {
            // Under the lock a subscriber's `resume_from` cannot slip between the check and
            // the reset.
            let mut resume = follower.resume.lock().unwrap_or_else(|e| e.into_inner());
            if sender.receiver_count() == 0 {
                sent = None;
                *resume = None;
                continue;
            }
            if let Some(from) = resume.take() {
                sent = Some(sent.map_or(from, |s| s.min(from)));
            }
        }
        match revoked_keys(&db).await {
            Ok(keys) if keys != **revoked.borrow() => {
                revoked.send_replace(Arc::new(keys));
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "cannot read the revoked keys; retrying"),
        }
        let Some(mut at) = sent else { continue };
        loop {
            match read_after(&db, at, &Scope::default(), BATCH).await {
                Ok(changes) if changes.is_empty() => break,
                Ok(changes) => {
                    for change in changes {
                        at = change.revision.id;
                        // Subscribers that left meanwhile are no error.
                        let _ = sender.send(Arc::new(change));
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot read new revisions; retrying");
                    break;
                }
            }
        }
        sent = Some(at);
    }
}

#[derive(FromQueryResult)]
struct KeyId {
    id: i32,
}

/// The ids of every revoked API key.
async fn revoked_keys(db: &impl ConnectionTrait) -> Result<HashSet<i32>, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT id FROM api_keys WHERE revoked_at IS NOT NULL");
    Ok(KeyId::find_by_statement(sql.build()).all(db).await?.into_iter().map(|k| k.id).collect())
}

#[derive(FromQueryResult)]
struct Latest {
    id: Option<i32>,
}

/// The id of the latest revision; 0 before the first.
async fn latest(db: &impl ConnectionTrait) -> Result<i32, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT MAX(id) AS id FROM revisions");
    let row = Latest::find_by_statement(sql.build()).one(db).await?;
    Ok(row.and_then(|r| r.id).unwrap_or(0))
}

/// Which revisions a subscriber follows.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Of these node types only; all when absent.
    pub types: Option<Vec<NodeType>>,
    /// About this event only: the event, its casualty reports and its statements.
    pub event_id: Option<i32>,
}

impl Scope {
    fn admits(&self, change: &Change) -> bool {
        let typed = self
            .types
            .as_ref()
            .is_none_or(|types| types.iter().any(|t| t.as_str() == change.revision.node_type));
        typed && self.event_id.is_none_or(|id| change.event_id == Some(id))
    }
}

#[derive(FromQueryResult)]
struct Owner {
    id: i32,
    event_id: i32,
}

/// Up to `limit` revisions after `after` that `scope` admits, oldest first, each with the
/// event it concerns.
async fn read_after(
    db: &impl ConnectionTrait,
    after: i32,
    scope: &Scope,
    limit: u64,
) -> Result<Vec<Change>, AppError> {
    let backend = db.get_database_backend();
    let mut sql = Sql::new(backend);
    sql.push("SELECT * FROM revisions r WHERE r.id > ").bind(after);
    if let Some(types) = &scope.types {
        sql.push(" AND ").in_list("r.node_type", types.iter().map(|t| t.as_str()));
    }
    if let Some(event) = scope.event_id {
        sql.push(" AND ((r.node_type = 'EVENT' AND r.node_id = ").bind(event);
        sql.push(") OR (r.node_type = 'CASUALTY_REPORT' AND r.node_id IN ");
        sql.push("(SELECT id FROM casualty_reports WHERE event_id = ").bind(event);
        sql.push(")) OR (r.node_type = 'STATEMENT' AND r.node_id IN ");
        sql.push("(SELECT id FROM statements WHERE event_id = ").bind(event).push(")))");
    }
    sql.push(" ORDER BY r.id LIMIT ").push(&limit.to_string());
    let revisions = revision::Model::find_by_statement(sql.build()).all(db).await?;
    // The event of each report and statement, one statement per table.
    let mut owners: HashMap<(NodeType, i32), i32> = HashMap::new();
    for (node, table) in
        [(NodeType::CasualtyReport, "casualty_reports"), (NodeType::Statement, "statements")]
    {
        let ids: Vec<i32> =
            revisions.iter().filter(|r| r.node_type == node.as_str()).map(|r| r.node_id).collect();
        if ids.is_empty() {
            continue;
        }
        let mut sql = Sql::new(backend);
        sql.push("SELECT id, event_id FROM ").push(table).push(" WHERE ");
        sql.in_list("id", ids);
        for owner in Owner::find_by_statement(sql.build()).all(db).await? {
            owners.insert((node, owner.id), owner.event_id);
        }
    }
    Ok(revisions
        .into_iter()
        .map(|revision| {
            let event_id = match NodeType::from_db(&revision.node_type) {
                Ok(NodeType::Event) => Some(revision.node_id),
                Ok(node) => owners.get(&(node, revision.node_id)).copied(),
                Err(_) => None,
            };
            Change { revision, event_id }
        })
        .collect())
}

/// A revision delivered to a subscriber.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// What was committed.
    pub change: Arc<Change>,
    /// Whether it was committed after the subscription started (rather than replayed).
    pub live: bool,
}

/// Every revision after `after` (a revision id; the latest when absent) that `scope` admits,
/// oldest first, each once: first those already committed, then each as it commits.
///
/// # Errors
/// The stream's first item is `CURSOR_TOO_FAR_BEHIND` when more than [`MAX_REPLAY`]
/// revisions follow `after`; it ends with `SLOW_SUBSCRIBER` when the subscriber fell more than
/// [`FAN_OUT`] revisions behind, and with `UNAUTHENTICATED` when `key` (the subscriber's API
/// key) is revoked; `INTERNAL` when the database fails.
pub fn changes(
    db: DatabaseConnection,
    hub: &Arc<Hub>,
    after: Option<i32>,
    scope: Scope,
    key: Option<i32>,
) -> impl Stream<Item = Result<Delivered, AppError>> + Send + 'static {
    // Subscribed before the replay reads, so that nothing committed in between is lost.
    let mut live = hub.subscribe();
    let mut revoked = hub.revoked.clone();
    let hub = Arc::clone(hub);
    let revoked_key = move |revoked: &watch::Receiver<Arc<HashSet<i32>>>| {
        key.is_some_and(|key| revoked.borrow().contains(&key))
    };
    async_stream::try_stream! {
        let mut last = match after {
            Some(after) => after,
            None => latest(&db).await?,
        };
        hub.resume_from(last);
        if behind(&db, last).await? > MAX_REPLAY {
            Err(AppError::CursorTooFarBehind(format!(
                "more than {MAX_REPLAY} changes follow this cursor: read them with the `changes` \
                 query, then subscribe with its last cursor"
            )))?;
        }
        loop {
            let replayed = read_after(&db, last, &scope, BATCH).await?;
            let done = (replayed.len() as u64) < BATCH;
            for change in replayed {
                last = change.revision.id;
                yield Delivered { change: Arc::new(change), live: false };
            }
            if done {
                break;
            }
        }
        loop {
            if revoked_key(&revoked) {
                Err(AppError::Unauthenticated(
                    "the API key this subscription was opened with was revoked".to_owned(),
                ))?;
            }
            let received = tokio::select! {
                received = live.recv() => received,
                // A change to the revoked keys is checked at the top of the loop; without a
                // follower there is nothing more to deliver.
                changed = revoked.changed() => match changed {
                    Ok(()) => continue,
                    Err(_) => break,
                },
            };
            match received {
                Ok(change) => {
                    if change.revision.id > last {
                        last = change.revision.id;
                        if scope.admits(&change) {
                            yield Delivered { change, live: true };
                        }
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    Err(AppError::SlowSubscriber(format!(
                        "this subscriber fell more than {FAN_OUT} changes behind and was \
                         dropped; subscribe again with the last cursor received"
                    )))?;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            }
        }
    }
}

/// How many revisions follow `after`, counted up to one past [`MAX_REPLAY`].
async fn behind(db: &impl ConnectionTrait, after: i32) -> Result<u64, AppError> {
    let mut sql = Sql::new(db.get_database_backend());
    sql.push("SELECT COUNT(*) AS n FROM (SELECT id FROM revisions WHERE id > ").bind(after);
    sql.push(" ORDER BY id LIMIT ").push(&(MAX_REPLAY + 1).to_string()).push(") x");
    let row = db.query_one_raw(sql.build()).await?;
    let n: i64 = match row {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}
