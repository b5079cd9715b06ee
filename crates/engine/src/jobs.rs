//! The work a running desk does besides answering requests: following the store (the live
//! index and the look-back), polling the sources through the pipeline, delivering alerts to
//! webhooks, mailing the scheduled digests, and signing checkpoints of the audit chain. Each loop stops when told to, after the work in flight.
//!
//! Layer 5 (the top): imports `engine` and the modules below it.

use std::time::Duration;

use claimdesk_core::{
    Actor, Checkpoint, CheckpointKey, CheckpointSigner, WitnessReport, WitnessVerifier,
};
use claimdesk_ingest::fetch::GuardedClient;
use claimdesk_ingest::poll::{
    DroppedImage, ImageIntake, ImageIntakeError, NamedImage, PollReport, Poller,
};
use claimdesk_monitor::webhook::deliver_due;
use claimdesk_store::DeliveryAttempt;
use claimdesk_store::prelude::*;
use tokio::sync::watch;

use crate::config::Config;
use crate::data::StoreHandle;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::images::ImageUpload;

/// How often a running desk checks the lead and looks for intake left behind (items whose
/// lease ran out; when it leads, items waiting for their narrative).
pub const LEAD_POLL: Duration = Duration::from_secs(2);
/// How often a running desk looks for alert deliveries that are due.
pub const WEBHOOK_POLL: Duration = Duration::from_secs(10);

/// How often a running desk looks whether a checkpoint is due.
pub const CHECKPOINT_POLL: Duration = Duration::from_secs(60);
/// A running desk signs a checkpoint at least this often when events were added.
pub const CHECKPOINT_HOURLY: Duration = Duration::from_secs(3600);

/// Signs and stores a checkpoint of the audit chain's head when at least `min_events`
/// events follow the last checkpoint (0 or 1: whenever any do). None when not due (or the
/// trail is empty).
pub async fn checkpoint_audit(
    store: &impl AuditStore,
    signer: &CheckpointSigner,
    min_events: u64,
) -> Result<Option<Checkpoint>> {
    let Some((seq, hash)) = store.audit_head().await? else {
        return Ok(None);
    };
    let last = store.audit_checkpoints().await?.last().map_or(0, |c| c.seq);
    let new = u64::try_from(seq - last).unwrap_or(0);
    if new == 0 || new < min_events {
        return Ok(None);
    }
    let at = format!("{:.3}", jiff::Timestamp::now());
    let checkpoint = signer.sign(seq, &hash, &at);
    store.save_audit_checkpoint(&checkpoint).await?;
    Ok(Some(checkpoint))
}

/// Checks the stored audit chain against a witness's copy of the checkpoints (`witnessed`,
/// the JSON Lines `claimdesk audit checkpoints` exports), signed by `key`: names the first
/// event that a rewrite changed before the last witnessed checkpoint.
pub async fn verify_witness(
    store: &impl AuditStore,
    key: CheckpointKey,
    witnessed: &str,
) -> Result<WitnessReport> {
    /// Events read per query.
    const PAGE: i64 = 10_000;
    let mut verifier = WitnessVerifier::new(key);
    for line in witnessed.lines() {
        verifier.add_line(line);
    }
    let head = store.audit_head().await?.map_or(0, |(seq, _)| seq);
    let mut after = 0;
    'pages: while after < head {
        for (seq, hash) in store.audit_hashes(after, after + PAGE).await? {
            if !verifier.push_stored(seq, &hash) {
                break 'pages;
            }
        }
        after += PAGE;
    }
    Ok(verifier.finish())
}

/// Mails the scheduled digests (`[digest] schedule`) until `stop` turns true: looks every
/// [`crate::mail::DIGEST_POLL`] whether one is due or a retry has come.
async fn mail_digests(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        if !engine.leads() {
            // Another process mails them.
        } else if let Err(e) = crate::mail::deliver_due_digests(
            engine.store(),
            engine.config(),
            jiff::Timestamp::now(),
        )
        .await
        {
            tracing::error!(target: "publish::digest", error = %e, "cannot mail the digests");
        }
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(crate::mail::DIGEST_POLL) => {}
        }
    }
}

