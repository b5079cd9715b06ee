//! `match` and `eval`: rank fact-checks for texts, write TREC runs, measure quality and speed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use claimdesk_engine::evaluation;
use claimdesk_engine::matching::Match;
use claimdesk_engine::matching::hybrid::Ranking;
use claimdesk_engine::matching::trec::parse_qrels;
use claimdesk_engine::matching::verify::{Signal, Strength, Verifier};
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
    #[arg(long = "ranking")]
    ranking_name: Option<String>,
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
    #[arg(long = "ranking")]
    ranking_name: Option<String>,
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
    #[arg(long)]
    verifier: Option<PathBuf>,
}

impl MatchArgs {
    /// The ranking asked for, if any.
    pub fn ranking(&self) -> Result<Option<Ranking>> {
        parse_ranking(self.ranking_name.as_deref())
    }
}

impl EvalArgs {
    /// The ranking asked for, if any.
    pub fn ranking(&self) -> Result<Option<Ranking>> {
        parse_ranking(self.ranking_name.as_deref())
    }

    /// The verifier file asked for, if any.
    pub fn verifier(&self) -> Result<Option<Verifier>> {
        let Some(path) = &self.verifier else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Some(
            Verifier::from_json(&text).with_context(|| path.display().to_string())?,
        ))
    }
}

fn parse_ranking(name: Option<&str>) -> Result<Option<Ranking>> {
    name.map(|n| n.parse().context("--ranking")).transpose()
}

