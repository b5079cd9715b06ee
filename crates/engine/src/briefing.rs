//! The desk's figures over a period of local days ([`Briefing`]), read from the store's
//! counters (`StatsStore`) and its small tables (cases, narratives, sources): what the
//! dashboard, `GET /api/stats` and the digests show.
//!
//! Periods are whole days in the desk's time zone (`[server] time_zone`): an item published
//! at 23:30 UTC is on the next local day in `Asia/Ho_Chi_Minh`. The counters are per UTC
//! hour, so a zone whose offset is not a whole number of hours has its day boundaries at
//! the hour before.

use std::collections::BTreeMap;
use std::str::FromStr;

use claimdesk_core::{CaseStatus, FactCheckId};
use claimdesk_publish::briefing::{
    Briefing, Bucket, Count, Digest, DigestLang, DigestVerdict, EditorRow, Intake,
    MatchedFactCheck, NarrativeRow, Narratives, Share, SourceHealthRow, Work, durations,
};
use claimdesk_store::stats::NarrativeGrowth;
use claimdesk_store::{CaseStore, Metric, Period, SourceHealth, SourceStore, StatsStore};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::Result;

/// How many rows the lists of a briefing keep (sources, languages, fact-checks, narratives).
pub const LIST_LIMIT: u32 = 10;
/// Periods longer than this many days are charted by month.
pub const DAILY_UP_TO: i32 = 62;
/// The longest period a briefing covers, in days (about ten years).
pub const MAX_DAYS: i32 = 3700;

/// A named period ending on (or containing) a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// The day itself.
    Day,
    /// The ISO week (Monday to Sunday) containing the day.
    Week,
    /// The calendar month containing the day.
    Month,
}

impl PeriodKind {
    /// Every kind with the name users give it (`period=` in the API, `--period` in the CLI).
    pub const NAMES: [(&'static str, PeriodKind); 3] = [
        ("day", PeriodKind::Day),
        ("week", PeriodKind::Week),
        ("month", PeriodKind::Month),
    ];
}

impl FromStr for PeriodKind {
    type Err = BriefingError;

    fn from_str(s: &str) -> std::result::Result<PeriodKind, BriefingError> {
        PeriodKind::NAMES
            .iter()
            .find(|(name, _)| *name == s)
            .map(|(_, kind)| *kind)
            .ok_or_else(|| BriefingError::UnknownPeriod(s.to_string()))
    }
}

/// A period a user asked for that cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BriefingError {
    /// Not `day`, `week` or `month`.
    #[error("unknown period `{0}` (expected day, week or month)")]
    UnknownPeriod(String),
    /// `to` is before `from`.
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed {
        /// The first day asked for.
        from: Date,
        /// The last day asked for.
        to: Date,
    },
    /// A day that is not `YYYY-MM-DD`.
    #[error("{what}: `{value}` is not a date (expected YYYY-MM-DD)")]
    BadDate {
        /// Which value (`--from`, `to`).
        what: String,
        /// What was given.
        value: String,
    },
    /// Only one end of a run of days was given.
    #[error("give both ends of the period (from and to), or neither")]
    HalfPeriod,
    /// The time zone is not in the bundled database.
    #[error("unknown time zone `{0}` (expected an IANA name such as Asia/Ho_Chi_Minh)")]
    UnknownTimeZone(String),
    /// Longer than [`MAX_DAYS`].
    #[error("the period from {from} to {to} is longer than {MAX_DAYS} days")]
    TooLong {
        /// The first day asked for.
        from: Date,
        /// The last day asked for.
        to: Date,
    },
}

/// The first and last day (inclusive) of the `kind` period containing `day`.
pub fn period_of(kind: PeriodKind, day: Date) -> (Date, Date) {
    match kind {
        PeriodKind::Day => (day, day),
        PeriodKind::Week => {
            let back = i64::from(jiff::civil::Weekday::Monday.until(day.weekday()));
            let monday = day.checked_sub(back.days()).unwrap_or(day);
            (monday, monday.checked_add(6.days()).unwrap_or(monday))
        }
        PeriodKind::Month => (day.first_of_month(), day.last_of_month()),
    }
}

