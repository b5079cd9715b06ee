//! Web pages reduced to the text a reader came for.
//!
//! A readability-style pass: drop what is never the article (scripts, styles, navigation,
//! headers, footers, asides, forms), prefer the page's own marking of the article
//! (`itemprop=articleBody`, `<article>`, `<main>`), else pick the element whose paragraphs
//! hold the most text (a paragraph counts for its parent and half for its grandparent, as
//! Readability scores), and keep its headings, paragraphs, list items and quotes, leaving
//! out link-heavy blocks (menus, "related" lists).
//!
//! The page's main image is what it names for sharing: `og:image:secure_url`, `og:image`,
//! `twitter:image`, then the `image` of its JSON-LD `Article` (or `NewsArticle`, or another
//! kind of article); [`Article::main_image`] resolves the first usable one against the
//! page's URL.

use std::collections::HashMap;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node, Selector};

/// A page's title and main text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// The first `<h1>` of the article (or the page).
    pub headline: Option<String>,
    /// Paragraphs separated by blank lines.
    pub text: String,
    /// `<html lang>`, when given.
    pub language: Option<String>,
    /// `<link rel=canonical>`, when given.
    pub canonical_url: Option<String>,
    /// `article:published_time`, when given.
    pub published_at: Option<String>,
    /// The page's main image as it names it (perhaps relative), candidates in order of
    /// preference: `og:image:secure_url`, `og:image` (and `og:image:url`), `twitter:image`
    /// (and `twitter:image:src`), then the JSON-LD article's `image`.
    pub images: Vec<String>,
}

/// JSON-LD nodes looked at for an article's `image`, at most (a page is not a database).
const MAX_JSON_LD_NODES: usize = 2048;

impl Article {
    /// The main image: the first of [`Article::images`] that resolves against `page` (the
    /// page's URL) to an http or https URL; `data:`, `javascript:` and the like are skipped.
    pub fn main_image(&self, page: &url::Url) -> Option<url::Url> {
        self.images.iter().find_map(|candidate| {
            let mut url = page.join(candidate.trim()).ok()?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return None;
            }
            url.set_fragment(None);
            Some(url)
        })
    }
}

const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "select", "svg", "iframe",
];
const BLOCKS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "td",
    "dd",
    "dt",
    "figcaption",
];
const BREAKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "tr",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "dd",
    "dt",
    "figcaption",
    "hr",
];

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("a valid built-in selector")
}

fn name<'a>(e: &ElementRef<'a>) -> &'a str {
    e.value().name()
}

/// Collapses runs of whitespace to one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text under `node`, skipping non-content elements, with blank lines at block breaks.
fn flow_text(node: NodeRef<'_, Node>, out: &mut String) {
    match node.value() {
        Node::Text(t) => out.push_str(t),
        Node::Element(e) => {
            let n = e.name();
            if SKIPPED.contains(&n) {
                return;
            }
            let block = BREAKS.contains(&n);
            if block {
                out.push_str("\n\n");
            }
            for c in node.children() {
                flow_text(c, out);
            }
            if block {
                out.push_str("\n\n");
            }
        }
        _ => {
            for c in node.children() {
                flow_text(c, out);
            }
        }
    }
}

fn paragraphs(raw: &str) -> String {
    raw.split("\n\n")
        .map(squash)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Text of an HTML fragment (a feed entry's content), paragraphs kept.
pub fn html_fragment_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return paragraphs(html);
    }
    let doc = Html::parse_fragment(html);
    let mut raw = String::new();
    flow_text(*doc.root_element(), &mut raw);
    paragraphs(&raw)
}

fn inside_skipped(e: ElementRef<'_>, root: ElementRef<'_>) -> bool {
    for a in e.ancestors() {
        if a.id() == root.id() {
            return false;
        }
        if let Some(a) = ElementRef::wrap(a)
            && SKIPPED.contains(&name(&a))
        {
            return true;
        }
    }
    false
}

fn plain(e: ElementRef<'_>) -> String {
    let mut raw = String::new();
    flow_text(*e, &mut raw);
    squash(&raw)
}

fn link_text_len(e: ElementRef<'_>) -> usize {
    let a = sel("a");
    e.select(&a).map(|l| plain(l).chars().count()).sum()
}

