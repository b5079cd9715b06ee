//! Training the ranker's learned parts on judged queries (`claimdesk train-reranker`): the
//! reranker, which orders a query's candidates, and the match verifier, which says whether
//! the top one answers the query, trained on pools of many sizes with the answer present
//! and left out. The caller chooses the settings and writes the files.
//!
//! Layer 4: imports `catalog`, `evaluation`, `progress` and `error`.

use claimdesk_core::FactCheckId;
use claimdesk_match::absence::{self, Condition};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_match::metrics::{Qrels, average_precision_at};
use claimdesk_match::rerank::{Reranker, TrainingQuery};
use claimdesk_match::verify::{self, PoolRun, Verifier};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::evaluation::Query;
use crate::progress::Progress;

/// One judged query, ready to train on.
pub struct Judged {
    /// Its text.
    pub text: String,
    /// Its query vector.
    pub vector: Vec<f32>,
    /// Its relevant canonical fact-checks, sorted.
    pub relevant: Vec<FactCheckId>,
    /// How many documents its judgments name.
    pub judgments: usize,
    /// Its candidates in the whole desk, with features and relevance.
    pub candidates: TrainingQuery,
}

/// The judged queries of a query file, with their candidates in the whole desk; queries
/// without judgments are left out. An error when none is judged or there is no model.
pub fn judged_queries(
    matcher: &HybridMatcher,
    catalog: &Catalog,
    queries: &[Query],
    qrels: &Qrels,
) -> Result<Vec<Judged>> {
    let texts: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
    let Some(vectors) = matcher.embed_queries(&texts)? else {
        return Err(Error::Usage(
            "training needs the semantic model: run scripts/fetch-model or pass --model".into(),
        ));
    };
    let mut out = Vec::new();
    for (q, vector) in queries.iter().zip(vectors) {
        let Some(judgments) = qrels.get(&q.id) else {
            continue;
        };
        let is_relevant = |fc| {
            judgments.contains(&catalog.source_id(fc))
                || catalog
                    .alias_source_ids(fc)
                    .iter()
                    .any(|a| judgments.contains(*a))
        };
        let candidates = matcher.training_query(&q.text, &vector, &is_relevant);
        let mut relevant: Vec<FactCheckId> = catalog
            .canonical()
            .map(|f| f.id)
            .filter(|&fc| is_relevant(fc))
            .collect();
        relevant.sort_unstable();
        out.push(Judged {
            text: q.text.clone(),
            vector,
            relevant,
            judgments: judgments.len(),
            candidates,
        });
    }
    if out.is_empty() {
        return Err(Error::Usage(
            "no query of the query file has judgments in the qrels".into(),
        ));
    }
    Ok(out)
}