/// The last complete `kind` period before `today` (a weekly digest sent on Monday covers
/// the week that ended on Sunday).
pub fn previous_period(kind: PeriodKind, today: Date) -> (Date, Date) {
    let (start, _) = period_of(kind, today);
    let before = start.yesterday().unwrap_or(start);
    period_of(kind, before)
}

/// What a briefing covers and for whom.
#[derive(Debug, Clone)]
pub struct BriefingRequest {
    /// The first local day.
    pub from: Date,
    /// The last local day (inclusive).
    pub to: Date,
    /// The desk's time zone.
    pub time_zone: TimeZone,
    /// Its IANA name, as shown.
    pub time_zone_name: String,
    /// Whether to include per-member counts (admins only).
    pub with_editors: bool,
    /// Now, for the backlog's ages.
    pub now: Timestamp,
}

impl BriefingRequest {
    /// The request for the days `from` to `to` (both `YYYY-MM-DD`, named `from_name` and
    /// `to_name` in errors) when given, else the last complete `kind` period before today,
    /// in the time zone named `zone`, checked.
    pub fn for_days(
        kind: PeriodKind,
        days: Option<(&str, &str)>,
        names: (&str, &str),
        zone: &str,
        now: Timestamp,
    ) -> std::result::Result<BriefingRequest, BriefingError> {
        let time_zone =
            TimeZone::get(zone).map_err(|_| BriefingError::UnknownTimeZone(zone.to_string()))?;
        let day = |what: &str, value: &str| {
            value
                .trim()
                .parse::<Date>()
                .map_err(|_| BriefingError::BadDate {
                    what: what.to_string(),
                    value: value.to_string(),
                })
        };
        let (from, to) = match days {
            Some((f, t)) => (day(names.0, f)?, day(names.1, t)?),
            None => previous_period(kind, now.to_zoned_datetime(time_zone.clone()).date()),
        };
        let req = BriefingRequest {
            from,
            to,
            time_zone,
            time_zone_name: zone.to_string(),
            with_editors: false,
            now,
        };
        req.check()?;
        Ok(req)
    }

    /// Checks the days: `from` ≤ `to`, at most [`MAX_DAYS`] apart.
    pub fn check(&self) -> std::result::Result<(), BriefingError> {
        if self.to < self.from {
            return Err(BriefingError::Reversed {
                from: self.from,
                to: self.to,
            });
        }
        let days = (self.to - self.from).get_days();
        if days > MAX_DAYS {
            return Err(BriefingError::TooLong {
                from: self.from,
                to: self.to,
            });
        }
        Ok(())
    }

    /// The period as Unix seconds: from the start of `from` to the start of the day after
    /// `to`, in the desk's zone.
    pub fn period(&self) -> Period {
        Period {
            from: self.start_of(self.from),
            to: self.start_of(self.to.tomorrow().unwrap_or(self.to)),
        }
    }

    fn start_of(&self, day: Date) -> i64 {
        day.to_zoned_datetime(self.time_zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_else(|_| {
                // Past the end of the calendar jiff knows: the largest instant.
                Timestamp::MAX.as_second()
            })
    }
}

/// The bars of the charts over time: their labels and where each starts.
struct Buckets {
    kind: Bucket,
    labels: Vec<String>,
    /// The first second of each bar (the first bar's is the period's start).
    starts: Vec<i64>,
    /// The first second after the last bar.
    end: i64,
}

impl Buckets {
    fn new(req: &BriefingRequest) -> Buckets {
        let days = (req.to - req.from).get_days();
        let kind = if days < DAILY_UP_TO {
            Bucket::Day
        } else {
            Bucket::Month
        };
        let mut labels = Vec::new();
        let mut starts = Vec::new();
        let mut d = match kind {
            Bucket::Day => req.from,
            Bucket::Month => req.from.first_of_month(),
        };
        while d <= req.to {
            starts.push(req.start_of(d.max(req.from)));
            match kind {
                Bucket::Day => {
                    labels.push(d.to_string());
                    d = match d.tomorrow() {
                        Ok(n) => n,
                        Err(_) => break,
                    };
                }
                Bucket::Month => {
                    labels.push(d.strftime("%Y-%m").to_string());
                    d = match d.checked_add(1.month()) {
                        Ok(n) => n,
                        Err(_) => break,
                    };
                }
            }
        }
        Buckets {
            kind,
            labels,
            starts,
            end: req.period().to,
        }
    }

