//! Streaming exports that `claimdesk import` reads back: CSV with the importer's column
//! names, and JSON Lines of ClaimReview objects.
//!
//! Each writer holds at most one row: a row is formatted into a reused buffer and handed to
//! the caller's writer whole, so an export of any size runs in constant memory. The caller's
//! writer is flushed by `finish`, not per row; give a file a `BufWriter`.

use std::borrow::Cow;
use std::io::{self, Write};

use claimdesk_core::StoredFactCheck;
use serde::Serialize;

use crate::Result;
use crate::claimreview::claim_review_object;

/// The CSV columns, named as `claimdesk import` reads them.
///
/// `id` is the fact-check's source id (not the store's row id, which means nothing in
/// another store); `rating` is the verdict label; `appearance` lists the claim's
/// appearances separated by spaces; `summary` is the verdict explained (`reviewBody`) and
/// `evidence` its sources (`citation`, URLs separated by spaces).
pub const CSV_HEADER: [&str; 16] = [
    "id",
    "claim",
    "headline",
    "rating",
    "rating_value",
    "best_rating",
    "worst_rating",
    "url",
    "author",
    "date_published",
    "language",
    "claim_author",
    "claim_date",
    "appearance",
    "summary",
    "evidence",
];

/// The byte order mark some spreadsheets (Excel) need to read a CSV file as UTF-8 rather
/// than in the system's legacy code page.
pub const UTF8_BOM: &str = "\u{FEFF}";

/// What a spreadsheet reads a cell starting with as a formula (OWASP, "CSV Injection").
pub const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a CSV export writes it: a value a spreadsheet would run as a formula gets a
/// leading `'`, as OWASP recommends, and so does a value that already starts with quotes
/// before such a character, so that [`restore_formula`] (which `claimdesk import` applies)
/// gives back exactly the value written. Other values are written as they are.
pub fn neutralize_formula(value: &str) -> Cow<'_, str> {
    if value.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value [`neutralize_formula`] was given: one leading `'` less on a cell that starts
/// with quotes before a formula character; any other cell unchanged.
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS) => rest,
        _ => cell,
    }
}

/// Passes bytes through and leaves flushing to [`CsvExport::finish`]: the CSV writer is
/// flushed after every row to hand the row on, and that must not flush a file per row.
/// With `bom`, the first bytes handed on are preceded by [`UTF8_BOM`].
struct RowSink<W> {
    w: W,
    bom: bool,
}

impl<W: Write> RowSink<W> {
    fn mark(&mut self) -> io::Result<()> {
        if self.bom {
            self.w.write_all(UTF8_BOM.as_bytes())?;
            self.bom = false;
        }
        Ok(())
    }
}

impl<W: Write> Write for RowSink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.mark()?;
        self.w.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.mark()?;
        self.w.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes fact-checks as CSV, one row per [`write`](CsvExport::write), under
/// [`CSV_HEADER`].
///
/// The header is written with the first row (or by `finish` when there are none). Fields
/// with commas, quotes or line breaks are quoted as RFC 4180 says. Text that a spreadsheet
/// would run as a formula is neutralized ([`neutralize_formula`]) and restored by the
/// importer; numbers are written as numbers. The importer trims fields, so space around a
/// value does not survive a round trip.
pub struct CsvExport<W: Write> {
    csv: csv::Writer<RowSink<W>>,
    header_written: bool,
    rows: u64,
    record: Vec<String>,
}

impl<W: Write> CsvExport<W> {
    /// An export into `w`.
    pub fn new(w: W) -> Self {
        CsvExport::starting(w, false)
    }

    /// An export into `w` that starts with [`UTF8_BOM`], for spreadsheets that need it to
    /// read UTF-8 (Excel opens a CSV without it in the system's legacy code page). Use
    /// [`CsvExport::new`] for programs: most CSV readers take the mark as part of the first
    /// column's name.
    pub fn with_byte_order_mark(w: W) -> Self {
        CsvExport::starting(w, true)
    }

    fn starting(w: W, bom: bool) -> Self {
        CsvExport {
            csv: csv::WriterBuilder::new()
                .buffer_capacity(4096)
                .from_writer(RowSink { w, bom }),
            header_written: false,
            rows: 0,
            record: Vec::with_capacity(CSV_HEADER.len()),
        }
    }

