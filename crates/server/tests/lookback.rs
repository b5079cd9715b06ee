//! Looking back: a verdict published at the desk answers the items stored before it.

use claimdesk_core::{AlertRule, ItemId};
use claimdesk_server::ServerConfig;
use claimdesk_store::AlertFilter;
use claimdesk_store::prelude::*;
use serde_json::json;

use crate::public::verdict;
use crate::util::{desk_over, engine};

const REPEATS: usize = 500;
const UNRELATED: usize = 40;

#[tokio::test]
async fn a_published_verdict_becomes_the_match_of_the_500_stored_items_repeating_it() {
    let dir = tempfile::tempdir().unwrap();
    // A desk of one fact-check ranks lexically with small BM25 scores: the false-match rule
    // takes them at this desk's scale.
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/claimdesk.toml"),
        "[alerts]\nfalse_match_min_lexical = 0.5\n",
    )
    .unwrap();
    let engine = engine(&dir).await;
    let d = desk_over(dir, engine.clone(), ServerConfig::default()).await;
    let say = [
        "Gargling salt water cures the flu in one day",
        "SHARE: gargling salt water cures the flu in one day!!",
        "my doctor friend: gargling salt water cures the flu in one day",
    ];
    let mut body = String::new();
    for i in 0..REPEATS {
        let text = format!("{} #{i}", say[i % say.len()]);
        body += &json!({"id": format!("r{i}"), "source": format!("page{}", i % 37), "text": text})
            .to_string();
        body.push('\n');
    }
    for i in 0..UNRELATED {
        let text = format!("Lovely weather by the lake this morning, photo {i}");
        body += &json!({"id": format!("u{i}"), "source": "lake", "text": text}).to_string();
        body.push('\n');
    }
    let a = d.post_json("/api/items", body).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let report = a.json();
    let ids: Vec<ItemId> = report["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| ItemId(v.as_i64().unwrap()))
        .collect();
    assert_eq!(ids.len(), REPEATS + UNRELATED);
    assert_eq!(report["matched"], 0, "no fact-check yet: {report}");

    // The desk publishes a verdict on the claim (case → draft → review → published).
    let fc = verdict(
        engine.store(),
        "Gargling salt water cures the flu",
        "No trial shows it",
        true,
    )
    .await;
    // What a running desk's follower does at its next poll of the store's revision.
    let (refreshed, looked) = engine.refresh().await.unwrap().expect("the store moved");
    assert!(
        refreshed.changed.iter().any(|f| f.id == fc),
        "{refreshed:?}"
    );
    let looked = looked.expect("the pipeline runs, so it looks back");
    assert_eq!(
        looked.rematched.len(),
        REPEATS,
        "only the repeats are matched again"
    );

    let matches = engine.store().matches_of_items(&ids).await.unwrap();
    for (id, m) in ids.iter().zip(&matches).take(REPEATS) {
        assert_eq!(
            m.first().map(|m| m.fact_check),
            Some(fc),
            "item {id:?}: {m:?}"
        );
    }
    for (id, m) in ids.iter().zip(&matches).skip(REPEATS) {
        assert!(m.is_empty(), "unrelated item {id:?} was touched: {m:?}");
    }
    // One alert, on the story the repeats tell, naming its narrative: not one per item.
    let alerts = engine
        .store()
        .alerts(&AlertFilter {
            rule: Some(AlertRule::FalseMatch),
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    assert_eq!(alerts[0].fact_check, Some(fc), "{:?}", alerts[0]);
    let narrative = alerts[0].narrative.expect("the alert names its narrative");
    let story = engine
        .store()
        .narrative(narrative, 1_000)
        .await
        .unwrap()
        .expect("the alert's narrative is stored");
    assert!(story.summary.items >= 2, "{:?}", story.summary);
    let repeats: std::collections::HashSet<ItemId> = ids[..REPEATS].iter().copied().collect();
    assert!(
        story.items.iter().all(|i| repeats.contains(&i.item)),
        "only repeats in the alert's narrative: {:?}",
        story.items
    );
    // The queue shows the match.
    let q = d.get(&format!("/api/items/{}", ids[0].0)).await.json();
    assert_eq!(q["matches"][0]["fact_check"]["id"], fc.0, "{q}");
}
