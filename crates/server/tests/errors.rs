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

/// Asserts an internal error's body: its code, the code's message, the request id of the
/// response, and none of `secrets` (SQL text, table names, paths).
fn assert_internal(a: &crate::util::Answer, status: u16, code: &str, secrets: &[&str]) {
    a.assert_error(status, code);
    let b = a.json();
    let id = b["request_id"].as_str().unwrap_or_default();
    assert!(!id.is_empty(), "{b}");
    assert_eq!(a.header("x-request-id"), id);
    assert_eq!(b["type"], "internal", "{b}");
    for s in secrets {
        assert!(!a.body.contains(s), "{s:?} reached the client: {}", a.body);
    }
}

/// What the server logs while `f` runs (this thread's tracing events, as text).
async fn logged<T>(f: impl std::future::Future<Output = T>) -> (T, String) {
    #[derive(Clone, Default)]
    struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let out = {
        let _guard = tracing::subscriber::set_default(subscriber);
        f.await
    };
    let text = String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned();
    (out, text)
}

/// Runs SQL on the desk's store file from another connection.
async fn tamper(dir: &std::path::Path, sql: &str) {
    use sqlx::Connection;
    let db = dir.join("data").join("claimdesk.db");
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    c.close().await.unwrap();
}

/// Issue 23, item 7: a database error (a table renamed under the server) answers the code,
/// the message and the request id; the SQL, the table and the file stay in the log.
#[tokio::test]
async fn a_database_error_tells_the_client_its_code_and_request_id_only() {
    let d = desk().await;
    tamper(d._dir.path(), "ALTER TABLE items RENAME TO items_gone").await;
    let data = d._dir.path().display().to_string();
    for uri in ["/api/items", "/api/items/1"] {
        let (a, log) = logged(d.get(uri)).await;
        assert_internal(
            &a,
            500,
            "internal",
            &["SELECT", "items_gone", "no such table", "sqlite", &data],
        );
        // The detail is in the log, under the request's id.
        let id = a.header("x-request-id");
        let line = log
            .lines()
            .find(|l| l.contains("request failed") && l.contains(id))
            .unwrap_or_else(|| panic!("no log line for {id}: {log}"));
        assert!(line.contains("no such table"), "{line}");
    }
    // A client's own safe id is the one answered and logged.
    let a = d.get_with("/api/items", "x-request-id", "report-42").await;
    assert_internal(&a, 500, "internal", &["SELECT", "no such table"]);
    assert_eq!(a.json()["request_id"], "report-42");
    // An id that could forge a log line or carry markup is replaced.
    let a = d.get_with("/api/items", "x-request-id", "<b>x</b>").await;
    let id = a.json()["request_id"].as_str().unwrap().to_string();
    assert!(!id.is_empty() && !id.contains('<'), "{id}");
    // The error page says the same, in HTML.
    let page = d.get("/").await;
    assert_eq!(page.status.as_u16(), 500, "{}", page.body);
    let id = page.header("x-request-id").to_string();
    assert!(
        page.body.contains(&format!("<code>{id}</code>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("<code>internal</code>"), "{}", page.body);
    for s in ["SELECT", "items_gone", "no such table", &data] {
        assert!(!page.body.contains(s), "{s:?} reached the page");
    }
}

/// Issue 23, item 7: an I/O error (the index directory replaced by a file, so the index
/// cannot be opened for writing when the ranker is built) answers the code, the message
/// and the request id; the path and the OS's error stay in the log.
#[tokio::test]
async fn an_io_error_tells_the_client_its_code_and_request_id_only() {
    let d = desk().await;
    let index = d._dir.path().join("data").join("index");
    assert!(index.is_dir(), "{}", index.display());
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::write(&index, b"not a directory").unwrap();
    let (a, log) =
        logged(d.post_json("/api/match", r#"{"text": "hot lemon water cures cancer"}"#)).await;
    let data = d._dir.path().display().to_string();
    assert_internal(
        &a,
        500,
        "internal",
        &[
            &data,
            "index",
            "os error",
            "Not a directory",
            "No such file",
        ],
    );
    let id = a.header("x-request-id");
    let line = log
        .lines()
        .find(|l| l.contains("request failed") && l.contains(id))
        .unwrap_or_else(|| panic!("no log line for {id}: {log}"));
    assert!(line.contains("Not a directory"), "{line}");
}

/// The OpenAPI document describes the request id of the error body.
#[tokio::test]
async fn the_error_schema_documents_the_request_id() {
    let d = desk().await;
    let doc = d.get("/api/openapi.json").await.json();
    let schema = &doc["components"]["schemas"]["ErrorBody"];
    assert!(schema["properties"]["request_id"].is_object(), "{schema}");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for field in ["message", "code", "type", "request_id"] {
        assert!(required.contains(&field), "{field}: {schema}");
    }
}

/// An error page says its code and the request id, as the JSON body would.
#[tokio::test]
async fn an_error_page_shows_its_code_and_request_id() {
    let d = desk().await;
    let page = d.get_with("/items/999", "x-request-id", "page-404").await;
    assert_eq!(page.status.as_u16(), 404);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(
        page.body.contains("<code>not_found</code>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<code>page-404</code>"), "{}", page.body);
}
