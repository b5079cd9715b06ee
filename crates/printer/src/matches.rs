//! Ranked fact-checks with the why of each, and what `claimdesk eval` measured.

use std::fmt::Write as _;

use claimdesk_engine::Catalog;
use claimdesk_engine::evaluation::Evaluation;
use claimdesk_engine::matching::verify::{Signal, Strength};
use claimdesk_engine::matching::{Match, MatchField};
use serde_json::json;

/// The matches as a JSON array, ranked from 1 (see [`match_json`]).
pub fn matches_json(matches: &[Match], catalog: &Catalog) -> serde_json::Value {
    let ranked = matches.iter().enumerate();
    ranked.map(|(i, m)| match_json(i + 1, m, catalog)).collect()
}

/// One match as JSON: rank, the fact-check's ids, claim, rating and link, and the
/// explanation as stored.
pub fn match_json(rank: usize, m: &Match, catalog: &Catalog) -> serde_json::Value {
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

/// The matches as an editor reads them: claim, rating, ids, and why, with `signal` putting
/// each signal in words (the desk's message catalog).
pub fn matches(matches: &[Match], catalog: &Catalog, signal: &dyn Fn(Signal) -> String) -> String {
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
        let e = &m.explanation;
        let strength = e.strength.map(|s| format!(" {}", s.as_str()));
        let shown = e.probability.unwrap_or(m.score);
        let _ = writeln!(
            out,
            "{}. [{shown:.2}{}] {}",
            i + 1,
            strength.unwrap_or_default(),
            fc.claim
        );
        if let Some(h) = &fc.headline {
            let _ = writeln!(out, "   headline: {h}");
        }
        let _ = write!(out, "   id: {}", fc.source_id);
        if let Some(label) = fc.rating.as_ref().and_then(|r| r.label.as_ref()) {
            let _ = write!(out, "  verdict: {label}");
        }
        if let Some(url) = fc.url.as_ref().filter(|u| **u != fc.source_id) {
            let _ = write!(out, "  {url}");
        }
        out.push('\n');
        let aliases = catalog.alias_source_ids(m.fact_check);
        if !aliases.is_empty() {
            let _ = writeln!(out, "   same text as: {}", aliases.join(", "));
        }
        let _ = writeln!(out, "   why: {}", why(m));
        if !e.features.is_empty() {
            let effects: Vec<String> = e
                .features
                .iter()
                .map(|f| format!("{} {:.2} ({:+.2})", f.name, f.value, f.effect))
                .collect();
            let _ = writeln!(out, "   reranker: {}", effects.join(", "));
        }
        if !e.signals.is_empty() {
            let words: Vec<String> = e.signals.iter().map(|s| signal(*s)).collect();
            let _ = writeln!(out, "   in short: {}", words.join("; "));
        }
        if e.confident {
            out.push_str("   confident match: above the calibrated threshold, safe to link\n");
        }
    }
    out
}

/// The retrievers' evidence for one match, on one line.
fn why(m: &Match) -> String {
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
        .map(|t| format!("{} in {} ({:.2})", t.term, field(t.field), t.score))
        .collect();
    if !terms.is_empty() {
        let _ = write!(why, "; terms: {}", terms.join(", "));
    }
    why
}

/// Where in a fact-check a term was found, in words.
fn field(f: MatchField) -> &'static str {
    match f {
        MatchField::ClaimExact => "claim",
        MatchField::HeadlineExact => "headline",
        MatchField::ClaimFolded => "claim, accents ignored",
        MatchField::HeadlineFolded => "headline, accents ignored",
        MatchField::Bigrams => "word pairs",
    }
}

/// `claimdesk eval`'s table: MAP, MRR and recall at `k`, the confident matches, latency.
pub fn evaluation(e: &Evaluation, k: usize, retrievers: &[String]) -> String {
    let (s, c) = (&e.scores, &e.confident);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "queries      {} judged ({} without judgments skipped)",
        s.queries, e.unjudged
    );
    let _ = writeln!(out, "retrievers   {}", retrievers.join(", "));
    let _ = writeln!(out, "MAP@{k}        {:.4}", s.map);
    let _ = writeln!(out, "MRR@{k}        {:.4}", s.mrr);
    let _ = writeln!(out, "Recall@{k}     {:.4}", s.recall);
    let _ = writeln!(out, "Recall@1     {:.4}", e.recall_1);
    if c.count > 0 {
        let _ = writeln!(
            out,
            "confident    {} of {} top matches, precision {:.3}, recall {:.3}",
            c.count, c.queries, c.precision, c.recall
        );
    }
    let _ = writeln!(
        out,
        "latency      p50 {:.3} ms, p99 {:.3} ms",
        e.latency_ms_p50, e.latency_ms_p99
    );
    let _ = writeln!(
        out,
        "throughput   {:.0} queries/s (1 thread)",
        e.queries_per_second
    );
    out
}

/// The speed line of `match --queries`: the retrievers used, `queries` ranked in `seconds`
/// on one thread.
pub fn speed(retrievers: &[String], queries: usize, seconds: f64) -> String {
    format!(
        "retrievers: {}\nqueries={queries} seconds={seconds:.3} qps={:.1} threads=1\n",
        retrievers.join(", "),
        queries as f64 / seconds.max(1e-9)
    )
}
