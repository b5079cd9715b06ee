//! Retrieval quality measures, as the field reports them.
//!
//! MAP@k follows trec_eval's `map_cut`: for each query, the sum of precision at each rank
//! ≤ k that holds a relevant document, divided by the number of relevant documents (all of
//! them, not only those within k); queries without relevant documents are skipped, queries
//! with no relevant document retrieved count as 0.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Relevance judgments: query id → relevant document ids.
pub type Qrels = HashMap<String, HashSet<String>>;

/// A ranking: query id → document ids, best first.
pub type Run = HashMap<String, Vec<String>>;

/// The measures for one run at one cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// The cutoff k.
    pub k: usize,
    /// Queries judged (with at least one relevant document).
    pub queries: usize,
    /// Mean average precision at k (trec_eval `map_cut_k`).
    pub map: f64,
    /// Mean reciprocal rank of the first relevant document within k.
    pub mrr: f64,
    /// Mean share of relevant documents found within k.
    pub recall: f64,
}

/// Scores `run` against `qrels` at cutoff `k`.
///
/// ```
/// use claimdesk_match::metrics::{evaluate, Qrels, Run};
/// let qrels: Qrels = [("q1".into(), ["d2".into()].into())].into();
/// let run: Run = [("q1".into(), vec!["d1".into(), "d2".into()])].into();
/// let s = evaluate(&run, &qrels, 5);
/// assert_eq!((s.map, s.mrr, s.recall), (0.5, 0.5, 1.0));
/// ```
pub fn evaluate(run: &Run, qrels: &Qrels, k: usize) -> Scores {
    let (mut map, mut mrr, mut recall, mut n) = (0.0, 0.0, 0.0, 0usize);
    let empty = Vec::new();
    for (qid, relevant) in qrels {
        if relevant.is_empty() {
            continue;
        }
        n += 1;
        let judged: Vec<bool> = run
            .get(qid)
            .unwrap_or(&empty)
            .iter()
            .take(k)
            .map(|doc| relevant.contains(doc))
            .collect();
        let hits = judged.iter().filter(|&&r| r).count();
        map += average_precision_at(&judged, k, relevant.len());
        mrr += judged
            .iter()
            .position(|&r| r)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64);
        recall += hits as f64 / relevant.len() as f64;
    }
    let d = n.max(1) as f64;
    Scores {
        k,
        queries: n,
        map: map / d,
        mrr: mrr / d,
        recall: recall / d,
    }
}

/// The value at quantile `q` (0..=1) of `sorted` (ascending), nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Average precision of one ranked list of judgments, best first, over the whole list (the
/// CLEF 2020 CheckThat! Task 1 measure): the mean of the precision at each relevant rank; 0
/// when nothing is relevant.
///
/// ```
/// use claimdesk_match::metrics::average_precision;
/// assert_eq!(average_precision(&[true, false, true]), (1.0 + 2.0 / 3.0) / 2.0);
/// ```
pub fn average_precision(ranked: &[bool]) -> f64 {
    let hits = ranked.iter().filter(|&&r| r).count();
    average_precision_at(ranked, ranked.len(), hits)
}

/// Average precision at `k` of one ranked list of judgments, best first, when `relevant`
/// documents are relevant in all: the sum of the precision at each relevant rank within the
/// first `k`, divided by `relevant` (the CLEF CheckThat! scorers' AP@k); 0 when `relevant`
/// is 0. The one definition behind [`evaluate`], [`average_precision`] and training.
///
/// ```
/// use claimdesk_match::metrics::average_precision_at;
/// assert_eq!(average_precision_at(&[false, true, true], 2, 2), 0.25);
/// assert_eq!(average_precision_at(&[false, false], 5, 0), 0.0);
/// ```
pub fn average_precision_at(ranked: &[bool], k: usize, relevant: usize) -> f64 {
    if relevant == 0 {
        return 0.0;
    }
    let mut hits = 0usize;
    let mut total = 0.0;
    for (i, _) in ranked.iter().take(k).enumerate().filter(|(_, r)| **r) {
        hits += 1;
        total += hits as f64 / (i + 1) as f64;
    }
    total / relevant as f64
}

/// Share of relevant judgments among the first `k` of a ranked list (divided by `k`, as
/// CLEF's scorer does, even when the list is shorter).
pub fn precision_at(ranked: &[bool], k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    ranked.iter().take(k).filter(|&&r| r).count() as f64 / k as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_divides_by_all_relevant_documents() {
        let qrels: Qrels = [("q".into(), ["a".into(), "b".into()].into())].into();
        let run: Run = [("q".into(), vec!["a".into(), "x".into(), "y".into()])].into();
        let s = evaluate(&run, &qrels, 2);
        assert_eq!(s.map, 0.5);
        assert_eq!(s.recall, 0.5);
        assert_eq!(s.mrr, 1.0);
    }

    #[test]
    fn unanswered_queries_count_as_zero() {
        let qrels: Qrels = [
            ("q1".into(), ["a".into()].into()),
            ("q2".into(), ["b".into()].into()),
        ]
        .into();
        let run: Run = [("q1".into(), vec!["a".into()])].into();
        let s = evaluate(&run, &qrels, 5);
        assert_eq!(s.map, 0.5);
        assert_eq!(s.queries, 2);
    }

    #[test]
    fn hits_past_the_cutoff_do_not_count() {
        let qrels: Qrels = [("q".into(), ["a".into()].into())].into();
        let run: Run = [("q".into(), vec!["x".into(), "a".into()])].into();
        assert_eq!(evaluate(&run, &qrels, 1).map, 0.0);
        assert_eq!(evaluate(&run, &qrels, 2).map, 0.5);
    }

    #[test]
    fn quantiles_use_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 2.0);
        assert_eq!(quantile(&v, 0.99), 4.0);
    }
}
