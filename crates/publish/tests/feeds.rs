use claimdesk_core::FactCheck;
use claimdesk_publish::{
    FeedEntry, FeedFormat, FeedInfo, write_atom, write_feed, write_json_feed, write_rss,
};
use feed_rs::model::{Entry, Feed};
use quick_xml::events::Event;

use crate::{HOSTILE, full_fact_check, stored};

fn info() -> FeedInfo {
    FeedInfo {
        title: "Tổ Kiểm chứng: kết luận mới".into(),
        site_url: "https://desk.example/".into(),
        feed_url: "https://desk.example/feed".into(),
        description: Some("Những kết luận mới nhất".into()),
        language: Some("vi".into()),
        updated: None,
        author: Some("Tổ Kiểm chứng".into()),
    }
}

fn entries() -> Vec<FeedEntry> {
    let first = full_fact_check();
    let second = FactCheck {
        source_id: "2".into(),
        claim: "Vaccine contains microchips".into(),
        headline: None,
        date_published: Some("2024-05-01".into()),
        ..FactCheck::default()
    };
    let undated = FactCheck {
        source_id: "3".into(),
        claim: "Undated claim".into(),
        date_published: Some("sometime last week".into()),
        ..FactCheck::default()
    };
    vec![
        FeedEntry::from_fact_check(&stored(1, first), "https://desk.example/fc/1"),
        FeedEntry::from_fact_check(&stored(2, second), "https://desk.example/fc/2"),
        FeedEntry::from_fact_check(&stored(3, undated), "https://desk.example/fc/3"),
    ]
}

fn hostile_entries() -> Vec<FeedEntry> {
    let mut fc = full_fact_check();
    let nasty = format!("{HOSTILE} ]]> & <![CDATA[x]]> \u{1}bell\u{8}\u{FFFF} \"q\" 'a'");
    fc.claim = nasty.clone();
    fc.headline = Some(nasty.clone());
    fc.author = Some(format!("{HOSTILE}\u{1}"));
    fc.rating.as_mut().unwrap().label = Some("<b>Sai</b>".into());
    let mut e = FeedEntry::from_fact_check(&stored(1, fc), "https://desk.example/fc/1?a=1&b=2");
    e.id = "urn:x:\"1\"&'2'".into();
    vec![e]
}

/// The text hostile input should come back as: control characters gone, the rest intact.
fn inert(s: &str) -> String {
    s.chars().filter(|&c| c >= ' ' && c != '\u{FFFF}').collect()
}

fn render(format: FeedFormat, info: &FeedInfo, entries: &[FeedEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    write_feed(format, &mut out, info, entries).unwrap();
    out
}

fn parse(bytes: &[u8]) -> Feed {
    feed_rs::parser::parse(bytes).unwrap_or_else(|e| {
        panic!("feed-rs: {e}\n{}", String::from_utf8_lossy(bytes));
    })
}

fn seconds(iso: &str) -> i64 {
    iso.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn title(e: &Entry) -> &str {
    &e.title.as_ref().unwrap().content
}

/// Reads the whole document with quick-xml, failing on any error, and returns the
/// names of the elements in it.
fn elements(xml: &[u8]) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut names = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e) | Event::Empty(e)) => {
                names.push(e.name().as_ref().to_string());
            }
            Ok(Event::CData(_)) => panic!("no CDATA expected"),
            Ok(Event::GeneralRef(r)) => {
                // Every reference is one XML predefines or a character reference.
                let name: &str = r.as_ref();
                assert!(
                    ["lt", "gt", "amp", "quot", "apos"].contains(&name)
                        || r.resolve_char_ref().unwrap().is_some(),
                    "undefined entity &{name};"
                );
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}", reader.buffer_position()),
        }
        buf.clear();
    }
    names
}

fn check_common(feed: &Feed) {
    let want = entries();
    assert_eq!(feed.entries.len(), 3);
    assert_eq!(
        title(&feed.entries[0]),
        "Nước chanh nóng không chữa ung thư"
    );
    // No headline: the claim is the title.
    assert_eq!(title(&feed.entries[1]), "Vaccine contains microchips");
    for (got, want) in feed.entries.iter().zip(&want) {
        assert_eq!(got.links[0].href, want.link);
        assert_eq!(got.id, want.id);
    }
    assert_eq!(
        feed.entries[0].published.unwrap().timestamp(),
        seconds("2024-05-03T10:00:00Z")
    );
    assert_eq!(
        feed.entries[1].published.unwrap().timestamp(),
        seconds("2024-05-01T00:00:00Z")
    );
    // An unparseable date is left out, not guessed.
    assert!(feed.entries[2].published.is_none());
    assert_eq!(feed.entries[0].categories[0].term, "Sai sự thật");
    assert_eq!(
        feed.entries[0].authors[0].name.as_deref(),
        Some("Tổ Kiểm chứng"),
        "{:?}",
        feed.entries[0].authors
    );
}

