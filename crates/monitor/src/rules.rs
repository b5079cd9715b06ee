//! The alert rules: which alert an item or a narrative raises, if any. Each alert has one
//! subject (`item:ID`, `narrative:ID`), and the store keeps one alert per rule and subject.

use claimdesk_core::{
    AlertRule, Burst, FactCheckId, NarrativeId, Rating, StoredFactCheck, StoredItem,
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
/// lexical ones to [`AlertSettings::false_match_min_lexical`].
pub fn false_match(
    item: &StoredItem,
    matches: &[StoredMatch],
    fact_checks: &[StoredFactCheck],
    scale: &RatingScale,
    settings: &AlertSettings,
) -> Option<NewAlert> {
    let find = |id: FactCheckId| fact_checks.iter().find(|f| f.id == id);
    let mut ranked: Vec<&StoredMatch> = matches.iter().collect();
    ranked.sort_by_key(|m| m.rank);
    for m in ranked {
        let confident = m.explanation.get("confident") == Some(&serde_json::Value::Bool(true));
        // With the model, the match verifier has judged the match: only a confident top
        // match alerts (a high ranking score means only "the nearest fact-check"). Without
        // it, the lexical score must reach its threshold.
        let verified = m.explanation.get("strength").is_some();
        let alerts = if verified {
            confident
        } else if m.explanation.get("features").is_some() {
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
            subject: format!("item:{}", item.id.0),
            item: Some(item.id),
            narrative: None,
            fact_check: Some(fc.id),
            summary: format!(
                "item {} repeats a claim rated {verdict}: {}",
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

/// Rule (b): a narrative's copy-paste burst.
pub fn burst(narrative: NarrativeId, text: &str, burst: &Burst) -> NewAlert {
    NewAlert {
        rule: AlertRule::Burst,
        subject: format!("narrative:{}", narrative.0),
        item: None,
        narrative: Some(narrative),
        fact_check: None,
        summary: format!(
            "copy-paste burst: {} near-identical items from {} sources in {} minutes: {}",
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
/// `window_hours`), when that reaches the threshold.
pub fn growth(
    narrative: NarrativeId,
    text: &str,
    rate: f64,
    items: u32,
    settings: &AlertSettings,
) -> Option<NewAlert> {
    (rate >= settings.growth_items_per_hour).then(|| NewAlert {
        rule: AlertRule::Growth,
        subject: format!("narrative:{}", narrative.0),
        item: None,
        narrative: Some(narrative),
        fact_check: None,
        summary: format!(
            "narrative growing at {rate:.1} items/hour over {} h: {}",
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
