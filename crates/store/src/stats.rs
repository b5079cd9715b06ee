//! The desk's figures over a period: counters per hour kept in the transactions that write
//! what they count (migration `0017_stats`), and the few work figures read straight from
//! the small tables (cases, their moves, narratives, sources).
//!
//! Periods are half-open ranges of Unix seconds, `[from, to)`; counters have one-hour
//! resolution in UTC, so a period's bounds are taken to the hour (every time zone with a
//! whole-hour offset, such as `Asia/Ho_Chi_Minh`, has its days on hour boundaries).

use std::fmt;

use claimdesk_core::CaseStatus;

use crate::Result;

/// One counted figure (the `metric` column of the counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Items stored, at their time (`published_at`, else the import's start).
    Items,
    /// Items by source (key: the source).
    ItemsBySource,
    /// Items by language (key: the language code).
    ItemsByLanguage,
    /// Items whose check-worthiness reached the match threshold.
    CheckWorthy,
    /// Items whose top match is confident.
    MatchConfident,
    /// Items whose top match is a suggestion only.
    MatchSuggestion,
    /// Items by their top match (key: the fact-check id).
    FactCheckMatched,
    /// Cases opened.
    CasesOpened,
    /// Desk-written verdicts published (key: the rating label).
    Verdicts,
    /// Narratives that reached two items, at their first item's time.
    Narratives,
    /// Alerts raised (key: the rule).
    Alerts,
}

impl Metric {
    /// Every metric, in the order the desk shows them.
    pub const ALL: [Metric; 11] = [
        Metric::Items,
        Metric::ItemsBySource,
        Metric::ItemsByLanguage,
        Metric::CheckWorthy,
        Metric::MatchConfident,
        Metric::MatchSuggestion,
        Metric::FactCheckMatched,
        Metric::CasesOpened,
        Metric::Verdicts,
        Metric::Narratives,
        Metric::Alerts,
    ];

