//! [`Index`]: references searched for a probe's near-duplicates without comparing the
//! probe with each of them.
//!
//! A probe's distance to a reference is the least of its hash distance (the 32 × 4 window
//! hashes) and its aligned distance (a crop located by the profiles, then hashed). The
//! index finds the candidates for each part apart, then measures only those as
//! [`Probe::distance`] does:
//! - **by hash**: the references' window hashes in a [`HammingIndex`]; each of the probe's
//!   32 hashes finds every reference hash within the threshold, exactly, so a reference
//!   whose hash distance is within it is always a candidate;
//! - **by outline**: each reference's outline (its row and column profiles at 32 samples) scored
//!   against the probe's in some 2 µs, and the best [`IndexSettings::shortlist`] (over
//!   [`IndexSettings::min_outline`]) go on to the alignment, which costs about 0.5 ms a pair.
//!
//! What the index can miss that a comparison with every reference finds is a crop whose
//! outline is outside the shortlist; `bench/results/2026-12-06-image-index.txt` measures it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use crate::hamming::{HammingIndex, HashId};
use crate::pdq::PdqHash;

use super::outline::{Outline, OutlineQuery};
use super::{MAX_DISTANCE, Probe, Reference};

/// How an [`Index`] chooses its candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexSettings {
    /// The largest distance (bits of 256) a match may have; references with a window hash
    /// within it of one of the probe's are always candidates.
    pub max_distance: u32,
    /// How many references, best outline first, are aligned with the probe besides those
    /// found by hash.
    pub shortlist: usize,
    /// References whose outline scores under this (-1 to 1) are never aligned.
    pub min_outline: f32,
}

impl IndexSettings {
    /// The shortlist chosen on half A of the evaluation set with 10,000 generated
    /// distractors (`bench/results/2026-12-06-image-index.txt`): the least of those tried
    /// (1 to 64) that keeps all but 1% of the crops the largest keeps.
    pub const SHORTLIST: usize = 64;
    /// The least outline score aligned: the alignment itself gives up under 0.3 after its
    /// first pass.
    pub const MIN_OUTLINE: f32 = 0.3;
}

impl Default for IndexSettings {
    fn default() -> IndexSettings {
        IndexSettings {
            max_distance: MAX_DISTANCE,
            shortlist: IndexSettings::SHORTLIST,
            min_outline: IndexSettings::MIN_OUTLINE,
        }
    }
}

/// A reference the index proposes for a probe ([`Index::candidates`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<K> {
    /// The reference's key.
    pub key: K,
    /// Its hash distance ([`Probe::hash_distance`]) when within the index's
    /// [`IndexSettings::max_distance`].
    pub hash_distance: Option<u32>,
    /// Its outline score, when it was shortlisted by outline.
    pub outline: Option<f32>,
}

/// What the index keeps of a reference: its hashes and outline (some 1 KiB), not its luma.
#[derive(Debug, Clone)]
struct Entry<K> {
    key: K,
    hashes: Vec<PdqHash>,
    ids: Vec<HashId>,
    outline: Outline,
}

/// References by key, searched for a probe's near-duplicates (see the module's doc).
///
/// It keeps no pictures: [`Index::search`] asks the caller for the references it
/// shortlists (from a cache, or prepared again from their files).
#[derive(Debug, Clone)]
pub struct Index<K> {
    settings: IndexSettings,
    hashes: HammingIndex,
    /// The entry each hash belongs to, by hash id.
    owners: Vec<usize>,
    entries: Vec<Option<Entry<K>>>,
    free: Vec<usize>,
    slots: HashMap<K, usize>,
}

impl<K: Clone + Eq + Hash> Default for Index<K> {
    fn default() -> Self {
        Index::new(IndexSettings::default())
    }
}

impl<K: Clone + Eq + Hash> Index<K> {
    /// An empty index.
    pub fn new(settings: IndexSettings) -> Index<K> {
        Index {
            settings,
            hashes: HammingIndex::new(settings.max_distance),
            owners: Vec::new(),
            entries: Vec::new(),
            free: Vec::new(),
            slots: HashMap::new(),
        }
    }

    /// Its settings.
    pub fn settings(&self) -> IndexSettings {
        self.settings
    }

