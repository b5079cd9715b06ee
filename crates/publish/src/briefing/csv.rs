//! Each figure of a [`Briefing`] as CSV: a header row, then one row per bar or line of its
//! table (cells that a spreadsheet would run as formulas are neutralized, as in exports).

use super::{Briefing, Count};
use crate::neutralize_formula;

/// The figure named `figure` (one of [`super::FIGURES`]) as CSV text, or `None` for an
/// unknown name (or `editors` when the briefing has no per-member counts).
pub fn figure_csv(b: &Briefing, figure: &str) -> Option<String> {
    let over_time = |values: &[u64], header: &str| -> Vec<Vec<String>> {
        let mut rows = vec![vec![bucket_header(b).to_string(), header.to_string()]];
        rows.extend(
            b.buckets
                .iter()
                .zip(values)
                .map(|(k, v)| vec![k.clone(), v.to_string()]),
        );
        rows
    };
    let counts = |header: &str, counts: &[Count]| -> Vec<Vec<String>> {
        let mut rows = vec![vec![header.to_string(), "count".to_string()]];
        rows.extend(
            counts
                .iter()
                .map(|c| vec![c.key.clone(), c.count.to_string()]),
        );
        rows
    };
    let rows = match figure {
        "items_over_time" => over_time(&b.intake.items_over_time, "items"),
        "cases_over_time" => {
            let mut rows = vec![vec![
                bucket_header(b).to_string(),
                "cases_opened".to_string(),
                "verdicts_published".to_string(),
            ]];
            for (i, k) in b.buckets.iter().enumerate() {
                rows.push(vec![
                    k.clone(),
                    b.work
                        .opened_over_time
                        .get(i)
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                    b.work
                        .verdicts_over_time
                        .get(i)
                        .copied()
                        .unwrap_or(0)
                        .to_string(),
                ]);
            }
            rows
        }
        "items_by_source" => counts("source", &b.intake.by_source),
        "items_by_language" => counts("language", &b.intake.by_language),
        "alerts_by_rule" => counts("rule", &b.narratives.alerts_by_rule),
        "verdicts_by_rating" => counts("rating", &b.work.verdicts_by_rating),
        "backlog_by_status" => counts("status", &b.work.backlog_by_status),
        "backlog_by_age" => counts("age", &b.work.backlog_by_age),
        "top_fact_checks" => {
            let mut rows = vec![
                ["fact_check_id", "claim", "rating", "url", "items"]
                    .map(String::from)
                    .to_vec(),
            ];
            rows.extend(b.intake.top_fact_checks.iter().map(|f| {
                vec![
                    f.id.to_string(),
                    f.claim.clone(),
                    f.rating.clone().unwrap_or_default(),
                    f.url.clone().unwrap_or_default(),
                    f.items.to_string(),
                ]
            }));
            rows
        }
        "editors" => {
            let editors = b.work.editors.as_ref()?;
            let mut rows = vec![
                ["name", "cases_opened", "moves", "published"]
                    .map(String::from)
                    .to_vec(),
            ];
            rows.extend(editors.iter().map(|e| {
                vec![
                    e.name.clone(),
                    e.cases_opened.to_string(),
                    e.moves.to_string(),
                    e.published.to_string(),
                ]
            }));
            rows
        }
        "sources" => {
            let mut rows = vec![
                [
                    "location",
                    "health",
                    "consecutive_failures",
                    "items_seen",
                    "last_success_at",
                ]
                .map(String::from)
                .to_vec(),
            ];
            rows.extend(b.sources.iter().map(|s| {
                vec![
                    s.location.clone(),
                    s.health.clone(),
                    s.consecutive_failures.to_string(),
                    s.items_seen.to_string(),
                    s.last_success_at.clone().unwrap_or_default(),
                ]
            }));
            rows
        }
        _ => return None,
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row.iter().map(|c| neutralize_formula(c).into_owned()));
    }
    w.into_inner().ok().and_then(|v| String::from_utf8(v).ok())
}

fn bucket_header(b: &Briefing) -> &'static str {
    match b.bucket {
        super::Bucket::Day => "day",
        super::Bucket::Month => "month",
    }
}