#[test]
fn rss_parses_with_titles_links_and_rfc822_dates() {
    let bytes = render(FeedFormat::Rss, &info(), &entries());
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("<pubDate>Fri, 03 May 2024 10:00:00 GMT</pubDate>"),
        "{text}"
    );
    // The feed's own date is the newest entry's when none is given.
    assert!(text.contains("<lastBuildDate>Fri, 03 May 2024 10:00:00 GMT</lastBuildDate>"));
    elements(&bytes);
    let feed = parse(&bytes);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::RSS2);
    assert_eq!(feed.title.as_ref().unwrap().content, info().title);
    check_common(&feed);
    let summary = feed.entries[0].summary.as_ref().unwrap();
    assert_eq!(
        summary.content,
        "Uống nước chanh &quot;nóng&quot;, mỗi sáng, chữa được ung thư — Sai sự thật"
    );
}

#[test]
fn atom_parses_with_titles_links_and_rfc3339_dates() {
    let mut info = info();
    info.updated = Some("2024-06-01T08:30:00+07:00".into());
    let bytes = render(FeedFormat::Atom, &info, &entries());
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("<published>2024-05-03T10:00:00Z</published>"),
        "{text}"
    );
    assert!(
        text.contains("<updated>2024-06-01T01:30:00Z</updated>"),
        "{text}"
    );
    elements(&bytes);
    let feed = parse(&bytes);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://desk.example/feed");
    assert_eq!(
        feed.updated.unwrap().timestamp(),
        seconds("2024-06-01T01:30:00Z")
    );
    check_common(&feed);
    // Every entry has an `updated`, the undated one the feed's.
    assert_eq!(
        feed.entries[2].updated.unwrap().timestamp(),
        seconds("2024-06-01T01:30:00Z")
    );
    assert_eq!(
        feed.entries[0].summary.as_ref().unwrap().content,
        "Uống nước chanh \"nóng\", mỗi sáng, chữa được ung thư — Sai sự thật"
    );
}

#[test]
fn json_feed_parses_with_titles_links_and_rfc3339_dates() {
    let bytes = render(FeedFormat::JsonFeed, &info(), &entries());
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(v["items"][0]["date_published"], "2024-05-03T10:00:00Z");
    assert!(v["items"][2].get("date_published").is_none());
    let feed = parse(&bytes);
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::JSON);
    check_common(&feed);
}

#[test]
fn hostile_text_stays_inert_in_rss() {
    let entries = hostile_entries();
    let mut out = Vec::new();
    write_rss(&mut out, &info(), &entries).unwrap();
    let names = elements(&out);
    assert!(
        !names.iter().any(|n| n == "script" || n == "b"),
        "{names:?}"
    );
    let feed = parse(&out);
    let e = &feed.entries[0];
    assert_eq!(title(e), inert(&entries[0].title));
    assert_eq!(e.links[0].href, entries[0].link);
    assert_eq!(e.id, entries[0].id);
    // The description is HTML to RSS readers: it must hold no markup, only its escapes.
    let summary = &e.summary.as_ref().unwrap().content;
    assert!(
        !summary.contains('<') && !summary.contains('>'),
        "{summary}"
    );
    assert!(
        summary.contains("&lt;/script&gt;&lt;script&gt;alert(1)"),
        "{summary}"
    );
}

#[test]
fn hostile_text_stays_inert_in_atom() {
    let entries = hostile_entries();
    let mut out = Vec::new();
    write_atom(&mut out, &info(), &entries).unwrap();
    let names = elements(&out);
    assert!(
        !names.iter().any(|n| n == "script" || n == "b"),
        "{names:?}"
    );
    let feed = parse(&out);
    let e = &feed.entries[0];
    assert_eq!(title(e), inert(&entries[0].title));
    assert_eq!(
        e.title.as_ref().unwrap().content_type.to_string(),
        "text/plain"
    );
    assert_eq!(
        e.summary.as_ref().unwrap().content,
        inert(&entries[0].summary)
    );
    assert_eq!(e.links[0].href, entries[0].link);
    assert_eq!(e.id, entries[0].id);
    assert_eq!(e.categories[0].term, "<b>Sai</b>");
}

#[test]
fn hostile_text_stays_inert_in_json_feed() {
    let entries = hostile_entries();
    let mut out = Vec::new();
    write_json_feed(&mut out, &info(), &entries).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let item = &v["items"][0];
    assert!(item.get("content_html").is_none());
    assert_eq!(item["content_text"], inert(&entries[0].summary));
    assert_eq!(item["title"], inert(&entries[0].title));
    assert_eq!(item["authors"][0]["name"], HOSTILE);
}

#[test]
fn an_empty_feed_is_still_a_feed() {
    for format in [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::JsonFeed] {
        let bytes = render(format, &info(), &[]);
        let feed = parse(&bytes);
        assert!(feed.entries.is_empty(), "{format:?}");
        assert_eq!(feed.title.unwrap().content, info().title, "{format:?}");
    }
}