    /// The bars as periods: each from its start to the next one's, the last to the end.
    fn periods(&self) -> Vec<Period> {
        let ends = self.starts.iter().skip(1).copied().chain([self.end]);
        self.starts
            .iter()
            .zip(ends)
            .map(|(&from, to)| Period { from, to })
            .collect()
    }
}

fn counts(rows: Vec<(String, i64)>) -> Vec<Count> {
    rows.into_iter()
        .map(|(key, count)| Count {
            key,
            count: count.max(0) as u64,
        })
        .collect()
}

fn total(hours: &[u64]) -> u64 {
    hours.iter().sum()
}

/// The desk's figures for `req`'s period, in its time zone.
pub async fn briefing<S>(store: &S, req: &BriefingRequest) -> Result<Briefing>
where
    S: StatsStore + CaseStore + SourceStore,
{
    let period = req.period();
    let buckets = Buckets::new(req);
    let bars = buckets.periods();
    let series = async |metric| -> Result<Vec<u64>> {
        Ok(store
            .stat_series(metric, &bars)
            .await?
            .into_iter()
            .map(|v| v.max(0) as u64)
            .collect())
    };
    let sum = async |metric| -> Result<u64> {
        let whole = store.stat_series(metric, &[period]).await?;
        Ok(whole.first().map_or(0, |&v| v.max(0) as u64))
    };
    let items_over_time = series(Metric::Items).await?;
    let items = total(&items_over_time);
    let check_worthy = sum(Metric::CheckWorthy).await?;
    let confident = sum(Metric::MatchConfident).await?;
    let suggestion = sum(Metric::MatchSuggestion).await?;

    let mut top_fact_checks = Vec::new();
    for (key, n) in store
        .stat_keys(Metric::FactCheckMatched, period, LIST_LIMIT)
        .await?
    {
        let Ok(id) = key.parse::<i64>() else { continue };
        let Some(fc) = store.fact_check(FactCheckId(id)).await? else {
            continue;
        };
        top_fact_checks.push(MatchedFactCheck {
            id,
            claim: fc.fact_check.claim,
            rating: fc.fact_check.rating.and_then(|r| r.label),
            url: fc.fact_check.url,
            items: n.max(0) as u64,
        });
    }

    let intake = Intake {
        items,
        items_over_time,
        by_source: counts(
            store
                .stat_keys(Metric::ItemsBySource, period, LIST_LIMIT)
                .await?,
        ),
        by_language: counts(
            store
                .stat_keys(Metric::ItemsByLanguage, period, LIST_LIMIT)
                .await?,
        ),
        check_worthy: Share::of(check_worthy, items),
        confident_match: Share::of(confident, items),
        suggestion_only: Share::of(suggestion, items),
        top_fact_checks,
    };

    let narrative_row = |g: NarrativeGrowth| NarrativeRow {
        id: g.id,
        text: g.text,
        first_seen: Timestamp::from_second(g.first_seen)
            .map(|t| {
                t.to_zoned_datetime(req.time_zone.clone())
                    .date()
                    .to_string()
            })
            .unwrap_or_default(),
        items: g.item_count,
        items_in_period: g.items_in_period,
    };
    let alerts_by_rule = counts(store.stat_keys(Metric::Alerts, period, 20).await?);
    let narratives = Narratives {
        new: sum(Metric::Narratives).await?,
        newest: store
            .new_narratives(period, LIST_LIMIT)
            .await?
            .into_iter()
            .map(narrative_row)
            .collect(),
        fastest_growing: store
            .growing_narratives(period, LIST_LIMIT)
            .await?
            .into_iter()
            .map(narrative_row)
            .collect(),
        bursts: alerts_by_rule
            .iter()
            .find(|c| c.key == "burst")
            .map_or(0, |c| c.count),
        alerts_by_rule,
    };

    let opened_over_time = series(Metric::CasesOpened).await?;
    let verdicts_over_time = series(Metric::Verdicts).await?;
    let published = store.published_cases(period).await?;
    let times: Vec<i64> = published
        .iter()
        .map(|c| (c.published_at - c.opened_at).max(0))
        .collect();
    let open = store.open_cases().await?;
    let mut by_status: BTreeMap<usize, u64> = BTreeMap::new();
    let mut by_age = [0u64; 4];
    let now = req.now.as_second();
    for case in &open {
        let rank = CaseStatus::ALL
            .iter()
            .position(|s| *s == case.status)
            .unwrap_or(0);
        *by_status.entry(rank).or_default() += 1;
        let age_days = (now - case.opened_at).max(0) / 86_400;
        let band = match age_days {
            0 => 0,
            1..7 => 1,
            7..30 => 2,
            _ => 3,
        };
        by_age[band] += 1;
    }
    let editors = if req.with_editors {
        Some(
            store
                .editor_work(period)
                .await?
                .into_iter()
                .map(|e| EditorRow {
                    name: e.display_name,
                    cases_opened: e.cases_opened,
                    moves: e.moves,
                    published: e.published,
                })
                .collect(),
        )
    } else {
        None
    };
    let work = Work {
        cases_opened: total(&opened_over_time),
        opened_over_time,
        verdicts: total(&verdicts_over_time),
        verdicts_over_time,
        verdicts_by_rating: counts(store.stat_keys(Metric::Verdicts, period, 20).await?),
        triage_to_publication: durations(&times),
        backlog_by_status: by_status
            .into_iter()
            .map(|(rank, count)| Count {
                key: CaseStatus::ALL[rank].as_str().to_string(),
                count,
            })
            .collect(),
        backlog_by_age: ["under_1d", "1_7d", "7_30d", "over_30d"]
            .into_iter()
            .zip(by_age)
            .map(|(key, count)| Count {
                key: key.to_string(),
                count,
            })
            .collect(),
        editors,
    };

    let sources = store
        .sources()
        .await?
        .into_iter()
        .map(|s| SourceHealthRow {
            health: match s.health() {
                SourceHealth::Ok { .. } => "healthy",
                SourceHealth::Failing { .. } => "failing",
                SourceHealth::New => "never_polled",
            }
            .to_string(),
            location: s.location,
            consecutive_failures: s.consecutive_failures,
            items_seen: s.items_seen,
            last_success_at: s.last_success_at,
        })
        .collect();

    Ok(Briefing {
        from: req.from.to_string(),
        to: req.to.to_string(),
        time_zone: req.time_zone_name.clone(),
        bucket: buckets.kind,
        buckets: buckets.labels,
        intake,
        narratives,
        work,
        sources,
    })
}

/// Published fact-checks read per page while looking for the period's verdicts.
const VERDICT_PAGE: u32 = 200;

/// The verdicts the desk wrote and published in `req`'s period, newest first; links to
/// their public pages under `base_url`.
pub async fn published_verdicts<S: CaseStore>(
    store: &S,
    req: &BriefingRequest,
    base_url: &str,
) -> Result<Vec<DigestVerdict>> {
    let period = req.period();
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = store.published_fact_checks(VERDICT_PAGE, offset).await?;
        let done = page.len() < VERDICT_PAGE as usize;
        let mut past = false;
        for fc in page {
            let Some(at) = fc
                .fact_check
                .date_published
                .as_deref()
                .and_then(|d| d.parse::<Timestamp>().ok())
            else {
                continue;
            };
            let at = at.as_second();
            if at < period.from {
                // Newest first: the rest are older (imported ones without a time sort last).
                past = fc.case.is_some();
                continue;
            }
            if at >= period.to || fc.case.is_none() {
                continue;
            }
            out.push(DigestVerdict {
                claim: fc.fact_check.claim,
                rating: fc.fact_check.rating.and_then(|r| r.label),
                author: fc.fact_check.author,
                link: format!("{}/verdicts/{}", base_url.trim_end_matches('/'), fc.id.0),
                evidence: fc.fact_check.citations.len(),
                published: Timestamp::from_second(at)
                    .map(|t| {
                        t.to_zoned_datetime(req.time_zone.clone())
                            .date()
                            .to_string()
                    })
                    .unwrap_or_default(),
            });
        }
        if done || past {
            return Ok(out);
        }
        offset += VERDICT_PAGE;
    }
}