/// Signs checkpoints until `stop` turns true: after `[audit] checkpoint_every` events, and
/// every hour when any event followed the last one.
pub async fn sign_checkpoints(
    engine: Engine,
    signer: CheckpointSigner,
    mut stop: watch::Receiver<bool>,
) {
    let every = engine.config().audit.checkpoint_every;
    let mut hour = tokio::time::Instant::now();
    loop {
        let hourly = hour.elapsed() >= CHECKPOINT_HOURLY;
        let min_events = if hourly { 1 } else { every };
        // One process signs (the leader): two could sign the same head twice.
        let signed = match engine.leads() {
            true => checkpoint_audit(engine.store(), &signer, min_events).await,
            false => Ok(None),
        };
        match signed {
            Ok(Some(c)) => {
                tracing::info!(target: "desk::audit", seq = c.seq, "signed an audit checkpoint")
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(target: "desk::audit", error = %e, "cannot sign an audit checkpoint")
            }
        }
        if hourly {
            hour = tokio::time::Instant::now();
        }
        tokio::select! {
            () = tokio::time::sleep(CHECKPOINT_POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

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

/// The poller of the desk's sources, through the guarded client; the images of drop
/// folders and feed entries are read by the engine ([`FolderImages`]).
pub fn poller(engine: &Engine) -> Result<Poller<StoreHandle, FolderImages>> {
    let client = GuardedClient::new(engine.config().fetch())?;
    Ok(
        Poller::new(engine.store().clone(), client, engine.config().poll())
            .with_images(FolderImages(engine.clone())),
    )
}

/// The engine reading the sources' images for the poller (dropped in folders, carried by
/// feed entries): each item is stored with its images as one posted to the API is; a
/// dropped image whose sidecar gives no `id` is keyed by its SHA-256 (so dropping it again
/// changes nothing).
#[derive(Clone)]
pub struct FolderImages(pub Engine);

impl std::fmt::Debug for FolderImages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FolderImages")
    }
}

impl ImageIntake for FolderImages {
    fn max_bytes(&self) -> u64 {
        self.0.images().max_bytes()
    }

    async fn store_image_item(
        &self,
        mut item: claimdesk_core::Item,
        origin: &str,
        images: Vec<NamedImage>,
    ) -> std::result::Result<DroppedImage, ImageIntakeError> {
        if item.external_id.is_none()
            && let Some(first) = images.first()
        {
            item.external_id = Some(format!(
                "sha256:{}",
                claimdesk_image::Sha256Hex::of(&first.bytes).as_str()
            ));
        }
        let uploads = images
            .into_iter()
            .map(|i| ImageUpload {
                name: Some(i.name),
                bytes: i.bytes,
            })
            .collect();
        match self
            .0
            .store_item_with_images(item, uploads, Actor::System, origin, "image")
            .await
        {
            Ok(stored) => Ok(DroppedImage {
                changed: stored.changed,
                refused: stored.images.into_iter().find_map(|r| r.link.refused),
            }),
            Err(Error::Usage(why)) => Err(ImageIntakeError::Refused(why)),
            Err(Error::Store(e)) => Err(ImageIntakeError::Store(e)),
            Err(other) => Err(ImageIntakeError::Failed(other.to_string())),
        }
    }
}

/// Follows the store's fact-check revision until `stop` turns true: each change reaches
/// the ranker (and the recent items) without a restart. Woken at once when the database
/// announces a change (PostgreSQL), and in any case every `[index] poll_ms`, so a missed
/// announcement costs at most that.
pub async fn follow_store(engine: Engine, mut stop: watch::Receiver<bool>) {
    let every = engine.config().index.poll_interval();
    let mut listener = match engine.store().revision_listener().await {
        Ok(l) => Some(l),
        Err(e) => {
            tracing::warn!(target: "match::live", error = %e, "cannot listen for revisions; polling only");
            None
        }
    };
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
        let woken = async {
            match listener.as_mut() {
                Some(l) => l.changed().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            r = woken => {
                if let Err(e) = r {
                    tracing::warn!(target: "match::live", error = %e, "revision announcements interrupted");
                    tokio::time::sleep(every).await;
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// Checks the lead and works through intake left behind, every [`LEAD_POLL`] until `stop`
/// turns true: items another process took and left (their lease ran out) are scored and
/// matched here; when this process leads, items matched elsewhere are placed in narratives.
pub async fn lead_and_catch_up(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        if let Err(e) = engine.check_lead().await {
            tracing::error!(target: "desk::lead", error = %e, "cannot check the lead");
        }
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
        tokio::select! {
            () = tokio::time::sleep(LEAD_POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Resolves once this process no longer leads (or `stop` turns true).
async fn lead_lost(engine: &Engine, stop: &mut watch::Receiver<bool>) {
    while engine.leads() && !*stop.borrow() {
        tokio::select! {
            () = tokio::time::sleep(LEAD_POLL) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Resolves once this process leads; `false` when `stop` turned true first.
async fn lead_taken(engine: &Engine, stop: &mut watch::Receiver<bool>) -> bool {
    while !engine.leads() {
        if *stop.borrow() {
            return false;
        }
        tokio::select! {
            () = tokio::time::sleep(LEAD_POLL) => {}
            _ = stop.changed() => {}
        }
    }
    !*stop.borrow()
}

/// Everything a serving desk runs beside the server, until `stop` turns true: the lead and
/// the intake left behind, the store follower, and, while this process leads, the source
/// poller (its items through the pipeline), webhook deliveries, digests and audit
/// checkpoints.
pub async fn run_background(engine: Engine, stop: watch::Receiver<bool>) -> Result<()> {
    let poller = poller(&engine)?;
    // The lead first, and the backlog a stopped process left.
    if let Err(e) = engine.check_lead().await {
        tracing::error!(target: "desk::lead", error = %e, "cannot check the lead");
    }
    let catch_up = tokio::spawn(lead_and_catch_up(engine.clone(), stop.clone()));
    let signer = engine.data().audit_signer(engine.config())?;
    let checkpoints = tokio::spawn(sign_checkpoints(engine.clone(), signer, stop.clone()));
    let digests = (!engine.config().digest.schedule.is_empty())
        .then(|| tokio::spawn(mail_digests(engine.clone(), stop.clone())));
    let transport = webhook_client(engine.config())?;
    let policy = engine.config().webhooks.clone();
    let follow = tokio::spawn(follow_store(engine.clone(), stop.clone()));
    let delivering = engine.clone();
    let mut delivery_stop = stop.clone();
    let deliveries = tokio::spawn(async move {
        loop {
            if delivering.leads()
                && let Err(e) = deliver_due(
                    delivering.store(),
                    &transport,
                    &policy,
                    jiff::Timestamp::now(),
                )
                .await
            {
                tracing::warn!(target: "monitor::webhook", error = %e, "delivering alerts failed");
            }
            tokio::select! {
                () = tokio::time::sleep(WEBHOOK_POLL) => {}
                _ = delivery_stop.changed() => return,
            }
        }
    });
    // The sources are polled by the leader alone, from when it takes the lead until it
    // loses it.
    let mut poll_stop = stop;
    while lead_taken(&engine, &mut poll_stop).await {
        let mut lost_stop = poll_stop.clone();
        let lost = engine.clone();
        poller
            .run(
                async move { lead_lost(&lost, &mut lost_stop).await },
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
    }
    let _ = catch_up.await;
    let _ = follow.await;
    let _ = deliveries.await;
    let _ = checkpoints.await;
    if let Some(digests) = digests {
        let _ = digests.await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use claimdesk_core::{Actor, Role};
    use claimdesk_store::{NewUser, auth::hash_password};

    use super::*;

    #[tokio::test]
    async fn a_checkpoint_is_signed_once_enough_events_follow_the_last() {
        let store = StoreHandle::open("sqlite::memory:").await.unwrap();
        let signer = CheckpointSigner::from_seed([3; 32]);
        // An empty trail has no head to sign.
        assert_eq!(checkpoint_audit(&store, &signer, 1).await.unwrap(), None);
        let password = hash_password("a good password").unwrap();
        for i in 0..3 {
            let new = NewUser {
                username: format!("u{i}"),
                display_name: None,
                role: Role::Viewer,
                password: password.clone(),
            };
            store.add_user(&new, Actor::Cli).await.unwrap();
        }
        assert_eq!(checkpoint_audit(&store, &signer, 4).await.unwrap(), None);
        let signed = checkpoint_audit(&store, &signer, 3).await.unwrap().unwrap();
        assert_eq!(signed.seq, 3);
        assert!(signer.public().verifies(&signed));
        // Nothing new since: not signed again, whatever the threshold.
        assert_eq!(checkpoint_audit(&store, &signer, 0).await.unwrap(), None);
        assert_eq!(store.audit_checkpoints().await.unwrap(), [signed]);
    }
}
