//! The desk's reads: queue filters and order, single lookups, fact-check search.

use claimdesk_core::{Explanation, FactCheck, FactCheckId, Item, ItemId};
use claimdesk_store::AnyStore;
use claimdesk_store::prelude::*;
use claimdesk_store::{
    ImportSource, ItemFilter, MatchStatus, NewFactCheck, NewItem, PageRequest, SqliteStore,
    StoredMatch,
};

fn source() -> ImportSource<'static> {
    ImportSource {
        file: "test",
        format: "jsonl",
        diagnostics: &[],
        actor: claimdesk_core::Actor::Cli,
    }
}

fn item(key: &str, text: &str, lang: &str, src: &str, at: Option<&str>) -> NewItem {
    NewItem {
        key: key.into(),
        item: Item {
            text: text.into(),
            language: Some(lang.into()),
            source: Some(src.into()),
            published_at: at.map(Into::into),
            ..Item::default()
        },
    }
}

const ALL: PageRequest = PageRequest {
    offset: 0,
    limit: 100,
};

/// Three items: a confident match (a), a suggestion (b), an undated unmatched one (c).
async fn desk(s: AnyStore) -> (AnyStore, Vec<ItemId>) {
    let fcs = ["Vaccines cause 50% of illness", "Lemon water cures cancer"].map(|c| NewFactCheck {
        fact_check: FactCheck {
            source_id: c.into(),
            claim: c.into(),
            date_published: Some("2026-01-01".into()),
            ..FactCheck::default()
        },
        duplicate_key: c.into(),
    });
    s.save_fact_checks(&fcs, source()).await.unwrap();
    let (_, ids) = s
        .save_items(
            &[
                item(
                    "a",
                    "lemon water cures",
                    "en",
                    "x",
                    Some("2026-01-09T06:42:00+07:00"),
                ),
                item(
                    "b",
                    "Vắc-xin gây bệnh",
                    "vi",
                    "y",
                    Some("2026-02-01T00:00:00Z"),
                ),
                item("c", "nothing here", "en", "y", None),
            ],
            source(),
        )
        .await
        .unwrap();
    let stored = |fc, confident| StoredMatch {
        fact_check: FactCheckId(fc),
        rank: 1,
        score: 0.5,
        explanation: Explanation {
            lexical: 1.0,
            confident,
            ..Explanation::default()
        },
    };
    s.save_matches(ids[0], &[stored(2, true)]).await.unwrap();
    s.save_matches(ids[1], &[stored(1, false)]).await.unwrap();
    (s, ids)
}

async fn queue_ids(s: &impl Store, filter: ItemFilter) -> Vec<i64> {
    let page = s.queue(&filter, ALL).await.unwrap();
    assert_eq!(page.total as usize, page.entries.len());
    page.entries.iter().map(|e| e.item.id.0).collect()
}

async fn the_queue_is_newest_first_with_undated_items_last(s: AnyStore) {
    let (s, ids) = desk(s).await;
    let page = s.queue(&ItemFilter::default(), ALL).await.unwrap();
    let got: Vec<_> = page.entries.iter().map(|e| e.item.id).collect();
    assert_eq!(got, vec![ids[1], ids[0], ids[2]]);
    assert_eq!(
        page.entries[0].top.as_ref().unwrap().fact_check,
        FactCheckId(1)
    );
    assert!(page.entries[2].top.is_none());
    let second = s
        .queue(
            &ItemFilter::default(),
            PageRequest {
                offset: 1,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!((second.total, second.entries[0].item.id), (3, ids[0]));
}

async fn queue_filters_combine(s: AnyStore) {
    let (s, ids) = desk(s).await;
    let [a, b, c] = [ids[0].0, ids[1].0, ids[2].0];
    let by_status = |status| ItemFilter {
        status: Some(status),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, by_status(MatchStatus::Matched)).await, [b, a]);
    assert_eq!(queue_ids(&s, by_status(MatchStatus::Unmatched)).await, [c]);
    assert_eq!(queue_ids(&s, by_status(MatchStatus::Confident)).await, [a]);
    assert_eq!(queue_ids(&s, by_status(MatchStatus::Review)).await, [b]);
    let f = ItemFilter {
        language: Some("en".into()),
        source: Some("y".into()),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, f).await, [c]);
    // 2026-01-09T06:42+07:00 is 2026-01-08T23:42Z: the offset counts.
    let jan9_utc = 1_767_916_800;
    let f = ItemFilter {
        published_from: Some(jan9_utc),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, f).await, [b]);
    let f = ItemFilter {
        published_until: Some(jan9_utc),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, f).await, [a]);
    let f = ItemFilter {
        text: Some("LEMON".into()),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, f).await, [a]);
    let f = ItemFilter {
        text: Some("vắc".into()),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, f).await, [b]);
}

