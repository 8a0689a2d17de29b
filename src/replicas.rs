//! Reading from PostgreSQL streaming replicas: which database a query reads, when a replica is
//! in rotation, and the consistency tokens that give a client its own writes back.
//!
//! Mutations, subscriptions and the API keys use the primary. A query reads from a replica in
//! rotation, taken in turn. A replica is in rotation while it answers, is a standby, and has
//! replayed everything the primary had written `max_lag` ago; it is put back as soon as all
//! three hold again. Lag is measured in time, not bytes: every check reads the primary's WAL
//! position, and a replica's lag is how long ago the primary was at the position the replica
//! has replayed, so an idle primary never makes a replica look late.
//!
//! A query that carries a consistency token (the primary's WAL position after a mutation)
//! reads from a replica that has replayed that far; when none has within `wait`, from the
//! primary. A query that fails on a replica because the replica went away takes the replica
//! out of rotation and is answered by the primary, so a stopped replica costs no request.

use crate::db::Database;
use crate::error::AppError;
use prometheus::{GaugeVec, IntCounterVec, IntGaugeVec, Opts};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// A position in PostgreSQL's write-ahead log, written as PostgreSQL writes it (`16/B374D848`).
/// Its text is the consistency token clients carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lsn(u64);

impl std::str::FromStr for Lsn {
    type Err = AppError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            AppError::InvalidConsistencyToken(format!(
                "`{text}` is not a consistency token; send back the one a mutation's response gave"
            ))
        };
        let (high, low) = text.trim().split_once('/').ok_or_else(invalid)?;
        let high = u32::from_str_radix(high, 16).map_err(|_| invalid())?;
        let low = u32::from_str_radix(low, 16).map_err(|_| invalid())?;
        Ok(Lsn(u64::from(high) << 32 | u64::from(low)))
    }
}

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// How replicas are watched and used.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// A replica further behind than this is out of rotation.
    pub max_lag: Duration,
    /// How long a query with a consistency token waits for a replica before reading the
    /// primary.
    pub wait: Duration,
    /// How often the replicas' positions are read.
    pub check_every: Duration,
}

/// Why a replica is out of rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    /// It does not answer.
    Unreachable,
    /// It answers but is not replaying a primary's WAL (promoted, or not a standby).
    NotAStandby,
    /// It is further behind than the bound.
    Lagging,
}

impl Out {
    /// The reason as `/readyz` gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Out::Unreachable => "unreachable",
            Out::NotAStandby => "not a standby",
            Out::Lagging => "lagging",
        }
    }
}

/// What the last check found about one replica.
#[derive(Debug, Clone, Copy)]
pub struct Health {
    /// `None` while in rotation; why not otherwise.
    pub out: Option<Out>,
    /// The WAL position it has replayed, when known.
    pub replayed: Option<Lsn>,
    /// How far behind the primary it is, when known.
    pub lag: Option<Duration>,
}

/// One replica: its pool and its health.
pub struct Replica {
    /// Host, port and database, without credentials: the replica's name in logs and metrics.
    pub name: String,
    /// Its pool; statements are counted with the primary's.
    pub database: Database,
    health: Mutex<Health>,
}

impl Replica {
    /// What the last check found.
    pub fn health(&self) -> Health {
        *self.health.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn in_rotation(&self) -> bool {
        self.health().out.is_none()
    }

    /// The position it has replayed, read now; `None` when it cannot tell.
    async fn replayed_now(&self) -> Option<Lsn> {
        let row = self
            .database
            .conn
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_last_wal_replay_lsn()::text",
            ))
            .await
            .ok()??;
        let replayed = row.try_get_by_index::<Option<String>>(0).ok()??.parse().ok()?;
        let mut health = self.health.lock().unwrap_or_else(|e| e.into_inner());
        health.replayed = health.replayed.max(Some(replayed));
        Some(replayed)
    }
}

/// Where a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The primary.
    Primary,
    /// The replica at this index of [`Replicas::all`].
    Replica(usize),
}

/// The primary's recent WAL positions, to turn a replica's position into a lag in time.
type History = VecDeque<(Instant, Lsn)>;

/// The replicas an instance reads from, and the primary they follow.
pub struct Replicas {
    primary: DatabaseConnection,
    replicas: Vec<Replica>,
    next: AtomicUsize,
    settings: Settings,
    history: Mutex<History>,
    in_rotation: IntGaugeVec,
    lag: GaugeVec,
    reads: IntCounterVec,
}

