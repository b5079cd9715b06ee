//! The running desk: everything between the command line (or the HTTP server) and the
//! library crates. [`Engine`] opens a data directory: its typed [`Config`], the store, the
//! lexical index kept at the store's revision, and on first use the [`LiveRanker`] (lexical,
//! or hybrid with the model and the reranker; swapped atomically when fact-checks change)
//! and the intake [`Pipeline`] (check-worthiness, matching, narratives, alerts). [`jobs`]
//! holds what a serving desk runs in the background: following the store, looking back
//! over recent items, polling sources, delivering webhooks.
//!
//! Architecture invariant: the modules form layers, each importing only the ones listed
//! before it in [`LAYERS`] (a test reads the sources and fails on an import that points up),
//! so there is no import cycle: config → data, store and index → model and ranker →
//! pipeline → look-back → engine → jobs and sources.
//!
//! Architecture invariant: nothing here knows HTTP, HTML or the command line; progress is
//! reported through [`Progress`], and what users should read comes back as values
//! ([`LiveRanker::notes`], reports) for the caller to print.

#![warn(missing_docs)]

pub mod briefing;
pub mod catalog;
pub mod config;
pub mod data;
pub mod detect;
pub mod engine;
pub mod error;
pub mod evaluation;
pub mod image_neighbours;
pub mod image_urls;
pub mod images;
pub mod index;
pub mod jobs;
pub mod lead;
pub mod lookback;
pub mod mail;
pub mod model;
pub mod pipeline;
pub mod post_check;
pub mod progress;
pub mod ranker;
pub mod sources;
pub mod training;

pub use catalog::Catalog;
pub use config::{CONFIG_FILE, Config, ConfigError};
pub use data::{DATABASE_URL_ENV, DataDir, MODEL_FILE, StoreHandle, use_database_url};
pub use engine::{
    Engine, EngineOptions, Imported, Ingested, IngestedFile, ItemWithImages, StoredItemWithImages,
};
pub use error::{Error, Result};
pub use image_urls::{ImageUrlLimits, RecordImages, StoredItems};
pub use images::{ImageDesk, ImageInput, ImageMatch, ImageUpload, ReadImage};
pub use lookback::LookBack;
pub use pipeline::{Pipeline, Report};
pub use post_check::{CheckedImage, CheckedText, PostCheck, PostPart};
pub use progress::{Progress, Silent};
pub use ranker::{LiveRanker, RankedMatch, Ranker, RankerOptions, Refreshed, STORED_MATCHES};

/// The crates the engine is built on, for callers that need their types (the binary and
/// the server name these rather than depending on the crates themselves).
pub use claimdesk_core as core;
pub use claimdesk_embed as embed;
pub use claimdesk_image as image;
pub use claimdesk_ingest as ingest;
pub use claimdesk_match as matching;
pub use claimdesk_monitor as monitor;
pub use claimdesk_privacy as privacy;
pub use claimdesk_publish as publish;
pub use claimdesk_store as store;
pub use claimdesk_text as text;

/// The engine's modules from the bottom layer up: each imports only modules before it.
pub const LAYERS: &[&str] = &[
    "config",
    "progress",
    "error",
    "data",
    "lead",
    "catalog",
    "briefing",
    "mail",
    "model",
    "index",
    "ranker",
    "detect",
    "evaluation",
    "training",
    "images",
    "image_neighbours",
    "pipeline",
    "lookback",
    "post_check",
    "engine",
    "image_urls",
    "jobs",
    "sources",
];

#[cfg(test)]
mod tests {
    use super::LAYERS;

    /// Every `crate::module` a source file names.
    fn imports(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, _) in source.match_indices("crate::") {
            let rest = &source[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        // `use crate::{a, b}` lists.
        for (i, _) in source.match_indices("crate::{") {
            let rest = &source[i + "crate::{".len()..];
            let list = &rest[..rest.find('}').unwrap_or(0)];
            out.extend(
                list.split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or("").to_string())
                    .filter(|s| !s.is_empty()),
            );
        }
        out
    }

    #[test]
    fn modules_import_only_lower_layers() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if name == "lib" {
                continue;
            }
            let Some(rank) = LAYERS.iter().position(|m| *m == name) else {
                panic!("module `{name}` is not in LAYERS: give it its place");
            };
            let source = std::fs::read_to_string(&path).unwrap();
            for import in imports(&source) {
                let Some(to) = LAYERS.iter().position(|m| *m == import) else {
                    continue;
                };
                assert!(
                    to < rank,
                    "`{name}` imports `{import}`, which is not below it in LAYERS"
                );
            }
            seen.push(name);
        }
        assert_eq!(seen.len(), LAYERS.len(), "a module of LAYERS has no file");
    }

    #[test]
    fn an_upward_import_is_caught() {
        assert_eq!(
            imports("use crate::engine::Engine;\nuse crate::{ranker::X, data};"),
            ["engine", "ranker", "data"]
        );
    }
}
