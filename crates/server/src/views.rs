//! The server's own response types, converted from core and store types. The API serializes
//! them; the templates read them.

use std::collections::HashMap;

use claimdesk_core::{Explanation, FactCheckId, StoredFactCheck, StoredItem, Strength};
use claimdesk_store::{FactCheckStore, StoredMatch};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use claimdesk_engine::RankedMatch;

/// A post or article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    /// The store's id.
    pub id: i64,
    /// The id at its source.
    pub external_id: Option<String>,
    /// The text.
    pub text: String,
    /// Where it was published, as given (not necessarily a web address).
    pub url: Option<String>,
    /// When it was published, as given.
    pub published_at: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Language tag.
    pub language: Option<String>,
}

impl From<StoredItem> for ItemView {
    fn from(s: StoredItem) -> Self {
        ItemView {
            id: s.id.0,
            external_id: s.item.external_id,
            text: s.item.text,
            url: s.item.url,
            published_at: s.item.published_at,
            source: s.item.source,
            language: s.item.language,
        }
    }
}

impl ItemView {
    /// The URL when it is safe to link: an `http` or `https` address.
    pub fn link(&self) -> Option<&str> {
        self.url.as_deref().and_then(web_link)
    }
}

/// `url` if it is an absolute `http:` or `https:` address without spaces or control
/// characters; anything else (`javascript:`, `data:`, relative paths) is shown as text only.
pub fn web_link(url: &str) -> Option<&str> {
    claimdesk_core::web_url(url)
}

/// The verdict of a fact-check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerdictView {
    /// The verdict in words ("False", "Sai sự thật").
    pub label: Option<String>,
    /// The rating value.
    pub value: Option<f64>,
    /// The value that means "true".
    pub best: Option<f64>,
    /// The value that means "false".
    pub worst: Option<f64>,
}

/// A fact-check in full.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactCheckView {
    /// The store's id.
    pub id: i64,
    /// Its id at its source.
    pub source_id: String,
    /// The claim that was checked.
    pub claim: String,
    /// The headline.
    pub headline: Option<String>,
    /// The verdict.
    pub verdict: Option<VerdictView>,
    /// Who made the claim.
    pub claim_author: Option<String>,
    /// When the claim was made.
    pub claim_date: Option<String>,
    /// Where the claim appeared.
    pub appearances: Vec<String>,
    /// Who wrote the fact-check.
    pub author: Option<String>,
    /// When it was published.
    pub date_published: Option<String>,
    /// Its page.
    pub url: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// The canonical fact-check this one repeats, if it is an alias.
    pub alias_of: Option<i64>,
    /// When and why it was withdrawn; absent while it stands. A withdrawn fact-check is
    /// no longer matched, listed publicly or marked up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<WithdrawalView>,
}

/// `POST /api/factchecks/{id}/withdraw`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WithdrawRequest {
    /// Why it is withdrawn (required; its public page shows it).
    pub reason: String,
}

/// A fact-check's withdrawal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WithdrawalView {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why.
    pub reason: String,
}

impl From<StoredFactCheck> for FactCheckView {
    fn from(s: StoredFactCheck) -> Self {
        let f = s.fact_check;
        FactCheckView {
            id: s.id.0,
            source_id: f.source_id,
            claim: f.claim,
            headline: f.headline,
            verdict: f.rating.map(|r| VerdictView {
                label: r.label,
                value: r.value,
                best: r.best,
                worst: r.worst,
            }),
            claim_author: f.claim_author,
            claim_date: f.claim_date,
            appearances: f.appearances,
            author: f.author,
            date_published: f.date_published,
            url: f.url,
            language: f.language,
            alias_of: s.alias_of.map(|a| a.0),
            withdrawn: s.withdrawn.map(|w| WithdrawalView {
                at: w.at,
                reason: w.reason,
            }),
        }
    }
}

impl FactCheckView {
    /// The verdict label, if any.
    pub fn verdict_label(&self) -> Option<&str> {
        self.verdict.as_ref().and_then(|v| v.label.as_deref())
    }

    /// The URL when it is safe to link.
    pub fn link(&self) -> Option<&str> {
        self.url.as_deref().and_then(web_link)
    }
}