/// The blocks of `root` that read as the article, in order.
fn blocks_of(root: ElementRef<'_>) -> Vec<String> {
    let selector = sel(&BLOCKS.join(", "));
    let mut out = Vec::new();
    for e in root.select(&selector) {
        if inside_skipped(e, root) {
            continue;
        }
        // A block inside another block is read with it (li > p, blockquote > p).
        let nested = e
            .ancestors()
            .take_while(|a| a.id() != root.id())
            .any(|a| ElementRef::wrap(a).is_some_and(|a| BLOCKS.contains(&name(&a))));
        if nested {
            continue;
        }
        let text = plain(e);
        let len = text.chars().count();
        if len == 0 {
            continue;
        }
        if len >= 1 && link_text_len(e) * 2 > len && !name(&e).starts_with('h') {
            continue;
        }
        out.push(text);
    }
    out
}

fn meta(doc: &Html, attr: &str, value: &str) -> Option<String> {
    let s = sel(&format!("meta[{attr}=\"{value}\"]"));
    doc.select(&s)
        .find_map(|m| m.value().attr("content"))
        .map(squash)
        .filter(|t| !t.is_empty())
}

/// The title and main text of an HTML page.
pub fn extract_article(html: &str) -> Article {
    let doc = Html::parse_document(html);
    let title = meta(&doc, "property", "og:title")
        .or_else(|| doc.select(&sel("title")).next().map(plain))
        .or_else(|| doc.select(&sel("h1")).next().map(plain))
        .filter(|t| !t.is_empty());
    let language = doc
        .select(&sel("html"))
        .next()
        .and_then(|h| h.value().attr("lang"))
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    let canonical_url = doc
        .select(&sel("link[rel=canonical]"))
        .find_map(|l| l.value().attr("href"))
        .map(|h| h.trim().to_string());
    let published_at = meta(&doc, "property", "article:published_time");
    let images = image_candidates(&doc);

    let para_text =
        |e: ElementRef<'_>| -> usize { blocks_of(e).iter().map(|b| b.chars().count()).sum() };
    let marked = ["[itemprop=articleBody]", "article", "main", "[role=main]"]
        .iter()
        .flat_map(|s| doc.select(&sel(s)).collect::<Vec<_>>())
        .map(|e| (para_text(e), e))
        .filter(|(n, _)| *n > 0)
        .max_by_key(|(n, _)| *n)
        .map(|(_, e)| e);
    let root = marked.or_else(|| best_scored(&doc));
    let h1 = sel("h1");
    let headline = root
        .and_then(|r| r.select(&h1).next())
        .or_else(|| doc.select(&h1).next())
        .map(plain)
        .filter(|h| !h.is_empty());
    let text = match root {
        Some(root) => blocks_of(root).join("\n\n"),
        None => String::new(),
    };
    let text = if text.is_empty() {
        // No paragraphs at all: the body's text is all there is.
        doc.select(&sel("body"))
            .next()
            .map(|b| {
                let mut raw = String::new();
                flow_text(*b, &mut raw);
                paragraphs(&raw)
            })
            .unwrap_or_default()
    } else {
        text
    };
    Article {
        title,
        headline,
        text,
        language,
        canonical_url,
        published_at,
        images,
    }
}

