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
    let report = engine.process_backlog().await.unwrap();
    assert_eq!((report.scored, report.matched), (2, 1));
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
