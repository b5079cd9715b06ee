//! Staff exports: every published fact-check and every case, as CSV or JSON Lines, streamed.
//!
//! The body is a stream that reads one page of the store, formats it into one chunk and
//! yields it; the next page is read only when the client has taken the chunk. So an export
//! has no row cap and holds one page in memory however large the store is, and a client
//! that goes away stops the reading.
//!
//! These routes are for staff only (the route table says so, and the guard enforces it).
//!
//! Pages are read by offset, in the store's order (fact-checks newest first, cases most
//! recently changed first): a fact-check published or a case changed while an export runs
//! may shift a row across a page boundary, so such a row can appear twice or be missed.
//! Exports are snapshots for archives and partners, not a sync protocol.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Case, DeskFactCheck, StoredFactCheck};
use claimdesk_publish::{CsvExport, JsonlExport, JsonlWriter, UTF8_BOM, neutralize_formula};
use claimdesk_store::CaseFilter;
use claimdesk_store::prelude::*;
use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::error_page::{PageError, fail};
use crate::public::published::with_public_url;
use crate::render::Chrome;
use crate::state::AppState;

/// Rows read from the store per chunk.
const PAGE: u32 = 500;

/// A writer whose bytes the stream takes after each page. Shared because the exporters own
/// their writer; only the stream's one task ever touches it, so the lock is uncontended.
#[derive(Clone, Default)]
struct Chunk(Arc<Mutex<Vec<u8>>>);

impl Chunk {
    fn take(&self) -> Bytes {
        Bytes::from(std::mem::take(
            &mut *self.0.lock().unwrap_or_else(PoisonError::into_inner),
        ))
    }
}

impl Write for Chunk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What an export writes each row with.
trait RowWriter<T>: Send + 'static {
    fn row(&mut self, row: &T) -> claimdesk_publish::Result<()>;
    /// Writes what an export with no rows still needs (the CSV header).
    fn end(self) -> claimdesk_publish::Result<()>;
}

/// A published fact-check as the exports write it: its ClaimReview fields, the summary and
/// evidence among them. A verdict the desk wrote is named by its public page when it has one:
/// its source id in the store (`claimdesk:case:N`) means nothing to another desk.
fn stored(fc: &DeskFactCheck) -> StoredFactCheck {
    let mut fact_check = fc.fact_check.clone();
    if let (Some(_), Some(url)) = (fc.case, &fact_check.url) {
        fact_check.source_id = url.clone();
    }
    StoredFactCheck {
        id: fc.id,
        alias_of: fc.alias_of,
        fact_check,
        withdrawn: fc.withdrawn.clone(),
    }
}

impl RowWriter<DeskFactCheck> for CsvExport<Chunk> {
    fn row(&mut self, row: &DeskFactCheck) -> claimdesk_publish::Result<()> {
        self.write(&stored(row))
    }
    fn end(self) -> claimdesk_publish::Result<()> {
        self.finish().map(drop)
    }
}

impl RowWriter<DeskFactCheck> for JsonlExport<Chunk> {
    fn row(&mut self, row: &DeskFactCheck) -> claimdesk_publish::Result<()> {
        self.write(&stored(row))
    }
    fn end(self) -> claimdesk_publish::Result<()> {
        self.finish().map(drop)
    }
}

/// The CSV columns of the cases export.
const CASE_HEADER: [&str; 10] = [
    "id",
    "status",
    "claim",
    "item",
    "fact_check",
    "assignee",
    "created_by",
    "drafted_by",
    "created_at",
    "updated_at",
];

/// A case as both exports write it: ids as numbers, the status by its name.
#[derive(Serialize)]
struct CaseRow<'a> {
    id: i64,
    status: &'static str,
    claim: &'a str,
    item: Option<i64>,
    fact_check: Option<i64>,
    assignee: Option<i64>,
    created_by: i64,
    drafted_by: Option<i64>,
    created_at: &'a str,
    updated_at: &'a str,
}

