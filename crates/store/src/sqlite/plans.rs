//! Architecture test: every list the desk reads is answered from an index or a summary,
//! never a scan of the items. Each statement is run through `EXPLAIN QUERY PLAN` on a real
//! store; a plan that scans a per-item table, or sorts a whole filtered list, fails.
//!
//! Plans do not depend on how many rows the tables hold here (no statistics are gathered,
//! and the queue names its indexes), so an empty store shows the plans of a full one.

use claimdesk_core::CaseStatus;

use super::SqliteStore;
use super::items::search_match;
use super::monitor::{ALERT_COLUMNS, NARRATIVES_ALL, NARRATIVES_GROWN, REPRESENTATIVES_OF};
use super::queue::{
    Bind, ENTRIES, Statement, count_statement, page_statement, search_count_statement,
    search_page_statement, words_count_statement,
};
use crate::items::{ItemFilter, MatchStatus, WORTHINESS_LEVELS};
use crate::search::{TIERS, Terms};

/// Tables with a row per item (or more): a plan may only SEARCH them.
const PER_ITEM: [&str; 7] = [
    "items",
    "item_queue",
    "q",
    "matches",
    "item_check_worthiness",
    "narrative_items",
    "narratives",
];

/// The partial indexes of `item_queue`: each holds only the items its filter keeps.
const PARTIAL: [&str; 6] = [
    "item_queue_matched",
    "item_queue_case",
    "item_queue_worthy_30",
    "item_queue_worthy_50",
    "item_queue_worthy_70",
    "item_queue_worthy_90",
];

async fn plan(store: &SqliteStore, st: &Statement) -> Vec<String> {
    let explained = Statement {
        sql: format!("EXPLAIN QUERY PLAN {}", st.sql),
        binds: st.binds.clone(),
    };
    explained
        .query()
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", st.sql))
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, 3))
        .collect()
}

/// The plan's lines that scan a per-item table, except a walk of `allowed` (an index in
/// the list's own order, which its LIMIT stops).
fn scans(plan: &[String], allowed: &[&str]) -> Vec<String> {
    plan.iter()
        .filter(|line| {
            let Some(rest) = line.strip_prefix("SCAN ") else {
                return false;
            };
            let table = rest.split_whitespace().next().unwrap_or("");
            PER_ITEM.contains(&table)
                && !allowed.iter().any(|index| {
                    line.ends_with(&format!("USING INDEX {index}"))
                        || line.ends_with(&format!("USING COVERING INDEX {index}"))
                })
        })
        .cloned()
        .collect()
}

fn sorts(plan: &[String]) -> bool {
    plan.iter().any(|l| l.contains("TEMP B-TREE FOR ORDER BY"))
}

/// Every combination of the queue's filters (each match status, and none).
fn filters() -> Vec<ItemFilter> {
    let statuses = [
        None,
        Some(MatchStatus::Matched),
        Some(MatchStatus::Unmatched),
        Some(MatchStatus::Confident),
        Some(MatchStatus::Review),
    ];
    let mut all = Vec::new();
    // No threshold, one the desk offers (an index of its own), one above every level (read
    // from the highest level's index), and one below them all.
    let worthiness = [None, Some(0.5), Some(0.9), Some(0.1)];
    for status in statuses {
        for min_check_worthiness in worthiness {
            for bits in 0u32..32 {
                let on = |b: u32| bits & (1 << b) != 0;
                all.push(ItemFilter {
                    status,
                    case_status: on(0).then_some(CaseStatus::Triage),
                    source: on(1).then(|| "twitter".to_string()),
                    language: on(2).then(|| "vi".to_string()),
                    published_from: on(3).then_some(1_700_000_000),
                    published_until: on(4).then_some(1_800_000_000),
                    min_check_worthiness,
                    text: None,
                });
            }
        }
    }
    all
}

/// Whether the filter narrows by a column with an index of its own (not only by dates
/// or a check-worthiness below every level, which walk the queue's order).
fn indexed(f: &ItemFilter) -> bool {
    f.case_status.is_some()
        || f.source.is_some()
        || f.status.is_some()
        || f.language.is_some()
        || f.min_check_worthiness
            .is_some_and(|m| m >= WORTHINESS_LEVELS[0])
}

