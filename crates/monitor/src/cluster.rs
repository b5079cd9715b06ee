//! Online clustering of items into narratives.
//!
//! An item joins the narrative of the nearest earlier member whose SimHash fingerprint is
//! within [`ClusterSettings::max_distance`] bits (a copy or a light edit), else of the most
//! similar member whose MinHash signature shares at least [`ClusterSettings::min_jaccard`]
//! of its word 3-shingles (a copy with words added or cut: a prefix, a hashtag; SimHash
//! over a short text moves too far for those). Both count as near-identical. Failing that, and
//! when both have embeddings, it joins the narrative whose centroid is most similar, at
//! [`ClusterSettings::min_cosine`] or more (the same thing in other words). Otherwise it
//! starts a new narrative.
//!
//! Candidates are found by splitting the 64 bits into `max_distance + 1` bands: two
//! fingerprints within `max_distance` bits agree exactly on at least one band (pigeonhole),
//! so looking up each band finds every near representative without scanning them all.
//! MinHash signatures are banded by pairs of positions ([`MINHASH_BANDS`] bands): two
//! signatures at similarity 0.5 share a band with probability 1 - 0.75^32 > 0.9999.
//!
//! Only a narrative's *representatives* are kept: its first item, then each item that joined
//! but is not already close to one of them (more than half `max_distance` bits away, or below
//! the midpoint between `min_jaccard` and 1), up to [`REPRESENTATIVES`] per narrative. A
//! copy-paste flood of a hundred thousand posts is a few dozen fingerprints here: placing an
//! item looks at a bounded number of candidates whatever the narrative's size, and memory
//! grows with the number of narratives, not with their members.
//!
//! Nor does it grow with the number of narratives: the clusterer holds the narratives that
//! grew most recently, at most [`ClusterSettings::resident_narratives`] after each batch
//! ([`Clusterer::evict`] lets the others go). Each representative also files its narrative
//! in the store under its [`lookup_keys`]: its exact fingerprint and [`STORED_BANDS`] of its
//! MinHash bands. A later item whose keys find a narrative that left memory brings it back
//! ([`Clusterer::resume`]) before it is placed, so it joins the old narrative as it would
//! have had the narrative never left. From the store, a copy is found when its normalized
//! text gives the same fingerprint, and otherwise with probability `1 - (1 - J²)^16` at
//! Jaccard similarity `J` (0.990 at the 0.5 threshold, 0.99998 at 0.7); in memory, SimHash
//! bands and all [`MINHASH_BANDS`] bands find it (`> 0.9999` at 0.5), and SimHash finds
//! copies within [`ClusterSettings::max_distance`] bits that the store finds only when
//! their MinHash is close too. Only the narratives an item of the batch actually joins
//! come back ([`Clusterer::joined_by_any`]): a shared band alone brings nothing back. The
//! store keeps the four newest narratives under each key (a key many narratives share is
//! common wording; reading it costs the same however large the store grows), so an old
//! narrative is not found again by a key four newer narratives took over.
//! Below the cap nothing leaves memory and the store's keys are never read.

use std::collections::HashMap;

use claimdesk_core::{JoinedBy, NarrativeId};
use claimdesk_store::{NarrativeIndex, Representative};
use claimdesk_text::{Fingerprint, MINHASH_SIZE, MinHash};

use crate::settings::ClusterSettings;

/// MinHash bands of two positions each.
pub const MINHASH_BANDS: usize = MINHASH_SIZE / 2;

/// MinHash bands (the first ones) under which a representative files its narrative in the
/// store, besides its fingerprint: see [`lookup_keys`].
pub const STORED_BANDS: usize = 16;

