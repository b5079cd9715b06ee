//! claimdesk-ingest turns files into fact-checks and items.
//!
//! Parsers take bytes and return the good records together with one [`Diagnostic`] per bad
//! record (file, line, field, what was wrong), so a broken row never loses the good ones and
//! nothing here panics on input. Formats: schema.org ClaimReview JSON-LD (one object, an
//! array, JSON Lines, or HTML pages with `<script type="application/ld+json">` and `@graph`),
//! CSV/TSV with a header row, the CLEF `vclaim_id, vclaim, title` layout, and posts as JSON
//! Lines or CSV/TSV.
//!
//! Watching sources: [`fetch`] is the guarded HTTP client (the only outgoing connections
//! claimdesk makes: internal addresses refused however spelled or resolved, redirects
//! re-checked, size and time capped); [`feed`] reads RSS, Atom and JSON Feed (and HTML
//! pages through [`article`]) in any encoding ([`decode`]) into items keyed independently
//! of the feed that carried them; [`poll`] polls feeds and drop folders on schedule with
//! conditional GET and backoff, recording each source's health in the store; [`intake`] is
//! the one function that stores parsed items idempotently.

#![warn(missing_docs)]

pub mod article;
mod claimreview;
pub mod decode;
pub mod feed;
pub mod fetch;
pub mod intake;
mod item_images;
mod json_scan;
pub mod labelled;
pub mod pages;
pub mod poll;
mod table;
pub mod validate;
pub mod watch;

use std::collections::HashMap;

use claimdesk_core::{Diagnostic, FactCheck, Item};

pub use claimreview::{MAX_REVIEWED_IMAGES, fact_checks_from_json, reviewed_images};
pub use item_images::{ItemImageUrls, parse_items_with_images};

/// Largest record accepted, in bytes. Longer records are rejected with a diagnostic: a
/// fact-check or post is never this long, a runaway line (a missing quote) often is.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The formats `claimdesk import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactCheckFormat {
    /// Decide from the extension, then the content.
    Auto,
    /// ClaimReview JSON-LD: object, array, JSON Lines, or HTML with embedded JSON-LD.
    ClaimReview,
    /// Comma-separated with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
    /// CLEF CheckThat! Task 2: TSV `vclaim_id, vclaim, title`, header row ignored.
    Clef,
}

/// The formats `claimdesk ingest` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemFormat {
    /// Decide from the extension, then the content.
    Auto,
    /// One JSON object per line.
    Jsonl,
    /// Comma-separated with a header row.
    Csv,
    /// Tab-separated with a header row.
    Tsv,
}

impl FactCheckFormat {
    /// Every format by the name commands take (`--format`).
    pub const NAMES: [&'static str; 5] = ["auto", "claimreview", "csv", "tsv", "clef"];
}

impl std::str::FromStr for FactCheckFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "claimreview" => Ok(Self::ClaimReview),
            "csv" => Ok(Self::Csv),
            "tsv" => Ok(Self::Tsv),
            "clef" => Ok(Self::Clef),
            _ => Err(format!(
                "`{s}` is not a format of fact-checks: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

impl ItemFormat {
    /// Every format by the name commands take (`--format`).
    pub const NAMES: [&'static str; 4] = ["auto", "jsonl", "csv", "tsv"];
}

impl std::str::FromStr for ItemFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "jsonl" => Ok(Self::Jsonl),
            "csv" => Ok(Self::Csv),
            "tsv" => Ok(Self::Tsv),
            _ => Err(format!(
                "`{s}` is not a format of items: {}",
                Self::NAMES.join(", ")
            )),
        }
    }
}

/// A parsed record and the line it started on.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<T> {
    /// One-based line in the input.
    pub line: u64,
    /// The record.
    pub value: T,
}

/// What a parser made of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    /// The records accepted, in file order.
    pub records: Vec<Record<T>>,
    /// One entry per rejected record (or whole-file problem).
    pub diagnostics: Vec<Diagnostic>,
    /// The format the file was read as (`claimreview`, `csv`, `tsv`, `clef`, `jsonl`, `html`).
    pub format: &'static str,
}

impl<T> Parsed<T> {
    fn new(format: &'static str) -> Self {
        Parsed {
            records: Vec::new(),
            diagnostics: Vec::new(),
            format,
        }
    }
}

pub(crate) fn diag(
    file: &str,
    line: u64,
    field: Option<&str>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line,
        field: field.map(str::to_string),
        message: message.into(),
    }
}