/// The flags Chromium prints a page to PDF with: headless, no sandbox (containers), no
/// network beyond the file, no header or footer; the page's own `@page` rule sets A4.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
];

/// `html` printed to PDF by the headless Chromium at `chromium`: A4 (the digest's `@page`),
/// fonts embedded (Noto or DejaVu from the system, which cover Vietnamese), charts as
/// vectors. Runs the browser in a fresh profile in a temporary directory, on a blocking
/// thread.
pub async fn print_pdf(html: String, chromium: std::path::PathBuf) -> Result<Vec<u8>> {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().map_err(|source| crate::Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
        let page = dir.path().join("digest.html");
        let pdf = dir.path().join("digest.pdf");
        let io = |path: &std::path::Path| {
            let path = path.to_path_buf();
            move |source| crate::Error::Io { path, source }
        };
        std::fs::write(&page, html).map_err(io(&page))?;
        let out = std::process::Command::new(&chromium)
            .args(CHROMIUM_FLAGS)
            .arg(format!(
                "--user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(io(&chromium))?;
        match std::fs::read(&pdf) {
            Ok(bytes) if bytes.starts_with(b"%PDF") => Ok(bytes),
            _ => Err(crate::Error::Usage(format!(
                "{} did not print the digest to PDF ({}): {}",
                chromium.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ))),
        }
    })
    .await
    .map_err(|e| crate::Error::Internal(format!("printing the digest: {e}")))?
}

impl From<BriefingError> for crate::Error {
    fn from(e: BriefingError) -> crate::Error {
        crate::Error::Usage(e.to_string())
    }
}

/// How a digest is written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestFormat {
    /// One HTML page (for a phone, a mail body, or printing).
    Html,
    /// Markdown.
    Markdown,
    /// The figures and verdicts as JSON.
    Json,
    /// The HTML printed to an A4 PDF (by the headless Chromium of `[digest] chromium`).
    Pdf,
}

