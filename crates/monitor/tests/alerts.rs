//! Alerts: a confident match to a false-rated fact-check alerts once per narrative (an item
//! alone is a narrative of one); a true-rated or unsure match does not; a fast-growing
//! narrative alerts once; a narrative that alerted escalates at 10x, 100x, ... its size then.

use claimdesk_core::{Actor, AlertRule, Explanation, FactCheck, FactCheckId, Rating, StoredItem};
use claimdesk_monitor::{AlertSettings, MonitorSettings};
use claimdesk_store::prelude::*;
use claimdesk_store::{AlertFilter, ImportSource, NewFactCheck, SqliteStore, StoredMatch};
use serde_json::json;

use crate::util::{item, monitor, rfc3339, save, store};

const CLAIM: &str = "Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần, \
                     các bác sĩ bệnh viện không muốn bạn biết điều này";

/// A store with one fact-check rated False; its id.
async fn false_fact_check(s: &SqliteStore) -> FactCheckId {
    let src = ImportSource {
        file: "fc",
        format: "csv",
        diagnostics: &[],
        actor: Actor::Cli,
    };
    s.save_fact_checks(
        &[fact_check("false", "Nước chanh chữa ung thư", 1.0, "False")],
        src,
    )
    .await
    .unwrap();
    s.fact_checks().await.unwrap()[0].id
}

/// Each item matched to `fc` confidently.
async fn match_all(s: &SqliteStore, items: &[StoredItem], fc: FactCheckId) {
    for i in items {
        let m = StoredMatch {
            fact_check: fc,
            rank: 1,
            score: 0.95,
            explanation: explain(
                json!({"features": [{"name": "cosine", "value": 0.9, "effect": 1.0}], "confident": true}),
            ),
        };
        s.save_matches(i.id, &[m]).await.unwrap();
    }
}

/// Copies `from..from + count` of the claim, `gap` seconds apart, from distinct pages (or
/// all from one).
fn copies(from: usize, count: usize, gap: i64, one_page: bool) -> Vec<claimdesk_store::NewItem> {
    (from..from + count)
        .map(|i| {
            let page = if one_page {
                "one-page".to_string()
            } else {
                format!("page{i}")
            };
            item(
                &format!("c{i}"),
                &format!("{CLAIM} {}", ["", "!!", "#share", "(chia sẻ)"][i % 4]),
                &page,
                Some(&rfc3339(1_795_168_800 + i as i64 * gap)),
            )
        })
        .collect()
}

fn fact_check(id: &str, claim: &str, value: f64, label: &str) -> NewFactCheck {
    NewFactCheck {
        fact_check: FactCheck {
            source_id: id.to_string(),
            claim: claim.to_string(),
            rating: Some(Rating {
                value: Some(value),
                best: Some(5.0),
                worst: Some(1.0),
                label: Some(label.to_string()),
            }),
            ..FactCheck::default()
        },
        duplicate_key: id.to_string(),
    }
}

#[tokio::test]
async fn a_confident_false_match_alerts_once() {
    let (_d, s) = store().await;
    let src = ImportSource {
        file: "fc",
        format: "csv",
        diagnostics: &[],
        actor: Actor::Cli,
    };
    s.save_fact_checks(
        &[
            fact_check("false", "Nước chanh chữa ung thư", 1.0, "False"),
            fact_check("true", "Rửa tay phòng bệnh", 5.0, "True"),
        ],
        src,
    )
    .await
    .unwrap();
    let fcs = s.fact_checks().await.unwrap();
    let (fc_false, fc_true) = (fcs[0].id, fcs[1].id);
    let items = save(
        &s,
        &[
            item("1", "nước chanh nóng chữa ung thư", "a", None),
            item("2", "rửa tay sạch sẽ", "b", None),
            item("3", "nước chanh có thể chữa ung thư?", "c", None),
        ],
    )
    .await;
    let m = |fc, score: f32, explanation: Explanation| StoredMatch {
        fact_check: fc,
        rank: 1,
        score,
        explanation,
    };
    s.save_matches(
        items[0].id,
        &[m(
            fc_false,
            0.93,
            explain(json!({"features": [{"name": "cosine", "value": 0.9, "effect": 1.0}]})),
        )],
    )
    .await
    .unwrap();
    s.save_matches(
        items[1].id,
        &[m(fc_true, 0.99, explain(json!({"confident": true})))],
    )
    .await
    .unwrap();
    // Below the score threshold, but the reranker called it confident.
    s.save_matches(
        items[2].id,
        &[m(fc_false, 0.4, explain(json!({"confident": true})))],
    )
    .await
    .unwrap();

    let mut mon = monitor(&s, MonitorSettings::default()).await;
    let seen = mon.observe(&s, &items).await.unwrap();
    let rules: Vec<Vec<AlertRule>> = seen
        .iter()
        .map(|o| o.alerts.iter().map(|a| a.rule).collect())
        .collect();
    assert_eq!(
        rules,
        [
            vec![AlertRule::FalseMatch],
            vec![],
            vec![AlertRule::FalseMatch]
        ]
    );
    let a = &seen[0].alerts[0];
    // About the item's narrative (a narrative of one), raised by the item.
    assert_eq!(a.subject, format!("narrative:{}", seen[0].narrative.0));
    assert_eq!(a.narrative, Some(seen[0].narrative));
    assert_eq!(a.item, Some(items[0].id));
    assert_eq!(a.count.map(|c| c.items), Some(1));
    assert_eq!(a.fact_check, Some(fc_false));
    assert!(a.summary.contains("rated False"), "{}", a.summary);

    // Observing again (and re-matching) raises nothing new: one alert per rule and subject.
    s.save_matches(
        items[0].id,
        &[m(
            fc_false,
            0.95,
            explain(json!({"features": [{"name": "cosine", "value": 0.9, "effect": 1.0}]})),
        )],
    )
    .await
    .unwrap();
    let again = mon.observe(&s, &items).await.unwrap();
    assert!(again.iter().all(|o| o.alerts.is_empty()));
    assert_eq!(s.alerts(&AlertFilter::default()).await.unwrap().len(), 2);
    // Each alert is in the audit trail.
    let raised = s
        .audit_events(&claimdesk_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "alert.raise")
        .count();
    assert_eq!(raised, 2);
}

