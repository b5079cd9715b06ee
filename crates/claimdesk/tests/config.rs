//! `claimdesk config check|show`, and what every command says about a bad config.

use crate::util::Desk;

fn write_config(desk: &Desk, text: &str) {
    std::fs::create_dir_all(desk.data()).unwrap();
    std::fs::write(desk.data().join("claimdesk.toml"), text).unwrap();
}

#[test]
fn check_accepts_the_template_and_show_prints_the_values_in_force() {
    let desk = Desk::new();
    desk.run(&["init"]).ok();
    assert!(
        desk.run(&["config", "check"])
            .ok()
            .contains("claimdesk.toml: valid")
    );
    let shown = desk.run(&["config", "show"]).ok();
    assert!(shown.contains("[lookback]\ndays = 30"), "{shown}");
    assert!(shown.contains("[index]\npoll_ms = 500"), "{shown}");
    assert!(
        shown.contains("time_zone = \"Asia/Ho_Chi_Minh\""),
        "{shown}"
    );
}

#[test]
fn an_unknown_key_names_the_file_line_key_and_what_is_allowed() {
    let desk = Desk::new();
    write_config(&desk, "[match]\nk1 = 0.5\n\n[fetch]\nallow_list = []\n");
    for args in [&["config", "check"][..], &["reindex"][..]] {
        let run = desk.run(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("claimdesk.toml:5: [fetch] allow_list: unknown field `allow_list`, expected one of `allow`, `max_body_bytes`, `timeout_secs`"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_wrong_type_names_the_file_line_key_and_the_expected_type() {
    let desk = Desk::new();
    write_config(
        &desk,
        "[detection]\nthreshold = 0.2\n[sources]\nfolder_settle_secs = \"soon\"\n",
    );
    let run = desk.run(&["config", "check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("claimdesk.toml:4: [sources] folder_settle_secs: invalid type: string \"soon\", expected u64"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreadable_config_is_an_error_not_the_defaults() {
    let desk = Desk::new();
    // A directory where the file should be: it exists and cannot be read as a file.
    std::fs::remove_file(desk.data().join("claimdesk.toml")).unwrap();
    std::fs::create_dir_all(desk.data().join("claimdesk.toml")).unwrap();
    let run = desk.run(&["config", "check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("claimdesk.toml: cannot read the config"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_toml_names_the_file_and_line_and_is_not_taken_for_defaults() {
    let desk = Desk::new();
    write_config(&desk, "[match]\nk1 = 0.5\n\n[lookback\ndays = 7\n");
    for args in [&["config", "check"][..], &["reindex"][..]] {
        let run = desk.run(args);
        assert_eq!(
            run.code, 2,
            "{args:?} accepted a broken config: {}",
            run.stdout
        );
        assert!(
            run.stderr.contains("claimdesk.toml:4"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("valid"), "{}", run.stderr);
    }
}