async fn check_worthiness_is_kept_shown_in_the_queue_and_filtered_on(s: AnyStore) {
    use claimdesk_core::{CheckWorthiness, ScoredSentence};
    let (s, ids) = desk(s).await;
    let [a, b, c] = [ids[0], ids[1], ids[2]];
    let scored = |score: f32, matched| CheckWorthiness {
        score,
        sentences: vec![ScoredSentence {
            start: 0,
            end: 5,
            score,
        }],
        scorer: "cues".into(),
        matched,
    };
    s.save_check_worthiness(&[(a, scored(0.2, false)), (b, scored(0.9, true))])
        .await
        .unwrap();
    assert_eq!(
        s.check_worthiness(b).await.unwrap(),
        Some(scored(0.9, true))
    );
    assert_eq!(s.check_worthiness(c).await.unwrap(), None);
    // Scoring again replaces.
    s.save_check_worthiness(&[(a, scored(0.4, true))])
        .await
        .unwrap();
    assert_eq!(
        s.check_worthiness(a).await.unwrap(),
        Some(scored(0.4, true))
    );
    // An item twice in one batch keeps the last score.
    s.save_check_worthiness(&[(a, scored(0.35, true)), (a, scored(0.3, false))])
        .await
        .unwrap();

    let page = s.queue(&ItemFilter::default(), ALL).await.unwrap();
    let shown: Vec<_> = page
        .entries
        .iter()
        .map(|e| (e.item.id, e.check_worthiness, e.below_threshold))
        .collect();
    assert_eq!(
        shown,
        [
            (b, Some(0.9), false),
            (a, Some(0.3), true),
            (c, None, false)
        ]
    );
    let at_least = |min| ItemFilter {
        min_check_worthiness: Some(min),
        ..ItemFilter::default()
    };
    assert_eq!(queue_ids(&s, at_least(0.5)).await, [b.0]);
    assert_eq!(queue_ids(&s, at_least(0.25)).await, [b.0, a.0]);
    // Between the levels the desk offers, and above them: read from the level below, and
    // the threshold itself still holds.
    assert_eq!(queue_ids(&s, at_least(0.3)).await, [b.0, a.0]);
    assert_eq!(queue_ids(&s, at_least(0.35)).await, [b.0]);
    assert_eq!(queue_ids(&s, at_least(0.85)).await, [b.0]);
    assert!(queue_ids(&s, at_least(0.95)).await.is_empty());
    let page = s.queue(&at_least(0.25), ALL).await.unwrap();
    assert_eq!(page.total, 2);
}

async fn lookups_by_id_and_fact_check_search(s: AnyStore) {
    let (s, ids) = desk(s).await;
    assert_eq!(
        s.item(ids[1]).await.unwrap().unwrap().item.text,
        "Vắc-xin gây bệnh"
    );
    assert!(s.item(ItemId(999)).await.unwrap().is_none());
    let got = s
        .fact_checks_by_id(&[FactCheckId(2), FactCheckId(77)])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].fact_check.claim, "Lemon water cures cancer");
    assert!(s.aliases(FactCheckId(1)).await.unwrap().is_empty());
    let all = s.search_fact_checks(None, ALL).await.unwrap();
    assert_eq!(all.total, 2);
    // `%` in the search is a literal percent sign, not a wildcard.
    let hit = s.search_fact_checks(Some("50%"), ALL).await.unwrap();
    assert_eq!(hit.total, 1);
    assert!(
        s.search_fact_checks(Some("5%0"), ALL)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let facets = s.item_facets().await.unwrap();
    assert_eq!(facets.languages, ["en", "vi"]);
    assert_eq!(facets.sources, ["x", "y"]);
}

