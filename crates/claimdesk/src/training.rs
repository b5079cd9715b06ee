//! `claimdesk train-reranker`: fits the learned reranker on queries with judgments and writes
//! it as JSON (the file `crates/match/src/reranker.json` ships with claimdesk; see
//! `bench/train-reranker` for the command that made it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_core::FactCheckId;
use claimdesk_match::absence;
use claimdesk_match::metrics::average_precision_at;
use claimdesk_match::rerank::{Reranker, TrainingQuery};
use claimdesk_match::trec::parse_qrels;
use claimdesk_match::verify::{self, PoolRun, Targets, TrainOptions};
use clap::Args;

use claimdesk_engine::Engine;

use crate::progress::bar;
use crate::ranking::read_queries;

/// Arguments of `claimdesk train-reranker`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training queries (TSV/CSV with a header: id, text; or JSON Lines). Never the split you
    /// report.
    #[arg(long)]
    queries: PathBuf,
    /// Their TREC qrels.
    #[arg(long)]
    qrels: PathBuf,
    /// Where to write the reranker (JSON).
    #[arg(long)]
    out: PathBuf,
    /// L2 regularization of the logistic regression.
    #[arg(long, default_value_t = 1.0)]
    l2: f64,
    /// Top-1 precision the reranker's own threshold keeps on the training queries.
    #[arg(long, default_value_t = 0.95)]
    precision: f64,
    /// Where to write the match verifier (JSON); without it, only the reranker is trained.
    #[arg(long)]
    verifier_out: Option<PathBuf>,
    /// Precision a confident top match keeps, in cross-validation, over the training queries
    /// with their answer present and left out.
    #[arg(long, default_value_t = 0.97)]
    confident_precision: f64,
    /// Share of the training queries without their answer, in each pool, whose top match
    /// may be confident in cross-validation (a false alarm).
    #[arg(long, default_value_t = 0.01)]
    false_alarm: f64,
    /// Share of the training queries without their answer whose top match may still be
    /// shown as a suggestion (the rest say "no fact-check matches this").
    #[arg(long, default_value_t = 0.25)]
    suggest_absent_share: f64,
    /// L2 regularizations of the verifier to choose from by cross-validation.
    #[arg(long, value_delimiter = ',', default_values_t = [0.1, 1.0, 10.0, 100.0])]
    verifier_l2: Vec<f64>,
    /// Sizes of the sampled desks the verifier is trained on, besides the whole desk (each
    /// with and without the answer).
    #[arg(long, value_delimiter = ',', default_values_t = [25, 100, 1000])]
    pool_sizes: Vec<usize>,
    /// Seed of those samples (not the evaluation's).
    #[arg(long, default_value_t = 7)]
    pool_seed: u64,
    /// Also write every query's candidates (features, verifier features, relevance) as JSON
    /// Lines, for analysis.
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Also write every query's candidates in every pool the verifier trains on (reranker
    /// probability, verifier features, relevance) as JSON Lines, for analysis.
    #[arg(long)]
    verifier_dump: Option<PathBuf>,
}

