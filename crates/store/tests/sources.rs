//! Watched sources: adding and removing (audited, viewers refused), and what a poll record
//! does to the polling state.

use claimdesk_core::{Actor, Role};
use claimdesk_store::AnyStore;
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AuditFilter, Error, NewSource, NewUser, PollOutcome, PollRecord, SourceHealth, SourceKind,
};

fn feed(url: &str) -> NewSource {
    NewSource {
        kind: SourceKind::Feed,
        location: url.into(),
        interval_secs: 900,
        first_poll_at: "2026-12-01T12:00:00Z".into(),
    }
}

fn poll(at: &str, outcome: PollOutcome, next: &str, error: Option<&str>) -> PollRecord {
    PollRecord {
        polled_at: at.into(),
        outcome,
        next_poll_at: next.into(),
        etag: Some("\"e1\"".into()),
        last_modified: None,
        error: error.map(str::to_string),
        items: 3,
    }
}

async fn sources_are_added_once_listed_and_removed_with_audit_events(s: AnyStore) {
    let a = s
        .add_source(&feed("https://a.example/rss"), Actor::Cli)
        .await
        .unwrap();
    assert_eq!(a.health(), SourceHealth::New);
    assert_eq!(a.next_poll_at, "2026-12-01T12:00:00Z");
    match s
        .add_source(&feed("https://a.example/rss"), Actor::Cli)
        .await
    {
        Err(Error::Invalid(m)) => assert!(m.contains("is already source 1"), "{m}"),
        other => panic!("{other:?}"),
    }
    let b = s
        .add_source(&feed("https://b.example/rss"), Actor::Cli)
        .await
        .unwrap();
    assert_eq!(s.sources().await.unwrap().len(), 2);
    assert_eq!(
        s.source_at("https://b.example/rss")
            .await
            .unwrap()
            .unwrap()
            .id,
        b.id
    );
    s.remove_source(a.id, Actor::Cli).await.unwrap();
    assert!(s.source(a.id).await.unwrap().is_none());
    assert!(matches!(
        s.remove_source(a.id, Actor::Cli).await,
        Err(Error::NotFound { .. })
    ));
    let actions: Vec<String> = s
        .audit_events(&AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{} {}", e.action, e.subject))
        .collect();
    assert_eq!(
        actions,
        [
            "source.add source:1",
            "source.add source:2",
            "source.remove source:1"
        ]
    );
    assert!(s.verify_audit().await.unwrap().is_intact());
}

async fn a_viewer_may_not_add_sources(s: AnyStore) {
    let viewer = s
        .add_user(
            &NewUser {
                username: "v".into(),
                display_name: None,
                role: Role::Viewer,
                password: hash_password("password-of-test").unwrap(),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let r = s
        .add_source(&feed("https://a.example/rss"), Actor::User(viewer.id))
        .await;
    assert!(matches!(r, Err(Error::Forbidden { .. })), "{r:?}");
}

async fn polls_record_validators_failures_and_recovery(s: AnyStore) {
    let src = s
        .add_source(&feed("https://a.example/rss"), Actor::Cli)
        .await
        .unwrap();
    let t0 = "2026-12-01T12:00:00Z";
    let ok = s
        .record_poll(
            src.id,
            &poll(t0, PollOutcome::Fetched, "2026-12-01T12:15:00Z", None),
        )
        .await
        .unwrap();
    assert_eq!(ok.etag.as_deref(), Some("\"e1\""));
    assert_eq!(
        (ok.items_seen, ok.last_outcome),
        (3, Some(PollOutcome::Fetched))
    );
    assert_eq!(
        ok.health(),
        SourceHealth::Ok {
            last_success_at: t0.into()
        }
    );

    let f1 = s
        .record_poll(
            src.id,
            &poll(
                "2026-12-01T12:15:00Z",
                PollOutcome::Failed,
                "2026-12-01T12:45:00Z",
                Some("HTTP 500"),
            ),
        )
        .await
        .unwrap();
    let f2 = s
        .record_poll(
            src.id,
            &poll(
                "2026-12-01T12:45:00Z",
                PollOutcome::Failed,
                "2026-12-01T13:45:00Z",
                Some("timed out"),
            ),
        )
        .await
        .unwrap();
    assert_eq!(f1.consecutive_failures, 1);
    assert_eq!(
        f2.etag.as_deref(),
        Some("\"e1\""),
        "a failure keeps the validators"
    );
    assert_eq!(
        f2.health(),
        SourceHealth::Failing {
            since: "2026-12-01T12:15:00Z".into(),
            failures: 2,
            error: "timed out".into(),
            retry_at: "2026-12-01T13:45:00Z".into(),
        }
    );
    assert!(
        s.due_sources("2026-12-01T13:44:59Z")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.due_sources("2026-12-01T13:45:00Z").await.unwrap().len(),
        1
    );

    let back = s
        .record_poll(
            src.id,
            &poll(
                "2026-12-01T13:45:00Z",
                PollOutcome::NotModified,
                "2026-12-01T14:00:00Z",
                None,
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            back.consecutive_failures,
            back.last_error.as_deref(),
            back.failing_since.as_deref()
        ),
        (0, None, None)
    );
    assert_eq!(
        back.last_success_at.as_deref(),
        Some("2026-12-01T13:45:00Z")
    );
}

/// A paused source (issue 16: monitoring from the web) is kept but never due; resuming makes
/// it due again; each change is one audit event, asking again for the same state is none.
async fn a_paused_source_is_not_due_until_resumed(s: AnyStore) {
    let a = s
        .add_source(&feed("https://a.example/rss"), Actor::Cli)
        .await
        .unwrap();
    let later = "2026-12-02T00:00:00Z";
    assert_eq!(s.due_sources(later).await.unwrap().len(), 1);
    let paused = s.set_source_paused(a.id, true, Actor::Cli).await.unwrap();
    assert!(paused.paused);
    assert!(s.due_sources(later).await.unwrap().is_empty());
    assert!(s.source(a.id).await.unwrap().unwrap().paused);
    assert!(
        s.set_source_paused(a.id, true, Actor::Cli)
            .await
            .unwrap()
            .paused
    );
    let resumed = s.set_source_paused(a.id, false, Actor::Cli).await.unwrap();
    assert!(!resumed.paused);
    assert_eq!(s.due_sources(later).await.unwrap().len(), 1);
    let actions: Vec<String> = s
        .audit_events(&AuditFilter {
            subject: Some(format!("source:{}", a.id)),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["source.add", "source.pause", "source.resume"]);
    assert!(matches!(
        s.set_source_paused(claimdesk_store::SourceId(99), true, Actor::Cli)
            .await,
        Err(Error::NotFound { .. })
    ));
}

conformance!(
    sources_are_added_once_listed_and_removed_with_audit_events,
    a_viewer_may_not_add_sources,
    polls_record_validators_failures_and_recovery,
    a_paused_source_is_not_due_until_resumed,
);
