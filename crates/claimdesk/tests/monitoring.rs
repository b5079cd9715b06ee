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
