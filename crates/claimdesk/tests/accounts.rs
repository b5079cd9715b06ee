//! `user` and `audit`: accounts from the command line (passwords on stdin), and the audit
//! chain catching a database edited behind the store's back.

use std::path::Path;

use sqlx::{Connection, SqliteConnection};

use crate::util::Desk;

/// Runs SQL statements on the store file directly, as someone with the file could.
fn tamper(db: &Path, statements: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut c = SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(*sql))
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        c.close().await.unwrap();
    });
}

/// A desk with three users (three audit events).
fn desk_with_users() -> Desk {
    let desk = Desk::new();
    for (name, role) in [("ada", "admin"), ("ed", "editor"), ("rita", "reviewer")] {
        desk.run_with_stdin(&["user", "add", name, "--role", role], "a good password\n")
            .ok();
    }
    desk
}

#[test]
fn users_are_added_with_a_password_from_stdin() {
    let desk = Desk::new();
    let run = desk.run_with_stdin(&["user", "add", "alice", "--role", "editor"], "short\n");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("a password needs at least 8 characters"),
        "{}",
        run.stderr
    );
    let run = desk.run_with_stdin(&["user", "add", "alice", "--role", "editor"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no password on standard input"),
        "{}",
        run.stderr
    );
    let run = desk.run_with_stdin(&["user", "add", "alice", "--role", "boss"], "long enough\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown role `boss`"), "{}", run.stderr);

    let out = desk
        .run_with_stdin(
            &[
                "user",
                "add",
                "alice",
                "--role",
                "editor",
                "--display-name",
                "Alice Nguyễn",
            ],
            "correct horse battery\r\n",
        )
        .ok();
    assert_eq!(out.trim(), "added alice (Alice Nguyễn) as editor");
    let run = desk.run_with_stdin(
        &["user", "add", "Alice", "--role", "viewer"],
        "long enough\n",
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("the username `Alice` is taken"),
        "{}",
        run.stderr
    );

    desk.run_with_stdin(&["user", "passwd", "alice"], "another password\n")
        .ok();
    let run = desk.run_with_stdin(&["user", "passwd", "bob"], "another password\n");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no user `bob`"), "{}", run.stderr);
    desk.run(&["user", "disable", "alice"]).ok();
    let list = desk.run(&["user", "list"]).ok();
    let line = list.lines().find(|l| l.starts_with("alice")).unwrap();
    assert!(
        line.contains("editor") && line.contains("disabled"),
        "{list}"
    );
    assert!(line.ends_with("Alice Nguyễn"), "{list}");

    let out = desk.run(&["audit", "verify"]).ok();
    assert_eq!(out.trim(), "audit chain intact: 3 events");
}

#[test]
fn audit_verify_names_an_edited_event() {
    let desk = desk_with_users();
    let out = desk.run(&["audit", "verify"]).ok();
    assert_eq!(out.trim(), "audit chain intact: 3 events");
    tamper(
        &desk.db(),
        &[
            "DROP TRIGGER IF EXISTS audit_events_no_update",
            r#"UPDATE audit_events SET after = '{"disabled":false,"display_name":"ed","role":"admin","username":"ed"}' WHERE seq = 2"#,
        ],
    );
    let run = desk.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("event 2 (user.add at ")
            && run
                .stdout
                .contains(") was edited or its predecessor was deleted"),
        "{}",
        run.stdout
    );
}

#[test]
fn audit_verify_names_a_deleted_event() {
    let desk = desk_with_users();
    tamper(
        &desk.db(),
        &[
            "DROP TRIGGER IF EXISTS audit_events_no_delete",
            "DELETE FROM audit_events WHERE seq = 2",
        ],
    );
    let run = desk.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.trim(), "audit chain broken: event 2 was deleted");
}

#[test]
fn tokens_are_created_once_listed_and_revoked() {
    let desk = desk_with_users();
    let token = desk.run(&["token", "create", "ed", "intake script"]).ok();
    let token = token.trim();
    assert_eq!(token.len(), 64, "{token}");
    let list = desk.run(&["token", "list", "ed"]).ok();
    assert!(
        list.contains("intake script") && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(token), "the token itself is never listed");
    let id = list.split_whitespace().next().unwrap().to_string();
    desk.run(&["token", "revoke", &id]).ok();
    let list = desk.run(&["token", "list", "ed"]).ok();
    assert!(list.contains("revoked"), "{list}");
}
