//! What claimdesk watches for: narratives (items that say the same thing), the copy-paste
//! burst signal, alerts and the webhooks alerts go to.
//!
//! claimdesk detects and shows a copy-paste flood; it never posts, comments, reports or
//! contacts anyone about it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{FactCheckId, ItemId, UnknownName};

/// The store's identifier of a narrative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NarrativeId(pub i64);

impl fmt::Display for NarrativeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "narrative-{}", self.0)
    }
}

/// The store's identifier of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlertId(pub i64);

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alert-{}", self.0)
    }
}

/// The store's identifier of a webhook endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WebhookId(pub i64);

impl fmt::Display for WebhookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook-{}", self.0)
    }
}

/// How an item joined its narrative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinedBy {
    /// It started the narrative.
    Seed,
    /// Its fingerprint is near an earlier member's: a copy or a light edit.
    Fingerprint,
    /// Its embedding is near the narrative's centroid: the same thing in other words.
    Embedding,
    /// One of its images is a near-duplicate of an earlier member's ([`ImageJoin`]): the
    /// same picture re-shared, perhaps cropped, framed or captioned anew.
    Image,
}

/// Why an item joined its narrative by image: the earlier item whose image one of its images
/// is a near-duplicate of, and how near.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageJoin {
    /// The earlier item.
    pub item: ItemId,
    /// Bits of 256 that differ between the two images' near-duplicate hashes.
    pub distance: u32,
}

impl JoinedBy {
    /// The name stored and shown (`seed`, `fingerprint`, `embedding`, `image`).
    pub fn as_str(self) -> &'static str {
        match self {
            JoinedBy::Seed => "seed",
            JoinedBy::Fingerprint => "fingerprint",
            JoinedBy::Embedding => "embedding",
            JoinedBy::Image => "image",
        }
    }

    /// Whether the item is a near-identical copy (counts toward a copy-paste burst): a
    /// re-shared picture is one, whatever words go with it.
    pub fn is_near_identical(self) -> bool {
        matches!(
            self,
            JoinedBy::Seed | JoinedBy::Fingerprint | JoinedBy::Image
        )
    }
}

impl FromStr for JoinedBy {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<JoinedBy, UnknownName> {
        match s {
            "seed" => Ok(JoinedBy::Seed),
            "fingerprint" => Ok(JoinedBy::Fingerprint),
            "embedding" => Ok(JoinedBy::Embedding),
            "image" => Ok(JoinedBy::Image),
            _ => Err(UnknownName {
                what: "join kind",
                value: s.to_string(),
                expected: "seed, fingerprint, embedding, image",
            }),
        }
    }
}

/// One item of a narrative on its time line: when it appeared and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrativeMember {
    /// The item.
    pub item: ItemId,
    /// When it appeared, Unix seconds: its `published_at`, else when it was ingested.
    pub at: i64,
    /// Its source (platform, feed, partner), if known.
    pub source: Option<String>,
    /// How it joined.
    pub joined_by: JoinedBy,
}

/// A copy-paste burst: many near-identical items from many sources in a short window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Burst {
    /// Start of the window (Unix seconds, the first item's time).
    pub window_start: i64,
    /// End of the window (Unix seconds, the last item's time).
    pub window_end: i64,
    /// Near-identical items in the window.
    pub items: u32,
    /// Distinct sources among them.
    pub sources: u32,
    /// The evidence: each item of the window with its time and source, in time order.
    pub evidence: Vec<NarrativeMember>,
}

/// The rules that raise alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertRule {
    /// A new item matches a fact-check rated false, confidently.
    FalseMatch,
    /// A narrative shows a copy-paste burst.
    Burst,
    /// A narrative grows faster than the configured rate.
    Growth,
    /// A narrative that alerted has grown to 10×, 100×, 1,000×, ... the items it held when it
    /// first alerted.
    Escalation,
}

impl AlertRule {
    /// Every rule.
    pub const ALL: [AlertRule; 4] = [
        AlertRule::FalseMatch,
        AlertRule::Burst,
        AlertRule::Growth,
        AlertRule::Escalation,
    ];

    /// The name stored, shown and sent (`false_match`, `burst`, `growth`, `escalation`).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertRule::FalseMatch => "false_match",
            AlertRule::Burst => "burst",
            AlertRule::Growth => "growth",
            AlertRule::Escalation => "escalation",
        }
    }
}

impl fmt::Display for AlertRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertRule {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<AlertRule, UnknownName> {
        AlertRule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "alert rule",
                value: s.to_string(),
                expected: "false_match, burst, growth, escalation",
            })
    }
}

/// How big a narrative was, and over what time, when an alert about it was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NarrativeCount {
    /// Items in the narrative.
    pub items: u32,
    /// Its first item's time (Unix seconds).
    pub first_seen: i64,
    /// Its latest item's time (Unix seconds).
    pub last_seen: i64,
}

/// An alert as stored: one per rule and subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Its id.
    pub id: AlertId,
    /// The rule that raised it.
    pub rule: AlertRule,
    /// What it is about: `narrative:ID` (`narrative:ID:xM` for the escalation to M times),
    /// or `item:ID` for the false-match alerts raised per item before alerts were per story.
    pub subject: String,
    /// The item, for item alerts; for a false match, the narrative's item that raised it.
    pub item: Option<ItemId>,
    /// The narrative, for narrative alerts.
    pub narrative: Option<NarrativeId>,
    /// The narrative's size when the alert was raised (alerts raised per item have none).
    #[serde(default)]
    pub count: Option<NarrativeCount>,
    /// The fact-check matched, for false-match alerts.
    pub fact_check: Option<FactCheckId>,
    /// One line saying what happened.
    pub summary: String,
    /// The details (scores, the burst's evidence, the rate), as JSON.
    pub details: serde_json::Value,
    /// When it was raised (RFC 3339, UTC).
    pub created_at: String,
}
