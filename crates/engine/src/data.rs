//! The data directory: the store file, the derived index, the config and the model's usual
//! place, and creating it on first use.
//!
//! Layer 1: imports `config` and `error`.

use std::path::{Path, PathBuf};

use claimdesk_core::CheckpointSigner;
use claimdesk_store::{AnyStore, CopyReport, PgStore, SqliteStore};

use crate::config::{CONFIG_FILE, CONFIG_TEMPLATE, Config};
use crate::error::{Error, Result};

/// The store an [`Engine`](crate::Engine) opens: SQLite or PostgreSQL, chosen when it is
/// opened ([`DataDir::database_url`]). Callers use it through the store's role traits
/// (`claimdesk_store::prelude`) and never name a backend; the architecture tests keep
/// `SqliteStore` out of every other caller's source.
pub type StoreHandle = AnyStore;

/// The environment variable that names the database for one run, over `[store] url`.
pub const DATABASE_URL_ENV: &str = "CLAIMDESK_DATABASE_URL";

/// The database named on the command line (`--database-url`), set once by the binary.
static COMMAND_LINE_URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Names the database every store of this process opens (the binary's `--database-url`),
/// over [`DATABASE_URL_ENV`] and `[store] url`; `None` leaves those in force. The first call
/// decides.
pub fn use_database_url(url: Option<String>) {
    if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
        let _ = COMMAND_LINE_URL.set(url.trim().to_string());
    }
}

/// The model file's name.
pub const MODEL_FILE: &str = "e5-small-q4.bin";

/// The audit checkpoint key's file name in the data directory (unless `[audit] key` names
/// another file).
pub const AUDIT_KEY_FILE: &str = "audit-key.ed25519";

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

    /// Whether a desk lives here: its store file exists (`claimdesk init` creates it), or
    /// its records live in a database named by URL and the directory exists.
    pub fn exists(&self) -> bool {
        self.store_file().is_file()
            || (self.root.is_dir() && matches!(self.database_url(), Ok(Some(_))))
    }

    /// The database the desk's records live in, when not the SQLite file here: the
    /// command line's ([`use_database_url`]), else the `CLAIMDESK_DATABASE_URL` environment
    /// variable, else `[store] url` in the config; `None` for the SQLite file.
    pub fn database_url(&self) -> Result<Option<String>> {
        if let Some(url) = COMMAND_LINE_URL.get() {
            return Ok(Some(url.clone()));
        }
        if let Ok(url) = std::env::var(DATABASE_URL_ENV)
            && !url.trim().is_empty()
        {
            return Ok(Some(url.trim().to_string()));
        }
        Ok(Config::load(&self.root)?
            .store
            .url
            .filter(|u| !u.trim().is_empty()))
    }

    /// Ok when a desk lives here, else [`Error::NoDesk`] naming the path looked at and
    /// the command that creates one.
    pub fn require(&self) -> Result<()> {
        if self.exists() {
            return Ok(());
        }
        Err(Error::NoDesk {
            dir: self.root.clone(),
            store_file: self.store_file(),
            dir_exists: self.root.exists(),
        })
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

    /// What `claimdesk config check` says of a config that loaded: the file is valid, or
    /// there is none and the defaults apply.
    pub fn config_status(&self) -> String {
        let file = self.config_file();
        match file.exists() {
            true => format!("{}: valid", file.display()),
            false => format!(
                "{}: no such file; the defaults apply (`claimdesk init` writes one)",
                file.display()
            ),
        }
    }

    /// The file of the key that signs audit checkpoints: `[audit] key` (relative to the
    /// data directory), else [`AUDIT_KEY_FILE`] here.
    pub fn audit_key_file(&self, config: &Config) -> PathBuf {
        match &config.audit.key {
            Some(path) => self.root.join(path),
            None => self.root.join(AUDIT_KEY_FILE),
        }
    }

    /// The desk's own audit key, which must exist already (verifying checkpoints with a key
    /// made now would verify nothing): a usage error naming the file otherwise.
    pub fn existing_audit_signer(&self, config: &Config) -> Result<CheckpointSigner> {
        let path = self.audit_key_file(config);
        if !path.exists() {
            return Err(crate::Error::Usage(format!(
                "{}: no audit key here; give the desk's public key with --key FILE",
                path.display()
            )));
        }
        self.audit_signer(config)
    }

    /// The key that signs audit checkpoints, created (32 random bytes from the OS, written
    /// as 64 hex digits, mode 0600, never replaced) when its file does not exist yet. It
    /// lives outside the database on purpose: a copy of the database cannot sign.
    pub fn audit_signer(&self, config: &Config) -> Result<CheckpointSigner> {
        let path = self.audit_key_file(config);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return CheckpointSigner::from_hex(&text).map_err(|e| {
                    Error::Usage(format!("{}: {e} (the audit key file)", path.display()))
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| Error::Internal(format!("no randomness from the OS: {e}")))?;
        let signer = CheckpointSigner::from_seed(seed);
        write_private(&path, format!("{}\n", signer.to_hex()).as_bytes())?;
        Ok(signer)
    }

    /// Moves this directory's desk (the SQLite file `claimdesk.db`) into the empty
    /// PostgreSQL database at `url`, in one transaction ([`PgStore::copy_from`]). The file is
    /// only read; the directory keeps the config, the model and the audit key, and serves
    /// the copied desk once `[store] url` (or `--database-url`) names the database.
    pub async fn migrate_to(&self, url: &str) -> Result<CopyReport> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(Error::Usage(
                "`migrate --to` takes a PostgreSQL URL: postgres://USER:PASSWORD@HOST:PORT/DB"
                    .into(),
            ));
        }
        let file = self.store_file();
        if !file.is_file() {
            return Err(Error::Usage(format!(
                "{} holds no SQLite desk ({} is missing): `migrate` moves the embedded store",
                self.root.display(),
                file.display()
            )));
        }
        let from = SqliteStore::open(&file).await?;
        let to = PgStore::open(url).await?;
        let copied = to.copy_from(&from).await;
        to.close().await;
        Ok(copied?)
    }

    /// Opens the store (creating the directory and the database on first use): the
    /// database of [`database_url`](Self::database_url), else the SQLite file here.
    pub async fn open_store(&self) -> Result<StoreHandle> {
        self.init()?;
        match self.database_url()? {
            Some(url) => Ok(AnyStore::open(&url).await?),
            None => Ok(AnyStore::open_file(&self.store_file()).await?),
        }
    }
}

/// Creates `path` readable and writable by its owner only; fails if it exists (two
/// processes creating the key at once keep the first one's).
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}
