//! The poller against the loopback feed server, over a real SQLite store: each kind of
//! answer is stored or refused as specified, and the source's health says why.

use std::sync::Arc;
use std::time::Duration;

use claimdesk_core::{Actor, ItemId};
use claimdesk_ingest::fetch::{AllowList, FetchConfig, GuardedClient, StaticResolver};
use claimdesk_ingest::poll::{
    PollSettings, Poller, backoff, parse_interval, parse_since, timestamp_text,
};
use claimdesk_store::prelude::*;
use claimdesk_store::{NewSource, PollOutcome, Source, SourceHealth, SourceKind, SqliteStore};
use jiff::Timestamp;

use super::feed_server::{self, VI_TITLE};

const INTERVAL: u64 = 900;

struct Fixture {
    store: SqliteStore,
    poller: Poller<SqliteStore>,
    base: String,
    now: Timestamp,
}

impl Fixture {
    async fn new() -> Fixture {
        let addr = feed_server::start("http://127.0.0.1/").await;
        let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
        let config = FetchConfig {
            // The test server is on loopback: opened for these tests only.
            allow: AllowList::parse(&["127.0.0.1/32:*"]).unwrap(),
            max_body_bytes: 1 << 20,
            timeout: Duration::from_millis(1500),
            ..FetchConfig::default()
        };
        let client = GuardedClient::with_resolver(config, Arc::new(StaticResolver::new())).unwrap();
        let poller = Poller::new(store.clone(), client, PollSettings::default());
        Fixture {
            store,
            poller,
            base: format!("http://127.0.0.1:{}", addr.port()),
            now: "2026-12-01T12:00:00Z".parse().unwrap(),
        }
    }

    async fn add(&self, path: &str) -> Source {
        self.store
            .add_source(
                &NewSource {
                    kind: SourceKind::Feed,
                    location: format!("{}{path}", self.base),
                    interval_secs: INTERVAL,
                    first_poll_at: timestamp_text(self.now),
                },
                Actor::Cli,
            )
            .await
            .unwrap()
    }

    async fn items(&self) -> Vec<claimdesk_core::Item> {
        self.store
            .items(ItemId(0), 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.item)
            .collect()
    }

    fn at(&self, secs: u64) -> String {
        timestamp_text(self.now + jiff::SignedDuration::from_secs(secs as i64))
    }
}

fn failing(source: &Source) -> (u32, String, String) {
    match source.health() {
        SourceHealth::Failing {
            failures,
            error,
            retry_at,
            ..
        } => (failures, error, retry_at),
        other => panic!("expected a failing source, got {other:?}"),
    }
}

#[tokio::test]
async fn rss_then_304_with_the_etag_is_healthy_and_adds_nothing() {
    let f = Fixture::new().await;
    let source = f.add("/rss").await;
    let first = f.poller.poll(&source, f.now).await.unwrap();
    assert_eq!(first.outcome, PollOutcome::Fetched, "{:?}", first.error);
    assert_eq!(first.changed.len(), 2);
    assert_eq!(first.source.etag.as_deref(), Some("\"rss-v1\""));
    assert_eq!(
        first.source.last_modified.as_deref(),
        Some("Mon, 30 Nov 2026 01:00:00 GMT")
    );
    assert_eq!(first.source.next_poll_at, f.at(INTERVAL));
    let items = f.items().await;
    let vaccine = &items[0];
    assert_eq!(
        vaccine.external_id.as_deref(),
        Some("https://bao.example/tin/1")
    );
    assert_eq!(vaccine.source.as_deref(), Some("bao.example"));
    assert_eq!(vaccine.language.as_deref(), Some("vi"));
    assert_eq!(
        vaccine.text,
        "Bộ Y tế bác bỏ tin vắc-xin gây vô sinh\n\nTheo Bộ Y tế, thông tin này là sai sự thật."
    );
    assert_eq!(
        vaccine.published_at.as_deref(),
        Some("2026-11-30T01:00:00+00:00")
    );
    assert_eq!(
        items[1].source.as_deref(),
        Some("bao.example"),
        "www. is not part of the source"
    );

    let later = f.now + jiff::SignedDuration::from_secs(INTERVAL as i64);
    let second = f.poller.poll(&first.source, later).await.unwrap();
    assert_eq!(second.outcome, PollOutcome::NotModified);
    assert!(second.changed.is_empty());
    assert_eq!(
        second.source.health(),
        SourceHealth::Ok {
            last_success_at: timestamp_text(later)
        }
    );
    assert_eq!(f.items().await.len(), 2);
}