    /// Adds `reference` under `key`, in place of what the key held.
    pub fn insert(&mut self, key: K, reference: &Reference) {
        self.remove(&key);
        let ids: Vec<HashId> = reference
            .hashes
            .iter()
            .map(|h| self.hashes.insert(h))
            .collect();
        let entry = Entry {
            key: key.clone(),
            hashes: reference.hashes.clone(),
            ids: ids.clone(),
            outline: Outline::of(&reference.content),
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.entries[slot] = Some(entry);
                slot
            }
            None => {
                self.entries.push(Some(entry));
                self.entries.len() - 1
            }
        };
        for id in ids {
            let id = id as usize;
            if self.owners.len() <= id {
                self.owners.resize(id + 1, usize::MAX);
            }
            self.owners[id] = slot;
        }
        self.slots.insert(key, slot);
    }

    /// Removes the reference under `key`; whether there was one.
    pub fn remove(&mut self, key: &K) -> bool {
        let Some(slot) = self.slots.remove(key) else {
            return false;
        };
        if let Some(entry) = self.entries[slot].take() {
            for id in entry.ids {
                self.hashes.remove(id);
            }
        }
        self.free.push(slot);
        true
    }

    /// Whether a reference is held under `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.slots.contains_key(key)
    }

    /// The keys it holds, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.slots.keys()
    }

    /// How many references it holds.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The references worth measuring against `probe`: those with a window hash within
    /// [`IndexSettings::max_distance`] of one of its hashes, then the best shortlist by
    /// outline among the others.
    pub fn candidates(&self, probe: &Probe) -> Vec<Candidate<K>> {
        let max = self.settings.max_distance;
        let mut by_hash: HashMap<usize, u32> = HashMap::new();
        for hash in &probe.hashes {
            self.hashes.near(hash, max, |id, d| {
                let slot = self.owners[id as usize];
                let best = by_hash.entry(slot).or_insert(d);
                *best = (*best).min(d);
            });
        }
        let mut out: Vec<Candidate<K>> = by_hash
            .iter()
            .filter_map(|(slot, d)| {
                let entry = self.entries[*slot].as_ref()?;
                Some(Candidate {
                    key: entry.key.clone(),
                    hash_distance: Some(*d),
                    outline: None,
                })
            })
            .collect();
        if self.settings.shortlist == 0 {
            return out;
        }
        let banded: Vec<&crate::pdq::LumaPlane> = probe.banded.iter().map(|(_, p, _)| p).collect();
        let query = OutlineQuery::of(&probe.content, &banded);
        // The best so far, worst first once full.
        let mut best: Vec<(f32, usize)> =
            Vec::with_capacity(self.settings.shortlist.saturating_add(1).min(1024));
        let mut floor = self.settings.min_outline;
        for (slot, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if by_hash.contains_key(&slot) {
                continue;
            }
            let score = query.score(&entry.outline, floor);
            if score < floor {
                continue;
            }
            let at = best.partition_point(|(s, _)| *s > score);
            best.insert(at, (score, slot));
            if best.len() > self.settings.shortlist {
                best.pop();
                floor = floor.max(best.last().map_or(floor, |b| b.0));
            }
        }
        out.extend(best.into_iter().filter_map(|(score, slot)| {
            let entry = self.entries[slot].as_ref()?;
            Some(Candidate {
                key: entry.key.clone(),
                hash_distance: None,
                outline: Some(score),
            })
        }));
        out
    }

    /// The references within [`IndexSettings::max_distance`] of `probe`, nearest first, each
    /// with its [`Probe::distance`]: the [`candidates`](Self::candidates) measured against
    /// the references `reference` gives for their keys. A key it has no reference for
    /// (its file gone) is measured by its hash distance alone, as [`super::unconfirmed_distance`]
    /// counts it.
    pub fn search<R: Borrow<Reference>>(
        &self,
        probe: &Probe,
        mut reference: impl FnMut(&K) -> Option<R>,
    ) -> Vec<(K, u32)> {
        let max = self.settings.max_distance;
        let mut found: Vec<(K, u32)> = self
            .candidates(probe)
            .into_iter()
            .filter_map(|c| {
                let distance = match reference(&c.key) {
                    Some(r) => probe.distance(r.borrow()),
                    None => super::unconfirmed_distance(c.hash_distance?),
                };
                (distance <= max).then_some((c.key, distance))
            })
            .collect();
        found.sort_by_key(|(_, d)| *d);
        found
    }

    /// The hash distance of `probe` to the reference under `key` (the least over its
    /// window hashes), as [`Probe::hash_distance`] gives it; `None` for an unknown key.
    pub fn hash_distance(&self, probe: &Probe, key: &K) -> Option<u32> {
        let entry = self.entries[*self.slots.get(key)?].as_ref()?;
        Some(
            probe
                .hashes
                .iter()
                .flat_map(|p| entry.hashes.iter().map(move |r| p.distance(r)))
                .min()
                .unwrap_or(256),
        )
    }
}