#[tokio::test]
async fn a_fast_growing_narrative_alerts_once() {
    let (_d, s) = store().await;
    let settings = MonitorSettings {
        alerts: AlertSettings {
            growth_items_per_hour: 4.0,
            growth_window_hours: 2,
            ..AlertSettings::default()
        },
        ..MonitorSettings::default()
    };
    let claim =
        "Bộ Y tế xác nhận vắc xin mới gây vô sinh ở phụ nữ trẻ theo một nghiên cứu chưa công bố";
    // One source (no burst), 12 items over 110 minutes: 6 an hour over 2 hours.
    let new: Vec<_> = (0..12)
        .map(|i| {
            item(
                &i.to_string(),
                claim,
                "one-page",
                Some(&rfc3339(1_795_168_800 + i * 600)),
            )
        })
        .collect();
    let items = save(&s, &new).await;
    let mut mon = monitor(&s, settings).await;
    let seen = mon.observe(&s, &items).await.unwrap();
    let growth: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, o)| o.alerts.iter().any(|a| a.rule == AlertRule::Growth))
        .map(|(i, _)| i)
        .collect();
    // The 8th item makes 8 in 2 hours (4 an hour); later ones raise nothing new.
    assert_eq!(growth, [7]);
    let all = s.alerts(&AlertFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].details["items"], 8);
}

#[tokio::test]
async fn lexical_matches_are_held_to_the_lexical_threshold() {
    let (_d, s) = store().await;
    let src = ImportSource {
        file: "fc",
        format: "csv",
        diagnostics: &[],
        actor: Actor::Cli,
    };
    s.save_fact_checks(
        &[fact_check("f", "Trứng gà giả làm từ sáp", 1.0, "False")],
        src,
    )
    .await
    .unwrap();
    let fc = s.fact_checks().await.unwrap()[0].id;
    let items = save(
        &s,
        &[
            item("1", "trứng gà giả làm từ sáp", "a", None),
            item("2", "trứng gà", "b", None),
        ],
    )
    .await;
    // BM25 scores: 65 (a strong lexical match) and 5 (two common words); neither reranked.
    for (item, score) in [(&items[0], 65.0), (&items[1], 5.0)] {
        let m = StoredMatch {
            fact_check: fc,
            rank: 1,
            score,
            explanation: explain(json!({"lexical": score})),
        };
        s.save_matches(item.id, &[m]).await.unwrap();
    }
    let mut mon = monitor(&s, MonitorSettings::default()).await;
    let seen = mon.observe(&s, &items).await.unwrap();
    assert_eq!(seen[0].alerts.len(), 1);
    assert!(seen[1].alerts.is_empty());
}

#[tokio::test]
async fn a_verified_match_alerts_only_when_confident_whatever_its_ranking_score() {
    let (_d, s) = store().await;
    let src = ImportSource {
        file: "fc",
        format: "csv",
        diagnostics: &[],
        actor: Actor::Cli,
    };
    s.save_fact_checks(
        &[fact_check(
            "false",
            "Trứng gà giả làm từ nhựa",
            1.0,
            "False",
        )],
        src,
    )
    .await
    .unwrap();
    let fc = s.fact_checks().await.unwrap()[0].id;
    let items = save(
        &s,
        &[
            item("1", "công thức bánh chuối nướng thơm ngon", "a", None),
            item("2", "trứng gà giả làm từ nhựa đang bán khắp chợ", "b", None),
        ],
    )
    .await;
    let m = |score: f32, explanation: Explanation| StoredMatch {
        fact_check: fc,
        rank: 1,
        score,
        explanation,
    };
    // The nearest fact-check, ranked with a high score, that the verifier says is no match.
    s.save_matches(
        items[0].id,
        &[m(
            0.97,
            explain(json!({"features": [{"name": "cosine", "value": 0.9, "effect": 1.0}], "strength": "nearest", "probability": 0.02})),
        )],
    )
    .await
    .unwrap();
    s.save_matches(
        items[1].id,
        &[m(
            0.6,
            explain(json!({"features": [{"name": "cosine", "value": 0.9, "effect": 1.0}], "strength": "confident", "confident": true, "probability": 0.99})),
        )],
    )
    .await
    .unwrap();
    let mut mon = monitor(&s, MonitorSettings::default()).await;
    let seen = mon.observe(&s, &items).await.unwrap();
    let rules: Vec<Vec<AlertRule>> = seen
        .iter()
        .map(|o| o.alerts.iter().map(|a| a.rule).collect())
        .collect();
    assert_eq!(rules, [vec![], vec![AlertRule::FalseMatch]]);
}

