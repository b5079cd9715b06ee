//! The database a desk opens: the SQLite file in the data directory by default, the
//! PostgreSQL database of `[store] url` (or `--database-url`, `CLAIMDESK_DATABASE_URL`)
//! otherwise, with the data directory still holding the config and the index.

use claimdesk_engine::core::Actor;
use claimdesk_engine::ingest::{FactCheckFormat, ItemFormat};
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{DataDir, Engine, EngineOptions};

/// A data directory whose config names the database at `url`.
fn desk_on(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("claimdesk.toml"),
        format!("[store]\nurl = '{url}'\n"),
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn an_unreachable_database_is_said_and_its_password_is_not() {
    let dir = desk_on("postgres://desk:hunter2@127.0.0.1:1/desk");
    let data = DataDir::new(dir.path());
    // The desk lives in the database: the directory holds no store file.
    assert!(data.exists());
    assert_eq!(
        data.database_url().unwrap().as_deref(),
        Some("postgres://desk:hunter2@127.0.0.1:1/desk")
    );
    let Err(e) = Engine::open(dir.path(), EngineOptions::lexical()).await else {
        panic!("opened a desk on an unreachable database");
    };
    let message = e.to_string();
    assert!(message.contains("cannot reach the database"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!dir.path().join("claimdesk.db").exists());
}

#[tokio::test]
async fn a_desk_without_a_database_url_keeps_its_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    assert_eq!(engine.store().backend(), "sqlite");
    assert!(dir.path().join("claimdesk.db").is_file());
}

#[tokio::test]
async fn a_desk_on_postgres_imports_ingests_matches_and_audits() {
    let Ok(base) = std::env::var("CLAIMDESK_TEST_DATABASE_URL") else {
        return;
    };
    // A schema of its own (created by the store), named in the URL's options.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let schema = format!("engine_{}_{nanos}", std::process::id());
    claimdesk_engine::store::PgStore::open_schema(&base, &schema)
        .await
        .unwrap();
    let dir = desk_on(&format!("{base}?options=-c%20search_path%3D{schema}"));
    let review = serde_json::json!({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://fc.example/bleach", "claimReviewed": "Drinking bleach cures the flu",
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    })
    .to_string();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    assert_eq!(engine.store().backend(), "postgres");
    engine
        .import_fact_checks("fc", review.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    let posts = b"{\"id\": \"a\", \"source\": \"s\", \"text\": \"drinking bleach cures the flu\"}\n{\"id\": \"b\", \"source\": \"s\", \"text\": \"a quiet lake\"}\n";
    let stored = engine
        .store_items("posts", posts, ItemFormat::Jsonl, Actor::Cli)
        .await
        .unwrap();
    let report = engine.process(&stored.changed, false).await.unwrap();
    assert_eq!((report.scored, report.matched), (2, 1));
    assert!(engine.store().pending_items(10).await.unwrap().is_empty());
    assert_eq!(
        engine
            .store()
            .matches(stored.changed[0])
            .await
            .unwrap()
            .len(),
        1
    );
    let ranked = engine.rank("does bleach cure flu", 3).await.unwrap();
    assert_eq!(ranked.len(), 1);
    assert!(
        engine
            .store()
            .verify_audit()
            .await
            .unwrap()
            .problem
            .is_none()
    );
    // No SQLite file was made beside the config.
    assert!(!dir.path().join("claimdesk.db").exists());
    // A second process on the same database sees the same desk.
    let again = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    assert_eq!(again.store().counts().await.unwrap(), (1, 2));
}

/// A fresh schema of the test database, as a URL a desk's config can name.
async fn fresh_schema_url(base: &str, name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let schema = format!("{name}_{}_{nanos}", std::process::id());
    claimdesk_engine::store::PgStore::open_schema(base, &schema)
        .await
        .unwrap();
    format!("{base}?options=-c%20search_path%3D{schema}")
}

#[tokio::test]
async fn two_desk_processes_share_intake_and_one_of_them_places_narratives() {
    let Ok(base) = std::env::var("CLAIMDESK_TEST_DATABASE_URL") else {
        return;
    };
    let url = fresh_schema_url(&base, "nodes").await;
    let (dir_a, dir_b) = (desk_on(&url), desk_on(&url));
    let a = Engine::open(dir_a.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let review = serde_json::json!({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://fc.example/salt", "claimReviewed": "Gargling salt water cures the flu",
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                         "alternateName": "False"}
    })
    .to_string();
    a.import_fact_checks("fc", review.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    a.pipeline().await.unwrap();
    assert!(a.leads(), "the first process takes the lead");
    let b = Engine::open(dir_b.path(), EngineOptions::lexical())
        .await
        .unwrap();
    b.pipeline().await.unwrap();
    assert!(!b.leads(), "a second process does not");

    // B stores and matches what it is sent; the narratives wait for the leader.
    let mut posts = String::new();
    for i in 0..6 {
        posts += &format!(
            "{{\"id\": \"p{i}\", \"source\": \"page{i}\", \"text\": \"gargling salt water cures the flu in one day #{i}\"}}\n"
        );
    }
    let stored = b
        .store_items("posts", posts.as_bytes(), ItemFormat::Jsonl, Actor::Cli)
        .await
        .unwrap();
    let report = b.process(&stored.changed, false).await.unwrap();
    assert_eq!(report.matched, 6);
    assert!(report.alerts.is_empty(), "B runs no alert rules");
    let waiting = b.store().pending_narratives(100).await.unwrap();
    assert_eq!(waiting, stored.changed);
    // B's backlog pass takes nothing: nothing is left unmatched, and B does not lead.
    assert_eq!(b.process_backlog().await.unwrap().scored, 0);
    assert_eq!(b.store().pending_narratives(100).await.unwrap().len(), 6);

    // The leader places them, once.
    let placed = a.process_backlog().await.unwrap();
    assert_eq!(placed.scored, 0, "nothing to score again: {placed:?}");
    assert!(b.store().pending_items(100).await.unwrap().is_empty());
    let filter = claimdesk_engine::store::NarrativeFilter {
        since: None,
        min_items: 1,
        bursts_only: false,
        limit: 100,
    };
    let story = b.store().narratives(&filter).await.unwrap();
    assert_eq!(story.len(), 1, "{story:?}");
    assert_eq!(story[0].items, 6);
    a.process_backlog().await.unwrap();
    assert_eq!(
        b.store().narratives(&filter).await.unwrap()[0].items,
        6,
        "placed once"
    );

    // The leader goes away: the other process takes over the lead.
    drop(a);
    let mut took = false;
    for _ in 0..100 {
        if b.check_lead().await.unwrap() {
            took = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(took, "the lead did not pass to the other process");
    assert!(b.leads());
}
