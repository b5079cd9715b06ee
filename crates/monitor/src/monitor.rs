//! [`Monitor`]: the clusterer, the signals and the rules over a store.
//!
//! Observing an item costs the same whatever the size of its narrative: the clusterer holds a
//! few representatives per narrative, a burst or growth check reads only the narrative's items
//! around the new ones' times (and stops once the narrative has alerted), and what the monitor
//! remembers of narratives that alerted is one small entry each.
//!
//! Nor does memory grow with the number of narratives: the monitor holds at most
//! [`ClusterSettings::resident_narratives`](crate::ClusterSettings::resident_narratives)
//! after each batch, the most recently grown; what it remembers of the others (their
//! representatives, centroid, burst and alerts) waits in the store, found again by the
//! lookup keys each representative files ([`crate::cluster::lookup_keys`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use claimdesk_core::{
    Alert, AlertRule, ImageJoin, ItemId, JoinedBy, NarrativeCount, NarrativeId, NarrativeMember,
    StoredItem,
};
use claimdesk_embed::{Embedder, TextKind, embedding_text};
use claimdesk_publish::RatingScale;
use claimdesk_store::{Assigned, NarrativeAssignment, NarrativeIndex, NewAlert, Store};
use claimdesk_text::{Fingerprint, MinHash, fingerprint, minhash};

use crate::Result;
use crate::cluster::{Clusterer, Placement, lookup_keys};
use crate::rules;
use crate::settings::MonitorSettings;
use crate::signal::{BurstRule, detect_burst};

/// Items read from the store per batch while rebuilding.
const REBUILD_BATCH: u32 = 500;

/// Narratives the store keeps under one lookup key (the newest): see
/// [`claimdesk_store::MonitorStore::file_narrative_keys`].
const KEY_NARRATIVES: u32 = 4;

/// Each escalation is this many times the size of the one before (10×, 100×, ...).
const ESCALATION_FACTOR: u64 = 10;

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

/// What the monitor remembers of a narrative that alerted.
#[derive(Debug, Default)]
struct Story {
    /// The rules that alerted on it (those of [`AlertRule::ALL`], by position).
    rules: u8,
    /// Its items when it first alerted: escalations are multiples of this.
    base: Option<u32>,
    /// The highest escalation raised (10, 100, ...); 1 before the first.
    multiple: u64,
    /// Its representative text, once read.
    text: Option<String>,
}

impl Story {
    fn has(&self, rule: AlertRule) -> bool {
        self.rules & rule_bit(rule) != 0
    }
}

fn rule_bit(rule: AlertRule) -> u8 {
    let k = AlertRule::ALL.iter().position(|r| *r == rule).unwrap_or(0);
    1 << k
}

/// An alert found by a check, to raise at its item's position in the batch.
enum Found {
    Burst(claimdesk_core::Burst),
    Growth { rate: f64, items: u32 },
    FalseMatch(NewAlert),
}

