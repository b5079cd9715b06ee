//! An items file read in bounded pages, so ingesting a file of millions of posts holds one
//! page in memory at a time, whatever the file's size.
//!
//! JSON Lines (the bulk format: a file whose first character is `{`) is cut at line ends,
//! [`PAGE_LINES`] lines a page, and each page parsed as [`parse_items`] parses a file, with
//! its lines numbered as in the whole file. Every other format (CSV, TSV, a JSON array) is
//! read whole, as one page. Duplicate ids are rejected within a page; the same item in two
//! pages is stored once all the same (storing is idempotent by key).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use claimdesk_core::Item;

use crate::{ItemFormat, Parsed, extension, first_non_space, parse_items};

/// Lines per page of a JSON Lines file.
pub const PAGE_LINES: usize = 10_000;

/// The pages of one items file, in file order (see the module's documentation).
pub struct ItemPages {
    name: String,
    format: ItemFormat,
    reader: BufReader<File>,
    /// Cut at line ends (JSON Lines), else read whole.
    paged: bool,
    /// Lines before the next page.
    line: u64,
    lines_per_page: usize,
    first: bool,
    done: bool,
}

/// One page: what was parsed of it, and its bytes.
#[derive(Debug)]
pub struct ItemPage {
    /// The page parsed, lines numbered as in the whole file.
    pub parsed: Parsed<Item>,
    /// The page as read (to refuse a file that is not text, from its first page).
    pub bytes: Vec<u8>,
}

impl ItemPages {
    /// Opens `path` (named `name` in diagnostics) to read in `format`.
    pub fn open(path: &Path, name: &str, format: ItemFormat) -> io::Result<ItemPages> {
        Self::with_page_lines(path, name, format, PAGE_LINES)
    }

    /// As [`ItemPages::open`], with `lines_per_page` lines a page (at least one).
    pub fn with_page_lines(
        path: &Path,
        name: &str,
        format: ItemFormat,
        lines_per_page: usize,
    ) -> io::Result<ItemPages> {
        let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
        let start = reader.fill_buf()?;
        let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
        let object_first = first_non_space(start) == Some(b'{');
        let paged = object_first
            && match format {
                ItemFormat::Jsonl => true,
                ItemFormat::Auto => {
                    matches!(extension(name).as_str(), "jsonl" | "ndjson" | "json" | "")
                }
                ItemFormat::Csv | ItemFormat::Tsv => false,
            };
        Ok(ItemPages {
            name: name.to_string(),
            format,
            reader,
            paged,
            line: 0,
            lines_per_page: lines_per_page.max(1),
            first: true,
            done: false,
        })
    }

    /// The next page, or `None` after the last.
    pub fn next_page(&mut self) -> io::Result<Option<ItemPage>> {
        if self.done {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        if !self.paged {
            self.reader.read_to_end(&mut bytes)?;
            self.done = true;
            return Ok(Some(ItemPage {
                parsed: parse_items(&self.name, &bytes, self.format),
                bytes,
            }));
        }
        let mut lines = 0;
        while lines < self.lines_per_page {
            if self.reader.read_until(b'\n', &mut bytes)? == 0 {
                self.done = true;
                break;
            }
            lines += 1;
        }
        let first = std::mem::replace(&mut self.first, false);
        if !first && first_non_space(&bytes).is_none() {
            // Only blank lines left: no page (the first page says when a file is empty).
            self.done = true;
            return Ok(None);
        }
        let mut parsed = parse_items(&self.name, &bytes, ItemFormat::Jsonl);
        let offset = self.line;
        for r in &mut parsed.records {
            r.line += offset;
        }
        for d in &mut parsed.diagnostics {
            if d.line > 0 {
                d.line += offset;
            }
        }
        self.line += lines as u64;
        Ok(Some(ItemPage { parsed, bytes }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(text: &str, name: &str, lines: usize) -> Vec<Parsed<Item>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut p = ItemPages::with_page_lines(&path, name, ItemFormat::Auto, lines).unwrap();
        let mut out = Vec::new();
        while let Some(page) = p.next_page().unwrap() {
            out.push(page.parsed);
        }
        out
    }

    #[test]
    fn json_lines_are_read_in_pages_numbered_as_in_the_file() {
        let text = "{\"id\":\"1\",\"text\":\"a\"}\n{\"id\":\"2\",\"text\":\"b\"}\nnot json\n\
                    {\"id\":\"3\",\"text\":\"c\"}\n{\"id\":\"4\",\"text\":\"d\"}\n\n";
        let got = pages(text, "posts.jsonl", 2);
        assert_eq!(got.len(), 3);
        let lines: Vec<u64> = got
            .iter()
            .flat_map(|p| &p.records)
            .map(|r| r.line)
            .collect();
        assert_eq!(lines, [1, 2, 4, 5]);
        let bad: Vec<u64> = got
            .iter()
            .flat_map(|p| &p.diagnostics)
            .map(|d| d.line)
            .collect();
        assert_eq!(bad, [3]);
        // The same file whole: the same records.
        let whole = pages(text, "posts.jsonl", 100);
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].records.len(), 4);
    }

    #[test]
    fn other_formats_and_empty_files_are_one_page() {
        let csv = "id,text\n1,a\n2,b\n";
        let got = pages(csv, "posts.csv", 1);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].records.len(), 2);
        let empty = pages("", "posts.jsonl", 1);
        assert_eq!(empty.len(), 1);
        assert!(empty[0].records.is_empty());
        assert_eq!(empty[0].diagnostics.len(), 1);
    }
}
