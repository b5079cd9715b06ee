//! `match` and `eval`: rank fact-checks for texts, write TREC runs, measure quality and speed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_engine::evaluation;
use claimdesk_engine::matching::Match;
use claimdesk_engine::matching::hybrid::Ranking;
use claimdesk_engine::matching::verify::{Signal, Verifier};
use claimdesk_printer as printer;
use clap::Args;
use serde_json::json;

use claimdesk_engine::{Catalog, Engine};

use crate::progress::Bars;

/// Reading query files is the engine's; training reads them too.
pub(crate) use claimdesk_engine::evaluation::read_queries;

/// Arguments of `claimdesk match`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["text", "queries"])))]
pub struct MatchArgs {
    /// The text to match (a post, a claim).
    #[arg(long)]
    text: Option<String>,
    /// A file of queries (TSV/CSV with a header: id, text; or JSON Lines).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// How many results per text (run files count aliases of a fact-check as results too).
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// Print results as JSON (with --queries: one line per query, `{"id", "matches"}`).
    #[arg(long)]
    json: bool,
    /// With --queries: write a TREC run file (`qid Q0 docid rank score tag`).
    #[arg(long, requires = "queries")]
    run_out: Option<PathBuf>,
    /// With --queries: rank the query set this many times (a longer, steadier timing; the
    /// run file holds one pass).
    #[arg(long, default_value_t = 1, requires = "queries")]
    repeat: usize,
    /// Override a ranking setting for this run (NAME=VALUE, repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Order candidates by: reranker (default with the model), minmax, rrf, dense, lexical.
    #[arg(long)]
    pub ranking: Option<Ranking>,
}

/// Arguments of `claimdesk eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Queries (TSV/CSV with a header: id, text; or JSON Lines).
    #[arg(long)]
    queries: PathBuf,
    /// TREC qrels (`qid 0 docid relevance`).
    #[arg(long)]
    qrels: PathBuf,
    /// The cutoff of MAP@k, MRR@k and Recall@k.
    #[arg(long, default_value_t = 5)]
    k: usize,
    /// Print the measures as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the run file evaluated.
    #[arg(long)]
    run_out: Option<PathBuf>,
    /// Override a ranking setting for this run (NAME=VALUE, repeatable).
    #[arg(long = "param")]
    pub params: Vec<String>,
    /// Order candidates by: reranker (default with the model), minmax, rrf, dense, lexical.
    #[arg(long)]
    pub ranking: Option<Ranking>,
    /// Also measure confident matches with each query's answer left out, and in desks of
    /// these sizes sampled per query with and without it (comma-separated; needs the model).
    #[arg(long, value_delimiter = ',', num_args = 0.., value_name = "SIZES")]
    absent: Option<Vec<usize>>,
    /// With --absent: also the recall and false alarms at these confident thresholds
    /// (comma-separated probabilities), to see the trade-off.
    #[arg(
        long,
        value_delimiter = ',',
        requires = "absent",
        value_name = "THRESHOLDS"
    )]
    curve: Vec<f32>,
    /// Seed of the sampled desks.
    #[arg(long, default_value_t = 20261204)]
    seed: u64,
    /// Judge matches with this verifier file instead of the shipped one (as written by
    /// `train-reranker --verifier-out`).
    #[arg(long, value_name = "FILE", value_parser = read_verifier)]
    pub verifier: Option<Verifier>,
}

/// `--verifier FILE`: a verifier as `train-reranker --verifier-out` writes it.
fn read_verifier(path: &str) -> Result<Verifier> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    Verifier::from_json(&text).with_context(|| path.to_string())
}

/// `claimdesk match`.
pub async fn run_match(engine: &Engine, args: &MatchArgs) -> Result<ExitCode> {
    let ranker = crate::ranker(engine).await?.current();
    let catalog = engine.catalog().await?;
    let matcher = ranker.matcher();
    if let Some(text) = &args.text {
        let matches = matcher.rank(text, args.top, true)?;
        if args.json {
            let v = printer::matches::matches_json(&matches, &catalog);
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            print!("{}", render_matches(&matches, &catalog));
        }
        return Ok(ExitCode::from(u8::from(matches.is_empty())));
    }
    let path = args
        .queries
        .as_ref()
        .expect("clap requires --text or --queries");
    let queries = read_queries(path)?;
    if args.json {
        // One JSON object per line: the query's id and its matches, explained.
        for q in &queries {
            let matches = matcher.rank(&q.text, args.top, true)?;
            let v = printer::matches::matches_json(&matches, &catalog);
            println!("{}", json!({"id": q.id, "matches": v}));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut total = 0.0f64;
    let mut results = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let ranked = evaluation::rank_all(matcher, &queries, &catalog, args.top, &Bars::default())?;
        results = ranked.rankings;
        total += ranked.seconds;
    }
    let run = run_file(&queries, &results)?;
    match &args.run_out {
        Some(out) => crate::write_file(out, &run)?,
        None => print!("{run}"),
    }
    let n = queries.len() * args.repeat.max(1);
    eprint!(
        "{}",
        printer::matches::speed(&matcher.retrievers(), n, total)
    );
    Ok(ExitCode::SUCCESS)
}

/// The run file of `rankings`, saying on standard error which ids it wrote encoded.
fn run_file(queries: &[evaluation::Query], rankings: &[Vec<(String, f32)>]) -> Result<String> {
    let run = evaluation::run_file(queries, rankings)?;
    eprint!("{}", run.note());
    Ok(run.text)
}

/// A signal in English words, from the catalog the web desk words them with.
fn signal_words(s: Signal) -> String {
    let en = claimdesk_server::i18n::Lang::En.messages();
    en.lookup(&format!("signal.{}", s.code()))
        .unwrap_or(s.code())
        .to_string()
}

/// The matches as an editor reads them (also `demo --no-serve`).
pub fn render_matches(matches: &[Match], catalog: &Catalog) -> String {
    printer::matches::matches(matches, catalog, &signal_words)
}

/// `claimdesk eval`.
pub async fn run_eval(engine: &Engine, args: &EvalArgs) -> Result<ExitCode> {
    let ranker = crate::ranker(engine).await?.current();
    let catalog = engine.catalog().await?;
    let matcher = ranker.matcher();
    let queries = read_queries(&args.queries)?;
    let qrels = evaluation::read_qrels(&args.qrels)?;
    let ranked =
        evaluation::rank_all(matcher, &queries, &catalog, args.k.max(1), &Bars::default())?;
    if let Some(out) = &args.run_out {
        crate::write_file(out, run_file(&queries, &ranked.rankings)?)?;
    }
    let e = evaluation::evaluate(&queries, &ranked, &qrels, args.k);
    if args.json {
        let v = evaluation::json_report(&e, matcher, engine.config())?;
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!(
            "{}",
            printer::matches::evaluation(&e, args.k, &matcher.retrievers())
        );
    }
    if let Some(sizes) = &args.absent {
        print!(
            "{}",
            evaluation::absent_table(
                matcher,
                &catalog,
                &queries,
                &qrels,
                sizes,
                args.seed,
                &args.curve
            )?
        );
    }
    Ok(ExitCode::SUCCESS)
}
