//! Health, metrics and the OpenAPI document.

use crate::util::desk;

#[tokio::test]
async fn healthz_reports_the_store() {
    let d = desk().await;
    let a = d.get("/healthz").await;
    assert_eq!(a.status, 200);
    let b = a.json();
    assert_eq!(b["status"], "ok");
    assert_eq!(b["fact_checks"], 3);
    assert_eq!(b["items"], 3);
}

/// Parses the Prometheus text format strictly enough to catch a malformed line: comments are
/// `# HELP name text` or `# TYPE name kind`; samples are `name{labels} value`.
fn parse_prometheus(text: &str) -> Vec<(String, String, f64)> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap();
            assert!(kind == "HELP" || kind == "TYPE", "{line}");
            let name = parts.next().unwrap();
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            if kind == "TYPE" {
                let t = parts.next().unwrap();
                assert!(["counter", "gauge", "histogram"].contains(&t), "{line}");
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("value: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => {
                let l = l
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("labels: {line}"));
                for pair in l.split("\",").filter(|p| !p.is_empty()) {
                    let (k, v) = pair
                        .split_once("=\"")
                        .unwrap_or_else(|| panic!("label: {line}"));
                    assert!(
                        k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                        "{line}"
                    );
                    assert!(!v.trim_end_matches('"').contains('"'), "{line}");
                }
                (n, l.to_string())
            }
            None => (series, String::new()),
        };
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        samples.push((name.to_string(), labels, value));
    }
    samples
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_requests_by_route() {
    let d = desk().await;
    d.get("/items/1").await;
    d.get("/items/2").await;
    d.get("/api/items/abc").await;
    let a = d.get("/metrics").await;
    assert_eq!(a.status, 200);
    assert!(
        a.header("content-type")
            .starts_with("text/plain; version=0.0.4")
    );
    let samples = parse_prometheus(&a.body);
    let find = |name: &str, labels: &str| {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l == labels)
            .map(|s| s.2)
    };
    assert_eq!(find("claimdesk_factchecks", ""), Some(3.0));
    assert_eq!(find("claimdesk_items", ""), Some(3.0));
    assert_eq!(
        find(
            "claimdesk_http_requests_total",
            "route=\"/items/{id}\",method=\"GET\",status=\"200\""
        ),
        Some(2.0)
    );
    assert_eq!(
        find(
            "claimdesk_http_requests_total",
            "route=\"/api/items/{id}\",method=\"GET\",status=\"400\""
        ),
        Some(1.0)
    );
    assert_eq!(
        find(
            "claimdesk_http_request_duration_seconds_count",
            "route=\"/items/{id}\""
        ),
        Some(2.0)
    );
    assert_eq!(
        find(
            "claimdesk_http_request_duration_seconds_bucket",
            "route=\"/items/{id}\",le=\"+Inf\""
        ),
        Some(2.0)
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let d = desk().await;
    let a = d.get("/api/openapi.json").await;
    assert_eq!(a.status, 200);
    let doc = a.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    // The document has exactly the routes of the table, each with its method...
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.clone(), p.clone()))
        })
        .collect();
    documented.sort();
    let mut table: Vec<(String, String)> = claimdesk_server::api_routes()
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    table.sort();
    assert_eq!(documented, table);
    // ...and the router serves each of them (a documented route that 404s would be a lie).
    for (method, path) in claimdesk_server::api_routes() {
        let uri = path.replace("{id}", "1");
        let req = axum::http::Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&uri)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(if method == "post" {
                r#"{"text":"lemon"}"#
            } else {
                ""
            }))
            .unwrap();
        let a = d.send(req).await;
        if path == "/api/match" || method == "get" {
            assert_eq!(a.status, 200, "{method} {uri}: {}", a.body);
        } else {
            // The change routes take other bodies: served, and the body refused (415 from
            // the one that takes a form, `POST /api/items/upload`).
            assert!(
                [200, 404, 409, 422, 415].contains(&a.status.as_u16()),
                "{method} {uri}: {}",
                a.body
            );
        }
    }
    // Every schema the operations refer to is defined.
    let text = a.body;
    for (i, _) in text.match_indices("#/components/schemas/") {
        let rest = &text[i + "#/components/schemas/".len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
    assert_eq!(claimdesk_server::openapi().paths.paths.len(), paths.len());
}

/// A request with the method `JUNK{i}` to a route and to a path that is none.
async fn junk(d: &crate::util::Desk, i: usize) {
    let method = axum::http::Method::from_bytes(format!("JUNK{i}").as_bytes()).unwrap();
    let uri = format!("/no/such/path/{i}");
    for path in ["/items/1", uri.as_str()] {
        let a = d
            .send(
                axum::http::Request::builder()
                    .method(method.clone())
                    .uri(path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(a.status.is_client_error(), "{method} {path}: {}", a.status);
    }
}

/// Issue 15, finding 4: each distinct HTTP method string was a new series, so anyone could
/// grow `/metrics` (and the server's memory) without bound. Every label takes its values from
/// a fixed set: known methods and route templates, `other` for the rest.
#[tokio::test]
async fn regression_junk_methods_and_paths_do_not_grow_metrics() {
    let d = desk().await;
    for i in 0..10 {
        junk(&d, i).await;
    }
    d.get("/metrics").await;
    let series = d.get("/metrics").await.body.lines().count();
    for i in 10..300 {
        junk(&d, i).await;
    }
    let a = d.get("/metrics").await;
    let samples = parse_prometheus(&a.body);
    assert_eq!(
        a.body.lines().count(),
        series,
        "290 more junk requests added series: {}",
        a.body
    );
    assert!(!a.body.contains("JUNK"), "{}", a.body);
    assert!(!a.body.contains("/no/such/path"), "{}", a.body);
    let total = |labels: &str| {
        samples
            .iter()
            .find(|(n, l, _)| n == "claimdesk_http_requests_total" && l == labels)
            .map(|s| s.2)
    };
    assert_eq!(
        total("route=\"/items/{id}\",method=\"other\",status=\"405\""),
        Some(300.0),
        "{}",
        a.body
    );
    assert_eq!(
        total("route=\"unmatched\",method=\"other\",status=\"404\""),
        Some(300.0),
        "{}",
        a.body
    );
}
