//! The alert rules: which alert a narrative raises, if any. Alerts are per story, not per
//! item: each has the subject `narrative:ID` (an escalation `narrative:ID:xM`), and the store
//! keeps one alert per rule and subject, so a copy-paste flood of any size raises one
//! false-match, one burst and one growth alert, and an escalation each time it grows tenfold.
//! Each alert carries the narrative's size when it was raised ([`NarrativeCount`]).

use claimdesk_core::{
    AlertRule, Burst, FactCheckId, NarrativeCount, NarrativeId, Rating, StoredFactCheck, StoredItem,
};
use claimdesk_publish::RatingScale;
use claimdesk_store::{NewAlert, StoredMatch};
use serde_json::json;

use crate::settings::AlertSettings;

/// Characters of a text quoted in an alert's summary.
const QUOTED: usize = 120;

fn quote(text: &str) -> String {
    let mut out: String = text.chars().take(QUOTED).collect();
    if text.chars().count() > QUOTED {
        out.push('…');
    }
    out
}

/// The subject of the alerts about a narrative: `narrative:ID`.
pub fn narrative_subject(narrative: NarrativeId) -> String {
    format!("narrative:{}", narrative.0)
}

/// The subject of a narrative's escalation to `multiple` times its first alert's size:
/// `narrative:ID:xM`.
pub fn escalation_subject(narrative: NarrativeId, multiple: u64) -> String {
    format!("narrative:{}:x{multiple}", narrative.0)
}

/// The multiple of an escalation's subject (`narrative:ID:xM` → M).
pub fn escalation_multiple(subject: &str) -> Option<u64> {
    subject.rsplit_once(":x")?.1.parse().ok()
}

fn span(count: &NarrativeCount) -> String {
    let time = |t: i64| {
        jiff::Timestamp::from_second(t)
            .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| t.to_string())
    };
    format!(
        "{} items, first seen {}, last seen {}",
        count.items,
        time(count.first_seen),
        time(count.last_seen)
    )
}

/// Whether a rating says "false": its label or value is a false verdict of the desk's
/// scale, or its value lies at most `max_share` of the way from its worst to its best.
pub fn is_false_rating(rating: &Rating, scale: &RatingScale, max_share: f64) -> bool {
    if scale.is_false(rating) {
        return true;
    }
    match (rating.value, rating.best, rating.worst) {
        (Some(v), Some(best), Some(worst)) if best != worst => {
            (v - worst) / (best - worst) <= max_share
        }
        _ => false,
    }
}

/// Rule (a): the item's best stored match to a fact-check rated false whose score reaches
/// the threshold (or that the reranker marked confident). Reranked matches (their
/// explanation lists `features`) are held to [`AlertSettings::false_match_min_score`],
/// lexical ones to [`AlertSettings::false_match_min_lexical`]. The alert is about the item's
/// narrative (`count` is its size now), so the story alerts once however many of its items
/// repeat the claim; an item alone in its narrative alerts as a story of one.
pub fn false_match(
    item: &StoredItem,
    narrative: NarrativeId,
    count: NarrativeCount,
    matches: &[StoredMatch],
    fact_checks: &[StoredFactCheck],
    scale: &RatingScale,
    settings: &AlertSettings,
) -> Option<NewAlert> {
    let find = |id: FactCheckId| fact_checks.iter().find(|f| f.id == id);
    let mut ranked: Vec<&StoredMatch> = matches.iter().collect();
    ranked.sort_by_key(|m| m.rank);
    for m in ranked {
        let confident = m.explanation.confident;
        // With the model, the match verifier has judged the match: only a confident top
        // match alerts (a high ranking score means only "the nearest fact-check"). Without
        // it, the lexical score must reach its threshold.
        let verified = m.explanation.strength.is_some();
        let alerts = if verified {
            confident
        } else if !m.explanation.features.is_empty() {
            confident || m.score >= settings.false_match_min_score
        } else {
            confident || m.score >= settings.false_match_min_lexical
        };
        if !alerts {
            continue;
        }
        let Some(fc) = find(m.fact_check) else {
            continue;
        };
        let Some(rating) = &fc.fact_check.rating else {
            continue;
        };
        if !is_false_rating(rating, scale, settings.false_rating_max) {
            continue;
        }
        let verdict = rating.label.clone().unwrap_or_else(|| "false".to_string());
        return Some(NewAlert {
            rule: AlertRule::FalseMatch,
            subject: narrative_subject(narrative),
            item: Some(item.id),
            narrative: Some(narrative),
            fact_check: Some(fc.id),
            count: Some(count),
            summary: format!(
                "narrative {} ({}) repeats a claim rated {verdict}, first raised by item {}: {}",
                narrative.0,
                span(&count),
                item.id.0,
                quote(&fc.fact_check.claim)
            ),
            details: json!({
                "score": m.score,
                "rank": m.rank,
                "confident": confident,
                "rating": rating,
                "fact_check_url": fc.fact_check.url,
                "item_url": item.item.url,
                "item_source": item.item.source,
            }),
        });
    }
    None
}

