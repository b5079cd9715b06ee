//! Feeds (RSS 0.9x to 2.0, RSS 1.0, Atom, JSON Feed) and web pages into items.
//!
//! Each entry becomes an [`Item`] whose identity does not depend on which feed carried it:
//! the external id is the entry's link (fragment dropped) and its source the link's host
//! (without `www.`), so the same article from a site's "latest" and "politics" feeds, or
//! from two pulls, has one [`crate::item_key`]. An entry without a link keeps the feed's own
//! entry id (guid / Atom id / JSON Feed id) and the feed's host as source.

use claimdesk_core::{Diagnostic, Item};
use url::Url;

use crate::article::{extract_article, html_fragment_text};
use crate::decode::{declare_utf8, decode};
use crate::{Parsed, Record, check_text, diag};

/// What a fetched document turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// RSS, Atom or JSON Feed.
    Feed,
    /// An HTML page, read as one article.
    Article,
}

/// The host of `url` as a source name: lowercase, without `www.`.
pub fn host_source(url: &Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// `url` without its fragment: the stable form of a link.
fn canonical_link(base: &Url, href: &str) -> Option<Url> {
    let mut url = base.join(href.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    Some(url)
}

fn looks_like_feed(text: &str, content_type: Option<&str>) -> bool {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("rss") || ct.contains("atom") || ct.contains("feed+json") {
        return true;
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with('{') {
        return head.contains("jsonfeed.org");
    }
    head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf")
}

fn looks_like_html(text: &str, content_type: Option<&str>) -> bool {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("html") {
        return true;
    }
    let head: String = text
        .trim_start()
        .chars()
        .take(1024)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html") || head.contains("<html") || head.contains("<body")
}

/// The image URLs a record carries: a feed entry's enclosures, `media:content` and JSON Feed
/// attachments of an image type (or, without a type, an image file name), at most
/// [`MAX_ENTRY_IMAGES`], each once; an article page's main image
/// ([`crate::article::Article::main_image`]); the `images` of a JSON item
/// ([`crate::parse_items_with_images`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryImages {
    /// The entry's record line ([`crate::Record::line`]).
    pub line: u64,
    /// The images' absolute URLs, in the feed's order.
    pub urls: Vec<String>,
}

/// The most images taken from one feed entry.
pub const MAX_ENTRY_IMAGES: usize = 4;

/// Reads a fetched document from `url`: a feed's entries, or an HTML page as one article.
/// `content_type` is the HTTP header (its charset is honoured).
pub fn parse_document(
    url: &Url,
    bytes: &[u8],
    content_type: Option<&str>,
) -> (DocumentKind, Parsed<Item>) {
    let (kind, parsed, _) = parse_document_with_images(url, bytes, content_type);
    (kind, parsed)
}

/// [`parse_document`], with the images each feed entry carries (entries without any are
/// left out), or an article page's main image.
pub fn parse_document_with_images(
    url: &Url,
    bytes: &[u8],
    content_type: Option<&str>,
) -> (DocumentKind, Parsed<Item>, Vec<EntryImages>) {
    let decoded = decode(bytes, content_type);
    let mut images = Vec::new();
    if looks_like_feed(&decoded.text, content_type) {
        let parsed = parse_feed_text(url, &decoded.text, &mut images);
        return (DocumentKind::Feed, parsed, images);
    }
    let (kind, parsed) = if looks_like_html(&decoded.text, content_type) {
        let (parsed, image) = article_with_image(url, &decoded.text);
        if let (Some(record), Some(image)) = (parsed.records.first(), image) {
            images.push(EntryImages {
                line: record.line,
                urls: vec![image.to_string()],
            });
        }
        (DocumentKind::Article, parsed)
    } else {
        let mut parsed = Parsed::new("unknown");
        parsed.diagnostics.push(diag(
            url.as_str(),
            0,
            None,
            format!(
                "neither a feed (RSS, Atom, JSON Feed) nor a web page (Content-Type: {})",
                content_type.unwrap_or("none")
            ),
        ));
        (DocumentKind::Article, parsed)
    };
    (kind, parsed, images)
}

/// Parses a feed from its bytes (any encoding; see [`crate::decode`]).
pub fn parse_feed(url: &Url, bytes: &[u8], content_type: Option<&str>) -> Parsed<Item> {
    parse_feed_text(url, &decode(bytes, content_type).text, &mut Vec::new())
}

/// Whether a media type or, without one, a URL's file name says image.
fn is_image(media_type: Option<&str>, url: &str) -> bool {
    match media_type.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_ascii_lowercase().starts_with("image/"),
        None => {
            let path = url
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            [".png", ".jpg", ".jpeg", ".webp", ".gif"]
                .iter()
                .any(|e| path.ends_with(e))
        }
    }
}

/// The images of a feed entry (see [`EntryImages`]), resolved against the feed's URL.
fn entry_images(feed_url: &Url, entry: &feed_rs::model::Entry) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    // Enclosures and `media:content` (feed-rs reads RSS enclosures as media content).
    for m in &entry.media {
        for c in &m.content {
            if let Some(u) = &c.url {
                let t = c.content_type.as_ref().map(ToString::to_string);
                if is_image(t.as_deref(), u.as_str()) {
                    urls.push(u.to_string());
                }
            }
        }
    }
    // Atom enclosures and JSON Feed attachments are links with a media type.
    for l in &entry.links {
        let attached = l.rel.as_deref().is_none_or(|r| r == "enclosure");
        if attached
            && l.media_type
                .as_deref()
                .is_some_and(|t| is_image(Some(t), &l.href))
            && let Some(u) = canonical_link(feed_url, &l.href)
        {
            urls.push(u.to_string());
        }
    }
    let mut seen = std::collections::HashSet::new();
    urls.retain(|u| {
        (u.starts_with("http://") || u.starts_with("https://")) && seen.insert(u.clone())
    });
    urls.truncate(MAX_ENTRY_IMAGES);
    urls
}

