//! Evaluation the way a desk is used: most posts repeat nothing that was checked, so every
//! figure for confident matches is measured with the answer present *and* absent.
//!
//! For each query with judgments, the ranker runs against several pools: the whole desk, the
//! whole desk with the query's answer (every relevant canonical fact-check, and with it every
//! alias merged into it by normalized text) left out, and samples of a given size drawn per
//! query with and without the answer. A confident top match where the answer is absent is a
//! false alarm; where it is present, it is right only when it is relevant.

use claimdesk_core::FactCheckId;

use crate::hybrid::{HybridMatcher, Pool};
use crate::{Error, Result};

/// One judged query, embedded.
#[derive(Debug, Clone)]
pub struct JudgedQuery {
    /// The post.
    pub text: String,
    /// Its query vector.
    pub vector: Vec<f32>,
    /// The relevant canonical fact-checks (sorted).
    pub relevant: Vec<FactCheckId>,
}

/// What one pool condition gave.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionReport {
    /// `all`, `all without answer`, `100 with answer`, …
    pub condition: String,
    /// The answer is in the pool.
    pub answer_present: bool,
    /// Queries run.
    pub queries: usize,
    /// Confident top matches.
    pub confident: usize,
    /// Confident top matches that are relevant.
    pub confident_right: usize,
    /// Top matches shown as at least a suggestion.
    pub suggested: usize,
    /// Every query's top match: the verifier's probability and whether it is relevant (for
    /// the curve at other thresholds).
    pub tops: Vec<(f32, bool)>,
}

impl ConditionReport {
    /// Precision of the confident top matches (1 when there are none).
    pub fn precision(&self) -> f64 {
        if self.confident == 0 {
            1.0
        } else {
            self.confident_right as f64 / self.confident as f64
        }
    }

    /// Share of the queries whose answer was confidently found (answer present).
    pub fn recall(&self) -> f64 {
        self.confident_right as f64 / self.queries.max(1) as f64
    }

    /// Share of the queries with a confident top match (with the answer absent, every one is
    /// a false alarm).
    pub fn confident_rate(&self) -> f64 {
        self.confident as f64 / self.queries.max(1) as f64
    }
}

/// A small deterministic generator (SplitMix64) for the per-query samples.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` distinct fact-checks of `all` that are not in `exclude`, drawn with `rng`, sorted.
fn sample(
    all: &[FactCheckId],
    exclude: &[FactCheckId],
    n: usize,
    rng: &mut SplitMix,
) -> Vec<FactCheckId> {
    let available = all.len().saturating_sub(exclude.len());
    let n = n.min(available);
    let mut picked: Vec<FactCheckId> = Vec::with_capacity(n);
    while picked.len() < n {
        let id = all[(rng.next() % all.len() as u64) as usize];
        if exclude.binary_search(&id).is_err() && !picked.contains(&id) {
            picked.push(id);
        }
    }
    picked.sort_unstable();
    picked
}

/// One pool a query runs against.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// `all`, `all without answer`, `100 with answer`, …
    pub name: String,
    /// The answer is in the pool.
    pub answer_present: bool,
    /// Fact-checks sampled per query; `None`: the whole desk.
    pub size: Option<usize>,
}

/// The whole desk with and without the answer, then each size in `sizes` smaller than the
/// desk (`desk` fact-checks) with and without it.
pub fn conditions(sizes: &[usize], desk: usize) -> Vec<Condition> {
    let condition = |name: String, answer_present, size| Condition {
        name,
        answer_present,
        size,
    };
    let mut out = vec![
        condition("all".into(), true, None),
        condition("all without answer".into(), false, None),
    ];
    for &n in sizes.iter().filter(|&&n| n < desk) {
        out.push(condition(format!("{n} with answer"), true, Some(n)));
        out.push(condition(format!("{n} without answer"), false, Some(n)));
    }
    out
}

/// The fact-checks of the sampled pool of condition number `c` for query number `query`
/// with answer `relevant` (sorted): `size` drawn from `all`, the answer among them when
/// present; `None` for the whole desk (with or without the answer: see [`pool`]).
/// Deterministic in `seed`, `c` and `query`.
pub fn pool_ids(
    condition: &Condition,
    c: usize,
    all: &[FactCheckId],
    relevant: &[FactCheckId],
    query: usize,
    seed: u64,
) -> Option<Vec<FactCheckId>> {
    let n = condition.size?;
    let mut rng = SplitMix(seed ^ ((c as u64) << 40) ^ query as u64);
    Some(if condition.answer_present {
        let mut ids = sample(all, relevant, n.saturating_sub(relevant.len()), &mut rng);
        ids.extend(relevant);
        ids.sort_unstable();
        ids
    } else {
        sample(all, relevant, n, &mut rng)
    })
}

/// The pool of a condition, from [`pool_ids`]' answer.
pub fn pool<'a>(
    condition: &Condition,
    relevant: &'a [FactCheckId],
    ids: &'a Option<Vec<FactCheckId>>,
) -> Pool<'a> {
    match (ids, condition.answer_present) {
        (Some(ids), _) => Pool::Only(ids),
        (None, true) => Pool::All,
        (None, false) => Pool::Without(relevant),
    }
}

