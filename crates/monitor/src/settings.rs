//! The monitor's settings, as `claimdesk.toml` gives them:
//!
//! ```toml
//! [narratives]
//! max_distance = 7        # SimHash bits (of 64) within which two items are near-identical
//! min_jaccard = 0.5       # ...or this share of word 3-shingles in common (MinHash estimate)
//! min_cosine = 0.92       # embedding similarity that joins a narrative (with the model)
//! burst_items = 20        # N: a burst is >= N near-identical items
//! burst_sources = 10      # M: from >= M distinct sources
//! burst_minutes = 30      # T: within T minutes (by published_at, else ingest time)
//! resident_narratives = 20000  # narratives held in memory; older ones wait in the store
//!
//! [alerts]
//! false_match_min_score = 0.8   # a false-rated match alerts at this reranker probability
//! false_match_min_lexical = 20  # ...or, ranked lexically (no model), at this BM25 score
//! false_rating_max = 0.25       # "false": rating at most this far from worst to best (0..1)
//! growth_items_per_hour = 50    # a narrative growing this fast alerts...
//! growth_window_hours = 3       # ...measured over this many hours
//!
//! [webhooks]
//! max_attempts = 6        # deliveries of one alert to one endpoint
//! backoff_seconds = 30    # wait before the 2nd attempt; doubles each time
//! timeout_seconds = 10    # per request
//! ```

use serde::{Deserialize, Serialize};

/// A setting out of its range; says which and what it accepts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("[{table}] {key} = {value}: {expected}")]
pub struct SettingsError {
    /// The config table (`narratives`, `alerts`, `webhooks`).
    pub table: &'static str,
    /// The setting.
    pub key: &'static str,
    /// Its value as given.
    pub value: String,
    /// What it accepts.
    pub expected: &'static str,
}

/// How items join narratives, and what a copy-paste burst is (`[narratives]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    /// Largest SimHash distance (bits of 64) at which an item joins a member's narrative.
    pub max_distance: u32,
    /// Smallest estimated Jaccard similarity of word 3-shingles (MinHash) at which an item
    /// joins a member's narrative: catches copies with words added or cut at either end.
    pub min_jaccard: f32,
    /// Smallest cosine similarity to a narrative's centroid at which an item joins it, when
    /// the model is present and no fingerprint matched.
    pub min_cosine: f32,
    /// N: a burst has at least this many near-identical items...
    pub burst_items: u32,
    /// M: ...from at least this many distinct sources...
    pub burst_sources: u32,
    /// T: ...within this many minutes.
    pub burst_minutes: u32,
    /// The most narratives the monitor holds in memory after a batch: those that grew
    /// least recently leave it and come back from the store when a copy of them comes in
    /// (see [`crate::cluster`]). What the monitor holds grows with this, not with the
    /// number of items or narratives.
    pub resident_narratives: u32,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            max_distance: 7,
            min_jaccard: 0.5,
            min_cosine: 0.92,
            burst_items: 20,
            burst_sources: 10,
            burst_minutes: 30,
            resident_narratives: 20_000,
        }
    }
}

/// When alerts are raised (`[alerts]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertSettings {
    /// A match to a false-rated fact-check alerts when its stored score reaches this (the
    /// reranker's probability with the model, BM25 without), or when it is marked confident.
    pub false_match_min_score: f32,
    /// The same threshold for matches ranked without the reranker (lexical only), whose
    /// score is BM25 with the near-duplicate boost rather than a probability.
    pub false_match_min_lexical: f32,
    /// A rating counts as false when its value is at most this share of the way from its
    /// worst to its best (or its label is a false verdict of the desk's scale).
    pub false_rating_max: f64,
    /// A narrative growing at least this many items per hour alerts...
    pub growth_items_per_hour: f64,
    /// ...measured over the last this many hours of its time line.
    pub growth_window_hours: u32,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            false_match_min_score: 0.8,
            false_match_min_lexical: 20.0,
            false_rating_max: 0.25,
            growth_items_per_hour: 50.0,
            growth_window_hours: 3,
        }
    }
}

