//! The intake pipeline: what happens to items once they are stored, wherever they came from
//! (`claimdesk ingest`, a polled feed or drop folder, `POST /api/items`). Each sentence is
//! scored for check-worthiness; items whose best sentence reaches the threshold are matched
//! against the fact-checks (top 5 stored with their explanations); an item's images are
//! searched among earlier items' ([`crate::image_neighbours`]); then every item joins a
//! narrative and the alert rules run. Alerts wait in the store for the webhook deliveries.
//!
//! Scoring and matching run in three stages on bounded channels (read a page of items →
//! score and rank it on every core → store it), so a slow stage holds back the one before
//! it and memory stays bounded whatever the number of items.
//!
//! Several processes may share a database: any of them scores and matches the items it
//! stores (and takes over items another process took and left, see
//! `ItemStore::claim_pending`), but only the process that leads ([`Leadership`]) places items
//! in narratives and runs the alert rules, since the monitor keeps narratives in memory.
//! Items matched elsewhere wait (stage 1) until the leader places them
//! ([`Pipeline::place_pending`]).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use claimdesk_core::{Alert, CheckWorthiness, ItemId, StoredItem};
use claimdesk_match::checkworthy::Detector;
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_monitor::Monitor;
use claimdesk_store::StoredMatch;
use claimdesk_store::prelude::*;

use claimdesk_monitor::MonitorSettings;
use claimdesk_publish::RatingScale;

use crate::config::Config;
use crate::data::StoreHandle;
use crate::error::{Error, Result};
use crate::image_neighbours::{self, LazyImageDesk};
use crate::lead::Leadership;
use crate::progress::{Progress, Silent};
use crate::ranker::{LiveRanker, STORED_MATCHES, stored_matches};

/// Items per page.
const PAGE: u32 = 1000;
/// Pages that may wait between two stages (the backpressure bound).
const DEPTH: usize = 2;
/// Items the monitor observes per call.
const MONITOR_BATCH: usize = 256;

/// What processing a batch of items did, and where the time went.
#[derive(Debug, Default)]
pub struct Report {
    /// Items scored for check-worthiness.
    pub scored: usize,
    /// Items with at least one candidate fact-check.
    pub matched: usize,
    /// Items below the check-worthiness threshold (stored and scored, not matched).
    pub below_threshold: usize,
    /// Alerts raised.
    pub alerts: Vec<Alert>,
    /// Scoring and matching, wall time.
    pub match_time: Duration,
    /// Narratives and alert rules, wall time.
    pub monitor_time: Duration,
}

/// The desk's pipeline over one store: the live ranker, one detector and one monitor,
/// shared by every batch (the monitor behind a lock, so narratives grow in one order).
pub struct Pipeline {
    store: StoreHandle,
    ranker: Arc<LiveRanker>,
    detector: Arc<Detector>,
    /// `[detection] threshold`: `None` for the detector's own (`"trained"`).
    threshold: Option<f32>,
    /// The monitor, with the [`Leadership::taken`] count it was loaded at: when this
    /// process has taken the lead again since, another process may have changed the
    /// narratives, and the monitor is loaded again from the store before its next use.
    monitor: tokio::sync::Mutex<(u64, Monitor)>,
    /// What the monitor is loaded again with.
    monitor_settings: (MonitorSettings, RatingScale),
    leadership: Arc<Leadership>,
    progress: Arc<dyn Progress>,
    /// The images: items' near-duplicate images are found before narratives.
    images: LazyImageDesk,
}

impl Pipeline {
    /// The pipeline over `store`, ranking with `ranker` (whose model, when it has one, also
    /// scores check-worthiness and joins narratives by meaning); `progress` hears about
    /// batches processed with progress on.
    pub async fn open(
        store: StoreHandle,
        config: &Config,
        ranker: Arc<LiveRanker>,
        leadership: Arc<Leadership>,
        progress: Arc<dyn Progress>,
        images: LazyImageDesk,
    ) -> Result<Pipeline> {
        let detector = Detector::builtin()?;
        let embedder = ranker.current().matcher().embedder();
        let monitor = Monitor::open(
            &store,
            config.monitor(),
            config.rating_scale().clone(),
            embedder,
        )
        .await?;
        Ok(Pipeline {
            store,
            ranker,
            detector: Arc::new(detector),
            threshold: config.detection.threshold.value(),
            monitor: tokio::sync::Mutex::new((leadership.taken(), monitor)),
            monitor_settings: (config.monitor(), config.rating_scale().clone()),
            leadership,
            progress,
            images,
        })
    }