/// Runs every query against the whole desk with and without its answer, and against
/// per-query samples of each size in `sizes` with and without it (a query whose answer the
/// desk does not hold runs only in the conditions without it). `all` lists every
/// canonical fact-check of the desk (sorted). The matcher must rank with the model.
pub fn evaluate(
    hybrid: &HybridMatcher,
    queries: &[JudgedQuery],
    all: &[FactCheckId],
    sizes: &[usize],
    seed: u64,
) -> Result<Vec<ConditionReport>> {
    if hybrid.verifier().is_none() {
        return Err(Error::BadSetting(
            "evaluating confidence needs the semantic model and the verifier".into(),
        ));
    }
    let mut out = Vec::new();
    for (c, condition) in conditions(sizes, all.len()).iter().enumerate() {
        let mut report = ConditionReport {
            condition: condition.name.clone(),
            answer_present: condition.answer_present,
            queries: 0,
            confident: 0,
            confident_right: 0,
            suggested: 0,
            tops: Vec::new(),
        };
        for (qi, q) in queries.iter().enumerate() {
            // A query whose answer the desk does not hold counts only where it is absent.
            if q.relevant.is_empty() && condition.answer_present {
                continue;
            }
            let ids = pool_ids(condition, c, all, &q.relevant, qi, seed);
            let pool = pool(condition, &q.relevant, &ids);
            let top = hybrid.rank_in(&q.text, Some(&q.vector), 1, false, pool)?;
            report.queries += 1;
            if let Some(m) = top.first() {
                let right = q.relevant.binary_search(&m.fact_check).is_ok();
                if m.explanation.confident {
                    report.confident += 1;
                    report.confident_right += usize::from(right);
                }
                if m.explanation.strength >= Some(crate::verify::Strength::Suggestion) {
                    report.suggested += 1;
                }
                report
                    .tops
                    .push((m.explanation.probability.unwrap_or(0.0), right));
            }
        }
        out.push(report);
    }
    Ok(out)
}

/// The reports as a table (one line per condition).
pub fn table(reports: &[ConditionReport]) -> String {
    let mut out = format!(
        "{:<24} {:>7} {:>9} {:>9} {:>8} {:>11} {:>9}\n",
        "pool", "queries", "confident", "precision", "recall", "false-alarm", "suggested"
    );
    for r in reports {
        let (precision, recall, false_alarm) = if r.answer_present {
            (
                format!("{:.3}", r.precision()),
                format!("{:.3}", r.recall()),
                "-".to_string(),
            )
        } else {
            (
                "-".to_string(),
                "-".to_string(),
                format!("{:.3}", r.confident_rate()),
            )
        };
        out.push_str(&format!(
            "{:<24} {:>7} {:>9} {:>9} {:>8} {:>11} {:>9}\n",
            r.condition, r.queries, r.confident, precision, recall, false_alarm, r.suggested
        ));
    }
    out
}

/// The precision/recall/false-alarm curve: for each confident threshold in `thresholds`
/// (one for every language pair), per condition the recall of confident top matches (with
/// the answer; their precision in brackets) or the false-alarm rate (without it).
pub fn curve(reports: &[ConditionReport], thresholds: &[f32]) -> String {
    let mut out = format!("{:>9}", "threshold");
    for r in reports {
        let name = r
            .condition
            .replace(" without answer", " w/o")
            .replace(" with answer", " with");
        out.push_str(&format!(" {name:>16}"));
    }
    out.push('\n');
    for &t in thresholds {
        out.push_str(&format!("{t:>9.3}"));
        for r in reports {
            let confident = r.tops.iter().filter(|(p, _)| *p >= t).count();
            let right = r.tops.iter().filter(|(p, ok)| *p >= t && *ok).count();
            let n = r.tops.len().max(1) as f64;
            let cell = if r.answer_present {
                format!(
                    "{:.3} ({:.3})",
                    right as f64 / n,
                    if confident == 0 {
                        1.0
                    } else {
                        right as f64 / confident as f64
                    }
                )
            } else {
                format!("{:.3}", confident as f64 / n)
            };
            out.push_str(&format!(" {cell:>16}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_sorted_and_leave_out_the_excluded() {
        let all: Vec<FactCheckId> = (1..=50).map(FactCheckId).collect();
        let exclude = vec![FactCheckId(3), FactCheckId(7)];
        let mut rng = SplitMix(42);
        let s = sample(&all, &exclude, 20, &mut rng);
        assert_eq!(s.len(), 20);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(!s.contains(&FactCheckId(3)) && !s.contains(&FactCheckId(7)));
        // Asking for more than there is gives all that is allowed.
        assert_eq!(sample(&all, &exclude, 100, &mut rng).len(), 48);
    }

    #[test]
    fn rates_follow_the_counts() {
        let r = ConditionReport {
            condition: "all".into(),
            answer_present: true,
            queries: 10,
            confident: 4,
            confident_right: 3,
            suggested: 6,
            tops: vec![(0.9, true), (0.8, false), (0.3, true)],
        };
        let c = curve(std::slice::from_ref(&r), &[0.5]);
        // Of the three tops, one above 0.5 is right: recall 1/3, precision 1/2.
        assert!(c.contains("0.333 (0.500)"), "{c}");
        assert_eq!(r.precision(), 0.75);
        assert_eq!(r.recall(), 0.3);
        assert_eq!(r.confident_rate(), 0.4);
        assert!(table(&[r]).contains("0.750"));
    }
}
