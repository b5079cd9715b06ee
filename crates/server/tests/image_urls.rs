//! Items posted as JSON with image URLs (issue 20): each URL fetched through the guarded
//! client from a real HTTP server on loopback (opened by `[fetch] allow` for its port only),
//! the image read and matched as an uploaded one; a redirect to loopback, a `javascript:` or
//! `file:` URL and a body that is no image each refused with the URL and why, the item's
//! text stored and processed anyway.

use std::net::SocketAddr;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use claimdesk_engine::ingest::FactCheckFormat;
use claimdesk_engine::{Engine, EngineOptions};
use claimdesk_server::ServerConfig;
use claimdesk_store::prelude::*;

use crate::images::{POST, encoded};
use crate::util::{Desk, desk_over};

/// Serves a PNG and a JPEG screenshot, redirects to loopback (another port, and
/// `localhost`), an HTML page, text sent as binary and a 2 MiB "PNG", on 127.0.0.1.
async fn image_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A port nothing allows: where the first redirect leads.
    let elsewhere = format!("http://127.0.0.1:{}/secret", addr.port() + 1);
    let (png, jpeg) = (
        encoded(image::ImageFormat::Png),
        encoded(image::ImageFormat::Jpeg),
    );
    let app = Router::new()
        .route(
            "/shot.png",
            get(move || async move { ([(header::CONTENT_TYPE, "image/png")], png) }),
        )
        .route(
            "/photo",
            get(move || async move { ([(header::CONTENT_TYPE, "image/jpeg")], jpeg) }),
        )
        .route(
            "/to-loopback.png",
            get(move || async move {
                (StatusCode::FOUND, [(header::LOCATION, elsewhere)]).into_response()
            }),
        )
        .route(
            "/to-localhost.png",
            get(|| async {
                (StatusCode::FOUND, [(header::LOCATION, "http://localhost/")]).into_response()
            }),
        )
        .route(
            "/page.png",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<!DOCTYPE html><p>hi",
                )
            }),
        )
        .route(
            "/big.png",
            get(|| async {
                let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
                body.resize(2 << 20, 0);
                ([(header::CONTENT_TYPE, "image/png")], body)
            }),
        )
        .route(
            "/text.bin",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/octet-stream")],
                    "just some text, no picture",
                )
            }),
        );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}

/// A desk whose `[fetch] allow` opens `addr`'s port on loopback (and nothing else), reading
/// bodies of at most a million bytes, with the fact-check the screenshot's text matches.
async fn desk_fetching_from(addr: SocketAddr) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join(claimdesk_engine::CONFIG_FILE),
        format!(
            "[fetch]\nallow = [\"127.0.0.1:{}\"]\nmax_body_bytes = 1000000\n",
            addr.port()
        ),
    )
    .unwrap();
    let engine = Engine::open(&data, EngineOptions::lexical()).await.unwrap();
    let review = serde_json::json!({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factcheck.example/lemon",
        "claimReviewed": "Hot lemon water cures cancer",
        "inLanguage": "en",
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                         "alternateName": "False"}
    })
    .to_string();
    engine
        .import_fact_checks(
            "lemon.json",
            review.as_bytes(),
            FactCheckFormat::Auto,
            claimdesk_engine::core::Actor::Cli,
        )
        .await
        .unwrap();
    desk_over(dir, engine, ServerConfig::default()).await
}

