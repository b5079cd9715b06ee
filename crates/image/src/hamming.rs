//! [`HammingIndex`]: PDQ hashes searched by Hamming distance without reading them all
//! (multi-index hashing, Norouzi, Punjani and Fleet 2012).
//!
//! The 256 bits are cut into `m` chunks; two hashes within `r` bits of each other agree
//! within `⌊r / m⌋` bits on at least one chunk (pigeonhole). Each chunk has a table from its
//! value to the hashes that have it, so a search looks up, in each table, the query's chunk
//! and its values within `⌊r / m⌋` bits, and measures only the hashes found there. With
//! chunks of about 13 bits and `⌊r / m⌋ = 1` (the index made for the near-duplicate
//! threshold, [`crate::neardup::MAX_DISTANCE`]), a search costs some 280 table look-ups
//! and a few hundred distances at 40,000 hashes instead of 40,000 distances; it is exact:
//! it finds every hash within `r` bits, as a scan would.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::pdq::PdqHash;

/// A chunk's table: its values are already uniform bits, so one multiplication hashes them.
type Table = HashMap<u32, Vec<HashId>, BuildHasherDefault<ChunkHasher>>;

/// Hashes a chunk's value by one multiplication (Fibonacci hashing).
#[derive(Debug, Default)]
struct ChunkHasher(u64);

impl Hasher for ChunkHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash's id in a [`HammingIndex`], given by [`HammingIndex::insert`].
pub type HashId = u32;

/// PDQ hashes by id, searched by Hamming distance (exact, see the module's doc).
#[derive(Debug, Clone)]
pub struct HammingIndex {
    /// The bit ranges of the chunks: `(first bit, length)`, together all 256.
    chunks: Vec<(u32, u32)>,
    /// For each chunk, the ids of the hashes by the chunk's value.
    tables: Vec<Table>,
    /// The hashes by id as 4 words; `None` once removed.
    hashes: Vec<Option<[u64; 4]>>,
    live: usize,
}

impl HammingIndex {
    /// An empty index made for searches within `radius` bits: `radius / 2 + 1` chunks
    /// (at least 8, at most 32), so that each search looks within 1 bit of each chunk.
    /// Searches with another radius are exact too, only slower or less selective.
    pub fn new(radius: u32) -> HammingIndex {
        let m = (radius / 2 + 1).clamp(8, 32);
        let chunks = (0..m)
            .map(|i| {
                let start = i * 256 / m;
                (start, (i + 1) * 256 / m - start)
            })
            .collect();
        HammingIndex {
            chunks,
            tables: vec![Table::default(); m as usize],
            hashes: Vec::new(),
            live: 0,
        }
    }

    /// Adds `hash` and returns its id (ids are never reused).
    pub fn insert(&mut self, hash: &PdqHash) -> HashId {
        let id = HashId::try_from(self.hashes.len()).expect("fewer than 2^32 hashes");
        let words = words(hash);
        for (table, &(start, len)) in self.tables.iter_mut().zip(&self.chunks) {
            table.entry(chunk(&words, start, len)).or_default().push(id);
        }
        self.hashes.push(Some(words));
        self.live += 1;
        id
    }

    /// Removes the hash `id` (nothing when it is not there).
    pub fn remove(&mut self, id: HashId) {
        let Some(words) = self.hashes.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        for (table, &(start, len)) in self.tables.iter_mut().zip(&self.chunks) {
            let key = chunk(&words, start, len);
            if let Some(ids) = table.get_mut(&key) {
                ids.retain(|i| *i != id);
                if ids.is_empty() {
                    table.remove(&key);
                }
            }
        }
        self.live -= 1;
    }

    /// How many hashes it holds.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Calls `found` with each hash within `radius` bits of `hash` and its distance, once
    /// each, in no particular order.
    pub fn near(&self, hash: &PdqHash, radius: u32, mut found: impl FnMut(HashId, u32)) {
        let q = words(hash);
        let per_chunk = radius / self.chunks.len() as u32;
        let mut seen: Vec<HashId> = Vec::new();
        for (table, &(start, len)) in self.tables.iter().zip(&self.chunks) {
            let value = chunk(&q, start, len);
            within(value, len, per_chunk, &mut |v| {
                if let Some(ids) = table.get(&v) {
                    seen.extend_from_slice(ids);
                }
            });
        }
        seen.sort_unstable();
        seen.dedup();
        for id in seen {
            if let Some(Some(words)) = self.hashes.get(id as usize) {
                let d = distance(words, &q);
                if d <= radius {
                    found(id, d);
                }
            }
        }
    }
}

