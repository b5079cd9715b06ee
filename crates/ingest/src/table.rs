//! CSV and TSV with a header row. Quoted fields may hold delimiters, tabs and newlines (the
//! CLEF claim file has them). Columns are found by header name, so their order is free.

use claimdesk_core::{FactCheck, Item, Rating};
use csv::{ByteRecord, ReaderBuilder};

use crate::{MAX_RECORD_BYTES, Parsed, Record, diag, hashed_id, utf8_message};

/// The header names each field answers to (lowercase; `""` is an unnamed first column, as
/// in the CLEF files, and means the id).
const ID: &[&str] = &[
    "id",
    "source_id",
    "vclaim_id",
    "tweet_id",
    "external_id",
    "",
];
const CLAIM: &[&str] = &["claim", "claim_reviewed", "vclaim", "statement"];
const HEADLINE: &[&str] = &["headline", "title"];
const RATING_LABEL: &[&str] = &[
    "rating",
    "verdict",
    "alternate_name",
    "rating_label",
    "textual_rating",
];
const RATING_VALUE: &[&str] = &["rating_value"];
const BEST: &[&str] = &["best_rating"];
const WORST: &[&str] = &["worst_rating"];
const URL: &[&str] = &["url", "link", "review_url"];
const AUTHOR: &[&str] = &["author", "publisher"];
const DATE: &[&str] = &["date_published", "date", "published_at"];
const LANGUAGE: &[&str] = &["language", "in_language", "lang"];
const CLAIM_AUTHOR: &[&str] = &["claim_author", "claimant"];
const CLAIM_DATE: &[&str] = &["claim_date"];
const APPEARANCE: &[&str] = &["appearance", "appearances"];
const SUMMARY: &[&str] = &["summary", "review_body"];
const EVIDENCE: &[&str] = &["evidence", "citation", "citations"];
const TEXT: &[&str] = &["text", "content", "body", "tweet_content"];
const SOURCE: &[&str] = &["source"];

struct Table {
    /// The header names as written (for diagnostics).
    header: Vec<String>,
    /// The same, as [`header_key`]s.
    keys: Vec<String>,
}

/// A header name as it is compared: lowercase letters and digits only, so `Claim Reviewed`,
/// `claimReviewed` and `claim_reviewed` are one name.
fn header_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Table {
    fn new(header: Vec<String>) -> Table {
        Table {
            keys: header.iter().map(|h| header_key(h)).collect(),
            header,
        }
    }

    fn col(&self, names: &[&str]) -> Option<usize> {
        // The unnamed column only counts as the id when it is the first.
        names.iter().find_map(|n| {
            let n = header_key(n);
            self.keys
                .iter()
                .position(|h| *h == n)
                .filter(|&i| !n.is_empty() || i == 0)
        })
    }
}