/// The keys under which the store files a representative's narrative, and under which an
/// item looks for narratives that left memory: its SimHash fingerprint, and its first
/// [`STORED_BANDS`] MinHash bands, each mixed with its position so the keys of different
/// kinds and bands do not meet.
pub fn lookup_keys(fingerprint: Option<Fingerprint>, minhash: Option<&MinHash>) -> Vec<u64> {
    let mut out = Vec::with_capacity(1 + STORED_BANDS);
    if let Some(fp) = fingerprint {
        out.push(mix(fp.0, 0));
    }
    if let Some(mh) = minhash {
        for band in 0..STORED_BANDS {
            out.push(mix(minhash_band(mh, band), band as u64 + 1));
        }
    }
    out
}

/// splitmix64 of `value` with `tag` folded in.
fn mix(value: u64, tag: u64) -> u64 {
    let mut z = value ^ tag.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The most representatives (fingerprints and signatures) kept per narrative. The store's
/// migration `0008` keeps as many of each older narrative's first members.
pub const REPRESENTATIVES: u32 = 64;

/// Where an item should go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// Into this narrative.
    Join {
        /// The narrative.
        narrative: NarrativeId,
        /// Why.
        by: JoinedBy,
        /// The SimHash distance or the cosine that decided it.
        closeness: f32,
        /// Whether a representative is so close that keeping this item as one would add
        /// little (see [`Clusterer::keeps`]).
        covered: bool,
    },
    /// Into a new narrative of its own.
    New,
}

/// A position in the clusterer's record (see [`Clusterer::mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    members: usize,
    signatures: usize,
}

/// Where [`Clusterer::record`] put an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded {
    member: Option<usize>,
    signature: Option<usize>,
}

/// The in-memory state of online clustering: the representatives' fingerprints by band, and
/// the centroids, of the narratives held in memory (the most recently grown; see the
/// module's documentation). Rebuilt from the store with [`Clusterer::from_index`].
#[derive(Debug, Clone)]
pub struct Clusterer {
    settings: ClusterSettings,
    /// (first bit, width) of each band.
    bands: Vec<(u32, u32)>,
    /// Per band: band value → positions in `members`.
    buckets: Vec<HashMap<u64, Vec<u32>>>,
    /// The representatives' SimHash fingerprints.
    members: Vec<(u64, NarrativeId)>,
    /// Per MinHash band: band value → positions in `signatures`.
    minhash_buckets: Vec<HashMap<u64, Vec<u32>>>,
    /// The representatives' MinHash signatures.
    signatures: Vec<(MinHash, NarrativeId)>,
    /// Representatives kept per narrative.
    representatives: HashMap<NarrativeId, u32>,
    centroids: HashMap<NarrativeId, (Vec<f32>, u32)>,
    /// The narratives held, with the clock of the batch that last recorded into them or
    /// brought them back.
    resident: HashMap<NarrativeId, u64>,
    /// Counts [`Clusterer::mark`]s (one per batch).
    clock: u64,
}

impl Clusterer {
    /// An empty clusterer.
    pub fn new(settings: ClusterSettings) -> Clusterer {
        let count = (settings.max_distance + 1).min(64);
        let width = 64 / count;
        let mut bands = Vec::with_capacity(count as usize);
        let mut start = 0;
        for i in 0..count {
            // The last band takes the bits left over.
            let w = if i + 1 == count { 64 - start } else { width };
            bands.push((start, w));
            start += w;
        }
        Clusterer {
            buckets: vec![HashMap::new(); bands.len()],
            bands,
            settings,
            members: Vec::new(),
            minhash_buckets: vec![HashMap::new(); MINHASH_BANDS],
            signatures: Vec::new(),
            representatives: HashMap::new(),
            centroids: HashMap::new(),
            resident: HashMap::new(),
            clock: 0,
        }
    }

    /// A clusterer resuming from what the store holds: its representative members.
    pub fn from_index(settings: ClusterSettings, index: &NarrativeIndex) -> Clusterer {
        let mut c = Clusterer::new(settings);
        c.resume(index);
        c
    }