#[tokio::test]
async fn the_same_article_from_two_feeds_and_two_pulls_is_one_item() {
    let f = Fixture::new().await;
    let a = f.add("/rss").await;
    let b = f.add("/politics").await;
    let c = f.add("/redirect/1").await; // the same RSS again, one redirect away
    for s in [&a, &b, &c] {
        let r = f.poller.poll(s, f.now).await.unwrap();
        assert_eq!(r.outcome, PollOutcome::Fetched, "{:?}", r.error);
    }
    assert_eq!(f.items().await.len(), 2);
    let (_, items) = f.store.counts().await.unwrap();
    assert_eq!(items, 2);
}

#[tokio::test]
async fn atom_json_feed_and_an_article_page() {
    let f = Fixture::new().await;
    for path in ["/atom", "/json", "/article"] {
        let s = f.add(path).await;
        let r = f.poller.poll(&s, f.now).await.unwrap();
        assert_eq!(r.outcome, PollOutcome::Fetched, "{path}: {:?}", r.error);
    }
    let items = f.items().await;
    let texts: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i.external_id.as_deref().unwrap(),
                i.source.as_deref().unwrap(),
                i.text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (
                "https://news.example/a/1",
                "news.example",
                "Minister claims unemployment fell 40% in a year\n\nThe minister said unemployment fell by 40% last year."
            ),
            (
                "urn:example:2",
                "127.0.0.1",
                "No link here\n\nAn entry known only by its id."
            ),
            (
                "https://json.example/p/1",
                "json.example",
                "Bridge closed after viral video\n\nThe city says the bridge is open."
            ),
            ("j2", "127.0.0.1", "A post without a title or a link."),
            (
                "https://site.example/fact-check-bridge",
                "site.example",
                "Fact check: the bridge is open\n\n\
                 A video claiming the river bridge was closed for good has been shared thousands of times.\n\n\
                 The city's transport office said on Monday that the bridge is open to all traffic."
            ),
        ]
    );
    assert_eq!(items[0].language.as_deref(), Some("en"));
}

#[tokio::test]
async fn legacy_encodings_are_decoded() {
    let f = Fixture::new().await;
    let vi = f.add("/vi-1258").await;
    let fr = f.add("/latin1").await;
    for s in [&vi, &fr] {
        let r = f.poller.poll(s, f.now).await.unwrap();
        assert_eq!(r.outcome, PollOutcome::Fetched, "{:?}", r.error);
    }
    let items = f.items().await;
    assert_eq!(
        items[0].text,
        format!("{VI_TITLE}\n\nTheo Bộ Y tế, đây là tin sai.")
    );
    assert_eq!(items[1].text, "Le préfet dément la fermeture des écoles");
}

