//! What a newcomer trips over at the command line (issue 16: 5, 6, 7), each reproduced
//! before it was fixed.

use std::io::BufRead;
use std::process::{Command, Stdio};

use crate::util::Desk;

#[test]
fn regression_demo_prints_the_data_directory_other_commands_can_use() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
        .args(["--lexical-only", "demo", "--addr", "127.0.0.1:0"])
        .env_remove("CLAIMDESK_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut data = None;
    let mut line = String::new();
    while out.read_line(&mut line).unwrap_or(0) > 0 {
        if let Some(rest) = line.strip_prefix("data: ") {
            data = rest.split(" (").next().map(str::to_string);
            break;
        }
        line.clear();
    }
    let data = data.unwrap_or_else(|| panic!("no `data:` line; last: {line}"));
    let users = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
        .args(["--data", &data, "user", "list"])
        .env_remove("CLAIMDESK_DATA")
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&users.stdout);
    assert_eq!(
        users.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&users.stderr)
    );
    assert!(
        stdout.contains("editor") && stdout.contains("reviewer"),
        "{stdout}"
    );
}

#[test]
fn regression_only_init_creates_a_desk() {
    let desk = Desk::bare();
    let file = desk.file("fc.jsonl", crate::formats::claimdesk_sample_factchecks());
    for args in [
        vec!["import", file.as_str()],
        vec!["ingest", file.as_str()],
        vec!["match", "--text", "lemon water"],
        vec!["user", "list"],
        vec!["alerts"],
        vec!["source", "list"],
        vec!["reindex"],
    ] {
        let mut all = vec!["--lexical-only"];
        all.extend(&args);
        let run = desk.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        let data = desk.data().display().to_string();
        assert!(
            run.stderr.contains(&format!("no desk at {data}"))
                && run.stderr.contains("claimdesk.db")
                && run
                    .stderr
                    .contains(&format!("claimdesk --data {data} init")),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!desk.data().exists(), "{args:?} created {data}");
    }
    // An existing directory that is not a desk is said so too, and left as it is.
    std::fs::create_dir_all(desk.data()).unwrap();
    let run = desk.run(&["--lexical-only", "import", &file]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("holds no desk"), "{}", run.stderr);
    assert!(!desk.db().exists());
    // `init` creates it and says what to do next.
    let out = desk.run(&["--lexical-only", "init"]).ok();
    assert!(out.contains("user add NAME --role admin"), "{out}");
    assert!(out.contains("serve"), "{out}");
    desk.run(&["--lexical-only", "import", &file]).ok();
}

#[test]
fn regression_serve_on_a_desk_without_users_says_how_to_add_one() {
    let desk = Desk::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimdesk"))
        .arg("--data")
        .arg(desk.data())
        .args(["--lexical-only", "serve", "--addr", "127.0.0.1:0"])
        .env_remove("CLAIMDESK_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    let mut line = String::new();
    while err.read_line(&mut line).unwrap_or(0) > 0 {
        said.push_str(&line);
        if line.contains("user add") {
            break;
        }
        line.clear();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(said.contains("nobody can sign in"), "{said}");
    assert!(
        said.contains(&format!(
            "claimdesk --data {} user add NAME --role admin",
            desk.data().display()
        )),
        "{said}"
    );
}

/// The first bytes of an .xlsx file (a ZIP archive).
const XLSX: &[u8] =
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml\x00\x00\x00";

#[test]
fn regression_a_spreadsheet_is_refused_with_the_formats_that_work() {
    let desk = Desk::new();
    for (name, bytes, kind) in [
        ("sheet.xlsx", XLSX, "an Excel workbook (.xlsx)"),
        (
            "old.xls",
            &b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"[..],
            "an Excel workbook (.xls)",
        ),
        ("report.csv", &b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"[..], "a PDF"),
    ] {
        let file = desk.file(name, bytes);
        for command in ["import", "ingest"] {
            let run = desk.run(&["--lexical-only", command, &file]);
            assert_eq!(
                run.code, 2,
                "{command} {name}: {}{}",
                run.stdout, run.stderr
            );
            assert!(
                run.stderr.contains(kind),
                "{command} {name}: {}",
                run.stderr
            );
            assert!(
                run.stderr.contains("CSV (.csv")
                    && run.stderr.contains("ClaimReview JSON-LD")
                    && run.stderr.contains("CSV UTF-8"),
                "{}",
                run.stderr
            );
        }
    }
    let stats = desk.run(&["--lexical-only", "match", "--text", "anything"]);
    assert!(stats.code == 0 || stats.code == 1, "{}", stats.stderr);
}

#[test]
fn regression_semicolon_csv_and_common_header_spellings_import() {
    let desk = Desk::new();
    let csv = "Claim Reviewed;Rating;URL;Date Published\n\
               Nước chanh nóng chữa khỏi ung thư;Sai;https://fc.example/1;2026-01-02\n\
               Hot lemon water cures cancer;False;https://fc.example/2;2026-01-03\n";
    let file = desk.file("semicolons.csv", csv);
    let out = desk.run(&["--lexical-only", "import", &file]).ok();
    assert!(
        out.contains("2 added") && out.contains("0 rejected"),
        "{out}"
    );
    for header in ["claimReviewed,rating", "Claim,Rating"] {
        let desk = Desk::new();
        let file = desk.file(
            "h.csv",
            format!("{header}\nVaccines cause infertility,False\n"),
        );
        let out = desk.run(&["--lexical-only", "import", &file]).ok();
        assert!(out.contains("1 added"), "{header}: {out}");
    }
    let ranked = desk.ranked("nuoc chanh nong chua ung thu");
    assert_eq!(
        ranked.first().map(String::as_str),
        Some("https://fc.example/1")
    );
}

/// Posts given to `import` (issue 16, frictions): one line says they look like posts and
/// names `claimdesk ingest`, not one line a post.
#[test]
fn posts_imported_as_fact_checks_are_said_once() {
    let desk = Desk::new();
    let posts = concat!(env!("CARGO_MANIFEST_DIR"), "/sample/posts.jsonl");
    let run = desk.run(&["--lexical-only", "import", posts]);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(all.matches("look like posts").count(), 1, "{all}");
    assert!(
        all.contains("(24 records)") && all.contains("use `claimdesk ingest`"),
        "{all}"
    );
    assert!(!all.contains("expected a ClaimReview"), "{all}");
}
