//! Items stored by a process that stopped before its pipeline ran are processed at the next
//! start: the processing state is in the store.

use claimdesk_engine::core::Actor;
use claimdesk_engine::ingest::{FactCheckFormat, ItemFormat};
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{Engine, EngineOptions};

#[tokio::test]
async fn items_stored_but_never_processed_are_processed_by_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let review = serde_json::json!({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://fc.example/bleach", "claimReviewed": "Drinking bleach cures the flu",
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1}
    })
    .to_string();
    let ids = {
        // The first process stores the items, then stops before its pipeline runs.
        let first = Engine::open(dir.path(), EngineOptions::lexical())
            .await
            .unwrap();
        first
            .import_fact_checks("fc", review.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
            .await
            .unwrap();
        let posts = b"{\"id\": \"a\", \"source\": \"s\", \"text\": \"drinking bleach cures the flu\"}\n{\"id\": \"b\", \"source\": \"s\", \"text\": \"a quiet lake\"}\n";
        let stored = first
            .store_items("posts", posts, ItemFormat::Jsonl, Actor::Cli)
            .await
            .unwrap();
        assert_eq!(
            first.store().pending_items(10).await.unwrap(),
            stored.changed
        );
        stored.changed
    };
    let next = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let report = next.process_backlog().await.unwrap();
    assert_eq!((report.scored, report.matched), (2, 1));
    assert!(next.store().pending_items(10).await.unwrap().is_empty());
    assert_eq!(next.store().matches(ids[0]).await.unwrap().len(), 1);
    assert!(
        next.store()
            .check_worthiness(ids[1])
            .await
            .unwrap()
            .is_some()
    );
    // Nothing left: a second start does nothing.
    assert_eq!(next.process_backlog().await.unwrap().scored, 0);
}
