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
/// A run of records of the same file refused for the same reason (a file of posts given to
/// `import`) is one line, with its first and last lines and its count.
pub fn rejected(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut listed = 0;
    let mut rest = diagnostics;
    while let Some(first) = rest.first() {
        let same = rest
            .iter()
            .take_while(|d| {
                d.file == first.file && d.field == first.field && d.message == first.message
            })
            .count();
        let run = &rest[..same];
        rest = &rest[same..];
        if listed == MAX_LISTED {
            let left = run.len() + rest.len();
            let _ = writeln!(
                out,
                "... and {left} more rejected records (all listed in the import log)"
            );
            break;
        }
        listed += 1;
        match run {
            [one] => {
                let _ = writeln!(out, "rejected: {one}");
            }
            [first, .., last] => {
                let mut shown = first.clone();
                shown.line = 0;
                let shown = shown.to_string();
                let (file, said) = shown.split_at(first.file.len());
                let _ = writeln!(
                    out,
                    "rejected: {file}:{}-{} ({} records){said}",
                    first.line,
                    last.line,
                    run.len()
                );
            }
            [] => {}
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn post(line: u64) -> Diagnostic {
        Diagnostic {
            file: "posts.jsonl".into(),
            line,
            field: None,
            message: "these look like posts: use `claimdesk ingest`".into(),
        }
    }

    /// A file of posts given to `import` is said once, not once a post (issue 16).
    #[test]
    fn a_run_of_the_same_refusal_is_one_line() {
        let mut all: Vec<Diagnostic> = (1..=24).map(post).collect();
        all.push(Diagnostic {
            file: "posts.jsonl".into(),
            line: 25,
            field: Some("url".into()),
            message: "not a web address".into(),
        });
        assert_eq!(
            rejected(&all),
            "rejected: posts.jsonl:1-24 (24 records): these look like posts: use `claimdesk ingest`\n\
             rejected: posts.jsonl:25: field `url`: not a web address\n"
        );
        let many: Vec<Diagnostic> = (1..=60)
            .map(|l| Diagnostic {
                message: format!("bad {l}"),
                ..post(l)
            })
            .collect();
        let text = rejected(&many);
        assert_eq!(text.lines().count(), MAX_LISTED + 1);
        assert!(
            text.ends_with("... and 10 more rejected records (all listed in the import log)\n")
        );
    }
}
