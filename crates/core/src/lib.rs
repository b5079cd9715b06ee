//! Domain types of claimdesk: the fact-checks a desk has published, the items (posts,
//! articles) it watches, the matches between them, and the diagnostics that bad input yields;
//! the desk's users, roles and cases ([`desk`]), the case workflow ([`workflow`]) and the
//! hash-chained audit trail ([`audit`]) and its signed checkpoints ([`checkpoint`]); narratives, bursts, alerts and webhooks ([`monitor`]).
//!
//! This crate does no I/O (hashing and signing are computation; randomness and time come from the store).
//! Every other crate speaks in these types.

#![warn(missing_docs)]

pub mod audit;
pub mod checkpoint;
pub mod claims;
pub mod desk;
pub mod explanation;
pub mod monitor;
pub mod web;
pub mod workflow;

pub use audit::{AuditEvent, AuditProblem, AuditReport, ChainVerifier};
pub use checkpoint::{
    Checkpoint, CheckpointKey, CheckpointSigner, WitnessProblem, WitnessReport, WitnessVerifier,
    WitnessedCheckpoint,
};
pub use claims::{CheckWorthiness, ScoredSentence};
pub use desk::{
    Actor, ApiTokenId, Case, CaseId, CaseNote, CaseStatus, DeskFactCheck, EvidenceLink, Permission,
    Role, StatusChange, UnknownName, User, UserId,
};
pub use explanation::{Explanation, FeatureEffect, MatchField, Signal, Strength, TermHit};
pub use monitor::{
    Alert, AlertId, AlertRule, Burst, ImageJoin, JoinedBy, NarrativeCount, NarrativeId,
    NarrativeMember, WebhookId,
};
pub use web::web_url;
pub use workflow::{WorkflowError, next_statuses, transition};

use std::fmt;

use serde::{Deserialize, Serialize};

/// The store's own identifier of a fact-check (stable for the life of the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FactCheckId(pub i64);

impl fmt::Display for FactCheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fc-{}", self.0)
    }
}

/// The store's own identifier of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemId(pub i64);

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item-{}", self.0)
    }
}

/// The rating a fact-check gave the claim (schema.org `reviewRating`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// `ratingValue`, e.g. 1 on a scale of 1 to 5.
    pub value: Option<f64>,
    /// `bestRating`: the value that means "true".
    pub best: Option<f64>,
    /// `worstRating`: the value that means "false".
    pub worst: Option<f64>,
    /// `alternateName`: the verdict in words ("False", "Sai sự thật", "Misleading").
    pub label: Option<String>,
}

impl Rating {
    /// True when no part of the rating is known.
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.best.is_none() && self.worst.is_none() && self.label.is_none()
    }
}

/// A published fact-check: a claim someone made and the verdict a desk reached on it.
///
/// Mirrors schema.org `ClaimReview`; CSV and CLEF files fill the fields they have.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FactCheck {
    /// The identifier the fact-check has at its source: an explicit id column, else its URL,
    /// else a hash of its claim text. Importing twice with the same source id is a no-op.
    pub source_id: String,
    /// The claim that was checked (`claimReviewed`).
    pub claim: String,
    /// The fact-check's headline (`headline`, or the CLEF `title`).
    pub headline: Option<String>,
    /// The verdict (`reviewRating`).
    pub rating: Option<Rating>,
    /// Who made the claim (`itemReviewed.author.name`).
    pub claim_author: Option<String>,
    /// When the claim was made (`itemReviewed.datePublished`).
    pub claim_date: Option<String>,
    /// Where the claim appeared (`itemReviewed.appearance` URLs).
    pub appearances: Vec<String>,
    /// The organization or person who wrote the fact-check (`author.name`).
    pub author: Option<String>,
    /// When the fact-check was published (`datePublished`).
    pub date_published: Option<String>,
    /// The fact-check's own page (`url`).
    pub url: Option<String>,
    /// Language tag of the fact-check (`inLanguage`), e.g. `vi` or `en`.
    pub language: Option<String>,
    /// The verdict explained in a few sentences (`reviewBody`): what a desk's editor wrote,
    /// or what an imported record carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_body: Option<String>,
    /// The sources the verdict rests on, as http(s) URLs (`citation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<String>,
}

/// A fact-check as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredFactCheck {
    /// The store's id.
    pub id: FactCheckId,
    /// When this fact-check says the same as an earlier one (same normalized text), the id of
    /// that earlier, canonical fact-check. Aliases are not indexed; results list them with
    /// their canonical entry.
    pub alias_of: Option<FactCheckId>,
    /// The fact-check itself.
    pub fact_check: FactCheck,
    /// When and why it was withdrawn, if it was. A withdrawn fact-check is kept (its page
    /// and the audit trail stay) but no longer matched, listed or marked up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

/// A fact-check's withdrawal: the desk, or the publisher of an imported fact-check,
/// retracted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why, in the words of whoever withdrew it.
    pub reason: String,
}

/// A post or article the desk watches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The id the item has at its source (tweet id, article id). Optional.
    pub external_id: Option<String>,
    /// The text of the post or article.
    pub text: String,
    /// Where the item was published.
    pub url: Option<String>,
    /// When it was published, as given (ISO 8601 preferred).
    pub published_at: Option<String>,
    /// Where it came from: a platform, feed or partner name.
    pub source: Option<String>,
    /// Language tag when the source says it; otherwise detected.
    pub language: Option<String>,
}

/// An item as the store holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItem {
    /// The store's id.
    pub id: ItemId,
    /// The item.
    pub item: Item,
}

/// A problem with one record of an input file. Parsers return the good records together with
/// one diagnostic per bad record, so a bad row never loses the good ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The input file (or `-` for standard input).
    pub file: String,
    /// One-based line where the record starts (0 when the problem concerns the whole file).
    pub line: u64,
    /// The field at fault, when one is.
    pub field: Option<String>,
    /// What was wrong and, where it helps, what to do.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What happened to the records of one import or ingest run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// New records stored.
    pub added: u64,
    /// Records whose source id was known and whose content changed.
    pub updated: u64,
    /// Records already stored exactly as given.
    pub unchanged: u64,
    /// New fact-checks stored as aliases of an earlier one with the same normalized text.
    pub aliased: u64,
    /// Records rejected with a diagnostic.
    pub rejected: u64,
}

/// What kind of records an import run carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    /// Fact-checks (`claimdesk import`).
    FactChecks,
    /// Posts and articles (`claimdesk ingest`).
    Items,
}

impl ImportKind {
    /// The name stored in the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::FactChecks => "factchecks",
            ImportKind::Items => "items",
        }
    }
}
