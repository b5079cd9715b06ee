//! Watched feeds and drop folders: the list with health, and what one poll did.

use std::fmt::Write as _;

use claimdesk_engine::ingest::poll::PollReport;
use claimdesk_engine::store::{PollOutcome, Source};

use crate::interval;

/// Two lines per source: id, kind, interval, location; then health, items read, next poll.
pub fn sources(sources: &[Source]) -> String {
    if sources.is_empty() {
        return "no sources: add one with `claimdesk source add URL|FOLDER`\n".into();
    }
    let mut out = String::new();
    for s in sources {
        let _ = writeln!(
            out,
            "{}\t{}\tevery {}\t{}\n\t{}{}; items read: {}; next poll {}",
            s.id,
            s.kind,
            interval(s.interval_secs),
            s.location,
            if s.paused { "paused; " } else { "" },
            s.health(),
            s.items_seen,
            s.next_poll_at
        );
    }
    out
}

/// What one poll of a source did, one line.
pub fn poll(r: &PollReport) -> String {
    let s = &r.source;
    match r.outcome {
        PollOutcome::Fetched => format!(
            "source {} ({}): {} items read, {} new or changed, {} rejected\n",
            s.id,
            s.location,
            r.items,
            r.changed.len(),
            r.rejected
        ),
        PollOutcome::NotModified => format!("source {} ({}): no change\n", s.id, s.location),
        PollOutcome::Failed => format!("source {} ({}): {}\n", s.id, s.location, s.health()),
    }
}

/// A source just added, and where it is polled from.
pub fn added(s: &Source) -> String {
    format!(
        "added source {}: {} {} every {} (polled by `claimdesk source poll` or `claimdesk serve`)\n",
        s.id,
        s.kind,
        s.location,
        interval(s.interval_secs)
    )
}
