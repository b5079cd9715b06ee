//! Every input format, idempotent re-import, aliases of identical fact-checks.

use crate::util::{Desk, claim_review};

#[test]
fn claimreview_object_array_lines_and_html() {
    let desk = Desk::new();
    let one = desk.file(
        "one.json",
        claim_review(
            "https://f.example/1",
            "Garlic soup cures influenza",
            "Garlic",
            "en",
        ),
    );
    let array = desk.file(
        "array.json",
        format!(
            "[{},\n{}]",
            claim_review(
                "https://f.example/2",
                "Onions in socks absorb viruses",
                "Onions",
                "en"
            ),
            claim_review(
                "https://f.example/3",
                "Sunlight through windows kills bacteria",
                "Sun",
                "en"
            )
        ),
    );
    let lines = desk.file(
        "lines.jsonl",
        format!(
            "{}\n{}\n",
            claim_review(
                "https://f.example/4",
                "Ginger tea prevents dengue fever",
                "Ginger",
                "en"
            ),
            claim_review(
                "https://f.example/5",
                "Banks ask customers for OTP codes by SMS",
                "OTP",
                "en"
            )
        ),
    );
    let html = desk.file(
        "page.html",
        format!(
            r#"<!doctype html><html><head><title>x</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@graph":[{{"@type":"WebPage","name":"p"}},{}]}}</script>
</head><body><p>Fact-check</p></body></html>"#,
            claim_review("https://f.example/6", "Mobile phones charge from lemons", "Lemons", "en")
        ),
    );
    for (f, n) in [(&one, 1), (&array, 2), (&lines, 2), (&html, 1)] {
        let out = desk.run(&["import", f]).ok();
        assert!(out.contains(&format!("{n} added")), "{f}: {out}");
    }
    assert_eq!(
        desk.ranked("do onions in socks absorb a virus?")[0],
        "https://f.example/2"
    );
    assert_eq!(
        desk.ranked("charging a phone with lemons")[0],
        "https://f.example/6"
    );
    let m = &desk.matches("garlic soup influenza")[0];
    assert_eq!(m["rating"]["label"], "False");
    assert_eq!(m["language"], "en");
}

#[test]
fn reimport_changes_nothing_and_edits_update() {
    let desk = Desk::new();
    let f = desk.file(
        "fc.csv",
        "id,claim,headline,rating\na,Eggs made of plastic sold in markets,Eggs,False\n",
    );
    assert!(desk.run(&["import", &f]).ok().contains("1 added"));
    assert!(
        desk.run(&["import", &f])
            .ok()
            .contains("0 added, 0 updated, 1 unchanged")
    );
    let f2 = desk.file(
        "fc2.csv",
        "id,claim,headline,rating\na,Rice made of plastic sold in markets,Rice,False\n",
    );
    assert!(
        desk.run(&["import", &f2])
            .ok()
            .contains("0 added, 1 updated")
    );
    // The index follows the store: the old text no longer matches, the new one does.
    assert_eq!(desk.ranked("plastic rice")[0], "a");
    assert!(desk.ranked("eggs").is_empty());
}

#[test]
fn identical_fact_checks_become_aliases() {
    let desk = Desk::new();
    let f = desk.file(
        "dups.tsv",
        "\tvclaim\ttitle\n2\t\"A \"\"Trump and Obama by the Numbers\"\" meme recounts statistics.\"\tDoes This Meme Show ‘Trump and Obama by the Numbers’?\n\
         867\tA 'Trump and Obama by the Numbers' meme recounts statistics.\tDoes This Meme Show ‘Trump and Obama by the Numbers’?\n\
         5\tA different claim about numbers and memes.\tAnother headline\n",
    );
    let out = desk.run(&["import", &f, "--format", "clef"]).ok();
    assert!(
        out.contains("3 added") && out.contains("1 aliases"),
        "{out}"
    );
    let m = desk.matches("trump obama numbers meme");
    assert_eq!(m[0]["source_id"], "2");
    assert_eq!(m[0]["aliases"][0], "867");
    // In a run file the alias follows its canonical entry with the same score.
    let q = desk.file(
        "q.tsv",
        "\ttweet_content\nq1\tTrump and Obama by the numbers meme\n",
    );
    let run = desk.file("run.txt", "");
    desk.run(&["match", "--queries", &q, "--run-out", &run])
        .ok();
    let lines: Vec<String> = std::fs::read_to_string(&run)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert!(lines[0].starts_with("q1 Q0 2 1 "), "{lines:?}");
    assert!(lines[1].starts_with("q1 Q0 867 2 "), "{lines:?}");
    assert_eq!(lines[0].split(' ').nth(4), lines[1].split(' ').nth(4));
}

#[test]
fn reindex_gives_byte_identical_runs() {
    let desk = Desk::new();
    let fcs = desk.file("fc.jsonl", claimdesk_sample_factchecks());
    desk.run(&["import", &fcs]).ok();
    let queries = desk.file(
        "q.tsv",
        "id\ttext\nq1\tnước chanh nóng chữa ung thư\nq2\tvaccines cause infertility\nq3\tdam about to burst\nq4\tmã OTP ngân hàng\n",
    );
    let run1 = desk.file("run1.txt", "");
    let run2 = desk.file("run2.txt", "");
    desk.run(&[
        "match",
        "--queries",
        &queries,
        "--run-out",
        &run1,
        "--top",
        "10",
    ])
    .ok();
    std::fs::remove_dir_all(desk.data().join("index")).unwrap();
    desk.run(&["reindex"]).ok();
    desk.run(&[
        "match",
        "--queries",
        &queries,
        "--run-out",
        &run2,
        "--top",
        "10",
    ])
    .ok();
    let (a, b) = (std::fs::read(&run1).unwrap(), std::fs::read(&run2).unwrap());
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

pub fn claimdesk_sample_factchecks() -> &'static str {
    include_str!("../sample/factchecks.jsonl")
}

#[test]
fn import_is_logged() {
    let desk = Desk::new();
    let f = desk.file("fc.csv", "id,claim\na,Claim one\n");
    desk.run(&["import", &f]).ok();
    // The audit log lives in the store; a second import of the same file is logged too.
    desk.run(&["import", &f]).ok();
    let db = desk.data().join("claimdesk.db");
    assert!(db.exists());
}
