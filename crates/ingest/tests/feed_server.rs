//! A feed server on 127.0.0.1 for the tests: RSS, Atom, JSON Feed, redirect chains, a 304
//! with an ETag, a 500, a slow answer, huge bodies, legacy encodings, an article page. It
//! runs on the test's runtime and stops with it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub const RSS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Báo Mẫu</title><link>https://bao.example/</link><language>vi</language>
<item><title>Bộ Y tế bác bỏ tin vắc-xin gây vô sinh</title><link>https://bao.example/tin/1#top</link>
<guid isPermaLink="false">bao-1</guid><description>&lt;p&gt;Theo Bộ Y tế, thông tin này là &lt;b&gt;sai sự thật&lt;/b&gt;.&lt;/p&gt;</description>
<pubDate>Mon, 30 Nov 2026 08:00:00 +0700</pubDate></item>
<item><title>Giá xăng giảm 5% từ hôm nay</title><link>https://www.bao.example/tin/2</link><guid>bao-2</guid>
<description>Giá xăng RON95 giảm 5% theo quyết định của Bộ Công Thương.</description></item>
</channel></rss>"#;

/// A second feed of the same site carrying one article of [`RSS`] again.
pub const RSS_POLITICS: &str = r#"<?xml version="1.0"?>
<rss version="2.0"><channel><title>Báo Mẫu: Thời sự</title><link>https://bao.example/thoi-su</link>
<item><title>Bộ Y tế bác bỏ tin vắc-xin gây vô sinh</title><link>https://bao.example/tin/1</link>
<guid>thoi-su-77</guid><description>&lt;p&gt;Theo Bộ Y tế, thông tin này là &lt;b&gt;sai sự thật&lt;/b&gt;.&lt;/p&gt;</description></item>
</channel></rss>"#;

pub const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Example Checks</title><id>urn:example:feed</id>
<updated>2026-11-30T10:00:00Z</updated>
<entry><id>urn:example:1</id><title>Minister claims unemployment fell 40% in a year</title>
<link rel="alternate" href="https://news.example/a/1"/><updated>2026-11-30T10:00:00Z</updated>
<content type="html">&lt;p&gt;The minister said unemployment &lt;em&gt;fell by 40%&lt;/em&gt; last year.&lt;/p&gt;</content></entry>
<entry><id>urn:example:2</id><title>No link here</title><updated>2026-11-29T10:00:00Z</updated>
<summary>An entry known only by its id.</summary></entry>
</feed>"#;

pub const JSON_FEED: &str = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "JSON news",
"home_page_url": "https://json.example/", "language": "en",
"items": [{"id": "j1", "url": "https://json.example/p/1", "title": "Bridge closed after viral video",
"content_html": "<p>The city says the bridge is <b>open</b>.</p>", "date_published": "2026-11-30T09:00:00Z"},
{"id": "j2", "content_text": "A post without a title or a link."}]}"#;

pub const ARTICLE: &str = r#"<!doctype html><html lang="en"><head><title>Fact check: the bridge | Site</title>
<link rel="canonical" href="https://site.example/fact-check-bridge"></head><body>
<nav><a href="/">Home</a><a href="/news">News</a></nav>
<article><h1>Fact check: the bridge is open</h1>
<p>A video claiming the river bridge was closed for good has been shared thousands of times.</p>
<p>The city's transport office said on Monday that the bridge is open to all traffic.</p></article>
<footer><p>Copyright Site, all rights reserved, contact the newsroom for corrections.</p></footer></body></html>"#;

/// Vietnamese feed text encoded as windows-1258, which declares it.
pub const VI_TITLE: &str = "Thủ tướng yêu cầu xử lý tin giả về dịch bệnh";

fn xml(body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, "application/rss+xml")], body.into()).into_response()
}

async fn rss(headers: HeaderMap) -> Response {
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some("\"rss-v1\"")
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, "\"rss-v1\"")]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::ETAG, "\"rss-v1\""),
            (header::LAST_MODIFIED, "Mon, 30 Nov 2026 01:00:00 GMT"),
        ],
        RSS,
    )
        .into_response()
}

async fn redirect(Path(n): Path<u32>) -> Response {
    if n == 0 {
        return xml(RSS);
    }
    (
        StatusCode::FOUND,
        [(header::LOCATION, format!("/redirect/{}", n - 1))],
    )
        .into_response()
}

/// Redirects to wherever `to` says (an absolute URL).
async fn redirect_to(State(to): State<String>) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn slow() -> Response {
    // Longer than any test's time cap; the test's runtime ends it.
    tokio::time::sleep(Duration::from_secs(300)).await;
    xml(RSS)
}

/// 4 MiB announced by Content-Length.
async fn huge() -> Response {
    xml(vec![b' '; 4 << 20])
}

