//! Drop folders: finished files are ingested once and moved to `done/` or `rejected/`;
//! files still being written are left alone.

use std::sync::Arc;
use std::time::Duration;

use claimdesk_core::{Actor, ItemId};
use claimdesk_ingest::fetch::{FetchConfig, GuardedClient, StaticResolver};
use claimdesk_ingest::poll::{PollSettings, Poller, timestamp_text};
use claimdesk_store::prelude::*;
use claimdesk_store::{NewSource, PollOutcome, SourceHealth, SourceKind, SqliteStore};
use jiff::{SignedDuration, Timestamp};

#[tokio::test]
async fn finished_files_are_ingested_once_and_moved() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("a.jsonl"),
        "{\"id\": \"p1\", \"source\": \"partner\", \"text\": \"Vaccine causes infertility, says a post\"}\n\
         {\"id\": \"p2\", \"source\": \"partner\", \"text\": \"Bridge closed forever\"}\n{broken\n",
    )
    .unwrap();
    std::fs::write(
        drop.join("b.csv"),
        "id,source,text\np1,partner,\"Vaccine causes infertility, says a post\"\n",
    )
    .unwrap();
    std::fs::write(drop.join("c.jsonl"), "not json at all\n").unwrap();
    std::fs::write(drop.join("d.jsonl.part"), "{\"text\": \"half writ").unwrap();
    std::fs::write(drop.join(".e.jsonl"), "{\"text\": \"hidden\"}\n").unwrap();
    std::fs::write(drop.join("notes.txt"), "not an export").unwrap();

    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    let client =
        GuardedClient::with_resolver(FetchConfig::default(), Arc::new(StaticResolver::new()))
            .unwrap();
    let settle = Duration::from_secs(5);
    let poller = Poller::new(
        store.clone(),
        client,
        PollSettings {
            folder_settle: settle,
            ..PollSettings::default()
        },
    );
    let now = Timestamp::now();
    let source = store
        .add_source(
            &NewSource {
                kind: SourceKind::Folder,
                location: drop.display().to_string(),
                interval_secs: 60,
                first_poll_at: timestamp_text(now),
            },
            Actor::Cli,
        )
        .await
        .unwrap();

    // Just written: not settled yet, nothing is read.
    let r = poller.poll(&source, now).await.unwrap();
    assert_eq!(r.outcome, PollOutcome::NotModified);
    assert!(drop.join("a.jsonl").exists());

    // Past the settling time.
    let later = now + SignedDuration::from_secs(6);
    let r = poller.poll(&r.source, later).await.unwrap();
    assert_eq!(r.outcome, PollOutcome::Fetched, "{:?}", r.error);
    assert_eq!((r.items, r.rejected, r.changed.len()), (3, 2, 2));
    assert!(matches!(r.source.health(), SourceHealth::Ok { .. }));
    let names = |sub: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(drop.join(sub))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(names("done"), ["a.jsonl", "a.jsonl.errors.txt", "b.csv"]);
    assert_eq!(names("rejected"), ["c.jsonl", "c.jsonl.errors.txt"]);
    assert_eq!(
        names(""),
        [".e.jsonl", "d.jsonl.part", "done", "notes.txt", "rejected"]
    );
    let errors = std::fs::read_to_string(drop.join("done/a.jsonl.errors.txt")).unwrap();
    assert!(errors.contains(":3"), "{errors}");
    let items = store.items(ItemId(0), 100).await.unwrap();
    assert_eq!(
        items.len(),
        2,
        "p1 from the CSV is the same item as p1 from the JSONL"
    );

    // The same file dropped again: ingested as no change, moved beside the first.
    std::fs::copy(drop.join("done/b.csv"), drop.join("b.csv")).unwrap();
    let r = poller
        .poll(&r.source, later + SignedDuration::from_secs(60))
        .await
        .unwrap();
    assert_eq!((r.outcome, r.changed.len()), (PollOutcome::Fetched, 0));
    assert!(drop.join("done/b.1.csv").exists());
    assert_eq!(store.items(ItemId(0), 100).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_missing_folder_is_a_failing_source() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    let client =
        GuardedClient::with_resolver(FetchConfig::default(), Arc::new(StaticResolver::new()))
            .unwrap();
    let poller = Poller::new(store.clone(), client, PollSettings::default());
    let gone = dir.path().join("gone");
    let now = Timestamp::now();
    let source = store
        .add_source(
            &NewSource {
                kind: SourceKind::Folder,
                location: gone.display().to_string(),
                interval_secs: 60,
                first_poll_at: timestamp_text(now),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let r = poller.poll(&source, now).await.unwrap();
    match r.source.health() {
        SourceHealth::Failing { error, .. } => {
            assert!(
                error.starts_with(&format!("cannot read the folder {}", gone.display())),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 15, finding 7: `.rss` (and Atom) files dropped in a folder were skipped silently.
#[tokio::test]
async fn regression_feeds_dropped_in_a_folder_are_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("news.rss"),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Partner</title><link>https://partner.example/</link>
<item><title>Bridge closed forever</title><link>https://partner.example/1</link>
<description>The city says the bridge is closed forever.</description></item>
<item><title>Vaccine rumor</title><link>https://partner.example/2</link>
<description>A post says the vaccine causes infertility.</description></item>
</channel></rss>"#,
    )
    .unwrap();
    std::fs::write(
        drop.join("feed.atom"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Other</title><id>urn:x</id>
<updated>2026-01-01T00:00:00Z</updated>
<entry><title>Lemon water cures cancer</title><id>urn:x:1</id>
<link href="https://other.example/1"/><updated>2026-01-01T00:00:00Z</updated>
<summary>Drink hot lemon water, it cures cancer.</summary></entry></feed>"#,
    )
    .unwrap();
    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    let client =
        GuardedClient::with_resolver(FetchConfig::default(), Arc::new(StaticResolver::new()))
            .unwrap();
    let poller = Poller::new(
        store.clone(),
        client,
        PollSettings {
            folder_settle: Duration::ZERO,
            ..PollSettings::default()
        },
    );
    let now = Timestamp::now();
    let source = store
        .add_source(
            &NewSource {
                kind: SourceKind::Folder,
                location: drop.display().to_string(),
                interval_secs: 60,
                first_poll_at: timestamp_text(now),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let r = poller
        .poll(&source, now + SignedDuration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(r.outcome, PollOutcome::Fetched, "{:?}", r.error);
    assert_eq!((r.items, r.rejected), (3, 0));
    assert!(drop.join("done/news.rss").exists());
    assert!(drop.join("done/feed.atom").exists());
    assert_eq!(store.items(ItemId(0), 100).await.unwrap().len(), 3);
}

/// Runs a poller over a fresh folder source polled hourly, drops a file into it after the
/// first poll, and says how many items are stored within `wait`.
async fn stored_while_running(settings: PollSettings, wait: Duration) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    let client =
        GuardedClient::with_resolver(FetchConfig::default(), Arc::new(StaticResolver::new()))
            .unwrap();
    let poller = Poller::new(store.clone(), client, settings);
    let source = store
        .add_source(
            &NewSource {
                kind: SourceKind::Folder,
                location: dir.path().canonicalize().unwrap().display().to_string(),
                interval_secs: 3600,
                first_poll_at: timestamp_text(Timestamp::now()),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        poller
            .run(
                async {
                    let _ = stopped.await;
                },
                |_| async {},
            )
            .await;
    });
    let start = std::time::Instant::now();
    while store
        .source(source.id)
        .await
        .unwrap()
        .unwrap()
        .last_polled_at
        .is_none()
    {
        assert!(start.elapsed() < Duration::from_secs(20), "no first poll");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    std::fs::write(
        dir.path().join("a.jsonl"),
        "{\"id\": \"p1\", \"source\": \"partner\", \"text\": \"Bridge closed forever\"}\n",
    )
    .unwrap();
    let start = std::time::Instant::now();
    let mut stored = 0;
    while start.elapsed() < wait && stored == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stored = store.items(ItemId(0), 100).await.unwrap().len();
    }
    let _ = stop.send(());
    running.await.unwrap();
    stored
}

#[tokio::test]
async fn a_running_poller_reads_a_file_dropped_into_a_watched_folder_before_the_next_poll() {
    let watched = PollSettings::default();
    assert_eq!(
        stored_while_running(watched, Duration::from_secs(20)).await,
        1
    );
}

#[tokio::test]
async fn without_the_watch_a_dropped_file_waits_for_the_next_poll() {
    let polled_only = PollSettings {
        watch_folders: false,
        ..PollSettings::default()
    };
    assert_eq!(
        stored_while_running(polled_only, Duration::from_secs(3)).await,
        0
    );
}

/// Without an image reader (`Poller::new` alone), dropped images and their sidecars stay
/// where they are, and the sidecar is never read as a file of items.
#[tokio::test]
async fn images_and_their_sidecars_wait_for_an_image_reader() {
    let dir = tempfile::tempdir().unwrap();
    let drop = dir.path();
    std::fs::write(drop.join("shot.png"), b"\x89PNG\r\n\x1a\n").unwrap();
    std::fs::write(
        drop.join("shot.json"),
        "{\"id\": \"s1\", \"text\": \"a sidecar, not an item file\"}",
    )
    .unwrap();
    std::fs::write(
        drop.join("posts.jsonl"),
        "{\"id\": \"p1\", \"text\": \"Bridge closed forever\"}\n",
    )
    .unwrap();
    let store = SqliteStore::open_url("sqlite::memory:").await.unwrap();
    let client =
        GuardedClient::with_resolver(FetchConfig::default(), Arc::new(StaticResolver::new()))
            .unwrap();
    let poller = Poller::new(store.clone(), client, PollSettings::default());
    let now = Timestamp::now();
    let source = store
        .add_source(
            &NewSource {
                kind: SourceKind::Folder,
                location: drop.display().to_string(),
                interval_secs: 60,
                first_poll_at: timestamp_text(now),
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    let r = poller
        .poll(&source, now + SignedDuration::from_secs(60))
        .await
        .unwrap();
    assert_eq!((r.items, r.rejected), (1, 0), "{r:?}");
    assert!(drop.join("shot.png").exists() && drop.join("shot.json").exists());
    let items = store.items(ItemId(0), 100).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].item.text, "Bridge closed forever");
}

#[test]
fn a_sidecar_gives_item_fields_with_text_optional_and_names_itself_when_broken() {
    let item = claimdesk_ingest::sidecar_item(
        "drop/tip.json",
        br#"{"id": 7, "source": "hotline", "lang": "vi"}"#,
    )
    .unwrap();
    assert_eq!(item.external_id.as_deref(), Some("7"));
    assert_eq!(item.source.as_deref(), Some("hotline"));
    assert_eq!(item.language.as_deref(), Some("vi"));
    assert_eq!(item.text, "");
    for bad in [&b"{\"id\": "[..], b"[1, 2]", b"{\"text\": 5}"] {
        let d = claimdesk_ingest::sidecar_item("drop/tip.json", bad).unwrap_err();
        assert!(d.to_string().contains("drop/tip.json"), "{d}");
    }
}