/// Every `content` of a `<meta>` whose `property` or `name` is `key`, in page order.
fn meta_all(doc: &Html, key: &str) -> Vec<String> {
    let s = sel(&format!("meta[property=\"{key}\"], meta[name=\"{key}\"]"));
    doc.select(&s)
        .filter_map(|m| m.value().attr("content"))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// The page's main-image candidates ([`Article::images`]), each once.
fn image_candidates(doc: &Html) -> Vec<String> {
    let mut out: Vec<String> = [
        "og:image:secure_url",
        "og:image",
        "og:image:url",
        "twitter:image",
        "twitter:image:src",
    ]
    .iter()
    .flat_map(|key| meta_all(doc, key))
    .collect();
    let script = sel("script[type=\"application/ld+json\"]");
    for s in doc.select(&script) {
        let text: String = s.text().collect();
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text.trim()) {
            let mut budget = MAX_JSON_LD_NODES;
            json_ld_article_images(&value, &mut out, &mut budget);
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|u| seen.insert(u.clone()));
    out
}

/// Whether a JSON-LD node's `@type` (a string or an array) is an article: `Article`,
/// `NewsArticle`, or another schema.org kind of article (`ReportageNewsArticle`, ...).
fn is_article(node: &serde_json::Map<String, serde_json::Value>) -> bool {
    let is = |t: &serde_json::Value| {
        t.as_str().is_some_and(|t| {
            let t = t.rsplit(['/', ':']).next().unwrap_or(t);
            t.ends_with("Article")
        })
    };
    match node.get("@type") {
        Some(serde_json::Value::Array(types)) => types.iter().any(is),
        Some(t) => is(t),
        None => false,
    }
}

/// The `image` URLs of the article nodes in a JSON-LD value (top level, arrays, `@graph`),
/// looking at no more than `budget` nodes.
fn json_ld_article_images(value: &serde_json::Value, out: &mut Vec<String>, budget: &mut usize) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match value {
        serde_json::Value::Array(items) => {
            for v in items {
                json_ld_article_images(v, out, budget);
            }
        }
        serde_json::Value::Object(node) => {
            if is_article(node)
                && let Some(image) = node.get("image")
            {
                image_urls(image, out, 0);
            }
            if let Some(graph) = node.get("@graph") {
                json_ld_article_images(graph, out, budget);
            }
        }
        _ => {}
    }
}