/// Reads rows; each good row (right width, valid UTF-8, size within limits) goes to `row`,
/// which returns the record or the field at fault and why.
fn read<T>(
    file: &str,
    bytes: &[u8],
    delimiter: u8,
    format: &'static str,
    fixed_header: Option<&[&str]>,
    mut row: impl FnMut(&Table, &[&str]) -> Result<T, (String, String)>,
) -> Parsed<T> {
    let mut parsed = Parsed::new(format);
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ByteRecord::new();
    let mut table: Option<Table> = None;
    loop {
        let line = reader.position().line();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                parsed
                    .diagnostics
                    .push(diag(file, line, None, format!("unreadable row: {e}")));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        let Some(t) = &table else {
            let header = match fixed_header {
                Some(names) => names.iter().map(|s| s.to_string()).collect(),
                None => record
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
                    .collect(),
            };
            table = Some(Table::new(header));
            continue;
        };
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue; // blank line
        }
        if record.as_slice().len() > MAX_RECORD_BYTES {
            parsed.diagnostics.push(diag(
                file,
                line,
                None,
                format!(
                    "row is {} bytes, over the {} byte limit (an unclosed quote?)",
                    record.as_slice().len(),
                    MAX_RECORD_BYTES
                ),
            ));
            continue;
        }
        if record.len() != t.header.len() {
            parsed.diagnostics.push(diag(
                file,
                line,
                None,
                format!(
                    "expected {} fields as in the header, found {}",
                    t.header.len(),
                    record.len()
                ),
            ));
            continue;
        }
        let mut fields = Vec::with_capacity(record.len());
        let mut bad = None;
        for (i, f) in record.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) if s.contains('\0') => {
                    bad = Some((
                        i,
                        "contains a NUL byte (binary data or a broken export)".to_string(),
                    ));
                    break;
                }
                Ok(s) => fields.push(s),
                Err(e) => {
                    bad = Some((i, utf8_message(e)));
                    break;
                }
            }
        }
        if let Some((i, message)) = bad {
            let name = field_name(t, i);
            parsed
                .diagnostics
                .push(diag(file, line, Some(&name), message));
            continue;
        }
        match row(t, &fields) {
            Ok(v) => parsed.records.push(Record { line, value: v }),
            Err((field, message)) => {
                parsed
                    .diagnostics
                    .push(diag(file, line, Some(&field), message))
            }
        }
    }
    if table.is_none() && !bytes.iter().all(u8::is_ascii_whitespace) {
        parsed
            .diagnostics
            .push(diag(file, 1, None, "no header row"));
    }
    parsed
}

fn field_name(t: &Table, i: usize) -> String {
    match t.header.get(i).map(String::as_str) {
        Some("") | None => format!("column {}", i + 1),
        Some(h) => h.to_string(),
    }
}

fn get(t: &Table, fields: &[&str], names: &[&str]) -> Option<String> {
    t.col(names)
        .and_then(|i| fields.get(i))
        .map(|s| restore_formula(s.trim()))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// What a spreadsheet reads a cell starting with as a formula: the characters
/// `claimdesk_publish::neutralize_formula` puts a `'` before in a CSV export.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell as it was before an export neutralized it (OWASP's leading `'` before a formula
/// character, `claimdesk_publish::neutralize_formula`): one leading `'` less on a cell that
/// starts with quotes before a formula character; any other cell as it is.
fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS) => rest,
        _ => cell,
    }
}

fn number(t: &Table, fields: &[&str], names: &[&str]) -> Result<Option<f64>, (String, String)> {
    match get(t, fields, names) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            let name = field_name(t, t.col(names).unwrap_or(0));
            (name, format!("expected a number, found \"{s}\""))
        }),
    }
}