/// Explains invalid UTF-8 the way a desk can act on it.
pub(crate) fn utf8_message(err: std::str::Utf8Error) -> String {
    format!(
        "not valid UTF-8 (byte {}); the file may be Windows-1258 or Latin-1: convert it with \
         `iconv -f CP1258 -t UTF-8` (or `-f LATIN1`) and import again",
        err.valid_up_to() + 1
    )
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn first_non_space(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn extension(file: &str) -> String {
    std::path::Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// What `import` and `ingest` read, said when a file is of another kind.
pub const READABLE_FORMATS: &str = "claimdesk reads ClaimReview JSON-LD (.json, .jsonl, \
    .html), JSON Lines posts (.jsonl), CSV (.csv, comma- or semicolon-separated, with a header \
    row) and TSV (.tsv) in UTF-8. From Excel, LibreOffice or Google Sheets, save the sheet as \
    \"CSV UTF-8\" (File > Save As, or File > Download > CSV) and give claimdesk that file";

/// The kind of a file claimdesk cannot read (a spreadsheet, a PDF, an archive, an image,
/// other binary data), from its first bytes and its extension; `None` for text.
pub fn unreadable_kind(file: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = extension(file);
    let kind = match bytes {
        [0xD0, 0xCF, 0x11, 0xE0, ..] => match ext.as_str() {
            "doc" => "a Word document (.doc)",
            _ => "an Excel workbook (.xls)",
        },
        [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => match ext.as_str() {
            "xlsx" | "xlsm" => "an Excel workbook (.xlsx)",
            "ods" => "an OpenDocument spreadsheet (.ods)",
            "numbers" => "a Numbers spreadsheet",
            "docx" => "a Word document (.docx)",
            "odt" => "an OpenDocument text (.odt)",
            _ => "a ZIP archive (or a spreadsheet saved as one)",
        },
        [b'%', b'P', b'D', b'F', ..] => "a PDF document",
        [0x1F, 0x8B, ..] => "a gzip archive",
        [0x89, b'P', b'N', b'G', ..] => "a PNG image",
        [0xFF, 0xD8, 0xFF, ..] => "a JPEG image",
        [b'G', b'I', b'F', b'8', ..] => "a GIF image",
        _ => match ext.as_str() {
            "xlsx" | "xls" | "xlsm" | "ods" | "numbers" => "a spreadsheet file",
            "pdf" => "a PDF document",
            "doc" | "docx" | "odt" => "a word-processor document",
            _ => {
                // Text has no NUL bytes in its first kilobytes (UTF-16 text is the exception
                // claimdesk does not read either, and its BOM says so).
                let head = &bytes[..bytes.len().min(8192)];
                let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
                if utf16 {
                    "UTF-16 text (save it as UTF-8)"
                } else if head.iter().filter(|&&b| b == 0).count() > head.len() / 64 {
                    "binary data"
                } else {
                    return None;
                }
            }
        },
    };
    Some(kind)
}

/// The whole-file diagnostic of a file claimdesk cannot read, if `bytes` is one.
fn unreadable(file: &str, bytes: &[u8]) -> Option<Diagnostic> {
    unreadable_kind(file, bytes).map(|kind| {
        diag(
            file,
            0,
            None,
            format!("this is {kind}, not a format claimdesk reads: {READABLE_FORMATS}"),
        )
    })
}

/// The delimiter of a CSV file: `;` when its header row has more semicolons than commas
/// (spreadsheets in locales with a decimal comma write so), else `,`.
fn csv_delimiter(bytes: &[u8]) -> u8 {
    let head = first_line(bytes);
    let count = |d: u8| head.iter().filter(|&&b| b == d).count();
    if count(b';') > count(b',') {
        b';'
    } else {
        b','
    }
}

/// Parses fact-checks from `bytes`, read from `file` (used in diagnostics).
pub fn parse_fact_checks(file: &str, bytes: &[u8], format: FactCheckFormat) -> Parsed<FactCheck> {
    if let Some(d) = unreadable(file, bytes) {
        let mut parsed = Parsed::new("unreadable");
        parsed.diagnostics.push(d);
        return parsed;
    }
    let bytes = strip_bom(bytes);
    let format = match format {
        FactCheckFormat::Auto => detect_fact_check_format(file, bytes),
        f => f,
    };
    let mut parsed = match format {
        FactCheckFormat::ClaimReview | FactCheckFormat::Auto => claimreview::parse(file, bytes),
        FactCheckFormat::Csv => table::fact_checks(file, bytes, csv_delimiter(bytes), false),
        FactCheckFormat::Tsv => table::fact_checks(file, bytes, b'\t', false),
        FactCheckFormat::Clef => table::fact_checks(file, bytes, b'\t', true),
    };
    if first_non_space(bytes).is_none() {
        parsed
            .diagnostics
            .push(diag(file, 0, None, "the file is empty: nothing to import"));
    }
    reject_invalid(file, &mut parsed);
    reject_duplicates(file, &mut parsed, |fc| fc.source_id.clone());
    parsed
}

/// Moves the records [`validate::fact_check`] refuses to the diagnostics: every parser's
/// records pass the same validation as the server's API.
fn reject_invalid(file: &str, parsed: &mut Parsed<FactCheck>) {
    let mut refused = Vec::new();
    parsed
        .records
        .retain(|r| match validate::fact_check(&r.value) {
            Ok(()) => true,
            Err(e) => {
                refused.push(diag(file, r.line, Some(e.field), e.message));
                false
            }
        });
    parsed.diagnostics.extend(refused);
}

fn detect_fact_check_format(file: &str, bytes: &[u8]) -> FactCheckFormat {
    match extension(file).as_str() {
        "json" | "jsonl" | "jsonld" | "ndjson" | "html" | "htm" => FactCheckFormat::ClaimReview,
        "csv" => FactCheckFormat::Csv,
        "tsv" | "tab" => FactCheckFormat::Tsv,
        _ => match first_non_space(bytes) {
            Some(b'{' | b'[' | b'<') => FactCheckFormat::ClaimReview,
            _ if first_line(bytes).contains(&b'\t') => FactCheckFormat::Tsv,
            _ => FactCheckFormat::Csv,
        },
    }
}

fn first_line(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == b'\n').next().unwrap_or(bytes)
}

/// Parses posts and articles from `bytes`, read from `file` (used in diagnostics).
pub fn parse_items(file: &str, bytes: &[u8], format: ItemFormat) -> Parsed<Item> {
    if let Some(d) = unreadable(file, bytes) {
        let mut parsed = Parsed::new("unreadable");
        parsed.diagnostics.push(d);
        return parsed;
    }
    let bytes = strip_bom(bytes);
    let format = match format {
        ItemFormat::Auto => match extension(file).as_str() {
            "jsonl" | "json" | "ndjson" => ItemFormat::Jsonl,
            "csv" => ItemFormat::Csv,
            "tsv" | "tab" => ItemFormat::Tsv,
            _ => match first_non_space(bytes) {
                Some(b'{' | b'[') => ItemFormat::Jsonl,
                _ if first_line(bytes).contains(&b'\t') => ItemFormat::Tsv,
                _ => ItemFormat::Csv,
            },
        },
        f => f,
    };
    let mut parsed = match format {
        ItemFormat::Jsonl | ItemFormat::Auto => json_items(file, bytes),
        ItemFormat::Csv => table::items(file, bytes, csv_delimiter(bytes)),
        ItemFormat::Tsv => table::items(file, bytes, b'\t'),
    };
    if first_non_space(bytes).is_none() {
        parsed
            .diagnostics
            .push(diag(file, 0, None, "the file is empty: nothing to ingest"));
    }
    reject_duplicates(file, &mut parsed, |it| match &it.external_id {
        Some(id) => format!("{}\u{1f}{id}", it.source.as_deref().unwrap_or("")),
        None => String::new(),
    });
    parsed
}

/// Keeps the first record of each id; later ones become diagnostics.
fn reject_duplicates<T>(file: &str, parsed: &mut Parsed<T>, key: impl Fn(&T) -> String) {
    let mut first: HashMap<String, u64> = HashMap::new();
    let mut kept = Vec::with_capacity(parsed.records.len());
    for r in std::mem::take(&mut parsed.records) {
        let k = key(&r.value);
        if k.is_empty() {
            kept.push(r);
            continue;
        }
        match first.get(&k) {
            Some(&line) => parsed.diagnostics.push(diag(
                file,
                r.line,
                Some("id"),
                format!(
                    "duplicate id `{}` (first on line {line}); the first is kept",
                    k.rsplit('\u{1f}').next().unwrap_or(&k)
                ),
            )),
            None => {
                first.insert(k, r.line);
                kept.push(r);
            }
        }
    }
    parsed.records = kept;
    parsed.diagnostics.sort_by_key(|d| d.line);
}

fn json_items(file: &str, bytes: &[u8]) -> Parsed<Item> {
    let parsed = json_items_with_images(file, bytes, false);
    Parsed {
        records: parsed
            .records
            .into_iter()
            .map(|r| Record {
                line: r.line,
                value: r.value.0,
            })
            .collect(),
        diagnostics: parsed.diagnostics,
        format: parsed.format,
    }
}

/// JSON items, each with its image URLs (read from `images` when `read_images`; without,
/// the field is not looked at, as any other field the desk does not read).
fn json_items_with_images(
    file: &str,
    bytes: &[u8],
    read_images: bool,
) -> Parsed<(Item, item_images::ItemImageUrls)> {
    let mut parsed = Parsed::new("jsonl");
    for (index, value) in json_scan::values(file, bytes, &mut parsed.diagnostics)
        .into_iter()
        .enumerate()
    {
        let line = value.line;
        let item = item_from_json(&value.value).and_then(|item| {
            let urls = if read_images {
                item_images::image_urls(&value.value)?
            } else {
                Vec::new()
            };
            Ok((item, item_images::ItemImageUrls { item: index, urls }))
        });
        match item {
            Ok(value) => parsed.records.push(Record { line, value }),
            Err((field, message)) => {
                parsed
                    .diagnostics
                    .push(diag(file, line, Some(field), message))
            }
        }
    }
    parsed
}

fn item_from_json(v: &serde_json::Value) -> Result<Item, (&'static str, String)> {
    item_fields(v, true)
}

/// The item of an image's JSON sidecar (a dropped `photo.png` beside `photo.json`): the
/// fields of a JSON item (`text`, `id`, `url`, `published_at`, `source`, `language`, and
/// their other names), `text` optional since the text read from the image joins it. The
/// diagnostic names the sidecar `file`.
pub fn sidecar_item(file: &str, bytes: &[u8]) -> Result<Item, Diagnostic> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| diag(file, e.line() as u64, None, json_error(&e)))?;
    item_fields(&value, false).map_err(|(field, message)| diag(file, 1, Some(field), message))
}

/// An item from a JSON object; `require_text`: refused without a non-blank `text`.
fn item_fields(v: &serde_json::Value, require_text: bool) -> Result<Item, (&'static str, String)> {
    let obj = v.as_object().ok_or((
        "(record)",
        if require_text {
            "expected a JSON object with at least `text`".to_string()
        } else {
            format!(
                "expected a JSON object of item fields, found {}",
                json_kind(v)
            )
        },
    ))?;
    // A number is taken for an id (partners' ids often are numbers), not for text, a URL or
    // a date, where it can only be a mistake.
    let field = |names: &[&'static str],
                 numbers: bool|
     -> Result<Option<String>, (&'static str, String)> {
        for name in names {
            match obj.get(*name) {
                None | Some(serde_json::Value::Null) => {}
                // A blank value is no value: it would be an empty source or language.
                Some(serde_json::Value::String(s)) if s.trim().is_empty() => {}
                Some(serde_json::Value::String(s)) => return Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) if numbers => return Ok(Some(n.to_string())),
                Some(other) => {
                    return Err((
                        name,
                        format!("expected a string, found {}", json_kind(other)),
                    ));
                }
            }
        }
        Ok(None)
    };
    let text_of = |names: &[&'static str]| field(names, false);
    let text = text_of(&["text", "content", "body"])?.filter(|t| !t.trim().is_empty());
    let text = match text {
        Some(t) => t,
        None if !require_text => String::new(),
        None => {
            return Err((
                "text",
                "missing or empty: every item needs its text".to_string(),
            ));
        }
    };
    check_text("text", &text)?;
    Ok(Item {
        external_id: field(&["id", "external_id"], true)?,
        text,
        url: text_of(&["url"])?,
        published_at: text_of(&["published_at", "date", "datePublished"])?,
        source: text_of(&["source"])?,
        language: text_of(&["language", "lang"])?,
    })
}

/// serde_json's message without its position (relative to the record, so misleading);
/// the caller reports the absolute line.
pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let message = text
        .rfind(" at line ")
        .map_or(text.as_str(), |i| &text[..i]);
    format!("invalid JSON: {message} (column {})", e.column())
}

pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Rejects text a desk cannot use: NUL bytes (a binary file or a broken export). The parsers
/// and the server's item form (`POST /api/items/upload`) check an item's text with it;
/// the error is the field and what was wrong.
pub fn check_text(field: &'static str, text: &str) -> Result<(), (&'static str, String)> {
    if text.contains('\0') {
        return Err((
            field,
            "contains a NUL byte (binary data or a broken export)".into(),
        ));
    }
    Ok(())
}

/// A stable source id for a fact-check without one: `sha:` + xxh3 of its normalized claim.
pub(crate) fn hashed_id(claim: &str) -> String {
    format!("sha:{}", claimdesk_text::duplicate_key(claim))
}

/// The source id a fact-check gets when the id it came with means nothing here: its URL,
/// else a hash of its claim (what every parser uses when a record has no id).
pub fn fallback_source_id(fc: &FactCheck) -> String {
    fc.url.clone().unwrap_or_else(|| hashed_id(&fc.claim))
}

/// The key under which an item is stored once: `source` + external id when it has one, else
/// a hash of its normalized text (so the same post from two exports is one item).
pub fn item_key(item: &Item) -> String {
    match &item.external_id {
        Some(id) => format!("id:{}:{id}", item.source.as_deref().unwrap_or("")),
        None => format!("text:{}", claimdesk_text::duplicate_key(&item.text)),
    }
}

/// The key that groups fact-checks saying the same thing: claim and headline, normalized.
pub fn duplicate_key(fc: &FactCheck) -> String {
    claimdesk_text::duplicate_key(&format!(
        "{}\n{}",
        fc.claim,
        fc.headline.as_deref().unwrap_or("")
    ))
}
