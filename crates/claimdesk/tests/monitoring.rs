//! `claimdesk narratives`, `alerts` and `webhook`: a flood of copies ingested from a file
//! shows as one narrative with a burst, the config's thresholds apply, a rebuild gives the
//! same listing, and webhooks are added, listed and removed.

use crate::util::Desk;

const CLAIM: &str = "Uống nước chanh nóng mỗi sáng sẽ tiêu diệt tế bào ung thư trong ba tuần, các bác sĩ không muốn bạn biết";

fn posts() -> String {
    let mut out = String::new();
    for i in 0..6 {
        out.push_str(&format!(
            "{{\"id\":\"c{i}\",\"text\":\"{} {CLAIM}\",\"source\":\"page{i}\",\"published_at\":\"2026-11-20T10:0{i}:00Z\"}}\n",
            ["", "CHIA SẺ:", "", "Tin nóng!!", "", "#share"][i]
        ));
    }
    out.push_str("{\"id\":\"o1\",\"text\":\"Hội đồng thành phố thông qua ngân sách giao thông công cộng mới\",\"source\":\"news\",\"published_at\":\"2026-11-20T11:00:00Z\"}\n");
    out
}

#[test]
fn a_flood_shows_as_one_narrative_with_its_burst() {
    let desk = Desk::new();
    desk.run(&["init"]).ok();
    // N = 5 copies from M = 4 sources within T = 10 minutes.
    let config = desk.data().join("claimdesk.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[narratives]\nburst_items = 5\nburst_sources = 4\nburst_minutes = 10\n");
    std::fs::write(&config, text).unwrap();
    let file = desk.file("posts.jsonl", posts());
    desk.run(&["--lexical-only", "ingest", &file]).ok();

    let list = desk.run(&["--lexical-only", "narratives"]).ok();
    assert_eq!(list.matches("items\t").count(), 1, "{list}");
    assert!(list.contains("6 items\t6 sources"), "{list}");
    assert!(list.contains("BURST 5 items from 5 sources"), "{list}");

    let show = desk
        .run(&["--lexical-only", "narratives", "show", "1"])
        .ok();
    assert!(
        show.contains("narrative 1: 6 items from 6 sources"),
        "{show}"
    );
    assert!(show.contains("copy-paste burst"), "{show}");
    assert!(show.contains("2026-11-20T10:00:00Z  6"), "{show}");
    // Each item with how it joined: the first, then copies.
    assert_eq!(show.matches("  seed: ").count(), 1, "{show}");
    assert_eq!(show.matches("  fingerprint: ").count(), 5, "{show}");

    let alerts = desk.run(&["alerts", "--rule", "burst"]).ok();
    assert!(alerts.contains("narrative:1"), "{alerts}");

    let rebuilt = desk.run(&["--lexical-only", "narratives", "rebuild"]).ok();
    assert!(
        rebuilt.contains(
            "rebuilt 2 narratives from 7 items (1 of 2 or more, 1 with a copy-paste burst)"
        ),
        "{rebuilt}"
    );
    assert_eq!(desk.run(&["--lexical-only", "narratives"]).ok(), list);
    // Alerts are not raised twice by the rebuild.
    assert_eq!(desk.run(&["alerts", "--rule", "burst"]).ok(), alerts);

    let bad = desk.run(&["--lexical-only", "narratives", "--since", "yesterday"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--since `yesterday`"), "{}", bad.stderr);
}

#[test]
fn webhooks_are_added_listed_and_removed() {
    let desk = Desk::new();
    let short = desk.run_with_stdin(&["webhook", "add", "https://hooks.example/cd"], "short\n");
    assert_eq!(short.code, 2);
    assert!(
        short.stderr.contains("at least 16 characters"),
        "{}",
        short.stderr
    );
    let added = desk
        .run_with_stdin(
            &["webhook", "add", "https://hooks.example/cd"],
            "a-long-enough-secret-value\n",
        )
        .ok();
    assert!(
        added.contains("added webhook 1: https://hooks.example/cd"),
        "{added}"
    );
    let list = desk.run(&["webhook", "list"]).ok();
    assert!(list.starts_with("1\thttps://hooks.example/cd\t"), "{list}");
    assert!(!list.contains("a-long-enough-secret-value"));
    assert!(
        desk.run(&["webhook", "deliveries"])
            .ok()
            .contains("no deliveries")
    );
    desk.run(&["webhook", "remove", "1"]).ok();
    assert!(desk.run(&["webhook", "list"]).ok().contains("no webhooks"));
    let gone = desk.run(&["webhook", "remove", "1"]);
    assert_eq!(gone.code, 2);
    assert!(gone.stderr.contains("no webhook 1"), "{}", gone.stderr);
}

/// One HTTP/1.1 request to `addr` (`host:port`); returns the status and the body.
pub fn http(addr: &str, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(120)))
        .unwrap();
    write!(
        conn,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The body of a chunked HTTP response, joined.
pub fn unchunk(body: &str) -> String {
    if !body.contains("\r\n") {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

#[test]
fn items_polled_by_serve_and_posted_to_the_api_are_scored_matched_and_put_in_narratives() {
    use std::process::Command;
    let desk = Desk::new();
    desk.run(&["init"]).ok();
    let config = desk.data().join("claimdesk.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    // The template ends with empty [fetch] and [sources] tables: replace them.
    text.truncate(text.find("\n[fetch]\n").unwrap() + 1);
    text.push_str(
        "[detection]\nthreshold = 0.1\n\
         [narratives]\nburst_items = 4\nburst_sources = 4\nburst_minutes = 10\n\
         [sources]\nfolder_settle_secs = 0\n",
    );
    std::fs::write(&config, text).unwrap();
    desk.run_with_stdin(
        &["user", "add", "ed", "--role", "editor"],
        "a good password\n",
    )
    .ok();
    let token = desk.run(&["token", "create", "ed", "partner"]).ok();
    let token = token.trim().to_string();
    // Two copies arrive by the drop folder, two by the API: one narrative of four from four
    // sources within ten minutes, a burst.
    let drop = desk.dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let copy = |i: usize| {
        format!(
            "{{\"id\":\"c{i}\",\"text\":\"{} {CLAIM}\",\"source\":\"page{i}\",\"published_at\":\"2026-11-20T10:0{i}:00Z\"}}",
            ["", "CHIA SẺ:", "Tin nóng!!", "#share"][i]
        )
    };
    std::fs::write(
        drop.join("posts.jsonl"),
        format!("{}\n{}\n", copy(0), copy(1)),
    )
    .unwrap();
    desk.run(&["source", "add", drop.to_str().unwrap()]).ok();
    let (child, addr) = desk.serve();
    // Bounded wait for the first poll and its processing (the folder's file is moved once
    // its items are stored; they are processed right after).
    let narratives_of = || desk.run(&["--lexical-only", "narratives"]).stdout;
    for _ in 0..600 {
        if narratives_of().contains("2 items\t2 sources") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        narratives_of().contains("2 items\t2 sources"),
        "{}",
        narratives_of()
    );

    let body = format!(
        "[{}, {}, {{\"id\":\"g1\",\"source\":\"page9\",\"text\":\"Chúc cả nhà buổi sáng vui vẻ\"}}]",
        copy(2),
        copy(3)
    );
    let (status, answer) = http(&addr, "POST", "/api/items", &token, &body);
    let answer = unchunk(&answer);
    assert_eq!(status, 200, "{answer}");
    let report: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(report["added"], 3, "{report}");
    // The fourth copy makes the burst; the greeting is not check-worthy, so not matched.
    assert!(report["alerts"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["below_threshold"], 1, "{report}");

    let (status, item) = http(&addr, "GET", "/api/items/5", &token, "");
    let item = unchunk(&item);
    assert_eq!(status, 200, "{item}");
    let item: serde_json::Value = serde_json::from_str(&item).unwrap();
    let cw = &item["check_worthiness"];
    assert_eq!(cw["matched"], false, "{item}");
    assert_eq!(cw["scorer"], "cues", "{item}");
    assert_eq!(cw["sentences"][0]["text"], "Chúc cả nhà buổi sáng vui vẻ");
    let (_, worthy) = http(&addr, "GET", "/api/items?worthy=0.01", &token, "");
    let worthy: serde_json::Value = serde_json::from_str(&unchunk(&worthy)).unwrap();
    assert!(
        worthy["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["check_worthiness"].as_f64().unwrap() >= 0.01)
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = narratives_of();
    assert!(list.contains("4 items\t4 sources"), "{list}");
    assert!(list.contains("BURST 4 items from 4 sources"), "{list}");
    let alerts = desk.run(&["alerts", "--rule", "burst"]).ok();
    assert!(alerts.contains("narrative:1"), "{alerts}");
}

/// A file longer than one page (`claimdesk_ingest::pages::PAGE_LINES`, 10,000 lines),
/// stored and processed a page at a time: the copies on later pages join the narratives
/// their first copies started on the first, every item is placed once, and a rebuild from
/// the stored items gives the same narratives.
#[test]
fn a_file_of_several_pages_is_placed_as_if_page_by_page() {
    const LINES: usize = 20_500;
    const RUMOURS: usize = 40;
    let vocabulary: Vec<String> = (0..400).map(|w| format!("w{w:03}x")).collect();
    // A small fixed generator: the same file every run.
    let mut state: u64 = 0x2026_1207;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut words = |n: usize| -> String {
        (0..n)
            .map(|_| vocabulary[next() % vocabulary.len()].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rumours: Vec<String> = (0..RUMOURS).map(|_| words(14)).collect();
    let mut file = String::new();
    for i in 0..LINES {
        // Every other line a copy of a rumour (a few with a prefix), else a post of its own.
        let text = if i % 2 == 0 {
            let prefix = if i % 6 == 0 { "RT " } else { "" };
            format!("{prefix}{}", rumours[(i / 2) % RUMOURS])
        } else {
            words(14)
        };
        file.push_str(&format!(
            "{{\"id\":\"p{i}\",\"text\":\"{text}\",\"source\":\"acct{}\",\"published_at\":\"2026-11-{:02}T{:02}:{:02}:00Z\"}}\n",
            i % 97,
            1 + i / 1000,
            (i / 60) % 24,
            i % 60
        ));
    }
    let desk = Desk::new();
    desk.run(&["init"]).ok();
    let file = desk.file("posts.jsonl", file);
    let out = desk.run(&["--lexical-only", "ingest", &file]).ok();
    assert!(out.contains("20500 added"), "{out}");

    let listing = |desk: &Desk| {
        desk.run(&["--lexical-only", "narratives", "--limit", "1000"])
            .ok()
    };
    let ingested = listing(&desk);
    // The rumours' copies, from every page, one narrative each.
    assert_eq!(ingested.matches("items\t").count(), RUMOURS, "{ingested}");
    let copies = LINES / 2 / RUMOURS;
    for n in [copies, copies + 1] {
        assert!(ingested.contains(&format!("{n} items\t")), "{ingested}");
    }
    let rebuilt = desk.run(&["--lexical-only", "narratives", "rebuild"]).ok();
    assert!(
        rebuilt.contains(&format!("from {LINES} items ({RUMOURS} of 2 or more")),
        "{rebuilt}"
    );
    assert_eq!(listing(&desk), ingested);
}
