//! `claimdesk train-reranker`: fits the learned reranker on queries with judgments and writes
//! it as JSON (the file `crates/match/src/reranker.json` ships with claimdesk; see
//! `bench/train-reranker` for the command that made it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_match::metrics::average_precision_at;
use claimdesk_match::rerank::{Reranker, TrainingQuery};
use claimdesk_match::trec::parse_qrels;
use claimdesk_match::verify::{self, TrainOptions};
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
    /// Share of the training queries without their answer whose top match may still be
    /// shown as a suggestion (the rest say "no fact-check matches this").
    #[arg(long, default_value_t = 0.25)]
    suggest_absent_share: f64,
    /// L2 regularization of the verifier.
    #[arg(long, default_value_t = 1.0)]
    verifier_l2: f64,
    /// Also write every query's candidates (features, verifier features, relevance) as JSON
    /// Lines, for analysis.
    #[arg(long)]
    dump: Option<PathBuf>,
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
            l2: args.verifier_l2,
            confident_precision: args.confident_precision,
            suggest_absent_share: args.suggest_absent_share,
            ..TrainOptions::default()
        };
        let (mut verifier, cv) = verify::train(&training, &reranker, &options);
        let summary = format!(
            "{} queries, {}-fold cross-validation there: answer present: {} confident, precision {:.4}, recall {:.4}; answer left out: {} confident ({:.4})",
            cv.queries,
            options.folds,
            cv.confident,
            cv.confident_right as f64 / cv.confident.max(1) as f64,
            cv.confident_right as f64 / cv.queries.max(1) as f64,
            cv.false_alarms,
            cv.false_alarms as f64 / cv.queries.max(1) as f64,
        );
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
