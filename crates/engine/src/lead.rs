//! Whether this process leads: holds the store's lead ([`LeadStore::try_lead`]), so it does
//! the work that must have one writer when several processes share a database (narratives
//! and alert rules, source polling, webhook and digest deliveries, audit checkpoints, the
//! look-back). On SQLite the process at hand always leads.
//!
//! Layer 2: imports `error` and `data`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use claimdesk_store::{Lead, LeadStore};

use crate::data::StoreHandle;
use crate::error::Result;

/// This process's hold on the lead, shared by the pipeline and the background jobs.
#[derive(Debug, Default)]
pub struct Leadership {
    lead: tokio::sync::Mutex<Option<Lead>>,
    held: AtomicBool,
    /// How many times the lead was taken: state built while another process led (the
    /// monitor's narratives in memory) is stale once this moves.
    taken: AtomicU64,
}

impl Leadership {
    /// Whether this process led when last checked ([`Leadership::check`]).
    pub fn held(&self) -> bool {
        self.held.load(Ordering::Acquire)
    }

    /// How many times this process has taken the lead.
    pub fn taken(&self) -> u64 {
        self.taken.load(Ordering::Acquire)
    }

    /// Checks the lead: still held when this process had it and its connection answers;
    /// otherwise taken when no other process holds it. Returns whether it is held now.
    pub async fn check(&self, store: &StoreHandle) -> Result<bool> {
        let mut lead = self.lead.lock().await;
        if let Some(held) = lead.as_mut()
            && held.holds().await
        {
            return Ok(true);
        }
        if lead.take().is_some() {
            self.held.store(false, Ordering::Release);
            tracing::warn!(target: "desk::lead", "lost the lead (its connection to the database)");
        }
        match store.try_lead().await {
            Ok(Some(new)) => {
                *lead = Some(new);
                self.taken.fetch_add(1, Ordering::AcqRel);
                self.held.store(true, Ordering::Release);
                tracing::info!(target: "desk::lead", "took the lead");
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
