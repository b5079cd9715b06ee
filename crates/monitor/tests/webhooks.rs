//! Webhooks: a real loopback server checks the signature, fails the first attempt with 500
//! and accepts the retry; every attempt is in the delivery log.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use claimdesk_core::{Actor, AlertRule, NarrativeCount, NarrativeId};
use claimdesk_ingest::fetch::{AllowList, FetchConfig, GuardedClient};
use claimdesk_monitor::WebhookPolicy;
use claimdesk_monitor::webhook::{
    DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, deliver_due, store_time, verify,
};
use claimdesk_store::prelude::*;
use claimdesk_store::{NewAlert, NextAttempt};
use jiff::Timestamp;
use serde_json::json;

use crate::util::store;

const SECRET: &str = "0123456789abcdef-test-secret";

/// The guarded client deliveries go through, with loopback opened as `[fetch] allow` would.
fn transport(allow: &[&str], timeout_secs: u64) -> GuardedClient {
    GuardedClient::new(FetchConfig {
        allow: AllowList::parse(allow).unwrap(),
        timeout: std::time::Duration::from_secs(timeout_secs),
        ..FetchConfig::default()
    })
    .unwrap()
}

#[derive(Default)]
struct Seen {
    /// (delivery id, signature valid, body) per request.
    requests: Vec<(String, bool, serde_json::Value)>,
}

async fn receive(
    State(seen): State<Arc<Mutex<Seen>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let ts: i64 = header(TIMESTAMP_HEADER).parse().unwrap_or(0);
    let valid = verify(SECRET, ts, &body, &header(SIGNATURE_HEADER));
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let mut seen = seen.lock().unwrap();
    seen.requests.push((header(DELIVERY_HEADER), valid, json));
    if !valid {
        StatusCode::UNAUTHORIZED
    } else if seen.requests.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

#[tokio::test]
async fn a_signed_alert_is_retried_after_a_500_and_logged() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(Arc::clone(&seen));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });

    let (_d, s) = store().await;
    let hook = s
        .add_webhook(&format!("http://{addr}/hook"), SECRET, Actor::Cli)
        .await
        .unwrap();
    let alert = s
        .raise_alert(&NewAlert {
            rule: AlertRule::Burst,
            subject: "narrative:7".into(),
            item: None,
            narrative: Some(NarrativeId(7)),
            fact_check: None,
            count: Some(NarrativeCount {
                items: 300,
                first_seen: 1_795_168_800,
                last_seen: 1_795_169_400,
            }),
            summary: "copy-paste burst".into(),
            details: json!({"items": 300}),
        })
        .await
        .unwrap()
        .unwrap();

    let policy = WebhookPolicy {
        max_attempts: 3,
        backoff_seconds: 30,
        timeout_seconds: 10,
    };
    let transport = transport(&["127.0.0.1:*"], 10);
    // Alerts are due from when they were raised (the store's clock).
    let t0 = Timestamp::now();
    let first = deliver_due(&s, &transport, &policy, t0).await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].status, Some(500));
    let retry = t0.checked_add(jiff::SignedDuration::from_secs(30)).unwrap();
    assert_eq!(first[0].next, NextAttempt::RetryAt(store_time(retry)));
    // Not due again before the backoff has passed.
    let early = t0.checked_add(jiff::SignedDuration::from_secs(29)).unwrap();
    assert!(
        deliver_due(&s, &transport, &policy, early)
            .await
            .unwrap()
            .is_empty()
    );
    let later = t0.checked_add(jiff::SignedDuration::from_secs(30)).unwrap();
    let second = deliver_due(&s, &transport, &policy, later).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].attempt, second[0].status), (2, Some(204)));
    assert_eq!(second[0].next, NextAttempt::Delivered);
    // Delivered: nothing is due any more.
    let much_later = t0
        .checked_add(jiff::SignedDuration::from_secs(86_400))
        .unwrap();
    assert!(
        deliver_due(&s, &transport, &policy, much_later)
            .await
            .unwrap()
            .is_empty()
    );

    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.requests.len(), 2);
        assert!(seen.requests.iter().all(|r| r.1), "both signatures verify");
        assert_eq!(
            seen.requests[0].0,
            format!("{}-{}-1", hook.id.0, alert.id.0)
        );
        assert_eq!(
            seen.requests[1].0,
            format!("{}-{}-2", hook.id.0, alert.id.0)
        );
        let body = &seen.requests[1].2;
        assert_eq!(body["type"], "claimdesk.alert");
        assert_eq!(body["alert"]["rule"], "burst");
        assert_eq!(body["alert"]["subject"], "narrative:7");
        assert_eq!(body["alert"]["details"]["items"], 300);
        // The story with its count: the narrative, its items, first and last seen.
        assert_eq!(body["alert"]["narrative"], 7);
        assert_eq!(body["alert"]["count"], 300);
        assert_eq!(body["alert"]["first_seen"], "2026-11-20T10:00:00Z");
        assert_eq!(body["alert"]["last_seen"], "2026-11-20T10:10:00Z");
    }
    let log = s.deliveries(Some(hook.id), 10).await.unwrap();
    let log: Vec<_> = log
        .iter()
        .map(|d| (d.attempt, d.status, d.error.clone()))
        .collect();
    assert_eq!(
        log,
        [
            (2, Some(204), None),
            (
                1,
                Some(500),
                Some("the endpoint answered HTTP 500".to_string())
            ),
        ]
    );
    let _ = stop.send(());
    server.await.unwrap();
}

