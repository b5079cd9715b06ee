//! What training and evaluating the check-worthiness detector and the reranker reported.

use std::fmt::Write as _;

use claimdesk_engine::detect::DetectorEvaluation;
use claimdesk_engine::matching::checkworthy::{Detector, MATCH_RECALL};
use claimdesk_engine::matching::verify::Verifier;
use claimdesk_engine::training::TrainedReranker;

/// The detector's cross-validation table and the settings chosen with and without the model.
pub fn detector_trained(detector: &Detector) -> String {
    let mut out = format!(
        "{:<16} {:>6} {:>6} {:>8} {:>8}\n",
        "inputs", "boost", "l2", "cv MAP", "cv P@30"
    );
    for r in &detector.cross_validation {
        let _ = writeln!(
            out,
            "{:<16} {:>6} {:>6} {:>8.4} {:>8.4}",
            r.inputs.name(),
            r.cue_boost,
            r.l2,
            r.map,
            r.p_at_30
        );
    }
    for (name, m) in [
        ("with the model", &detector.with_model),
        ("without it", &detector.without_model),
    ] {
        let _ = writeln!(
            out,
            "chosen {name}: {} L2 {} cue boost {} (cv MAP {:.4}, P@30 {:.4}); match threshold {:.4} (keeps {:.0}% of the check-worthy training texts, out of fold)",
            m.inputs.name(),
            m.l2,
            m.cue_boost,
            m.cv_map,
            m.cv_p_at_30,
            m.match_threshold,
            MATCH_RECALL * 100.0
        );
    }
    out
}

/// The detector measured on `file` (`rows` texts, `positives` check-worthy): MAP, P@30, and
/// what its match threshold keeps, for each way of scoring.
pub fn detector_evaluated(
    evaluations: &[DetectorEvaluation],
    file: &str,
    rows: usize,
    positives: usize,
) -> String {
    let mut out = String::new();
    for e in evaluations {
        let m = &e.settings;
        let _ = writeln!(
            out,
            "{:<15} {:<15} L2 {:<6} train CV: MAP {:.4} P@30 {:.4}   {file}: MAP {:.4} P@30 {:.4}",
            e.name,
            m.inputs.name(),
            m.l2,
            m.cv_map,
            m.cv_p_at_30,
            e.map,
            e.p_at_30
        );
        let _ = writeln!(
            out,
            "{:<15} match threshold {:.4}: keeps {} of {positives} check-worthy ({:.1}% recall), matches {} of {rows} texts ({:.1}% skipped)",
            "",
            m.match_threshold,
            e.kept_worthy,
            100.0 * e.kept_worthy as f64 / positives.max(1) as f64,
            e.kept,
            100.0 * (rows - e.kept) as f64 / rows.max(1) as f64
        );
    }
    out
}

/// How the reranker trained on `queries` judged queries.
pub fn reranker_trained(trained: &TrainedReranker, queries: usize) -> String {
    let mut out = format!(
        "trained on {queries} queries, {} candidates: MAP@5 {:.4} on them\n\
         candidates hold a relevant fact-check for {:.1}% of the queries\n",
        trained.rows,
        trained.map,
        trained.candidate_recall * 100.0
    );
    for (pair, t) in &trained.reranker.confident {
        let _ = writeln!(out, "confident threshold {pair}: {t:.3}");
    }
    out
}

/// The verifier's cross-validated `summary` and its thresholds per language pair.
pub fn verifier_trained(verifier: &Verifier, summary: &str) -> String {
    let mut out = format!("verifier: {summary}\n");
    for (pair, t) in &verifier.thresholds {
        let _ = writeln!(
            out,
            "verifier thresholds {pair}: confident {:.3}, suggest {:.3}",
            t.confident, t.suggest
        );
    }
    out
}
