//! The roles the other modules leave out, each method called at least once on both
//! backends: the embedding cache, stored matches and the intake backlog, narratives with
//! their bursts, alerts and their decisions, webhooks and deliveries, the digest log.

use claimdesk_core::{
    Actor, AlertRule, Burst, Explanation, FactCheckId, Item, ItemId, JoinedBy, NarrativeCount,
    NarrativeMember,
};
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AlertDecision, AlertFilter, AnyStore, DeliveryAttempt, DigestAttempt, NarrativeAssignment,
    NarrativeFilter, NewAlert, NewItem, NextAttempt, Period, StoredMatch,
};

use crate::{fc, source};

async fn items(s: &impl Store, texts: &[(&str, &str, Option<&str>)]) -> Vec<ItemId> {
    let batch: Vec<NewItem> = texts
        .iter()
        .map(|(key, src, at)| NewItem {
            key: (*key).into(),
            item: Item {
                text: format!("post {key}"),
                source: Some((*src).into()),
                published_at: at.map(Into::into),
                ..Item::default()
            },
        })
        .collect();
    s.save_items(&batch, source()).await.unwrap().1
}

fn matched(fact_check: FactCheckId, rank: u32, confident: bool) -> StoredMatch {
    StoredMatch {
        fact_check,
        rank,
        score: 0.5 / rank as f32,
        explanation: Explanation {
            confident,
            ..Explanation::default()
        },
    }
}

async fn embeddings_are_kept_by_model_and_text_hash(s: AnyStore) {
    // A hash above i64::MAX is stored by its bits.
    let big = u64::MAX - 7;
    s.save_embeddings("m1", &[(1, vec![0.5, -1.0]), (big, vec![2.0, 0.25])])
        .await
        .unwrap();
    // Saving a vector again keeps the first.
    s.save_embeddings("m1", &[(1, vec![9.0, 9.0])])
        .await
        .unwrap();
    let mut got = s.embeddings("m1", &[1, big, 3]).await.unwrap();
    got.sort_by_key(|(h, _)| *h);
    assert_eq!(got, [(1, vec![0.5, -1.0]), (big, vec![2.0, 0.25])]);
    assert!(s.embeddings("m2", &[1]).await.unwrap().is_empty());
}

async fn matches_are_replaced_per_item_and_found_by_fact_check(s: AnyStore) {
    s.save_fact_checks(&[fc("1", "a", "ka"), fc("2", "b", "kb")], source())
        .await
        .unwrap();
    let fcs: Vec<FactCheckId> = s
        .fact_checks()
        .await
        .unwrap()
        .iter()
        .map(|f| f.id)
        .collect();
    let ids = items(
        &s,
        &[("i1", "x", None), ("i2", "y", Some("2026-01-02T00:00:00Z"))],
    )
    .await;
    assert_eq!(s.counts().await.unwrap(), (2, 2));
    // Both items wait for the pipeline until marked processed.
    assert_eq!(s.pending_items(10).await.unwrap(), ids);
    s.mark_processed(&ids[..1]).await.unwrap();
    assert_eq!(s.pending_items(10).await.unwrap(), ids[1..]);
    assert_eq!(s.first_item_since(0).await.unwrap(), Some(ids[0]));
    assert_eq!(s.first_item_since(i64::MAX / 2).await.unwrap(), None);

    s.save_matches_of(&[
        (
            ids[0],
            vec![matched(fcs[0], 1, true), matched(fcs[1], 2, false)],
        ),
        (ids[1], vec![matched(fcs[1], 1, false)]),
    ])
    .await
    .unwrap();
    let m = s.matches(ids[0]).await.unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!((m[0].fact_check, m[0].rank, m[0].score), (fcs[0], 1, 0.5));
    assert!(m[0].explanation.confident);
    assert_eq!(
        s.items_matched_to(&[fcs[1]]).await.unwrap(),
        [ids[0], ids[1]]
    );
    // Replacing an item's matches drops the old ones.
    s.save_matches(ids[0], &[matched(fcs[1], 1, false)])
        .await
        .unwrap();
    let both = s.matches_of_items(&[ids[1], ids[0]]).await.unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both[1].len(), 1);
    assert_eq!(both[1][0].fact_check, fcs[1]);
    assert_eq!(s.items_matched_to(&[fcs[0]]).await.unwrap(), []);
    assert!(s.matches_of_items(&[]).await.unwrap().is_empty());
}

