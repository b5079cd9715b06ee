//! A serving desk watches its drop folders: a dropped file's items are stored about a second
//! after its last write, long before the folder's next poll (an hour here, so only the
//! watcher can explain it), and a file written in pieces is read once, whole.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use claimdesk_engine::core::{Actor, ItemId};
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{Engine, EngineOptions, jobs, sources};

/// The longest the test waits for the watcher: far beyond its second, far below the hour.
const BOUND: Duration = Duration::from_secs(20);

async fn stored_texts(engine: &Engine) -> Vec<String> {
    let mut texts: Vec<String> = engine
        .store()
        .items(ItemId(0), 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.item.text)
        .collect();
    texts.sort();
    texts
}

/// Waits (boundedly) until `n` items are stored; the time it took.
async fn until_stored(engine: &Engine, n: usize, since: Instant) -> Duration {
    loop {
        if stored_texts(engine).await.len() >= n {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < BOUND,
            "{n} items not stored within {BOUND:?}: {:?}",
            stored_texts(engine).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn post(id: &str, text: &str) -> String {
    format!("{{\"id\": \"{id}\", \"source\": \"partner\", \"text\": \"{text}\"}}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watched_folder_stores_dropped_files_before_the_poll_and_reads_a_file_being_written_once_whole()
 {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("drop");
    std::fs::create_dir(&folder).unwrap();
    let engine = Engine::open(&dir.path().join("data"), EngineOptions::lexical())
        .await
        .unwrap();
    let hour = Duration::from_secs(3600);
    let source = sources::add(&engine, folder.to_str().unwrap(), Some(hour), Actor::Cli)
        .await
        .unwrap()
        .source;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let background = tokio::spawn(jobs::run_background(engine.clone(), stopped));
    // The first poll (due at once, the folder empty) sets the next one an hour away.
    let started = Instant::now();
    loop {
        let s = engine.store().source(source.id).await.unwrap().unwrap();
        if s.last_polled_at.is_some() {
            break;
        }
        assert!(started.elapsed() < BOUND, "the first poll never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // (The folder is watched from before that poll.)

    // A finished file.
    let dropped = Instant::now();
    std::fs::write(
        folder.join("a.jsonl"),
        post("p1", "Vaccine causes infertility, says a post")
            + &post("p2", "Bridge closed forever"),
    )
    .unwrap();
    let latency = until_stored(&engine, 2, dropped).await;
    eprintln!("watched folder: drop to stored in {latency:?}");

    // A file written in pieces, the pauses shorter than the watcher's quiet second: a
    // read in between would store a cut record (or reject it).
    let written = Instant::now();
    let whole = post("p3", "The dam has burst upstream")
        + &post("p4", "Schools close on Monday")
        + &post("p5", "Water from the tap is unsafe, officials say");
    let mut file = std::fs::File::create(folder.join("b.jsonl")).unwrap();
    for piece in whole.as_bytes().chunks(whole.len() / 4 + 1) {
        file.write_all(piece).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    drop(file);
    let latency = until_stored(&engine, 5, written).await;
    eprintln!("watched folder: first write to stored, a file written over ~1.2 s, in {latency:?}");
    // Quiet for a while: nothing more is read.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        stored_texts(&engine).await,
        [
            "Bridge closed forever",
            "Schools close on Monday",
            "The dam has burst upstream",
            "Vaccine causes infertility, says a post",
            "Water from the tap is unsafe, officials say",
        ]
    );
    // Each file read once and moved once; nothing rejected, nothing left.
    assert_eq!(names(&folder), ["done"]);
    assert_eq!(names(&folder.join("done")), ["a.jsonl", "b.jsonl"]);
    // Still an hour to the next poll: the watcher did it all.
    let s = engine.store().source(source.id).await.unwrap().unwrap();
    let next: jiff::Timestamp = s.next_poll_at.parse().unwrap();
    assert!(next.as_second() - jiff::Timestamp::now().as_second() > 3000);

    stop.send(true).unwrap();
    background.await.unwrap().unwrap();
}