    fn header(&mut self) -> Result<()> {
        if !self.header_written {
            self.csv.write_record(CSV_HEADER)?;
            self.header_written = true;
        }
        Ok(())
    }

    /// Writes one fact-check.
    pub fn write(&mut self, stored: &StoredFactCheck) -> Result<()> {
        self.header()?;
        let fc = &stored.fact_check;
        let cell = |s: &str| neutralize_formula(s).into_owned();
        let text = |s: &Option<String>| s.as_deref().map(cell).unwrap_or_default();
        let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
        let rating = fc.rating.clone().unwrap_or_default();
        self.record.clear();
        self.record.extend([
            cell(&fc.source_id),
            cell(&fc.claim),
            text(&fc.headline),
            text(&rating.label),
            number(rating.value),
            number(rating.best),
            number(rating.worst),
            text(&fc.url),
            text(&fc.author),
            text(&fc.date_published),
            text(&fc.language),
            text(&fc.claim_author),
            text(&fc.claim_date),
            cell(&fc.appearances.join(" ")),
            text(&fc.review_body),
            cell(&fc.citations.join(" ")),
        ]);
        self.csv.write_record(&self.record)?;
        self.csv.flush()?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far (the header not counted).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Writes the header if no row did, flushes, and gives the writer back.
    pub fn finish(mut self) -> Result<W> {
        self.header()?;
        self.csv.flush()?;
        let mut w = self
            .csv
            .into_inner()
            .map_err(|e| io::Error::new(e.error().kind(), e.error().to_string()))?
            .w;
        w.flush()?;
        Ok(w)
    }
}

/// Writes any serializable values as JSON Lines: one compact JSON value per line.
///
/// JSON escapes line breaks inside strings, so a value never spans lines.
pub struct JsonlWriter<W: Write> {
    w: W,
    line: Vec<u8>,
    rows: u64,
}

impl<W: Write> JsonlWriter<W> {
    /// A writer into `w`.
    pub fn new(w: W) -> Self {
        JsonlWriter {
            w,
            line: Vec::new(),
            rows: 0,
        }
    }

    /// Writes `value` as one line.
    pub fn write<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        self.line.push(b'\n');
        self.w.write_all(&self.line)?;
        self.rows += 1;
        Ok(())
    }

    /// Lines written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and gives the writer back.
    pub fn finish(mut self) -> Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Writes fact-checks as JSON Lines of ClaimReview objects, which `claimdesk import` reads
/// as `--format claimreview`.
///
/// Each line is [`claim_review`](crate::claim_review) with `@id` set to the source id and
/// `url` only when the fact-check has one. On import a fact-check's URL becomes its source
/// id, so one whose source id differs from its URL (an `id` column in a CSV import) comes
/// back keyed by its URL; use [`CsvExport`] to keep such ids.
pub struct JsonlExport<W: Write> {
    jsonl: JsonlWriter<W>,
}

impl<W: Write> JsonlExport<W> {
    /// An export into `w`.
    pub fn new(w: W) -> Self {
        JsonlExport {
            jsonl: JsonlWriter::new(w),
        }
    }

    /// Writes one fact-check.
    pub fn write(&mut self, stored: &StoredFactCheck) -> Result<()> {
        let mut v = claim_review_object(&stored.fact_check, None);
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "@id".into(),
                serde_json::Value::String(stored.fact_check.source_id.clone()),
            );
        }
        self.jsonl.write(&v)
    }

    /// Fact-checks written so far.
    pub fn rows(&self) -> u64 {
        self.jsonl.rows()
    }

    /// Flushes and gives the writer back.
    pub fn finish(self) -> Result<W> {
        self.jsonl.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_and_restored_exactly() {
        for (value, cell) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("'=1", "''=1"),
            ("''-", "'''-"),
            ("'tis", "'tis"),
            ("'", "'"),
            ("", ""),
            ("a=1", "a=1"),
            (" =1", " =1"),
        ] {
            assert_eq!(neutralize_formula(value), cell, "{value:?}");
            assert_eq!(restore_formula(cell), value, "{cell:?}");
        }
    }
}
