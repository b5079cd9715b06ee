//! Labelled texts for training and measuring the check-worthiness detector: a TSV with a
//! header line, either `id<TAB>text` or the CLEF 2020 Task 1 layout (columns found by
//! name: `tweet_id`, `tweet_text`, and the 0/1 label column).
//!
//! Unlike the import parsers, a training file is all or nothing: the first bad row is the
//! error (a model trained on the rows that happened to parse would be measured on
//! something else than the file the user named).

use claimdesk_core::Diagnostic;

use crate::{diag, strip_bom, utf8_message};

/// Where the id and text columns of the file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// First column the id, second the text.
    IdText,
    /// The CLEF 2020 Task 1 layout, columns found by name: `tweet_id`, `tweet_text`.
    Clef,
}

/// One row of a labelled file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    /// The row's id.
    pub id: String,
    /// The text.
    pub text: String,
    /// The 0/1 label, when a label column was asked for.
    pub label: Option<bool>,
}

/// Reads `bytes` (from `file`, named in errors) in `layout`, with the 0/1 labels of column
/// `label` when given. The first malformed row is the error, naming file, line and column.
pub fn parse_labelled(
    file: &str,
    bytes: &[u8],
    layout: Layout,
    label: Option<&str>,
) -> Result<Vec<LabelledText>, Diagnostic> {
    let bytes = strip_bom(bytes);
    if bytes.is_empty() {
        return Err(diag(file, 0, None, "empty file, expected a header line"));
    }
    let mut lines = bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| {
        let n = i as u64 + 1;
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        std::str::from_utf8(l)
            .map(|s| (n, s))
            .map_err(|e| diag(file, n, None, utf8_message(e)))
    });
    let (_, header) = lines.next().expect("split yields at least one line")?;
    if header.trim().is_empty() {
        return Err(diag(
            file,
            1,
            None,
            "expected a header line (id<TAB>text), found an empty line",
        ));
    }
    let names: Vec<&str> = header.split('\t').map(str::trim).collect();
    let column = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            diag(
                file,
                1,
                Some(name),
                format!("no such column in the header ({})", names.join(", ")),
            )
        })
    };
    let (id_col, text_col) = match layout {
        Layout::IdText => (0, 1),
        Layout::Clef => (column("tweet_id")?, column("tweet_text")?),
    };
    let label_col = label.map(column).transpose()?;
    let needed = id_col.max(text_col).max(label_col.unwrap_or(0)) + 1;
    let mut rows = Vec::new();
    for line in lines {
        let (n, line) = line?;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < needed {
            return Err(diag(
                file,
                n,
                None,
                format!(
                    "expected at least {needed} tab-separated columns, found {}",
                    fields.len()
                ),
            ));
        }
        let id = fields[id_col].trim();
        if id.is_empty() {
            return Err(diag(file, n, Some(names[id_col]), "empty id"));
        }
        let label = match label_col {
            None => None,
            Some(c) => Some(match fields[c].trim() {
                "1" => true,
                "0" => false,
                other => {
                    return Err(diag(
                        file,
                        n,
                        Some(names[c]),
                        format!("must be 0 or 1, found `{other}`"),
                    ));
                }
            }),
        };
        rows.push(LabelledText {
            id: id.to_owned(),
            text: fields[text_col].to_owned(),
            label,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLEF: &str = "topic_id\ttweet_id\ttweet_url\ttweet_text\tclaim\tcheck_worthiness\n\
        1\t10\tu\tVaccines cause 5G\t1\t1\n\
        1\t11\tu\tGood morning\t0\t0\n";

    #[test]
    fn reads_the_clef_layout_by_column_name() {
        let rows = parse_labelled(
            "t.tsv",
            CLEF.as_bytes(),
            Layout::Clef,
            Some("check_worthiness"),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "10");
        assert_eq!(rows[0].text, "Vaccines cause 5G");
        assert_eq!(rows[0].label, Some(true));
        assert_eq!(rows[1].label, Some(false));
    }

    #[test]
    fn reads_id_and_text_without_labels() {
        let rows = parse_labelled(
            "t.tsv",
            b"id\ttext\r\na\tone\r\n\r\nb\ttwo",
            Layout::IdText,
            None,
        )
        .unwrap();
        let ids: Vec<_> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.text.as_str()))
            .collect();
        assert_eq!(ids, [("a", "one"), ("b", "two")]);
        assert!(rows.iter().all(|r| r.label.is_none()));
    }

    #[test]
    fn a_bad_label_names_the_line_and_column() {
        let bad = CLEF.replace("Good morning\t0\t0", "Good morning\t0\tyes");
        let err = parse_labelled(
            "t.tsv",
            bad.as_bytes(),
            Layout::Clef,
            Some("check_worthiness"),
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.field.as_deref(), Some("check_worthiness"));
        assert!(err.message.contains("`yes`"), "{err}");
    }

    #[test]
    fn a_missing_column_short_rows_and_empty_files_are_refused() {
        let err = parse_labelled("t.tsv", b"id\ttext\n", Layout::Clef, None).unwrap_err();
        assert_eq!((err.line, err.field.as_deref()), (1, Some("tweet_id")));
        let err =
            parse_labelled("t.tsv", b"id\ttext\nonly-id\n", Layout::IdText, None).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("found 1"), "{err}");
        assert!(parse_labelled("t.tsv", b"", Layout::IdText, None).is_err());
        assert!(parse_labelled("t.tsv", b"\n", Layout::IdText, None).is_err());
        let err =
            parse_labelled("t.tsv", b"id\ttext\n\xff\tx\n", Layout::IdText, None).unwrap_err();
        assert_eq!(err.line, 2);
    }
}
