//! Briefings: the desk's figures over a period (what the dashboard, `GET /api/stats` and the
//! weekly and monthly digests show), the charts drawn from them as SVG, and the figures as
//! CSV.
//!
//! [`Briefing`] is filled by the engine from the store's counters; everything here is a
//! pure function of it, so the dashboard, the API and a digest of the same period agree.

mod chart;
mod csv;
mod digest;

use serde::Serialize;

pub use chart::{Chart, ChartKind};
pub use csv::figure_csv;
pub use digest::{Digest, DigestLang, DigestVerdict};

/// A count under a name (a source, a language, a rating, a rule, a status, an age band).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    /// What is counted: the source, language, rating label, rule, status or age band key.
    pub key: String,
    /// How many.
    pub count: u64,
}

/// A count and its share of a whole (0 when the whole is 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// How many.
    pub count: u64,
    /// `count` over the whole, in [0, 1].
    pub share: f64,
}

impl Share {
    /// `count` out of `whole`.
    pub fn of(count: u64, whole: u64) -> Share {
        let share = if whole == 0 {
            0.0
        } else {
            count as f64 / whole as f64
        };
        Share { count, share }
    }
}

/// How the period is cut for the charts over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// One bar per local day.
    Day,
    /// One bar per local month (periods over 62 days).
    Month,
}

/// A fact-check that items in the period matched (their top match).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedFactCheck {
    /// The fact-check's id in the desk.
    pub id: i64,
    /// The claim it reviews.
    pub claim: String,
    /// Its rating label, if it has one.
    pub rating: Option<String>,
    /// Its URL, if it has one.
    pub url: Option<String>,
    /// Items in the period whose top match it is.
    pub items: u64,
}

/// A narrative and its growth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NarrativeRow {
    /// The narrative's id in the desk (`/narratives/{id}`).
    pub id: i64,
    /// The text that represents it.
    pub text: String,
    /// Its first item's date, local (`YYYY-MM-DD`).
    pub first_seen: String,
    /// All its items.
    pub items: u64,
    /// Its items in the period.
    pub items_in_period: u64,
}

/// What came in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intake {
    /// Items in the period.
    pub items: u64,
    /// Items per bucket (see [`Briefing::buckets`]).
    pub items_over_time: Vec<u64>,
    /// Items by source, largest first.
    pub by_source: Vec<Count>,
    /// Items by language, largest first.
    pub by_language: Vec<Count>,
    /// Items whose check-worthiness reached the match threshold.
    pub check_worthy: Share,
    /// Items whose top match is confident.
    pub confident_match: Share,
    /// Items whose top match is a suggestion only.
    pub suggestion_only: Share,
    /// The fact-checks matched most often (the claims that keep coming back).
    pub top_fact_checks: Vec<MatchedFactCheck>,
}

/// What the monitor saw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Narratives {
    /// Narratives of two items or more first seen in the period.
    pub new: u64,
    /// The largest of them.
    pub newest: Vec<NarrativeRow>,
    /// The narratives with the most items in the period.
    pub fastest_growing: Vec<NarrativeRow>,
    /// Copy-paste bursts raised (alerts of the `burst` rule).
    pub bursts: u64,
    /// Alerts by rule.
    pub alerts_by_rule: Vec<Count>,
}

/// Time from triage to publication over the cases published in the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Durations {
    /// Cases measured.
    pub cases: u64,
    /// The median, in hours.
    pub median_hours: f64,
    /// The 90th percentile (nearest rank), in hours.
    pub p90_hours: f64,
}

/// One desk member's work (shown to admins only).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditorRow {
    /// The name shown.
    pub name: String,
    /// Cases opened.
    pub cases_opened: u64,
    /// Workflow moves made.
    pub moves: u64,
    /// Cases published.
    pub published: u64,
}

/// What the desk did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Work {
    /// Cases opened in the period.
    pub cases_opened: u64,
    /// Cases opened per bucket.
    pub opened_over_time: Vec<u64>,
    /// Desk verdicts published in the period.
    pub verdicts: u64,
    /// Verdicts published per bucket.
    pub verdicts_over_time: Vec<u64>,
    /// Verdicts by rating label, largest first.
    pub verdicts_by_rating: Vec<Count>,
    /// Time from triage to publication (none when no case was published).
    pub triage_to_publication: Option<Durations>,
    /// Open cases now, by status.
    pub backlog_by_status: Vec<Count>,
    /// Open cases now, by age: `under_1d`, `1_7d`, `7_30d`, `over_30d`.
    pub backlog_by_age: Vec<Count>,
    /// Per-member counts, for admins only (`None` otherwise).
    pub editors: Option<Vec<EditorRow>>,
}

/// A watched feed or folder and how its polling goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceHealthRow {
    /// The URL or folder.
    pub location: String,
    /// `healthy`, `failing` or `never_polled`.
    pub health: String,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// Items read from it, all polls together.
    pub items_seen: u64,
    /// Its last successful poll, if any (as stored, RFC 3339).
    pub last_success_at: Option<String>,
}

/// The desk's figures over one period, in its time zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Briefing {
    /// The first local day of the period (`YYYY-MM-DD`).
    pub from: String,
    /// The last local day of the period (inclusive).
    pub to: String,
    /// The IANA time zone the days are in.
    pub time_zone: String,
    /// The bars of the charts over time: days or months.
    pub bucket: Bucket,
    /// The label of each bar: `YYYY-MM-DD` for days, `YYYY-MM` for months.
    pub buckets: Vec<String>,
    /// What came in.
    pub intake: Intake,
    /// What the monitor saw.
    pub narratives: Narratives,
    /// What the desk did.
    pub work: Work,
    /// Watched sources and their health now.
    pub sources: Vec<SourceHealthRow>,
}

/// Every figure the dashboard draws, by the name its CSV download and chart use.
pub const FIGURES: [&str; 11] = [
    "items_over_time",
    "items_by_source",
    "items_by_language",
    "top_fact_checks",
    "alerts_by_rule",
    "cases_over_time",
    "verdicts_by_rating",
    "backlog_by_status",
    "backlog_by_age",
    "editors",
    "sources",
];

/// The median and the 90th percentile (nearest rank) of `seconds`, in hours.
pub fn durations(seconds: &[i64]) -> Option<Durations> {
    if seconds.is_empty() {
        return None;
    }
    let mut sorted = seconds.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let hours = |s: i64| s as f64 / 3600.0;
    let median = if n % 2 == 1 {
        hours(sorted[n / 2])
    } else {
        (hours(sorted[n / 2 - 1]) + hours(sorted[n / 2])) / 2.0
    };
    // Nearest rank: the smallest value with at least 90% of the values at or below it.
    let rank = (0.9 * n as f64).ceil() as usize;
    let p90 = hours(sorted[rank.clamp(1, n) - 1]);
    Some(Durations {
        cases: n as u64,
        median_hours: median,
        p90_hours: p90,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_p90_by_nearest_rank() {
        let h = 3600;
        let d = durations(&[10 * h, h, 3 * h, 2 * h]).unwrap();
        assert_eq!((d.cases, d.median_hours, d.p90_hours), (4, 2.5, 10.0));
        let d = durations(&[(1..=10).map(|i| i * h).collect::<Vec<_>>(), vec![]].concat()).unwrap();
        assert_eq!((d.median_hours, d.p90_hours), (5.5, 9.0));
        assert!(durations(&[]).is_none());
    }

    #[test]
    fn shares_of_nothing_are_zero() {
        assert_eq!(Share::of(0, 0).share, 0.0);
        assert_eq!(Share::of(1, 4).share, 0.25);
    }
}
