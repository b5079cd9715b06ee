//! `claimdesk train-reranker`: fits the learned reranker on queries with judgments and writes
//! it as JSON (the file `crates/match/src/reranker.json` ships with claimdesk; see
//! `bench/train-reranker` for the command that made it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use claimdesk_match::rerank::{Reranker, TrainingQuery};
use claimdesk_match::trec::parse_qrels;
use clap::Args;

use crate::desk::Desk;
use crate::load::bar;
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
    /// Top-1 precision a "confident match" must have on the training queries.
    #[arg(long, default_value_t = 0.95)]
    precision: f64,
}

/// `claimdesk train-reranker`.
pub async fn run(desk: &Desk, args: &TrainArgs) -> Result<ExitCode> {
    let catalog = desk.catalog().await?;
    let hybrid = desk.ranker(&catalog).await?;
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
        let (mut hits, mut ap) = (0usize, 0.0);
        for (i, (_, y)) in order.iter().take(k).enumerate() {
            if *y {
                hits += 1;
                ap += hits as f64 / (i + 1) as f64;
            }
        }
        total += ap / n.min(k).max(1) as f64;
    }
    (
        total / queries.len() as f64,
        found as f64 / queries.len() as f64,
    )
}
