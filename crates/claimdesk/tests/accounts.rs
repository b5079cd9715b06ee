//! `user` and `audit`: accounts from the command line (passwords on stdin), and the audit
//! chain catching a database edited behind the store's back.

use std::path::Path;

use claimdesk_core::AuditEvent;
use claimdesk_core::audit::GENESIS_HASH;
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
    let run = desk.run_with_stdin(&["user", "add", "alice", "--role", "editor"], "password1\n");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("this password is too easy to guess"),
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
    let run = desk.run_with_stdin(
        &["user", "add", "alice", "--role", "boss"],
        "long enough, really\n",
    );
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
        "long enough, really\n",
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

/// An `audit_events` row without its hashes.
type EventRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// The events as stored, rewritten by `rewrite` and chained again from the start (every
/// `seq`, `prev_hash` and `hash` recomputed, the counter set to the last one): what someone
/// with the database file, but not the signing key, can do.
fn rechain(db: &Path, rewrite: impl FnOnce(&mut Vec<AuditEvent>)) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut c = SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let rows: Vec<EventRow> = sqlx::query_as(
                "SELECT seq, at, actor, action, subject, before, after FROM audit_events ORDER BY seq",
            )
            .fetch_all(&mut c)
            .await
            .unwrap();
        let mut events: Vec<AuditEvent> = rows
            .into_iter()
            .map(|(seq, at, actor, action, subject, before, after)| AuditEvent {
                seq,
                at,
                actor,
                action,
                subject,
                before,
                after,
                prev_hash: String::new(),
                hash: String::new(),
            })
            .collect();
        rewrite(&mut events);
        let mut prev = GENESIS_HASH.to_string();
        for (i, e) in events.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
            e.prev_hash.clone_from(&prev);
            e.hash = e.compute_hash();
            prev.clone_from(&e.hash);
        }
        for sql in [
            "DROP TRIGGER IF EXISTS audit_events_no_update",
            "DROP TRIGGER IF EXISTS audit_events_no_delete",
            "DELETE FROM audit_events",
        ] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        for e in &events {
            sqlx::query(
                "INSERT INTO audit_events (seq, at, actor, action, subject, before, after, prev_hash, hash)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.seq)
            .bind(&e.at)
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.subject)
            .bind(&e.before)
            .bind(&e.after)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut c)
            .await
            .unwrap();
        }
        sqlx::query("UPDATE counters SET value = ? WHERE name = 'audit_seq'")
            .bind(events.len() as i64)
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    });
}

/// A copy of a desk's data directory (store and key), to tamper with one copy per test case.
fn copy_of(desk: &Desk) -> Desk {
    // A bare directory: a desk of its own would leave its WAL beside the copied store.
    let copy = Desk::bare();
    std::fs::create_dir_all(copy.data()).unwrap();
    for entry in std::fs::read_dir(desk.data()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.data().join(path.file_name().unwrap())).unwrap();
        }
    }
    copy
}

/// A desk of six events with checkpoints at 3 and 5, exported to a witness's file.
fn witnessed_desk() -> (Desk, String) {
    let desk = desk_with_users();
    let out = desk.run(&["audit", "checkpoint"]).ok();
    assert!(out.starts_with("signed a checkpoint of event 3 ("), "{out}");
    for name in ["vi", "vo"] {
        desk.run_with_stdin(
            &["user", "add", name, "--role", "viewer"],
            "a good password\n",
        )
        .ok();
    }
    desk.run(&["audit", "checkpoint"]).ok();
    let out = desk.run(&["audit", "checkpoint"]).ok();
    assert_eq!(out.trim(), "no event since the last checkpoint");
    // An event no checkpoint covers yet.
    desk.run_with_stdin(
        &["user", "add", "zed", "--role", "viewer"],
        "a good password\n",
    )
    .ok();
    let witness = desk.dir.path().join("witness.jsonl");
    desk.run(&["audit", "checkpoints", "--out", witness.to_str().unwrap()])
        .ok();
    (desk, witness.display().to_string())
}

