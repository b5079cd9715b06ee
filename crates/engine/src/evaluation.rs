//! Measuring the ranker on query files: ranking every query of a file (`claimdesk match
//! --queries`, TREC run files), and the measures of `claimdesk eval` (MAP, MRR, recall,
//! confident matches, latency), with the answer present and absent (`eval --absent`).
//!
//! Layer 4: imports `catalog`, `progress` and `error`.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use claimdesk_core::FactCheckId;
use claimdesk_ingest::{ItemFormat, parse_items};
use claimdesk_match::Match;
use claimdesk_match::absence::{self, JudgedQuery};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_match::metrics::{Qrels, Run, Scores, evaluate as score_run, quantile};
use claimdesk_match::trec::{RunLine, write_run_lines};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::progress::Progress;

/// One query of a query file.
#[derive(Debug, Clone)]
pub struct Query {
    /// Its id (`line<N>` when the file gives none).
    pub id: String,
    /// The text to match.
    pub text: String,
}

/// Reads a query file (TSV/CSV with a header `id, text`, or JSON Lines): every problem in
/// it is an error naming the first one, file and line.
pub fn read_queries(path: &Path) -> Result<Vec<Query>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let parsed = parse_items(&path.display().to_string(), &bytes, ItemFormat::Auto);
    if let Some(d) = parsed.diagnostics.first() {
        return Err(Error::Usage(format!(
            "{d} ({} problems in all; fix the query file)",
            parsed.diagnostics.len()
        )));
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

/// Reads TREC qrels (`qid iter docid relevance`); a malformed line is an error naming the
/// file and the line.
pub fn read_qrels(path: &Path) -> Result<Qrels> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    claimdesk_match::trec::parse_qrels(&text)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))
}

/// The ranked source ids of `matches`: each canonical fact-check followed by its aliases
/// (same score), at most `top` in all.
pub fn ranked_ids(matches: &[Match], catalog: &Catalog, top: usize) -> Vec<(String, f32)> {
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

/// Every query of a file ranked once, single-threaded and timed.
#[derive(Debug, Clone, Default)]
pub struct Ranked {
    /// Ranked (source id, score) lists, one per query.
    pub rankings: Vec<Vec<(String, f32)>>,
    /// Whether each query's top match is confident.
    pub confident: Vec<bool>,
    /// Each query's latency in milliseconds.
    pub latencies_ms: Vec<f64>,
    /// The whole pass, in seconds.
    pub seconds: f64,
}

/// Ranks every query (top `top`), reporting progress as the stage "ranking".
pub fn rank_all(
    matcher: &HybridMatcher,
    queries: &[Query],
    catalog: &Catalog,
    top: usize,
    progress: &dyn Progress,
) -> Result<Ranked> {
    progress.begin("ranking", queries.len() as u64);
    let mut out = Ranked::default();
    let started = Instant::now();
    for q in queries {
        let t = Instant::now();
        let matches = matcher.rank(&q.text, top, false)?;
        out.latencies_ms.push(t.elapsed().as_secs_f64() * 1e3);
        out.confident
            .push(matches.first().is_some_and(|m| m.explanation.confident));
        out.rankings.push(ranked_ids(&matches, catalog, top));
        progress.advance(1);
    }
    out.seconds = started.elapsed().as_secs_f64();
    progress.end();
    Ok(out)
}

/// A TREC run file and the ids it had to write differently from how they were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFile {
    /// The file: `qid Q0 docid rank score claimdesk` lines.
    pub text: String,
    /// `(id, as written)` for every id percent-encoded ([`claimdesk_match::trec::run_id`]).
    pub encoded: Vec<(String, String)>,
}

impl RunFile {
    /// What a reader of the file must know, one line (empty when every id was written as
    /// given): qrels must spell the encoded ids the same way.
    pub fn note(&self) -> String {
        match self.encoded.first() {
            None => String::new(),
            Some((id, written)) => format!(
                "note: {} id(s) held white space or control characters or were empty and are \
                 written percent-encoded in the run file (e.g. {id:?} as `{written}`); spell \
                 them so in qrels\n",
                self.encoded.len()
            ),
        }
    }
}