    /// The name stored in the counters and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Items => "items",
            Metric::ItemsBySource => "items_source",
            Metric::ItemsByLanguage => "items_language",
            Metric::CheckWorthy => "checkworthy",
            Metric::MatchConfident => "match_confident",
            Metric::MatchSuggestion => "match_suggestion",
            Metric::FactCheckMatched => "factcheck_matched",
            Metric::CasesOpened => "cases_opened",
            Metric::Verdicts => "verdicts",
            Metric::Narratives => "narratives",
            Metric::Alerts => "alerts",
        }
    }

    /// The metric stored as `s`.
    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A half-open period `[from, to)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first second in the period.
    pub from: i64,
    /// The first second after it.
    pub to: i64,
}

/// One counter row: a metric's value for one key in one UTC hour.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatRow {
    /// The figure.
    pub metric: String,
    /// Its split ('' when it has none).
    pub key: String,
    /// The hour's start, Unix seconds.
    pub hour: i64,
    /// The count.
    pub value: i64,
}

/// A case published in a period, with when it entered triage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedCase {
    /// The case's id.
    pub case_id: i64,
    /// When it was opened (in triage), Unix seconds.
    pub opened_at: i64,
    /// When it was published, Unix seconds.
    pub published_at: i64,
}

/// An open case (not published, not closed) as the backlog counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    /// Its status.
    pub status: CaseStatus,
    /// When it was opened, Unix seconds.
    pub opened_at: i64,
}

/// What one desk member did in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorWork {
    /// The username.
    pub username: String,
    /// The name shown.
    pub display_name: String,
    /// Cases the member opened.
    pub cases_opened: u64,
    /// Workflow moves the member made (opening excluded).
    pub moves: u64,
    /// Cases the member published.
    pub published: u64,
}

/// A narrative with its growth in a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeGrowth {
    /// The narrative's id.
    pub id: i64,
    /// The text that represents it.
    pub text: String,
    /// Its first item's time, Unix seconds.
    pub first_seen: i64,
    /// All its items.
    pub item_count: u64,
    /// Its items in the period.
    pub items_in_period: u64,
}

/// How many candidates [`StatsStore::growing_narratives`] counts the period's items of: the
/// largest narratives active in the period (so a year with many narratives costs the same).
pub const GROWTH_CANDIDATES: u32 = 50;

/// The desk's figures (counters and work). Reads are one statement each; the counters are
/// written by the store itself, in the transactions that change what they count.
pub trait StatsStore: Send + Sync {
    /// `metric` per UTC hour in `period` (all keys summed), hours with no count left out,
    /// in hour order.
    fn stat_hours(
        &self,
        metric: Metric,
        period: Period,
    ) -> impl Future<Output = Result<Vec<(i64, i64)>>> + Send;

    /// `metric` (all keys summed) in each of `bars`, in their order: the bars of a chart,
    /// or one period for its total. Whole UTC months and days inside a bar are read from
    /// the rollups and only its ragged edges from the hours, so a year costs a few hundred
    /// rows, not 8,760 per figure.
    fn stat_series(
        &self,
        metric: Metric,
        bars: &[Period],
    ) -> impl Future<Output = Result<Vec<i64>>> + Send;

    /// `metric` per key over `period`, largest first (then by key), at most `limit` keys.
    fn stat_keys(
        &self,
        metric: Metric,
        period: Period,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(String, i64)>>> + Send;

    /// Every counter row that is not zero, ordered by metric, key and hour (to compare the
    /// kept counters with a rebuild).
    fn stat_rows(&self) -> impl Future<Output = Result<Vec<StatRow>>> + Send;

    /// Recomputes every counter from the records (`claimdesk stats rebuild`), in one
    /// transaction; returns the number of rows written.
    fn rebuild_stats(&self) -> impl Future<Output = Result<u64>> + Send;

    /// The cases published in `period`, with when each was opened.
    fn published_cases(
        &self,
        period: Period,
    ) -> impl Future<Output = Result<Vec<PublishedCase>>> + Send;

    /// The cases still open now (not published, closed or matched to an existing
    /// fact-check).
    fn open_cases(&self) -> impl Future<Output = Result<Vec<OpenCase>>> + Send;

    /// What each desk member did in `period` (members who did nothing left out), most
    /// active first.
    fn editor_work(&self, period: Period) -> impl Future<Output = Result<Vec<EditorWork>>> + Send;

    /// Narratives of two items or more first seen in `period`, largest first.
    fn new_narratives(
        &self,
        period: Period,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NarrativeGrowth>>> + Send;

    /// Of the [`GROWTH_CANDIDATES`] largest narratives seen in `period`, the `limit` with the
    /// most items in it.
    fn growing_narratives(
        &self,
        period: Period,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<NarrativeGrowth>>> + Send;
}

/// A period cut into whole UTC months and days inside it and its edges: `days` is the
/// whole days `[d0, d1)` (the hours outside them, before `d0` and from `d1`, are the edges),
/// `months` the whole months `[m0, m1)` within those days (the days outside them are read
/// from the daily rollup). An empty range is `(x, x)`.
pub(crate) struct Spans {
    pub(crate) days: (i64, i64),
    pub(crate) months: (i64, i64),
}

impl Spans {
    pub(crate) fn of(p: Period) -> Spans {
        const DAY: i64 = 86_400;
        let d0 = p.from.div_euclid(DAY) * DAY + if p.from.rem_euclid(DAY) == 0 { 0 } else { DAY };
        let d1 = p.to.div_euclid(DAY) * DAY;
        if d0 >= d1 {
            // No whole day: the hours cover it all.
            return Spans {
                days: (p.to, p.to),
                months: (p.to, p.to),
            };
        }
        let month_start = |t: i64| -> Option<(i64, i64)> {
            let d = jiff::Timestamp::from_second(t)
                .ok()?
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date();
            let first = d.first_of_month();
            let start = |d: jiff::civil::Date| {
                d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .ok()
                    .map(|z| z.timestamp().as_second())
            };
            Some((
                start(first)?,
                start(first.checked_add(jiff::Span::new().months(1)).ok()?)?,
            ))
        };
        let months = match (month_start(d0), month_start(d1)) {
            (Some((a, next)), Some((b, _))) => {
                let m0 = if a == d0 { a } else { next };
                if m0 < b { (m0, b) } else { (d1, d1) }
            }
            _ => (d1, d1),
        };
        Spans {
            days: (d0, d1),
            months,
        }
    }
}

/// A narrative's growth from its row: id, text, first item's time, items, items in the period.
pub(crate) fn growth(
    (id, text, first_seen, item_count, in_period): (i64, String, i64, i64, i64),
) -> NarrativeGrowth {
    NarrativeGrowth {
        id,
        text,
        first_seen,
        item_count: item_count.max(0) as u64,
        items_in_period: in_period.max(0) as u64,
    }
}
