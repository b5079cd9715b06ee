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
///
/// Ids (and the tag) are written by [`run_id`]: a run file's columns are separated by white
/// space, so an id holding a space, a tab or a line break would shift the columns and break
/// every reader (`pytrec_eval`, `ir_measures`, `trec_eval`); such characters are written
/// percent-encoded.
pub fn write_run_lines<'a>(
    out: &mut String,
    lines: impl IntoIterator<Item = RunLine<'a>>,
    tag: &str,
) {
    let tag = run_id(tag);
    for l in lines {
        let _ = writeln!(
            out,
            "{} Q0 {} {} {:.4} {}",
            run_id(l.qid),
            run_id(l.docid),
            l.rank,
            l.score,
            tag
        );
    }
}

/// An id as a run file column: every white-space or control character is written as `%XX`
/// (its UTF-8 bytes in upper-case hex: a space is `%20`, a tab `%09`, a no-break space
/// `%C2%A0`), everything else as it is; an empty id, which would leave a column out, is
/// written as `-`. Ids without such characters (CLEF's, URLs) are written unchanged, so
/// their qrels still match; a qrels file for ids with spaces must spell them the same way.
pub fn run_id(id: &str) -> std::borrow::Cow<'_, str> {
    if id.is_empty() {
        return std::borrow::Cow::Borrowed("-");
    }
    if !id.chars().any(needs_encoding) {
        return std::borrow::Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 8);
    for c in id.chars() {
        if needs_encoding(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_encoding(c: char) -> bool {
    c.is_whitespace() || c.is_control()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, finding 5: ids with spaces or tabs were written raw, so the run file's
    /// columns shifted and `pytrec_eval` / `ir_measures` could not read it.
    #[test]
    fn ids_with_white_space_are_encoded_and_keep_six_columns() {
        let mut out = String::new();
        let lines = [
            RunLine {
                qid: "q 1",
                docid: "doc\tA",
                rank: 1,
                score: 2.5,
            },
            RunLine {
                qid: "câu\u{a0}hỏi\n",
                docid: "",
                rank: 2,
                score: 1.0,
            },
            RunLine {
                qid: "plain-id",
                docid: "https://factcheck.example/a?b=1",
                rank: 3,
                score: 0.5,
            },
        ];
        write_run_lines(&mut out, lines, "my run");
        let rows: Vec<&str> = out.lines().collect();
        assert_eq!(
            rows,
            [
                "q%201 Q0 doc%09A 1 2.5000 my%20run",
                "câu%C2%A0hỏi%0A Q0 - 2 1.0000 my%20run",
                "plain-id Q0 https://factcheck.example/a?b=1 3 0.5000 my%20run",
            ]
        );
        for row in rows {
            assert_eq!(row.split_whitespace().count(), 6, "{row}");
        }
    }

    #[test]
    fn ids_without_white_space_are_borrowed_unchanged() {
        assert!(matches!(
            run_id("CLEF-2020_17"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(run_id("50%"), "50%");
    }
}