/// The hash as 4 big-endian words (bit 0 is the first byte's highest).
fn words(hash: &PdqHash) -> [u64; 4] {
    let mut w = [0u64; 4];
    for (i, c) in hash.0.chunks_exact(8).enumerate() {
        w[i] = u64::from_be_bytes(c.try_into().expect("8 bytes"));
    }
    w
}

fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Bits `start..start + len` (`len` ≤ 32) of the 256, as a number.
fn chunk(words: &[u64; 4], start: u32, len: u32) -> u32 {
    let mut out = 0u64;
    for bit in start..start + len {
        let w = words[(bit / 64) as usize];
        out = (out << 1) | ((w >> (63 - bit % 64)) & 1);
    }
    out as u32
}

/// Calls `visit` with every `len`-bit value within `radius` bits of `value` (itself first).
fn within(value: u32, len: u32, radius: u32, visit: &mut dyn FnMut(u32)) {
    fn flip(value: u32, from: u32, len: u32, left: u32, visit: &mut dyn FnMut(u32)) {
        if left == 0 {
            return;
        }
        for bit in from..len {
            let v = value ^ (1 << bit);
            visit(v);
            flip(v, bit + 1, len, left - 1, visit);
        }
    }
    visit(value);
    flip(value, 0, len, radius, visit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(state: &mut u64) -> PdqHash {
        let mut out = [0u8; 32];
        for b in &mut out {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (*state >> 33) as u8;
        }
        PdqHash(out)
    }

    /// `hash` with `n` of its bits flipped (spread over the 256).
    fn flipped(hash: &PdqHash, n: usize, state: &mut u64) -> PdqHash {
        let mut out = *hash;
        let mut bits: Vec<usize> = (0..256).collect();
        for i in 0..n {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let j = i + (*state >> 33) as usize % (256 - i);
            bits.swap(i, j);
            out.0[bits[i] / 8] ^= 0x80 >> (bits[i] % 8);
        }
        out
    }

    #[test]
    fn values_within_a_radius_are_all_visited_once() {
        let mut seen = Vec::new();
        within(0b1010, 4, 2, &mut |v| seen.push(v));
        seen.sort_unstable();
        let mut want: Vec<u32> = (0..16u32)
            .filter(|v| (v ^ 0b1010).count_ones() <= 2)
            .collect();
        want.sort_unstable();
        assert_eq!(seen, want);
    }

    #[test]
    fn chunks_cover_the_bits_in_order() {
        let h = PdqHash::from_hex(&format!("80{}01", "0".repeat(60))).unwrap();
        let w = words(&h);
        assert_eq!(chunk(&w, 0, 13), 1 << 12);
        assert_eq!(chunk(&w, 243, 13), 1);
        assert_eq!(chunk(&w, 60, 10), 0);
    }

    #[test]
    fn the_search_finds_what_a_scan_finds() {
        let mut state = 20;
        let mut index = HammingIndex::new(39);
        let mut all = Vec::new();
        for _ in 0..300 {
            let h = random(&mut state);
            all.push(h);
            index.insert(&h);
        }
        // Near copies at every distance up to 45.
        for n in 0..=45 {
            let h = flipped(&all[n], n, &mut state);
            all.push(h);
            index.insert(&h);
        }
        for query in all.iter().take(50) {
            for radius in [0, 10, 39, 45] {
                let mut got = Vec::new();
                index.near(query, radius, |id, d| got.push((id, d)));
                got.sort_unstable();
                let want: Vec<(HashId, u32)> = all
                    .iter()
                    .enumerate()
                    .map(|(i, h)| (i as HashId, h.distance(query)))
                    .filter(|(_, d)| *d <= radius)
                    .collect();
                assert_eq!(got, want, "radius {radius}");
            }
        }
        index.remove(0);
        index.remove(0);
        assert_eq!(index.len(), all.len() - 1);
        let mut got = Vec::new();
        index.near(&all[0], 0, |id, _| got.push(id));
        // Its copy at distance 0 (the 301st) is still there.
        assert_eq!(got, vec![300]);
    }
}