/// The URLs of a JSON-LD `image`: a URL, an `ImageObject` (`url` or `contentUrl`), or an
/// array of either.
fn image_urls(image: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    if depth > 2 {
        return;
    }
    match image {
        serde_json::Value::String(u) if !u.trim().is_empty() => out.push(u.trim().to_string()),
        serde_json::Value::Array(items) => {
            for i in items.iter().take(8) {
                image_urls(i, out, depth + 1);
            }
        }
        serde_json::Value::Object(o) => {
            if let Some(u) = o.get("url").or_else(|| o.get("contentUrl")) {
                image_urls(u, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Readability's scoring: each paragraph of at least 25 characters adds its length (less its
/// link text) to its parent and half to its grandparent.
fn best_scored(doc: &Html) -> Option<ElementRef<'_>> {
    let mut scores: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    let body = doc.select(&sel("body")).next()?;
    for p in doc.select(&sel("p, pre, td, blockquote")) {
        if inside_skipped(p, body) {
            continue;
        }
        let len = plain(p).chars().count().saturating_sub(link_text_len(p));
        if len < 25 {
            continue;
        }
        let mut up = p.ancestors().filter_map(ElementRef::wrap);
        if let Some(parent) = up.next() {
            *scores.entry(parent.id()).or_default() += len;
            if let Some(grand) = up.next() {
                *scores.entry(grand.id()).or_default() += len / 2;
            }
        }
    }
    let best = scores
        .into_iter()
        .max_by_key(|(id, s)| (*s, std::cmp::Reverse(*id)))?;
    doc.tree.get(best.0).and_then(ElementRef::wrap)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html lang="vi"><head>
        <title>Bộ Y tế bác bỏ tin đồn | Báo Mẫu</title>
        <meta property="og:title" content="Bộ Y tế bác bỏ tin đồn về vắc-xin">
        <link rel="canonical" href="https://bao.example/bo-y-te-bac-bo">
        <script>var tracking = "nope";</script><style>p{color:red}</style></head>
        <body><header><nav><a href="/">Trang chủ</a> <a href="/tt">Thời sự</a></nav></header>
        <div class="layout"><aside><p>Quảng cáo: mua ngay hôm nay với giá ưu đãi đặc biệt!</p></aside>
        <div class="content"><h1>Bộ Y tế bác bỏ tin đồn về vắc-xin</h1>
        <p>Theo Bộ Y tế, thông tin vắc-xin gây vô sinh lan truyền trên mạng là sai sự thật.</p>
        <p>Cơ quan này cho biết 95% người đã tiêm không gặp tác dụng phụ nghiêm trọng nào.</p>
        <ul class="related"><li><a href="/a">Tin liên quan một</a></li><li><a href="/b">Tin liên quan hai</a></li></ul>
        </div></div><footer><p>© Báo Mẫu, mọi quyền được bảo lưu, liên hệ toà soạn.</p></footer></body></html>"#;

    #[test]
    fn keeps_the_article_and_drops_the_chrome() {
        let a = extract_article(PAGE);
        assert_eq!(
            a.title.as_deref(),
            Some("Bộ Y tế bác bỏ tin đồn về vắc-xin")
        );
        assert_eq!(a.language.as_deref(), Some("vi"));
        assert_eq!(
            a.canonical_url.as_deref(),
            Some("https://bao.example/bo-y-te-bac-bo")
        );
        assert_eq!(
            a.text,
            "Bộ Y tế bác bỏ tin đồn về vắc-xin\n\n\
             Theo Bộ Y tế, thông tin vắc-xin gây vô sinh lan truyền trên mạng là sai sự thật.\n\n\
             Cơ quan này cho biết 95% người đã tiêm không gặp tác dụng phụ nghiêm trọng nào."
        );
    }

    #[test]
    fn prefers_the_marked_article() {
        let html = "<html><body><div><p>Sidebar text that is long enough to count as a paragraph here.</p></div>\
            <article><p>The real story, short.</p></article></body></html>";
        assert_eq!(extract_article(html).text, "The real story, short.");
    }

    fn page_with_head(head: &str) -> String {
        format!("<html><head>{head}</head><body><article><p>Story.</p></article></body></html>")
    }

    #[test]
    fn the_main_image_is_og_then_twitter_then_the_json_ld_article() {
        let page = url::Url::parse("https://bao.example/tin/1?x=1").unwrap();
        let main = |head: &str| {
            extract_article(&page_with_head(head))
                .main_image(&page)
                .map(|u| u.to_string())
        };
        // og:image:secure_url first, relative URLs resolved against the page.
        assert_eq!(
            main(
                r#"<meta name="twitter:image" content="https://cdn.example/tw.jpg">
                <meta property="og:image" content="/anh/og.jpg#top">
                <meta property="og:image:secure_url" content="https://cdn.example/og-secure.jpg">"#
            )
            .as_deref(),
            Some("https://cdn.example/og-secure.jpg")
        );
        assert_eq!(
            main(r#"<meta property="og:image" content="/anh/og.jpg#top">"#).as_deref(),
            Some("https://bao.example/anh/og.jpg")
        );
        assert_eq!(
            main(r#"<meta name="twitter:image" content="tw.png">"#).as_deref(),
            Some("https://bao.example/tin/tw.png")
        );
        // JSON-LD: an ImageObject of a NewsArticle inside @graph; not the Organization's logo.
        let ld = r#"<script type="application/ld+json">{"@context": "https://schema.org",
            "@graph": [{"@type": "Organization", "logo": "/logo.png", "image": "/org.png"},
                       {"@type": ["NewsArticle"], "image": [{"@type": "ImageObject",
                        "url": "https://cdn.example/ld.webp"}, "https://cdn.example/2.jpg"]}]}</script>"#;
        assert_eq!(main(ld).as_deref(), Some("https://cdn.example/ld.webp"));
        let article = extract_article(&page_with_head(ld));
        assert_eq!(
            article.images,
            ["https://cdn.example/ld.webp", "https://cdn.example/2.jpg"]
        );
        // Only http(s): a data: or javascript: image is skipped for the next candidate.
        assert_eq!(
            main(
                r#"<meta property="og:image" content="javascript:alert(1)">
                <meta property="og:image" content="data:image/png;base64,AAAA">
                <meta name="twitter:image" content="//cdn.example/tw.jpg">"#
            )
            .as_deref(),
            Some("https://cdn.example/tw.jpg")
        );
        assert_eq!(
            main(r#"<meta property="og:image" content="file:///etc/passwd">"#),
            None
        );
        // None at all, or broken JSON-LD: no image.
        assert_eq!(main("<title>t</title>"), None);
        assert_eq!(
            main(r#"<script type="application/ld+json">{"@type": "Article", "image": </script>"#),
            None
        );
    }

    #[test]
    fn fragment_text_keeps_paragraphs_and_entities() {
        assert_eq!(
            html_fragment_text("<p>One &amp; two</p><p>Three<br>four <script>x()</script></p>"),
            "One & two\n\nThree\n\nfour"
        );
        assert_eq!(html_fragment_text("plain   text"), "plain text");
    }
}