/// Fact-checks from CSV/TSV. With `clef`, the columns are `vclaim_id, vclaim, title`
/// whatever the header says.
pub(crate) fn fact_checks(
    file: &str,
    bytes: &[u8],
    delimiter: u8,
    clef: bool,
) -> Parsed<FactCheck> {
    let format = match (clef, delimiter) {
        (true, _) => "clef",
        (false, b'\t') => "tsv",
        _ => "csv",
    };
    let fixed = clef.then_some(&["vclaim_id", "vclaim", "title"][..]);
    let mut parsed = read(file, bytes, delimiter, format, fixed, |t, f| {
        let claim = required(t, f, CLAIM, "claim", "fact-check")?;
        let url = get(t, f, URL);
        let source_id = get(t, f, ID)
            .or_else(|| url.clone())
            .unwrap_or_else(|| hashed_id(claim));
        let rating = Rating {
            value: number(t, f, RATING_VALUE)?,
            best: number(t, f, BEST)?,
            worst: number(t, f, WORST)?,
            label: get(t, f, RATING_LABEL),
        };
        Ok(FactCheck {
            source_id,
            claim: claim.to_string(),
            headline: get(t, f, HEADLINE),
            rating: (!rating.is_empty()).then_some(rating),
            claim_author: get(t, f, CLAIM_AUTHOR),
            claim_date: get(t, f, CLAIM_DATE),
            appearances: get(t, f, APPEARANCE)
                .map(|a| a.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            author: get(t, f, AUTHOR),
            date_published: get(t, f, DATE),
            url,
            language: get(t, f, LANGUAGE),
            review_body: get(t, f, SUMMARY),
            citations: get(t, f, EVIDENCE)
                .map(|e| e.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        })
    });
    header_problem_once(&mut parsed);
    parsed
}

/// Items from CSV/TSV: `text` is required; `id`, `url`, `published_at`, `source`,
/// `language` are optional.
pub(crate) fn items(file: &str, bytes: &[u8], delimiter: u8) -> Parsed<Item> {
    let format = if delimiter == b'\t' { "tsv" } else { "csv" };
    let mut parsed = read(file, bytes, delimiter, format, None, |t, f| {
        let text = required(t, f, TEXT, "text", "item")?;
        Ok(Item {
            external_id: get(t, f, ID),
            text: text.to_string(),
            url: get(t, f, URL),
            published_at: get(t, f, DATE),
            source: get(t, f, SOURCE),
            language: get(t, f, LANGUAGE),
        })
    });
    header_problem_once(&mut parsed);
    parsed
}

/// Marks a diagnostic that concerns the header, not the row.
const HEADER: &str = "(header)";

/// The trimmed, non-empty value of a required column (`what`, e.g. "claim"), or why not.
fn required<'f>(
    t: &Table,
    fields: &[&'f str],
    names: &[&str],
    what: &str,
    record: &str,
) -> Result<&'f str, (String, String)> {
    let col = t.col(names).ok_or_else(|| {
        (
            HEADER.to_string(),
            format!("no {what} column: name one of {}", names.join(", ")),
        )
    })?;
    let value = restore_formula(fields[col].trim());
    if value.is_empty() {
        return Err((
            field_name(t, col),
            format!("empty: every {record} needs its {what}"),
        ));
    }
    Ok(value)
}

/// A missing column is a problem of the file, not of each row: say it once, on line 1.
fn header_problem_once<T>(parsed: &mut Parsed<T>) {
    let mut seen = false;
    parsed.diagnostics.retain_mut(|d| {
        if d.field.as_deref() != Some(HEADER) {
            return true;
        }
        d.line = 1;
        d.field = None;
        let first = !seen;
        seen = true;
        first
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clef_layout_with_quotes_tabs_and_newlines() {
        let tsv = "\tvclaim\ttitle\n0\t\"A \"\"quoted\"\"\tclaim\nover lines\"\tT0\n1\tplain\tT1\n";
        let p = fact_checks("c.tsv", tsv.as_bytes(), b'\t', true);
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].value.claim, "A \"quoted\"\tclaim\nover lines");
        assert_eq!(p.records[1].value.source_id, "1");
        assert_eq!(p.records[1].line, 4);
    }

    #[test]
    fn wrong_width_rows_are_rejected_with_their_line() {
        let csv = "id,claim,title\n1,a,b\n2,c\n3,d,e\n";
        let p = fact_checks("c.csv", csv.as_bytes(), b',', false);
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.diagnostics[0].line, 3);
        assert!(p.diagnostics[0].message.contains("expected 3 fields"));
    }

    #[test]
    fn invalid_utf8_names_the_field() {
        let mut bytes = b"id,claim\n1,ok\n2,caf".to_vec();
        bytes.push(0xE9); // Latin-1 é
        bytes.extend_from_slice(b"\n3,fine\n");
        let p = fact_checks("l1.csv", &bytes, b',', false);
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.diagnostics[0].field.as_deref(), Some("claim"));
        assert_eq!(p.diagnostics[0].line, 3);
    }

    #[test]
    fn missing_claim_column_is_said_once() {
        let p = fact_checks("x.csv", b"id,text\n1,a\n2,b\n", b',', false);
        assert!(p.records.is_empty());
        assert_eq!(p.diagnostics.len(), 1);
        assert!(p.diagnostics[0].message.contains("no claim column"));
    }
}
