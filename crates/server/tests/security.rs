//! Security headers on every response; hostile content escaped and never linked.

use crate::util::{HOSTILE_TEXT, desk};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let d = desk().await;
    for uri in [
        "/",
        "/items/3",
        "/factchecks",
        "/factchecks/1",
        "/nowhere",
        "/api/items",
        "/api/items/x",
        "/healthz",
        "/metrics",
        "/api/openapi.json",
        "/static/desk.css",
        "/static/htmx-2.0.11.min.js",
    ] {
        let a = d.get(uri).await;
        assert_eq!(a.header("content-security-policy"), CSP, "{uri}");
        assert_eq!(a.header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(a.header("referrer-policy"), "same-origin", "{uri}");
        assert_eq!(a.header("x-frame-options"), "DENY", "{uri}");
        assert!(!a.header("x-request-id").is_empty(), "{uri}");
    }
    // A client's request id is kept.
    let a = d.get_with("/healthz", "x-request-id", "abc-123").await;
    assert_eq!(a.header("x-request-id"), "abc-123");
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style() {
    let d = desk().await;
    for uri in [
        "/",
        "/items/1",
        "/items/3",
        "/factchecks",
        "/factchecks/1",
        "/nowhere",
    ] {
        let b = d.get(uri).await.body;
        assert!(!b.contains("<style"), "{uri}");
        assert!(!b.contains(" style="), "{uri}");
        assert!(!b.contains("hx-on"), "{uri}: no inline event handlers");
        for script in b.match_indices("<script").map(|(i, _)| &b[i..]) {
            let tag = &script[..script.find('>').unwrap()];
            assert!(tag.contains("src=\"/static/"), "{uri}: {tag}");
            assert!(
                script[tag.len()..].starts_with("></script>"),
                "{uri}: inline script"
            );
        }
    }
}

#[tokio::test]
async fn hostile_item_text_is_escaped_and_a_javascript_url_is_not_linked() {
    let d = desk().await;
    for uri in ["/", "/items/3"] {
        let b = d.get(uri).await.body;
        assert!(!b.contains(HOSTILE_TEXT), "{uri}");
        assert!(!b.contains("<script>alert"), "{uri}");
        assert!(!b.contains("<img"), "{uri}");
        assert!(
            b.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{uri}"
        );
        assert!(b.contains("&#60;img src=x onerror=alert(1)&#62;"), "{uri}");
    }
    let b = d.get("/items/3").await.body;
    assert!(b.contains("javascript:alert(1)"), "shown as text");
    assert!(!b.contains("href=\"javascript:"));
    let b = d.get("/factchecks/1").await.body;
    assert!(b.contains("javascript:alert(2)") && !b.contains("href=\"javascript:"));
    // The API returns the text as data.
    let a = d.get("/api/items/3").await;
    assert_eq!(a.json()["item"]["text"], HOSTILE_TEXT);
    assert!(a.header("content-type").starts_with("application/json"));
}

#[tokio::test]
async fn assets_are_served_with_long_caching_and_pages_are_not_cached() {
    let d = desk().await;
    let a = d.get("/static/htmx-2.0.11.min.js").await;
    assert_eq!(a.status, 200);
    assert!(a.header("content-type").starts_with("text/javascript"));
    assert!(a.header("cache-control").contains("immutable"));
    assert!(a.body.contains("htmx"));
    let a = d.get("/static/desk.css").await;
    assert!(a.header("content-type").starts_with("text/css"));
    assert_eq!(d.get("/").await.header("cache-control"), "no-store");
}

#[tokio::test]
async fn responses_are_gzipped_when_asked() {
    let d = desk().await;
    let a = d
        .send(
            axum::http::Request::get("/static/htmx-2.0.11.min.js")
                .header("accept-encoding", "gzip")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.header("content-encoding"), "gzip");
}

/// Issue 15, finding 7: `{id}.jsonld` is a route of `/api/factchecks` only; on any other
/// route it answered 500 ("route missing from ROUTES"). It is not found.
#[tokio::test]
async fn regression_jsonld_on_other_routes_is_not_found() {
    let d = desk().await;
    for uri in [
        "/items/1.jsonld",
        "/verdicts/1.jsonld",
        "/cases/1.jsonld",
        "/narratives/1.jsonld",
        "/api/items/1.jsonld",
        "/api/cases/1.jsonld",
        "/api/narratives/1.jsonld",
    ] {
        for a in [d.get(uri).await, d.get_anon(uri).await] {
            assert_eq!(a.status.as_u16(), 404, "{uri}: {}", a.body);
        }
    }
    d.get_anon("/api/items/1.jsonld")
        .await
        .assert_error(404, "not_found");
    assert_eq!(d.get_anon("/api/factchecks/1.jsonld").await.status, 200);
}

/// Issue 15, finding 7: a desk served over https tells browsers to keep to https (HSTS).
#[tokio::test]
async fn regression_hsts_when_the_public_url_is_https() {
    let d = crate::util::desk_with(claimdesk_server::ServerConfig {
        public_url: Some("https://desk.example".into()),
        ..claimdesk_server::ServerConfig::default()
    })
    .await;
    for uri in ["/login", "/verdicts", "/healthz", "/nowhere"] {
        let a = d.get_anon(uri).await;
        assert_eq!(
            a.header("strict-transport-security"),
            "max-age=31536000",
            "{uri}"
        );
    }
    let plain = desk().await;
    assert!(
        plain
            .get_anon("/login")
            .await
            .headers
            .get("strict-transport-security")
            .is_none()
    );
}
