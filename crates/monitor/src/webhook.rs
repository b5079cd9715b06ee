//! Alerts to webhooks: the JSON body, its HMAC-SHA256 signature, the
//! [`WebhookTransport`] seam (implemented by the guarded client, which refuses internal
//! addresses as it does for feeds), and
//! [`deliver_due`], which sends what is due and schedules retries with exponential backoff.
//!
//! Each request carries:
//! - `X-Claimdesk-Timestamp`: Unix seconds when it was signed;
//! - `X-Claimdesk-Signature`: `sha256=` + hex HMAC-SHA256, keyed with the endpoint's secret,
//!   of `TIMESTAMP` + `.` + the exact body bytes. The timestamp is inside the signature, so
//!   a receiver that refuses old timestamps (say, over five minutes) refuses replays;
//! - `X-Claimdesk-Delivery`: `WEBHOOK-ALERT-ATTEMPT`, to spot a retry of one it already
//!   took.
//!
//! Any 2xx answer is a delivery; anything else (another status, a redirect, a timeout, a
//! refused connection) is a failed attempt, logged with its status or error.

use std::future::Future;

use claimdesk_core::Alert;
use claimdesk_ingest::fetch::{FetchError, GuardedClient};
use claimdesk_store::{DeliveryAttempt, DueDelivery, NextAttempt, Store};
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use serde_json::json;
use sha2::Sha256;

use crate::Result;
use crate::settings::WebhookPolicy;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Claimdesk-Signature";
/// The timestamp header (Unix seconds, part of the signed text).
pub const TIMESTAMP_HEADER: &str = "X-Claimdesk-Timestamp";
/// The delivery id header.
pub const DELIVERY_HEADER: &str = "X-Claimdesk-Delivery";

/// Deliveries sent per call of [`deliver_due`].
const BATCH: u32 = 100;
/// Longest error text kept in the log.
const MAX_ERROR: usize = 500;

/// The JSON body sent for an alert. An alert about a narrative carries its size when the
/// alert was raised: `count` (items), `first_seen` and `last_seen` (RFC 3339, UTC); the three
/// are null for the alerts raised per item before alerts were per story.
pub fn alert_body(alert: &Alert) -> Vec<u8> {
    let time = |t: i64| {
        Timestamp::from_second(t)
            .ok()
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
    };
    json!({
        "type": "claimdesk.alert",
        "alert": {
            "id": alert.id.0,
            "rule": alert.rule.as_str(),
            "subject": alert.subject,
            "item": alert.item.map(|i| i.0),
            "narrative": alert.narrative.map(|n| n.0),
            "count": alert.count.map(|c| c.items),
            "first_seen": alert.count.and_then(|c| time(c.first_seen)),
            "last_seen": alert.count.and_then(|c| time(c.last_seen)),
            "fact_check": alert.fact_check.map(|f| f.0),
            "summary": alert.summary,
            "details": alert.details,
            "created_at": alert.created_at,
        }
    })
    .to_string()
    .into_bytes()
}

