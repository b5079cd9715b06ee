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
//! so looking up each band finds every near member without scanning them all. MinHash
//! signatures are banded by pairs of positions ([`MINHASH_BANDS`] bands): two signatures at
//! similarity 0.5 share a band with probability 1 - 0.75^32 > 0.9999.

use std::collections::HashMap;

use claimdesk_core::{JoinedBy, NarrativeId};
use claimdesk_store::NarrativeIndex;
use claimdesk_text::{Fingerprint, MINHASH_SIZE, MinHash};

use crate::settings::ClusterSettings;

/// MinHash bands of two positions each.
pub const MINHASH_BANDS: usize = MINHASH_SIZE / 2;

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

/// The in-memory state of online clustering: every member's fingerprint by band, and every
/// narrative's centroid. Rebuilt from the store with [`Clusterer::from_index`].
#[derive(Debug, Clone)]
pub struct Clusterer {
    settings: ClusterSettings,
    /// (first bit, width) of each band.
    bands: Vec<(u32, u32)>,
    /// Per band: band value → positions in `members`.
    buckets: Vec<HashMap<u64, Vec<u32>>>,
    members: Vec<(u64, NarrativeId)>,
    /// Per MinHash band: band value → positions in `signatures`.
    minhash_buckets: Vec<HashMap<u64, Vec<u32>>>,
    signatures: Vec<(MinHash, NarrativeId)>,
    centroids: HashMap<NarrativeId, (Vec<f32>, u32)>,
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
            centroids: HashMap::new(),
        }
    }

    /// A clusterer resuming from what the store holds.
    pub fn from_index(settings: ClusterSettings, index: NarrativeIndex) -> Clusterer {
        let mut c = Clusterer::new(settings);
        for (narrative, fp, mh) in index.members {
            if let Some(fp) = fp {
                c.add_fingerprint(narrative, Fingerprint(fp));
            }
            if let Some(mh) = mh.as_deref().and_then(MinHash::from_bytes) {
                c.add_minhash(narrative, mh);
            }
        }
        for (narrative, centroid, n) in index.centroids {
            c.centroids.insert(narrative, (centroid, n));
        }
        c
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
                };
            }
        }
        Placement::New
    }

    /// Records that an item with this fingerprint, signature and embedding is now in
    /// `narrative`; returns where, for [`Clusterer::move_record`].
    pub fn record(
        &mut self,
        narrative: NarrativeId,
        fingerprint: Option<Fingerprint>,
        minhash: Option<&MinHash>,
        embedding: Option<&[f32]>,
    ) -> Recorded {
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

    /// Where the members recorded from now on begin, for [`Clusterer::rename_since`].
    pub fn mark(&self) -> Mark {
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
    }

    /// Members with a fingerprint.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether no member has been recorded.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
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
        c.record(NarrativeId(1), Some(Fingerprint(base)), None, None);
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
        c.record(NarrativeId(1), fp(a), mh(a).as_ref(), None);
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
        c.record(NarrativeId(4), None, None, Some(&[1.0, 0.0, 0.0]));
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
}