fn parse_feed_text(url: &Url, text: &str, images: &mut Vec<EntryImages>) -> Parsed<Item> {
    let file = url.as_str();
    let xml = declare_utf8(text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(url.as_str()))
        .build();
    let feed = match parser.parse(xml.as_bytes()) {
        Ok(f) => f,
        Err(e) => {
            let mut parsed = Parsed::new("feed");
            parsed.diagnostics.push(diag(
                file,
                0,
                None,
                format!("not a readable RSS, Atom or JSON feed: {e}"),
            ));
            return parsed;
        }
    };
    let format = match feed.feed_type {
        feed_rs::model::FeedType::Atom => "atom",
        feed_rs::model::FeedType::JSON => "jsonfeed",
        feed_rs::model::FeedType::RSS0 => "rss0",
        feed_rs::model::FeedType::RSS1 => "rss1",
        feed_rs::model::FeedType::RSS2 => "rss2",
    };
    let mut parsed = Parsed::new(format);
    let feed_source = host_source(url);
    for (i, entry) in feed.entries.iter().enumerate() {
        let line = i as u64 + 1;
        match entry_item(url, entry, feed.language.as_deref(), feed_source.as_deref()) {
            Ok(item) => {
                let urls = entry_images(url, entry);
                if !urls.is_empty() {
                    images.push(EntryImages { line, urls });
                }
                parsed.records.push(Record { line, value: item });
            }
            Err((field, message)) => parsed.diagnostics.push(Diagnostic {
                file: file.to_string(),
                line,
                field: Some(field.to_string()),
                message: format!("entry {line} (`{}`): {message}", entry.id),
            }),
        }
    }
    parsed
}

fn is_html(media: &impl std::fmt::Display) -> bool {
    media.to_string().contains("html")
}

