//! What each fuzz target does with its input: one definition, used by the cargo-fuzz
//! targets (`fuzz/fuzz_targets/*.rs`) and by the corpus replay in `cargo test`
//! (`crates/engine/tests/fuzz_corpus.rs`), both through `#[path]`. Each function feeds
//! arbitrary bytes to a parser of outside input the way claimdesk does and returns;
//! a panic, an overflow or a hang is the finding.

#![allow(dead_code)] // each fuzz target uses one of these

use claimdesk_engine::ingest::{self, FactCheckFormat, ItemFormat};

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target by name, as the corpus directories are named.
pub const TARGETS: &[(&str, Target)] = &[
    ("claimreview", claimreview),
    ("table", table),
    ("items_jsonl", items_jsonl),
    ("feed", feed),
    ("article", article),
    ("decode", decode),
    ("model_file", model_file),
    ("config", config),
    ("labelled", labelled),
    ("qrels", qrels),
    ("privacy", privacy),
];

/// ClaimReview JSON-LD (object, array, JSON Lines) and HTML pages that embed it.
pub fn claimreview(data: &[u8]) {
    let _ = ingest::parse_fact_checks("f.jsonld", data, FactCheckFormat::ClaimReview);
    let _ = ingest::parse_fact_checks("f.html", data, FactCheckFormat::Auto);
}

/// Fact-checks and items as CSV and TSV with a header row, and the CLEF claim layout.
pub fn table(data: &[u8]) {
    for format in [
        FactCheckFormat::Csv,
        FactCheckFormat::Tsv,
        FactCheckFormat::Clef,
    ] {
        let _ = ingest::parse_fact_checks("f.csv", data, format);
    }
    for format in [ItemFormat::Csv, ItemFormat::Tsv] {
        let _ = ingest::parse_items("p.csv", data, format);
    }
}

/// Posts as JSON Lines (and as whatever `Auto` decides a `.jsonl` file is).
pub fn items_jsonl(data: &[u8]) {
    let _ = ingest::parse_items("p.jsonl", data, ItemFormat::Jsonl);
    let _ = ingest::parse_items("p", data, ItemFormat::Auto);
}

/// A fetched document: RSS, Atom, JSON Feed or an HTML page, in any encoding.
pub fn feed(data: &[u8]) {
    let url = url::Url::parse("https://news.example/feed").expect("a valid URL");
    let _ = ingest::feed::parse_feed(&url, data, None);
    for content_type in [
        "application/rss+xml; charset=windows-1258",
        "application/feed+json",
        "text/html; charset=utf-8",
    ] {
        let _ = ingest::feed::parse_document(&url, data, Some(content_type));
    }
}

/// The article extractor on an HTML page, and the text of an HTML fragment.
pub fn article(data: &[u8]) {
    let html = String::from_utf8_lossy(data);
    let _ = ingest::article::extract_article(&html);
    let _ = ingest::article::html_fragment_text(&html);
}

/// The encoding detector, with and without a declared charset.
pub fn decode(data: &[u8]) {
    let _ = ingest::decode::decode(data, None);
    let _ = ingest::decode::decode(data, Some("text/html; charset=iso-8859-1"));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ingest::decode::charset_of_content_type(text);
        let _ = ingest::decode::declare_utf8(text);
    }
}

/// The embedding model's file format.
pub fn model_file(data: &[u8]) {
    let _ = claimdesk_engine::embed::file::ModelFile::parse(data);
}

/// The desk's config file.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = claimdesk_engine::Config::parse(std::path::Path::new("claimdesk.toml"), text);
    }
}

/// Labelled texts for the check-worthiness detector, in both layouts.
pub fn labelled(data: &[u8]) {
    use claimdesk_engine::ingest::labelled::{Layout, parse_labelled};
    let _ = parse_labelled("t.tsv", data, Layout::Clef, Some("check_worthiness"));
    let _ = parse_labelled("t.tsv", data, Layout::IdText, None);
}

/// TREC relevance judgments.
pub fn qrels(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = claimdesk_engine::matching::trec::parse_qrels(text);
    }
}

/// The privacy check (issue 21): the bytes as a draft's text, and as an image (decoding
/// under the limits, EXIF, XMP, IPTC and text blocks, QR codes, the clean copy).
///
/// The pixel limit is lower than the desk's (50 million): a few hundred bytes can declare
/// a picture of tens of millions of pixels, and scaling it down for the QR search then
/// takes most of a second, which would leave the parsers a few executions a second. The
/// limit still lets through pictures above the QR search's own bound (4 million pixels),
/// so that path is fuzzed too; the parsers do the same work whatever the limit.
pub fn privacy(data: &[u8]) {
    use claimdesk_engine::image::Limits;
    use claimdesk_engine::privacy::{self, DynamicImage, TextReader};
    struct Unread;
    impl TextReader for Unread {
        fn read_text(&self, _: &DynamicImage) -> Result<String, String> {
            Ok(String::new())
        }
    }
    let config = privacy::Config {
        image_limits: Limits {
            max_pixels: 4_500_000,
            ..Limits::default()
        },
        ..privacy::Config::default()
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = privacy::check_text(text, &config);
    }
    let _ = privacy::check_image("fuzz", data, &config, &Unread);
}
