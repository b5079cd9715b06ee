//! The work a running desk does besides answering requests: following the store (the live
//! index and the look-back), polling the sources through the pipeline, and delivering
//! alerts to webhooks. Each loop stops when told to, after the work in flight.
//!
//! Layer 5 (the top): imports `engine` and the modules below it.

use std::time::Duration;

use claimdesk_ingest::fetch::GuardedClient;
use claimdesk_ingest::poll::{PollReport, Poller};
use claimdesk_monitor::webhook::{deliver_due, run_deliveries};
use claimdesk_store::DeliveryAttempt;
use claimdesk_store::prelude::*;
use tokio::sync::watch;

use crate::config::Config;
use crate::data::StoreHandle;
use crate::engine::Engine;
use crate::error::Result;

/// How often a running desk looks for alert deliveries that are due.
pub const WEBHOOK_POLL: Duration = Duration::from_secs(10);

/// The guarded client webhook deliveries go through: `[fetch]`'s rules (internal addresses
/// refused unless allow-listed), with the `[webhooks]` time limit.
pub fn webhook_client(config: &Config) -> Result<GuardedClient> {
    let mut fetch = config.fetch();
    fetch.timeout = Duration::from_secs(config.webhooks.timeout_seconds.max(1));
    Ok(GuardedClient::new(fetch)?)
}

/// Sends the alert deliveries that are due now (when the desk has webhooks).
pub async fn deliver_due_alerts(engine: &Engine) -> Result<Vec<DeliveryAttempt>> {
    if engine.store().webhooks().await?.is_empty() {
        return Ok(Vec::new());
    }
    let transport = webhook_client(engine.config())?;
    Ok(deliver_due(
        engine.store(),
        &transport,
        &engine.config().webhooks,
        jiff::Timestamp::now(),
    )
    .await?)
}

/// The poller of the desk's sources, through the guarded client.
pub fn poller(engine: &Engine) -> Result<Poller<StoreHandle>> {
    let client = GuardedClient::new(engine.config().fetch())?;
    Ok(Poller::new(
        engine.store().clone(),
        client,
        engine.config().poll(),
    ))
}

/// Follows the store's fact-check revision every `[index] poll_ms` until `stop` turns
/// true: each change reaches the ranker (and the recent items) without a restart.
pub async fn follow_store(engine: Engine, mut stop: watch::Receiver<bool>) {
    let every = engine.config().index.poll_interval();
    loop {
        match engine.refresh().await {
            Ok(Some((refreshed, looked))) => tracing::info!(
                target: "match::live",
                revision = refreshed.revision,
                changed = refreshed.changed.len(),
                rematched = looked.map_or(0, |l| l.rematched.len()),
                "following the store"
            ),
            Ok(None) => {}
            Err(e) => {
                tracing::error!(target: "match::live", error = %e, "cannot follow the store")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Everything a serving desk runs beside the server, until `stop` turns true: the store
/// follower, the source poller (its items through the pipeline) and webhook deliveries.
pub async fn run_background(engine: Engine, stop: watch::Receiver<bool>) -> Result<()> {
    let poller = poller(&engine)?;
    // Items a stopped process left stored but unprocessed go through the pipeline first.
    match engine.process_backlog().await {
        Ok(r) if r.scored > 0 => tracing::info!(
            target: "ingest::backlog",
            items = r.scored,
            matched = r.matched,
            "processed the backlog"
        ),
        Ok(_) => {}
        Err(e) => {
            tracing::error!(target: "ingest::backlog", error = %e, "cannot process the backlog")
        }
    }
    let transport = webhook_client(engine.config())?;
    let policy = engine.config().webhooks.clone();
    let follow = tokio::spawn(follow_store(engine.clone(), stop.clone()));
    let store = engine.store().clone();
    let mut delivery_stop = stop.clone();
    let deliveries = tokio::spawn(async move {
        run_deliveries(&store, &transport, &policy, WEBHOOK_POLL, async move {
            let _ = delivery_stop.changed().await;
        })
        .await;
    });
    let mut poll_stop = stop;
    poller
        .run(
            async move {
                let _ = poll_stop.changed().await;
            },
            |report: PollReport| {
                let engine = engine.clone();
                async move {
                    if report.changed.is_empty() {
                        return;
                    }
                    if let Err(e) = engine.process(&report.changed, false).await {
                        tracing::error!(target: "ingest::poll", error = %e, "cannot process polled items");
                    }
                }
            },
        )
        .await;
    let _ = follow.await;
    let _ = deliveries.await;
    Ok(())
}