    /// Brings narratives back into memory from their [`NarrativeIndex`] (read again from
    /// the store after [`Clusterer::evict`] let them go): their representatives, in the
    /// index's order, and their centroids. A narrative already held is left as it is.
    pub fn resume(&mut self, index: &NarrativeIndex) {
        let clock = self.clock;
        let held: std::collections::HashSet<NarrativeId> = index
            .members
            .iter()
            .map(|m| m.0)
            .chain(index.centroids.iter().map(|c| c.0))
            .filter(|n| self.resident.contains_key(n))
            .collect();
        for (narrative, fp, mh) in &index.members {
            if held.contains(narrative) {
                continue;
            }
            if let Some(fp) = fp {
                self.add_fingerprint(*narrative, Fingerprint(*fp));
            }
            if let Some(mh) = mh.as_deref().and_then(MinHash::from_bytes) {
                self.add_minhash(*narrative, mh);
            }
            *self.representatives.entry(*narrative).or_default() += 1;
            self.resident.insert(*narrative, clock);
        }
        for (narrative, centroid, n) in &index.centroids {
            if held.contains(narrative) {
                continue;
            }
            self.centroids.insert(*narrative, (centroid.clone(), *n));
            self.resident.insert(*narrative, clock);
        }
    }

    /// The narratives of these representatives (read back from the store, not held in
    /// memory) that an item with one of these fingerprints and signatures would join: one
    /// of their representatives shares a lookup key with the item and is within
    /// [`ClusterSettings::max_distance`] bits of it or at [`ClusterSettings::min_jaccard`]
    /// or more. In id order.
    pub fn joined_by_any(
        &self,
        representatives: &[Representative],
        prints: &[(Option<Fingerprint>, Option<MinHash>)],
    ) -> Vec<NarrativeId> {
        let mut by_key: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, (fp, mh)) in prints.iter().enumerate() {
            for key in lookup_keys(*fp, mh.as_ref()) {
                by_key.entry(key).or_default().push(i);
            }
        }
        let mut out: Vec<NarrativeId> = Vec::new();
        let mut found: std::collections::HashSet<NarrativeId> = Default::default();
        for (narrative, fp, mh) in representatives {
            if found.contains(narrative) || self.holds(*narrative) {
                continue;
            }
            let fp = fp.map(Fingerprint);
            let mh = mh.as_deref().and_then(MinHash::from_bytes);
            let joins = lookup_keys(fp, mh.as_ref()).into_iter().any(|key| {
                by_key.get(&key).is_some_and(|items| {
                    items.iter().any(|&i| {
                        let (ifp, imh) = &prints[i];
                        let near = matches!((ifp, fp), (Some(a), Some(b))
                            if a.distance(b) <= self.settings.max_distance);
                        let similar = matches!((imh, &mh), (Some(a), Some(b))
                            if a.similarity(b) >= self.settings.min_jaccard);
                        near || similar
                    })
                })
            });
            if joins {
                found.insert(*narrative);
                out.push(*narrative);
            }
        }
        out.sort_unstable();
        out
    }

    /// Whether `narrative` is held in memory.
    pub fn holds(&self, narrative: NarrativeId) -> bool {
        self.resident.contains_key(&narrative)
    }

    /// Drops what memory holds of these narratives (a narrative known only by an item
    /// observed again, which [`Clusterer::move_record`] put in it: the rest of it is in the
    /// store, and [`Clusterer::resume`] brings it back whole). Their representatives leave
    /// the buckets at the next [`Clusterer::evict`] that lets narratives go.
    pub fn forget(&mut self, narratives: &[NarrativeId]) {
        for n in narratives {
            self.resident.remove(n);
            self.representatives.remove(n);
            self.centroids.remove(n);
        }
    }

    /// How many narratives are held in memory.
    pub fn narratives(&self) -> usize {
        self.resident.len()
    }

    /// Lets the narratives that grew least recently leave memory when more than `cap` are
    /// held: down to three quarters of `cap` (so that the work of letting go, which goes
    /// over every representative held, is done once per quarter of `cap` new narratives).
    /// Returns the narratives that left, in id order; [`Clusterer::resume`] brings them
    /// back.
    pub fn evict(&mut self, cap: usize) -> Vec<NarrativeId> {
        if self.resident.len() <= cap {
            return Vec::new();
        }
        let keep = cap - cap / 4;
        let mut by_age: Vec<(u64, NarrativeId)> = self
            .resident
            .iter()
            .map(|(n, clock)| (*clock, *n))
            .collect();
        by_age.sort_unstable();
        let mut gone: Vec<NarrativeId> = by_age[..by_age.len() - keep]
            .iter()
            .map(|(_, n)| *n)
            .collect();
        gone.sort_unstable();
        for n in &gone {
            self.resident.remove(n);
            self.representatives.remove(n);
            self.centroids.remove(n);
        }
        // The buckets hold positions: rebuilt over the members that stay, in their order.
        let members = std::mem::take(&mut self.members);
        let signatures = std::mem::take(&mut self.signatures);
        self.buckets = vec![HashMap::new(); self.bands.len()];
        self.minhash_buckets = vec![HashMap::new(); MINHASH_BANDS];
        for (fp, n) in members {
            if self.resident.contains_key(&n) {
                self.add_fingerprint(n, Fingerprint(fp));
            }
        }
        for (mh, n) in signatures {
            if self.resident.contains_key(&n) {
                self.add_minhash(n, mh);
            }
        }
        self.members.shrink_to_fit();
        self.signatures.shrink_to_fit();
        self.representatives.shrink_to_fit();
        self.centroids.shrink_to_fit();
        self.resident.shrink_to_fit();
        gone
    }

    /// The settings in force.
    pub fn settings(&self) -> &ClusterSettings {
        &self.settings
    }

    fn band(&self, fp: u64, band: usize) -> u64 {
        let (start, width) = self.bands[band];
        let mask = if width == 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        (fp >> start) & mask
    }

    /// Where an item with this fingerprint, signature and embedding belongs.
    pub fn place(
        &self,
        fingerprint: Option<Fingerprint>,
        minhash: Option<&MinHash>,
        embedding: Option<&[f32]>,
    ) -> Placement {
        if let Some(fp) = fingerprint {
            let mut best: Option<(u32, u32)> = None;
            for band in 0..self.bands.len() {
                let Some(positions) = self.buckets[band].get(&self.band(fp.0, band)) else {
                    continue;
                };
                for &p in positions {
                    let d = fp.distance(Fingerprint(self.members[p as usize].0));
                    // Nearest first, then the earliest member: the result does not depend
                    // on the order buckets are visited in.
                    if d <= self.settings.max_distance && best.is_none_or(|b| (d, p) < b) {
                        best = Some((d, p));
                    }
                }
            }
            if let Some((d, p)) = best {
                return Placement::Join {
                    narrative: self.members[p as usize].1,
                    by: JoinedBy::Fingerprint,
                    closeness: d as f32,
                    covered: d <= self.settings.max_distance / 2,
                };
            }
        }
        if let Some(mh) = minhash {
            let mut candidates: Vec<u32> = Vec::new();
            for band in 0..MINHASH_BANDS {
                if let Some(p) = self.minhash_buckets[band].get(&minhash_band(mh, band)) {
                    candidates.extend_from_slice(p);
                }
            }
            candidates.sort_unstable();
            candidates.dedup();
            let mut best: Option<(f32, u32)> = None;
            for p in candidates {
                let sim = mh.similarity(&self.signatures[p as usize].0);
                // Most similar first, then the earliest member.
                if sim >= self.settings.min_jaccard && best.is_none_or(|(b, _)| sim > b) {
                    best = Some((sim, p));
                }
            }
            if let Some((sim, p)) = best {
                return Placement::Join {
                    narrative: self.signatures[p as usize].1,
                    by: JoinedBy::Fingerprint,
                    closeness: sim,
                    covered: sim >= (1.0 + self.settings.min_jaccard) / 2.0,
                };
            }
        }
        if let Some(e) = embedding {
            let mut best: Option<(f32, NarrativeId)> = None;
            for (&narrative, (centroid, _)) in &self.centroids {
                if centroid.len() != e.len() {
                    continue;
                }
                let cos = cosine(e, centroid);
                let better = match best {
                    None => true,
                    Some((b, n)) => cos > b || (cos == b && narrative < n),
                };
                if cos >= self.settings.min_cosine && better {
                    best = Some((cos, narrative));
                }
            }
            if let Some((cos, narrative)) = best {
                return Placement::Join {
                    narrative,
                    by: JoinedBy::Embedding,
                    closeness: cos,
                    // Its fingerprint matched no representative: keeping it lets the next
                    // copy of this wording join by fingerprint.
                    covered: false,
                };
            }
        }
        Placement::New
    }

    /// Whether an item placed so should be kept as a representative of `narrative` (the
    /// narrative it is recorded in): the first item of a narrative always, a joining item
    /// when no representative is close to it and the narrative has fewer than
    /// [`REPRESENTATIVES`].
    pub fn keeps(&self, narrative: NarrativeId, placement: &Placement) -> bool {
        match placement {
            Placement::New => true,
            Placement::Join { covered: true, .. } => false,
            Placement::Join { covered: false, .. } => {
                self.representatives.get(&narrative).copied().unwrap_or(0) < REPRESENTATIVES
            }
        }
    }

    /// Records that an item with this fingerprint, signature and embedding is now in
    /// `narrative`: its embedding in the centroid, and, when `representative` (see
    /// [`Clusterer::keeps`]), its fingerprint and signature. Returns where, for
    /// [`Clusterer::move_record`].
    pub fn record(
        &mut self,
        narrative: NarrativeId,
        fingerprint: Option<Fingerprint>,
        minhash: Option<&MinHash>,
        embedding: Option<&[f32]>,
        representative: bool,
    ) -> Recorded {
        let (fingerprint, minhash) = if representative {
            (fingerprint, minhash)
        } else {
            (None, None)
        };
        let recorded = Recorded {
            member: fingerprint.map(|_| self.members.len()),
            signature: minhash.map(|_| self.signatures.len()),
        };
        if let Some(fp) = fingerprint {
            self.add_fingerprint(narrative, fp);
        }
        if let Some(mh) = minhash {
            self.add_minhash(narrative, mh.clone());
        }
        if representative {
            *self.representatives.entry(narrative).or_default() += 1;
        }
        self.resident.insert(narrative, self.clock);
        if let Some(e) = embedding {
            let entry = self
                .centroids
                .entry(narrative)
                .or_insert_with(|| (vec![0.0; e.len()], 0));
            if entry.0.len() == e.len() {
                let k = entry.1 as f32;
                for (c, x) in entry.0.iter_mut().zip(e) {
                    *c = (*c * k + x) / (k + 1.0);
                }
                entry.1 += 1;
            }
        }
        recorded
    }

    fn add_fingerprint(&mut self, narrative: NarrativeId, fp: Fingerprint) {
        let position = self.members.len() as u32;
        self.members.push((fp.0, narrative));
        for band in 0..self.bands.len() {
            let key = self.band(fp.0, band);
            self.buckets[band].entry(key).or_default().push(position);
        }
    }

    fn add_minhash(&mut self, narrative: NarrativeId, mh: MinHash) {
        let position = self.signatures.len() as u32;
        for band in 0..MINHASH_BANDS {
            let key = minhash_band(&mh, band);
            self.minhash_buckets[band]
                .entry(key)
                .or_default()
                .push(position);
        }
        self.signatures.push((mh, narrative));
    }

    /// Where the members recorded from now on begin, for [`Clusterer::rename_since`]; also
    /// starts a batch, for the age of the narratives it records into.
    pub fn mark(&mut self) -> Mark {
        self.clock += 1;
        Mark {
            members: self.members.len(),
            signatures: self.signatures.len(),
        }
    }

    /// Gives the members recorded since `mark` in a narrative `rename` maps their final
    /// id (a batch records under provisional ids until the store has numbered the
    /// narratives it started), and moves the centroids of renamed narratives along.
    pub fn rename_since(
        &mut self,
        mark: Mark,
        rename: &dyn Fn(NarrativeId) -> Option<NarrativeId>,
    ) {
        for (_, n) in &mut self.members[mark.members..] {
            if let Some(to) = rename(*n) {
                *n = to;
            }
        }
        for (_, n) in &mut self.signatures[mark.signatures..] {
            if let Some(to) = rename(*n) {
                *n = to;
            }
        }
        let renamed: Vec<NarrativeId> = self
            .representatives
            .keys()
            .copied()
            .filter(|n| rename(*n).is_some())
            .collect();
        for from in renamed {
            let count = self.representatives.remove(&from).unwrap_or(0);
            let to = rename(from).unwrap_or(from);
            *self.representatives.entry(to).or_default() += count;
        }
        let renamed: Vec<NarrativeId> = self
            .resident
            .keys()
            .copied()
            .filter(|n| rename(*n).is_some())
            .collect();
        for from in renamed {
            let clock = self.resident.remove(&from).unwrap_or(self.clock);
            let to = rename(from).unwrap_or(from);
            let at = self.resident.entry(to).or_insert(clock);
            *at = (*at).max(clock);
        }
        let moved: Vec<NarrativeId> = self
            .centroids
            .keys()
            .copied()
            .filter(|n| rename(*n).is_some())
            .collect();
        for from in moved {
            let Some((centroid, count)) = self.centroids.remove(&from) else {
                continue;
            };
            let to = rename(from).unwrap_or(from);
            match self.centroids.get_mut(&to) {
                // The narrative already had a centroid (the item was in it before): merge.
                Some((c, k)) if c.len() == centroid.len() => {
                    let (a, b) = (*k as f32, count as f32);
                    for (x, y) in c.iter_mut().zip(&centroid) {
                        *x = (*x * a + y * b) / (a + b);
                    }
                    *k += count;
                }
                _ => {
                    self.centroids.insert(to, (centroid, count));
                }
            }
        }
    }

    /// Puts a recorded item's fingerprint and signature in `narrative` instead (the store
    /// found the item already in a narrative). Its embedding stays in the centroid it
    /// was folded into.
    pub fn move_record(&mut self, recorded: Recorded, narrative: NarrativeId) {
        if let Some(p) = recorded.member {
            self.members[p].1 = narrative;
        }
        if let Some(p) = recorded.signature {
            self.signatures[p].1 = narrative;
        }
        if recorded.member.is_some() || recorded.signature.is_some() {
            self.resident.insert(narrative, self.clock);
        }
    }

    /// Representatives with a fingerprint, over every narrative.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether no representative has been recorded.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Representatives kept for `narrative`.
    pub fn representatives(&self, narrative: NarrativeId) -> u32 {
        self.representatives.get(&narrative).copied().unwrap_or(0)
    }
}