impl Replicas {
    /// Opens a pool for each of `urls`, sharing `primary`'s statement counters. The replicas'
    /// health is unknown, so they are out of rotation until [`Replicas::watch`]'s first check.
    ///
    /// # Errors
    /// `urls` given on SQLite, or a URL that is not PostgreSQL's.
    pub async fn connect(
        primary: &Database,
        urls: &[String],
        pool: crate::db::PoolSettings,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let backend = primary.conn.get_database_backend();
        if !urls.is_empty() && backend != DbBackend::Postgres {
            anyhow::bail!("read replicas need PostgreSQL; the database is {backend:?}");
        }
        let mut replicas = Vec::with_capacity(urls.len());
        for url in urls {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                anyhow::bail!("a replica URL must be a PostgreSQL URL");
            }
            // A replica down at start is not fatal: it joins the rotation when it comes up. A
            // query waits at most a second for one of its connections: a replica that cannot
            // give one sooner is as good as gone, and the primary answers instead.
            let pool = crate::db::PoolSettings {
                acquire_timeout: pool.acquire_timeout.min(REPLICA_ACQUIRE_TIMEOUT),
                ..pool
            };
            let database = primary.connect_alongside(url, pool).await?;
            let unknown = Health { out: Some(Out::Unreachable), replayed: None, lag: None };
            replicas.push(Replica { name: name_of(url), database, health: Mutex::new(unknown) });
        }
        let in_rotation = IntGaugeVec::new(
            Opts::new("annals_replica_in_rotation", "1 while a read replica takes queries."),
            &["replica"],
        )
        .expect("valid metric");
        let lag = GaugeVec::new(
            Opts::new(
                "annals_replica_lag_seconds",
                "How long ago the primary was at the WAL position a replica has replayed.",
            ),
            &["replica"],
        )
        .expect("valid metric");
        let reads = IntCounterVec::new(
            Opts::new(
                "annals_reads_total",
                "Queries by the database that answered them, and why the primary did.",
            ),
            &["target"],
        )
        .expect("valid metric");
        for replica in &replicas {
            in_rotation.with_label_values(&[replica.name.as_str()]).set(0);
        }
        Ok(Replicas {
            primary: primary.conn.clone(),
            replicas,
            next: AtomicUsize::new(0),
            settings,
            history: Mutex::default(),
            in_rotation,
            lag,
            reads,
        })
    }

    /// The replicas, in the order they were configured.
    pub fn all(&self) -> &[Replica] {
        &self.replicas
    }

    /// The metrics they keep, to be registered with the others.
    pub fn collectors(&self) -> Vec<Box<dyn prometheus::core::Collector>> {
        vec![
            Box::new(self.in_rotation.clone()),
            Box::new(self.lag.clone()),
            Box::new(self.reads.clone()),
        ]
    }

    /// The pool a target reads through.
    pub fn connection<'a>(&'a self, target: Target, primary: &'a Database) -> &'a Database {
        match target {
            Target::Primary => primary,
            Target::Replica(index) => &self.replicas[index].database,
        }
    }

    /// Checks the replicas now and then, for as long as `self` lives.
    pub fn watch(self: &Arc<Self>) {
        if self.replicas.is_empty() {
            return;
        }
        let replicas = Arc::downgrade(self);
        let every = self.settings.check_every;
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                let Some(replicas) = Weak::upgrade(&replicas) else { return };
                replicas.check().await;
            }
        });
    }

    /// Reads the primary's position, then each replica's, and puts each in or out of
    /// rotation.
    pub async fn check(&self) {
        let now = Instant::now();
        let keep = self.settings.max_lag * 2 + self.settings.check_every * 4;
        if let Ok(position) = self.position().await {
            let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
            history.push_back((now, position));
            while history.len() > 1 && history.front().is_some_and(|(at, _)| now - *at > keep) {
                history.pop_front();
            }
        }
        let timeout = self.settings.check_every.max(Duration::from_millis(500));
        for replica in &self.replicas {
            let read = tokio::time::timeout(
                timeout,
                replica.database.conn.query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text",
                )),
            )
            .await;
            let health = match read {
                Ok(Ok(Some(row))) => {
                    let standby = row.try_get_by_index::<bool>(0).unwrap_or(false);
                    let replayed = row
                        .try_get_by_index::<Option<String>>(1)
                        .ok()
                        .flatten()
                        .and_then(|text| text.parse::<Lsn>().ok());
                    match replayed.filter(|_| standby) {
                        None => Health { out: Some(Out::NotAStandby), replayed: None, lag: None },
                        Some(replayed) => {
                            let lag = self.lag_of(replayed, now);
                            let late = lag.is_none_or(|lag| lag > self.settings.max_lag);
                            Health {
                                out: late.then_some(Out::Lagging),
                                replayed: Some(replayed),
                                lag,
                            }
                        }
                    }
                }
                _ => Health { out: Some(Out::Unreachable), replayed: None, lag: None },
            };
            self.update(replica, health);
        }
    }

    /// How long ago the primary was at a position `replayed` has reached: zero when the
    /// replica has everything the last check saw, `None` when it is behind every position
    /// still remembered.
    fn lag_of(&self, replayed: Lsn, now: Instant) -> Option<Duration> {
        let history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let mut newer_missed = None;
        for (at, position) in history.iter().rev() {
            if *position <= replayed {
                return Some(newer_missed.map_or(Duration::ZERO, |missed: Instant| now - missed));
            }
            // The replica lacks what the primary wrote by `at`: it is at least this late.
            newer_missed = Some(*at);
        }
        if history.is_empty() {
            Some(Duration::ZERO)
        } else {
            None
        }
    }

    /// Records a replica's new health, saying so in the log when it leaves or joins the
    /// rotation.
    fn update(&self, replica: &Replica, health: Health) {
        let before = std::mem::replace(
            &mut *replica.health.lock().unwrap_or_else(|e| e.into_inner()),
            health,
        );
        match (before.out, health.out) {
            (None, Some(out)) => {
                tracing::warn!(replica = %replica.name, reason = out.as_str(), lag_ms = health.lag.map(|l| l.as_millis() as u64), "replica out of rotation")
            }
            (Some(_), None) => tracing::info!(replica = %replica.name, "replica in rotation"),
            _ => {}
        }
        let label = [replica.name.as_str()];
        self.in_rotation.with_label_values(&label).set(i64::from(health.out.is_none()));
        if let Some(lag) = health.lag {
            self.lag.with_label_values(&label).set(lag.as_secs_f64());
        }
    }

    /// Takes a replica out of rotation at once, when a query found it gone.
    pub fn failed(&self, index: usize) {
        let replica = &self.replicas[index];
        let health = Health { out: Some(Out::Unreachable), ..replica.health() };
        self.update(replica, health);
    }

    /// Where a query reads: a replica in rotation, in turn; one that has replayed `token`
    /// when the query carries one, waiting up to `wait` for it; otherwise the primary.
    pub async fn choose(&self, token: Option<Lsn>) -> Target {
        let count = self.replicas.len();
        if count == 0 {
            return Target::Primary;
        }
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let candidates: Vec<usize> = (0..count)
            .map(|offset| (first + offset) % count)
            .filter(|&index| self.replicas[index].in_rotation())
            .collect();
        let Some(&any) = candidates.first() else {
            return self.read_primary("primary_no_replica_in_rotation");
        };
        let Some(token) = token else {
            return self.read_replica(any);
        };
        let deadline = Instant::now() + self.settings.wait;
        let replayed = |index: usize| self.replicas[index].health().replayed >= Some(token);
        if let Some(&index) = candidates.iter().find(|&&index| replayed(index)) {
            return self.read_replica(index);
        }
        loop {
            for &index in &candidates {
                if self.replicas[index].replayed_now().await >= Some(token) {
                    return self.read_replica(index);
                }
            }
            if Instant::now() + TOKEN_POLL > deadline {
                return self.read_primary("primary_token_not_replayed");
            }
            tokio::time::sleep(TOKEN_POLL).await;
        }
    }

    fn read_replica(&self, index: usize) -> Target {
        self.reads.with_label_values(&["replica"]).inc();
        Target::Replica(index)
    }

    /// Counts a read the primary answers, when there are replicas, under `label`
    /// (`primary_` and the reason).
    pub fn read_primary(&self, label: &'static str) -> Target {
        if !self.replicas.is_empty() {
            self.reads.with_label_values(&[label]).inc();
        }
        Target::Primary
    }

    /// Whether queries may read from replicas, so that mutations should hand out tokens.
    pub fn configured(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// The primary's WAL position now: after a commit, a position every later read that
    /// must see the commit has to reach. The insert position, not the write position: with
    /// `synchronous_commit = off` a commit returns before its WAL is written, and the write
    /// position can be behind it.
    pub async fn position(&self) -> Result<Lsn, AppError> {
        let row = self
            .primary
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT pg_current_wal_insert_lsn()::text",
            ))
            .await?
            .ok_or_else(|| AppError::internal("pg_current_wal_insert_lsn() returned no row"))?;
        let text: String = row.try_get_by_index(0).map_err(AppError::from)?;
        text.parse().map_err(|_| AppError::internal(format!("unexpected WAL position {text}")))
    }
}

