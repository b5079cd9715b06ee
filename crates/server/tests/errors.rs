//! Bad requests get the JSON error body with their code, never a 500 or plain text.

use axum::body::Body;
use axum::http::Request;

use crate::util::desk;

#[tokio::test]
async fn an_oversized_body_is_payload_too_large() {
    let d = desk().await;
    let big = format!(r#"{{"text": "{}"}}"#, "a".repeat(1024 * 1024 + 10));
    d.post_json("/api/match", big.clone())
        .await
        .assert_error(413, "payload_too_large");
    // Without a declared length, too.
    let stream = futures_stream(big);
    let a = d
        .send(
            Request::post("/api/match")
                .header("content-type", "application/json")
                .body(stream)
                .unwrap(),
        )
        .await;
    a.assert_error(413, "payload_too_large");
}

/// A body of unknown length.
fn futures_stream(s: String) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = s
        .into_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(c.to_vec()))
        .collect();
    Body::from_stream(tokio_stream_iter(chunks))
}

fn tokio_stream_iter(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    struct Iter(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);
    impl futures_core::Stream for Iter {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Iter(chunks.into_iter())
}

#[tokio::test]
async fn a_wrong_content_type_is_unsupported_media_type() {
    let d = desk().await;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = Request::post("/api/match");
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let a = d
            .send(req.body(Body::from(r#"{"text":"x"}"#)).unwrap())
            .await;
        a.assert_error(415, "unsupported_media_type");
    }
}

#[tokio::test]
async fn malformed_json_is_invalid_json() {
    let d = desk().await;
    for body in [
        r#"{"text": "x""#,
        "not json",
        "",
        r#"{"text": "x"} trailing"#,
    ] {
        d.post_json("/api/match", body)
            .await
            .assert_error(400, "invalid_json");
    }
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let d = desk().await;
    d.get("/api/items/999").await.assert_error(404, "not_found");
    d.get("/api/factchecks/999")
        .await
        .assert_error(404, "not_found");
    for uri in [
        "/api/items/abc",
        "/api/factchecks/1.5",
        "/api/items/99999999999999999999999",
    ] {
        d.get(uri).await.assert_error(400, "invalid_path");
    }
    d.get("/api/nothing").await.assert_error(404, "not_found");
}

#[tokio::test]
async fn bad_query_parameters_and_methods() {
    let d = desk().await;
    for uri in [
        "/api/items?status=maybe",
        "/api/items?from=yesterday",
        "/api/items?page=0",
        "/api/items?per_page=1000",
        "/api/factchecks?page=x",
    ] {
        d.get(uri).await.assert_error(400, "invalid_query");
    }
    let long = format!("/api/factchecks?q={}", "a".repeat(201));
    d.get(&long).await.assert_error(400, "invalid_query");
    d.get("/api/match")
        .await
        .assert_error(405, "method_not_allowed");
    let a = d
        .send(Request::delete("/api/items/1").body(Body::empty()).unwrap())
        .await;
    a.assert_error(405, "method_not_allowed");
    assert!(a.header("allow").contains("GET"));
}
