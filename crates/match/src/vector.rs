//! Dense retrieval: nearest fact-checks to a query vector by cosine similarity (vectors are
//! L2-normalized, so cosine is a dot product).
//!
//! [`ExactIndex`] scans one contiguous row-major matrix; at 10,000 claims a query costs about
//! a millisecond and is exact, so the desk uses it by default. [`HnswIndex`] (hnsw_rs) answers
//! in logarithmic time at the price of recall; the `vector_scale` example shows where the scan stops
//! being fast enough (see bench/README.md).
//!
//! [`LayeredIndex`] takes changes without building either again: what a desk serving a
//! million fact-checks needs when one verdict is published (an HNSW graph of a million takes
//! minutes of both cores to build).
//!
//! **Tie rule:** equal similarities rank the lower [`FactCheckId`] first. Each similarity is a
//! function of the two vectors alone, so equal vectors always tie exactly.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use claimdesk_core::FactCheckId;
use hnsw_rs::prelude::{DataId, Distance, FilterT, Hnsw};

mod layered;

pub use layered::LayeredIndex;

/// A searchable set of fact-check vectors.
pub trait VectorIndex: Send + Sync {
    /// A short name for reports (`exact`, `hnsw`).
    fn name(&self) -> &'static str;
    /// Length of every vector.
    fn dimension(&self) -> usize;
    /// Number of vectors.
    fn len(&self) -> usize;
    /// True when the index holds no vector.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The `k` most similar fact-checks to `query`, most similar first, with their cosine.
    fn search(&self, query: &[f32], k: usize) -> Vec<(FactCheckId, f32)> {
        self.search_except(query, k, &HashSet::new())
    }
    /// [`VectorIndex::search`] without the fact-checks of `except`: `k` of the others when
    /// the index holds that many.
    fn search_except(
        &self,
        query: &[f32],
        k: usize,
        except: &HashSet<FactCheckId>,
    ) -> Vec<(FactCheckId, f32)>;
    /// The cosine between `query` and one fact-check's vector, if it is indexed.
    fn similarity(&self, query: &[f32], id: FactCheckId) -> Option<f32>;
    /// Whether the index holds a vector of this fact-check.
    fn contains(&self, id: FactCheckId) -> bool;
}

/// Dot product in a fixed summation order (eight lanes, then pairwise), so the same two
/// vectors always give the same bits. On x86-64 with AVX2 the eight lanes are one register
/// (multiply, then add: never fused, so both paths give the same bits).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 (checked above).
        return unsafe { dot_avx2(a, b) };
    }
    dot_lanes(a, b)
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> bool {
    static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX2.get_or_init(|| std::arch::is_x86_feature_detected!("avx2"))
}

/// [`dot_lanes`] compiled for AVX2, where its eight lanes become one vector register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    dot_lanes(a, b)
}

#[inline(always)]
#[allow(clippy::needless_range_loop)] // eight explicit lanes so the compiler vectorizes
fn dot_lanes(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
        + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
        + tail
}

/// Exact search over a contiguous matrix, one row per fact-check, rows in id order.
#[derive(Debug, Clone)]
pub struct ExactIndex {
    dim: usize,
    ids: Vec<FactCheckId>,
    rows: Vec<f32>,
}

impl ExactIndex {
    /// An empty index for vectors of `dim` values.
    pub fn new(dim: usize) -> ExactIndex {
        ExactIndex {
            dim,
            ids: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Builds an index from `(id, vector)` pairs; rows are kept in id order. Vectors of the
    /// wrong length are refused.
    pub fn from_vectors(
        dim: usize,
        mut vectors: Vec<(FactCheckId, Vec<f32>)>,
    ) -> Result<ExactIndex, crate::Error> {
        vectors.sort_by_key(|(id, _)| *id);
        let mut index = ExactIndex::new(dim);
        index.rows.reserve(vectors.len() * dim);
        for (id, v) in vectors {
            if v.len() != dim {
                return Err(crate::Error::BadSetting(format!(
                    "vector of {id} has {} values, expected {dim}",
                    v.len()
                )));
            }
            index.ids.push(id);
            index.rows.extend_from_slice(&v);
        }
        Ok(index)
    }

    /// The ids and vectors, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (FactCheckId, &[f32])> {
        self.ids
            .iter()
            .copied()
            .zip(self.rows.chunks_exact(self.dim.max(1)))
    }
}

impl VectorIndex for ExactIndex {
    fn name(&self) -> &'static str {
        "exact"
    }

