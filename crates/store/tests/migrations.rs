//! Stores made by earlier versions still open, and keep what they held.
//!
//! `data/v7.db` was made by claimdesk at schema version 7 (commit 65652ed, `data/v7.sh`): a
//! webhook, six copies of a claim and one other post ingested with a fact-check rated False
//! (narrative 1 with its burst), so it holds the per-item false-match alerts of that version,
//! a burst alert, their outbox rows and a failed delivery attempt of each.

use claimdesk_core::{AlertRule, NarrativeCount, NarrativeId};
use claimdesk_store::prelude::*;
use claimdesk_store::{AlertFilter, NewAlert, SqliteStore};
use serde_json::json;
use sqlx::ConnectOptions;

/// The fixture copied into a temporary directory (opening migrates it in place).
async fn open_v7() -> (tempfile::TempDir, SqliteStore, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimdesk.db");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/v7.db"),
        &path,
    )
    .unwrap();
    let store = SqliteStore::open(&path).await.unwrap();
    (dir, store, path)
}

#[tokio::test]
async fn a_version_7_store_keeps_its_alerts_deliveries_and_narratives() {
    let (_d, s, path) = open_v7().await;
    let alerts = s.alerts(&AlertFilter::default()).await.unwrap();
    let rules: Vec<AlertRule> = alerts.iter().map(|a| a.rule).collect();
    assert!(rules.contains(&AlertRule::Burst), "{rules:?}");
    assert!(rules.contains(&AlertRule::FalseMatch), "{rules:?}");
    // Alerts of before carry no narrative size; their subjects stay as they were.
    assert!(alerts.iter().all(|a| a.count.is_none()));
    assert!(
        alerts
            .iter()
            .any(|a| a.rule == AlertRule::FalseMatch && a.subject.starts_with("item:"))
    );
    // The outbox still points at the same alerts, and the delivery log kept its attempt.
    let due = s.due_deliveries("9999-01-01T00:00:00Z", 100).await.unwrap();
    assert!(!due.is_empty());
    for d in &due {
        assert!(alerts.iter().any(|a| a.id == d.alert.id));
    }
    let log = s.deliveries(None, 100).await.unwrap();
    assert!(!log.is_empty());
    assert!(log.iter().all(|d| alerts.iter().any(|a| a.id == d.alert)));
    // The narrative's members became its representatives.
    let index = s.narrative_index().await.unwrap();
    let kept = index.members.iter().filter(|m| m.0 == NarrativeId(1));
    assert_eq!(kept.count(), 6);
    assert_eq!(index.bursts, [NarrativeId(1)]);
    assert!(index.alerts.iter().any(|a| a.rule == AlertRule::Burst));
    // The new rule is accepted, with a narrative's size.
    let count = NarrativeCount {
        items: 60,
        first_seen: 1_795_168_800,
        last_seen: 1_795_169_400,
    };
    let raised = s
        .raise_alert(&NewAlert {
            rule: AlertRule::Escalation,
            subject: "narrative:1:x10".into(),
            item: None,
            narrative: Some(NarrativeId(1)),
            fact_check: None,
            count: Some(count),
            summary: "grown 10x".into(),
            details: json!({"multiple": 10}),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(raised.count, Some(count));
    drop(s);
    // No dangling reference after the table was rebuilt.
    let mut c = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
}