#[tokio::test]
async fn an_item_with_image_urls_gets_its_images_and_each_bad_url_is_refused_with_why() {
    let addr = image_server().await;
    let d = desk_fetching_from(addr).await;
    let base = format!("http://{addr}");
    // All on one line: each item keeps its own images.
    let body = serde_json::json!([
        {"id": "tip-url-1", "source": "zalo", "text": "Seen in a family group",
         "images": [format!("{base}/shot.png"), format!("{base}/to-loopback.png")]},
        {"id": "tip-url-2", "source": "zalo", "text": "Another share of it",
         "images": [format!("{base}/photo"), "javascript:alert(1)", "file:///etc/passwd",
                    format!("{base}/to-localhost.png")]},
        {"id": "tip-url-3", "source": "zalo", "text": "Tỏi sống diệt được virus corona",
         "images": [format!("{base}/page.png"), format!("{base}/text.bin")]},
        {"id": "tip-url-4", "source": "zalo", "text": "No picture here"}
    ]);
    let a = d.post_json("/api/items", body.to_string()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    // Every item's text is stored and processed, whatever became of its images.
    assert_eq!(r["added"], 4, "{r}");
    assert_eq!(r["rejected"], 0, "{r}");
    let ids: Vec<i64> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4);
    assert!(r["matched"].as_u64().unwrap() >= 2, "{r}");
    let images = r["images"].as_array().unwrap();
    assert_eq!(images.len(), 8, "{r}");
    let of = |i: usize| &images[i];
    let refused = |i: usize| of(i)["refused"].as_str().unwrap_or_default().to_string();

    let items: Vec<u64> = images.iter().map(|i| i["item"].as_u64().unwrap()).collect();
    assert_eq!(items, [0, 0, 1, 1, 1, 1, 2, 2]);
    // The PNG: kept, read, hashed, on the first item.
    assert_eq!(of(0)["line"], 1);
    assert_eq!(of(0)["name"], format!("{base}/shot.png"));
    assert!(of(0)["refused"].is_null(), "{}", of(0));
    let sha = of(0)["sha256"].as_str().unwrap().to_string();
    assert_eq!(of(0)["text"], POST.join("\n"));
    assert_eq!(of(0)["pdq"].as_str().unwrap().len(), 64);
    // The redirect to another port on loopback: refused, naming the URL and the redirect.
    let why = refused(1);
    assert!(
        why.starts_with(&format!(
            "{base}/to-loopback.png: not fetched: it redirected to http://127.0.0.1:{}/secret, \
             refused",
            addr.port() + 1
        )) && why.contains("loopback"),
        "{why}"
    );
    assert!(of(1)["sha256"].is_null());
    // The JPEG served without an extension: kept.
    assert!(of(2)["sha256"].is_string(), "{}", of(2));
    for (i, url, what) in [
        (
            3,
            "javascript:alert(1)",
            "only http:// and https:// URLs are fetched",
        ),
        (
            4,
            "file:///etc/passwd",
            "only http:// and https:// URLs are fetched",
        ),
        (
            5,
            &format!("{base}/to-localhost.png"),
            "it redirected to http://localhost/, refused",
        ),
        (
            6,
            &format!("{base}/page.png"),
            "not an image: the server sent it as text/html",
        ),
        (
            7,
            &format!("{base}/text.bin"),
            "plain text, not an image claimdesk reads",
        ),
    ] {
        let why = refused(i);
        assert_eq!(of(i)["name"], url, "{}", of(i));
        assert!(why.starts_with(url) && why.contains(what), "{i}: {why}");
        assert!(of(i)["sha256"].is_null(), "{}", of(i));
    }

    // The store: the first item carries its image and the refusal; its text is its own
    // and the text read from the image; it is matched to the lemon fact-check.
    let first = d
        .store
        .item(claimdesk_core::ItemId(ids[0]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        first.item.text,
        format!("Seen in a family group\n\n{}", POST.join("\n"))
    );
    let stored = d
        .store
        .item_images(claimdesk_core::ItemId(ids[0]))
        .await
        .unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(stored[0].image.as_ref().unwrap().sha256, sha);
    assert!(stored[1].refused.as_deref().unwrap().contains("redirected"));
    let page = d.get(&format!("/items/{}", ids[0])).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("<img src=\"/images/{sha}\"")),
        "{}",
        page.body
    );
    // The refused URL is named before its reason, and the reason does not name it again.
    assert!(
        page.body.contains(&format!(
            "<code>{base}/to-loopback.png</code>: not fetched: it redirected to"
        )),
        "{}",
        page.body
    );
    // The item whose images were both refused keeps its own text and the refusals; the
    // one without images is stored too, in the order sent.
    let text_of = |i: usize| {
        let id = claimdesk_core::ItemId(ids[i]);
        let store = d.store.clone();
        async move { store.item(id).await.unwrap().unwrap().item.text }
    };
    assert_eq!(text_of(2).await, "Tỏi sống diệt được virus corona");
    let refusals = d
        .store
        .item_images(claimdesk_core::ItemId(ids[2]))
        .await
        .unwrap();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert!(
        refusals
            .iter()
            .all(|i| i.image.is_none() && i.refused.is_some())
    );
    assert_eq!(text_of(3).await, "No picture here");
}

#[tokio::test]
async fn a_wrong_images_field_refuses_its_record_and_too_many_large_or_missing_images_are_refused()
{
    let addr = image_server().await;
    let d = desk_fetching_from(addr).await;
    let base = format!("http://{addr}");
    let body = serde_json::json!([
        {"id": "a", "text": "one", "images": format!("{base}/shot.png")},
        {"id": "b", "text": "two", "images": [
            format!("{base}/shot.png"), format!("{base}/page.png"), format!("{base}/page.png"),
            format!("{base}/page.png"), format!("{base}/photo")]},
        {"id": "c", "text": "three", "images": [format!("{base}/big.png"), format!("{base}/gone.png")]}
    ]);
    let a = d.post_json("/api/items", body.to_string()).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    assert_eq!(
        (r["added"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(1)),
        "{r}"
    );
    assert_eq!(r["rejected_records"][0]["field"], "images");
    assert_eq!(
        r["rejected_records"][0]["message"],
        "expected an array of image URLs (strings), found a string"
    );
    let images = r["images"].as_array().unwrap();
    assert_eq!(images.len(), 7, "{r}");
    assert!(images[0]["sha256"].is_string());
    // Too large for the fetch cap, and not there at all: refused, the item kept.
    assert_eq!(
        images[5]["refused"],
        format!(
            "{base}/big.png: not fetched: gave up on {base}/big.png: the answer is larger than \
             1000000 bytes"
        )
    );
    assert_eq!(
        images[6]["refused"],
        format!("{base}/gone.png: not fetched: {base}/gone.png answered HTTP 404 Not Found")
    );
    assert_eq!(
        images[4]["refused"],
        format!("{base}/photo: not fetched: an item takes at most 4 image URLs")
    );
}