    /// The live ranker.
    pub fn ranker(&self) -> &Arc<LiveRanker> {
        &self.ranker
    }

    /// The threshold in force: the config's number, or with `"trained"` the detector's for
    /// the scorer in use.
    pub fn threshold(&self) -> f32 {
        self.threshold.unwrap_or_else(|| {
            let embedder = self.ranker.current().matcher().embedder();
            self.detector.match_threshold(embedder.as_deref())
        })
    }

    /// Scores, matches and monitors the items `ids` (already stored), with a progress bar
    /// when `progress`. Items not in the store are skipped.
    pub async fn process(&self, ids: &[ItemId], progress: bool) -> Result<Report> {
        let mut report = Report::default();
        if ids.is_empty() {
            return Ok(report);
        }
        let started = Instant::now();
        let items = self.score_and_match(ids, progress, &mut report).await?;
        // Each item's near-duplicate image among earlier items', for its narrative.
        image_neighbours::record_neighbours(&self.images, &self.store, ids).await?;
        report.match_time = started.elapsed();
        let started = Instant::now();
        let pb: &dyn Progress = if progress {
            self.progress.as_ref()
        } else {
            &Silent
        };
        if !self.leadership.held() {
            // Another process places them in narratives.
            self.store.finish_matching(ids).await?;
            return Ok(report);
        }
        pb.begin("narratives", items.len() as u64);
        // Matched under the monitor's lock, so the leader's pass over pending items
        // (`place_pending`) cannot take these before they are placed here.
        let mut monitor = self.monitor().await?;
        self.store.finish_matching(ids).await?;
        for chunk in items.chunks(MONITOR_BATCH) {
            for o in monitor.1.observe(&self.store, chunk).await? {
                report.alerts.extend(o.alerts);
            }
            pb.advance(chunk.len() as u64);
        }
        pb.end();
        report.monitor_time = started.elapsed();
        // Done: a restart from here on does not process them again.
        self.store.mark_processed(ids).await?;
        Ok(report)
    }

    /// Places in narratives the items other processes scored and matched (or that this one
    /// matched while another led), when this process leads; returns the alerts raised.
    pub async fn place_pending(&self) -> Result<Vec<Alert>> {
        let mut alerts = Vec::new();
        if !self.leadership.held() {
            return Ok(alerts);
        }
        let mut monitor = self.monitor().await?;
        loop {
            let ids = self.store.pending_narratives(PAGE).await?;
            if ids.is_empty() {
                return Ok(alerts);
            }
            let items = read_items(&self.store, &ids).await?;
            for chunk in items.chunks(MONITOR_BATCH) {
                for o in monitor.1.observe(&self.store, chunk).await? {
                    alerts.extend(o.alerts);
                }
            }
            self.store.mark_processed(&ids).await?;
        }
    }

