//! The intake pipeline: what happens to items once they are stored, wherever they came from
//! (`claimdesk ingest`, a polled feed or drop folder, `POST /api/items`). Each sentence is
//! scored for check-worthiness; items whose best sentence reaches the threshold are matched
//! against the fact-checks (top 5 stored with their explanations); then every item joins a
//! narrative and the alert rules run. Alerts wait in the store for the webhook deliveries.
//!
//! Scoring and matching run in three stages on bounded channels (read a page of items →
//! score and rank it on every core → store it), so a slow stage holds back the one before
//! it and memory stays bounded whatever the number of items.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use claimdesk_core::{Alert, CheckWorthiness, ItemId, StoredItem};
use claimdesk_match::checkworthy::Detector;
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_monitor::Monitor;
use claimdesk_server::{ItemPipeline, MatchError, ProcessFuture, Processed, STORED_MATCHES};
use claimdesk_store::{SqliteStore, Store, StoredMatch};
use indicatif::ProgressBar;

use crate::desk::Desk;

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

/// The desk's pipeline over one store: one ranker, one detector and one monitor, shared by
/// every batch (the monitor behind a lock, so narratives grow in one order).
pub struct Pipeline {
    store: SqliteStore,
    matcher: Arc<HybridMatcher>,
    detector: Arc<Detector>,
    /// `[detection] threshold`: `None` for the detector's own (`"trained"`).
    threshold: Option<f32>,
    monitor: tokio::sync::Mutex<Monitor>,
}

impl Pipeline {
    /// The pipeline of `desk`, ranking with `matcher` (whose model, when it has one, also
    /// scores check-worthiness and joins narratives by meaning).
    pub async fn open(desk: &Desk, matcher: Arc<HybridMatcher>) -> Result<Pipeline> {
        let threshold = detection_threshold(&desk.dir)?;
        let detector = Detector::builtin().context("the built-in check-worthiness detector")?;
        let (settings, scale) = crate::watch::settings(&desk.dir)?;
        let monitor = Monitor::open(&desk.store, settings, scale, matcher.embedder()).await?;
        Ok(Pipeline {
            store: desk.store.clone(),
            matcher,
            detector: Arc::new(detector),
            threshold,
            monitor: tokio::sync::Mutex::new(monitor),
        })
    }

    /// The ranker.
    pub fn matcher(&self) -> &Arc<HybridMatcher> {
        &self.matcher
    }

    /// The threshold in force: the config's number, or with `"trained"` the detector's for
    /// the scorer in use.
    pub fn threshold(&self) -> f32 {
        self.threshold.unwrap_or_else(|| {
            let embedder = self.matcher.embedder();
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
        report.match_time = started.elapsed();
        let started = Instant::now();
        let pb = bar(progress, items.len(), "narratives");
        let mut monitor = self.monitor.lock().await;
        for chunk in items.chunks(MONITOR_BATCH) {
            for o in monitor.observe(&self.store, chunk).await? {
                report.alerts.extend(o.alerts);
            }
            pb.inc(chunk.len() as u64);
        }
        pb.finish_and_clear();
        report.monitor_time = started.elapsed();
        Ok(report)
    }

    /// The first two stages; returns the items in id order for the monitor.
    async fn score_and_match(
        &self,
        ids: &[ItemId],
        progress: bool,
        report: &mut Report,
    ) -> Result<Vec<StoredItem>> {
        type Scored = Vec<(StoredItem, CheckWorthiness, Vec<StoredMatch>)>;
        let pb = bar(progress, ids.len(), "matching");
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
            anyhow::Ok(())
        });
        let matcher = Arc::clone(&self.matcher);
        let detector = Arc::clone(&self.detector);
        let threshold = self.threshold;
        let ranker = tokio::task::spawn_blocking(move || {
            while let Some(page) = page_rx.blocking_recv() {
                let scored = score_page(&matcher, &detector, threshold, page);
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
            pb.inc(scored.len() as u64);
            items.extend(scored.into_iter().map(|(i, _, _)| i));
        }
        ranker.await.context("the ranking stage stopped")?;
        reader.await.context("the reading stage stopped")??;
        pb.finish_and_clear();
        Ok(items)
    }
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

/// Ranked matches as the store keeps them, ranks from 1.
fn stored_matches(ranked: &[claimdesk_match::Match]) -> Vec<StoredMatch> {
    StoredMatch::ranked(ranked.iter().map(|m| {
        let explanation = serde_json::to_value(&m.explanation).unwrap_or_default();
        (m.fact_check, m.score, explanation)
    }))
}

fn bar(progress: bool, len: usize, message: &str) -> ProgressBar {
    if progress {
        crate::load::bar(len as u64, message)
    } else {
        ProgressBar::hidden()
    }
}

/// `[detection] threshold` of the config: the check-worthiness from which items are matched.
///
/// Unset, it is 0: every item is matched, and the score orders and filters the queue. The
/// detector learned English tweets; its own threshold (`threshold = "trained"`: the score that
/// keeps 95% of the check-worthy training tweets) skips most Vietnamese social posts that do
/// repeat a checked claim, so the desk does not skip anything unless told to.
pub fn detection_threshold(dir: &Path) -> Result<Option<f32>> {
    let (path, table) = crate::desk::read_config(dir)?;
    let Some(detection) = table.get("detection") else {
        return Ok(Some(0.0));
    };
    let detection = detection
        .as_table()
        .with_context(|| format!("{}: `detection` must be a table", path.display()))?;
    for key in detection.keys() {
        if key != "threshold" {
            bail!(
                "{}: [detection] has no setting `{key}` (the one setting is `threshold`)",
                path.display()
            );
        }
    }
    let Some(v) = detection.get("threshold") else {
        return Ok(Some(0.0));
    };
    if v.as_str() == Some("trained") {
        return Ok(None);
    }
    let t = v
        .as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .filter(|t| (0.0..=1.0).contains(t))
        .with_context(|| {
            format!(
                "{}: [detection] threshold must be a number from 0 to 1 or \"trained\", not {v}",
                path.display()
            )
        })?;
    Ok(Some(t as f32))
}

/// The server's seam: items posted to `POST /api/items` go through the same pipeline.
impl ItemPipeline for Pipeline {
    fn process<'a>(&'a self, items: &'a [ItemId]) -> ProcessFuture<'a> {
        Box::pin(async move {
            let report = Pipeline::process(self, items, false)
                .await
                .map_err(|e| MatchError(format!("{e:#}")))?;
            Ok(Processed {
                matched: report.matched as u64,
                below_threshold: report.below_threshold as u64,
                alerts: report.alerts.len() as u64,
            })
        })
    }
}