impl FromStr for DigestFormat {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<DigestFormat> {
        match s {
            "html" => Ok(DigestFormat::Html),
            "md" => Ok(DigestFormat::Markdown),
            "json" => Ok(DigestFormat::Json),
            "pdf" => Ok(DigestFormat::Pdf),
            other => Err(crate::Error::Usage(format!(
                "unknown digest format `{other}` (expected html, md, json or pdf)"
            ))),
        }
    }
}

/// A digest someone asked for (`claimdesk digest`, a scheduled one).
#[derive(Debug, Clone, Copy)]
pub struct DigestOrder<'a> {
    /// The last complete week or month before today, unless `days` are given.
    pub kind: PeriodKind,
    /// The first and last day (`YYYY-MM-DD`), named `--from` and `--to` in errors.
    pub days: Option<(&'a str, &'a str)>,
    /// Its language.
    pub lang: DigestLang,
    /// How it is written.
    pub format: DigestFormat,
}

/// The digest `order` asks for, on the desk configured by `config` (its time zone,
/// publisher name and public URL), written out (UTF-8 text, or the PDF's bytes), with its
/// subject line.
pub async fn written_digest<S>(
    store: &S,
    config: &crate::Config,
    order: &DigestOrder<'_>,
    now: Timestamp,
) -> Result<(String, Vec<u8>)>
where
    S: StatsStore + CaseStore + SourceStore,
{
    let req = BriefingRequest::for_days(
        order.kind,
        order.days,
        ("--from", "--to"),
        &config.server.time_zone,
        now,
    )?;
    let period = match (order.days, order.kind) {
        (Some(_), _) => "period",
        (None, PeriodKind::Month) => "month",
        (None, _) => "week",
    };
    let desk = config.publisher.name.as_deref().unwrap_or("claimdesk");
    let base = config.server.public_url.as_deref().unwrap_or("");
    let d = digest(store, &req, order.lang, period, desk, base).await?;
    let bytes = match order.format {
        DigestFormat::Html => d.html().into_bytes(),
        DigestFormat::Markdown => d.markdown().into_bytes(),
        DigestFormat::Json => {
            let mut json = serde_json::to_vec_pretty(&d)
                .map_err(|e| crate::Error::Internal(format!("digest as JSON: {e}")))?;
            json.push(b'\n');
            json
        }
        DigestFormat::Pdf => print_pdf(d.html(), config.digest.chromium.clone()).await?,
    };
    Ok((d.subject(), bytes))
}