/// Rule (b): a narrative's copy-paste burst; `count` is the narrative's size now.
pub fn burst(narrative: NarrativeId, text: &str, burst: &Burst, count: NarrativeCount) -> NewAlert {
    NewAlert {
        rule: AlertRule::Burst,
        subject: narrative_subject(narrative),
        item: None,
        narrative: Some(narrative),
        fact_check: None,
        count: Some(count),
        summary: format!(
            "copy-paste burst in narrative {} ({}): {} near-identical items from {} sources in {} minutes: {}",
            narrative.0,
            span(&count),
            burst.items,
            burst.sources,
            (burst.window_end - burst.window_start).div_euclid(60),
            quote(text)
        ),
        details: json!({
            "window_start": burst.window_start,
            "window_end": burst.window_end,
            "items": burst.items,
            "sources": burst.sources,
            "evidence": burst.evidence,
        }),
    }
}

/// Rule (c): a narrative growing at `rate` items per hour (`items` in the last
/// `window_hours`), when that reaches the threshold; `count` is its size now.
pub fn growth(
    narrative: NarrativeId,
    text: &str,
    rate: f64,
    items: u32,
    settings: &AlertSettings,
    count: NarrativeCount,
) -> Option<NewAlert> {
    (rate >= settings.growth_items_per_hour).then(|| NewAlert {
        rule: AlertRule::Growth,
        subject: narrative_subject(narrative),
        item: None,
        narrative: Some(narrative),
        fact_check: None,
        count: Some(count),
        summary: format!(
            "narrative {} ({}) growing at {rate:.1} items/hour over {} h: {}",
            narrative.0,
            span(&count),
            settings.growth_window_hours,
            quote(text)
        ),
        details: json!({
            "items_per_hour": rate,
            "items": items,
            "window_hours": settings.growth_window_hours,
        }),
    })
}

/// Rule (d): a narrative that first alerted at `base` items now holds `multiple` times as
/// many (10, 100, 1,000, ...); `count` is its size now.
pub fn escalation(
    narrative: NarrativeId,
    text: &str,
    multiple: u64,
    base: u32,
    count: NarrativeCount,
) -> NewAlert {
    NewAlert {
        rule: AlertRule::Escalation,
        subject: escalation_subject(narrative, multiple),
        item: None,
        narrative: Some(narrative),
        fact_check: None,
        count: Some(count),
        summary: format!(
            "narrative {} has grown {multiple}x since it first alerted at {base} items ({}): {}",
            narrative.0,
            span(&count),
            quote(text)
        ),
        details: json!({
            "multiple": multiple,
            "first_alert_items": base,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating(value: f64, best: f64, worst: f64, label: &str) -> Rating {
        Rating {
            value: Some(value),
            best: Some(best),
            worst: Some(worst),
            label: Some(label.to_string()),
        }
    }

    #[test]
    fn escalation_subjects_name_their_multiple() {
        let s = escalation_subject(NarrativeId(12), 1000);
        assert_eq!(s, "narrative:12:x1000");
        assert_eq!(escalation_multiple(&s), Some(1000));
        assert_eq!(
            escalation_multiple(&narrative_subject(NarrativeId(12))),
            None
        );
    }

    #[test]
    fn false_ratings_by_value_or_label() {
        let scale = RatingScale::default();
        assert!(is_false_rating(&rating(1.0, 5.0, 1.0, "?"), &scale, 0.25));
        assert!(is_false_rating(&rating(2.0, 5.0, 1.0, "?"), &scale, 0.25));
        assert!(!is_false_rating(&rating(3.0, 5.0, 1.0, "?"), &scale, 0.25));
        assert!(!is_false_rating(
            &rating(5.0, 5.0, 1.0, "True"),
            &scale,
            0.25
        ));
        let label_only = Rating {
            label: Some("Sai sự thật".into()),
            ..Rating::default()
        };
        assert!(is_false_rating(&label_only, &scale, 0.25));
    }
}
