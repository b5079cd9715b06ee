//! `claimdesk train-reranker`: fits the learned reranker on queries with judgments and writes
//! it as JSON (the file `crates/match/src/reranker.json` ships with claimdesk; see
//! `bench/train-reranker` for the command that made it).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use claimdesk_engine::Engine;
use claimdesk_engine::matching::verify::{Targets, TrainOptions};
use claimdesk_engine::training;
use clap::Args;

use crate::progress::Bars;
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
    let matcher = ranker.matcher();
    let queries = read_queries(&args.queries)?;
    let qrels = claimdesk_engine::evaluation::read_qrels(&args.qrels)?;
    let judged = training::judged_queries(matcher, &catalog, &queries, &qrels)?;
    if let Some(path) = &args.dump {
        crate::write_file(path, training::candidates_jsonl(&judged))?;
    }
    let source = args.queries.display().to_string();
    let mut trained = training::train_reranker(&judged, args.l2, args.precision, &source);
    let command = crate::command_line();
    trained.reranker.command = command.clone();
    crate::write_file(
        &args.out,
        &(serde_json::to_string_pretty(&trained.reranker)? + "\n"),
    )?;
    print!(
        "{}",
        claimdesk_printer::training::reranker_trained(&trained, judged.len())
    );
    println!("wrote {}", args.out.display());
    let Some(out) = &args.verifier_out else {
        return Ok(ExitCode::SUCCESS);
    };
    let options = TrainOptions {
        l2: args.verifier_l2.clone(),
        targets: Targets {
            confident_precision: args.confident_precision,
            false_alarm: args.false_alarm,
            suggest_absent_share: args.suggest_absent_share,
        },
        ..TrainOptions::default()
    };
    let conditions = training::verifier_conditions(&catalog, &args.pool_sizes);
    let runs = training::verifier_runs(
        matcher,
        &catalog,
        &judged,
        &conditions,
        args.pool_seed,
        &Bars::default(),
    );
    if let Some(path) = &args.verifier_dump {
        crate::write_file(path, training::pools_jsonl(&runs, &trained.reranker))?;
    }
    let (mut verifier, summary) =
        training::train_verifier(&runs, &conditions, &trained.reranker, &options, &source);
    verifier.command = command;
    crate::write_file(out, &(serde_json::to_string_pretty(&verifier)? + "\n"))?;
    print!(
        "{}",
        claimdesk_printer::training::verifier_trained(&verifier, &summary)
    );
    println!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
