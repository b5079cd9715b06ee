//! The derived lexical index on disk (`index/` in the data directory), kept at the store's
//! fact-check revision. Several processes may share one data directory: each applies what
//! the index has not seen yet, and a process that finds the index being written by another
//! one waits for it.
//!
//! Layer 1: imports `data` and `error`.

use std::time::Duration;

use claimdesk_core::StoredFactCheck;
use claimdesk_match::{IndexChange, IndexDoc, MatchIndex, MatchSettings, Matcher};
use claimdesk_store::FactCheckStore;

use crate::data::DataDir;
use crate::error::{Error, Result};

/// How long to wait for another process's index writer, in all.
const BUSY_WAIT: Duration = Duration::from_secs(30);
const BUSY_STEP: Duration = Duration::from_millis(50);

/// The lexical and near-duplicate index of a data directory.
pub struct LexicalIndex {
    data: DataDir,
    index: MatchIndex,
}

impl LexicalIndex {
    /// Opens the index of `data` (an index built by another version is rebuilt).
    pub fn open(data: &DataDir) -> Result<LexicalIndex> {
        Ok(LexicalIndex {
            data: data.clone(),
            index: open_index(data)?,
        })
    }

    /// Applies every fact-check change the index has not seen; returns the store revision
    /// it now reflects and how many fact-checks changed.
    pub async fn sync<S: FactCheckStore>(&mut self, store: &S) -> Result<(i64, usize)> {
        let mut waited = Duration::ZERO;
        loop {
            match self.try_sync(store).await {
                Err(Error::Match(claimdesk_match::Error::Busy)) if waited < BUSY_WAIT => {
                    tokio::time::sleep(BUSY_STEP).await;
                    waited += BUSY_STEP;
                }
                other => return other,
            }
        }
    }

    async fn try_sync<S: FactCheckStore>(&mut self, store: &S) -> Result<(i64, usize)> {
        let store_rev = store.revision().await?;
        // The index on disk may be ahead of this process's reader (another process wrote).
        self.index.reload()?;
        let mut index_rev = self.index.revision()?;
        if index_rev > store_rev {
            // The store was replaced under the index: rebuild.
            self.reset()?;
            index_rev = 0;
        }
        if index_rev == store_rev {
            return Ok((store_rev, 0));
        }
        let changes = store.fact_checks_since(index_rev).await?;
        let n = changes.len();
        let changes = changes.into_iter().map(|c| index_change(c.fact_check));
        self.index.apply(changes, store_rev)?;
        Ok((store_rev, n))
    }

    /// Deletes the index and rebuilds it from the store; returns how many fact-checks.
    pub async fn rebuild<S: FactCheckStore>(&mut self, store: &S) -> Result<usize> {
        self.reset()?;
        Ok(self.sync(store).await?.1)
    }

    fn reset(&mut self) -> Result<()> {
        let dir = self.data.index_dir();
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        self.index = open_index(&self.data)?;
        Ok(())
    }

    /// Canonical fact-checks indexed.
    pub fn len(&self) -> u64 {
        self.index.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// A lexical matcher over the index as it is now.
    pub fn matcher(&self, settings: MatchSettings) -> Result<Matcher> {
        Ok(Matcher::new(&self.index, settings)?)
    }
}

fn open_index(data: &DataDir) -> Result<MatchIndex> {
    let dir = data.index_dir();
    match MatchIndex::open_or_create(&dir) {
        Err(claimdesk_match::Error::SchemaChanged(_)) => {
            // Derived state from another version: rebuild it.
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            Ok(MatchIndex::open_or_create(&dir)?)
        }
        other => Ok(other?),
    }
}

/// What the index does with a changed fact-check: an alias leaves it (its canonical
/// fact-check stands for it), so does a withdrawn one; anything else is indexed as it now
/// reads.
pub fn index_change(fc: StoredFactCheck) -> IndexChange {
    if fc.alias_of.is_some() || fc.withdrawn.is_some() {
        IndexChange::Remove(fc.id)
    } else {
        IndexChange::Upsert(IndexDoc {
            id: fc.id,
            claim: fc.fact_check.claim,
            headline: fc.fact_check.headline,
        })
    }
}