    fn dimension(&self) -> usize {
        self.dim
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    fn search_except(
        &self,
        query: &[f32],
        k: usize,
        except: &HashSet<FactCheckId>,
    ) -> Vec<(FactCheckId, f32)> {
        let mut top = TopSimilar::new(k);
        for (id, row) in self.iter() {
            if except.is_empty() || !except.contains(&id) {
                top.offer(id, dot(query, row));
            }
        }
        top.into_sorted()
    }

    fn similarity(&self, query: &[f32], id: FactCheckId) -> Option<f32> {
        let i = self.ids.binary_search(&id).ok()?;
        Some(dot(query, &self.rows[i * self.dim..(i + 1) * self.dim]))
    }

    fn contains(&self, id: FactCheckId) -> bool {
        self.ids.binary_search(&id).is_ok()
    }
}

/// Approximate search in a hierarchical navigable small-world graph (hnsw_rs), with the exact
/// rows kept for [`VectorIndex::similarity`] and for rescoring what the graph returns.
pub struct HnswIndex {
    exact: ExactIndex,
    graph: Hnsw<'static, f32, CosineDistance>,
    ef_search: usize,
}

impl HnswIndex {
    /// Builds the graph over every row of `exact` (in parallel): `m` links per node, `ef`
    /// candidates while building and searching (16 and 100 are good defaults).
    pub fn build(exact: ExactIndex, m: usize, ef: usize) -> HnswIndex {
        let n = exact.len().max(1);
        let layers = 16.min((n as f32).ln().ceil() as usize).max(1);
        let graph = Hnsw::<f32, CosineDistance>::new(m, n, layers, ef, CosineDistance);
        let rows: Vec<(&[f32], usize)> =
            exact.rows.chunks_exact(exact.dim.max(1)).zip(0..).collect();
        graph.parallel_insert_slice(&rows);
        HnswIndex {
            exact,
            graph,
            ef_search: ef,
        }
    }

    /// Searches with `ef` candidates from now on (never fewer than the `k` asked for):
    /// more finds more of the exact top `k`, at a cost that grows with `ef`.
    pub fn set_ef_search(&mut self, ef: usize) {
        self.ef_search = ef;
    }
}

impl VectorIndex for HnswIndex {
    fn name(&self) -> &'static str {
        "hnsw"
    }

    fn dimension(&self) -> usize {
        self.exact.dim
    }

    fn len(&self) -> usize {
        self.exact.len()
    }

    fn search_except(
        &self,
        query: &[f32],
        k: usize,
        except: &HashSet<FactCheckId>,
    ) -> Vec<(FactCheckId, f32)> {
        if self.exact.is_empty() || k == 0 {
            return Vec::new();
        }
        let ef = self.ef_search.max(k);
        let found = if except.is_empty() {
            self.graph.search(query, k, ef)
        } else {
            // The graph walks through the excepted rows but returns none of them.
            let mut rows: Vec<usize> = except
                .iter()
                .filter_map(|id| self.exact.ids.binary_search(id).ok())
                .collect();
            rows.sort_unstable();
            self.graph
                .search_filter(query, k, ef, Some(&Excepted(rows)))
        };
        let mut top = TopSimilar::new(k);
        for n in found {
            let row = &self.exact.rows[n.d_id * self.exact.dim..(n.d_id + 1) * self.exact.dim];
            top.offer(self.exact.ids[n.d_id], dot(query, row));
        }
        top.into_sorted()
    }

    fn similarity(&self, query: &[f32], id: FactCheckId) -> Option<f32> {
        self.exact.similarity(query, id)
    }

    fn contains(&self, id: FactCheckId) -> bool {
        self.exact.contains(id)
    }
}

/// The graph's rows (sorted) a search must not return.
struct Excepted(Vec<usize>);

