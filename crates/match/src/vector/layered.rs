//! A vector index that takes changes without being built again.

use std::collections::HashSet;
use std::sync::Arc;

use claimdesk_core::FactCheckId;

use super::{ExactIndex, TopSimilar, VectorIndex};

/// A base index built once and shared, with the changes since laid over it: the fact-checks
/// whose vectors changed or went are never returned from the base, and the changed and new
/// vectors are scanned exactly. Searching costs the base's search plus a scan of the changes,
/// so the owner builds a new base when the changes grow (the desk's ranker: past 5% of the
/// base or 1,000 fact-checks).
pub struct LayeredIndex {
    base: Arc<dyn VectorIndex>,
    /// Fact-checks of the base it must not answer with.
    stale: HashSet<FactCheckId>,
    /// Changed and new vectors.
    changes: ExactIndex,
    len: usize,
}

impl LayeredIndex {
    /// `base` without the fact-checks of `gone` (those removed, and any whose vector
    /// changed), with the vectors of `changes` (changed and new). A fact-check in both
    /// `gone` and `changes` is answered from `changes`. Vectors of another length than the
    /// base's are refused.
    pub fn new(
        base: Arc<dyn VectorIndex>,
        gone: HashSet<FactCheckId>,
        changes: ExactIndex,
    ) -> Result<LayeredIndex, crate::Error> {
        if !changes.is_empty() && changes.dimension() != base.dimension() {
            return Err(crate::Error::BadSetting(format!(
                "changed vectors have {} values, the index {}",
                changes.dimension(),
                base.dimension()
            )));
        }
        let mut stale: HashSet<FactCheckId> =
            gone.into_iter().filter(|id| base.contains(*id)).collect();
        stale.extend(
            changes
                .iter()
                .map(|(id, _)| id)
                .filter(|id| base.contains(*id)),
        );
        let len = base.len() - stale.len() + changes.len();
        Ok(LayeredIndex {
            base,
            stale,
            changes,
            len,
        })
    }

    /// The changes laid over the base: fact-checks it no longer answers with, and vectors
    /// scanned beside it.
    pub fn changes(&self) -> usize {
        self.stale.len() + self.changes.len()
    }
}

impl VectorIndex for LayeredIndex {
    fn name(&self) -> &'static str {
        self.base.name()
    }

    fn dimension(&self) -> usize {
        self.base.dimension()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn search_except(
        &self,
        query: &[f32],
        k: usize,
        except: &HashSet<FactCheckId>,
    ) -> Vec<(FactCheckId, f32)> {
        let from_base = if except.is_empty() {
            self.base.search_except(query, k, &self.stale)
        } else {
            let skip: HashSet<FactCheckId> = self.stale.union(except).copied().collect();
            self.base.search_except(query, k, &skip)
        };
        let mut top = TopSimilar::new(k);
        for (id, score) in from_base
            .into_iter()
            .chain(self.changes.search_except(query, k, except))
        {
            top.offer(id, score);
        }
        top.into_sorted()
    }

    fn similarity(&self, query: &[f32], id: FactCheckId) -> Option<f32> {
        if self.changes.contains(id) {
            self.changes.similarity(query, id)
        } else if self.stale.contains(&id) {
            None
        } else {
            self.base.similarity(query, id)
        }
    }

    fn contains(&self, id: FactCheckId) -> bool {
        self.changes.contains(id) || (!self.stale.contains(&id) && self.base.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vector::HnswIndex;

    /// `n` unit vectors of 16 values from a fixed seed, ids from `first`.
    fn vectors(first: i64, n: usize, seed: u64) -> Vec<(FactCheckId, Vec<f32>)> {
        let mut state = seed;
        (0..n)
            .map(|i| {
                let v: Vec<f32> = (0..16)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state % 2001) as f32 / 1000.0 - 1.0
                    })
                    .collect();
                let norm = super::super::dot(&v, &v).sqrt();
                (
                    FactCheckId(first + i as i64),
                    v.iter().map(|x| x / norm).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_layered_index_answers_as_an_exact_index_of_the_current_vectors() {
        let old = vectors(1, 300, 11);
        let base: Arc<dyn VectorIndex> =
            Arc::new(ExactIndex::from_vectors(16, old.clone()).unwrap());
        // Fact-checks 5 and 6 withdrawn, 7 and 8 edited (new vectors), 301-320 new.
        let gone: HashSet<FactCheckId> = [5, 6].map(FactCheckId).into();
        let mut changed = vectors(7, 2, 99);
        changed.extend(vectors(301, 20, 12));
        let layered = LayeredIndex::new(
            Arc::clone(&base),
            gone.clone(),
            ExactIndex::from_vectors(16, changed.clone()).unwrap(),
        )
        .unwrap();
        let mut now: Vec<(FactCheckId, Vec<f32>)> = old
            .into_iter()
            .filter(|(id, _)| !gone.contains(id) && !changed.iter().any(|(c, _)| c == id))
            .collect();
        now.extend(changed.clone());
        let truth = ExactIndex::from_vectors(16, now.clone()).unwrap();
        assert_eq!(layered.len(), truth.len());
        // Four the base no longer answers with (two gone, two edited), 22 vectors beside it.
        assert_eq!(layered.changes(), 4 + 22);
        for (_, query) in now.iter().step_by(7).chain(&vectors(1, 3, 5)) {
            assert_eq!(layered.search(query, 10), truth.search(query, 10));
            let except: HashSet<FactCheckId> = truth
                .search(query, 3)
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            assert_eq!(
                layered.search_except(query, 10, &except),
                truth.search_except(query, 10, &except)
            );
        }
        let query = &changed[0].1;
        for id in [1, 5, 7, 301, 400].map(FactCheckId) {
            assert_eq!(layered.similarity(query, id), truth.similarity(query, id));
            assert_eq!(layered.contains(id), truth.contains(id), "{id}");
        }
        // The base itself is untouched: it still answers with what it held.
        assert_eq!(base.search(&now[0].1, 1)[0].0, now[0].0);
        assert!(base.contains(FactCheckId(5)));
    }

    #[test]
    fn a_layered_hnsw_base_never_answers_with_what_changed() {
        let old = vectors(1, 400, 21);
        let exact = ExactIndex::from_vectors(16, old.clone()).unwrap();
        let base: Arc<dyn VectorIndex> = Arc::new(HnswIndex::build(exact, 16, 200));
        // Every vector queried for itself, with itself withdrawn: the graph must walk
        // past it and return only others.
        let gone: HashSet<FactCheckId> = old.iter().take(40).map(|(id, _)| *id).collect();
        let layered =
            LayeredIndex::new(Arc::clone(&base), gone.clone(), ExactIndex::new(16)).unwrap();
        for (id, query) in old.iter().take(40) {
            let hits = layered.search(query, 5);
            assert_eq!(hits.len(), 5);
            assert!(
                hits.iter().all(|(h, _)| !gone.contains(h)),
                "{id}: {hits:?}"
            );
            assert_eq!(base.search(query, 1)[0].0, *id);
        }
        assert_eq!(layered.len(), 360);
    }

    #[test]
    fn changed_vectors_of_another_length_are_refused() {
        let base: Arc<dyn VectorIndex> =
            Arc::new(ExactIndex::from_vectors(16, vectors(1, 3, 1)).unwrap());
        let other = ExactIndex::from_vectors(4, vec![(FactCheckId(9), vec![1.0; 4])]).unwrap();
        assert!(LayeredIndex::new(base, HashSet::new(), other).is_err());
    }
}