    /// The monitor, loaded again from the store when this process took the lead since it
    /// was last loaded.
    async fn monitor(&self) -> Result<tokio::sync::MutexGuard<'_, (u64, Monitor)>> {
        let mut guard = self.monitor.lock().await;
        let taken = self.leadership.taken();
        if guard.0 != taken {
            let embedder = self.ranker.current().matcher().embedder();
            let (settings, scale) = self.monitor_settings.clone();
            guard.1 = Monitor::open(&self.store, settings, scale, embedder).await?;
            guard.0 = taken;
        }
        Ok(guard)
    }

    /// The first two stages; returns the items in id order for the monitor.
    async fn score_and_match(
        &self,
        ids: &[ItemId],
        progress: bool,
        report: &mut Report,
    ) -> Result<Vec<StoredItem>> {
        type Scored = Vec<(StoredItem, CheckWorthiness, Vec<StoredMatch>)>;
        let pb: &dyn Progress = if progress {
            self.progress.as_ref()
        } else {
            &Silent
        };
        pb.begin("matching", ids.len() as u64);
        let first = ItemId(ids.iter().map(|i| i.0).min().unwrap_or(1) - 1);
        let wanted: HashSet<ItemId> = ids.iter().copied().collect();
        let (page_tx, mut page_rx) = tokio::sync::mpsc::channel::<Vec<StoredItem>>(DEPTH);
        let (scored_tx, mut scored_rx) = tokio::sync::mpsc::channel::<Result<Scored>>(DEPTH);

        let store = self.store.clone();
        let last = ids.iter().map(|i| i.0).max().unwrap_or(0);
        let reader = tokio::spawn(async move {
            let mut after = first;
            while after.0 < last {
                let items = store.items(after, PAGE).await?;
                let Some(end) = items.last() else { break };
                after = end.id;
                let page: Vec<StoredItem> = items
                    .into_iter()
                    .filter(|i| wanted.contains(&i.id))
                    .collect();
                if !page.is_empty() && page_tx.send(page).await.is_err() {
                    break; // the next stage stopped (on an error it reports itself)
                }
            }
            Ok::<(), Error>(())
        });
        // One ranker for the whole batch: a swap during it serves the next batch.
        let ranker = self.ranker.current();
        let detector = Arc::clone(&self.detector);
        let threshold = self.threshold;
        let ranking = tokio::task::spawn_blocking(move || {
            while let Some(page) = page_rx.blocking_recv() {
                let scored = score_page(ranker.matcher(), &detector, threshold, page);
                let failed = scored.is_err();
                if scored_tx.blocking_send(scored).is_err() || failed {
                    break;
                }
            }
        });
        let mut items = Vec::with_capacity(ids.len());
        while let Some(scored) = scored_rx.recv().await {
            let scored = scored?;
            let worthiness: Vec<(ItemId, CheckWorthiness)> =
                scored.iter().map(|(i, cw, _)| (i.id, cw.clone())).collect();
            let matches: Vec<(ItemId, Vec<StoredMatch>)> =
                scored.iter().map(|(i, _, m)| (i.id, m.clone())).collect();
            self.store.save_check_worthiness(&worthiness).await?;
            self.store.save_matches_of(&matches).await?;
            report.scored += scored.len();
            report.matched += matches.iter().filter(|(_, m)| !m.is_empty()).count();
            report.below_threshold += worthiness.iter().filter(|(_, c)| !c.matched).count();
            pb.advance(scored.len() as u64);
            items.extend(scored.into_iter().map(|(i, _, _)| i));
        }
        ranking
            .await
            .map_err(|e| Error::Internal(format!("the ranking stage stopped: {e}")))?;
        reader
            .await
            .map_err(|e| Error::Internal(format!("the reading stage stopped: {e}")))??;
        pb.end();
        Ok(items)
    }
}

/// The items `ids` (in id order; those no longer stored left out), read page by page.
async fn read_items(store: &StoreHandle, ids: &[ItemId]) -> Result<Vec<StoredItem>> {
    let wanted: HashSet<ItemId> = ids.iter().copied().collect();
    let last = ids.iter().map(|i| i.0).max().unwrap_or(0);
    let mut after = ItemId(ids.iter().map(|i| i.0).min().unwrap_or(1) - 1);
    let mut out = Vec::with_capacity(ids.len());
    while after.0 < last && out.len() < wanted.len() {
        let items = store.items(after, PAGE).await?;
        let Some(end) = items.last() else { break };
        after = end.id;
        out.extend(items.into_iter().filter(|i| wanted.contains(&i.id)));
    }
    Ok(out)
}

/// One page scored sentence by sentence, and its check-worthy items ranked (the others get
/// no matches, which also clears what an earlier version of the item had).
fn score_page(
    matcher: &HybridMatcher,
    detector: &Detector,
    threshold: Option<f32>,
    page: Vec<StoredItem>,
) -> Result<Vec<(StoredItem, CheckWorthiness, Vec<StoredMatch>)>> {
    let texts: Vec<&str> = page.iter().map(|i| i.item.text.as_str()).collect();
    let embedder = matcher.embedder();
    let worthiness = detector.check_worthiness(&texts, embedder.as_deref(), threshold)?;
    let worthy: Vec<&str> = texts
        .iter()
        .zip(&worthiness)
        .filter(|(_, cw)| cw.matched)
        .map(|(t, _)| *t)
        .collect();
    let mut ranked = matcher
        .rank_many(&worthy, STORED_MATCHES, true)?
        .into_iter();
    let out = page
        .into_iter()
        .zip(worthiness)
        .map(|(item, cw)| {
            let matches = if cw.matched {
                stored_matches(&ranked.next().unwrap_or_default())
            } else {
                Vec::new()
            };
            (item, cw, matches)
        })
        .collect();
    Ok(out)
}
