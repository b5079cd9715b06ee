//! Matching end to end: ingest, demo, near-duplicates, run files.

use crate::util::Desk;

const POSTS: &str = include_str!("../sample/posts.jsonl");
const README: &str = include_str!("../sample/README.md");

/// The sample README's table: post id → the fact-check url it should match.
fn expected() -> Vec<(String, String)> {
    README
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('|').map(str::trim).collect();
            (cols.len() == 4 && cols[1].starts_with('p') && cols[1][1..].parse::<u32>().is_ok())
                .then(|| (cols[1].to_string(), cols[2].to_string()))
        })
        .collect()
}

#[test]
fn sample_posts_find_their_fact_checks() {
    let desk = Desk::new();
    let fcs = desk.file("fc.jsonl", crate::formats::claimdesk_sample_factchecks());
    desk.run(&["import", &fcs]).ok();
    let posts: Vec<serde_json::Value> = POSTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut found = 0;
    let mut expected_matches = 0;
    for (id, url) in expected() {
        if url == "none" {
            continue;
        }
        let post = posts.iter().find(|p| p["id"] == id.as_str()).unwrap();
        let lang = post["language"].as_str().unwrap_or("");
        let text = post["text"].as_str().unwrap();
        // Cross-language pairs need the semantic matcher; lexical matching is measured on
        // posts in the fact-check's own language.
        if !url.contains(&format!("/{lang}/")) && !lang.is_empty() {
            continue;
        }
        expected_matches += 1;
        let top3 = desk.ranked(text).into_iter().take(3).collect::<Vec<_>>();
        if top3.contains(&url) {
            found += 1;
        } else {
            eprintln!("{id}: expected {url}, got {top3:?}");
        }
    }
    assert!(expected_matches >= 12);
    // Lexical matching is not perfect on paraphrases; it must find the large majority.
    assert!(
        found * 10 >= expected_matches * 8,
        "{found} of {expected_matches}"
    );
}

#[test]
fn ingest_stores_matches_and_is_idempotent() {
    let desk = Desk::new();
    let fcs = desk.file("fc.jsonl", crate::formats::claimdesk_sample_factchecks());
    desk.run(&["import", &fcs]).ok();
    let posts = desk.file("posts.jsonl", POSTS);
    let out = desk.run(&["ingest", &posts]).ok();
    assert!(out.contains("24 added"), "{out}");
    assert!(
        out.contains("of 24 new or changed items have candidate fact-checks"),
        "{out}"
    );
    let again = desk.run(&["ingest", &posts]).ok();
    assert!(
        again.contains("0 added, 0 updated, 24 unchanged"),
        "{again}"
    );
}

#[test]
fn near_duplicates_are_flagged_in_the_explanation() {
    let desk = Desk::new();
    let fcs = desk.file("fc.jsonl", crate::formats::claimdesk_sample_factchecks());
    desk.run(&["import", &fcs]).ok();
    let copy =
        "Uống nước chanh nóng mỗi sáng có thể tiêu diệt tế bào ung thư và chữa khỏi bệnh ung thư!!";
    let m = &desk.matches(copy)[0];
    assert_eq!(
        m["source_id"],
        "https://factcheck.example/vi/nuoc-chanh-nong-khong-chua-duoc-ung-thu"
    );
    assert!(
        m["explanation"]["near_duplicate_distance"]
            .as_u64()
            .unwrap()
            <= 3,
        "{m}"
    );
}

#[test]
fn demo_prints_matches() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimdesk"))
        .args(["demo", "--no-serve"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("fictional sample data"));
    assert!(stdout.contains("── post p01"));
    assert!(stdout.contains("why: lexical"));
}

#[test]
fn eval_reports_the_measures() {
    let desk = Desk::new();
    let fcs = desk.file("fc.tsv", "\tvclaim\ttitle\n1\tGarlic cures the flu\tGarlic\n2\tOnions absorb viruses\tOnions\n3\tLemon water cures cancer\tLemon\n");
    desk.run(&["import", &fcs, "--format", "clef"]).ok();
    let q = desk.file("q.tsv", "\ttweet_content\na\tdoes garlic cure flu\nb\tlemon water and cancer\nc\tonions everywhere absorb\n");
    // c's relevant document is 1: it is not retrieved, so MAP is 2/3.
    let qrels = desk.file("qrels", "a 0 1 1\nb 0 3 1\nc 0 1 1\n");
    let out = desk
        .run(&["eval", "--queries", &q, "--qrels", &qrels, "--json"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["map"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9, "{v}");
    assert_eq!(v["queries"], 3);
    assert!(v["queries_per_second"].as_f64().unwrap() > 0.0);
}

#[test]
fn demo_says_when_its_port_is_taken() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimdesk"))
        .args(["demo", "--addr", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the port is taken"), "{stderr}");
    assert!(stderr.contains("--addr"), "{stderr}");
}
