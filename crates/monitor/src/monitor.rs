//! [`Monitor`]: the clusterer, the signals and the rules over a store.

use std::collections::HashSet;
use std::sync::Arc;

use claimdesk_core::{Alert, ItemId, JoinedBy, NarrativeId, StoredItem};
use claimdesk_embed::{Embedder, TextKind, embedding_text};
use claimdesk_publish::RatingScale;
use claimdesk_store::{NarrativeAssignment, Store};
use claimdesk_text::{fingerprint, minhash};

use crate::Result;
use crate::cluster::{Clusterer, Placement};
use crate::rules;
use crate::settings::MonitorSettings;
use crate::signal::{BurstRule, detect_burst, growth_rate};

/// Items read from the store per batch while rebuilding.
const REBUILD_BATCH: u32 = 500;

/// What observing one item did.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The item.
    pub item: ItemId,
    /// Its narrative.
    pub narrative: NarrativeId,
    /// False when it was already in a narrative (observing it again changes nothing).
    pub added: bool,
    /// Alerts raised now (an alert raised before is not raised again).
    pub alerts: Vec<Alert>,
}

/// Watches items as they are stored: puts each in a narrative, checks the narrative for a
/// burst and for fast growth, and checks the item's matches for a false-rated fact-check.
pub struct Monitor {
    settings: MonitorSettings,
    scale: RatingScale,
    clusterer: Clusterer,
    embedder: Option<Arc<dyn Embedder>>,
    /// Narratives known to have a burst already.
    bursting: HashSet<NarrativeId>,
}

impl Monitor {
    /// A monitor resuming from the narratives in `store`. With `embedder`, items also join
    /// narratives by meaning; without it, by fingerprint only.
    pub async fn open<S: Store>(
        store: &S,
        settings: MonitorSettings,
        scale: RatingScale,
        embedder: Option<Arc<dyn Embedder>>,
    ) -> Result<Monitor> {
        let index = store.narrative_index().await?;
        Ok(Monitor {
            clusterer: Clusterer::from_index(settings.narratives.clone(), index),
            settings,
            scale,
            embedder,
            bursting: HashSet::new(),
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &MonitorSettings {
        &self.settings
    }

    /// Observes items already stored and matched (their matches are read from the store),
    /// in order. Observing an item twice assigns and counts it once.
    pub async fn observe<S: Store>(
        &mut self,
        store: &S,
        items: &[StoredItem],
    ) -> Result<Vec<Observation>> {
        let embeddings: Vec<Option<Vec<f32>>> = match &self.embedder {
            Some(model) => {
                let texts: Vec<String> =
                    items.iter().map(|i| embedding_text(&i.item.text)).collect();
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                model
                    .embed(&refs, TextKind::Query)?
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            None => vec![None; items.len()],
        };
        let mut out = Vec::with_capacity(items.len());
        for (item, embedding) in items.iter().zip(embeddings) {
            out.push(self.observe_one(store, item, embedding).await?);
        }
        Ok(out)
    }

    async fn observe_one<S: Store>(
        &mut self,
        store: &S,
        item: &StoredItem,
        embedding: Option<Vec<f32>>,
    ) -> Result<Observation> {
        let fp = fingerprint(&item.item.text);
        let mh = minhash(&item.item.text);
        let placement = self.clusterer.place(fp, mh.as_ref(), embedding.as_deref());
        let (narrative, joined_by) = match placement {
            Placement::Join { narrative, by, .. } => (Some(narrative), by),
            Placement::New => (None, JoinedBy::Seed),
        };
        let assigned = store
            .assign_narrative(&NarrativeAssignment {
                item: item.id,
                narrative,
                joined_by,
                fingerprint: fp.map(|f| f.0),
                minhash: mh.as_ref().map(|m| m.to_bytes()),
                embedding: embedding.clone(),
            })
            .await?;
        let mut alerts = Vec::new();
        if assigned.added {
            self.clusterer
                .record(assigned.narrative, fp, mh.as_ref(), embedding.as_deref());
            if narrative.is_some() || self.settings.narratives.burst_items <= 1 {
                self.check_narrative(store, assigned.narrative, &mut alerts)
                    .await?;
            }
        }
        self.check_item(store, item, &mut alerts).await?;
        Ok(Observation {
            item: item.id,
            narrative: assigned.narrative,
            added: assigned.added,
            alerts,
        })
    }

    /// Rules (b) and (c) on a narrative that just grew.
    async fn check_narrative<S: Store>(
        &mut self,
        store: &S,
        id: NarrativeId,
        alerts: &mut Vec<Alert>,
    ) -> Result<()> {
        let members = store.narrative_members(id).await?;
        let rule = BurstRule::from(&self.settings.narratives);
        let a = &self.settings.alerts;
        let growth_floor = (a.growth_items_per_hour * f64::from(a.growth_window_hours)).ceil();
        if members.len() < rule.items as usize && (members.len() as f64) < growth_floor {
            return Ok(());
        }
        let text = match store.narrative(id, 0).await? {
            Some(d) => d.summary.representative_text,
            None => return Ok(()),
        };
        if !self.bursting.contains(&id)
            && let Some(burst) = detect_burst(&members, rule)
        {
            store.save_burst(id, &burst).await?;
            self.bursting.insert(id);
            alerts.extend(store.raise_alert(&rules::burst(id, &text, &burst)).await?);
        }
        let (rate, n) = growth_rate(&members, a.growth_window_hours);
        if let Some(alert) = rules::growth(id, &text, rate, n, a) {
            alerts.extend(store.raise_alert(&alert).await?);
        }
        Ok(())
    }

    /// Rule (a) on an item's stored matches.
    async fn check_item<S: Store>(
        &self,
        store: &S,
        item: &StoredItem,
        alerts: &mut Vec<Alert>,
    ) -> Result<()> {
        let matches = store.matches(item.id).await?;
        if matches.is_empty() {
            return Ok(());
        }
        let ids: Vec<_> = matches.iter().map(|m| m.fact_check).collect();
        let fact_checks = store.fact_checks_by_id(&ids).await?;
        if let Some(alert) = rules::false_match(
            item,
            &matches,
            &fact_checks,
            &self.scale,
            &self.settings.alerts,
        ) {
            alerts.extend(store.raise_alert(&alert).await?);
        }
        Ok(())
    }

    /// Deletes every narrative and burst and recomputes them from the stored items, in id
    /// order (so the narratives get the same ids each time). Alerts already raised stay and
    /// are not raised twice. Calls `progress(done)` after each batch. Returns the monitor,
    /// ready for new items, and how many items it went through.
    pub async fn rebuild<S: Store>(
        store: &S,
        settings: MonitorSettings,
        scale: RatingScale,
        embedder: Option<Arc<dyn Embedder>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(Monitor, u64)> {
        store.clear_narratives().await?;
        let mut monitor = Monitor::open(store, settings, scale, embedder).await?;
        let mut after = ItemId(0);
        let mut done = 0u64;
        loop {
            let batch = store.items(after, REBUILD_BATCH).await?;
            let Some(last) = batch.last() else {
                break;
            };
            after = last.id;
            monitor.observe(store, &batch).await?;
            done += batch.len() as u64;
            progress(done);
        }
        Ok((monitor, done))
    }
}
