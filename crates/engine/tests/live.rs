//! A running engine follows the store: fact-checks imported by another engine over the same
//! data directory (as another process would), corrections, and the items they answer.

use claimdesk_engine::core::Actor;
use claimdesk_engine::ingest::{FactCheckFormat, ItemFormat};
use claimdesk_engine::store::StoredMatch;
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{Engine, EngineOptions};

fn review(url: &str, claim: &str) -> String {
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1, "alternateName": "False"}
    })
    .to_string()
}

const BLEACH: &str = "https://fc.example/bleach";

async fn top(engine: &Engine, text: &str) -> Option<String> {
    let ranked = engine.rank(text, 1).await.unwrap();
    let catalog = engine.catalog().await.unwrap();
    ranked.first().map(|m| catalog.source_id(m.fact_check))
}

#[tokio::test]
async fn an_import_by_another_engine_reaches_the_running_ranker_and_old_snapshots_keep_answering() {
    let dir = tempfile::tempdir().unwrap();
    let running = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    running
        .import_fact_checks(
            "a",
            review("https://fc.example/moon", "The moon is made of cheese").as_bytes(),
            FactCheckFormat::Auto,
            Actor::Cli,
        )
        .await
        .unwrap();
    let repeat = "they say drinking bleach cures the flu";
    assert_eq!(top(&running, repeat).await, None);
    let before = running.ranker().await.unwrap().current();

    let other = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    other
        .import_fact_checks(
            "b",
            review(BLEACH, "Drinking bleach cures the flu").as_bytes(),
            FactCheckFormat::Auto,
            Actor::Cli,
        )
        .await
        .unwrap();

    let (refreshed, _) = running.refresh().await.unwrap().expect("the store moved");
    assert_eq!(refreshed.changed.len(), 1);
    assert_eq!(running.served_revision(), Some(refreshed.revision));
    assert_eq!(top(&running, repeat).await.as_deref(), Some(BLEACH));
    // A query that started on the old ranker finishes on it.
    assert!(before.rank(repeat, 1).unwrap().is_empty());
    assert!(before.revision() < refreshed.revision);
    // Nothing moved since: nothing to do.
    assert!(running.refresh().await.unwrap().is_none());
}