/// A digest of `req`'s period: its briefing and its published verdicts, in `lang`.
/// `period` is `week`, `month` or `period`, for the title.
pub async fn digest<S>(
    store: &S,
    req: &BriefingRequest,
    lang: DigestLang,
    period: &str,
    desk: &str,
    base_url: &str,
) -> Result<Digest>
where
    S: StatsStore + CaseStore + SourceStore,
{
    Ok(Digest {
        desk: desk.to_string(),
        lang,
        period: period.to_string(),
        base_url: base_url.trim_end_matches('/').to_string(),
        briefing: briefing(store, req).await?,
        verdicts: published_verdicts(store, req, base_url).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn named_periods_are_calendar_weeks_and_months() {
        let d = date(2026, 3, 4); // a Wednesday
        assert_eq!(
            period_of(PeriodKind::Week, d),
            (date(2026, 3, 2), date(2026, 3, 8))
        );
        assert_eq!(
            period_of(PeriodKind::Month, d),
            (date(2026, 3, 1), date(2026, 3, 31))
        );
        assert_eq!(
            previous_period(PeriodKind::Week, date(2026, 3, 9)),
            (date(2026, 3, 2), date(2026, 3, 8))
        );
        assert_eq!(
            previous_period(PeriodKind::Month, date(2026, 3, 1)),
            (date(2026, 2, 1), date(2026, 2, 28))
        );
        assert!("fortnight".parse::<PeriodKind>().is_err());
    }

    #[test]
    fn a_late_utc_hour_is_the_next_local_day() {
        let req = BriefingRequest {
            from: date(2026, 3, 2),
            to: date(2026, 3, 3),
            time_zone: TimeZone::get("Asia/Ho_Chi_Minh").unwrap(),
            time_zone_name: "Asia/Ho_Chi_Minh".into(),
            with_editors: false,
            now: Timestamp::UNIX_EPOCH,
        };
        let p = req.period();
        let at = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        assert_eq!(p.from, at("2026-03-01T17:00:00Z"));
        assert_eq!(p.to, at("2026-03-03T17:00:00Z"));
        let b = Buckets::new(&req);
        assert_eq!(b.labels, ["2026-03-02", "2026-03-03"]);
        // 23:00 UTC on 2 March is in the second bar (3 March in Hanoi), 16:00 in the first.
        let bars = b.periods();
        assert_eq!(bars[0].from, p.from);
        assert_eq!(bars[0].to, at("2026-03-02T17:00:00Z"));
        assert_eq!(bars[1].to, p.to);
        assert!(bars[1].from <= at("2026-03-02T23:00:00Z"));
        assert!(bars[0].to > at("2026-03-02T16:00:00Z"));
    }
}
