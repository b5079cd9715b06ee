//! Wiring: the data directory, the store in it, the derived index kept in step with it, and
//! the names the matcher's ids resolve to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use claimdesk_core::{FactCheckId, StoredFactCheck};
use claimdesk_match::hybrid::HybridMatcher;
use claimdesk_match::{IndexChange, IndexDoc, MatchIndex, MatchSettings, Matcher};
use claimdesk_store::{SqliteStore, Store};

use crate::semantic::SemanticOptions;

/// The config file `init` writes; its `[match]` table overrides ranking settings.
pub const CONFIG_FILE: &str = "claimdesk.toml";

const CONFIG_TEMPLATE: &str = "\
# claimdesk configuration.
#
# [model] path = 'models/e5-small-q4.bin' points at the semantic model (scripts/fetch-model
# fetches it; without it matching is lexical); reranker = 'FILE' replaces the built-in reranker.
#
# [match] overrides ranking settings; the defaults were chosen on the CLEF 2020 Task 2 train
# split (see bench/README.md). Names: k1, b, w_claim_exact, w_headline_exact,
# w_claim_folded, w_headline_folded, w_bigrams, near_dup_max_distance, near_dup_boost.
[match]
# k1 = 1.2

# [detection] threshold: items whose best sentence scores below it (check-worthiness, 0 to 1)
# are stored and scored but not matched. Default 0: every item is matched and the score
# orders the queue. 'trained' uses the detector's own (English-trained; it skips most
# Vietnamese posts). Example:
# [detection]
# threshold = 0.2

# [fetch] governs every outgoing request (feeds). Loopback, private, link-local and other
# internal addresses are refused; `allow` opens named hosts or CIDR blocks on purpose.
[fetch]
# allow = ['intranet.example', '10.20.0.0/16']
# max_body_bytes = 10485760
# timeout_secs = 30

# [sources] folder_settle_secs: a file dropped into a watched folder is read once it has not
# changed for this long (names ending .part or .tmp are never read).
[sources]
# folder_settle_secs = 5
";

/// An opened data directory.
pub struct Desk {
    pub dir: PathBuf,
    pub store: SqliteStore,
    pub index: MatchIndex,
    pub settings: MatchSettings,
    /// `[model] path` from the config.
    pub config_model: Option<PathBuf>,
    /// `[model] reranker` from the config (a reranker file to use instead of the built-in).
    pub config_reranker: Option<PathBuf>,
    /// How semantic matching was chosen on the command line.
    pub semantic: SemanticOptions,
}

impl Desk {
    /// Creates the data directory and its config if missing.
    pub fn init(dir: &Path) -> Result<bool> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let config = dir.join(CONFIG_FILE);
        if config.exists() {
            return Ok(false);
        }
        std::fs::write(&config, CONFIG_TEMPLATE)
            .with_context(|| format!("cannot write {}", config.display()))?;
        Ok(true)
    }

    /// Opens the store of the data directory (creating both on first use), without the
    /// index: enough for commands that manage users or read the audit trail.
    pub async fn open_store(dir: &Path) -> Result<SqliteStore> {
        Self::init(dir)?;
        let db = dir.join("claimdesk.db");
        SqliteStore::open(&db)
            .await
            .with_context(|| format!("cannot open the store {}", db.display()))
    }

    /// Opens the data directory (creating it on first use) and brings the index up to date.
    pub async fn open(dir: &Path, params: &[String]) -> Result<Desk> {
        let store = Self::open_store(dir).await?;
        let index = open_index(dir)?;
        let mut settings = MatchSettings::default();
        let (config_model, config_reranker) = apply_config(&dir.join(CONFIG_FILE), &mut settings)?;
        for p in params {
            let (k, v) = p
                .split_once('=')
                .with_context(|| format!("--param `{p}`: expected NAME=VALUE"))?;
            settings.set(k.trim(), v.trim())?;
        }
        let mut desk = Desk {
            dir: dir.to_path_buf(),
            store,
            index,
            settings,
            config_model,
            config_reranker,
            semantic: SemanticOptions::default(),
        };
        desk.sync().await?;
        Ok(desk)
    }

    fn index_dir(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Applies to the index every fact-check change it has not seen. Returns how many.
    pub async fn sync(&mut self) -> Result<usize> {
        let store_rev = self.store.revision().await?;
        let mut index_rev = self.index.revision()?;
        if index_rev > store_rev {
            // The store was replaced under the index: rebuild.
            self.reset_index()?;
            index_rev = 0;
        }
        if index_rev == store_rev {
            return Ok(0);
        }
        let changes = self.store.fact_checks_since(index_rev).await?;
        let n = changes.len();
        let changes = changes.into_iter().map(|c| index_change(c.fact_check));
        self.index.apply(changes, store_rev)?;
        Ok(n)
    }

    /// Deletes the index and rebuilds it from the store.
    pub async fn reindex(&mut self) -> Result<usize> {
        self.reset_index()?;
        self.sync().await
    }

    fn reset_index(&mut self) -> Result<()> {
        let dir = self.index_dir();
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot remove the index {}", dir.display()))?;
        }
        self.index = open_index(&self.dir)?;
        Ok(())
    }

    /// A matcher over the current index.
    pub fn matcher(&self) -> Result<Matcher> {
        Ok(Matcher::new(&self.index, self.settings.clone())?)
    }

    /// The ranker for this desk: hybrid when the model is available, else lexical.
    pub async fn ranker(&self, catalog: &Catalog) -> Result<HybridMatcher> {
        crate::semantic::ranker(self, &self.semantic, catalog).await
    }

    /// Every fact-check by id, with the aliases of each canonical one.
    pub async fn catalog(&self) -> Result<Catalog> {
        Ok(Catalog::new(self.store.fact_checks().await?))
    }
}