/// `claimdesk train-reranker`.
pub async fn run(engine: &Engine, args: &TrainArgs) -> Result<ExitCode> {
    let ranker = crate::ranker(engine).await?.current();
    let catalog = engine.catalog().await?;
    let hybrid = ranker.matcher();
    let queries = read_queries(&args.queries)?;
    let qrels_text = std::fs::read_to_string(&args.qrels)
        .with_context(|| format!("cannot read {}", args.qrels.display()))?;
    let qrels = parse_qrels(&qrels_text).with_context(|| args.qrels.display().to_string())?;
    let texts: Vec<&str> = queries.iter().map(|q| q.text.as_str()).collect();
    let pb = bar(1, "embedding queries");
    let Some(vectors) = hybrid.embed_queries(&texts)? else {
        bail!("training needs the semantic model: run scripts/fetch-model or pass --model");
    };
    pb.finish_and_clear();
    let mut training: Vec<TrainingQuery> = Vec::new();
    let mut judged = Vec::new();
    // Each judged query with its vector and its relevant canonical fact-checks (sorted).
    let mut relevant_ids: Vec<(&str, &Vec<f32>, Vec<FactCheckId>)> = Vec::new();
    for (q, v) in queries.iter().zip(&vectors) {
        let Some(relevant) = qrels.get(&q.id) else {
            continue;
        };
        let is_relevant = |fc| {
            relevant.contains(&catalog.source_id(fc))
                || catalog
                    .alias_source_ids(fc)
                    .iter()
                    .any(|a| relevant.contains(*a))
        };
        training.push(hybrid.training_query(&q.text, v, &is_relevant));
        judged.push(relevant.len());
        let mut ids: Vec<FactCheckId> = catalog
            .canonical()
            .map(|f| f.id)
            .filter(|&fc| is_relevant(fc))
            .collect();
        ids.sort_unstable();
        relevant_ids.push((q.text.as_str(), v, ids));
    }
    if training.is_empty() {
        bail!(
            "no query of {} has judgments in {}",
            args.queries.display(),
            args.qrels.display()
        );
    }
    if let Some(path) = &args.dump {
        let mut out = String::new();
        for q in &training {
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
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let mut reranker = Reranker::train(&training, args.l2, args.precision);
    let (map, recall) = candidate_map(&reranker, &training, &judged, 5);
    let rows: usize = training.iter().map(|q| q.rows.len()).sum();
    reranker.trained_on = format!(
        "{} ({} queries, {rows} candidates); there: MAP@5 {map:.4}, candidate recall {recall:.4}",
        args.queries.display(),
        training.len()
    );
    reranker.command = std::env::args().collect::<Vec<_>>().join(" ");
    let json = serde_json::to_string_pretty(&reranker)? + "\n";
    std::fs::write(&args.out, json)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "trained on {} queries, {rows} candidates: MAP@5 {map:.4} on them",
        training.len()
    );
    println!(
        "candidates hold a relevant fact-check for {:.1}% of the queries",
        recall * 100.0
    );
    for (pair, t) in &reranker.confident {
        println!("confident threshold {pair}: {t:.3}");
    }
    println!("wrote {}", args.out.display());
    if let Some(out) = &args.verifier_out {
        let options = TrainOptions {
            l2: args.verifier_l2.clone(),
            targets: Targets {
                confident_precision: args.confident_precision,
                false_alarm: args.false_alarm,
                suggest_absent_share: args.suggest_absent_share,
            },
            ..TrainOptions::default()
        };
        let mut all: Vec<FactCheckId> = catalog.canonical().map(|f| f.id).collect();
        all.sort_unstable();
        let conditions = absence::conditions(&args.pool_sizes, all.len());
        let pb = bar(
            (relevant_ids.len() * conditions.len()) as u64,
            "verifier pools",
        );
        let mut runs: Vec<Vec<PoolRun>> = Vec::with_capacity(relevant_ids.len());
        for (qi, (text, v, relevant)) in relevant_ids.iter().enumerate() {
            let is_relevant = |fc: FactCheckId| relevant.binary_search(&fc).is_ok();
            let mut query_runs = Vec::with_capacity(conditions.len());
            for (c, condition) in conditions.iter().enumerate() {
                let ids = absence::pool_ids(condition, c, &all, relevant, qi, args.pool_seed);
                let pool = absence::pool(condition, relevant, &ids);
                query_runs.push(PoolRun {
                    condition: c,
                    answer_present: condition.answer_present,
                    query: hybrid.training_query_in(text, v, &is_relevant, pool),
                });
                pb.inc(1);
            }
            runs.push(query_runs);
        }
        pb.finish_and_clear();
        if let Some(path) = &args.verifier_dump {
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
            std::fs::write(path, out)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let (mut verifier, cv) = verify::train(&runs, &reranker, &options);
        let mut summary = format!(
            "{} queries, {}-fold cross-validation there (L2 {} of {:?}; thresholds for precision {} over all and at most {} false alarms in each pool without the answer):",
            cv.conditions.first().map_or(0, |c| c.queries),
            options.folds,
            cv.l2,
            options.l2,
            args.confident_precision,
            args.false_alarm,
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
        verifier.trained_on = format!("{}: {summary}", args.queries.display());
        verifier.command = reranker.command.clone();
        let json = serde_json::to_string_pretty(&verifier)? + "\n";
        std::fs::write(out, json).with_context(|| format!("cannot write {}", out.display()))?;
        println!("verifier: {summary}");
        for (pair, t) in &verifier.thresholds {
            println!(
                "verifier thresholds {pair}: confident {:.3}, suggest {:.3}",
                t.confident, t.suggest
            );
        }
        println!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// MAP@k of the reranker's order over each query's candidates, and the share of queries
/// whose candidates include a relevant one.
fn candidate_map(
    r: &Reranker,
    queries: &[TrainingQuery],
    judged: &[usize],
    k: usize,
) -> (f64, f64) {
    let mut total = 0.0;
    let mut found = 0usize;
    for (q, &n) in queries.iter().zip(judged) {
        let mut order: Vec<(f32, bool)> = q
            .rows
            .iter()
            .zip(&q.relevant)
            .map(|(x, &y)| (r.probability(x), y))
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0));
        found += usize::from(q.relevant.iter().any(|&y| y));
        let ranked: Vec<bool> = order.iter().map(|(_, y)| *y).collect();
        total += average_precision_at(&ranked, k, n.min(k).max(1));
    }
    (
        total / queries.len() as f64,
        found as f64 / queries.len() as f64,
    )
}
