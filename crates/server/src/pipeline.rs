//! What happens to items once `POST /api/items` has stored them. The desk's intake pipeline
//! (check-worthiness, matching, narratives and alerts) is the binary's; the server reaches it
//! through [`ItemPipeline`], and without one matches every item as `claimdesk match` would.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use claimdesk_core::ItemId;
use claimdesk_store::{SqliteStore, Store, StoredMatch};

use crate::matching::{MatchError, MatchService};

/// How many fact-checks are kept per stored item (as `claimdesk ingest` keeps).
pub const STORED_MATCHES: usize = 5;

/// What processing stored items did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Processed {
    /// Items with at least one candidate fact-check (their top matches are stored).
    pub matched: u64,
    /// Items scored below the check-worthiness threshold, so not matched.
    pub below_threshold: u64,
    /// Alerts raised.
    pub alerts: u64,
}

/// The future [`ItemPipeline::process`] returns.
pub type ProcessFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Processed, MatchError>> + Send + 'a>>;

/// Processes items just stored (in the order given): whatever the desk does between storing
/// an item and showing it in the queue.
pub trait ItemPipeline: Send + Sync + 'static {
    /// Processes `items`, already stored.
    fn process<'a>(&'a self, items: &'a [ItemId]) -> ProcessFuture<'a>;
}

/// The pipeline of a server given none: every item ranked by the [`MatchService`] and its
/// top matches stored.
pub(crate) struct MatchEvery {
    pub(crate) store: SqliteStore,
    pub(crate) matcher: Arc<dyn MatchService>,
}

impl ItemPipeline for MatchEvery {
    fn process<'a>(&'a self, items: &'a [ItemId]) -> ProcessFuture<'a> {
        Box::pin(async move {
            let internal = |e: claimdesk_store::Error| MatchError(e.to_string());
            let mut done = Processed::default();
            for &id in items {
                let Some(item) = self.store.item(id).await.map_err(internal)? else {
                    continue;
                };
                let matcher = Arc::clone(&self.matcher);
                let text = item.item.text;
                let ranked =
                    tokio::task::spawn_blocking(move || matcher.rank(&text, STORED_MATCHES))
                        .await
                        .map_err(|e| MatchError(e.to_string()))??;
                if !ranked.is_empty() {
                    done.matched += 1;
                }
                let stored = StoredMatch::ranked(
                    ranked
                        .into_iter()
                        .map(|m| (m.fact_check, m.score, m.explanation)),
                );
                self.store
                    .save_matches(id, &stored)
                    .await
                    .map_err(internal)?;
            }
            Ok(done)
        })
    }
}
