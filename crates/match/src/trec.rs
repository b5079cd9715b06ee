//! TREC file formats: run files (`qid Q0 docid rank score tag`) and qrels
//! (`qid 0 docid relevance`), parsed from text with line-numbered errors.

use std::fmt::Write as _;

use crate::metrics::Qrels;

/// One line of a run file.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLine<'a> {
    /// Query id.
    pub qid: &'a str,
    /// Document id (the fact-check's source id).
    pub docid: &'a str,
    /// One-based rank.
    pub rank: usize,
    /// Score, higher is better.
    pub score: f32,
}

/// Appends run lines to `out`, tagging them with `tag`. Scores are written with 4 decimals,
/// so equal rankings give byte-identical files.
pub fn write_run_lines<'a>(
    out: &mut String,
    lines: impl IntoIterator<Item = RunLine<'a>>,
    tag: &str,
) {
    for l in lines {
        let _ = writeln!(
            out,
            "{} Q0 {} {} {:.4} {}",
            l.qid, l.docid, l.rank, l.score, tag
        );
    }
}

/// A problem in a qrels file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct QrelsError {
    /// One-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// Parses TREC qrels (whitespace separated `qid iter docid relevance`); relevance > 0 counts.
pub fn parse_qrels(text: &str) -> Result<Qrels, QrelsError> {
    let mut qrels = Qrels::new();
    for (i, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() {
            continue;
        }
        let err = |message: String| QrelsError {
            line: i + 1,
            message,
        };
        if cols.len() != 4 {
            return Err(err(format!(
                "expected 4 columns (qid iter docid relevance), found {}",
                cols.len()
            )));
        }
        let rel: i64 = cols[3]
            .parse()
            .map_err(|_| err(format!("relevance `{}` is not an integer", cols[3])))?;
        let entry = qrels.entry(cols[0].to_string()).or_default();
        if rel > 0 {
            entry.insert(cols[2].to_string());
        }
    }
    Ok(qrels)
}