/// The fact-check side of a match, short.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactCheckSummary {
    /// The store's id.
    pub id: i64,
    /// The claim that was checked.
    pub claim: String,
    /// The headline.
    pub headline: Option<String>,
    /// The verdict in words.
    pub verdict: Option<String>,
    /// The fact-check's page.
    pub url: Option<String>,
    /// Language tag.
    pub language: Option<String>,
}

impl From<&StoredFactCheck> for FactCheckSummary {
    fn from(s: &StoredFactCheck) -> Self {
        let f = &s.fact_check;
        FactCheckSummary {
            id: s.id.0,
            claim: f.claim.clone(),
            headline: f.headline.clone(),
            verdict: f.rating.as_ref().and_then(|r| r.label.clone()),
            url: f.url.clone(),
            language: f.language.clone(),
        }
    }
}

/// A ranked fact-check with its explanation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchView {
    /// Rank, 1 = best.
    pub rank: u32,
    /// The score (higher is better).
    pub score: f32,
    /// The fact-check.
    pub fact_check: FactCheckSummary,
    /// Why it matched.
    pub why: Explanation,
}

/// One match before its fact-check is looked up.
pub(crate) struct RawMatch {
    pub fact_check: FactCheckId,
    pub rank: u32,
    pub score: f32,
    pub explanation: Explanation,
}

impl From<StoredMatch> for RawMatch {
    fn from(m: StoredMatch) -> Self {
        RawMatch {
            fact_check: m.fact_check,
            rank: m.rank,
            score: m.score,
            explanation: m.explanation,
        }
    }
}

impl RawMatch {
    /// The `i`th match the ranker returned.
    pub(crate) fn ranked(i: usize, m: RankedMatch) -> Self {
        RawMatch {
            fact_check: m.fact_check,
            rank: i as u32 + 1,
            score: m.score,
            explanation: m.explanation,
        }
    }
}

/// Looks up the fact-checks of `matches` in one query and pairs them up, in order (`None`
/// where the fact-check is gone).
pub(crate) async fn resolve_each(
    store: &impl FactCheckStore,
    matches: Vec<RawMatch>,
) -> Result<Vec<Option<MatchView>>, ApiError> {
    let ids: Vec<FactCheckId> = matches.iter().map(|m| m.fact_check).collect();
    let found: HashMap<FactCheckId, StoredFactCheck> = store
        .fact_checks_by_id(&ids)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    Ok(matches
        .into_iter()
        .map(|m| {
            let fc = found.get(&m.fact_check)?;
            Some(MatchView {
                rank: m.rank,
                score: m.score,
                fact_check: fc.into(),
                why: m.explanation,
            })
        })
        .collect())
}

/// [`resolve_each`] without the matches whose fact-check is gone.
pub(crate) async fn resolve(
    store: &impl FactCheckStore,
    matches: Vec<RawMatch>,
) -> Result<Vec<MatchView>, ApiError> {
    Ok(resolve_each(store, matches)
        .await?
        .into_iter()
        .flatten()
        .collect())
}

/// An item of the queue with its best match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueEntryView {
    /// The item.
    pub item: ItemView,
    /// Its best match, if any.
    pub top_match: Option<MatchView>,
    /// The status of its case, if it has one.
    pub case_status: Option<String>,
    /// Its check-worthiness in [0, 1] (its best sentence's), if it was scored.
    pub check_worthiness: Option<f32>,
    /// True when it was scored below the match threshold and so not matched.
    pub below_threshold: bool,
}

/// Where a page of a list is in the whole list.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PageInfo {
    /// Entries in the whole list; when `total_exact` is false, the list has at least this
    /// many (a filtered queue is counted up to 1,000, not to its end).
    pub total: u64,
    /// False when counting stopped before the end of the list.
    pub total_exact: bool,
    /// This page's number, from 1.
    pub page: u64,
    /// Entries per page.
    pub per_page: u32,
    /// Number of pages (at least 1; at least this many when `total_exact` is false).
    pub pages: u64,
}

impl PageInfo {
    /// Where `page` of `per_page` entries, `shown` of them on it, stands in a list of
    /// `total` entries (`exact` false: at least `total`).
    pub(crate) fn new(total: u64, exact: bool, page: u64, per_page: u32, shown: usize) -> Self {
        let pages = total.div_ceil(u64::from(per_page)).max(1);
        // A full page of a list counted only in part may have a next one.
        let pages = if exact || shown < per_page as usize {
            pages
        } else {
            pages.max(page + 1)
        };
        PageInfo {
            total,
            total_exact: exact,
            page,
            per_page,
            pages,
        }
    }
}