/// Every judged query's candidates (reranker features, verifier features, relevance) as
/// JSON Lines, for analysis.
pub fn candidates_jsonl(judged: &[Judged]) -> String {
    let mut out = String::new();
    for q in judged.iter().map(|j| &j.candidates) {
        let line = serde_json::json!({
            "relevant": q.relevant,
            "pair": q.pair,
            "ids": q.ids.iter().map(|i| i.0).collect::<Vec<_>>(),
            "rows": q.rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "pairs": q.pairs.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// A trained reranker and how it ranks the candidates it was trained on.
pub struct TrainedReranker {
    /// The reranker (its `trained_on` says where and how well).
    pub reranker: Reranker,
    /// MAP@5 of its order over the training candidates.
    pub map: f64,
    /// Share of the queries whose candidates hold a relevant fact-check.
    pub candidate_recall: f64,
    /// Candidates trained on.
    pub rows: usize,
}

/// Fits the reranker (L2 penalty `l2`; its own threshold keeps top-1 precision
/// `precision`) on the judged queries' candidates; `source` names them in `trained_on`.
pub fn train_reranker(judged: &[Judged], l2: f64, precision: f64, source: &str) -> TrainedReranker {
    let training: Vec<TrainingQuery> = judged.iter().map(|j| j.candidates.clone()).collect();
    let mut reranker = Reranker::train(&training, l2, precision);
    let (mut total, mut found) = (0.0, 0usize);
    for j in judged {
        let q = &j.candidates;
        let mut order: Vec<(f32, bool)> = q
            .rows
            .iter()
            .zip(&q.relevant)
            .map(|(x, &y)| (reranker.probability(x), y))
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        found += usize::from(q.relevant.iter().any(|&y| y));
        let ranked: Vec<bool> = order.iter().map(|(_, y)| *y).collect();
        total += average_precision_at(&ranked, 5, j.judgments.clamp(1, 5));
    }
    let n = judged.len().max(1) as f64;
    let (map, candidate_recall) = (total / n, found as f64 / n);
    let rows = training.iter().map(|q| q.rows.len()).sum();
    reranker.trained_on = format!(
        "{source} ({} queries, {rows} candidates); there: MAP@5 {map:.4}, candidate recall {candidate_recall:.4}",
        judged.len()
    );
    TrainedReranker {
        reranker,
        map,
        candidate_recall,
        rows,
    }
}

/// The pools the verifier trains on: the whole desk and desks of `sizes` sampled per query
/// (seed `seed`), each with and without the answer.
pub fn verifier_conditions(catalog: &Catalog, sizes: &[usize]) -> Vec<Condition> {
    absence::conditions(sizes, catalog.canonical().count())
}

/// Every judged query's candidates in each of `conditions` (progress: "verifier pools").
pub fn verifier_runs(
    matcher: &HybridMatcher,
    catalog: &Catalog,
    judged: &[Judged],
    conditions: &[Condition],
    seed: u64,
    progress: &dyn Progress,
) -> Vec<Vec<PoolRun>> {
    let mut all: Vec<FactCheckId> = catalog.canonical().map(|f| f.id).collect();
    all.sort_unstable();
    progress.begin("verifier pools", (judged.len() * conditions.len()) as u64);
    let mut runs = Vec::with_capacity(judged.len());
    for (qi, j) in judged.iter().enumerate() {
        let is_relevant = |fc: FactCheckId| j.relevant.binary_search(&fc).is_ok();
        let mut query_runs = Vec::with_capacity(conditions.len());
        for (c, condition) in conditions.iter().enumerate() {
            let ids = absence::pool_ids(condition, c, &all, &j.relevant, qi, seed);
            let pool = absence::pool(condition, &j.relevant, &ids);
            query_runs.push(PoolRun {
                condition: c,
                answer_present: condition.answer_present,
                query: matcher.training_query_in(&j.text, &j.vector, &is_relevant, pool),
            });
            progress.advance(1);
        }
        runs.push(query_runs);
    }
    progress.end();
    runs
}

/// Every query's candidates in every pool (reranker probability, verifier features,
/// relevance) as JSON Lines, for analysis.
pub fn pools_jsonl(runs: &[Vec<PoolRun>], reranker: &Reranker) -> String {
    let mut out = String::new();
    for (qi, query_runs) in runs.iter().enumerate() {
        for run in query_runs {
            let line = serde_json::json!({
                "query": qi,
                "condition": run.condition,
                "present": run.answer_present,
                "relevant": run.query.relevant,
                "pair": run.query.pair,
                "ids": run.query.ids.iter().map(|i| i.0).collect::<Vec<_>>(),
                "rerank": run.query.rows.iter().map(|r| reranker.probability(r)).collect::<Vec<_>>(),
                "rows": run.query.rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
                "pairs": run.query.pairs.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            });
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    out
}

/// Trains the verifier on `runs` (pools of `conditions`) with `options`; its `trained_on`
/// holds the cross-validated figures of each pool, as also returned.
pub fn train_verifier(
    runs: &[Vec<PoolRun>],
    conditions: &[Condition],
    reranker: &Reranker,
    options: &verify::TrainOptions,
    source: &str,
) -> (Verifier, String) {
    let (mut verifier, cv) = verify::train(runs, reranker, options);
    let t = &options.targets;
    let mut summary = format!(
        "{} queries, {}-fold cross-validation there (L2 {} of {:?}; thresholds for precision {} over all and at most {} false alarms in each pool without the answer):",
        cv.conditions.first().map_or(0, |c| c.queries),
        options.folds,
        cv.l2,
        options.l2,
        t.confident_precision,
        t.false_alarm,
    );
    for (condition, count) in conditions.iter().zip(&cv.conditions) {
        if count.answer_present {
            summary.push_str(&format!(
                " {}: {} confident, precision {:.4}, recall {:.4};",
                condition.name,
                count.confident,
                count.confident_right as f64 / count.confident.max(1) as f64,
                count.confident_right as f64 / count.queries.max(1) as f64,
            ));
        } else {
            summary.push_str(&format!(
                " {}: {} confident ({:.4});",
                condition.name,
                count.confident,
                count.confident as f64 / count.queries.max(1) as f64,
            ));
        }
    }
    summary.pop();
    verifier.trained_on = format!("{source}: {summary}");
    (verifier, summary)
}