#[tokio::test]
async fn a_500_backs_off_exponentially_and_health_says_why() {
    let f = Fixture::new().await;
    let s = f.add("/error").await;
    let r1 = f.poller.poll(&s, f.now).await.unwrap();
    assert_eq!(r1.outcome, PollOutcome::Failed);
    let (n, error, retry_at) = failing(&r1.source);
    assert_eq!(n, 1);
    assert!(
        error.ends_with("/error answered HTTP 500 Internal Server Error"),
        "{error}"
    );
    assert_eq!(retry_at, f.at(2 * INTERVAL));
    let r2 = f.poller.poll(&r1.source, f.now).await.unwrap();
    let (n, _, retry_at) = failing(&r2.source);
    assert_eq!((n, retry_at), (2, f.at(4 * INTERVAL)));
    assert_eq!(
        r2.source.failing_since.as_deref(),
        Some(timestamp_text(f.now).as_str())
    );
    let shown = r2.source.health().to_string();
    assert!(
        shown.starts_with(&format!(
            "failing since {} (2 tries): ",
            timestamp_text(f.now)
        )) && shown.ends_with(&format!("; backing off until {}", f.at(4 * INTERVAL))),
        "{shown}"
    );
    // Not due until the backoff ends.
    assert!(
        f.store
            .due_sources(&f.at(4 * INTERVAL - 1))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.store
            .due_sources(&f.at(4 * INTERVAL))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn recovery_clears_the_failure() {
    let f = Fixture::new().await;
    let s = f.add("/error").await;
    let failed = f.poller.poll(&s, f.now).await.unwrap().source;
    // The feed moved to a working URL on the same source row: simulate by polling /rss
    // with the failing state.
    let mut moved = failed.clone();
    moved.location = format!("{}/rss", f.base);
    let ok = f.poller.poll(&moved, f.now).await.unwrap();
    assert_eq!(ok.outcome, PollOutcome::Fetched);
    assert_eq!(ok.source.consecutive_failures, 0);
    assert_eq!(ok.source.last_error, None);
    assert_eq!(ok.source.failing_since, None);
}

#[tokio::test]
async fn redirects_are_followed_up_to_five() {
    let f = Fixture::new().await;
    let five = f.add("/redirect/5").await;
    let r = f.poller.poll(&five, f.now).await.unwrap();
    assert_eq!(r.outcome, PollOutcome::Fetched, "{:?}", r.error);
    let six = f.add("/redirect/6").await;
    let r = f.poller.poll(&six, f.now).await.unwrap();
    let (_, error, _) = failing(&r.source);
    assert!(error.contains("more than 5 redirects"), "{error}");
}

#[tokio::test]
async fn slow_answers_and_huge_bodies_are_abandoned() {
    let f = Fixture::new().await;
    let slow = f.add("/slow").await;
    let r = f.poller.poll(&slow, f.now).await.unwrap();
    let (_, error, _) = failing(&r.source);
    assert!(error.contains("no complete answer within 1.5s"), "{error}");
    for path in ["/huge", "/huge-stream"] {
        let s = f.add(path).await;
        let r = f.poller.poll(&s, f.now).await.unwrap();
        let (_, error, _) = failing(&r.source);
        assert!(
            error.contains("larger than 1048576 bytes"),
            "{path}: {error}"
        );
    }
    assert!(f.items().await.is_empty());
}

#[tokio::test]
async fn a_document_that_is_no_feed_fails_with_the_reason() {
    let f = Fixture::new().await;
    let s = f.add("/not-a-feed").await;
    let r = f.poller.poll(&s, f.now).await.unwrap();
    let (_, error, _) = failing(&r.source);
    assert!(
        error.contains("neither a feed (RSS, Atom, JSON Feed) nor a web page (Content-Type: application/octet-stream)"),
        "{error}"
    );
}

#[tokio::test]
async fn poll_due_polls_only_what_is_due() {
    let f = Fixture::new().await;
    f.add("/rss").await;
    f.add("/atom").await;
    assert_eq!(f.poller.poll_due(f.now).await.unwrap().len(), 2);
    assert!(f.poller.poll_due(f.now).await.unwrap().is_empty());
    let later: Timestamp = f.at(INTERVAL).parse().unwrap();
    assert_eq!(f.poller.poll_due(later).await.unwrap().len(), 2);
}

#[test]
fn intervals_and_backoff() {
    assert_eq!(parse_interval("15m"), Ok(Duration::from_secs(900)));
    assert_eq!(parse_interval("2h"), Ok(Duration::from_secs(7200)));
    assert_eq!(parse_interval("90s"), Ok(Duration::from_secs(90)));
    assert!(parse_interval("0s").is_err());
    assert!(parse_interval("soon").is_err());
    assert!(parse_interval("5y").is_err());
    // A bare number is refused, not read as seconds (issue 16): the message shows the units.
    let bare = parse_interval("5").unwrap_err();
    assert!(bare.contains("no unit") && bare.contains("5m"), "{bare}");
    let i = Duration::from_secs(900);
    let cap = Duration::from_secs(6 * 3600);
    assert_eq!(backoff(i, 0, cap), i);
    assert_eq!(backoff(i, 3, cap), Duration::from_secs(7200));
    assert_eq!(backoff(i, 30, cap), cap);
    // A daily source waits a day after a failure, not less.
    assert_eq!(
        backoff(Duration::from_secs(86_400), 1, cap),
        Duration::from_secs(86_400)
    );
}

#[test]
fn since_takes_a_time_a_date_or_a_span_back_from_now() {
    let now: jiff::Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
    let at = |s: &str| parse_since(s, now);
    assert_eq!(at("2026-12-05T10:00:00Z"), Ok(now.as_second() - 7200));
    assert_eq!(at("2026-12-05"), Ok(now.as_second() - 12 * 3600));
    assert_eq!(at("90m"), Ok(now.as_second() - 5400));
    assert_eq!(at("7d"), Ok(now.as_second() - 7 * 86_400));
    let wrong = at("yesterday").unwrap_err();
    assert!(
        wrong.contains("yesterday") && wrong.contains("date"),
        "{wrong}"
    );
}

/// Each item the image reader was given: its text and its images' names.
type Seen = Arc<std::sync::Mutex<Vec<(String, Vec<String>)>>>;

/// An image reader that records what it was given and stores the item as is.
#[derive(Debug, Clone)]
struct Recorder {
    store: SqliteStore,
    seen: Seen,
}

impl claimdesk_ingest::poll::ImageIntake for Recorder {
    fn max_bytes(&self) -> u64 {
        64
    }

    async fn store_image_item(
        &self,
        item: claimdesk_core::Item,
        origin: &str,
        images: Vec<claimdesk_ingest::poll::NamedImage>,
    ) -> Result<claimdesk_ingest::poll::DroppedImage, claimdesk_ingest::poll::ImageIntakeError>
    {
        for i in &images {
            assert_eq!(
                String::from_utf8_lossy(&i.bytes),
                format!("image:{}", i.name.rsplit('/').next().unwrap())
            );
        }
        self.seen.lock().unwrap().push((
            item.text.clone(),
            images.into_iter().map(|i| i.name).collect(),
        ));
        let parsed = claimdesk_ingest::Parsed {
            records: vec![claimdesk_ingest::Record {
                line: 1,
                value: item,
            }],
            diagnostics: Vec::new(),
            format: "test",
        };
        let stored =
            claimdesk_ingest::intake::store_items(&self.store, origin, parsed, Actor::System)
                .await?;
        Ok(claimdesk_ingest::poll::DroppedImage {
            changed: stored.changed,
            refused: None,
        })
    }
}

#[tokio::test]
async fn feed_entries_bring_their_images_through_the_guard() {
    let f = Fixture::new().await;
    let seen: Seen = Arc::default();
    let poller = f.poller.clone().with_images(Recorder {
        store: f.store.clone(),
        seen: seen.clone(),
    });
    for path in ["/images-rss", "/images-json"] {
        let s = f.add(path).await;
        let r = poller.poll(&s, f.now).await.unwrap();
        assert_eq!(r.outcome, PollOutcome::Fetched, "{path}: {:?}", r.error);
        assert_eq!(r.changed.len() as u64, r.items, "{path}");
    }
    let seen = seen.lock().unwrap().clone();
    let img = |name: &str| format!("{}/img/{name}", f.base);
    assert_eq!(
        seen,
        [
            // The enclosure; the untyped media:content, not the audio.
            (
                "Ảnh chụp tin nhắn lừa đảo".to_string(),
                vec![img("one.png")]
            ),
            ("Ảnh đăng lại trên nhóm".to_string(), vec![img("two.jpg")]),
            // The JSON Feed's image attachment; not the PDF.
            (
                "Một bài có ảnh đính kèm".to_string(),
                vec![img("three.webp")]
            ),
        ]
    );
    // The entry whose image could not be fetched, and the one without, are stored as text.
    let texts: Vec<String> = f.items().await.into_iter().map(|i| i.text).collect();
    for t in ["Một ảnh không tải được", "Không có ảnh"] {
        assert!(texts.iter().any(|x| x == t), "{t}: {texts:?}");
    }
    assert_eq!(texts.len(), 5);
}