/// The TREC run file (`qid Q0 docid rank score claimdesk`) of `rankings`. Ids that cannot be
/// a run file's column as given are percent-encoded and listed; two ids that would be
/// written alike are refused ([`Error::Usage`]), since no reader could tell them apart.
pub fn run_file(queries: &[Query], rankings: &[Vec<(String, f32)>]) -> Result<RunFile> {
    let mut out = String::new();
    let mut encoded = Vec::new();
    let qids = queries.iter().map(|q| q.id.as_str());
    let docids = rankings.iter().flatten().map(|(d, _)| d.as_str());
    check_column(qids, &mut encoded)?;
    check_column(docids, &mut encoded)?;
    for (q, ranked) in queries.iter().zip(rankings) {
        let lines = ranked.iter().enumerate().map(|(i, (doc, score))| RunLine {
            qid: &q.id,
            docid: doc,
            rank: i + 1,
            score: *score,
        });
        write_run_lines(&mut out, lines, "claimdesk");
    }
    Ok(RunFile { text: out, encoded })
}

/// Checks that the ids of one run file column stay apart once written, and lists those
/// written differently.
fn check_column<'a>(
    ids: impl Iterator<Item = &'a str>,
    encoded: &mut Vec<(String, String)>,
) -> Result<()> {
    let mut written: std::collections::HashMap<String, &str> = Default::default();
    for id in ids {
        let column = claimdesk_match::trec::run_id(id);
        match written.get(column.as_ref()) {
            Some(other) if *other != id => {
                return Err(Error::Usage(format!(
                    "ids {other:?} and {id:?} would both be written as `{column}` in the run \
                     file; rename one of them"
                )));
            }
            Some(_) => {}
            None => {
                if column != id {
                    encoded.push((id.to_string(), column.to_string()));
                }
                written.insert(column.into_owned(), id);
            }
        }
    }
    Ok(())
}

/// The confident top matches of the judged queries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Confident {
    /// Confident top matches.
    pub count: usize,
    /// Judged queries.
    pub queries: usize,
    /// Share of the confident top matches that are right.
    pub precision: f64,
    /// Share of the judged queries with a right confident top match.
    pub recall: f64,
}

/// What `claimdesk eval` measures.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// MAP, MRR and recall at k over the judged queries.
    #[serde(flatten)]
    pub scores: Scores,
    /// Queries of the file without judgments (skipped).
    #[serde(skip)]
    pub unjudged: usize,
    /// Recall at 1.
    pub recall_1: f64,
    /// The confident top matches.
    pub confident: Confident,
    /// Median latency per query, ms.
    pub latency_ms_p50: f64,
    /// 99th percentile latency per query, ms.
    pub latency_ms_p99: f64,
    /// Queries per second, one thread.
    pub queries_per_second: f64,
}

/// `e` as `claimdesk eval --json` prints it: the measures with how they were made (one
/// thread, the retrievers, the ranking and the match settings in force).
pub fn json_report(
    e: &Evaluation,
    matcher: &HybridMatcher,
    settings: &crate::config::Config,
) -> Result<serde_json::Value> {
    let mut v = serde_json::to_value(e).map_err(|e| Error::Internal(e.to_string()))?;
    v["threads"] = serde_json::json!(1);
    v["retrievers"] = serde_json::json!(matcher.retrievers());
    v["ranking"] = serde_json::json!(matcher.ranking());
    v["settings"] = serde_json::json!(settings.match_settings());
    Ok(v)
}

