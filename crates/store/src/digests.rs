//! The log of scheduled digests mailed (or not): one row per attempt, as the webhook
//! deliveries are logged, so a restarted desk neither mails a period twice nor forgets
//! where its retries stood.

use crate::Result;

/// One attempt to mail a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAttempt {
    /// `weekly` or `monthly`.
    pub kind: String,
    /// The period's first day (local, `YYYY-MM-DD`).
    pub period_from: String,
    /// Its last day (inclusive).
    pub period_to: String,
    /// The digest's language.
    pub language: String,
    /// How many recipients it was addressed to.
    pub recipients: u32,
    /// 1 for the first attempt at this period, then 2, 3, ...
    pub attempt: u32,
    /// Whether the SMTP server accepted it.
    pub sent: bool,
    /// Why it was not sent (the SMTP answer or the connection error; never a password).
    pub error: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// The digests' delivery log. Every method is one statement.
pub trait DigestStore: Send + Sync {
    /// Records an attempt.
    fn record_digest_attempt(&self, a: &DigestAttempt) -> impl Future<Output = Result<()>> + Send;

    /// The attempts at one digest (`kind`, first day), in order.
    fn digest_attempts(
        &self,
        kind: &str,
        period_from: &str,
    ) -> impl Future<Output = Result<Vec<DigestAttempt>>> + Send;

    /// The latest attempts, newest first, at most `limit`.
    fn recent_digest_attempts(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DigestAttempt>>> + Send;
}
