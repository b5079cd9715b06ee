//! Fact-checks and the revision the index follows: [`FactCheckStore`].

use claimdesk_core::{Actor, FactCheck, FactCheckId, ImportCounts, StoredFactCheck};

use crate::{ImportSource, Page, PageRequest, Result};

/// A fact-check about to be stored, with the key that groups identical ones.
#[derive(Debug, Clone)]
pub struct NewFactCheck {
    /// The fact-check.
    pub fact_check: FactCheck,
    /// Equal keys mean the same normalized text (see `claimdesk_text::duplicate_key`).
    pub duplicate_key: String,
}

/// A fact-check changed since some revision, as the index needs it.
#[derive(Debug, Clone)]
pub struct FactCheckChange {
    /// The fact-check now.
    pub fact_check: StoredFactCheck,
    /// The revision of its last change.
    pub revision: i64,
}

/// The fact-checks the index is built from, and the revision that tells the index what changed.
///
/// Every method is one transaction.
pub trait FactCheckStore: Send + Sync {
    /// Stores fact-checks (added, updated or unchanged by source id) and logs the import.
    /// Fact-checks sharing a duplicate key become aliases of the earliest one.
    fn save_fact_checks(
        &self,
        batch: &[NewFactCheck],
        source: ImportSource<'_>,
    ) -> impl Future<Output = Result<ImportCounts>> + Send;

    /// The current fact-check revision (0 for an empty store).
    fn revision(&self) -> impl Future<Output = Result<i64>> + Send;

    /// Every fact-check changed after `revision`, in id order. Withdrawn ones are among
    /// them (with `withdrawn` set) so that what follows the store removes them; unpublished
    /// drafts are not.
    fn fact_checks_since(
        &self,
        revision: i64,
    ) -> impl Future<Output = Result<Vec<FactCheckChange>>> + Send;

    /// Every fact-check in force (published, not withdrawn), in id order.
    fn fact_checks(&self) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// The id of the fact-check with this source id (the key its import gave it), if any.
    fn fact_check_id(
        &self,
        source_id: &str,
    ) -> impl Future<Output = Result<Option<FactCheckId>>> + Send;

    /// The fact-checks with these ids (unknown ids are left out), in id order.
    fn fact_checks_by_id(
        &self,
        ids: &[FactCheckId],
    ) -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// The aliases of a canonical fact-check, in id order (withdrawn ones are no one's
    /// alias).
    fn aliases(&self, id: FactCheckId)
    -> impl Future<Output = Result<Vec<StoredFactCheck>>> + Send;

    /// Fact-checks whose claim or headline contains `text` (all when `None`), newest
    /// publication first.
    fn search_fact_checks(
        &self,
        text: Option<&str>,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<StoredFactCheck>>> + Send;

    /// Withdraws a published fact-check (admins only): it is kept, with when and why
    /// (`reason`, required) it was withdrawn, but leaves matching, duplicate groups (an
    /// alias of it becomes canonical), public lists and feeds. It takes the next revision,
    /// so the index removes it and the items matched to it are matched again; the audit
    /// event `factcheck.withdraw` records it. Refused with [`Error::NoWithdrawalReason`]
    /// for a blank reason, [`Error::AlreadyWithdrawn`] the second time, `NotFound` for an
    /// unknown id and `Conflict` for an unpublished draft. Returns the fact-check withdrawn.
    ///
    /// [`Error::NoWithdrawalReason`]: crate::Error::NoWithdrawalReason
    /// [`Error::AlreadyWithdrawn`]: crate::Error::AlreadyWithdrawn
    fn withdraw_fact_check(
        &self,
        id: FactCheckId,
        actor: Actor,
        reason: &str,
    ) -> impl Future<Output = Result<StoredFactCheck>> + Send;

    /// Number of fact-checks in force (canonical and aliases) and items stored.
    fn counts(&self) -> impl Future<Output = Result<(u64, u64)>> + Send;
}

/// The reason a withdrawal records, trimmed; a blank one is refused
/// ([`Error::NoWithdrawalReason`](crate::Error::NoWithdrawalReason)), on either backend.
pub(crate) fn withdrawal_reason(reason: &str) -> crate::Result<&str> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(crate::Error::NoWithdrawalReason);
    }
    Ok(reason)
}
