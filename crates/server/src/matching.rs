//! The matcher seam: the server ranks fact-checks for a text through [`MatchService`], so the
//! binary decides which matcher (lexical, hybrid) and how many run at once.

use claimdesk_core::FactCheckId;

/// Ranks fact-checks for texts. Called on a blocking thread, so an implementation may take
/// a lock or do CPU-heavy work.
pub trait MatchService: Send + Sync + 'static {
    /// The `k` best fact-checks for `text`, best first, each with its explanation.
    fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>, MatchError>;
}

/// One ranked fact-check.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedMatch {
    /// The canonical fact-check.
    pub fact_check: FactCheckId,
    /// The score (higher is better).
    pub score: f32,
    /// Why it matched, in the JSON form the store keeps with stored matches
    /// (`claimdesk_match::Explanation`).
    pub explanation: serde_json::Value,
}

/// Ranking failed.
#[derive(Debug, thiserror::Error)]
#[error("matching failed: {0}")]
pub struct MatchError(pub String);