/// `sha256=` + the hex HMAC-SHA256 of `timestamp.body` keyed with `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether `header` is the signature of `timestamp.body` under `secret` (compared in
/// constant time), for receivers and tests.
pub fn verify(secret: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = signature(secret, timestamp, body);
    expected.len() == header.len()
        && expected
            .bytes()
            .zip(header.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A failed request: no answer at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends one JSON POST and says what status came back. The seam lets another HTTP client
/// (one that refuses private addresses, say) deliver instead. Implementations must not
/// follow redirects.
pub trait WebhookTransport: Send + Sync {
    /// POSTs `body` (JSON) to `url` with these extra headers; the response's status.
    fn post_json(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> impl Future<Output = std::result::Result<u16, TransportError>> + Send;
}

/// Deliveries go out through the guarded client, as every fetch does: an endpoint that is,
/// spells or resolves to a loopback, private, link-local or other internal address is refused
/// unless `[fetch] allow` opens it, the address checked is the one connected to, and a
/// redirect is not followed (a 3xx is a failed attempt).
impl WebhookTransport for GuardedClient {
    async fn post_json(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> std::result::Result<u16, TransportError> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        match GuardedClient::post_json(self, url, &headers, body).await {
            Ok(answer) => Ok(answer.status),
            Err(FetchError::Status { status, .. }) => Ok(status),
            Err(e) => Err(TransportError(e.to_string())),
        }
    }
}

/// RFC 3339 with milliseconds, as the store writes times.
pub fn store_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Sends every delivery due at `now`, logs each attempt, and schedules a retry after
/// [`WebhookPolicy::backoff`] or gives up after [`WebhookPolicy::max_attempts`]. Returns
/// the attempts made. Call it again (at the next due time) for the retries; it never sleeps.
pub async fn deliver_due<S: Store, T: WebhookTransport>(
    store: &S,
    transport: &T,
    policy: &WebhookPolicy,
    now: Timestamp,
) -> Result<Vec<DeliveryAttempt>> {
    let due = store.due_deliveries(&store_time(now), BATCH).await?;
    let mut done = Vec::with_capacity(due.len());
    for d in due {
        let attempt = deliver_one(transport, policy, &d, now).await;
        store.record_delivery(&attempt).await?;
        tracing::info!(
            target: "monitor::webhook",
            webhook = d.webhook.id.0,
            alert = d.alert.id.0,
            attempt = attempt.attempt,
            status = attempt.status,
            error = attempt.error.as_deref(),
            "delivery attempt"
        );
        done.push(attempt);
    }
    Ok(done)
}

async fn deliver_one<T: WebhookTransport>(
    transport: &T,
    policy: &WebhookPolicy,
    d: &DueDelivery,
    now: Timestamp,
) -> DeliveryAttempt {
    let attempt = d.attempts + 1;
    let body = alert_body(&d.alert);
    let ts = now.as_second();
    let headers = [
        (SIGNATURE_HEADER, signature(&d.webhook.secret, ts, &body)),
        (TIMESTAMP_HEADER, ts.to_string()),
        (
            DELIVERY_HEADER,
            format!("{}-{}-{attempt}", d.webhook.id.0, d.alert.id.0),
        ),
    ];
    let (status, error) = match transport.post_json(&d.webhook.url, &headers, body).await {
        Ok(s) if (200..300).contains(&s) => (Some(s), None),
        Ok(s) => (Some(s), Some(format!("the endpoint answered HTTP {s}"))),
        Err(e) => (None, Some(e.0.chars().take(MAX_ERROR).collect())),
    };
    let next = if error.is_none() {
        NextAttempt::Delivered
    } else if attempt >= policy.max_attempts {
        NextAttempt::GiveUp
    } else {
        let wait = policy.backoff(attempt);
        let at = now
            .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
            .unwrap_or(now);
        NextAttempt::RetryAt(store_time(at))
    };
    DeliveryAttempt {
        webhook: d.webhook.id,
        alert: d.alert.id,
        attempt,
        status,
        error,
        at: store_time(now),
        next,
    }
}

/// Delivers until `shutdown` resolves: what is due now, then again every `poll`.
pub async fn run_deliveries<S: Store, T: WebhookTransport>(
    store: &S,
    transport: &T,
    policy: &WebhookPolicy,
    poll: std::time::Duration,
    shutdown: impl Future<Output = ()>,
) {
    let work = async {
        loop {
            if let Err(e) = deliver_due(store, transport, policy, Timestamp::now()).await {
                tracing::warn!(target: "monitor::webhook", error = %e, "delivering alerts failed");
            }
            tokio::time::sleep(poll).await;
        }
    };
    tokio::select! {
        _ = work => {}
        _ = shutdown => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Python: hmac.new(b"Jefe", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        assert_eq!(
            signature("Jefe", 1_700_000_000, br#"{"a":1}"#),
            "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
        let s = signature("Jefe", 1, b"x");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), 7 + 64);
        assert!(verify("Jefe", 1, b"x", &s));
        assert!(!verify("Jefe", 2, b"x", &s));
        assert!(!verify("jefe", 1, b"x", &s));
        assert!(!verify("Jefe", 1, b"y", &s));
    }
}
