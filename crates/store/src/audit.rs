//! The audit trail, its signed checkpoints and the import log: [`AuditStore`].

use claimdesk_core::{
    Actor, AuditEvent, AuditReport, Checkpoint, Diagnostic, ImportCounts, WitnessedCheckpoint,
};

use crate::Result;

/// Where a batch came from, for the audit log.
#[derive(Debug, Clone)]
pub struct ImportSource<'a> {
    /// The file (as the user named it).
    pub file: &'a str,
    /// The format it was read as.
    pub format: &'a str,
    /// Records the parser rejected, stored with the audit entry.
    pub diagnostics: &'a [Diagnostic],
    /// Who ran it, for the audit trail.
    pub actor: Actor,
}

/// One entry of the import audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    /// The entry's id.
    pub id: i64,
    /// Fact-checks or items.
    pub kind: String,
    /// The file imported.
    pub file: String,
    /// Its format.
    pub format: String,
    /// When the import ran (UTC, RFC 3339).
    pub started_at: String,
    /// What happened to its records.
    pub counts: ImportCounts,
}

/// Which audit events to list, oldest first.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    /// Only events about this subject (`case:12`, `user:3`).
    pub subject: Option<String>,
    /// Only events after this seq (0: from the start).
    pub after: i64,
    /// At most this many.
    pub limit: u32,
}

impl Default for AuditFilter {
    fn default() -> Self {
        AuditFilter {
            subject: None,
            after: 0,
            limit: 100,
        }
    }
}

/// What a privacy check found, in numbers only (issue 21): the audit records that a check
/// ran and these counts, never what was checked or found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrivacyCheckCounts {
    /// Texts checked (0 or 1).
    pub texts: u32,
    /// Images checked.
    pub images: u32,
    /// Findings of every severity.
    pub findings: u32,
    /// Findings of high severity.
    pub high: u32,
    /// Parts whose check could not be completed (an image refused, unreadable metadata).
    pub incomplete: u32,
}

impl PrivacyCheckCounts {
    /// The counts as the audit event's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "texts": self.texts,
            "images": self.images,
            "findings": self.findings,
            "high": self.high,
            "incomplete": self.incomplete,
        })
    }
}

/// The hash-chained audit trail and the import log.
///
/// Every method is one transaction.
pub trait AuditStore: Send + Sync {
    /// Audit events matching `filter`, oldest first.
    fn audit_events(
        &self,
        filter: &AuditFilter,
    ) -> impl Future<Output = Result<Vec<AuditEvent>>> + Send;

    /// Recomputes the whole chain and reports the first event that was edited, deleted or
    /// is missing from the end.
    fn verify_audit(&self) -> impl Future<Output = Result<AuditReport>> + Send;

    /// The import audit log, oldest first.
    fn imports(&self) -> impl Future<Output = Result<Vec<ImportRecord>>> + Send;

    /// The last stored event's `(seq, hash)`: the head a checkpoint signs.
    fn audit_head(&self) -> impl Future<Output = Result<Option<(i64, String)>>> + Send;

    /// The chain hashes of events `after + 1 ..= upto`, as `(seq, hash)` in `seq` order.
    fn audit_hashes(
        &self,
        after: i64,
        upto: i64,
    ) -> impl Future<Output = Result<Vec<(i64, String)>>> + Send;

    /// Stores a signed checkpoint (not itself an audit event: it would move the head it
    /// signs). False when one for that `seq` was stored already.
    fn save_audit_checkpoint(
        &self,
        checkpoint: &Checkpoint,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The stored checkpoints, oldest first.
    fn audit_checkpoints(&self) -> impl Future<Output = Result<Vec<Checkpoint>>> + Send;

    /// Records that `actor` (any enabled user, or the command line) ran a privacy check,
    /// with its counts only (`privacy.check`); returns the event's seq.
    fn record_privacy_check(
        &self,
        actor: Actor,
        counts: &PrivacyCheckCounts,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// Records that reviewer `user` publishes case `case` despite what its privacy check
    /// found (`counts`), and why (`privacy.override` on `case:ID`; reviewers and admins, a
    /// reason required); returns the event's seq.
    fn record_privacy_override(
        &self,
        case: claimdesk_core::CaseId,
        user: claimdesk_core::UserId,
        reason: &str,
        counts: &PrivacyCheckCounts,
    ) -> impl Future<Output = Result<i64>> + Send;
}

/// The stored checkpoints as a witness copies them: each with the chain hashes of the events
/// since the one before (`claimdesk audit checkpoints`, and the well-known URL). Events
/// between the last checkpoint and the head are not listed: nothing has signed them yet.
pub async fn witnessed_checkpoints(store: &impl AuditStore) -> Result<Vec<WitnessedCheckpoint>> {
    let mut out = Vec::new();
    let mut since = 0;
    for checkpoint in store.audit_checkpoints().await? {
        let hashes = store
            .audit_hashes(since, checkpoint.seq)
            .await?
            .into_iter()
            .map(|(_, hash)| hash)
            .collect();
        let next = checkpoint.seq;
        out.push(WitnessedCheckpoint {
            checkpoint,
            since,
            hashes,
        });
        since = next;
    }
    Ok(out)
}