/// Items to search: Vietnamese with and without accents, in both tone-mark styles.
async fn search_desk(s: AnyStore) -> (AnyStore, Vec<ItemId>) {
    let (_, ids) = s
        .save_items(
            &[
                // Oldest first, so the queue's newest-first order is the reverse.
                item(
                    "plain",
                    "uong nuoc chanh nong moi sang",
                    "vi",
                    "x",
                    Some("2026-01-01T00:00:00Z"),
                ),
                item(
                    "accented",
                    "Uống nước chanh nóng mỗi sáng chữa ung thư",
                    "vi",
                    "x",
                    Some("2026-01-02T00:00:00Z"),
                ),
                item(
                    "old-style",
                    "Nhà máy thuỷ điện xả lũ",
                    "vi",
                    "x",
                    Some("2026-01-03T00:00:00Z"),
                ),
                item(
                    "other",
                    "Lemon water every morning",
                    "en",
                    "x",
                    Some("2026-01-04T00:00:00Z"),
                ),
            ],
            source(),
        )
        .await
        .unwrap();
    (s, ids)
}

fn words(text: &str) -> ItemFilter {
    ItemFilter {
        text: Some(text.into()),
        ..ItemFilter::default()
    }
}

async fn regression_queue_search_is_normalized_as_matching_is(s: AnyStore) {
    let (s, ids) = search_desk(s).await;
    let [plain, accented, old_style, _] = [ids[0].0, ids[1].0, ids[2].0, ids[3].0];
    // As written, in capitals, and without accents: the same items; the one with the words
    // as written first, the accent-free one after it.
    assert_eq!(queue_ids(&s, words("nước chanh")).await, [accented, plain]);
    assert_eq!(queue_ids(&s, words("NƯỚC CHANH")).await, [accented, plain]);
    // Typed without accents: the item written so first, the accented one after it.
    assert_eq!(queue_ids(&s, words("nuoc chanh")).await, [plain, accented]);
    // The other tone-mark style finds the item.
    assert_eq!(queue_ids(&s, words("thủy điện")).await, [old_style]);
    assert_eq!(queue_ids(&s, words("THUỶ")).await, [old_style]);
    // Words anywhere, the last one as typed so far.
    assert_eq!(queue_ids(&s, words("chanh uống")).await, [accented, plain]);
    assert_eq!(queue_ids(&s, words("ung th")).await, [accented]);
    // FTS5 syntax is only words.
    assert_eq!(
        queue_ids(&s, words("nước\" chanh* (")).await,
        [accented, plain]
    );
    assert!(queue_ids(&s, words("?!")).await.is_empty());
    assert!(queue_ids(&s, words("cà phê")).await.is_empty());
}

#[tokio::test]
async fn the_search_index_follows_changed_items_and_catches_up_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let s = SqliteStore::open(&path).await.unwrap();
    let (_, ids) = s
        .save_items(&[item("k", "cà phê sữa đá", "vi", "x", None)], source())
        .await
        .unwrap();
    assert_eq!(queue_ids(&s, words("ca phe")).await, [ids[0].0]);
    // Changed: the old words are gone from the index, the new ones are in it.
    s.save_items(&[item("k", "trà đá vỉa hè", "vi", "x", None)], source())
        .await
        .unwrap();
    assert!(queue_ids(&s, words("ca phe")).await.is_empty());
    assert_eq!(queue_ids(&s, words("tra da")).await, [ids[0].0]);
    drop(s);
    // A store whose index lost its rows (as one from before the index) is indexed again
    // when opened.
    let mut conn =
        sqlx::ConnectOptions::connect(&sqlx::sqlite::SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
    sqlx::query("DELETE FROM items_search")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let s = SqliteStore::open(&path).await.unwrap();
    assert_eq!(queue_ids(&s, words("vỉa hè")).await, [ids[0].0]);
}

