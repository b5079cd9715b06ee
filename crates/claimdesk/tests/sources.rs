//! `claimdesk source ...`: refusals of internal URLs, drop folders polled end to end, health
//! of a failing feed.

use crate::util::Desk;

fn configure(desk: &Desk, extra: &str) {
    desk.run(&["init"]).ok();
    let path = desk.data().join("claimdesk.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    // The template has empty [fetch] and [sources] tables: replace them.
    let cut = text.find("\n[fetch]\n").unwrap();
    text.truncate(cut + 1);
    text.push_str(extra);
    std::fs::write(&path, text).unwrap();
}

#[test]
fn source_add_refuses_internal_addresses_and_says_how_to_allow_them() {
    let desk = Desk::new();
    let run = desk.run(&["source", "add", "http://127.0.0.1/feed"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains(
            "refused http://127.0.0.1/feed: host `127.0.0.1` is 127.0.0.1, a loopback address (this machine); \
             to fetch it anyway add \"127.0.0.1\" to [fetch] allow in claimdesk.toml"
        ),
        "{}",
        run.stderr
    );
    for url in [
        "http://2130706433/rss",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/feed",
        "file:///etc/passwd",
    ] {
        let run = desk.run(&["source", "add", url]);
        assert_eq!(run.code, 2, "{url}: {}", run.stdout);
        assert!(run.stderr.contains("refused"), "{url}: {}", run.stderr);
    }
    assert!(desk.run(&["source", "list"]).ok().starts_with("no sources"));
}

#[test]
fn the_allow_list_opens_a_host() {
    let desk = Desk::new();
    configure(&desk, "[fetch]\nallow = ['127.0.0.1:*']\n");
    let out = desk
        .run(&[
            "source",
            "add",
            "http://127.0.0.1:9/feed",
            "--interval",
            "2h",
        ])
        .ok();
    assert_eq!(
        out,
        "added source 1: feed http://127.0.0.1:9/feed every 2h (polled by `claimdesk source poll` or `claimdesk serve`)\n"
    );
    let run = desk.run(&["source", "add", "http://127.0.0.1:9/feed"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("http://127.0.0.1:9/feed is already source 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_allow_entry_is_reported_with_the_file() {
    let desk = Desk::new();
    configure(&desk, "[fetch]\nallow = ['http://intranet/']\n");
    let run = desk.run(&["source", "add", "http://example.org/feed"]);
    assert_eq!(run.code, 2);
    // The file, the line of the key, the key, what is wrong.
    let at = run.stderr.find("claimdesk.toml:").expect("names the file");
    let rest = &run.stderr[at + "claimdesk.toml:".len()..];
    let (line, rest) = rest.split_once(':').unwrap();
    assert!(line.parse::<usize>().unwrap() > 0, "{}", run.stderr);
    assert!(
        rest.starts_with(" [fetch] allow: `http://intranet/` is not a host name"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_interval_without_its_unit_is_refused() {
    let desk = Desk::new();
    let drop = desk.dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let run = desk.run(&["source", "add", drop.to_str().unwrap(), "--interval", "5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("--interval")
            && run
                .stderr
                .contains("`5` has no unit: write 5s, 5m, 5h or 5d"),
        "{}",
        run.stderr
    );
    assert!(desk.run(&["source", "list"]).ok().starts_with("no sources"));
}

#[test]
fn a_drop_folder_is_polled_and_its_files_moved() {
    let desk = Desk::new();
    configure(&desk, "[sources]\nfolder_settle_secs = 0\n");
    let drop = desk.dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    let out = desk
        .run(&["source", "add", drop.to_str().unwrap(), "--interval", "1m"])
        .ok();
    assert!(out.starts_with("added source 1: folder "), "{out}");
    let list = desk.run(&["source", "list"]).ok();
    assert!(
        list.contains("\tnew: not polled yet; items read: 0"),
        "{list}"
    );

    std::fs::write(
        drop.join("posts.jsonl"),
        "{\"id\": \"1\", \"source\": \"partner\", \"text\": \"Vaccines cause infertility\"}\n\
         {\"id\": \"2\", \"source\": \"partner\", \"text\": \"The bridge is closed forever\"}\n",
    )
    .unwrap();
    std::fs::write(drop.join("later.jsonl.part"), "{\"id\": \"3\", \"te").unwrap();
    let out = desk.run(&["source", "poll", "--once"]).ok();
    assert!(
        out.contains("): 2 items read, 2 new or changed, 0 rejected"),
        "{out}"
    );
    assert!(drop.join("done/posts.jsonl").exists());
    assert!(drop.join("later.jsonl.part").exists());
    let list = desk.run(&["source", "list"]).ok();
    assert!(list.contains("\tok (last success "), "{list}");
    assert!(list.contains("; items read: 2; next poll "), "{list}");

    // Polling again finds nothing new; the items are stored once.
    let out = desk.run(&["source", "poll", "--once"]).ok();
    assert!(out.contains("): no change"), "{out}");
    let out = desk.run(&["source", "remove", drop.to_str().unwrap()]).ok();
    assert!(out.starts_with("removed source 1 ("), "{out}");
    assert!(desk.run(&["source", "list"]).ok().starts_with("no sources"));
}

#[test]
fn a_failing_feed_shows_why_and_when_it_is_retried() {
    let desk = Desk::new();
    configure(
        &desk,
        "[fetch]\nallow = ['127.0.0.1/32:*']\ntimeout_secs = 5\n",
    );
    // A port nothing listens on: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/feed");
    desk.run(&["source", "add", &url]).ok();
    let run = desk.run(&["source", "poll", "--once"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("source 1 ({url}): failing since ")),
        "{}",
        run.stdout
    );
    let list = desk.run(&["source", "list"]).ok();
    assert!(
        list.contains(&format!("(1 try): cannot fetch {url}")),
        "{list}"
    );
    assert!(list.contains("; backing off until "), "{list}");
    let out = desk.run(&["source", "remove", "1"]).ok();
    assert!(
        out.starts_with(&format!("removed source 1 ({url})")),
        "{out}"
    );
}

#[test]
fn an_unresolvable_host_is_added_with_a_warning() {
    let desk = Desk::new();
    let run = desk.run(&["source", "add", "https://no-such-host.invalid/rss"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("warning: cannot resolve `no-such-host.invalid`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("it is checked again at every poll"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_is_not_a_drop_folder() {
    let desk = Desk::new();
    let file = desk.file("posts.jsonl", "{\"text\": \"x\"}\n");
    let run = desk.run(&["source", "add", &file]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("is a file, not a folder: a drop folder is watched for the files put into it (to read one file once, ingest it)"),
        "{}",
        run.stderr
    );
    let run = desk.run(&["source", "add", "no/such/folder"]);
    assert!(
        run.stderr
            .contains("`no/such/folder` is neither an http(s) URL nor an existing folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn serve_polls_the_sources_and_stops_cleanly() {
    use std::process::Command;
    let desk = Desk::new();
    configure(&desk, "[sources]\nfolder_settle_secs = 0\n");
    let drop = desk.dir.path().join("drop");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("posts.jsonl"),
        "{\"id\": \"1\", \"source\": \"partner\", \"text\": \"Vaccines cause infertility\"}\n",
    )
    .unwrap();
    desk.run(&["source", "add", drop.to_str().unwrap()]).ok();
    // The banner says the server is up; the poller starts with it.
    let (child, _) = desk.serve();
    let done = drop.join("done/posts.jsonl");
    // Bounded: the first poll runs as the server starts.
    for _ in 0..600 {
        if done.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(done.exists(), "the folder was not polled: {stderr}");
    let list = desk.run(&["source", "list"]).ok();
    assert!(
        list.contains("\tok (last success ") && list.contains("; items read: 1;"),
        "{list}"
    );
}

/// Serves `body` once as `content_type` on a loopback port; returns the URL.
fn serve_once(content_type: &'static str, body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/feed.xml")
}

#[test]
fn ingest_reads_a_feed_by_url_through_the_guarded_client() {
    let desk = Desk::new();
    let run = desk.run(&["ingest", "http://127.0.0.1:9/feed.xml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("refused http://127.0.0.1:9/feed.xml"),
        "{}",
        run.stderr
    );
    configure(&desk, "[fetch]\nallow = ['127.0.0.1:*']\n");
    let url = serve_once(
        "application/rss+xml",
        "<rss version=\"2.0\"><channel><title>T</title><item><title>Bridge closed forever</title>\
         <link>https://news.example/1</link></item></channel></rss>",
    );
    let out = desk.run(&["ingest", &url]).ok();
    assert!(out.contains("(rss2): 1 added, 0 updated"), "{out}");
}
