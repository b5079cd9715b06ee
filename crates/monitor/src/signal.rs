//! Measures over a narrative's time line: the copy-paste burst and the growth rate. Both
//! use the items' own times (published, else ingested), so a backfill of old items is
//! judged by when they appeared, not by when claimdesk read them.

use std::collections::HashMap;

use claimdesk_core::{Burst, NarrativeMember};

/// What makes a burst: at least `items` near-identical items from at least `sources`
/// distinct sources within `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstRule {
    /// N.
    pub items: u32,
    /// M.
    pub sources: u32,
    /// T, in seconds.
    pub window_seconds: i64,
}

impl From<&crate::ClusterSettings> for BurstRule {
    fn from(s: &crate::ClusterSettings) -> Self {
        BurstRule {
            items: s.burst_items,
            sources: s.burst_sources,
            window_seconds: i64::from(s.burst_minutes) * 60,
        }
    }
}

/// The first window of near-identical members that crosses the rule, with its items as
/// evidence. Members without a source count as items but not as sources. Members need not
/// be sorted.
pub fn detect_burst(members: &[NarrativeMember], rule: BurstRule) -> Option<Burst> {
    let mut copies: Vec<&NarrativeMember> = members
        .iter()
        .filter(|m| m.joined_by.is_near_identical())
        .collect();
    if copies.len() < rule.items as usize {
        return None;
    }
    copies.sort_by_key(|m| (m.at, m.item));
    let mut sources: HashMap<&str, u32> = HashMap::new();
    let mut left = 0;
    for right in 0..copies.len() {
        if let Some(s) = copies[right].source.as_deref() {
            *sources.entry(s).or_default() += 1;
        }
        while copies[right].at - copies[left].at > rule.window_seconds {
            if let Some(s) = copies[left].source.as_deref()
                && let Some(n) = sources.get_mut(s)
            {
                *n -= 1;
                if *n == 0 {
                    sources.remove(s);
                }
            }
            left += 1;
        }
        let n = right - left + 1;
        if n >= rule.items as usize && sources.len() >= rule.sources as usize {
            let evidence: Vec<NarrativeMember> =
                copies[left..=right].iter().map(|m| (*m).clone()).collect();
            return Some(Burst {
                window_start: copies[left].at,
                window_end: copies[right].at,
                items: n as u32,
                sources: sources.len() as u32,
                evidence,
            });
        }
    }
    None
}

/// Items per hour over the last `window_hours` of the time line (ending at its latest
/// item), with that count.
pub fn growth_rate(members: &[NarrativeMember], window_hours: u32) -> (f64, u32) {
    let Some(latest) = members.iter().map(|m| m.at).max() else {
        return (0.0, 0);
    };
    let window = i64::from(window_hours.max(1)) * 3600;
    let n = members.iter().filter(|m| m.at > latest - window).count() as u32;
    (f64::from(n) / f64::from(window_hours.max(1)), n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use claimdesk_core::{ItemId, JoinedBy};

    fn member(i: i64, at: i64, source: &str) -> NarrativeMember {
        NarrativeMember {
            item: ItemId(i),
            at,
            source: Some(source.to_string()),
            joined_by: JoinedBy::Fingerprint,
        }
    }

    const RULE: BurstRule = BurstRule {
        items: 5,
        sources: 3,
        window_seconds: 600,
    };

    #[test]
    fn n_items_from_m_sources_within_t_is_a_burst() {
        let m: Vec<_> = (0..5)
            .map(|i| member(i, 1000 + i * 150, ["a", "b", "c"][i as usize % 3]))
            .collect();
        let b = detect_burst(&m, RULE).expect("burst");
        assert_eq!(
            (b.items, b.sources, b.window_start, b.window_end),
            (5, 3, 1000, 1600)
        );
        assert_eq!(b.evidence.len(), 5);
    }

    #[test]
    fn one_item_short_is_not_a_burst() {
        let m: Vec<_> = (0..4)
            .map(|i| member(i, 1000 + i * 10, ["a", "b", "c"][i as usize % 3]))
            .collect();
        assert_eq!(detect_burst(&m, RULE), None);
    }

    #[test]
    fn one_source_short_is_not_a_burst() {
        let m: Vec<_> = (0..10)
            .map(|i| member(i, 1000 + i * 10, ["a", "b"][i as usize % 2]))
            .collect();
        assert_eq!(detect_burst(&m, RULE), None);
    }

    #[test]
    fn one_second_too_spread_is_not_a_burst() {
        // Five items over 601 s: no window of 600 s holds five.
        let m: Vec<_> = (0..5)
            .map(|i| {
                member(
                    i,
                    1000 + i * 150 + i64::from(i == 4),
                    ["a", "b", "c"][i as usize % 3],
                )
            })
            .collect();
        assert_eq!(detect_burst(&m, RULE), None);
        let exact: Vec<_> = (0..5)
            .map(|i| member(i, 1000 + i * 150, ["a", "b", "c"][i as usize % 3]))
            .collect();
        assert!(detect_burst(&exact, RULE).is_some());
    }

    #[test]
    fn paraphrases_do_not_count_toward_a_burst() {
        let mut m: Vec<_> = (0..5)
            .map(|i| member(i, 1000 + i, ["a", "b", "c"][i as usize % 3]))
            .collect();
        m[4].joined_by = JoinedBy::Embedding;
        assert_eq!(detect_burst(&m, RULE), None);
    }

    #[test]
    fn order_of_arrival_does_not_matter() {
        let mut m: Vec<_> = (0..5)
            .map(|i| member(i, 1000 + i * 100, ["a", "b", "c"][i as usize % 3]))
            .collect();
        m.reverse();
        assert!(detect_burst(&m, RULE).is_some());
    }

    #[test]
    fn growth_counts_the_last_window() {
        let m: Vec<_> = (0..30).map(|i| member(i, i * 600, "a")).collect();
        // Latest at 17400; the last 2 hours (after 10200) hold items 18..=29.
        assert_eq!(growth_rate(&m, 2), (6.0, 12));
    }
}