impl<'a> From<&'a Case> for CaseRow<'a> {
    fn from(c: &'a Case) -> Self {
        CaseRow {
            id: c.id.0,
            status: c.status.as_str(),
            claim: &c.claim,
            item: c.item.map(|i| i.0),
            fact_check: c.fact_check.map(|f| f.0),
            assignee: c.assignee.map(|u| u.0),
            created_by: c.created_by.0,
            drafted_by: c.drafted_by.map(|u| u.0),
            created_at: &c.created_at,
            updated_at: &c.updated_at,
        }
    }
}

struct CaseCsv {
    csv: csv::Writer<Chunk>,
    header_written: bool,
}

impl CaseCsv {
    fn header(&mut self) -> claimdesk_publish::Result<()> {
        if !self.header_written {
            self.csv.write_record(CASE_HEADER)?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl RowWriter<Case> for CaseCsv {
    fn row(&mut self, c: &Case) -> claimdesk_publish::Result<()> {
        self.header()?;
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let r = CaseRow::from(c);
        // Claims come from feeds and partners: no cell may be a spreadsheet formula.
        let text = |s: &'_ str| neutralize_formula(s).into_owned();
        self.csv.write_record([
            r.id.to_string().as_str(),
            r.status,
            &text(r.claim),
            &id(r.item),
            &id(r.fact_check),
            &id(r.assignee),
            &r.created_by.to_string(),
            &id(r.drafted_by),
            &text(r.created_at),
            &text(r.updated_at),
        ])?;
        // Hand the row to the chunk now, so a page's bytes are all there when it is taken.
        self.csv.flush()?;
        Ok(())
    }
    fn end(mut self) -> claimdesk_publish::Result<()> {
        self.header()?;
        self.csv.flush()?;
        Ok(())
    }
}

impl RowWriter<Case> for JsonlWriter<Chunk> {
    fn row(&mut self, c: &Case) -> claimdesk_publish::Result<()> {
        self.write(&CaseRow::from(c))
    }
    fn end(self) -> claimdesk_publish::Result<()> {
        self.finish().map(drop)
    }
}

/// A page of rows from the store, `PAGE` rows at most after skipping `offset`.
trait Source<T>: Send + 'static {
    fn page(&self, offset: u32) -> impl Future<Output = claimdesk_store::Result<Vec<T>>> + Send;
}

struct FactChecks(AppState);

impl Source<DeskFactCheck> for FactChecks {
    async fn page(&self, offset: u32) -> claimdesk_store::Result<Vec<DeskFactCheck>> {
        let rows = self.0.store().published_fact_checks(PAGE, offset).await?;
        // A desk verdict's URL is its public page (issue 16, bug 8).
        Ok(rows
            .into_iter()
            .map(|mut fc| {
                fc.fact_check = with_public_url(&self.0, fc.id, fc.fact_check);
                fc
            })
            .collect())
    }
}

struct Cases(AppState);

impl Source<Case> for Cases {
    async fn page(&self, offset: u32) -> claimdesk_store::Result<Vec<Case>> {
        let filter = CaseFilter {
            limit: PAGE,
            offset,
            ..CaseFilter::default()
        };
        self.0.store().cases(&filter).await
    }
}

/// Where the stream is: the next offset, or done.
struct Cursor<S, W> {
    source: S,
    writer: Option<W>,
    chunk: Chunk,
    offset: u32,
}

/// The export as a streamed attachment named `filename`.
fn attachment<T, S, W>(
    source: S,
    writer: W,
    chunk: Chunk,
    media_type: &'static str,
    filename: &str,
) -> Response
where
    T: Send + 'static,
    S: Source<T>,
    W: RowWriter<T>,
{
    let cursor = Cursor {
        source,
        writer: Some(writer),
        chunk,
        offset: 0,
    };
    let body = stream::unfold(cursor, |mut c| async move {
        let mut writer = c.writer.take()?;
        let rows = match c.source.page(c.offset).await {
            Ok(rows) => rows,
            Err(e) => return Some((Err(export_failed(e.to_string())), c)),
        };
        for row in &rows {
            if let Err(e) = writer.row(row) {
                return Some((Err(export_failed(e.to_string())), c));
            }
        }
        if rows.len() < PAGE as usize {
            // The last page: finish (writer dropped, so the next poll ends the stream).
            if let Err(e) = writer.end() {
                return Some((Err(export_failed(e.to_string())), c));
            }
        } else {
            c.offset = c.offset.saturating_add(PAGE);
            c.writer = Some(writer);
        }
        Some((Ok(c.chunk.take()), c))
    })
    // The compression layer polls the body once more after its end, for trailers; an
    // `Unfold` polled after it ended panics, and the download ended with nothing.
    .fuse();
    (
        [
            (CONTENT_TYPE, media_type.to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Ends the response body with an error: the client sees a cut-off download rather than a
/// file that looks complete.
fn export_failed(detail: String) -> std::io::Error {
    tracing::error!(target: "server::export", %detail, "export failed");
    std::io::Error::other(detail)
}

/// `claimdesk-NAME-YYYY-MM-DD.EXT`, today in the desk's time zone.
fn dated(state: &AppState, name: &str, ext: &str) -> String {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(state.config().time_zone.clone())
        .date();
    format!("claimdesk-{name}-{today}.{ext}")
}

/// The CSV exports' query: `?bom=1` starts the file with a UTF-8 byte order mark, which
/// Excel needs to read UTF-8 (the desk's download buttons ask for it); without it (scripts,
/// the default) the file starts with the header.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsvQuery {
    bom: Option<String>,
}

impl CsvQuery {
    fn bom(&self, chrome: &Chrome) -> Result<bool, PageError> {
        match self.bom.as_deref().map(str::trim) {
            None | Some("" | "0" | "false") => Ok(false),
            Some("1" | "true") => Ok(true),
            Some(v) => Err(fail(chrome)(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                format!("bom={v:?}: 1 or 0"),
            ))),
        }
    }
}

/// `GET /export/factchecks.csv` (`?bom=1`: with a byte order mark, for Excel).
pub(crate) async fn fact_checks_csv(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let bom = q.bom(&chrome)?;
    let filename = dated(&state, "factchecks", "csv");
    let chunk = Chunk::default();
    let writer = if bom {
        CsvExport::with_byte_order_mark(chunk.clone())
    } else {
        CsvExport::new(chunk.clone())
    };
    Ok(attachment(
        FactChecks(state),
        writer,
        chunk,
        "text/csv; charset=utf-8",
        &filename,
    ))
}

/// `GET /export/factchecks.jsonl`.
pub(crate) async fn fact_checks_jsonl(State(state): State<AppState>) -> Response {
    let filename = dated(&state, "factchecks", "jsonl");
    let chunk = Chunk::default();
    attachment(
        FactChecks(state),
        JsonlExport::new(chunk.clone()),
        chunk,
        "application/jsonl; charset=utf-8",
        &filename,
    )
}

/// `GET /export/cases.csv` (`?bom=1`: with a byte order mark, for Excel).
pub(crate) async fn cases_csv(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<CsvQuery>,
) -> Result<Response, PageError> {
    let bom = q.bom(&chrome)?;
    let filename = dated(&state, "cases", "csv");
    let mut chunk = Chunk::default();
    if bom {
        chunk.write_all(UTF8_BOM.as_bytes()).map_err(|e| {
            fail(&chrome)(ApiError::with_detail(ErrorCode::Internal, e.to_string()))
        })?;
    }
    let writer = CaseCsv {
        csv: csv::Writer::from_writer(chunk.clone()),
        header_written: false,
    };
    Ok(attachment(
        Cases(state),
        writer,
        chunk,
        "text/csv; charset=utf-8",
        &filename,
    ))
}

/// `GET /export/cases.jsonl`.
pub(crate) async fn cases_jsonl(State(state): State<AppState>) -> Response {
    let filename = dated(&state, "cases", "jsonl");
    let chunk = Chunk::default();
    attachment(
        Cases(state),
        JsonlWriter::new(chunk.clone()),
        chunk,
        "application/jsonl; charset=utf-8",
        &filename,
    )
}