fn write(path: &Path, contents: &str) -> Result<()> {
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// `claimdesk match`.
pub async fn run_match(engine: &Engine, args: &MatchArgs) -> Result<ExitCode> {
    let ranker = crate::ranker(engine).await?.current();
    let catalog = engine.catalog().await?;
    let matcher = ranker.matcher();
    if let Some(text) = &args.text {
        let matches = matcher.rank(text, args.top, true)?;
        if args.json {
            let v: Vec<_> = matches
                .iter()
                .enumerate()
                .map(|(i, m)| match_json(i + 1, m, &catalog))
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            print!("{}", render_matches(&matches, &catalog));
        }
        return Ok(if matches.is_empty() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
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
            let v: Vec<_> = matches
                .iter()
                .enumerate()
                .map(|(i, m)| match_json(i + 1, m, &catalog))
                .collect();
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
    let run = evaluation::run_file(&queries, &results);
    match &args.run_out {
        Some(out) => write(out, &run)?,
        None => print!("{run}"),
    }
    eprintln!(
        "retrievers: {}\nqueries={} seconds={:.3} qps={:.1} threads=1",
        matcher.retrievers().join(", "),
        queries.len() * args.repeat.max(1),
        total,
        (queries.len() * args.repeat.max(1)) as f64 / total.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

fn match_json(rank: usize, m: &Match, catalog: &Catalog) -> serde_json::Value {
    let fc = catalog.get(m.fact_check).map(|f| &f.fact_check);
    json!({
        "rank": rank,
        "source_id": catalog.source_id(m.fact_check),
        "aliases": catalog.alias_source_ids(m.fact_check),
        "score": m.score,
        "claim": fc.map(|f| &f.claim),
        "headline": fc.and_then(|f| f.headline.as_ref()),
        "rating": fc.and_then(|f| f.rating.as_ref()),
        "url": fc.and_then(|f| f.url.as_ref()),
        "language": fc.and_then(|f| f.language.as_ref()),
        "explanation": m.explanation,
    })
}

/// The human-readable list of matches, with the why of each.
pub fn render_matches(matches: &[Match], catalog: &Catalog) -> String {
    let mut out = String::new();
    if matches.is_empty() {
        out.push_str("no fact-check matches\n");
        return out;
    }
    if matches[0].explanation.strength == Some(Strength::Nearest) {
        out.push_str("no fact-check matches this; the nearest ones, none of them a match:\n");
    }
    for (i, m) in matches.iter().enumerate() {
        let Some(stored) = catalog.get(m.fact_check) else {
            continue;
        };
        let fc = &stored.fact_check;
        let strength = match m.explanation.strength {
            Some(s) => format!(" {}", s.as_str()),
            None => String::new(),
        };
        let shown = m.explanation.probability.unwrap_or(m.score);
        let _ = writeln!(out, "{}. [{shown:.2}{strength}] {}", i + 1, fc.claim);
        if let Some(h) = &fc.headline {
            let _ = writeln!(out, "   headline: {h}");
        }
        let verdict = fc.rating.as_ref().and_then(|r| r.label.clone());
        let _ = writeln!(
            out,
            "   id: {}{}{}",
            fc.source_id,
            verdict
                .map(|v| format!("  verdict: {v}"))
                .unwrap_or_default(),
            fc.url
                .as_ref()
                .filter(|u| **u != fc.source_id)
                .map(|u| format!("  {u}"))
                .unwrap_or_default()
        );
        let aliases = catalog.alias_source_ids(m.fact_check);
        if !aliases.is_empty() {
            let _ = writeln!(out, "   same text as: {}", aliases.join(", "));
        }
        let e = &m.explanation;
        let mut why = format!("lexical {:.2}", e.lexical);
        if let Some(d) = e.near_duplicate_distance {
            let _ = write!(
                why,
                ", near-duplicate (distance {d}/64, +{:.2})",
                e.near_duplicate
            );
        }
        if let Some(c) = e.cosine {
            let _ = write!(why, ", meaning (cosine {c:.3})");
        }
        if !e.retrievers.is_empty() {
            let _ = write!(why, ", found by {}", e.retrievers.join(" + "));
        }
        let terms: Vec<String> = e
            .terms
            .iter()
            .take(8)
            .map(|t| format!("{} in {} ({:.2})", t.term, field_label(t.field), t.score))
            .collect();
        if !terms.is_empty() {
            let _ = write!(why, "; terms: {}", terms.join(", "));
        }
        let _ = writeln!(out, "   why: {why}");
        if !e.features.is_empty() {
            let effects: Vec<String> = e
                .features
                .iter()
                .map(|f| format!("{} {:.2} ({:+.2})", f.name, f.value, f.effect))
                .collect();
            let _ = writeln!(out, "   reranker: {}", effects.join(", "));
        }
        if !e.signals.is_empty() {
            let words: Vec<&str> = e.signals.iter().map(|s| signal_words(*s)).collect();
            let _ = writeln!(out, "   in short: {}", words.join("; "));
        }
        if e.confident {
            let _ = writeln!(
                out,
                "   confident match: above the calibrated threshold, safe to link"
            );
        }
    }
    out
}

/// A signal in English words, from the catalog the web desk words them with.
fn signal_words(s: Signal) -> &'static str {
    let en = claimdesk_server::i18n::Lang::En.messages();
    en.lookup(&format!("signal.{}", s.code()))
        .unwrap_or(s.code())
}

fn field_label(f: claimdesk_match::MatchField) -> &'static str {
    use claimdesk_match::MatchField::*;
    match f {
        ClaimExact => "claim",
        HeadlineExact => "headline",
        ClaimFolded => "claim, accents ignored",
        HeadlineFolded => "headline, accents ignored",
        Bigrams => "word pairs",
    }
}

/// `claimdesk eval`.
pub async fn run_eval(engine: &Engine, args: &EvalArgs) -> Result<ExitCode> {
    let ranker = crate::ranker(engine).await?.current();
    let catalog = engine.catalog().await?;
    let matcher = ranker.matcher();
    let queries = read_queries(&args.queries)?;
    let qrels_text = std::fs::read_to_string(&args.qrels)
        .with_context(|| format!("cannot read {}", args.qrels.display()))?;
    let qrels = parse_qrels(&qrels_text).with_context(|| format!("{}", args.qrels.display()))?;
    let ranked =
        evaluation::rank_all(matcher, &queries, &catalog, args.k.max(1), &Bars::default())?;
    if let Some(out) = &args.run_out {
        write(out, &evaluation::run_file(&queries, &ranked.rankings))?;
    }
    let e = evaluation::evaluate(&queries, &ranked, &qrels, args.k);
    if args.json {
        let mut v = serde_json::to_value(&e)?;
        v["threads"] = json!(1);
        v["retrievers"] = json!(matcher.retrievers());
        v["ranking"] = json!(matcher.ranking());
        v["settings"] = json!(engine.config().match_settings());
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let (k, s, c) = (args.k, &e.scores, &e.confident);
        println!(
            "queries      {} judged ({} without judgments skipped)",
            s.queries, e.unjudged
        );
        println!("retrievers   {}", matcher.retrievers().join(", "));
        println!("MAP@{k}        {:.4}", s.map);
        println!("MRR@{k}        {:.4}", s.mrr);
        println!("Recall@{k}     {:.4}", s.recall);
        println!("Recall@1     {:.4}", e.recall_1);
        if c.count > 0 {
            println!(
                "confident    {} of {} top matches, precision {:.3}, recall {:.3}",
                c.count, c.queries, c.precision, c.recall
            );
        }
        println!(
            "latency      p50 {:.3} ms, p99 {:.3} ms",
            e.latency_ms_p50, e.latency_ms_p99
        );
        println!(
            "throughput   {:.0} queries/s (1 thread)",
            e.queries_per_second
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
