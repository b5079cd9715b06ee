//! Narratives and their bursts, alerts, webhooks and their delivery log.

use std::fmt::Write as _;

use claimdesk_engine::core::Alert;
use claimdesk_engine::store::{
    Delivery, DeliveryAttempt, NarrativeDetail, NarrativeSummary, Tally, Webhook,
};

use crate::{excerpt, one_line, time};

/// One narrative per entry: id, size, sources, first and last seen, its burst, its text.
pub fn narratives(list: &[NarrativeSummary]) -> String {
    let mut out = String::new();
    for n in list {
        let burst = n.burst.as_ref().map_or(String::new(), |b| {
            format!(
                "  BURST {} items from {} sources in {} min",
                b.items,
                b.sources,
                (b.window_end - b.window_start) / 60
            )
        });
        let _ = writeln!(
            out,
            "{}\t{} items\t{} sources\t{} .. {}{burst}\n\t{}",
            n.id.0,
            n.items,
            n.sources,
            time(n.first_seen),
            time(n.last_seen),
            excerpt(&n.representative_text, 160)
        );
    }
    out
}

/// What `narratives rebuild` made of `items` stored items.
pub fn rebuilt(all: &[NarrativeSummary], items: u64) -> String {
    format!(
        "rebuilt {} narratives from {items} items ({} of 2 or more, {} with a copy-paste burst)\n",
        all.len(),
        all.iter().filter(|n| n.items >= 2).count(),
        all.iter().filter(|n| n.burst.is_some()).count()
    )
}

/// One narrative in full: volume by hour, languages, sources, fact-checks, its items with
/// how each joined, the burst's evidence.
pub fn narrative(d: &NarrativeDetail) -> String {
    let s = &d.summary;
    let mut out = format!(
        "narrative {}: {} items from {} sources\nfirst seen {}, last seen {}\ntext: {}\nvolume by hour:\n",
        s.id.0,
        s.items,
        s.sources,
        time(s.first_seen),
        time(s.last_seen),
        s.representative_text
    );
    for v in &d.volume {
        let _ = writeln!(out, "  {}  {}", time(v.hour), v.items);
    }
    let tallies = |t: &[Tally]| {
        t.iter()
            .map(|t| format!("{} ({})", t.value, t.items))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "languages: {}", tallies(&d.languages));
    let _ = writeln!(out, "sources: {}", tallies(&d.sources));
    for f in &d.fact_checks {
        let _ = writeln!(
            out,
            "fact-check {}: {} [{}] best match of {} items",
            f.fact_check.0,
            excerpt(&f.claim, 120),
            f.rating_label.as_deref().unwrap_or("no rating"),
            f.items
        );
    }
    if !d.items.is_empty() {
        let _ = writeln!(out, "items, earliest first:");
    }
    for i in &d.items {
        let source = i.source.as_deref().unwrap_or("-");
        let joined = match i.image {
            Some(j) => format!(
                "image near-duplicate of item {}'s, distance {} of 256",
                j.item.0, j.distance
            ),
            None => i.joined_by.as_str().to_string(),
        };
        let _ = writeln!(
            out,
            "  item {}  {}  {source}  {joined}: {}",
            i.item.0,
            time(i.at),
            one_line(&i.text, 80)
        );
    }
    if let Some(b) = &s.burst {
        let _ = writeln!(
            out,
            "copy-paste burst: {} near-identical items from {} sources, {} .. {}; evidence:",
            b.items,
            b.sources,
            time(b.window_start),
            time(b.window_end)
        );
        for e in &b.evidence {
            let source = e.source.as_deref().unwrap_or("-");
            let _ = writeln!(out, "  item {}  {}  {source}", e.item.0, time(e.at));
        }
    }
    out
}

/// One alert per line: id, when, rule, subject, summary.
pub fn alerts(list: &[Alert]) -> String {
    let mut out = String::new();
    for a in list {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            a.id.0, a.created_at, a.rule, a.subject, a.summary
        );
    }
    out
}

/// One endpoint per line (never its secret).
pub fn webhooks(hooks: &[Webhook]) -> String {
    if hooks.is_empty() {
        return "no webhooks (add one with `claimdesk webhook add URL`)\n".into();
    }
    let mut out = String::new();
    for h in hooks {
        let _ = writeln!(out, "{}\t{}\t{}", h.id.0, h.url, h.created_at);
    }
    out
}

/// The delivery log, one attempt per line.
pub fn deliveries(log: &[Delivery]) -> String {
    if log.is_empty() {
        return "no deliveries\n".into();
    }
    let mut out = String::new();
    for d in log {
        let status = d.status.map_or("-".to_string(), |s| s.to_string());
        let _ = writeln!(
            out,
            "{}\twebhook {}\talert {}\tattempt {}\t{status}\t{}",
            d.at,
            d.webhook.0,
            d.alert.0,
            d.attempt,
            d.error.as_deref().unwrap_or("ok")
        );
    }
    out
}

/// One line per delivery attempt just made: delivered, or why not.
pub fn attempts(attempts: &[DeliveryAttempt]) -> String {
    let mut out = String::new();
    for a in attempts {
        let _ = match &a.error {
            None => writeln!(
                out,
                "webhook {}: alert {} delivered",
                a.webhook.0, a.alert.0
            ),
            Some(e) => writeln!(
                out,
                "webhook {}: alert {} attempt {} failed: {e}",
                a.webhook.0, a.alert.0, a.attempt
            ),
        };
    }
    out
}
