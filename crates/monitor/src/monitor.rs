//! [`Monitor`]: the clusterer, the signals and the rules over a store.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use claimdesk_core::{Alert, ItemId, JoinedBy, NarrativeId, NarrativeMember, StoredItem};
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
        // 1. Placed in memory, in order, so a copy joins an earlier item of the same batch;
        //    a narrative the batch starts has a provisional (negative) id until the store
        //    numbers it.
        let mark = self.clusterer.mark();
        let mut batch = Vec::with_capacity(items.len());
        let mut recorded = Vec::with_capacity(items.len());
        let mut seeds: HashMap<NarrativeId, usize> = HashMap::new();
        for (i, (item, embedding)) in items.iter().zip(embeddings).enumerate() {
            let fp = fingerprint(&item.item.text);
            let mh = minhash(&item.item.text);
            let placement = self.clusterer.place(fp, mh.as_ref(), embedding.as_deref());
            let (narrative, joins_earlier, joined_by, recorded_in) = match placement {
                Placement::Join { narrative, by, .. } => match seeds.get(&narrative) {
                    Some(&k) => (None, Some(k), by, narrative),
                    None => (Some(narrative), None, by, narrative),
                },
                Placement::New => {
                    let provisional = NarrativeId(-(i as i64) - 1);
                    seeds.insert(provisional, i);
                    (None, None, JoinedBy::Seed, provisional)
                }
            };
            recorded.push(self.clusterer.record(
                recorded_in,
                fp,
                mh.as_ref(),
                embedding.as_deref(),
            ));
            batch.push(NarrativeAssignment {
                item: item.id,
                narrative,
                joined_by,
                fingerprint: fp.map(|f| f.0),
                minhash: mh.as_ref().map(|m| m.to_bytes()),
                embedding,
                joins_earlier,
            });
        }
        // 2. Stored in one transaction; the provisional ids renamed to the store's.
        let assigned = store.assign_narratives(&batch).await?;
        let numbered: HashMap<NarrativeId, NarrativeId> = seeds
            .iter()
            .map(|(p, &k)| (*p, assigned[k].narrative))
            .collect();
        self.clusterer
            .rename_since(mark, &|n| numbered.get(&n).copied());
        for ((a, r), b) in assigned.iter().zip(&recorded).zip(&batch) {
            // Already in a narrative before: its fingerprint belongs there.
            if !a.added && b.narrative != Some(a.narrative) {
                self.clusterer.move_record(*r, a.narrative);
            }
        }
        // 3. The rules: each narrative that grew, then each item's matches.
        let mut grew: Vec<(NarrativeId, Vec<(usize, ItemId)>)> = Vec::new();
        let mut slot: HashMap<NarrativeId, usize> = HashMap::new();
        let seeds_count = self.settings.narratives.burst_items <= 1;
        for (i, (a, b)) in assigned.iter().zip(&batch).enumerate() {
            if !a.added {
                continue;
            }
            // A narrative only its seed is new in cannot have reached a threshold (the seed
            // still counts as a member when later items of the batch join it).
            let joined = b.narrative.is_some() || b.joins_earlier.is_some();
            if !joined && !seeds_count {
                continue;
            }
            let k = *slot.entry(a.narrative).or_insert_with(|| {
                grew.push((a.narrative, Vec::new()));
                grew.len() - 1
            });
            grew[k].1.push((i, items[i].id));
        }
        let mut narrative_alerts: HashMap<usize, Vec<Alert>> = HashMap::new();
        for (narrative, added) in grew {
            self.check_narrative(store, narrative, &added, &mut narrative_alerts)
                .await?;
        }
        let item_alerts = self.check_items(store, items).await?;
        let mut out = Vec::with_capacity(items.len());
        for (i, ((item, a), mine)) in items.iter().zip(&assigned).zip(item_alerts).enumerate() {
            let mut alerts = narrative_alerts.remove(&i).unwrap_or_default();
            alerts.extend(mine);
            out.push(Observation {
                item: item.id,
                narrative: a.narrative,
                added: a.added,
                alerts,
            });
        }
        Ok(out)
    }

    /// Rules (b) and (c) on a narrative that grew by `added` (batch position, item), in
    /// batch order: evaluated on the narrative as it stood after each new item joined, so
    /// an alert is the item's that crossed the threshold, as if the items came one by one.
    async fn check_narrative<S: Store>(
        &mut self,
        store: &S,
        id: NarrativeId,
        added: &[(usize, ItemId)],
        alerts: &mut HashMap<usize, Vec<Alert>>,
    ) -> Result<()> {
        let members = store.narrative_members(id).await?;
        let rule = BurstRule::from(&self.settings.narratives);
        let a = &self.settings.alerts;
        let growth_floor = (a.growth_items_per_hour * f64::from(a.growth_window_hours)).ceil();
        let below = |n: usize| n < rule.items as usize && (n as f64) < growth_floor;
        if below(members.len()) {
            return Ok(());
        }
        // The representative text, read only when an alert is raised.
        let mut text: Option<String> = None;
        let order: HashMap<ItemId, usize> = added
            .iter()
            .enumerate()
            .map(|(k, (_, item))| (*item, k))
            .collect();
        let mut burst_done = self.bursting.contains(&id);
        let mut growth_done = false;
        for (k, &(position, _)) in added.iter().enumerate() {
            if burst_done && growth_done {
                break;
            }
            // The narrative once the k-th new item had joined.
            let so_far: Vec<NarrativeMember> = members
                .iter()
                .filter(|m| order.get(&m.item).is_none_or(|&p| p <= k))
                .cloned()
                .collect();
            if below(so_far.len()) {
                continue;
            }
            if !burst_done && let Some(burst) = detect_burst(&so_far, rule) {
                store.save_burst(id, &burst).await?;
                self.bursting.insert(id);
                burst_done = true;
                let text = representative(store, id, &mut text).await?;
                let raised = store.raise_alert(&rules::burst(id, text, &burst)).await?;
                alerts.entry(position).or_default().extend(raised);
            }
            if !growth_done {
                let (rate, n) = growth_rate(&so_far, a.growth_window_hours);
                if rate >= a.growth_items_per_hour {
                    let text = representative(store, id, &mut text).await?;
                    let Some(alert) = rules::growth(id, text, rate, n, a) else {
                        continue;
                    };
                    growth_done = true;
                    let raised = store.raise_alert(&alert).await?;
                    alerts.entry(position).or_default().extend(raised);
                }
            }
        }
        Ok(())
    }

    /// Rule (a) on each item's stored matches (read in one query, with their fact-checks in
    /// another). One alert list per item.
    async fn check_items<S: Store>(
        &self,
        store: &S,
        items: &[StoredItem],
    ) -> Result<Vec<Vec<Alert>>> {
        let ids: Vec<ItemId> = items.iter().map(|i| i.id).collect();
        let matches = store.matches_of_items(&ids).await?;
        let mut wanted: Vec<_> = matches.iter().flatten().map(|m| m.fact_check).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let fact_checks = if wanted.is_empty() {
            Vec::new()
        } else {
            store.fact_checks_by_id(&wanted).await?
        };
        let mut out = Vec::with_capacity(items.len());
        for (item, matches) in items.iter().zip(&matches) {
            let mut alerts = Vec::new();
            if !matches.is_empty()
                && let Some(alert) = rules::false_match(
                    item,
                    matches,
                    &fact_checks,
                    &self.scale,
                    &self.settings.alerts,
                )
            {
                alerts.extend(store.raise_alert(&alert).await?);
            }
            out.push(alerts);
        }
        Ok(out)
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

/// A narrative's representative text, read once into `cache`.
async fn representative<'a, S: Store>(
    store: &S,
    id: NarrativeId,
    cache: &'a mut Option<String>,
) -> Result<&'a str> {
    if cache.is_none() {
        *cache = Some(
            store
                .narrative(id, 0)
                .await?
                .map(|d| d.summary.representative_text)
                .unwrap_or_default(),
        );
    }
    Ok(cache.as_deref().unwrap_or(""))
}
