//! The number of SQL statements a request makes depends on its depth, not its page size.

use crate::helpers::{spawn_empty_app, Backend, Client};
use crate::on_both_backends;
use annals::dataset::*;
use annals::domain::*;
use chrono::NaiveDate;
use serde_json::json;

on_both_backends!(a_nested_query_costs_the_same_for_one_and_for_a_hundred_events);

/// 120 events, each with three of 40 actors taking part, each actor with statements.
fn synthetic() -> Dataset {
    let citation = || vec![CitationRecord { source: "s".into(), excerpt: None }];
    let actors = (0..40)
        .map(|i| ActorRecord {
            key: format!("actor-{i}"),
            kind: ActorKind::Person,
            name: format!("Actor {i}"),
            aliases: vec![format!("A{i}")],
            country_code: Some("KZ".into()),
            description: None,
            wikidata_id: None,
        })
        .collect();
    let events = (0..120)
        .map(|i| EventRecord {
            key: format!("event-{i}"),
            parent: None,
            title: format!("Event {i}"),
            summary: None,
            event_type: EventType::Protests,
            sub_type: Some(EventSubType::PeacefulProtest),
            start_date: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap() + chrono::Days::new(i),
            end_date: None,
            date_precision: DatePrecision::Day,
            location: None,
            participants: (0..3)
                .map(|j| ParticipantRecord {
                    actor: format!("actor-{}", (i * 3 + j) % 40),
                    role: ParticipantRole::Initiator,
                })
                .collect(),
            citations: citation(),
            disorder_type: None,
            civilian_targeting: None,
            source_scale: None,
            tags: Vec::new(),
            low_confidence: false,
        })
        .collect();
    let statements = (0..200)
        .map(|i| StatementRecord {
            key: format!("statement-{i}"),
            speaker: format!("actor-{}", i % 40),
            text: format!("Statement {i}"),
            mode: StatementMode::Paraphrase,
            kind: StatementKind::Claim,
            stated_on: None,
            date_precision: None,
            event: Some(format!("event-{}", i % 120)),
            mentions: vec![MentionRecord {
                actor: format!("actor-{}", (i + 1) % 40),
                role: MentionRole::Mentioned,
            }],
            citations: citation(),
            low_confidence: false,
        })
        .collect();
    Dataset {
        format: FORMAT.into(),
        sources: vec![SourceRecord {
            key: "s".into(),
            kind: SourceKind::News,
            publisher: "Synthetic".into(),
            title: None,
            url: None,
            published_on: None,
            status: SourceStatus::Available,
            archive_url: None,
        }],
        actors,
        affiliations: vec![],
        events,
        statements,
        casualty_reports: vec![],
    }
}

async fn a_nested_query_costs_the_same_for_one_and_for_a_hundred_events(backend: Backend) {
    let app = spawn_empty_app(backend).await;
    import(&app.database.conn, &synthetic()).await.unwrap();
    let query = r#"query($n: Int) { events(first: $n) { edges { node { title
        participants { role actor { name aliases statements(first: 5) { edges { node { text mentions { name } } } } } }
        statements(first: 3) { totalCount edges { node { text speaker { name } } } }
        citations { source { publisher } } } } } }"#;

    let mut costs = Vec::new();
    for n in [1, 100] {
        let before = app.statements();
        let data = app.data(query, json!({ "n": n })).await;
        costs.push(app.statements() - before);
        let events = data["events"]["edges"].as_array().unwrap();
        assert_eq!(events.len(), n as usize);
        assert!(events.iter().all(|e| e["node"]["participants"].as_array().unwrap().len() == 3));
    }

    eprintln!("SQL statements for 1 event: {}, for 100 events: {}", costs[0], costs[1]);
    assert_eq!(costs[0], costs[1], "statements must not grow with the page size");
    // events, participants, actors, aliases, actor statements, mentions, mentioned actors,
    // event statements, their count, speakers, citations, sources: one each at most.
    assert!(costs[1] <= 12, "{} statements", costs[1]);
}