#[tokio::test]
async fn a_story_alerts_once_however_many_of_its_items_repeat_a_false_claim() {
    let (_d, s) = store().await;
    let fc = false_fact_check(&s).await;
    let first = save(&s, &copies(0, 5, 60, false)).await;
    match_all(&s, &first, fc).await;
    let mut mon = monitor(&s, MonitorSettings::default()).await;
    let seen = mon.observe(&s, &first).await.unwrap();
    assert!(seen.iter().all(|o| o.narrative == seen[0].narrative));
    let raised: Vec<usize> = seen.iter().map(|o| o.alerts.len()).collect();
    assert_eq!(
        raised,
        [1, 0, 0, 0, 0],
        "the first item of the story alerts"
    );
    assert_eq!(seen[0].alerts[0].rule, AlertRule::FalseMatch);
    // More of the story later, and after a restart: nothing new (9 items, short of the
    // escalation at 10 times the 1 item of the first alert).
    let more = save(&s, &copies(5, 3, 60, false)).await;
    match_all(&s, &more, fc).await;
    let seen_more = mon.observe(&s, &more).await.unwrap();
    assert!(seen_more.iter().all(|o| o.alerts.is_empty()));
    let later = save(&s, &copies(8, 1, 60, false)).await;
    match_all(&s, &later, fc).await;
    let mut restarted = monitor(&s, MonitorSettings::default()).await;
    let seen_later = restarted.observe(&s, &later).await.unwrap();
    assert_eq!(seen_later[0].narrative, seen[0].narrative);
    assert!(seen_later[0].alerts.is_empty());
    // An item of another story that repeats the claim alerts on its own.
    let other = save(
        &s,
        &[item("o", "nước chanh nóng chữa ung thư", "blog", None)],
    )
    .await;
    match_all(&s, &other, fc).await;
    let seen_other = restarted.observe(&s, &other).await.unwrap();
    assert_ne!(seen_other[0].narrative, seen[0].narrative);
    assert_eq!(seen_other[0].alerts.len(), 1);
    let all = s.alerts(&AlertFilter::default()).await.unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_story_escalates_at_ten_and_a_hundred_times_its_first_alert() {
    let (_d, s) = store().await;
    let fc = false_fact_check(&s).await;
    // One page, an hour apart: no burst and no growth alert, only the false match.
    let settings = MonitorSettings::default();
    let new = copies(0, 250, 3600, true);
    // The first 2 items match the false claim: the story first alerts at 1 item.
    let items = save(&s, &new).await;
    match_all(&s, &items[..2], fc).await;
    let mut mon = monitor(&s, settings.clone()).await;
    let mut raised = Vec::new();
    for chunk in items[..150].chunks(64) {
        for o in mon.observe(&s, chunk).await.unwrap() {
            for a in o.alerts {
                raised.push((a.rule, a.count.unwrap().items, a.subject));
            }
        }
    }
    let n = mon.observe(&s, &items[..1]).await.unwrap()[0].narrative.0;
    assert_eq!(
        raised,
        [
            (AlertRule::FalseMatch, 1, format!("narrative:{n}")),
            (AlertRule::Escalation, 10, format!("narrative:{n}:x10")),
            (AlertRule::Escalation, 100, format!("narrative:{n}:x100")),
        ]
    );
    let escalation = s
        .alerts(&AlertFilter {
            rule: Some(AlertRule::Escalation),
            ..AlertFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(escalation[0].details["multiple"], 100);
    assert_eq!(escalation[0].details["first_alert_items"], 1);
    assert!(
        escalation[0].summary.contains("grown 100x"),
        "{}",
        escalation[0].summary
    );
    // After a restart, the rest of the story: nothing new before 1,000 items.
    let mut restarted = monitor(&s, settings).await;
    for chunk in items[150..].chunks(64) {
        for o in restarted.observe(&s, chunk).await.unwrap() {
            assert!(o.alerts.is_empty(), "{:?}", o.alerts);
        }
    }
    assert_eq!(s.alerts(&AlertFilter::default()).await.unwrap().len(), 3);
}

/// An explanation as the matcher would store it, from its JSON.
fn explain(json: serde_json::Value) -> Explanation {
    serde_json::from_value(json).expect("an explanation")
}
