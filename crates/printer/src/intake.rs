//! What an import or an ingest did: counts, rejected records, the pipeline's report.

use std::fmt::Write as _;

use claimdesk_engine::core::{Diagnostic, ImportCounts};
use claimdesk_engine::{Ingested, Report};

/// Most rejected records listed; all of them are kept in the import log.
pub const MAX_LISTED: usize = 50;

/// `imported FILE (FORMAT): N added, ...`, one line.
pub fn summary(verb: &str, file: &str, format: &str, c: &ImportCounts) -> String {
    format!(
        "{verb} {file} ({format}): {} added, {} updated, {} unchanged, {} aliases of earlier fact-checks, {} rejected\n",
        c.added, c.updated, c.unchanged, c.aliased, c.rejected
    )
}

/// The first [`MAX_LISTED`] rejected records, one per line, and how many more there were.
pub fn rejected(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics.iter().take(MAX_LISTED) {
        let _ = writeln!(out, "rejected: {d}");
    }
    if diagnostics.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "... and {} more rejected records (all listed in the import log)",
            diagnostics.len() - MAX_LISTED
        );
    }
    out
}

/// The alerts the pipeline raised, one per line (printed as they come, on stderr).
pub fn alerts_raised(report: &Report) -> String {
    let mut out = String::new();
    for a in &report.alerts {
        let _ = writeln!(out, "alert: [{}] {}", a.rule, a.summary);
    }
    out
}

/// What the pipeline found in `changed` new or changed items, with the check-worthiness
/// `threshold` it used.
pub fn report(report: &Report, changed: usize, threshold: f32) -> String {
    let mut out = format!(
        "{} of {changed} new or changed items have candidate fact-checks (top 5 stored with their explanations); \
         {} scored below the check-worthiness threshold {threshold:.2} and were not matched\n",
        report.matched, report.below_threshold
    );
    if !report.alerts.is_empty() {
        let _ = writeln!(
            out,
            "{} alerts raised (`claimdesk alerts`)",
            report.alerts.len()
        );
    }
    out
}

/// Where an ingest's time went: storing, matching, narratives (benchmarks read this line).
pub fn timing(stored: &Ingested, report: &Report) -> String {
    let c = &stored.counts;
    format!(
        "timing: read, normalized and stored {} items in {:.2} s; scored and matched in {:.2} s; narratives and alerts in {:.2} s\n",
        c.added + c.updated + c.unchanged,
        stored.store_time.as_secs_f64(),
        report.match_time.as_secs_f64(),
        report.monitor_time.as_secs_f64()
    )
}