/// How alerts are delivered to webhooks (`[webhooks]`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookPolicy {
    /// Attempts per alert and endpoint before giving up.
    pub max_attempts: u32,
    /// Wait before the second attempt, in seconds; each later wait doubles.
    pub backoff_seconds: u64,
    /// Time allowed per request, in seconds.
    pub timeout_seconds: u64,
}

impl Default for WebhookPolicy {
    fn default() -> Self {
        WebhookPolicy {
            max_attempts: 6,
            backoff_seconds: 30,
            timeout_seconds: 10,
        }
    }
}

impl WebhookPolicy {
    /// The wait after failed attempt `attempt` (1-based): `backoff`, `2·backoff`, ... capped
    /// at one day.
    pub fn backoff(&self, attempt: u32) -> std::time::Duration {
        let factor = 1u64 << attempt.saturating_sub(1).min(20);
        std::time::Duration::from_secs(self.backoff_seconds.saturating_mul(factor).min(86_400))
    }
}

/// Everything the monitor is configured with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitorSettings {
    /// `[narratives]`.
    pub narratives: ClusterSettings,
    /// `[alerts]`.
    pub alerts: AlertSettings,
    /// `[webhooks]`.
    pub webhooks: WebhookPolicy,
}

impl MonitorSettings {
    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let err = |table, key, value: String, expected| {
            Err(SettingsError {
                table,
                key,
                value,
                expected,
            })
        };
        let n = &self.narratives;
        if n.max_distance > 16 {
            return err(
                "narratives",
                "max_distance",
                n.max_distance.to_string(),
                "0 to 16 bits (unrelated texts differ in about 32)",
            );
        }
        if !(n.min_jaccard > 0.0 && n.min_jaccard <= 1.0) {
            return err(
                "narratives",
                "min_jaccard",
                n.min_jaccard.to_string(),
                "a number above 0 and at most 1",
            );
        }
        if !(n.min_cosine > 0.0 && n.min_cosine <= 1.0) {
            return err(
                "narratives",
                "min_cosine",
                n.min_cosine.to_string(),
                "a number above 0 and at most 1",
            );
        }
        for (key, v) in [
            ("burst_items", n.burst_items),
            ("burst_sources", n.burst_sources),
            ("burst_minutes", n.burst_minutes),
            ("resident_narratives", n.resident_narratives),
        ] {
            if v == 0 {
                return err(
                    "narratives",
                    key,
                    v.to_string(),
                    "a whole number of at least 1",
                );
            }
        }
        let a = &self.alerts;
        if !(0.0..=1.0).contains(&a.false_rating_max) {
            return err(
                "alerts",
                "false_rating_max",
                a.false_rating_max.to_string(),
                "a share from 0 (only the worst rating) to 1",
            );
        }
        if !a.false_match_min_score.is_finite() {
            return err(
                "alerts",
                "false_match_min_score",
                a.false_match_min_score.to_string(),
                "a number",
            );
        }
        if !(a.growth_items_per_hour.is_finite() && a.growth_items_per_hour > 0.0) {
            return err(
                "alerts",
                "growth_items_per_hour",
                a.growth_items_per_hour.to_string(),
                "a number above 0",
            );
        }
        if a.growth_window_hours == 0 {
            return err(
                "alerts",
                "growth_window_hours",
                "0".into(),
                "at least 1 hour",
            );
        }
        let w = &self.webhooks;
        if w.max_attempts == 0 || w.max_attempts > 30 {
            return err(
                "webhooks",
                "max_attempts",
                w.max_attempts.to_string(),
                "1 to 30 attempts",
            );
        }
        if w.timeout_seconds == 0 {
            return err(
                "webhooks",
                "timeout_seconds",
                "0".into(),
                "at least 1 second",
            );
        }
        Ok(())
    }
}
