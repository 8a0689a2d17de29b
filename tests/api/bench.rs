//! `annals bench` end to end: a short run against the real server over a small dataset runs
//! every query without failures and, on PostgreSQL, verifies and measures the raw-SQL limit.

use crate::helpers::{spawn_empty_app_with, Backend, Client};
use crate::on_both_backends;
use annals::bench::{measure, render};
use annals::config::BenchArgs;
use annals::dataset::*;
use annals::domain::*;
use chrono::{Days, NaiveDate};

on_both_backends!(
    a_short_bench_runs_every_query_without_failures,
    a_short_subscriber_bench_delivers_every_write_to_every_subscriber,
);

/// 90 events over two types and four countries (60 protests: page 3 is the deepest page of
/// 20), each with participants, citations, statements (some undated), and casualty reports
/// (some without an upper bound or a claimant), with same-day events so ties are broken by id.
fn synthetic() -> Dataset {
    let citation = |source: usize| {
        vec![CitationRecord { source: format!("source-{}", source % 3), excerpt: None }]
    };
    let sources = (0..3)
        .map(|i| SourceRecord {
            key: format!("source-{i}"),
            kind: SourceKind::News,
            publisher: format!("Publisher {i}"),
            // One source without a title: `title` must come back as null on both sides.
            title: (i > 0).then(|| format!("Report «{i}» with \"quotes\" and a \\ backslash")),
            url: None,
            published_on: None,
            status: SourceStatus::Available,
            archive_url: None,
        })
        .collect();
    let actors = (0..12)
        .map(|i| ActorRecord {
            key: format!("actor-{i}"),
            kind: if i % 2 == 0 { ActorKind::Person } else { ActorKind::SecurityForce },
            name: format!("Актор {i}"),
            aliases: vec![],
            country_code: Some("KZ".into()),
            description: None,
            wikidata_id: None,
        })
        .collect();
    let day = |n: u64| NaiveDate::from_ymd_opt(2021, 11, 1).unwrap() + Days::new(n);
    let events = (0..90u64)
        .map(|i| EventRecord {
            key: format!("event-{i}"),
            parent: None,
            title: format!("Event {i}"),
            summary: None,
            event_type: if i % 3 == 2 { EventType::Riots } else { EventType::Protests },
            sub_type: None,
            // Two events a day, so the keyset's id tie-breaker matters.
            start_date: day(i / 2 * 5),
            end_date: (i % 4 == 0).then(|| day(i / 2 * 5 + 2)),
            date_precision: DatePrecision::Day,
            location: (i % 7 != 0).then(|| LocationRecord {
                country_code: ["KZ", "UZ", "KG", "RU"][i as usize % 4].into(),
                admin1: None,
                admin2: None,
                admin3: None,
                place: None,
                latitude: None,
                longitude: None,
                precision: GeoPrecision::Country,
            }),
            participants: (0..(i % 3 + 1))
                .map(|j| ParticipantRecord {
                    actor: format!("actor-{}", (i + j * 5) % 12),
                    role: if j == 0 { ParticipantRole::Initiator } else { ParticipantRole::Target },
                })
                .collect(),
            citations: citation(i as usize),
            disorder_type: None,
            civilian_targeting: None,
            source_scale: None,
            tags: Vec::new(),
            low_confidence: false,
        })
        .collect();
    let statements = (0..150u64)
        .map(|i| StatementRecord {
            key: format!("statement-{i}"),
            speaker: format!("actor-{}", i % 12),
            text: format!("Statement {i}:\n\"we\" said"),
            mode: StatementMode::Verbatim,
            kind: StatementKind::Claim,
            stated_on: (i % 5 != 0).then(|| day(i % 40)),
            date_precision: (i % 5 != 0).then_some(DatePrecision::Day),
            event: (i % 6 != 0).then(|| format!("event-{}", i % 90)),
            mentions: vec![],
            citations: citation(i as usize),
            low_confidence: false,
        })
        .collect();
    let categories =
        [CasualtyCategory::Killed, CasualtyCategory::Injured, CasualtyCategory::Detained];
    let statuses = [ReportStatus::Reported, ReportStatus::Disputed];
    let casualty_reports = (0..80u64)
        .map(|i| CasualtyReportRecord {
            key: format!("report-{i}"),
            event: format!("event-{}", i % 45),
            category: categories[i as usize % 3],
            affected_group: None,
            low: i as i64 * 3,
            high: (i % 4 != 0).then_some(i as i64 * 3 + 10),
            as_of: (i % 3 != 0).then(|| day(i % 30)),
            claimed_by: (i % 2 == 0).then(|| format!("actor-{}", i % 12)),
            status: statuses[i as usize % 2],
            status_reason: None,
            note: None,
            citations: citation(i as usize),
            best: None,
            breakdown: Vec::new(),
            preferred: false,
        })
        .collect();
    Dataset {
        format: FORMAT.into(),
        sources,
        actors,
        affiliations: vec![],
        events,
        statements,
        casualty_reports,
    }
}