#[tokio::test]
async fn no_queue_filter_or_search_scans_the_items() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
    for f in filters() {
        let page = page_statement(&f, 25, 500);
        let p = plan(&store, &page).await;
        // A partial index holds only the items that pass its filter: walking it in order
        // reads no other item.
        let mut allowed = PARTIAL.to_vec();
        if !indexed(&f) {
            allowed.push("item_queue_order");
        }
        assert!(scans(&p, &allowed).is_empty(), "{f:?}: {p:?}");
        assert!(!sorts(&p), "page of {f:?} sorts: {p:?}");
        if indexed(&f) {
            assert!(
                p.iter().any(|l| l.contains("USING")
                    && l.contains("INDEX item_queue_")
                    && !l.contains("item_queue_order")),
                "{f:?} does not read its filter's index: {p:?}"
            );
        }
        if f.published_from.is_some() || f.published_until.is_some() {
            assert!(
                p.iter().any(|l| l.contains("at>?") || l.contains("at<?")),
                "{f:?} does not read the dates as a range of its index: {p:?}"
            );
        }
        let count = count_statement(&f, 10_001);
        let p = plan(&store, &count).await;
        let mut allowed = PARTIAL.to_vec();
        if f == ItemFilter::default() {
            allowed.push("item_queue_order");
        }
        assert!(scans(&p, &allowed).is_empty(), "count of {f:?}: {p:?}");

        // The same filters with words, in each group of the results: the full-text index
        // leads, in id order.
        let terms = Terms::of("nước chanh", |_| true).expect("words");
        let statements = TIERS.iter().flat_map(|tier| {
            let words = search_match(&terms, *tier);
            [
                search_page_statement(&words, &f, 25, 500),
                search_count_statement(&words, &f, 10_001),
                words_count_statement(&words, 10_001),
            ]
        });
        for st in statements {
            let p = plan(&store, &st).await;
            assert!(scans(&p, &[]).is_empty(), "search {f:?}: {p:?}");
            assert!(!sorts(&p), "search {f:?} sorts: {p:?}");
            let first_read = p
                .iter()
                .find(|l| l.starts_with("SCAN ") || l.starts_with("SEARCH "));
            assert!(
                first_read.is_some_and(|l| l.contains("items_search VIRTUAL TABLE")),
                "search {f:?} does not start from the full-text index: {p:?}"
            );
            // Words, a language and a source are the index's own: no hit is looked up in
            // the queue.
            let index_alone = ItemFilter {
                language: None,
                source: None,
                ..f.clone()
            } == ItemFilter::default();
            if index_alone {
                assert!(
                    !p.iter().any(|l| l.contains("item_queue")),
                    "search {f:?} reads item_queue: {p:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_desks_other_lists_read_indexes_or_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
    let statement = |sql: &str, binds: Vec<Bind>| Statement {
        sql: sql.to_string(),
        binds,
    };
    let text = |s: &str| Bind::Text(s.into());
    let lists = [
        // A queue page's entries, by id.
        (statement(ENTRIES, vec![text("[1,2,3]")]), vec![]),
        // Narratives of two items or more by last growth, and all of them.
        (
            statement(
                NARRATIVES_GROWN,
                vec![Bind::Int(0), Bind::Int(2), Bind::Int(0), Bind::Int(50)],
            ),
            vec!["narratives_recent"],
        ),
        (
            statement(
                NARRATIVES_ALL,
                vec![Bind::Int(0), Bind::Int(1), Bind::Int(0), Bind::Int(50)],
            ),
            vec!["narratives_last_seen"],
        ),
        // Alerts of one rule.
        (
            statement(
                &format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts WHERE rule = ?1 ORDER BY id DESC LIMIT ?2"
                ),
                vec![text("burst"), Bind::Int(200)],
            ),
            vec![],
        ),
        // The queue's facets and the item count.
        (
            statement(
                "SELECT facet, value FROM item_facets WHERE items > 0 ORDER BY facet, value",
                vec![],
            ),
            vec![],
        ),
        (
            statement("SELECT value FROM counters WHERE name = 'items'", vec![]),
            vec![],
        ),
    ];
    for (st, allowed) in lists {
        let p = plan(&store, &st).await;
        assert!(scans(&p, &allowed).is_empty(), "{}: {p:?}", st.sql);
        assert!(!sorts(&p), "{} sorts: {p:?}", st.sql);
    }
}

/// Items coming in look up the representatives of some twenty narratives each that memory
/// does not hold (at 3,000,000 items): the read takes them from the index alone, not from
/// the rows of `narrative_items`, one page each, they are spread over.
#[tokio::test]
async fn representatives_are_read_from_their_index_alone() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
    let st = Statement {
        sql: REPRESENTATIVES_OF.to_string(),
        binds: vec![Bind::Text("[1, 2, 3]".to_string())],
    };
    let p = plan(&store, &st).await;
    assert!(
        p.iter().any(|l| l
            .ends_with("USING COVERING INDEX narrative_items_representatives (narrative_id=?)")),
        "{p:?}"
    );
    assert!(scans(&p, &[]).is_empty(), "{p:?}");
}