async fn search_pages_run_on_from_the_words_as_written_to_those_without_accents(s: AnyStore) {
    let (s, ids) = search_desk(s).await;
    let [plain, accented] = [ids[0].0, ids[1].0];
    let page = |offset| PageRequest { offset, limit: 1 };
    let mut seen = Vec::new();
    for offset in 0..3 {
        let p = s.queue(&words("nuoc chanh"), page(offset)).await.unwrap();
        assert_eq!((p.total, p.total_exact), (2, true));
        seen.extend(p.entries.iter().map(|e| e.item.id.0));
    }
    assert_eq!(seen, [plain, accented]);
}

async fn words_as_written_come_first_whole_then_begun_then_without_accents(s: AnyStore) {
    // Oldest first. "chan" is a word of its own; "chanh" only begins with it.
    let texts = [
        ("begun-old", "uống nước chanh mỗi sáng"),
        ("without-accents", "nuoc chan sach"),
        ("as-written", "nước chan cho bé"),
        ("begun-new", "nước chanh muối"),
        ("unrelated", "nước mía"),
    ];
    let batch: Vec<NewItem> = texts
        .iter()
        .map(|(key, text)| item(key, text, "vi", "x", None))
        .collect();
    let (_, ids) = s.save_items(&batch, source()).await.unwrap();
    let [begun_old, without_accents, as_written, begun_new] =
        [ids[0].0, ids[1].0, ids[2].0, ids[3].0];
    let want = [as_written, begun_new, begun_old, without_accents];
    assert_eq!(queue_ids(&s, words("nước chan")).await, want);
    // Page by page, the same order and the same count on each page.
    for limit in 1..=3u32 {
        let mut seen = Vec::new();
        for k in 0..5u64 {
            let p = s
                .queue(
                    &words("nước chan"),
                    PageRequest {
                        offset: k * u64::from(limit),
                        limit,
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                (p.total, p.total_exact),
                (4, true),
                "limit {limit} page {k}"
            );
            seen.extend(p.entries.iter().map(|e| e.item.id.0));
        }
        assert_eq!(seen, want, "limit {limit}");
    }
    // The whole word typed further: only the items that have it.
    assert_eq!(
        queue_ids(&s, words("nuoc chanh")).await,
        [begun_new, begun_old]
    );
}

async fn a_search_in_a_language_or_source_keeps_the_whole_value_and_follows_changes(s: AnyStore) {
    let mut batch: Vec<NewItem> = [
        ("pt", "pt", "x"),
        ("pt-br", "pt-BR", "x-news"),
        ("en", "en", "x"),
    ]
    .iter()
    .map(|(key, lang, source)| item(key, "água com limão cura", lang, source, None))
    .collect();
    batch.push(NewItem {
        key: "none".into(),
        item: Item {
            text: "água com limão cura".into(),
            ..Item::default()
        },
    });
    let (_, ids) = s.save_items(&batch, source()).await.unwrap();
    let [pt, pt_br, en, none] = [ids[0].0, ids[1].0, ids[2].0, ids[3].0];
    let search = |lang: Option<&str>, source: Option<&str>| ItemFilter {
        text: Some("agua limao".into()),
        language: lang.map(Into::into),
        source: source.map(Into::into),
        ..ItemFilter::default()
    };
    assert_eq!(
        queue_ids(&s, search(None, None)).await,
        [none, en, pt_br, pt]
    );
    // A tag is matched whole: `pt` is not a part of `pt-BR`.
    assert_eq!(queue_ids(&s, search(Some("pt"), None)).await, [pt]);
    assert_eq!(queue_ids(&s, search(Some("pt-BR"), None)).await, [pt_br]);
    assert!(queue_ids(&s, search(Some("br"), None)).await.is_empty());
    // With a source, whole too.
    assert_eq!(queue_ids(&s, search(Some("en"), Some("x"))).await, [en]);
    assert!(
        queue_ids(&s, search(Some("en"), Some("y")))
            .await
            .is_empty()
    );
    assert_eq!(queue_ids(&s, search(None, Some("x"))).await, [en, pt]);
    assert_eq!(queue_ids(&s, search(None, Some("x-news"))).await, [pt_br]);
    assert!(queue_ids(&s, search(None, Some("news"))).await.is_empty());
    // With a filter the index does not hold (read through the queue's rows).
    let unmatched = ItemFilter {
        status: Some(MatchStatus::Unmatched),
        ..search(Some("pt"), Some("x"))
    };
    assert_eq!(queue_ids(&s, unmatched).await, [pt]);
    let page = s.queue(&search(Some("pt-BR"), None), ALL).await.unwrap();
    assert_eq!((page.total, page.total_exact), (1, true));
    // An item that changes language is found in its new one only.
    s.save_items(
        &[item("en", "água com limão cura", "vi", "x", None)],
        source(),
    )
    .await
    .unwrap();
    assert!(queue_ids(&s, search(Some("en"), None)).await.is_empty());
    assert_eq!(queue_ids(&s, search(Some("vi"), None)).await, [en]);
}

async fn a_filtered_queue_is_counted_up_to_the_limit_and_the_whole_queue_exactly(s: AnyStore) {
    let n = claimdesk_store::COUNT_LIMIT as usize + 5;
    let batch: Vec<NewItem> = (0..n)
        .map(|k| item(&format!("k{k}"), &format!("post {k}"), "en", "busy", None))
        .collect();
    s.save_items(&batch, source()).await.unwrap();
    s.save_items(
        &[item("other", "other post", "vi", "quiet", None)],
        source(),
    )
    .await
    .unwrap();
    let all = s.queue(&ItemFilter::default(), ALL).await.unwrap();
    assert_eq!((all.total, all.total_exact), (n as u64 + 1, true));
    let busy = ItemFilter {
        source: Some("busy".into()),
        ..ItemFilter::default()
    };
    let page = s.queue(&busy, ALL).await.unwrap();
    assert_eq!(
        (page.total, page.total_exact, page.entries.len()),
        (claimdesk_store::COUNT_LIMIT, false, 100)
    );
    let quiet = ItemFilter {
        language: Some("vi".into()),
        ..ItemFilter::default()
    };
    let page = s.queue(&quiet, ALL).await.unwrap();
    assert_eq!((page.total, page.total_exact), (1, true));
}

async fn the_facets_follow_items_that_change_source(s: AnyStore) {
    s.save_items(&[item("k", "a post", "en", "first", None)], source())
        .await
        .unwrap();
    s.save_items(&[item("k", "a post", "vi", "second", None)], source())
        .await
        .unwrap();
    let facets = s.item_facets().await.unwrap();
    assert_eq!(facets.sources, ["second"]);
    assert_eq!(facets.languages, ["vi"]);
    let moved = ItemFilter {
        source: Some("second".into()),
        ..ItemFilter::default()
    };
    assert_eq!(s.queue(&moved, ALL).await.unwrap().entries.len(), 1);
}

conformance!(
    check_worthiness_is_kept_shown_in_the_queue_and_filtered_on,
    the_queue_is_newest_first_with_undated_items_last,
    queue_filters_combine,
    lookups_by_id_and_fact_check_search,
    regression_queue_search_is_normalized_as_matching_is,
    search_pages_run_on_from_the_words_as_written_to_those_without_accents,
    words_as_written_come_first_whole_then_begun_then_without_accents,
    a_filtered_queue_is_counted_up_to_the_limit_and_the_whole_queue_exactly,
    a_search_in_a_language_or_source_keeps_the_whole_value_and_follows_changes,
    the_facets_follow_items_that_change_source,
);
