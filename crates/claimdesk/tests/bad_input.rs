//! Broken files: each yields a diagnostic naming file, line and field, keeps the good rows,
//! loses and duplicates nothing already stored, and exits non-zero.

use crate::util::{Desk, data_file};

/// Imports a good file first, then `bad`; returns (stdout, stderr, code) of the bad import.
fn import_after_good(bad: &str) -> (Desk, crate::util::Run) {
    let desk = Desk::new();
    let good = desk.file(
        "good.csv",
        "id,claim,headline\ng1,Hot lemon water cures cancer,Lemon water\ng2,5G masts spread illness,5G\n",
    );
    desk.run(&["import", &good]).ok();
    let run = desk.run(&["import", &data_file(&format!("bad/{bad}"))]);
    (desk, run)
}

fn stored_after(desk: &Desk) -> String {
    // Re-importing the good file must find both of its rows unchanged.
    let good = desk.dir.path().join("good.csv").display().to_string();
    desk.run(&["import", &good]).ok()
}

fn check(bad: &str, line: &str, field: Option<&str>, message: &str, added: usize) {
    let (desk, run) = import_after_good(bad);
    assert_eq!(run.code, 1, "{bad}: {}\n{}", run.stdout, run.stderr);
    let expected = format!("{bad}:{line}");
    assert!(
        run.stderr.contains(&expected),
        "{bad}: no `{expected}` in:\n{}",
        run.stderr
    );
    if let Some(field) = field {
        assert!(
            run.stderr.contains(&format!("field `{field}`")),
            "{bad}: {}",
            run.stderr
        );
    }
    assert!(
        run.stderr.contains(message),
        "{bad}: no `{message}` in:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("{added} added")),
        "{bad}: expected {added} added: {}",
        run.stdout
    );
    assert!(stored_after(&desk).contains("0 added, 0 updated, 2 unchanged"));
    // The bad file again: the good rows are not stored twice.
    let again = desk.run(&["import", &data_file(&format!("bad/{bad}"))]);
    assert!(again.stdout.contains("0 added"), "{bad}: {}", again.stdout);
}

#[test]
fn truncated_json_lines() {
    check("truncated.jsonl", "2", None, "invalid JSON", 2);
}

#[test]
fn truncated_json_array_keeps_complete_elements() {
    check("truncated_array.json", "", None, "invalid JSON", 1);
}

#[test]
fn wrong_column_count() {
    check("wrong_columns.csv", "3", None, "expected 3 fields", 2);
}

#[test]
fn latin1_row() {
    check("latin1.csv", "3", Some("claim"), "not valid UTF-8", 2);
}

#[test]
fn windows_1258_row() {
    check("cp1258.tsv", "3", Some("claim"), "Windows-1258", 2);
}

#[test]
fn nul_byte() {
    check("nul.csv", "3", Some("claim"), "NUL byte", 2);
}

#[test]
fn duplicate_ids_keep_the_first() {
    check("duplicate_ids.csv", "4", Some("id"), "duplicate id `d1`", 2);
}

#[test]
fn empty_file() {
    let (_, run) = import_after_good("empty.csv");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("empty.csv: the file is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn byte_order_mark_is_not_an_error() {
    let (desk, run) = import_after_good("bom.csv");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 added"));
    assert_eq!(desk.ranked("salt water gargle")[0], "b1");
}

#[test]
fn five_megabyte_line() {
    let desk = Desk::new();
    let mut text = String::from("id,claim,headline\nk1,A normal claim about garlic,Garlic\nk2,");
    text.push_str(&"x".repeat(5 << 20));
    text.push_str(",Huge\nk3,Another normal claim about onions,Onions\n");
    let f = desk.file("huge.csv", text);
    let run = desk.run(&["import", &f]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("huge.csv:3"), "{}", run.stderr);
    assert!(run.stderr.contains("byte limit"), "{}", run.stderr);
    assert!(run.stdout.contains("2 added"), "{}", run.stdout);
}

#[test]
fn bad_posts_keep_the_good_ones() {
    let desk = Desk::new();
    let run = desk.run(&["ingest", &data_file("bad/posts_bad.jsonl")]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("posts_bad.jsonl:2: field `text`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("posts_bad.jsonl:3: invalid JSON"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("2 added"), "{}", run.stdout);
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let desk = Desk::new();
    let run = desk.run(&["import", "/nonexistent/factchecks.csv"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("cannot read /nonexistent/factchecks.csv"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_file_is_named_with_its_cause_said_once() {
    let desk = Desk::new();
    let missing = desk.dir.path().join("nowhere.tsv").display().to_string();
    for args in [
        vec!["match", "--queries", missing.as_str()],
        vec!["check-post", missing.as_str()],
    ] {
        let run = desk.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(&missing), "{args:?}: {}", run.stderr);
        assert_eq!(
            run.stderr.matches("No such file or directory").count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
    }
}