async fn narratives_bursts_alerts_and_webhooks(s: AnyStore) {
    let ids = items(
        &s,
        &[
            ("n1", "a", Some("2026-03-01T10:00:00Z")),
            ("n2", "b", Some("2026-03-01T10:05:00Z")),
            ("n3", "b", Some("2026-03-01T11:00:00Z")),
        ],
    )
    .await;
    let assign = |item: ItemId, joins: Option<usize>| NarrativeAssignment {
        item,
        narrative: None,
        joined_by: if joins.is_some() {
            JoinedBy::Fingerprint
        } else {
            JoinedBy::Seed
        },
        fingerprint: Some(u64::MAX - 1),
        minhash: Some(vec![1, 2, 3, 4]),
        embedding: Some(vec![1.0, 0.0]),
        joins_earlier: joins,
        representative: true,
    };
    let done = s
        .assign_narratives(&[assign(ids[0], None), assign(ids[1], Some(0))])
        .await
        .unwrap();
    let n = done[0].narrative;
    assert_eq!(done[1].narrative, n);
    assert_eq!(done[1].count.items, 2);
    let third = s
        .assign_narrative(&NarrativeAssignment {
            narrative: Some(n),
            ..assign(ids[2], None)
        })
        .await
        .unwrap();
    assert_eq!(
        third.count,
        NarrativeCount {
            items: 3,
            first_seen: done[0].at,
            last_seen: third.at,
        }
    );
    // Assigning an item again changes nothing.
    assert!(
        !s.assign_narrative(&assign(ids[2], None))
            .await
            .unwrap()
            .added
    );

    let index = s.narrative_index().await.unwrap();
    assert_eq!(index.members.len(), 3);
    assert_eq!(index.members[0].1, Some(u64::MAX - 1));
    assert_eq!(index.centroids, [(n, vec![1.0, 0.0], 3)]);
    let members = s.narrative_members(n).await.unwrap();
    assert_eq!(members.len(), 3);
    let early = s
        .narrative_members_between(n, done[0].at, done[1].at)
        .await
        .unwrap();
    assert_eq!(early.len(), 2);

    let burst = Burst {
        window_start: done[0].at,
        window_end: third.at,
        items: 3,
        sources: 2,
        evidence: vec![NarrativeMember {
            item: ids[0],
            at: done[0].at,
            source: Some("a".into()),
            joined_by: JoinedBy::Seed,
        }],
    };
    assert!(s.save_burst(n, &burst).await.unwrap());
    assert!(!s.save_burst(n, &burst).await.unwrap());
    let listed = s
        .narratives(&NarrativeFilter {
            min_items: 2,
            bursts_only: true,
            ..NarrativeFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].items, listed[0].sources), (3, 2));
    assert_eq!(listed[0].burst.as_ref(), Some(&burst));
    let detail = s.narrative(n, 2).await.unwrap().unwrap();
    assert_eq!(detail.items.len(), 2);
    assert_eq!(detail.volume.iter().map(|v| v.items).sum::<u32>(), 3);
    assert_eq!(detail.sources.len(), 2);
    let march = Period {
        from: done[0].at - 3600,
        to: third.at + 3600,
    };
    assert_eq!(s.new_narratives(march, 5).await.unwrap().len(), 1);
    assert_eq!(s.growing_narratives(march, 5).await.unwrap().len(), 1);

    let hook = s
        .add_webhook(
            "https://hooks.example/desk",
            "a-secret-of-16-chars",
            Actor::Cli,
        )
        .await
        .unwrap();
    assert_eq!(s.webhooks().await.unwrap(), std::slice::from_ref(&hook));
    let alert = NewAlert {
        rule: AlertRule::Burst,
        subject: format!("narrative:{}", n.0),
        item: None,
        narrative: Some(n),
        fact_check: None,
        count: Some(third.count),
        summary: "a burst".into(),
        details: serde_json::json!({"items": 3}),
    };
    let raised = s.raise_alert(&alert).await.unwrap().unwrap();
    assert!(s.raise_alert(&alert).await.unwrap().is_none());
    assert_eq!(raised.details["items"], 3);
    let burst_alerts = AlertFilter {
        rule: Some(AlertRule::Burst),
        ..AlertFilter::default()
    };
    assert_eq!(
        s.alerts(&burst_alerts).await.unwrap(),
        std::slice::from_ref(&raised)
    );
    assert_eq!(s.alerts(&AlertFilter::default()).await.unwrap().len(), 1);
    assert_eq!(s.narrative_index().await.unwrap().alerts.len(), 1);

    let state = s
        .decide_alert(
            raised.id,
            &AlertDecision::Dismissed {
                reason: "a known campaign".into(),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    assert_eq!(s.alert_states(&[raised.id]).await.unwrap(), [state]);

    // The alert waits in the webhook's outbox until delivered.
    let due = s
        .due_deliveries("9999-01-01T00:00:00.000Z", 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].alert.id, due[0].attempts), (raised.id, 0));
    s.record_delivery(&DeliveryAttempt {
        webhook: hook.id,
        alert: raised.id,
        attempt: 1,
        status: Some(500),
        error: Some("server error".into()),
        at: "2026-03-01T12:00:00.000Z".into(),
        next: NextAttempt::RetryAt("2026-03-01T12:01:00.000Z".into()),
    })
    .await
    .unwrap();
    assert!(
        s.due_deliveries("2026-03-01T12:00:30.000Z", 10)
            .await
            .unwrap()
            .is_empty()
    );
    s.record_delivery(&DeliveryAttempt {
        webhook: hook.id,
        alert: raised.id,
        attempt: 2,
        status: Some(200),
        error: None,
        at: "2026-03-01T12:01:00.000Z".into(),
        next: NextAttempt::Delivered,
    })
    .await
    .unwrap();
    let log = s.deliveries(Some(hook.id), 10).await.unwrap();
    assert_eq!(
        log.iter()
            .map(|d| (d.attempt, d.status))
            .collect::<Vec<_>>(),
        [(2, Some(200)), (1, Some(500))]
    );
    assert!(
        s.due_deliveries("9999-01-01T00:00:00.000Z", 10)
            .await
            .unwrap()
            .is_empty()
    );
    s.remove_webhook(hook.id, Actor::Cli).await.unwrap();
    assert!(s.webhooks().await.unwrap().is_empty());

    s.clear_narratives().await.unwrap();
    assert!(
        s.narratives(&NarrativeFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.narrative_index().await.unwrap().members.is_empty());
}