#[tokio::test]
async fn an_endpoint_that_never_answers_is_given_up_after_max_attempts() {
    // A port nothing listens on: bind one, note it, close it.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (_d, s) = store().await;
    s.add_webhook(&format!("http://{addr}/gone"), SECRET, Actor::Cli)
        .await
        .unwrap();
    s.raise_alert(&NewAlert {
        rule: AlertRule::Growth,
        subject: "narrative:1".into(),
        item: None,
        narrative: None,
        fact_check: None,
        count: None,
        summary: "growing".into(),
        details: json!({}),
    })
    .await
    .unwrap();
    let policy = WebhookPolicy {
        max_attempts: 2,
        backoff_seconds: 1,
        timeout_seconds: 5,
    };
    let transport = transport(&["127.0.0.1:*"], 5);
    let t0 = Timestamp::now();
    let a = deliver_due(&s, &transport, &policy, t0).await.unwrap();
    assert_eq!(a[0].status, None);
    assert!(a[0].error.is_some());
    let t1 = t0.checked_add(jiff::SignedDuration::from_secs(1)).unwrap();
    let b = deliver_due(&s, &transport, &policy, t1).await.unwrap();
    assert_eq!(b[0].next, NextAttempt::GiveUp);
    let t2 = t0
        .checked_add(jiff::SignedDuration::from_secs(3600))
        .unwrap();
    assert!(
        deliver_due(&s, &transport, &policy, t2)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.deliveries(None, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_webhook_on_an_internal_address_is_refused_unless_allow_listed() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let (_d, s) = store().await;
    s.add_webhook(&format!("http://{addr}/hook"), SECRET, Actor::Cli)
        .await
        .unwrap();
    s.raise_alert(&NewAlert {
        rule: AlertRule::Growth,
        subject: "narrative:7".into(),
        item: None,
        narrative: None,
        fact_check: None,
        count: None,
        summary: "growing".into(),
        details: json!({}),
    })
    .await
    .unwrap();
    let policy = WebhookPolicy {
        max_attempts: 3,
        backoff_seconds: 1,
        timeout_seconds: 5,
    };
    // Refused before anything is sent; the log says why and how to open it.
    let t0 = Timestamp::now();
    let a = deliver_due(&s, &transport(&[], 5), &policy, t0)
        .await
        .unwrap();
    let error = a[0].error.clone().unwrap();
    assert!(
        error.contains("refused") && error.contains("[fetch] allow"),
        "{error}"
    );
    assert_eq!(a[0].status, None);
    assert!(seen.lock().unwrap().requests.is_empty());
    // Opened, the retry reaches the endpoint, signed (its first answer is a 500).
    let t1 = t0.checked_add(jiff::SignedDuration::from_secs(1)).unwrap();
    let b = deliver_due(&s, &transport(&["127.0.0.1:*"], 5), &policy, t1)
        .await
        .unwrap();
    assert_eq!(b[0].status, Some(500), "{:?}", b[0].error);
    let requests = &seen.lock().unwrap().requests;
    assert_eq!(requests.len(), 1);
    assert!(requests[0].1, "the signature must verify");
}

#[tokio::test]
async fn bad_webhooks_are_refused_with_the_reason() {
    let (_d, s) = store().await;
    let e = s
        .add_webhook("ftp://x.example/", SECRET, Actor::Cli)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("http:// or https://"), "{e}");
    let e = s
        .add_webhook("https://x.example/", "short", Actor::Cli)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least 16 characters"), "{e}");
    assert!(s.webhooks().await.unwrap().is_empty());
}
