//! The live index, end to end: a running desk follows fact-checks another process imports
//! into the same data directory, and matches a post repeating one to it (real processes,
//! real HTTP).

use std::time::{Duration, Instant};

use crate::monitoring::{http, unchunk};
use crate::util::{Desk, claim_review};

const BLEACH_URL: &str = "https://fc.example/bleach";
const REPEAT: &str = "Forwarded many times: drinking bleach cures the flu, and doctors hide it";

/// The source id of the top fact-check `POST /api/match` gives for `text`, and how long
/// the request took. Every answer must be a 200: queries keep answering during a swap.
fn top(addr: &str, token: &str, text: &str) -> (Option<String>, Duration) {
    let started = Instant::now();
    let body = serde_json::json!({"text": text, "top": 1}).to_string();
    let (status, answer) = http(addr, "POST", "/api/match", token, &body);
    let took = started.elapsed();
    let answer = unchunk(&answer);
    assert_eq!(status, 200, "{answer}");
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let id = v["matches"][0]["fact_check"]["url"]
        .as_str()
        .map(str::to_string);
    (id, took)
}

fn json(addr: &str, token: &str, method: &str, path: &str, body: &str) -> serde_json::Value {
    let (status, answer) = http(addr, method, path, token, body);
    let answer = unchunk(&answer);
    assert_eq!(status, 200, "{method} {path}: {answer}");
    serde_json::from_str(&answer).unwrap()
}

#[test]
fn a_fact_check_imported_by_another_process_reaches_the_running_desk_within_2_seconds() {
    let desk = Desk::new();
    desk.run(&["init"]).ok();
    desk.run_with_stdin(
        &["user", "add", "ed", "--role", "editor"],
        "a good password\n",
    )
    .ok();
    let token = desk.run(&["token", "create", "ed", "e2e"]).ok();
    let token = token.trim();
    let moon = desk.file(
        "moon.jsonl",
        claim_review(
            "https://fc.example/moon",
            "The moon is made of cheese",
            "The moon is rock",
            "en",
        ),
    );
    desk.run(&["import", &moon]).ok();
    let (child, addr) = desk.serve();
    assert_eq!(top(&addr, token, REPEAT).0, None, "nothing answers it yet");
    let health = json(&addr, token, "GET", "/healthz", "");
    let before = health["served_revision"].as_i64().unwrap();

    let bleach = desk.file(
        "bleach.jsonl",
        claim_review(
            BLEACH_URL,
            "Drinking bleach cures the flu",
            "Bleach does not cure the flu: it poisons",
            "en",
        ),
    );
    // Another process writes the same data directory while the desk runs.
    desk.run(&["import", &bleach]).ok();
    let imported = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut served_after = None;
    while imported.elapsed() < Duration::from_secs(2) {
        let (id, took) = top(&addr, token, REPEAT);
        slowest = slowest.max(took);
        if id.as_deref() == Some(BLEACH_URL) {
            served_after = Some(imported.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // For the record (not asserted: the machine may be busy): how long queries took while
    // the ranker was rebuilt and swapped.
    eprintln!("served after {served_after:?}; slowest query meanwhile {slowest:?}");
    assert!(
        served_after.is_some(),
        "the imported fact-check was not ranked first within 2 s"
    );
    let health = json(&addr, token, "GET", "/healthz", "");
    assert!(
        health["served_revision"].as_i64().unwrap() > before,
        "{health}"
    );
    assert_eq!(
        health["served_revision"], health["store_revision"],
        "{health}"
    );

    // A post repeating it is stored matched to it.
    let body = serde_json::json!([{"id": "p1", "source": "chat", "text": REPEAT}]).to_string();
    let report = json(&addr, token, "POST", "/api/items", &body);
    assert_eq!(report["matched"], 1, "{report}");
    let id = report["items"][0].as_i64().unwrap();
    let item = json(&addr, token, "GET", &format!("/api/items/{id}"), "");
    assert_eq!(
        item["matches"][0]["fact_check"]["url"], BLEACH_URL,
        "{item}"
    );

    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rematch_gives_stored_items_the_fact_checks_imported_after_them() {
    let desk = Desk::new();
    let posts = desk.file(
        "posts.jsonl",
        format!(
            "{}\n{}\n",
            serde_json::json!({"id": "a", "source": "s", "text": REPEAT}),
            serde_json::json!({"id": "b", "source": "s", "text": "Lovely weather at the lake today"}),
        ),
    );
    desk.run(&["--lexical-only", "ingest", &posts]).ok();
    let bleach = desk.file(
        "bleach.jsonl",
        claim_review(BLEACH_URL, "Drinking bleach cures the flu", "No", "en"),
    );
    desk.run(&["import", &bleach]).ok();
    let out = desk
        .run(&["--lexical-only", "rematch", "--since", "1d"])
        .ok();
    assert!(out.contains("rematched 2 of 2 stored items"), "{out}");
    assert!(
        out.contains("1 of 2 new or changed items have candidate fact-checks"),
        "{out}"
    );
}
