//! Every page renders, in English and Vietnamese, with its content.

use crate::util::desk;

#[tokio::test]
async fn the_queue_lists_items_newest_first_with_their_top_match() {
    let d = desk().await;
    let a = d.get("/").await;
    assert_eq!(a.status, 200);
    assert!(a.header("content-type").starts_with("text/html"));
    let b = &a.body;
    assert!(b.contains("<html lang=\"en\">"));
    assert!(b.contains("Queue"));
    let hostile = b.find("trust me").unwrap();
    let vi = b.find("tiem vac xin").unwrap();
    let lemon = b.find("Drink hot lemon water").unwrap();
    assert!(hostile < vi && vi < lemon, "newest first");
    assert!(
        b.contains("Hot lemon water cures cancer"),
        "top match claim"
    );
    assert!(b.contains("Confident"));
    assert!(b.contains("No fact-check matches this item yet."));
    assert!(b.contains("/static/htmx-2.0.11.min.js"));
}

#[tokio::test]
async fn queue_filters_and_search_narrow_the_list() {
    let d = desk().await;
    let a = d.get("/?status=unmatched").await;
    assert!(a.body.contains("trust me") && !a.body.contains("Drink hot lemon"));
    let a = d.get("/?language=vi&status=&source=&from=&to=&q=").await;
    assert!(a.body.contains("tiem vac xin") && !a.body.contains("Drink hot lemon"));
    let a = d.get("/?q=LEMON").await;
    assert!(a.body.contains("Drink hot lemon") && !a.body.contains("tiem vac xin"));
    // 2026-01-09 06:42 in Ho Chi Minh City is on the 9th there (the 8th in UTC).
    let a = d.get("/?from=2026-01-09&to=2026-01-09").await;
    assert!(a.body.contains("Drink hot lemon") && !a.body.contains("tiem vac xin"));
    let a = d.get("/?per_page=1&page=2").await;
    assert!(a.body.contains("tiem vac xin") && !a.body.contains("trust me"));
    assert!(a.body.contains("Showing 2–2 of 3"));
    assert!(
        a.body
            .contains("rel=\"next\" href=\"/?page=3&#38;per_page=1\""),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn the_queue_speaks_vietnamese_by_accept_language_and_by_cookie() {
    let d = desk().await;
    let a = d
        .get_with("/", "accept-language", "vi-VN,vi;q=0.9,en;q=0.5")
        .await;
    assert!(a.body.contains("<html lang=\"vi\">"));
    assert!(a.body.contains("Hàng chờ"));
    assert!(
        a.body
            .contains("Chưa có bài kiểm chứng nào khớp với mục này.")
    );
    let a = d.get_with("/", "cookie", "lang=vi").await;
    assert!(a.body.contains("Hàng chờ"));
    // The cookie wins over the header.
    let a = d
        .send(
            axum::http::Request::get("/")
                .header("cookie", "lang=en")
                .header("accept-language", "vi")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(a.body.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn the_language_switch_sets_the_cookie_and_returns_to_the_page() {
    let d = desk().await;
    let a = d.get("/lang/vi?next=/factchecks%3Fq%3Dlemon").await;
    assert_eq!(a.status, 303);
    assert_eq!(a.header("location"), "/factchecks?q=lemon");
    assert!(a.header("set-cookie").starts_with("lang=vi; Path=/"));
    // Never to another site.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let uri = format!(
            "/lang/en?next={}",
            next.replace('/', "%2F")
                .replace('\\', "%5C")
                .replace(':', "%3A")
        );
        assert_eq!(d.get(&uri).await.header("location"), "/", "{next}");
    }
    assert_eq!(d.get("/lang/fr").await.status, 404);
    // Every page offers the switch back to where it is.
    let a = d.get("/factchecks?q=lemon").await;
    assert!(
        a.body
            .contains("href=\"/lang/vi?next=%2Ffactchecks%3Fq%3Dlemon\""),
        "{}",
        a.body
    );
}

#[tokio::test]
async fn the_item_page_shows_the_text_the_link_and_why_each_fact_check_matched() {
    let d = desk().await;
    for (lang, words) in [
        (
            "en",
            [
                "Matching fact-checks",
                "Why it matched",
                "Found by",
                "words, near-duplicate text",
                "Word score (BM25)",
                "term_overlap",
                "+1.25",
                "claim",
            ],
        ),
        (
            "vi",
            [
                "Bài kiểm chứng khớp",
                "Vì sao khớp",
                "Tìm thấy nhờ",
                "từ ngữ, văn bản gần trùng lặp",
                "Điểm từ ngữ (BM25)",
                "term_overlap",
                "+1.25",
                "nhận định",
            ],
        ),
    ] {
        let a = d.get_with("/items/1", "accept-language", lang).await;
        assert_eq!(a.status, 200, "{}", a.body);
        for w in words {
            assert!(a.body.contains(w), "{lang}: {w}");
        }
        assert!(a.body.contains("Drink hot lemon water every morning"));
        assert!(a.body.contains(
            "href=\"https://social.example/post/1\" rel=\"noopener noreferrer nofollow\""
        ));
        assert!(a.body.contains("href=\"/factchecks/1\""));
    }
    // The desk's time zone: 06:42 in Ho Chi Minh City.
    let a = d.get("/items/1").await;
    assert!(a.body.contains("2026-01-09 06:42"), "{}", a.body);
    let a = d.get_with("/items/1", "cookie", "lang=vi").await;
    assert!(a.body.contains("09/01/2026 06:42"));
}

#[tokio::test]
async fn the_fact_check_list_searches_and_pages() {
    let d = desk().await;
    let a = d.get("/factchecks").await;
    assert_eq!(a.status, 200);
    assert!(
        a.body.contains("Hot lemon water cures cancer")
            && a.body.contains("Tiêm vắc-xin gây vô sinh")
    );
    assert!(a.body.contains("Repeat"));
    let a = d.get("/factchecks?q=v%E1%BA%AFc").await;
    assert!(a.body.contains("Tiêm vắc-xin") && !a.body.contains("Hot lemon"));
    let a = d
        .get_with("/factchecks?q=nothing-like-this", "accept-language", "vi")
        .await;
    assert!(
        a.body
            .contains("Không có bài kiểm chứng nào khớp với tìm kiếm này.")
    );
}

#[tokio::test]
async fn the_fact_check_page_shows_claim_verdict_author_and_aliases() {
    let d = desk().await;
    let a = d.get("/factchecks/1").await;
    assert_eq!(a.status, 200);
    for w in [
        "Lemon water does not cure cancer",
        "Hot lemon water cures cancer",
        "False",
        "Sample Desk",
        "2026-01-12",
        "https://factcheck.example/fc-lemon",
        "English",
        "fc-lemon-2",
        "Repeats of this fact-check",
    ] {
        assert!(a.body.contains(w), "{w}");
    }
    let a = d.get_with("/factchecks/2", "accept-language", "vi").await;
    for w in [
        "Sai sự thật",
        "Nhận định",
        "Đơn vị kiểm chứng",
        "Tiếng Việt",
        "Không có bài kiểm chứng nào khác có cùng nội dung.",
    ] {
        assert!(a.body.contains(w), "{w}");
    }
    let a = d.get("/factchecks/3").await;
    assert!(
        a.body.contains("href=\"/factchecks/1\""),
        "an alias links its canonical fact-check"
    );
}

#[tokio::test]
async fn missing_pages_are_friendly_in_both_languages() {
    let d = desk().await;
    for uri in [
        "/items/999",
        "/items/abc",
        "/factchecks/999",
        "/factchecks/-x",
        "/nowhere",
    ] {
        let a = d.get(uri).await;
        assert_eq!(a.status, 404, "{uri}");
        assert!(a.header("content-type").starts_with("text/html"), "{uri}");
        assert!(a.body.contains("Page not found"), "{uri}");
        let a = d.get_with(uri, "accept-language", "vi").await;
        assert!(a.body.contains("Không tìm thấy trang"), "{uri}");
    }
    let a = d.get("/?status=maybe").await;
    assert_eq!(a.status, 400);
    assert!(a.body.contains("That request could not be read"));
}

#[tokio::test]
async fn the_sources_page_shows_each_source_with_its_health() {
    use claimdesk_store::prelude::*;
    use claimdesk_store::{NewSource, PollOutcome, PollRecord, SourceKind};
    let d = desk().await;
    let a = d.get("/sources").await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("No source is watched yet."), "{}", a.body);
    let add = |location: &str| NewSource {
        kind: SourceKind::Feed,
        location: location.into(),
        interval_secs: 900,
        first_poll_at: "2026-12-01T12:00:00Z".into(),
    };
    d.store
        .add_source(&add("https://bao.example/rss"), claimdesk_core::Actor::Cli)
        .await
        .unwrap();
    let down = d
        .store
        .add_source(
            &add("https://down.example/feed"),
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap();
    d.store
        .record_poll(
            down.id,
            &PollRecord {
                polled_at: "2026-12-01T12:00:00Z".into(),
                outcome: PollOutcome::Failed,
                next_poll_at: "2026-12-01T12:30:00Z".into(),
                etag: None,
                last_modified: None,
                error: Some("https://down.example/feed answered HTTP 500 <b>".into()),
                items: 0,
            },
        )
        .await
        .unwrap();
    let a = d.get("/sources").await;
    assert!(
        a.body.contains("aria-current=\"page\">Sources</a>"),
        "{}",
        a.body
    );
    assert!(a.body.contains("<td class=\"location\">https://bao.example/rss</td><td>15m</td><td class=\"health\">New: not polled yet</td>"), "{}", a.body);
    assert!(
        a.body.contains(
            "Failing since 2026-12-01 19:00 (UTC+07:00) (1 tries): https://down.example/feed answered HTTP 500 &#60;b&#62;. \
             Backing off until 2026-12-01 19:30 (UTC+07:00)."
        ),
        "{}",
        a.body
    );
    let vi = d.get_with("/sources", "accept-language", "vi").await;
    assert!(
        vi.body.contains("Nguồn theo dõi") && vi.body.contains("Mới: chưa lấy lần nào"),
        "{}",
        vi.body
    );
    assert!(
        vi.body
            .contains("Lỗi từ 01/12/2026 19:00 (UTC+07:00) (1 lần)"),
        "{}",
        vi.body
    );
}
