//! The desk's counters: kept in the transactions that write what they count, and equal to
//! what `rebuild_stats` computes from the records.

use claimdesk_core::{
    Actor, CaseStatus, CheckWorthiness, Explanation, FactCheckId, Item, Rating, Role, User,
};
use claimdesk_store::AnyStore;
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{DraftFactCheck, Metric, NewCase, NewItem, NewUser, Period, StoredMatch};

use crate::{fc, source};

/// Unix seconds of a UTC time written `2026-03-02T23:30:00Z`.
fn unix(at: &str) -> i64 {
    at.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn item(key: &str, at: Option<&str>, source: &str, language: &str) -> NewItem {
    NewItem {
        item: Item {
            external_id: Some(key.into()),
            text: format!("post {key}"),
            published_at: at.map(str::to_string),
            source: Some(source.into()),
            language: Some(language.into()),
            ..Item::default()
        },
        key: format!("{source}:{key}"),
    }
}

fn top(fact_check: FactCheckId, confident: bool) -> Vec<StoredMatch> {
    StoredMatch::ranked([(
        fact_check,
        1.0,
        Explanation {
            confident,
            ..Explanation::default()
        },
    )])
}

fn worthiness(matched: bool) -> CheckWorthiness {
    CheckWorthiness {
        score: if matched { 0.9 } else { 0.1 },
        sentences: vec![],
        scorer: "cues".into(),
        matched,
    }
}

async fn add(s: &impl Store, name: &str, role: Role) -> User {
    s.add_user(
        &NewUser {
            username: name.into(),
            display_name: None,
            role,
            password: hash_password("password-of-test").unwrap(),
        },
        Actor::Cli,
    )
    .await
    .unwrap()
}

fn draft(claim: &str, label: &str) -> DraftFactCheck {
    DraftFactCheck {
        fact_check: claimdesk_core::FactCheck {
            source_id: "ignored".into(),
            claim: claim.into(),
            rating: Some(Rating {
                label: Some(label.into()),
                ..Rating::default()
            }),
            ..claimdesk_core::FactCheck::default()
        },
        duplicate_key: claim.to_lowercase(),
    }
}

async fn counters_follow_every_change_and_agree_with_a_rebuild(s: AnyStore) {
    s.set_clock(Some("2026-03-01T08:00:00.000Z"));
    s.save_fact_checks(
        &[fc("f1", "claim one", "k1"), fc("f2", "claim two", "k2")],
        source(),
    )
    .await
    .unwrap();
    let fcs = s.fact_checks().await.unwrap();
    let (f1, f2) = (fcs[0].id, fcs[1].id);
    let batch = [
        item("a", Some("2026-03-02T23:30:00Z"), "zalo", "vi"),
        item("b", Some("2026-03-03T01:10:00Z"), "zalo", "vi"),
        item("c", Some("2026-03-03T01:50:00Z"), "web", "en"),
        // No publication time: counted when it was stored (the clock above).
        item("d", None, "web", "vi"),
    ];
    let (_, ids) = s.save_items(&batch, source()).await.unwrap();
    s.save_check_worthiness(&[
        (ids[0], worthiness(true)),
        (ids[1], worthiness(true)),
        (ids[2], worthiness(false)),
    ])
    .await
    .unwrap();
    s.save_matches(ids[0], &top(f1, true)).await.unwrap();
    s.save_matches(ids[1], &top(f1, false)).await.unwrap();
    // Replaced: the old top match is taken away.
    s.save_matches(ids[1], &top(f2, true)).await.unwrap();

    let day = Period {
        from: unix("2026-03-02T17:00:00Z"), // 2026-03-03 00:00 in UTC+7
        to: unix("2026-03-03T17:00:00Z"),
    };
    assert_eq!(
        s.stat_hours(Metric::Items, day).await.unwrap(),
        [
            (unix("2026-03-02T23:00:00Z"), 1),
            (unix("2026-03-03T01:00:00Z"), 2)
        ]
    );
    assert_eq!(
        s.stat_keys(Metric::ItemsBySource, day, 10).await.unwrap(),
        [("zalo".to_string(), 2), ("web".to_string(), 1)]
    );
    let sum = |rows: Vec<(i64, i64)>| rows.iter().map(|r| r.1).sum::<i64>();
    assert_eq!(
        sum(s.stat_hours(Metric::CheckWorthy, day).await.unwrap()),
        2
    );
    assert_eq!(
        sum(s.stat_hours(Metric::MatchConfident, day).await.unwrap()),
        2
    );
    assert_eq!(
        sum(s.stat_hours(Metric::MatchSuggestion, day).await.unwrap()),
        0
    );
    assert_eq!(
        s.stat_keys(Metric::FactCheckMatched, day, 10)
            .await
            .unwrap(),
        [(f1.0.to_string(), 1), (f2.0.to_string(), 1)]
    );
    let stored = Period {
        from: unix("2026-03-01T08:00:00Z"),
        to: unix("2026-03-01T09:00:00Z"),
    };
    assert_eq!(sum(s.stat_hours(Metric::Items, stored).await.unwrap()), 1);

    // The item moves to another day and source: everything counted at its hour moves.
    let mut moved = batch[0].clone();
    moved.item.published_at = Some("2026-03-05T10:00:00Z".into());
    moved.item.source = Some("web".into());
    s.save_items(&[moved], source()).await.unwrap();
    assert_eq!(sum(s.stat_hours(Metric::Items, day).await.unwrap()), 2);
    assert_eq!(
        sum(s.stat_hours(Metric::CheckWorthy, day).await.unwrap()),
        1
    );

    // Cases and a published verdict at known times.
    let ed = add(&s, "ed", Role::Editor).await;
    let rev = add(&s, "rev", Role::Reviewer).await;
    s.set_clock(Some("2026-03-03T02:00:00.000Z"));
    let case = s
        .create_case(
            &NewCase {
                item: Some(ids[1]),
                claim: String::new(),
                assignee: None,
            },
            ed.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    s.save_draft_fact_check(case.id, &draft("post b", "Sai sự thật"), ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::InReview, ed.id)
        .await
        .unwrap();
    s.set_clock(Some("2026-03-03T14:30:00.000Z"));
    s.transition_case(case.id, CaseStatus::Published, rev.id)
        .await
        .unwrap();
    assert_eq!(
        sum(s.stat_hours(Metric::CasesOpened, day).await.unwrap()),
        1
    );
    assert_eq!(
        s.stat_keys(Metric::Verdicts, day, 10).await.unwrap(),
        [("Sai sự thật".to_string(), 1)]
    );
    let published = s.published_cases(day).await.unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].published_at - published[0].opened_at,
        12 * 3600 + 30 * 60
    );
    let work = s.editor_work(day).await.unwrap();
    let ed_work = work.iter().find(|w| w.username == "ed").unwrap();
    assert_eq!((ed_work.cases_opened, ed_work.moves), (1, 3));
    assert_eq!(
        work.iter().find(|w| w.username == "rev").unwrap().published,
        1
    );
    assert!(s.open_cases().await.unwrap().is_empty());

    // Over months: whole months and days from the rollups, the edges from the hours; the
    // same totals as the hours alone.
    let spring = Period {
        from: unix("2026-02-10T17:00:00Z"),
        to: unix("2026-04-20T05:00:00Z"),
    };
    let by_source = s
        .stat_keys(Metric::ItemsBySource, spring, 10)
        .await
        .unwrap();
    let mut expected: Vec<(String, i64)> = Vec::new();
    for r in s.stat_rows().await.unwrap() {
        if r.metric == "items_source" && r.hour >= spring.from && r.hour < spring.to {
            match expected.iter_mut().find(|(k, _)| *k == r.key) {
                Some((_, n)) => *n += r.value,
                None => expected.push((r.key.clone(), r.value)),
            }
        }
    }
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert_eq!(by_source, expected);
    assert_eq!(by_source, [("web".to_string(), 3), ("zalo".to_string(), 1)]);

    // Chart bars (local months at UTC+7, an hour, an empty bar, one bar over it all): each bar's sum from the rollups and edges equals the hours' sum.
    let bars = [
        Period {
            from: spring.from,
            to: unix("2026-02-28T17:00:00Z"),
        },
        Period {
            from: unix("2026-02-28T17:00:00Z"),
            to: unix("2026-03-31T17:00:00Z"),
        },
        Period {
            from: unix("2026-03-31T17:00:00Z"),
            to: spring.to,
        },
        Period {
            from: unix("2026-03-03T01:00:00Z"),
            to: unix("2026-03-03T02:00:00Z"),
        },
        Period {
            from: spring.to,
            to: spring.to,
        },
        spring,
    ];
    let rows = s.stat_rows().await.unwrap();
    let expected: Vec<i64> = bars
        .iter()
        .map(|b| {
            rows.iter()
                .filter(|r| r.metric == "items" && r.hour >= b.from && r.hour < b.to)
                .map(|r| r.value)
                .sum()
        })
        .collect();
    let series = s.stat_series(Metric::Items, &bars).await.unwrap();
    assert_eq!(series, expected);
    // Every item is in March: the local month's bar and the whole period hold all four,
    // the hour bar the two posted at 01:10 and 01:50 UTC on 3 March.
    assert_eq!(series, [0, 4, 0, 2, 0, 4]);

    let kept = s.stat_rows().await.unwrap();
    assert!(kept.len() > 10, "{kept:?}");
    let written = s.rebuild_stats().await.unwrap();
    assert_eq!(written as usize, kept.len());
    assert_eq!(s.stat_rows().await.unwrap(), kept);
    assert_eq!(
        s.stat_keys(Metric::ItemsBySource, spring, 10)
            .await
            .unwrap(),
        by_source,
        "the rollups are rebuilt too"
    );
}

conformance!(counters_follow_every_change_and_agree_with_a_rebuild,);