fn entry_item(
    feed_url: &Url,
    entry: &feed_rs::model::Entry,
    feed_language: Option<&str>,
    feed_source: Option<&str>,
) -> Result<Item, (&'static str, String)> {
    let link = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .and_then(|l| canonical_link(feed_url, &l.href));
    let title = entry
        .title
        .as_ref()
        .map(|t| {
            if is_html(&t.content_type) {
                html_fragment_text(&t.content)
            } else {
                squash(&t.content)
            }
        })
        .filter(|t| !t.is_empty());
    let body = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.as_str()))
        // Feeds mark HTML unreliably (RSS never does): read every body as a fragment.
        .map(html_fragment_text)
        .filter(|b| !b.is_empty());
    let text = match (title, body) {
        (Some(t), Some(b)) if b.starts_with(&t) => b,
        (Some(t), Some(b)) => format!("{t}\n\n{b}"),
        (Some(t), None) => t,
        (None, Some(b)) => b,
        (None, None) => return Err(("text", "has neither a title nor any content".into())),
    };
    check_text("text", &text)?;
    let (external_id, source) = match &link {
        Some(l) => (
            l.to_string(),
            host_source(l).or(feed_source.map(str::to_string)),
        ),
        None if !entry.id.trim().is_empty() => {
            (entry.id.trim().to_string(), feed_source.map(str::to_string))
        }
        None => {
            return Err((
                "id",
                "has no link and no id, so it cannot be told apart from others".into(),
            ));
        }
    };
    let language = entry
        .language
        .as_deref()
        .or(feed_language)
        .map(|l| l.trim().to_ascii_lowercase())
        .filter(|l| !l.is_empty())
        .or_else(|| claimdesk_text::detect_language(&text).map(|l| l.code.to_string()));
    Ok(Item {
        external_id: Some(external_id),
        url: link.map(|l| l.to_string()),
        published_at: entry.published.or(entry.updated).map(|d| d.to_rfc3339()),
        source,
        language,
        text,
    })
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads an HTML page as one item: its main text, keyed by its canonical URL.
pub fn parse_article(url: &Url, html: &str) -> Parsed<Item> {
    article_with_image(url, html).0
}

/// [`parse_article`], with the page's main image resolved against `url`.
fn article_with_image(url: &Url, html: &str) -> (Parsed<Item>, Option<Url>) {
    let mut parsed = Parsed::new("html");
    let article = extract_article(html);
    let image = article.main_image(url);
    let link = article
        .canonical_url
        .as_deref()
        .and_then(|c| canonical_link(url, c))
        .unwrap_or_else(|| {
            let mut u = url.clone();
            u.set_fragment(None);
            u
        });
    // A page's <title> often carries the site's name; its own headline, when the text opens
    // with it, is the better first line.
    let opens_with_headline = article
        .headline
        .as_deref()
        .is_some_and(|h| article.text.starts_with(h));
    let text = match (&article.title, article.text.is_empty()) {
        (Some(t), false) if !opens_with_headline && !article.text.starts_with(t.as_str()) => {
            format!("{t}\n\n{}", article.text)
        }
        (_, false) => article.text.clone(),
        (Some(t), true) => t.clone(),
        (None, true) => {
            parsed.diagnostics.push(diag(
                url.as_str(),
                0,
                Some("text"),
                "the page has no readable text",
            ));
            return (parsed, None);
        }
    };
    if let Err((field, message)) = check_text("text", &text) {
        parsed
            .diagnostics
            .push(diag(url.as_str(), 0, Some(field), message));
        return (parsed, None);
    }
    let language = article
        .language
        .map(|l| l.to_ascii_lowercase())
        .or_else(|| claimdesk_text::detect_language(&text).map(|l| l.code.to_string()));
    parsed.records.push(Record {
        line: 1,
        value: Item {
            external_id: Some(link.to_string()),
            source: host_source(&link),
            url: Some(link.to_string()),
            published_at: article.published_at,
            language,
            text,
        },
    });
    (parsed, image)
}