/// The longest a query waits for a connection to a replica.
const REPLICA_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// How often a query with a token asks the replicas how far they are.
const TOKEN_POLL: Duration = Duration::from_millis(5);

/// `host:port/database` of a URL, without user or password.
fn name_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}:{}{}",
            parsed.host_str().unwrap_or("localhost"),
            parsed.port().unwrap_or(5432),
            parsed.path()
        ),
        Err(_) => "replica".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wal_positions_read_and_print_as_postgresql_writes_them() {
        for text in ["0/0", "0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF"] {
            assert_eq!(text.parse::<Lsn>().unwrap().to_string(), text);
        }
        assert!("0/16B3748".parse::<Lsn>().unwrap() < "1/0".parse::<Lsn>().unwrap());
        assert!("1/0".parse::<Lsn>().unwrap() < "1/1".parse::<Lsn>().unwrap());
        for bad in ["", "16B3748", "x/1", "1/2/3", "100000000/0", "-1/0"] {
            let err = bad.parse::<Lsn>().unwrap_err();
            assert_eq!(err.code(), crate::error::ErrorCode::InvalidConsistencyToken, "{bad}");
        }
    }

    #[test]
    fn replica_names_leave_out_credentials() {
        assert_eq!(name_of("postgres://u:secret@db-replica:5433/annals"), "db-replica:5433/annals");
        assert_eq!(name_of("postgres://127.0.0.1/annals"), "127.0.0.1:5432/annals");
    }
}