/// 4 MiB streamed without a length: only reading stops it.
async fn huge_stream() -> Response {
    let chunks = futures_util::stream::iter(
        (0..64).map(|_| Ok::<_, Infallible>(Bytes::from(vec![b' '; 64 << 10]))),
    );
    xml(Body::from_stream(chunks))
}

async fn windows_1258() -> Response {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss version=\"2.0\"><channel><title>Tin</title>\
         <item><title>{VI_TITLE}</title><link>https://tin.example/1</link>\
         <description>Theo Bộ Y tế, đây là tin sai.</description></item></channel></rss>"
    );
    let bytes = claimdesk_ingest::decode::encode_windows_1258(&text);
    assert!(
        !bytes.contains(&b'&'),
        "every letter has a windows-1258 form"
    );
    xml(bytes)
}

/// Latin-1 bytes, the charset said only by the HTTP header.
async fn latin1() -> Response {
    let text = "<rss version=\"2.0\"><channel><title>Actualités</title>\
        <item><title>Le préfet dément la fermeture des écoles</title><link>https://fr.example/1</link></item>\
        </channel></rss>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    (
        [(header::CONTENT_TYPE, "text/xml; charset=ISO-8859-1")],
        bytes.into_owned(),
    )
        .into_response()
}

/// A feed whose entries carry images (`{base}` is the server's own address): an RSS
/// enclosure; `media:content`, one without a type and a podcast's audio (not an image); an
/// image that is not there; and an entry without any. (feed-rs keeps an item's enclosure
/// only when it has no `media:content`, so each is in an item of its own.)
pub const RSS_IMAGES: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Ảnh</title><link>https://anh.example/</link>
<item><title>Ảnh chụp tin nhắn lừa đảo</title><link>https://anh.example/1</link>
<enclosure url="{base}/img/one.png" length="9" type="image/png"/></item>
<item><title>Ảnh đăng lại trên nhóm</title><link>https://anh.example/4</link>
<media:content url="{base}/img/two.jpg"/>
<media:content url="{base}/img/podcast.mp3" type="audio/mpeg"/></item>
<item><title>Một ảnh không tải được</title><link>https://anh.example/2</link>
<enclosure url="{base}/img/missing.png" length="9" type="image/png"/></item>
<item><title>Không có ảnh</title><link>https://anh.example/3</link></item>
</channel></rss>"#;

/// A JSON Feed whose item has an image attachment and a PDF one.
pub const JSON_FEED_IMAGES: &str = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Ảnh",
"items": [{"id": "j1", "url": "https://anh.example/j1", "content_text": "Một bài có ảnh đính kèm",
 "attachments": [{"url": "{base}/img/three.webp", "mime_type": "image/webp"},
                 {"url": "{base}/img/doc.pdf", "mime_type": "application/pdf"}]}]}"#;

/// A feed with `{base}` replaced by the address the request came to.
fn with_base(headers: &HeaderMap, body: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    body.replace("{base}", &format!("http://{host}"))
}

/// The images of [`RSS_IMAGES`] and [`JSON_FEED_IMAGES`]: a few bytes each, named by
/// their path (the test's image reader does not decode them).
async fn image(Path(name): Path<String>) -> Response {
    if name == "missing.png" {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [(header::CONTENT_TYPE, "image/png")],
        format!("image:{name}"),
    )
        .into_response()
}

/// Starts the server; `elsewhere` is where `/away` redirects (an absolute URL).
pub async fn start(elsewhere: &str) -> SocketAddr {
    let app = Router::new()
        .route("/rss", get(rss))
        .route("/politics", get(|| async { xml(RSS_POLITICS) }))
        .route(
            "/atom",
            get(|| async { ([(header::CONTENT_TYPE, "application/atom+xml")], ATOM) }),
        )
        .route(
            "/json",
            get(|| async { ([(header::CONTENT_TYPE, "application/feed+json")], JSON_FEED) }),
        )
        .route(
            "/article",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    ARTICLE,
                )
            }),
        )
        .route("/redirect/{n}", get(redirect))
        .route(
            "/error",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route("/slow", get(slow))
        .route("/huge", get(huge))
        .route("/huge-stream", get(huge_stream))
        .route("/vi-1258", get(windows_1258))
        .route("/latin1", get(latin1))
        .route(
            "/not-a-feed",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    "\u{1}\u{2}",
                )
            }),
        )
        .route(
            "/images-rss",
            get(|h: HeaderMap| async move {
                (
                    [(header::CONTENT_TYPE, "application/rss+xml")],
                    with_base(&h, RSS_IMAGES),
                )
            }),
        )
        .route(
            "/images-json",
            get(|h: HeaderMap| async move {
                (
                    [(header::CONTENT_TYPE, "application/feed+json")],
                    with_base(&h, JSON_FEED_IMAGES),
                )
            }),
        )
        .route("/img/{name}", get(image))
        .route("/away", get(redirect_to).with_state(elsewhere.to_string()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("feed server");
    });
    addr
}