/// Issue 15, finding 6 (the acceptance's rewrite test): whoever can write the database can
/// delete the tail and lower the counter, or edit and re-chain, and the chain alone says
/// intact; a witness's copy of the signed checkpoints names the first rewritten event.
#[test]
fn regression_audit_rewrites_are_named_by_witnessed_checkpoints() {
    let (desk, witness) = witnessed_desk();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&witness)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["seq"].as_i64(), lines[0]["since"].as_i64()),
        (Some(3), Some(0))
    );
    assert_eq!(
        (lines[1]["seq"].as_i64(), lines[1]["since"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(lines[1]["hashes"].as_array().unwrap().len(), 2);
    assert_eq!(lines[1]["hashes"][1], lines[1]["hash"]);
    let out = desk
        .run(&["audit", "verify", "--checkpoints", &witness])
        .ok();
    assert_eq!(
        out,
        "audit chain intact: 6 events\nwitnessed checkpoints: 2 verified, covering events 1 to 5\n"
    );

    // Each way of rewriting, on its own copy of the desk: the first bad event it leaves.
    type Rewrite = Box<dyn FnOnce(&mut Vec<AuditEvent>)>;
    let cases: [(&str, Rewrite, i64, &str); 4] = [
        (
            "delete the tail and lower the counter",
            Box::new(|e| e.truncate(3)),
            4,
            "event 4 was witnessed but is not stored: it was deleted",
        ),
        (
            "edit an event and re-chain",
            Box::new(|e| e[1].after = Some(r#"{"role":"admin"}"#.into())),
            2,
            "event 2 differs from the witnessed one: it and the events after it were rewritten",
        ),
        (
            "delete an event, renumber and re-chain",
            Box::new(|e| {
                e.remove(2);
            }),
            3,
            "event 3 differs from the witnessed one: it and the events after it were rewritten",
        ),
        (
            "delete all",
            Box::new(|e| e.clear()),
            1,
            "event 1 was witnessed but is not stored: it was deleted",
        ),
    ];
    for (how, rewrite, first_bad, message) in cases {
        let copy = copy_of(&desk);
        rechain(&copy.db(), rewrite);
        // The chain alone cannot tell.
        let out = copy.run(&["audit", "verify"]).ok();
        assert!(out.starts_with("audit chain intact"), "{how}: {out}");
        let run = copy.run(&["audit", "verify", "--checkpoints", &witness]);
        assert_eq!(run.code, 1, "{how}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains(&format!("witness check failed: {message}\n")),
            "{how}: {}",
            run.stdout
        );
        assert!(
            run.stdout
                .ends_with(&format!("first bad sequence number: {first_bad}\n")),
            "{how}: {}",
            run.stdout
        );
    }
}

#[test]
fn a_forged_checkpoint_line_is_reported() {
    let (desk, witness) = witnessed_desk();
    let text = std::fs::read_to_string(&witness).unwrap();
    let mut first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    // A checkpoint claiming a different history, with the hashes to match but no valid key.
    first["hash"] = "ab".repeat(32).into();
    first["hashes"][2] = first["hash"].clone();
    let forged = desk.file(
        "forged.jsonl",
        format!("{first}\n{}\n", text.lines().nth(1).unwrap()),
    );
    let run = desk.run(&["audit", "verify", "--checkpoints", &forged]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "witness check failed: line 1: the checkpoint of event 3 is not signed by the desk's \
             key (forged or altered)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("first bad sequence number"),
        "{}",
        run.stdout
    );

    // The public key alone verifies a witness's copy; another key verifies none of it.
    let key = desk.run(&["audit", "key"]).ok();
    let key_file = desk.file("desk.pub", &key);
    desk.run(&[
        "audit",
        "verify",
        "--checkpoints",
        &witness,
        "--key",
        &key_file,
    ])
    .ok();
    let other = desk.file("other.pub", "11".repeat(32));
    let run = desk.run(&[
        "audit",
        "verify",
        "--checkpoints",
        &witness,
        "--key",
        &other,
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("line 2: the checkpoint of event 5 is not signed"),
        "{}",
        run.stdout
    );
}

#[cfg(unix)]
#[test]
fn init_creates_the_audit_key_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    desk.run(&["--lexical-only", "init"]).ok();
    let key = desk.data().join("audit-key.ed25519");
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let seed = std::fs::read_to_string(&key).unwrap();
    assert_eq!(seed.trim().len(), 64);
    // Never replaced: init again keeps it.
    desk.run(&["--lexical-only", "init"]).ok();
    assert_eq!(std::fs::read_to_string(&key).unwrap(), seed);
    // The key named in the config is the one used.
    std::fs::write(
        desk.data().join("claimdesk.toml"),
        "[audit]\nkey = \"elsewhere.key\"\n",
    )
    .unwrap();
    let public = desk.run(&["audit", "key"]).ok();
    assert!(desk.data().join("elsewhere.key").exists());
    assert_eq!(public.trim().len(), 64);
}

/// One anonymous `GET` to a running desk: status, headers and (unchunked) body.
fn public_get(addr: &str, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (
        status,
        head.to_ascii_lowercase(),
        crate::monitoring::unchunk(body),
    )
}

/// Witnesses copy the checkpoints from the desk itself: the well-known URLs serve what
/// `audit checkpoints` exports and what `audit key` prints, to anyone.
#[test]
fn the_well_known_urls_serve_the_exported_checkpoints_and_the_key() {
    let (desk, witness) = witnessed_desk();
    let exported = std::fs::read_to_string(&witness).unwrap();
    let key = desk.run(&["audit", "key"]).ok();
    let (mut child, addr) = desk.serve();
    let (status, head, body) = public_get(&addr, "/.well-known/claimdesk/audit-checkpoints.jsonl");
    let (key_status, _, served_key) = public_get(&addr, "/.well-known/claimdesk/audit-key");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/jsonl"), "{head}");
    assert_eq!(body, exported);
    assert_eq!((key_status, served_key), (200, key));
    // A copy taken from the URL verifies like the exported file.
    let copy = desk.file("copy.jsonl", &body);
    desk.run(&["audit", "verify", "--checkpoints", &copy]).ok();
}
