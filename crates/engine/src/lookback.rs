//! Looking back: when fact-checks are added, corrected or published, the items already
//! stored are matched against them, so a verdict answers the posts that came before it;
//! when one is withdrawn, the items matched to it are matched again without it.
//!
//! The changed fact-checks are put in a small index of their own and every item of the
//! window is run against it as a query (cheap: a few postings); the items it finds, and
//! the items already matched to a changed fact-check, go through the pipeline again
//! (check-worthiness, ranking against every fact-check, matches stored, narratives and the
//! alert rules), so they end exactly as if they had been ingested after the change.
//!
//! Layer 3: imports `index`, `pipeline` and `error`.

use claimdesk_core::{ItemId, StoredFactCheck};
use claimdesk_match::{MatchIndex, MatchSettings, Matcher};
use claimdesk_store::prelude::*;

use crate::error::{Error, Result};
use crate::index::index_change;
use crate::pipeline::{Pipeline, Report};

/// Items read per page while scanning the window.
const PAGE: u32 = 2000;

/// What a look-back did.
#[derive(Debug, Default)]
pub struct LookBack {
    /// Items of the window scanned.
    pub scanned: usize,
    /// Items matched again (found by a changed fact-check, or matched to one before).
    pub rematched: Vec<ItemId>,
    /// The pipeline's report on them.
    pub report: Report,
}

/// Which items to look at.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    /// Items stored since this time (Unix seconds).
    Since(i64),
    /// Every stored item.
    All,
}

/// Matches the items of `window` that `changed` may answer, and the items matched to
/// them before, again. With `changed` empty, every item of the window is matched again
/// (`claimdesk rematch`).
pub async fn look_back(
    store: &impl Store,
    pipeline: &Pipeline,
    changed: &[StoredFactCheck],
    window: Window,
    progress: bool,
) -> Result<LookBack> {
    let first = match window {
        Window::All => Some(ItemId(1)),
        Window::Since(t) => store.first_item_since(t).await?,
    };
    let mut out = LookBack::default();
    let mut candidates: Vec<ItemId> = if changed.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<_> = changed.iter().map(|f| f.id).collect();
        store.items_matched_to(&ids).await?
    };
    let probe = Probe::new(changed)?;
    // Only aliases changed, or fact-checks were withdrawn: the items matched to them are
    // all there is to redo.
    let scan = changed.is_empty() || probe.is_some();
    if let Some(first) = first.filter(|_| scan) {
        let mut after = ItemId(first.0 - 1);
        loop {
            let page = store.items(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            out.scanned += page.len();
            for item in &page {
                if probe.as_ref().is_none_or(|p| p.hits(&item.item.text)) {
                    candidates.push(item.id);
                }
            }
        }
    }
    candidates.sort();
    candidates.dedup();
    if !candidates.is_empty() {
        out.report = pipeline.process(&candidates, progress).await?;
    }
    tracing::info!(
        target: "match::lookback",
        changed = changed.len(),
        scanned = out.scanned,
        rematched = candidates.len(),
        "looked back"
    );
    out.rematched = candidates;
    Ok(out)
}

/// The changed fact-checks as a small index, to find the items that may repeat them.
struct Probe {
    matcher: Matcher,
    _dir: tempfile::TempDir,
}

impl Probe {
    /// `None` when there is nothing to probe with (every item is a candidate).
    fn new(changed: &[StoredFactCheck]) -> Result<Option<Probe>> {
        let docs: Vec<_> = changed
            .iter()
            .filter(|f| f.alias_of.is_none() && f.withdrawn.is_none())
            .cloned()
            .map(index_change)
            .collect();
        if docs.is_empty() {
            return Ok(None);
        }
        let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let mut index = MatchIndex::open_or_create(dir.path())?;
        index.apply(docs, 1)?;
        Ok(Some(Probe {
            matcher: Matcher::new(&index, MatchSettings::default())?,
            _dir: dir,
        }))
    }

    /// Whether `text` shares enough with a changed fact-check to be ranked again: a
    /// near-duplicate, or words of the claim.
    fn hits(&self, text: &str) -> bool {
        self.matcher
            .rank(text, 1, false)
            .is_ok_and(|m| m.first().is_some_and(|m| m.score > 0.0))
    }
}
