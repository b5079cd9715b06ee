//! `match` and `eval`: rank fact-checks for texts, write TREC runs, measure quality and speed.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use claimdesk_core::FactCheckId;
use claimdesk_ingest::{ItemFormat, parse_items};
use claimdesk_match::Match;
use claimdesk_match::absence::{self, JudgedQuery};
use claimdesk_match::hybrid::{HybridMatcher, Ranking};
use claimdesk_match::metrics::Qrels;
use claimdesk_match::metrics::{Run, evaluate, quantile};
use claimdesk_match::trec::{RunLine, parse_qrels, write_run_lines};
use claimdesk_match::verify::{Signal, Strength, Verifier};
use clap::Args;
use serde_json::json;

use claimdesk_engine::{Catalog, Engine};

use crate::progress::bar;

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

pub(crate) struct Query {
    pub(crate) id: String,
    pub(crate) text: String,
}

pub(crate) fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let parsed = parse_items(&name, &bytes, ItemFormat::Auto);
    if let Some(d) = parsed.diagnostics.first() {
        bail!(
            "{d} ({} problems in all; fix the query file)",
            parsed.diagnostics.len()
        );
    }
    Ok(parsed
        .records
        .into_iter()
        .map(|r| Query {
            id: r
                .value
                .external_id
                .unwrap_or_else(|| format!("line{}", r.line)),
            text: r.value.text,
        })
        .collect())
}

/// The ranked source ids of `matches`: each canonical fact-check followed by its aliases
/// (same score), at most `top` in all.
fn ranked_ids(matches: &[Match], catalog: &Catalog, top: usize) -> Vec<(String, f32)> {
    let mut out = Vec::with_capacity(top);
    for m in matches {
        out.push((catalog.source_id(m.fact_check), m.score));
        for alias in catalog.alias_source_ids(m.fact_check) {
            out.push((alias.to_string(), m.score));
        }
        if out.len() >= top {
            break;
        }
    }
    out.truncate(top);
    out
}

/// Ranked (source id, score) lists, one per query.
type Rankings = Vec<Vec<(String, f32)>>;

/// Ranks every query, single-threaded, timing each one: the rankings, each query's latency
/// in milliseconds, and the total seconds.
fn rank_all(
    matcher: &HybridMatcher,
    queries: &[Query],
    catalog: &Catalog,
    top: usize,
) -> Result<(Rankings, Vec<f64>, f64, Vec<bool>)> {
    let pb = bar(queries.len() as u64, "ranking");
    let mut results = Vec::with_capacity(queries.len());
    let mut confident = Vec::with_capacity(queries.len());
    let mut latencies = Vec::with_capacity(queries.len());
    let started = Instant::now();
    for q in queries {
        let t = Instant::now();
        let matches = matcher.rank(&q.text, top, false)?;
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
        confident.push(matches.first().is_some_and(|m| m.explanation.confident));
        results.push(ranked_ids(&matches, catalog, top));
        pb.inc(1);
    }
    let total = started.elapsed().as_secs_f64();
    pb.finish_and_clear();
    Ok((results, latencies, total, confident))
}