/// Watches items as they are stored: puts each in a narrative, checks the narrative for a
/// burst and for fast growth, and checks the item's matches for a false-rated fact-check.
/// Alerts are per narrative: once per rule, then an escalation each time the narrative
/// grows tenfold.
pub struct Monitor {
    settings: MonitorSettings,
    scale: RatingScale,
    clusterer: Clusterer,
    embedder: Option<Arc<dyn Embedder>>,
    /// Narratives known to have a burst already.
    bursting: HashSet<NarrativeId>,
    /// Narratives that alerted.
    stories: HashMap<NarrativeId, Story>,
    /// Whether memory holds every narrative of the store: nothing has left it, so the
    /// store's lookup keys need not be read.
    complete: bool,
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
        let cap = settings.narratives.resident_narratives;
        let recent = store.recent_narratives(cap.saturating_add(1)).await?;
        // A store of more narratives than memory holds: the most recently seen, and the
        // others when a copy of them comes in.
        let complete = recent.len() <= cap as usize;
        let index = if complete {
            store.narrative_index().await?
        } else {
            store.narrative_index_of(&recent[..cap as usize]).await?
        };
        Ok(Monitor {
            clusterer: Clusterer::from_index(settings.narratives.clone(), &index),
            bursting: index.bursts.iter().copied().collect(),
            stories: stories(&index),
            complete,
            settings,
            scale,
            embedder,
        })
    }

    /// The settings in force.
    pub fn settings(&self) -> &MonitorSettings {
        &self.settings
    }

    /// The clusterer's state (its representatives), for inspection.
    pub fn clusterer(&self) -> &Clusterer {
        &self.clusterer
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
        let prints: Vec<(Option<Fingerprint>, Option<MinHash>)> = items
            .iter()
            .map(|i| (fingerprint(&i.item.text), minhash(&i.item.text)))
            .collect();
        // 0. The narratives that left memory and that these items may join, back.
        if !self.complete {
            self.bring_back(store, &prints).await?;
        }
        // The earlier items whose images these items' images are near-duplicates of, and
        // the narratives of those placed before this batch (back in memory if they left).
        let ids: Vec<ItemId> = items.iter().map(|i| i.id).collect();
        let neighbours: HashMap<ItemId, ImageJoin> =
            store.image_neighbours(&ids).await?.into_iter().collect();
        let placed_before = self.image_narratives(store, &neighbours).await?;
        // 1. Placed in memory, in order, so a copy joins an earlier item of the same batch;
        //    a narrative the batch starts has a provisional (negative) id until the store
        //    numbers it.
        let mark = self.clusterer.mark();
        let mut batch = Vec::with_capacity(items.len());
        let mut recorded = Vec::with_capacity(items.len());
        let mut seeds: HashMap<NarrativeId, usize> = HashMap::new();
        // The narrative (provisional for one the batch starts) each item of the batch went to.
        let mut in_batch: HashMap<ItemId, NarrativeId> = HashMap::new();
        for (i, ((item, embedding), (fp, mh))) in
            items.iter().zip(embeddings).zip(&prints).enumerate()
        {
            let (fp, mh) = (*fp, mh.as_ref());
            let mut placement = self.clusterer.place(fp, mh, embedding.as_deref());
            // Near-identical words decide first; then a near-duplicate image, before meaning.
            let by_words = matches!(
                placement,
                Placement::Join {
                    by: JoinedBy::Fingerprint,
                    ..
                }
            );
            if let Some(join) = neighbours.get(&item.id).filter(|_| !by_words) {
                let narrative = in_batch
                    .get(&join.item)
                    .or_else(|| placed_before.get(&join.item))
                    .copied();
                if let Some(narrative) = narrative {
                    placement = Placement::Join {
                        narrative,
                        by: JoinedBy::Image,
                        closeness: join.distance as f32,
                        covered: false,
                    };
                }
            }
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
            in_batch.insert(item.id, recorded_in);
            let representative = self.clusterer.keeps(recorded_in, &placement);
            recorded.push(self.clusterer.record(
                recorded_in,
                fp,
                mh,
                embedding.as_deref(),
                representative,
            ));
            batch.push(NarrativeAssignment {
                item: item.id,
                narrative,
                joined_by,
                fingerprint: fp.map(|f| f.0),
                minhash: mh.map(|m| m.to_bytes()),
                embedding,
                joins_earlier,
                representative,
            });
        }
        // 2. Stored in one transaction; the provisional ids renamed to the store's; the new
        //    representatives' narratives filed under their lookup keys.
        let assigned = store.assign_narratives(&batch).await?;
        // Items observed again, in narratives memory does not hold: what the batch recorded
        // of those narratives is not the whole of them.
        let partial: Vec<NarrativeId> = assigned
            .iter()
            .filter(|a| !a.added && !self.clusterer.holds(a.narrative))
            .map(|a| a.narrative)
            .collect();
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
        self.clusterer.forget(&partial);
        let keys: Vec<(u64, NarrativeId)> = assigned
            .iter()
            .zip(&batch)
            .zip(&prints)
            .filter(|((a, b), _)| a.added && b.representative)
            .flat_map(|((a, _), (fp, mh))| {
                lookup_keys(*fp, mh.as_ref())
                    .into_iter()
                    .map(move |k| (k, a.narrative))
            })
            .collect();
        store.file_narrative_keys(&keys, KEY_NARRATIVES).await?;
        // 3. The checks: each narrative that grew (burst, growth), then each item's matches.
        let mut found: HashMap<usize, Vec<Found>> = HashMap::new();
        let mut grew: Vec<(NarrativeId, Vec<usize>)> = Vec::new();
        let mut slot: HashMap<NarrativeId, usize> = HashMap::new();
        for (i, a) in assigned.iter().enumerate() {
            if a.added {
                let k = *slot.entry(a.narrative).or_insert_with(|| {
                    grew.push((a.narrative, Vec::new()));
                    grew.len() - 1
                });
                grew[k].1.push(i);
            }
        }
        for (narrative, added) in &grew {
            if let Some((i, burst)) = self
                .find_burst(store, *narrative, added, items, &assigned)
                .await?
            {
                store.save_burst(*narrative, &burst).await?;
                self.bursting.insert(*narrative);
                found.entry(i).or_default().push(Found::Burst(burst));
            }
            if let Some((i, rate, n)) = self
                .find_growth(store, *narrative, added, items, &assigned)
                .await?
            {
                found
                    .entry(i)
                    .or_default()
                    .push(Found::Growth { rate, items: n });
            }
        }
        for (i, alert) in self.find_false_matches(store, items, &assigned).await? {
            found.entry(i).or_default().push(Found::FalseMatch(alert));
        }
        // 4. Raised in batch order, so the alerts of a narrative are its items' that crossed
        //    each threshold, as if the items came one by one; then its escalations.
        let mut out = Vec::with_capacity(items.len());
        for (i, (item, a)) in items.iter().zip(&assigned).enumerate() {
            let mut alerts = Vec::new();
            for f in found.remove(&i).unwrap_or_default() {
                let alert = match f {
                    Found::Burst(burst) => {
                        let text = self.text(store, a.narrative).await?;
                        rules::burst(a.narrative, &text, &burst, a.count)
                    }
                    Found::Growth { rate, items: n } => {
                        let text = self.text(store, a.narrative).await?;
                        let Some(alert) = rules::growth(
                            a.narrative,
                            &text,
                            rate,
                            n,
                            &self.settings.alerts,
                            a.count,
                        ) else {
                            continue;
                        };
                        alert
                    }
                    Found::FalseMatch(alert) => {
                        // An earlier item of the batch raised it for this narrative.
                        if self.story(a.narrative).has(AlertRule::FalseMatch) {
                            continue;
                        }
                        alert
                    }
                };
                self.raise(store, &alert, a.count, &mut alerts).await?;
            }
            if a.added {
                self.escalate(store, a.narrative, a.count, &mut alerts)
                    .await?;
            }
            out.push(Observation {
                item: item.id,
                narrative: a.narrative,
                added: a.added,
                alerts,
            });
        }
        // 5. The narratives that grew least recently leave memory when it holds too many.
        let gone = self
            .clusterer
            .evict(self.settings.narratives.resident_narratives as usize);
        if !gone.is_empty() {
            self.complete = false;
            for n in &gone {
                self.bursting.remove(n);
                self.stories.remove(n);
            }
            self.bursting.shrink_to_fit();
            self.stories.shrink_to_fit();
        }
        Ok(out)
    }

    /// Brings back into memory the narratives that left it and that items with these
    /// fingerprints may join: those the store files under the items' lookup keys, with
    /// their representatives, centroid, burst and alerts.
    async fn bring_back<S: Store>(
        &mut self,
        store: &S,
        prints: &[(Option<Fingerprint>, Option<MinHash>)],
    ) -> Result<()> {
        let keys: Vec<u64> = prints
            .iter()
            .flat_map(|(fp, mh)| lookup_keys(*fp, mh.as_ref()))
            .collect();
        let mut away = store.narratives_by_keys(&keys, KEY_NARRATIVES).await?;
        away.retain(|n| !self.clusterer.holds(*n));
        if away.is_empty() {
            return Ok(());
        }
        // Most narratives found by a key share a band with an item and no more: only those
        // an item joins come back, read whole; the others' representatives are all that
        // is read of them.
        let representatives = store.narrative_representatives(&away).await?;
        let joined = self.clusterer.joined_by_any(&representatives, prints);
        if joined.is_empty() {
            return Ok(());
        }
        let index = store.narrative_index_of(&joined).await?;
        self.resume(&index);
        Ok(())
    }

    /// The narratives of the items that `neighbours` name (those in one), each held in
    /// memory: a narrative that left it is brought back whole, so an item joining it by
    /// image joins it as it would have had it never left.
    async fn image_narratives<S: Store>(
        &mut self,
        store: &S,
        neighbours: &HashMap<ItemId, ImageJoin>,
    ) -> Result<HashMap<ItemId, NarrativeId>> {
        if neighbours.is_empty() {
            return Ok(HashMap::new());
        }
        let mut near: Vec<ItemId> = neighbours.values().map(|j| j.item).collect();
        near.sort_unstable();
        near.dedup();
        let placed: HashMap<ItemId, NarrativeId> =
            store.narratives_of(&near).await?.into_iter().collect();
        let mut away: Vec<NarrativeId> = placed
            .values()
            .copied()
            .filter(|n| !self.clusterer.holds(*n))
            .collect();
        away.sort_unstable();
        away.dedup();
        if !away.is_empty() {
            let index = store.narrative_index_of(&away).await?;
            self.resume(&index);
        }
        // A narrative that could not come back (nothing of it stored) is not joined.
        Ok(placed
            .into_iter()
            .filter(|(_, n)| self.clusterer.holds(*n))
            .collect())
    }

    /// Brings narratives back into memory from their index: representatives, centroid,
    /// burst and alerts.
    fn resume(&mut self, index: &NarrativeIndex) {
        self.clusterer.resume(index);
        self.bursting.extend(index.bursts.iter().copied());
        for (n, story) in stories(index) {
            self.stories.entry(n).or_insert(story);
        }
    }

    /// How many narratives the monitor holds in memory now (at most
    /// [`ClusterSettings::resident_narratives`](crate::ClusterSettings::resident_narratives)
    /// between batches).
    pub fn narratives_held(&self) -> usize {
        self.clusterer.narratives()
    }

    fn story(&mut self, narrative: NarrativeId) -> &mut Story {
        self.stories.entry(narrative).or_insert_with(|| Story {
            multiple: 1,
            ..Story::default()
        })
    }

    /// Raises `alert` (about a narrative of `count`) unless the store has it; either way the
    /// narrative's story now has it, and its first alert sets the base of its escalations.
    async fn raise<S: Store>(
        &mut self,
        store: &S,
        alert: &NewAlert,
        count: NarrativeCount,
        out: &mut Vec<Alert>,
    ) -> Result<()> {
        out.extend(store.raise_alert(alert).await?);
        if let Some(narrative) = alert.narrative {
            let story = self.story(narrative);
            story.rules |= rule_bit(alert.rule);
            if alert.rule != AlertRule::Escalation && story.base.is_none() {
                story.base = Some(count.items);
            }
        }
        Ok(())
    }

    /// The escalations a narrative of `count` is due: each time it reaches 10×, 100×, ...
    /// the items it held when it first alerted.
    async fn escalate<S: Store>(
        &mut self,
        store: &S,
        narrative: NarrativeId,
        count: NarrativeCount,
        out: &mut Vec<Alert>,
    ) -> Result<()> {
        let Some(story) = self.stories.get(&narrative) else {
            return Ok(());
        };
        let Some(base) = story.base else {
            return Ok(());
        };
        let mut multiple = story.multiple;
        while u64::from(count.items) >= u64::from(base) * multiple * ESCALATION_FACTOR {
            multiple *= ESCALATION_FACTOR;
            let text = self.text(store, narrative).await?;
            let alert = rules::escalation(narrative, &text, multiple, base, count);
            self.raise(store, &alert, count, out).await?;
            self.story(narrative).multiple = multiple;
        }
        Ok(())
    }

    /// The first item of `added` (batch positions of the narrative's new items, in order)
    /// with which the narrative shows a burst, and that burst. Only windows holding a new
    /// item can be new bursts, so only the items within the burst window of the new ones are
    /// read; a narrative that has its burst is not checked again.
    async fn find_burst<S: Store>(
        &self,
        store: &S,
        narrative: NarrativeId,
        added: &[usize],
        items: &[StoredItem],
        assigned: &[Assigned],
    ) -> Result<Option<(usize, claimdesk_core::Burst)>> {
        let rule = BurstRule::from(&self.settings.narratives);
        let Some(&last) = added.last() else {
            return Ok(None);
        };
        if self.bursting.contains(&narrative) || assigned[last].count.items < rule.items {
            return Ok(None);
        }
        let times = added.iter().map(|&i| assigned[i].at);
        let from = times.clone().min().unwrap_or(0) - rule.window_seconds;
        let to = times.max().unwrap_or(0) + rule.window_seconds;
        let members = store.narrative_members_between(narrative, from, to).await?;
        let rank = ranks(added, items);
        // Adding items only adds to windows: if the narrative has no burst with all the new
        // items, it had none with fewer; else the first new item with which it has one is
        // found by bisection.
        if detect_burst(&members, rule).is_none() {
            return Ok(None);
        }
        let (mut lo, mut hi) = (0, added.len() - 1);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if detect_burst(&up_to(&members, &rank, mid), rule).is_some() {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Ok(detect_burst(&up_to(&members, &rank, lo), rule).map(|b| (added[lo], b)))
    }

    /// The first item of `added` with which the narrative grows at the alerting rate (items
    /// per hour over the last window of its time line), with the rate and the count. Reads
    /// only the items in the windows that end at the narrative's latest time after each new
    /// item; a narrative that alerted for growth is not checked again.
    async fn find_growth<S: Store>(
        &self,
        store: &S,
        narrative: NarrativeId,
        added: &[usize],
        items: &[StoredItem],
        assigned: &[Assigned],
    ) -> Result<Option<(usize, f64, u32)>> {
        let a = &self.settings.alerts;
        let hours = a.growth_window_hours.max(1);
        let floor = (a.growth_items_per_hour * f64::from(hours)).ceil();
        let (Some(&first), Some(&last)) = (added.first(), added.last()) else {
            return Ok(None);
        };
        let alerted = self
            .stories
            .get(&narrative)
            .is_some_and(|s| s.has(AlertRule::Growth));
        if alerted || f64::from(assigned[last].count.items) < floor {
            return Ok(None);
        }
        let window = i64::from(hours) * 3600;
        let from = assigned[first].count.last_seen - window + 1;
        let members = store
            .narrative_members_between(narrative, from, assigned[last].count.last_seen)
            .await?;
        let rank = ranks(added, items);
        for (k, &i) in added.iter().enumerate() {
            let latest = assigned[i].count.last_seen;
            let n = members
                .iter()
                .filter(|m| m.at > latest - window && m.at <= latest)
                .filter(|m| rank.get(&m.item).is_none_or(|&r| r <= k))
                .count() as u32;
            let rate = f64::from(n) / f64::from(hours);
            if rate >= a.growth_items_per_hour {
                return Ok(Some((i, rate, n)));
            }
        }
        Ok(None)
    }

    /// Rule (a) for the items whose narrative has no false-match alert yet (their matches
    /// read in one query, their fact-checks in another): the alert each would raise, by
    /// batch position.
    async fn find_false_matches<S: Store>(
        &self,
        store: &S,
        items: &[StoredItem],
        assigned: &[Assigned],
    ) -> Result<Vec<(usize, NewAlert)>> {
        let open: Vec<usize> = (0..items.len())
            .filter(|&i| {
                !self
                    .stories
                    .get(&assigned[i].narrative)
                    .is_some_and(|s| s.has(AlertRule::FalseMatch))
            })
            .collect();
        if open.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<ItemId> = open.iter().map(|&i| items[i].id).collect();
        let matches = store.matches_of_items(&ids).await?;
        let mut wanted: Vec<_> = matches.iter().flatten().map(|m| m.fact_check).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let fact_checks = if wanted.is_empty() {
            Vec::new()
        } else {
            store.fact_checks_by_id(&wanted).await?
        };
        let mut out = Vec::new();
        for (&i, matches) in open.iter().zip(&matches) {
            if matches.is_empty() {
                continue;
            }
            let a = &assigned[i];
            if let Some(alert) = rules::false_match(
                &items[i],
                a.narrative,
                a.count,
                matches,
                &fact_checks,
                &self.scale,
                &self.settings.alerts,
            ) {
                out.push((i, alert));
            }
        }
        Ok(out)
    }

    /// A narrative's representative text, read once.
    async fn text<S: Store>(&mut self, store: &S, narrative: NarrativeId) -> Result<String> {
        if let Some(text) = self.stories.get(&narrative).and_then(|s| s.text.clone()) {
            return Ok(text);
        }
        let text = store
            .narrative(narrative, 0)
            .await?
            .map(|d| d.summary.representative_text)
            .unwrap_or_default();
        self.story(narrative).text = Some(text.clone());
        Ok(text)
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

/// What the monitor remembers of the narratives that alerted, from the store's alerts.
fn stories(index: &NarrativeIndex) -> HashMap<NarrativeId, Story> {
    let mut out: HashMap<NarrativeId, Story> = HashMap::new();
    for a in &index.alerts {
        let story = out.entry(a.narrative).or_insert_with(|| Story {
            multiple: 1,
            ..Story::default()
        });
        story.rules |= rule_bit(a.rule);
        if a.rule == AlertRule::Escalation {
            let multiple = rules::escalation_multiple(&a.subject).unwrap_or(1);
            story.multiple = story.multiple.max(multiple);
        } else if story.base.is_none() {
            story.base = a.items;
        }
    }
    out
}

/// The position in `added` of each new item.
fn ranks(added: &[usize], items: &[StoredItem]) -> HashMap<ItemId, usize> {
    added
        .iter()
        .enumerate()
        .map(|(k, &i)| (items[i].id, k))
        .collect()
}

/// The members as they stood once the `k`-th new item had joined.
fn up_to(
    members: &[NarrativeMember],
    rank: &HashMap<ItemId, usize>,
    k: usize,
) -> Vec<NarrativeMember> {
    members
        .iter()
        .filter(|m| rank.get(&m.item).is_none_or(|&r| r <= k))
        .cloned()
        .collect()
}