#[tokio::test]
async fn a_corrected_fact_check_updates_the_items_matched_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    engine
        .import_fact_checks(
            "a",
            review(BLEACH, "Drinking bleach cures the flu").as_bytes(),
            FactCheckFormat::Auto,
            Actor::Cli,
        )
        .await
        .unwrap();
    let stored = engine
        .store_items(
            "posts",
            br#"{"id": "p", "source": "s", "text": "drinking bleach cures the flu, share"}"#,
            ItemFormat::Jsonl,
            Actor::Cli,
        )
        .await
        .unwrap();
    engine.process(&stored.changed, false).await.unwrap();
    let item = stored.changed[0];
    assert_eq!(engine.store().matches(item).await.unwrap().len(), 1);

    // The fact-check is corrected to a claim the item does not repeat.
    let other = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    other
        .import_fact_checks(
            "fix",
            review(BLEACH, "Vinegar baths heal sunburn overnight").as_bytes(),
            FactCheckFormat::Auto,
            Actor::Cli,
        )
        .await
        .unwrap();
    let (_, looked) = engine.refresh().await.unwrap().expect("the store moved");
    assert_eq!(looked.expect("looked back").rematched, vec![item]);
    assert!(engine.store().matches(item).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_withdrawn_fact_check_leaves_the_items_matched_to_it_for_what_matches_now() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    // Two newsrooms checked the same claim: the later one is an alias of the first.
    const OTHER: &str = "https://other.example/bleach";
    let reviews = [
        review(BLEACH, "Drinking bleach cures the flu"),
        review(OTHER, "Drinking bleach cures the flu!"),
        review("https://fc.example/moon", "The moon is made of cheese"),
    ]
    .join("\n");
    engine
        .import_fact_checks("a", reviews.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    let stored = engine
        .store_items(
            "posts",
            br#"{"id": "p", "source": "s", "text": "drinking bleach cures the flu, share"}"#,
            ItemFormat::Jsonl,
            Actor::Cli,
        )
        .await
        .unwrap();
    engine.process(&stored.changed, false).await.unwrap();
    let item = stored.changed[0];
    let catalog = engine.catalog().await.unwrap();
    let source_ids = |m: Vec<StoredMatch>| -> Vec<String> {
        m.iter().map(|m| catalog.source_id(m.fact_check)).collect()
    };
    let first = engine.store().matches(item).await.unwrap();
    assert_eq!(source_ids(first.clone()), [BLEACH]);
    let withdrawn = first[0].fact_check;

    // The first is withdrawn (by another process, as the server would): the item loses it
    // and is matched to what stands now, the other newsroom's check of the same claim.
    let other = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    other
        .store()
        .withdraw_fact_check(withdrawn, Actor::Cli, "The publisher retracted it.")
        .await
        .unwrap();
    let (refreshed, looked) = engine.refresh().await.unwrap().expect("the store moved");
    assert_eq!(
        refreshed.changed.len(),
        2,
        "the withdrawn one and its alias"
    );
    assert_eq!(looked.expect("looked back").rematched, vec![item]);
    let now = engine.store().matches(item).await.unwrap();
    assert!(now.iter().all(|m| m.fact_check != withdrawn), "{now:?}");
    let catalog = engine.catalog().await.unwrap();
    let ids: Vec<String> = now
        .iter()
        .map(|m| catalog.source_id(m.fact_check))
        .collect();
    assert_eq!(ids, [OTHER]);
    assert_eq!(
        top(&engine, "drinking bleach cures the flu")
            .await
            .as_deref(),
        Some(OTHER)
    );

    // The engine's own withdrawal follows at once: nothing answers the item any more.
    engine
        .withdraw_fact_check(now[0].fact_check, Actor::Cli, "Retracted as well.")
        .await
        .unwrap();
    assert!(engine.store().matches(item).await.unwrap().is_empty());
    assert_eq!(top(&engine, "drinking bleach cures the flu").await, None);
    // A withdrawn fact-check stays withdrawn, with its reason.
    let again = engine
        .withdraw_fact_check(withdrawn, Actor::Cli, "again")
        .await
        .unwrap_err();
    assert!(again.to_string().contains("was withdrawn at"), "{again}");
}

/// The model fetched by scripts/fetch-model (CI fetches it before the tests).
fn model() -> std::path::PathBuf {
    let path = std::env::var("CLAIMDESK_MODEL").map_or_else(
        |_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/e5-small-q4.bin"),
        std::path::PathBuf::from,
    );
    assert!(
        path.is_file(),
        "model file {} missing: run scripts/fetch-model",
        path.display()
    );
    path
}

/// The cosine of the fact-check at `url` among the top 5 for `text`, if it is there.
async fn cosine_of(engine: &Engine, text: &str, url: &str) -> Option<f32> {
    let ranked = engine.rank(text, 5).await.unwrap();
    let catalog = engine.catalog().await.unwrap();
    ranked
        .iter()
        .find(|m| catalog.source_id(m.fact_check) == url)
        .and_then(|m| m.explanation.cosine)
}

#[tokio::test]
async fn the_running_ranker_finds_new_and_corrected_fact_checks_by_meaning_without_rebuilding() {
    let dir = tempfile::tempdir().unwrap();
    let semantic = || EngineOptions {
        ranker: claimdesk_engine::RankerOptions {
            model: Some(model()),
            ..Default::default()
        },
        ..EngineOptions::default()
    };
    const TOWERS: &str = "https://fc.example/towers";
    const GARLIC: &str = "https://fc.example/garlic";
    let engine = Engine::open(dir.path(), semantic()).await.unwrap();
    let first = [
        review(TOWERS, "5G phone masts spread the coronavirus."),
        review("https://fc.example/moon", "The moon is made of cheese"),
        review(BLEACH, "Drinking bleach cures the flu"),
    ]
    .join("\n");
    engine
        .import_fact_checks("a", first.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    // Vietnamese without accents, no word in common with the English claims: only the
    // vector index can find them.
    let towers_post = "mn oi cot song 5G lam lay lan virus corona do, share gap!!";
    let garlic_post = "uong nuoc toi moi sang se khoi han covid, khong can di vien";
    let before = cosine_of(&engine, towers_post, TOWERS).await;
    assert!(before.is_some_and(|c| c > 0.8), "{before:?}");
    assert!(cosine_of(&engine, garlic_post, GARLIC).await.is_none());

    // Another process publishes a new fact-check and corrects one the index was built with.
    let other = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let second = [
        review(
            GARLIC,
            "Drinking garlic water every morning cures COVID-19.",
        ),
        review(TOWERS, "Vinegar baths heal sunburn overnight"),
    ]
    .join("\n");
    other
        .import_fact_checks("b", second.as_bytes(), FactCheckFormat::Auto, Actor::Cli)
        .await
        .unwrap();
    engine.refresh().await.unwrap().expect("the store moved");
    let garlic = cosine_of(&engine, garlic_post, GARLIC).await;
    assert!(garlic.is_some_and(|c| c > 0.8), "{garlic:?}");
    // The corrected fact-check answers with its new text's vector, not its old one (the
    // model's cosines of unrelated texts are around 0.8: the old vector gave 0.9 and more).
    let before = before.unwrap();
    let after = cosine_of(&engine, towers_post, TOWERS).await;
    assert!(
        after.is_none_or(|c| c < before - 0.05),
        "{before} -> {after:?}"
    );
    let sunburn = cosine_of(
        &engine,
        "a vinegar bath heals your sunburn by morning",
        TOWERS,
    )
    .await;
    assert!(
        sunburn.is_some_and(|c| c > after.unwrap_or(0.0) + 0.05),
        "{sunburn:?} against {after:?}"
    );
}