async fn digest_attempts_are_logged_per_period(s: AnyStore) {
    let attempt = |n: u32, sent: bool| DigestAttempt {
        kind: "weekly".into(),
        period_from: "2026-03-02".into(),
        period_to: "2026-03-08".into(),
        language: "vi".into(),
        recipients: 3,
        attempt: n,
        sent,
        error: (!sent).then(|| "smtp down".into()),
        at: format!("2026-03-09T0{n}:00:00.000Z"),
    };
    s.record_digest_attempt(&attempt(1, false)).await.unwrap();
    s.record_digest_attempt(&attempt(2, true)).await.unwrap();
    assert_eq!(
        s.digest_attempts("weekly", "2026-03-02").await.unwrap(),
        [attempt(1, false), attempt(2, true)]
    );
    assert!(
        s.digest_attempts("monthly", "2026-03-02")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.recent_digest_attempts(1).await.unwrap(),
        [attempt(2, true)]
    );
}

/// Intake shared by processes: what a process stores it holds; another takes it only once
/// the lease ran out, and two takers never get the same item; matched items wait for the
/// narratives, and one a narrative already holds is done with.
async fn intake_is_leased_then_left_for_the_narratives(s: AnyStore) {
    use std::time::Duration;
    if s.backend() == "sqlite" {
        // One process per file: what waits at a start was left by this desk.
        let ids = items(
            &s,
            &[("l1", "a", None), ("l2", "a", None), ("l3", "b", None)],
        )
        .await;
        assert_eq!(s.claim_pending(2).await.unwrap(), ids[..2]);
        s.finish_matching(&ids[..2]).await.unwrap();
        assert_eq!(s.claim_pending(10).await.unwrap(), ids[2..]);
        s.finish_matching(&ids[2..]).await.unwrap();
        assert!(s.claim_pending(10).await.unwrap().is_empty());
        assert_eq!(s.pending_narratives(10).await.unwrap(), ids);
        s.mark_processed(&ids).await.unwrap();
        assert!(s.pending_items(10).await.unwrap().is_empty());
        return;
    }
    // Held by the process that stored it.
    let held = items(&s, &[("h1", "a", None)]).await;
    assert!(s.claim_pending(10).await.unwrap().is_empty());
    // Stored by a process whose lease ran out at once: another takes them over, in order,
    // and holds them in its turn.
    s.set_intake_lease(Duration::ZERO);
    let ids = items(
        &s,
        &[("l1", "a", None), ("l2", "a", None), ("l3", "b", None)],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    s.set_intake_lease(Duration::from_secs(60));
    assert_eq!(s.claim_pending(2).await.unwrap(), ids[..2]);
    assert_eq!(s.claim_pending(10).await.unwrap(), ids[2..]);
    assert!(s.claim_pending(10).await.unwrap().is_empty());
    // Matched: they wait for the process that places items in narratives.
    s.finish_matching(&ids).await.unwrap();
    assert_eq!(s.pending_narratives(10).await.unwrap(), ids);
    assert!(s.claim_pending(10).await.unwrap().is_empty());
    // One placed by a process that stopped before saying so is done with.
    s.assign_narratives(&[NarrativeAssignment {
        item: ids[0],
        narrative: None,
        joined_by: JoinedBy::Seed,
        fingerprint: None,
        minhash: None,
        embedding: None,
        joins_earlier: None,
        representative: true,
    }])
    .await
    .unwrap();
    assert_eq!(s.pending_narratives(10).await.unwrap(), ids[1..]);
    s.mark_processed(&ids[1..]).await.unwrap();
    assert_eq!(s.pending_items(10).await.unwrap(), held);
}

/// One process leads at a time; the lead passes on when its holder lets go.
async fn one_process_leads_at_a_time(s: AnyStore) {
    let mut lead = s.try_lead().await.unwrap().expect("nobody leads yet");
    assert!(lead.holds().await);
    if s.backend() == "postgres" {
        // Another connection (another process) does not get it while it is held.
        assert!(s.try_lead().await.unwrap().is_none());
    }
    drop(lead);
    // Let go: the server ends the holder's session, then the next asker leads.
    let mut next = None;
    for _ in 0..100 {
        next = s.try_lead().await.unwrap();
        if next.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(next.is_some(), "the lead did not pass on");
}

conformance!(
    embeddings_are_kept_by_model_and_text_hash,
    matches_are_replaced_per_item_and_found_by_fact_check,
    narratives_bursts_alerts_and_webhooks,
    digest_attempts_are_logged_per_period,
    intake_is_leased_then_left_for_the_narratives,
    one_process_leads_at_a_time,
);