/// A page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemList {
    /// The items, newest publication first.
    pub items: Vec<QueueEntryView>,
    /// Where this page is.
    pub paging: PageInfo,
}

/// An item with its ranked matches.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemDetail {
    /// The item.
    pub item: ItemView,
    /// Its stored matches, best first.
    pub matches: Vec<MatchView>,
    /// Its sentences scored for check-worthiness, if it was scored.
    pub check_worthiness: Option<CheckWorthinessView>,
}

/// How check-worthy an item is, sentence by sentence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckWorthinessView {
    /// The best sentence's score in [0, 1].
    pub score: f32,
    /// Whether the score reached the desk's match threshold (items below it are not matched).
    pub matched: bool,
    /// `cues+embedding` (with the model) or `cues`.
    pub scorer: String,
    /// Every sentence with its score, in text order.
    pub sentences: Vec<SentenceView>,
}

/// One scored sentence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentenceView {
    /// The sentence.
    pub text: String,
    /// Its check-worthiness in [0, 1].
    pub score: f32,
}

impl CheckWorthinessView {
    /// The view of `cw`, computed from `text`.
    pub(crate) fn new(cw: claimdesk_core::CheckWorthiness, text: &str) -> Self {
        CheckWorthinessView {
            score: cw.score,
            matched: cw.matched,
            sentences: cw
                .sentences
                .iter()
                .filter_map(|s| {
                    Some(SentenceView {
                        text: text.get(s.start..s.end)?.to_string(),
                        score: s.score,
                    })
                })
                .collect(),
            scorer: cw.scorer,
        }
    }
}

/// A page of fact-checks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactCheckList {
    /// The fact-checks, newest publication first.
    pub fact_checks: Vec<FactCheckView>,
    /// Where this page is.
    pub paging: PageInfo,
}

/// A fact-check with the fact-checks that repeat it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FactCheckDetail {
    /// The fact-check.
    pub fact_check: FactCheckView,
    /// Its aliases: later fact-checks with the same normalized text.
    pub aliases: Vec<FactCheckView>,
}

/// A text to rank fact-checks for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    /// The text (a post, a claim): 1 to 20,000 characters, not all white space.
    #[schema(min_length = 1, max_length = 20_000)]
    pub text: String,
    /// How many fact-checks, 1 to 50 (default 5).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 50)]
    pub top: Option<u32>,
}

/// The fact-checks ranked for a text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchResponse {
    /// `match` when the top fact-check answers the text (confident or a suggestion),
    /// `no_match` when the match verifier found none does (the matches are then only the
    /// nearest fact-checks), `unverified` without the semantic model (lexical ranking only).
    pub outcome: MatchOutcome,
    /// Best first.
    pub matches: Vec<MatchView>,
}

/// What `POST /api/match` found, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchOutcome {
    /// The top fact-check answers the text (see its `why.strength`).
    Match,
    /// No fact-check matches this: the ones listed are only the nearest.
    NoMatch,
    /// Ranked lexically, without the match verifier: read the scores.
    Unverified,
}

impl MatchOutcome {
    /// The outcome of a ranked list.
    pub fn of(matches: &[MatchView]) -> MatchOutcome {
        match matches.first().map(|m| m.why.strength) {
            None => MatchOutcome::NoMatch,
            Some(None) => MatchOutcome::Unverified,
            Some(Some(Strength::Nearest)) => MatchOutcome::NoMatch,
            Some(Some(_)) => MatchOutcome::Match,
        }
    }
}

/// The store's health.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// Fact-checks stored.
    pub fact_checks: u64,
    /// Items stored.
    pub items: u64,
    /// The store's fact-check revision.
    pub store_revision: i64,
    /// The fact-check revision this process's ranker serves (`null` before its first
    /// use); it follows the store within `[index] poll_ms`.
    pub served_revision: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::web_link;

    #[test]
    fn only_web_addresses_are_links() {
        for ok in ["https://a.example/x?y=1", "HTTP://a.example"] {
            assert_eq!(web_link(ok), Some(ok));
        }
        for bad in [
            "javascript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>",
            "//evil.example",
            "/relative",
            "https://",
            "https://a.example/\u{0}x",
            "https://a b",
            "ftp://x",
        ] {
            assert_eq!(web_link(bad), None, "{bad}");
        }
    }
}
