//! Feeds of published verdicts: RSS 2.0, Atom 1.0 and JSON Feed 1.1.
//!
//! All text is plain text. Characters XML cannot carry (C0 controls other than tab and line
//! ends, U+FFFE, U+FFFF) are dropped from every feed, and the XML feeds are written by
//! `quick-xml`, which escapes every text and attribute. RSS readers render an item's
//! `<description>` as HTML, so there the summary is HTML-escaped before it is XML-escaped:
//! a claim quoting `<script>` shows as text instead of running. Atom marks its text
//! `type="text"` and JSON Feed uses `content_text`, so neither needs that second step.
//!
//! Dates come from the store as ISO 8601 strings; RSS gets RFC 822, Atom and JSON Feed get
//! RFC 3339. A date that does not parse is left out, never guessed.

use std::borrow::Cow;
use std::io::Write;

use claimdesk_core::StoredFactCheck;
use jiff::Timestamp;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value, json};

use crate::{Result, date};

/// What a feed says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedInfo {
    /// The feed's title, e.g. "Desk Name: latest fact-checks".
    pub title: String,
    /// The site the feed belongs to (the desk's public home page).
    pub site_url: String,
    /// Where the feed itself is served (Atom `self` link, Atom feed id, JSON Feed `feed_url`).
    pub feed_url: String,
    /// A sentence about the feed; RSS requires one and gets the title when this is `None`.
    pub description: Option<String>,
    /// Language tag of the feed, e.g. `vi`.
    pub language: Option<String>,
    /// When the feed last changed, as an ISO 8601 string; when absent or unparseable, the
    /// newest entry's date is used.
    pub updated: Option<String>,
    /// The organization publishing the verdicts (Atom and JSON Feed feed author).
    pub author: Option<String>,
}

/// One published verdict in a feed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedEntry {
    /// Permanent identifier of the entry (RSS `guid`, Atom `id`, JSON Feed `id`).
    pub id: String,
    /// The entry's title.
    pub title: String,
    /// Plain-text summary.
    pub summary: String,
    /// The public page of the fact-check.
    pub link: String,
    /// When the fact-check was published, as an ISO 8601 string.
    pub published: Option<String>,
    /// When the desk last recorded it (ISO 8601): its date when it has no publication date,
    /// and its Atom `updated` when later than that. An entry is never dated by another.
    pub updated: Option<String>,
    /// Who wrote the fact-check.
    pub author: Option<String>,
    /// The verdict in words, written as the entry's category (JSON Feed: tag).
    pub verdict: Option<String>,
    /// Language tag of the fact-check.
    pub language: Option<String>,
}

impl FeedEntry {
    /// The entry for a stored fact-check published at `page_url`: titled by its headline
    /// (its claim when it has none), summarized as the claim and the verdict label, with
    /// `page_url` as both link and id.
    pub fn from_fact_check(stored: &StoredFactCheck, page_url: &str) -> FeedEntry {
        let fc = &stored.fact_check;
        let claim = fc.claim.trim();
        let verdict = fc.rating.as_ref().and_then(|r| nonempty(&r.label));
        FeedEntry {
            id: page_url.to_string(),
            title: nonempty(&fc.headline).unwrap_or(claim).to_string(),
            summary: match verdict {
                Some(v) => format!("{claim} — {v}"),
                None => claim.to_string(),
            },
            link: page_url.to_string(),
            published: nonempty(&fc.date_published).map(str::to_string),
            updated: None,
            author: nonempty(&fc.author).map(str::to_string),
            verdict: verdict.map(str::to_string),
            language: nonempty(&fc.language).map(str::to_string),
        }
    }

    fn published_at(&self) -> Option<Timestamp> {
        self.published.as_deref().and_then(date::parse)
    }

    /// When it was published, else when it was recorded.
    fn dated(&self) -> Option<Timestamp> {
        self.published_at().or_else(|| self.updated_at())
    }

    /// When it last changed: the later of its publication and its recording.
    fn updated_at(&self) -> Option<Timestamp> {
        let recorded = self.updated.as_deref().and_then(date::parse);
        self.published_at().max(recorded)
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The feed formats, for callers that choose one at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 2.0.
    Rss,
    /// Atom 1.0 (RFC 4287).
    Atom,
    /// JSON Feed 1.1.
    JsonFeed,
}

impl FeedFormat {
    /// The media type the feed is served as.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::JsonFeed => "application/feed+json",
        }
    }
}

