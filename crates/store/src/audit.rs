//! The audit trail and the import log: [`AuditStore`].

use claimdesk_core::{Actor, AuditEvent, AuditReport, Diagnostic, ImportCounts};

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
}