async fn a_short_bench_runs_every_query_without_failures(backend: Backend) {
    let postgres = matches!(backend, Backend::Postgres(_));
    // A load generator is one client: the rate limit would measure itself.
    let app = spawn_empty_app_with(backend, |s| s.rate_limit = 0).await;
    import(&app.database.conn, &synthetic()).await.expect("the synthetic dataset imports");

    // A second instance on the same database, measured beside the first.
    let twin = app.twin(|s| s.rate_limit = 0).await;
    let settings = crate::helpers::settings(&app.database_url, false);
    let args = BenchArgs {
        url: format!("{}/graphql", app.address),
        also_url: vec![format!("{}/graphql", twin.address)],
        duration: 1,
        warmup: 0,
        concurrency: 2,
        queries: vec![],
        seed: 7,
        subscribers: 0,
        writes: 0,
    };
    let report = measure(&settings, &args).await.expect("the benchmark runs and verifies");
    let table = render(&report);
    eprintln!("{table}");

    let labels: Vec<_> = report.queries.iter().map(|q| q.label).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5", "5p1", "6", "7", "8", "9", "10"]);
    assert_eq!(report.limit_measured, postgres);
    for query in &report.queries {
        let label = query.label;
        assert_eq!(query.api.failed, 0, "query {label}: {:?}", query.api.first_error);
        assert!(query.api.per_second() > 0.0, "query {label} made no API request");
        let [beside] = query.also.as_slice() else { panic!("one measurement beside") };
        assert_eq!(beside.failed, 0, "query {label} beside: {:?}", beside.first_error);
        assert!(beside.per_second() > 0.0, "query {label} made no request beside");
        let per_request = query.sql_per_request.expect("SQL statements per request");
        assert!(
            per_request.is_finite() && (1.0..=15.0).contains(&per_request),
            "query {label}: {per_request} SQL statements per request"
        );
        if postgres {
            let limit = query.limit.as_ref().expect("the raw-SQL limit is measured");
            assert_eq!(limit.failed, 0, "query {label}: {:?}", limit.first_error);
            assert!(limit.per_second() > 0.0, "query {label} ran no SQL");
            assert!(query.verified_param_sets.unwrap_or(0) >= 1, "query {label} not verified");
            assert!(query.api_to_limit().is_some());
        } else {
            assert!(query.limit.is_none() && query.verified_param_sets.is_none());
        }
    }
    // Query 5 reaches its page by cursor: the deepest page here is 3.
    let deep = report.queries.iter().find(|q| q.label == "5").expect("query 5");
    assert_eq!(deep.page, Some(3));
    if cfg!(target_os = "linux") {
        assert!(report.peak_rss_bytes.unwrap_or(0) > 0, "peak RSS is reported");
    }
    assert!(table.contains("| 5p1 |"));
    assert!(table.contains(&format!("| 7 | {}/graphql |", twin.address)), "{table}");
    assert_eq!(table.contains("| n/a |"), !postgres, "{table}");
}

async fn a_short_subscriber_bench_delivers_every_write_to_every_subscriber(backend: Backend) {
    let app = crate::helpers::spawn_app_with(backend, |s| {
        s.rate_limit = 0;
        s.max_sockets_per_client = 50;
    })
    .await;
    let settings = crate::helpers::settings(&app.database_url, false);
    let args = BenchArgs {
        url: format!("{}/graphql", app.address),
        also_url: vec![],
        duration: 1,
        warmup: 0,
        concurrency: 1,
        queries: vec![],
        seed: 7,
        subscribers: 20,
        writes: 5,
    };
    // It fails when any subscriber misses any write.
    annals::bench::run(&settings, &args).await.expect("every subscriber receives every write");
    let titles =
        app.data("{ events(first: 100) { nodes { title } } }", serde_json::json!({})).await;
    assert!(titles.to_string().contains("Benchmark write 5"), "{titles}");
}