impl FilterT for Excepted {
    fn hnsw_filter(&self, id: &DataId) -> bool {
        self.0.binary_search(id).is_err()
    }
}

/// 1 − cosine of two unit vectors, clamped at 0 (rounding can push a cosine past 1).
struct CosineDistance;

impl Distance<f32> for CosineDistance {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        (1.0 - dot(a, b)).max(0.0)
    }
}

/// The `k` best (id, similarity) pairs seen so far.
pub(crate) struct TopSimilar {
    k: usize,
    heap: BinaryHeap<Candidate>,
}

impl TopSimilar {
    pub(crate) fn new(k: usize) -> TopSimilar {
        TopSimilar {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    pub(crate) fn offer(&mut self, id: FactCheckId, score: f32) {
        if self.k == 0 {
            return;
        }
        let c = Candidate { score, id };
        if self.heap.len() < self.k {
            self.heap.push(c);
        } else if self.heap.peek().is_some_and(|worst| c < *worst) {
            self.heap.pop();
            self.heap.push(c);
        }
    }

    pub(crate) fn into_sorted(self) -> Vec<(FactCheckId, f32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|c| (c.id, c.score))
            .collect()
    }
}

/// `Ord` puts the better candidate first: higher similarity, then lower id.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f32,
    id: FactCheckId,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then_with(|| self.id.cmp(&other.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(v: &[f32]) -> Vec<f32> {
        let n = dot(v, v).sqrt();
        v.iter().map(|x| x / n).collect()
    }

    fn sample() -> ExactIndex {
        let mut vectors = Vec::new();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200u32 {
            let v: Vec<f32> = (0..16)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % 2001) as f32 / 1000.0 - 1.0
                })
                .collect();
            vectors.push((FactCheckId(i as i64 + 1), unit(&v)));
        }
        // Two equal vectors: the lower id must win the tie.
        let twin = vectors[10].1.clone();
        vectors.push((FactCheckId(500), twin));
        ExactIndex::from_vectors(16, vectors).unwrap()
    }

    #[test]
    fn the_vector_dot_product_gives_the_portable_bits() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 20001) as f32 / 10000.0 - 1.0
        };
        for len in [0, 1, 7, 8, 9, 384, 389] {
            let a: Vec<f32> = (0..len).map(|_| next()).collect();
            let b: Vec<f32> = (0..len).map(|_| next()).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
            let d = dot(&a, &b);
            assert_eq!(d.to_bits(), dot_lanes(&a, &b).to_bits(), "length {len}");
            assert!(
                (f64::from(d) - naive).abs() < 1e-3,
                "length {len}: {d} vs {naive}"
            );
        }
    }

    #[test]
    fn exact_search_finds_the_vector_itself_first_and_breaks_ties_by_id() {
        let index = sample();
        let query = index.iter().nth(10).unwrap().1.to_vec();
        let hits = index.search(&query, 3);
        assert_eq!(hits[0].0, FactCheckId(11));
        assert_eq!(hits[1].0, FactCheckId(500));
        assert_eq!(hits[0].1.to_bits(), hits[1].1.to_bits());
        assert!(hits[1].1 >= hits[2].1);
        assert_eq!(index.similarity(&query, FactCheckId(500)), Some(hits[1].1));
        assert_eq!(index.similarity(&query, FactCheckId(9999)), None);
    }

    #[test]
    fn hnsw_agrees_with_exact_search_on_a_small_set() {
        let exact = sample();
        let hnsw = HnswIndex::build(exact.clone(), 16, 200);
        let mut agree = 0;
        for (_, row) in exact.iter().take(50) {
            let a = exact.search(row, 5);
            let b = hnsw.search(row, 5);
            agree += usize::from(a[0].1 == b[0].1);
        }
        assert!(
            agree >= 48,
            "hnsw found the exact best for only {agree} of 50"
        );
    }

    #[test]
    fn vectors_of_the_wrong_length_are_refused() {
        let err = ExactIndex::from_vectors(4, vec![(FactCheckId(1), vec![1.0; 3])]).unwrap_err();
        assert!(err.to_string().contains("fc-1"), "{err}");
    }
}