fn run_file(queries: &[Query], results: &[Vec<(String, f32)>]) -> String {
    let mut out = String::new();
    for (q, ranked) in queries.iter().zip(results) {
        let lines = ranked.iter().enumerate().map(|(i, (doc, score))| RunLine {
            qid: &q.id,
            docid: doc,
            rank: i + 1,
            score: *score,
        });
        write_run_lines(&mut out, lines, "claimdesk");
    }
    out
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
    let mut total = 0.0;
    let mut results = Vec::new();
    for _ in 0..args.repeat.max(1) {
        let (r, _, t, _) = rank_all(matcher, &queries, &catalog, args.top)?;
        results = r;
        total += t;
    }
    let run = run_file(&queries, &results);
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

/// A signal in English words (the web desk words them in the page's language).
fn signal_words(s: Signal) -> &'static str {
    match s {
        Signal::SameMeaning => "says the same thing in other words",
        Signal::SameWords => "uses much the same words",
        Signal::NearCopy => "is a near copy of the claim",
        Signal::SameNumbers => "gives the same numbers",
        Signal::DifferentNumbers => "gives different numbers",
        Signal::SharedNames => "names the same people, places or bodies",
        Signal::SameYear => "the same year",
        Signal::DifferentYear => "a different year",
        Signal::DifferentMeaning => "means something else",
        Signal::PartialClaim => "covers only part of the claim",
    }
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
    let judged: HashSet<&String> = qrels.keys().collect();
    let missing = queries.iter().filter(|q| !judged.contains(&q.id)).count();
    let (results, mut latencies, total, confident) =
        rank_all(matcher, &queries, &catalog, args.k.max(1))?;
    if let Some(out) = &args.run_out {
        write(out, &run_file(&queries, &results))?;
    }
    let run: Run = queries
        .iter()
        .zip(&results)
        .map(|(q, r)| (q.id.clone(), r.iter().map(|(d, _)| d.clone()).collect()))
        .collect();
    let scores = evaluate(&run, &qrels, args.k);
    let recall_1 = evaluate(&run, &qrels, 1).recall;
    // The confident top matches: how many, and how many of them are right.
    let (mut sure, mut sure_right, mut judged_queries) = (0usize, 0usize, 0usize);
    for ((q, r), c) in queries.iter().zip(&results).zip(&confident) {
        let Some(relevant) = qrels.get(&q.id) else {
            continue;
        };
        judged_queries += 1;
        if *c {
            sure += 1;
            sure_right += usize::from(r.first().is_some_and(|(d, _)| relevant.contains(d)));
        }
    }
    let sure_precision = if sure > 0 {
        sure_right as f64 / sure as f64
    } else {
        0.0
    };
    let sure_recall = sure_right as f64 / judged_queries.max(1) as f64;
    latencies.sort_by(f64::total_cmp);
    let qps = queries.len() as f64 / total.max(1e-9);
    let (p50, p99) = (quantile(&latencies, 0.5), quantile(&latencies, 0.99));
    if args.json {
        let v = json!({
            "queries": scores.queries,
            "k": args.k,
            "map": scores.map,
            "mrr": scores.mrr,
            "recall": scores.recall,
            "recall_1": recall_1,
            "confident": {
                "count": sure,
                "queries": judged_queries,
                "precision": sure_precision,
                "recall": sure_recall,
            },
            "latency_ms_p50": p50,
            "latency_ms_p99": p99,
            "queries_per_second": qps,
            "threads": 1,
            "retrievers": matcher.retrievers(),
            "ranking": matcher.ranking(),
            "settings": engine.config().match_settings(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let k = args.k;
        println!(
            "queries      {} judged ({} without judgments skipped)",
            scores.queries, missing
        );
        println!("retrievers   {}", matcher.retrievers().join(", "));
        println!("MAP@{k}        {:.4}", scores.map);
        println!("MRR@{k}        {:.4}", scores.mrr);
        println!("Recall@{k}     {:.4}", scores.recall);
        println!("Recall@1     {recall_1:.4}");
        if sure > 0 {
            println!(
                "confident    {sure} of {judged_queries} top matches, precision {sure_precision:.3}, recall {sure_recall:.3}"
            );
        }
        println!("latency      p50 {p50:.3} ms, p99 {p99:.3} ms");
        println!("throughput   {qps:.0} queries/s (1 thread)");
    }
    if let Some(sizes) = &args.absent {
        print!(
            "{}",
            absent_table(matcher, &catalog, &queries, &qrels, sizes, args.seed)?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `eval --absent`: the confident top matches of the judged queries against the whole desk
/// and sampled desks, each with and without the query's answer.
fn absent_table(
    matcher: &HybridMatcher,
    catalog: &Catalog,
    queries: &[Query],
    qrels: &Qrels,
    sizes: &[usize],
    seed: u64,
) -> Result<String> {
    let judged: Vec<&Query> = queries
        .iter()
        .filter(|q| qrels.contains_key(&q.id))
        .collect();
    let texts: Vec<&str> = judged.iter().map(|q| q.text.as_str()).collect();
    let Some(vectors) = matcher.embed_queries(&texts)? else {
        bail!("--absent needs the semantic model: run scripts/fetch-model or pass --model");
    };
    let mut all: Vec<FactCheckId> = catalog.canonical().map(|f| f.id).collect();
    all.sort_unstable();
    let judged: Vec<JudgedQuery> = judged
        .iter()
        .zip(vectors)
        .map(|(q, vector)| {
            let relevant = &qrels[&q.id];
            let mut ids: Vec<FactCheckId> = all
                .iter()
                .copied()
                .filter(|&fc| {
                    relevant.contains(&catalog.source_id(fc))
                        || catalog
                            .alias_source_ids(fc)
                            .iter()
                            .any(|a| relevant.contains(*a))
                })
                .collect();
            ids.sort_unstable();
            JudgedQuery {
                text: q.text.clone(),
                vector,
                relevant: ids,
            }
        })
        .collect();
    let unanswerable = judged.iter().filter(|q| q.relevant.is_empty()).count();
    let reports = absence::evaluate(matcher, &judged, &all, sizes, seed)?;
    Ok(format!(
        "\nconfident top matches with the answer present and absent ({} fact-checks, seed {seed}; {unanswerable} queries whose answer the desk does not hold count only without it):\n{}",
        all.len(),
        absence::table(&reports)
    ))
}