/// Writes the feed in `format`; see [`write_rss`], [`write_atom`], [`write_json_feed`].
pub fn write_feed<W: Write>(
    format: FeedFormat,
    w: W,
    info: &FeedInfo,
    entries: &[FeedEntry],
) -> Result<()> {
    match format {
        FeedFormat::Rss => write_rss(w, info, entries),
        FeedFormat::Atom => write_atom(w, info, entries),
        FeedFormat::JsonFeed => write_json_feed(w, info, entries),
    }
}

/// The feed's `updated`: as given when it parses, else the newest entry's date.
fn updated(info: &FeedInfo, entries: &[FeedEntry]) -> Option<Timestamp> {
    info.updated
        .as_deref()
        .and_then(date::parse)
        .or_else(|| entries.iter().filter_map(FeedEntry::updated_at).max())
}

/// `s` without the characters XML 1.0 cannot carry, even escaped.
fn clean(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// Plain text as HTML that displays it.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A thin layer over quick-xml's writer so that no text reaches the output uncleaned.
struct Xml<W: Write>(Writer<W>);

impl<W: Write> Xml<W> {
    fn new(w: W) -> std::io::Result<Self> {
        let mut xml = Xml(Writer::new_with_indent(w, b' ', 2));
        xml.0
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        Ok(xml)
    }

    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        let mut el = BytesStart::new(name);
        for (k, v) in attrs {
            el.push_attribute((*k, clean(v).as_ref()));
        }
        self.0.write_event(Event::Start(el))
    }

    fn end(&mut self, name: &str) -> std::io::Result<()> {
        self.0.write_event(Event::End(BytesEnd::new(name)))
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        let mut el = BytesStart::new(name);
        for (k, v) in attrs {
            el.push_attribute((*k, clean(v).as_ref()));
        }
        self.0.write_event(Event::Empty(el))
    }

    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> std::io::Result<()> {
        self.start(name, attrs)?;
        self.0
            .write_event(Event::Text(BytesText::new(&clean(text))))?;
        self.end(name)
    }

    fn finish(self) -> std::io::Result<()> {
        let mut w = self.0.into_inner();
        w.write_all(b"\n")?;
        w.flush()
    }
}

/// Writes an RSS 2.0 feed of `entries`, in the order given.
pub fn write_rss<W: Write>(w: W, info: &FeedInfo, entries: &[FeedEntry]) -> Result<()> {
    let mut x = Xml::new(w)?;
    x.start(
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
            ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
        ],
    )?;
    x.start("channel", &[])?;
    x.text("title", &[], &info.title)?;
    x.text("link", &[], &info.site_url)?;
    x.text(
        "description",
        &[],
        &html_escape(info.description.as_deref().unwrap_or(&info.title)),
    )?;
    if let Some(lang) = &info.language {
        x.text("language", &[], lang)?;
    }
    if let Some(d) = updated(info, entries).and_then(date::rfc822) {
        x.text("lastBuildDate", &[], &d)?;
    }
    x.empty(
        "atom:link",
        &[
            ("href", &info.feed_url),
            ("rel", "self"),
            ("type", FeedFormat::Rss.media_type()),
        ],
    )?;
    for e in entries {
        x.start("item", &[])?;
        x.text("title", &[], &e.title)?;
        x.text("link", &[], &e.link)?;
        x.text("description", &[], &html_escape(&e.summary))?;
        if let Some(author) = &e.author {
            // RSS `<author>` must be an e-mail address; a name goes in Dublin Core.
            x.text("dc:creator", &[], author)?;
        }
        if let Some(v) = &e.verdict {
            x.text("category", &[], v)?;
        }
        let permalink = if e.id == e.link { "true" } else { "false" };
        x.text("guid", &[("isPermaLink", permalink)], &e.id)?;
        if let Some(d) = e.dated().and_then(date::rfc822) {
            x.text("pubDate", &[], &d)?;
        }
        x.end("item")?;
    }
    x.end("channel")?;
    x.end("rss")?;
    x.finish()?;
    Ok(())
}