/// The `[model] path` of a data directory's config, without opening (or creating) anything.
pub fn config_model(dir: &Path) -> Result<Option<PathBuf>> {
    Ok(apply_config(&dir.join(CONFIG_FILE), &mut MatchSettings::default())?.0)
}

fn open_index(dir: &Path) -> Result<MatchIndex> {
    let index_dir = dir.join("index");
    match MatchIndex::open_or_create(&index_dir) {
        Ok(index) => Ok(index),
        Err(claimdesk_match::Error::SchemaChanged(_)) => {
            // Derived state from another version: rebuild it.
            std::fs::remove_dir_all(&index_dir)?;
            Ok(MatchIndex::open_or_create(&index_dir)?)
        }
        Err(e) => Err(e).with_context(|| format!("cannot open the index {}", index_dir.display())),
    }
}

fn index_change(fc: StoredFactCheck) -> IndexChange {
    if fc.alias_of.is_some() {
        IndexChange::Remove(fc.id)
    } else {
        IndexChange::Upsert(IndexDoc {
            id: fc.id,
            claim: fc.fact_check.claim,
            headline: fc.fact_check.headline,
        })
    }
}

/// The data directory's `claimdesk.toml` as a table (empty when the file is absent), and its
/// path for messages.
pub fn read_config(dir: &Path) -> Result<(PathBuf, toml::Table)> {
    let path = dir.join(CONFIG_FILE);
    let table = match std::fs::read_to_string(&path) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{}: not valid TOML", path.display()))?,
        Err(_) => toml::Table::new(),
    };
    Ok((path, table))
}

/// Applies the config's `[match]` table and returns its `[model]` paths (model, reranker),
/// relative paths taken from the data directory.
fn apply_config(
    path: &Path,
    settings: &mut MatchSettings,
) -> Result<(Option<PathBuf>, Option<PathBuf>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok((None, None));
    };
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{}: not valid TOML", path.display()))?;
    if let Some(m) = table.get("match") {
        let Some(m) = m.as_table() else {
            bail!("{}: `match` must be a table", path.display());
        };
        for (k, v) in m {
            settings
                .set(k, &v.to_string())
                .with_context(|| format!("{}: [match] {k}", path.display()))?;
        }
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut paths = (None, None);
    if let Some(m) = table.get("model") {
        let Some(m) = m.as_table() else {
            bail!("{}: `model` must be a table", path.display());
        };
        for (k, v) in m {
            let Some(v) = v.as_str() else {
                bail!(
                    "{}: [model] {k} must be a string (a file path)",
                    path.display()
                );
            };
            match k.as_str() {
                "path" => paths.0 = Some(base.join(v)),
                "reranker" => paths.1 = Some(base.join(v)),
                _ => bail!(
                    "{}: [model] {k}: unknown setting (expected path or reranker)",
                    path.display()
                ),
            }
        }
    }
    Ok(paths)
}

/// Fact-checks by id, and the aliases of each canonical one (in id order). Store ids are
/// dense, so lookups index a vector.
pub struct Catalog {
    by_id: Vec<Option<StoredFactCheck>>,
    aliases: HashMap<FactCheckId, Vec<FactCheckId>>,
}

impl Catalog {
    fn new(all: Vec<StoredFactCheck>) -> Catalog {
        let mut aliases: HashMap<FactCheckId, Vec<FactCheckId>> = HashMap::new();
        for fc in &all {
            if let Some(c) = fc.alias_of {
                aliases.entry(c).or_default().push(fc.id);
            }
        }
        let len = all
            .iter()
            .map(|f| f.id.0.max(0) as usize + 1)
            .max()
            .unwrap_or(0);
        let mut by_id = vec![None; len];
        for f in all {
            let i = f.id.0.max(0) as usize;
            by_id[i] = Some(f);
        }
        Catalog { by_id, aliases }
    }

    /// The fact-check with this id.
    pub fn get(&self, id: FactCheckId) -> Option<&StoredFactCheck> {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| self.by_id.get(i))
            .and_then(Option::as_ref)
    }

    /// The canonical fact-checks (not aliases), in id order.
    pub fn canonical(&self) -> impl Iterator<Item = &StoredFactCheck> {
        self.by_id.iter().flatten().filter(|f| f.alias_of.is_none())
    }

    /// Source ids of the aliases of a canonical fact-check.
    pub fn alias_source_ids(&self, id: FactCheckId) -> Vec<&str> {
        self.aliases
            .get(&id)
            .map(|v| {
                v.iter()
                    .filter_map(|a| self.get(*a))
                    .map(|f| f.fact_check.source_id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The source id of a fact-check (its store id when unknown, which cannot happen for
    /// ids the index returns).
    pub fn source_id(&self, id: FactCheckId) -> String {
        self.get(id)
            .map_or_else(|| id.to_string(), |f| f.fact_check.source_id.clone())
    }
}
