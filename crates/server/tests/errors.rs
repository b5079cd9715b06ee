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

/// Issue 15, finding 2: an error a layer or the router made (413 on a body without a declared
/// length, 400 for a bad id, 405) gets its error body after the compression layer; the new
/// body must not keep the `content-encoding: gzip` of the plain text it replaced.
#[tokio::test]
async fn regression_error_bodies_are_never_labelled_gzip() {
    let d = desk().await;
    let big = format!(r#"{{"text": "{}"}}"#, "a".repeat(1024 * 1024 + 10));
    let form = format!("username=a&password={}", "a".repeat(1024 * 1024 + 10));
    let requests = [
        Request::post("/api/match")
            .header("content-type", "application/json")
            .body(futures_stream(big))
            .unwrap(),
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(futures_stream(form))
            .unwrap(),
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("garbage=1"))
            .unwrap(),
        Request::get("/cases?status=a&status=b")
            .body(Body::empty())
            .unwrap(),
        Request::get("/items/abc").body(Body::empty()).unwrap(),
        Request::get("/api/items/abc").body(Body::empty()).unwrap(),
        Request::get("/factchecks?page=x")
            .body(Body::empty())
            .unwrap(),
        Request::delete("/api/items/1").body(Body::empty()).unwrap(),
    ];
    for mut req in requests {
        req.headers_mut()
            .insert("accept-encoding", "gzip".parse().unwrap());
        let what = format!("{} {}", req.method(), req.uri());
        let a = d.send_raw(req).await;
        assert!(a.status.is_client_error(), "{what}: {}", a.status);
        let body = a.decoded();
        let ct = a.headers["content-type"].to_str().unwrap();
        if ct.starts_with("application/json") {
            let v: serde_json::Value = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body}"));
            assert!(v["code"].is_string(), "{what}: {v}");
        } else {
            assert!(ct.starts_with("text/html"), "{what}: {ct}");
            assert!(body.contains("</html>"), "{what}: {body}");
        }
    }
}