/// Measures `ranked` (the queries ranked at least `k` deep) against `qrels` at cutoff `k`.
pub fn evaluate(queries: &[Query], ranked: &Ranked, qrels: &Qrels, k: usize) -> Evaluation {
    let judged: HashSet<&String> = qrels.keys().collect();
    let unjudged = queries.iter().filter(|q| !judged.contains(&q.id)).count();
    let run: Run = queries
        .iter()
        .zip(&ranked.rankings)
        .map(|(q, r)| (q.id.clone(), r.iter().map(|(d, _)| d.clone()).collect()))
        .collect();
    let (mut sure, mut sure_right, mut judged_queries) = (0usize, 0usize, 0usize);
    for ((q, r), c) in queries.iter().zip(&ranked.rankings).zip(&ranked.confident) {
        let Some(relevant) = qrels.get(&q.id) else {
            continue;
        };
        judged_queries += 1;
        if *c {
            sure += 1;
            sure_right += usize::from(r.first().is_some_and(|(d, _)| relevant.contains(d)));
        }
    }
    let mut latencies = ranked.latencies_ms.clone();
    latencies.sort_by(f64::total_cmp);
    Evaluation {
        scores: score_run(&run, qrels, k),
        unjudged,
        recall_1: score_run(&run, qrels, 1).recall,
        confident: Confident {
            count: sure,
            queries: judged_queries,
            precision: if sure > 0 {
                sure_right as f64 / sure as f64
            } else {
                0.0
            },
            recall: sure_right as f64 / judged_queries.max(1) as f64,
        },
        latency_ms_p50: quantile(&latencies, 0.5),
        latency_ms_p99: quantile(&latencies, 0.99),
        queries_per_second: queries.len() as f64 / ranked.seconds.max(1e-9),
    }
}

/// `eval --absent`: the confident top matches of the judged queries against the whole desk
/// and desks of `sizes` sampled per query (seed `seed`), each with and without the query's
/// answer, as a table; with `curve` thresholds (`eval --curve`), also the recall and
/// false-alarm rate each of them would give.
pub fn absent_table(
    matcher: &HybridMatcher,
    catalog: &Catalog,
    queries: &[Query],
    qrels: &Qrels,
    sizes: &[usize],
    seed: u64,
    curve: &[f32],
) -> Result<String> {
    let judged: Vec<&Query> = queries
        .iter()
        .filter(|q| qrels.contains_key(&q.id))
        .collect();
    let texts: Vec<&str> = judged.iter().map(|q| q.text.as_str()).collect();
    let Some(vectors) = matcher.embed_queries(&texts)? else {
        return Err(Error::Usage(
            "--absent needs the semantic model: run scripts/fetch-model or pass --model".into(),
        ));
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
    let mut out = format!(
        "\nconfident top matches with the answer present and absent ({} fact-checks, seed {seed}; {unanswerable} queries whose answer the desk does not hold count only without it):\n{}",
        all.len(),
        absence::table(&reports)
    );
    if !curve.is_empty() {
        out.push_str("\nat other confident thresholds (recall with the answer, precision in brackets; false alarms without it):\n");
        out.push_str(&absence::curve(&reports, curve));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queries(ids: &[&str]) -> Vec<Query> {
        ids.iter()
            .map(|id| Query {
                id: id.to_string(),
                text: String::new(),
            })
            .collect()
    }

    #[test]
    fn encoded_ids_are_listed_and_said_once() {
        let q = queries(&["q 1", "plain"]);
        let ranked = vec![
            vec![("doc\tA".to_string(), 1.0)],
            vec![("d".to_string(), 0.5)],
        ];
        let run = run_file(&q, &ranked).unwrap();
        assert_eq!(
            run.text,
            "q%201 Q0 doc%09A 1 1.0000 claimdesk\nplain Q0 d 1 0.5000 claimdesk\n"
        );
        assert_eq!(
            run.encoded,
            [
                ("q 1".to_string(), "q%201".to_string()),
                ("doc\tA".to_string(), "doc%09A".to_string())
            ]
        );
        assert!(run.note().contains("2 id(s)"), "{}", run.note());
        let plain = run_file(&queries(&["a"]), &[vec![]]).unwrap();
        assert_eq!(plain.note(), "");
    }

    /// Issue 17: `a%20b` as given and `a b` encoded were written alike, and so were an
    /// empty id and `-`; a reader could not tell them apart.
    #[test]
    fn ids_written_alike_are_refused() {
        for ids in [["a%20b", "a b"], ["", "-"]] {
            let ranked = vec![vec![], vec![]];
            let e = run_file(&queries(&ids), &ranked).unwrap_err().to_string();
            assert!(e.contains("would both be written as"), "{e}");
        }
        // The same id in two columns is no clash.
        let ranked = vec![vec![("a b".to_string(), 1.0)], vec![]];
        assert!(run_file(&queries(&["a%20b", "x"]), &ranked).is_ok());
    }
}
