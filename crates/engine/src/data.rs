//! The data directory: the store file, the derived index, the config and the model's usual
//! place, and creating it on first use.
//!
//! Layer 1: imports `config` and `error`.

use std::path::{Path, PathBuf};

use claimdesk_store::SqliteStore;

use crate::config::{CONFIG_FILE, CONFIG_TEMPLATE};
use crate::error::{Error, Result};

/// The store an [`Engine`](crate::Engine) opens, the one place outside `claimdesk-store` that
/// names a backend. Everything else uses it through the store's role traits
/// (`claimdesk_store::prelude`), so a second backend (PostgreSQL, chosen by the config) turns
/// this into a choice without touching its callers; the architecture tests keep
/// `SqliteStore` out of every other caller's source.
pub type StoreHandle = SqliteStore;

/// The model file's name.
pub const MODEL_FILE: &str = "e5-small-q4.bin";

/// A data directory's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `root` (nothing is touched yet).
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The store's database file.
    pub fn store_file(&self) -> PathBuf {
        self.root.join("claimdesk.db")
    }

    /// The derived lexical index.
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// The config file.
    pub fn config_file(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// Where the model is looked for when none is named, in order: the data directory's
    /// `models/`, then the working directory's (the checkout, where scripts/fetch-model
    /// writes it).
    pub fn default_model_paths(&self) -> Vec<PathBuf> {
        vec![
            self.root.join("models").join(MODEL_FILE),
            PathBuf::from("models").join(MODEL_FILE),
        ]
    }

    /// Creates the directory and its config when missing; true when it created the config.
    pub fn init(&self) -> Result<bool> {
        std::fs::create_dir_all(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let config = self.config_file();
        if config.exists() {
            return Ok(false);
        }
        std::fs::write(&config, CONFIG_TEMPLATE).map_err(|e| Error::io(&config, e))?;
        Ok(true)
    }

    /// Opens the store (creating the directory and the database on first use).
    pub async fn open_store(&self) -> Result<StoreHandle> {
        self.init()?;
        Ok(SqliteStore::open(&self.store_file()).await?)
    }
}
