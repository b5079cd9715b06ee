//! Scheduled digests by e-mail, against an SMTP sink on loopback started by the test: the
//! digest arrives with its PDF attached and its subject in the desk's language; a refused
//! attempt is logged and retried after the backoff; the password is never shown.

use std::sync::{Arc, Mutex};

use claimdesk_engine::Config;
use claimdesk_engine::mail::deliver_due_digests;
use claimdesk_engine::store::DigestStore;
use jiff::Timestamp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::briefing::fixture;

/// A minimal SMTP server: answers every command, refuses `MAIL FROM` with a 451 the first
/// `refuse` times, and keeps each message's DATA.
async fn sink(refuse: usize) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = messages.clone();
    let refusals = Arc::new(Mutex::new(refuse));
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            let refusals = refusals.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM") {
                        let mut left = refusals.lock().unwrap();
                        if *left > 0 {
                            *left -= 1;
                            b"451 4.3.0 sink is busy, try again later\r\n"
                        } else {
                            b"250 OK\r\n"
                        }
                    } else if upper.starts_with("DATA") {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        kept.lock().unwrap().push(data);
                        b"250 OK queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, messages)
}

fn config(port: u16, schedule: &str, language: &str) -> Config {
    let mut c = Config::default();
    c.publisher.name = Some("Tòa soạn".into());
    c.server.public_url = Some("https://desk.example".into());
    let d = &mut c.digest;
    d.schedule = vec![schedule.into()];
    d.language = language.into();
    d.recipients = vec!["editor@example.org".into(), "chief@example.org".into()];
    d.from = "desk@example.org".into();
    d.smtp_host = "127.0.0.1".into();
    d.smtp_port = port;
    d.smtp_security = "none".into();
    d.smtp_password = Some("hunter2-secret".into());
    d.attach_pdf = true;
    c
}

/// The decoded text of RFC 2047 encoded-words (`=?utf-8?b?...?=`) in `header`.
fn decode_header(header: &str) -> String {
    fn b64(s: &str) -> Vec<u8> {
        let table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::new();
        let (mut acc, mut bits) = (0u32, 0);
        for c in s.bytes().filter(|&c| c != b'=') {
            acc = (acc << 6) | table.find(c as char).unwrap() as u32;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
            }
        }
        out
    }
    // Whitespace between two encoded-words is dropped; any other is one space.
    let mut bytes = Vec::new();
    let mut last_encoded = None;
    for word in header.split_whitespace() {
        let encoded = word
            .strip_prefix("=?utf-8?b?")
            .or_else(|| word.strip_prefix("=?UTF-8?B?"))
            .and_then(|w| w.strip_suffix("?="));
        if last_encoded.is_some() && !(last_encoded == Some(true) && encoded.is_some()) {
            bytes.push(b' ');
        }
        match encoded {
            Some(e) => bytes.extend(b64(e)),
            None => bytes.extend(word.as_bytes()),
        }
        last_encoded = Some(encoded.is_some());
    }
    String::from_utf8(bytes).unwrap()
}

/// The `Subject:` of a message, unfolded and decoded.
fn subject(message: &str) -> String {
    let mut lines = message.lines().skip_while(|l| !l.starts_with("Subject:"));
    let mut header = lines.next().unwrap()["Subject:".len()..].to_string();
    for l in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        header.push(' ');
        header.push_str(l.trim());
    }
    decode_header(header.trim())
}

#[tokio::test]
async fn the_monthly_digest_is_mailed_in_vietnamese_with_its_pdf() {
    let (_d, s) = fixture().await;
    let (port, messages) = sink(0).await;
    let c = config(port, "monthly", "vi");
    // 1 April 2026, 09:00 in Hanoi time: March's digest is due (sent at 08:00).
    let now = "2026-04-01T02:00:00Z".parse::<Timestamp>().unwrap();
    let made = deliver_due_digests(&s, &c, now).await.unwrap();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].sent, "{:?}", made[0].error);
    assert_eq!(
        (made[0].period_from.as_str(), made[0].period_to.as_str()),
        ("2026-03-01", "2026-03-31")
    );
    let got = messages.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(
        subject(m),
        "Bản tin tháng — Tòa soạn (Từ 2026-03-01 đến 2026-03-31)"
    );
    assert!(
        m.contains("To: editor@example.org, chief@example.org"),
        "{m}"
    );
    assert!(m.contains("Content-Type: text/html; charset=utf-8"), "{m}");
    assert!(m.contains("Content-Type: application/pdf"), "{m}");
    assert!(
        m.contains("filename=\"digest-monthly-2026-03-01.pdf\""),
        "{m}"
    );
    assert!(
        m.contains("JVBERi0"),
        "the attachment is a PDF (base64 of %PDF-)"
    );
    // Sent once: the next look finds nothing to do.
    assert!(deliver_due_digests(&s, &c, now).await.unwrap().is_empty());
    // The password is a secret.
    assert!(!c.show().contains("hunter2-secret"));
}

#[tokio::test]
async fn a_refused_digest_is_logged_and_retried_after_the_backoff() {
    let (_d, s) = fixture().await;
    let (port, messages) = sink(1).await;
    let mut c = config(port, "weekly", "en");
    c.digest.attach_pdf = false;
    c.digest.retry_secs = 60;
    // Monday 23 March 2026, 09:00 in Hanoi time: the week of 16 to 22 March is due.
    let now = "2026-03-23T02:00:00Z".parse::<Timestamp>().unwrap();
    let first = deliver_due_digests(&s, &c, now).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(!first[0].sent);
    let error = first[0].error.as_deref().unwrap();
    assert!(error.contains("451") || error.contains("busy"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    let soon = now
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap();
    assert!(
        deliver_due_digests(&s, &c, soon).await.unwrap().is_empty(),
        "backing off"
    );
    let later = now
        .checked_add(jiff::SignedDuration::from_secs(61))
        .unwrap();
    let second = deliver_due_digests(&s, &c, later).await.unwrap();
    assert_eq!(second.len(), 1);
    assert!(second[0].sent, "{:?}", second[0].error);
    assert_eq!(second[0].attempt, 2);
    let log = s.digest_attempts("weekly", "2026-03-16").await.unwrap();
    assert_eq!(
        log.iter().map(|a| a.sent).collect::<Vec<_>>(),
        [false, true]
    );
    let got = messages.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(
        subject(&got[0]),
        "Weekly briefing — Tòa soạn (From 2026-03-16 to 2026-03-22)"
    );
    // Before 08:00 on Monday nothing is due.
    let early = "2026-03-23T00:30:00Z".parse::<Timestamp>().unwrap();
    let (_d2, s2) = fixture().await;
    assert!(
        deliver_due_digests(&s2, &c, early)
            .await
            .unwrap()
            .is_empty()
    );
}