/// Writes an Atom 1.0 feed of `entries`, in the order given.
///
/// An entry's `updated` is its own last change (publication or recording, the later); only an
/// entry with neither gets the feed's (Atom requires one on every entry); when nothing has a
/// date, `updated` is left out.
pub fn write_atom<W: Write>(w: W, info: &FeedInfo, entries: &[FeedEntry]) -> Result<()> {
    let feed_updated = updated(info, entries).map(date::rfc3339);
    let mut x = Xml::new(w)?;
    let mut attrs = vec![("xmlns", "http://www.w3.org/2005/Atom")];
    if let Some(lang) = &info.language {
        attrs.push(("xml:lang", lang));
    }
    x.start("feed", &attrs)?;
    x.text("id", &[], &info.feed_url)?;
    x.text("title", &[("type", "text")], &info.title)?;
    if let Some(d) = &info.description {
        x.text("subtitle", &[("type", "text")], d)?;
    }
    if let Some(d) = &feed_updated {
        x.text("updated", &[], d)?;
    }
    x.empty("link", &[("rel", "alternate"), ("href", &info.site_url)])?;
    x.empty(
        "link",
        &[
            ("rel", "self"),
            ("type", FeedFormat::Atom.media_type()),
            ("href", &info.feed_url),
        ],
    )?;
    if let Some(author) = &info.author {
        x.start("author", &[])?;
        x.text("name", &[], author)?;
        x.end("author")?;
    }
    for e in entries {
        let mut attrs = vec![];
        if let Some(lang) = &e.language {
            attrs.push(("xml:lang", lang.as_str()));
        }
        x.start("entry", &attrs)?;
        x.text("id", &[], &e.id)?;
        x.text("title", &[("type", "text")], &e.title)?;
        x.empty("link", &[("rel", "alternate"), ("href", &e.link)])?;
        let published = e.published_at().map(date::rfc3339);
        if let Some(d) = &published {
            x.text("published", &[], d)?;
        }
        // Atom requires `updated` on every entry: its own last change; the feed's only for
        // an entry with no date at all.
        let updated = e.updated_at().map(date::rfc3339);
        if let Some(d) = updated.as_ref().or(feed_updated.as_ref()) {
            x.text("updated", &[], d)?;
        }
        if let Some(author) = &e.author {
            x.start("author", &[])?;
            x.text("name", &[], author)?;
            x.end("author")?;
        }
        if let Some(v) = &e.verdict {
            x.empty("category", &[("term", v)])?;
        }
        x.text("summary", &[("type", "text")], &e.summary)?;
        x.end("entry")?;
    }
    x.end("feed")?;
    x.finish()?;
    Ok(())
}

/// Writes a JSON Feed 1.1 of `entries`, in the order given, as one line of JSON.
pub fn write_json_feed<W: Write>(mut w: W, info: &FeedInfo, entries: &[FeedEntry]) -> Result<()> {
    let s = |t: &str| Value::String(clean(t).into_owned());
    let mut feed = Map::new();
    feed.insert("version".into(), json!("https://jsonfeed.org/version/1.1"));
    feed.insert("title".into(), s(&info.title));
    feed.insert("home_page_url".into(), s(&info.site_url));
    feed.insert("feed_url".into(), s(&info.feed_url));
    if let Some(d) = &info.description {
        feed.insert("description".into(), s(d));
    }
    if let Some(lang) = &info.language {
        feed.insert("language".into(), s(lang));
    }
    if let Some(author) = &info.author {
        feed.insert("authors".into(), json!([{ "name": s(author) }]));
    }
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut item = Map::new();
            item.insert("id".into(), s(&e.id));
            item.insert("url".into(), s(&e.link));
            item.insert("title".into(), s(&e.title));
            item.insert("content_text".into(), s(&e.summary));
            if let Some(d) = e.dated() {
                item.insert("date_published".into(), json!(date::rfc3339(d)));
            }
            if let Some(d) = e.updated_at() {
                item.insert("date_modified".into(), json!(date::rfc3339(d)));
            }
            if let Some(author) = &e.author {
                item.insert("authors".into(), json!([{ "name": s(author) }]));
            }
            if let Some(v) = &e.verdict {
                item.insert("tags".into(), json!([s(v)]));
            }
            if let Some(lang) = &e.language {
                item.insert("language".into(), s(lang));
            }
            Value::Object(item)
        })
        .collect();
    feed.insert("items".into(), Value::Array(items));
    serde_json::to_writer(&mut w, &Value::Object(feed))?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_drops_what_xml_cannot_carry_and_keeps_the_rest() {
        assert_eq!(clean("a\u{1}b\u{0}c\u{1f}\u{FFFE}\u{FFFF}d"), "abcd");
        let keep = "tab\tnl\ncr\r Việt 🙂 \u{FFFD} ]]> &";
        assert!(matches!(clean(keep), Cow::Borrowed(s) if s == keep));
    }

    #[test]
    fn html_escape_covers_markup_and_quotes() {
        assert_eq!(
            html_escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