fn minhash_band(mh: &MinHash, band: usize) -> u64 {
    (u64::from(mh.0[2 * band]) << 32) | u64::from(mh.0[2 * band + 1])
}

/// Cosine similarity; the centroid is a mean of unit vectors, so it is normalized here.
fn cosine(a: &[f32], centroid: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(centroid).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nc: f32 = centroid.iter().map(|x| x * x).sum::<f32>().sqrt();
    if na == 0.0 || nc == 0.0 {
        0.0
    } else {
        dot / (na * nc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(text: &str) -> Option<Fingerprint> {
        claimdesk_text::fingerprint(text)
    }

    #[test]
    fn bands_cover_all_64_bits() {
        for d in 0..=16 {
            let c = Clusterer::new(ClusterSettings {
                max_distance: d,
                ..ClusterSettings::default()
            });
            assert_eq!(c.bands.len() as u32, d + 1);
            assert_eq!(c.bands.iter().map(|b| b.1).sum::<u32>(), 64);
        }
    }

    #[test]
    fn every_fingerprint_within_the_distance_is_found() {
        let settings = ClusterSettings::default();
        let mut c = Clusterer::new(settings.clone());
        let base = 0x0123_4567_89ab_cdefu64;
        c.record(NarrativeId(1), Some(Fingerprint(base)), None, None, true);
        // Flip the worst-spread bits: one in each band but the last.
        let mut flipped = base;
        for (start, _) in c.bands.iter().take(settings.max_distance as usize) {
            flipped ^= 1 << start;
        }
        assert_eq!(Fingerprint(base).distance(Fingerprint(flipped)), 7);
        assert!(matches!(
            c.place(Some(Fingerprint(flipped)), None, None),
            Placement::Join {
                narrative: NarrativeId(1),
                ..
            }
        ));
        assert_eq!(
            c.place(Some(Fingerprint(!base)), None, None),
            Placement::New
        );
    }

    #[test]
    fn a_copy_joins_and_an_unrelated_text_does_not() {
        let mut c = Clusterer::new(ClusterSettings::default());
        let a = "Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư, bác sĩ không muốn bạn biết điều này";
        let mh = |t: &str| claimdesk_text::minhash(t);
        c.record(NarrativeId(1), fp(a), mh(a).as_ref(), None, true);
        let copy = "uong nuoc chanh nong moi sang se tieu diet te bao ung thu, bac si khong muon ban biet dieu nay!!!";
        assert!(matches!(
            c.place(fp(copy), mh(copy).as_ref(), None),
            Placement::Join { .. }
        ));
        let prefixed = format!("Đọc đi mọi người!! {a} #share");
        assert!(matches!(
            c.place(fp(&prefixed), mh(&prefixed).as_ref(), None),
            Placement::Join {
                by: JoinedBy::Fingerprint,
                ..
            }
        ));
        let other =
            "The city council approved a new budget for public transport on Tuesday evening";
        assert_eq!(c.place(fp(other), mh(other).as_ref(), None), Placement::New);
    }

    #[test]
    fn embeddings_join_when_no_fingerprint_matches() {
        let mut c = Clusterer::new(ClusterSettings::default());
        c.record(NarrativeId(4), None, None, Some(&[1.0, 0.0, 0.0]), true);
        assert!(matches!(
            c.place(None, None, Some(&[0.99, 0.1, 0.0])),
            Placement::Join {
                narrative: NarrativeId(4),
                by: JoinedBy::Embedding,
                ..
            }
        ));
        assert_eq!(c.place(None, None, Some(&[0.0, 1.0, 0.0])), Placement::New);
    }

    #[test]
    fn a_narrative_keeps_at_most_its_representatives() {
        let mut c = Clusterer::new(ClusterSettings::default());
        let n = NarrativeId(3);
        let base = 0x0123_4567_89ab_cdefu64;
        c.record(n, Some(Fingerprint(base)), None, None, true);
        // Copies at 1 to 7 bits from the seed, the bits chosen at random: the close ones are
        // covered, the far ones are kept until the narrative has its share.
        let mut kept = 0;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..1000u64 {
            let flips = 1 + i % 7;
            let mut flipped = 0u64;
            while flipped.count_ones() < flips as u32 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                flipped |= 1 << (state >> 58);
            }
            let fp = base ^ flipped;
            let placement = c.place(Some(Fingerprint(fp)), None, None);
            let Placement::Join {
                narrative, covered, ..
            } = placement
            else {
                panic!("copy {i} at {flips} bits did not join");
            };
            assert_eq!(narrative, n);
            // The seed is a representative: within half the distance of it is covered.
            if Fingerprint(fp).distance(Fingerprint(base)) <= 3 {
                assert!(covered, "copy {i}");
            }
            let keep = c.keeps(n, &placement);
            kept += u32::from(keep);
            c.record(n, Some(Fingerprint(fp)), None, None, keep);
        }
        assert_eq!(c.representatives(n), REPRESENTATIVES);
        assert_eq!(kept + 1, REPRESENTATIVES);
        assert_eq!(c.len(), REPRESENTATIVES as usize);
        // A new narrative's first item is always kept.
        assert!(c.keeps(NarrativeId(4), &Placement::New));
    }
}
