//! The OpenAPI document says what the server does (issue 17, findings 1 and 2): a client
//! generated from it can send every body, read every response, knows how to authenticate
//! and which errors to expect. The document is checked here against the server's own
//! answers; `tests/api/run.sh` checks it with schemathesis and a generated Python client.

use serde_json::{Value, json};

use crate::util::{Desk, desk};

/// The schema `r` stands for (following `$ref`s into `components.schemas`).
fn resolve<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        s = &doc["components"]["schemas"][name];
        assert!(s.is_object(), "no schema {name}");
    }
    s
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// Whether `v` is valid under `schema`, strictly: an object may hold only the properties
/// its schema declares (two types sharing a schema name fail here), and every required one.
fn check(doc: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let s = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let errors: Vec<String> = alts
                .iter()
                .filter_map(|alt| check(doc, alt, v, at).err())
                .collect();
            if errors.len() == alts.len() {
                return Err(format!("{at}: no alternative of {key} fits: {errors:?}"));
            }
            return Ok(());
        }
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| type_matches(t, v)) {
            return Err(format!("{at}: {v} is not of type {t}"));
        }
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array)
        && !values.contains(v)
    {
        return Err(format!("{at}: {v} is not one of {values:?}"));
    }
    match v {
        Value::Object(o) => {
            let props = s.get("properties").and_then(Value::as_object);
            let additional = s.get("additionalProperties");
            if props.is_none() && additional.is_none() {
                // A free-form object (`details`): any properties.
                return Ok(());
            }
            for (k, val) in o {
                match props.and_then(|p| p.get(k)) {
                    Some(p) => check(doc, p, val, &format!("{at}.{k}"))?,
                    None => match additional {
                        Some(a) if a.is_object() => check(doc, a, val, &format!("{at}.{k}"))?,
                        _ => return Err(format!("{at}: property {k} is not in the schema {s}")),
                    },
                }
            }
            for r in s["required"].as_array().into_iter().flatten() {
                let r = r.as_str().unwrap();
                if !o.contains_key(r) {
                    return Err(format!("{at}: required {r} missing"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = s.get("items") {
                for (i, val) in items.iter().enumerate() {
                    check(doc, item, val, &format!("{at}[{i}]"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The operation `method path` of the document.
fn operation<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    op
}

/// Asserts that the server's answer to `method uri` (documented as `path`) is one of the
/// operation's documented responses and fits its schema.
async fn conforms(d: &Desk, doc: &Value, method: &str, path: &str, uri: &str, body: Option<Value>) {
    let a = match body {
        Some(b) => d.post_json_as(uri, &d.admin_token, b).await,
        None => d.get(uri).await,
    };
    let op = operation(doc, method, path);
    let status = a.status.as_u16().to_string();
    let response = &op["responses"][&status];
    assert!(
        response.is_object(),
        "{method} {uri}: {status} is not documented: {}",
        a.body
    );
    let content = response["content"]
        .as_object()
        .expect("a body is documented");
    let content_type = a.header("content-type").split(';').next().unwrap().trim();
    let media = content
        .get(content_type)
        .unwrap_or_else(|| panic!("{method} {uri}: {content_type} not documented"));
    let value: Value = serde_json::from_str(&a.body).unwrap();
    if let Err(e) = check(doc, &media["schema"], &value, "$") {
        panic!(
            "{method} {uri} ({status}) does not fit its schema: {e}\n{}",
            a.body
        );
    }
}

async fn document(d: &Desk) -> Value {
    d.get_anon("/api/openapi.json").await.json()
}

/// Finding 1: case evidence and burst evidence shared the name `EvidenceView` (and a case's
/// verdict and a fact-check's verdict `VerdictView`), so one of each pair was described by
/// the other's schema and a generated client failed to read `GET /api/cases/{id}`.
#[tokio::test]
async fn every_response_fits_its_documented_schema() {
    let d = desk().await;
    let doc = document(&d).await;
    let editor = d.token_of(2).await;
    // A case with evidence, a note and a verdict, so every part of its detail is there.
    let case = d
        .post_json_as("/api/items/2/case", &editor, json!({}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    for (p, body) in [
        ("transition", json!({"to": "verifying"})),
        (
            "evidence",
            json!({"url": "https://x.example/a", "title": "A", "note": "n"}),
        ),
        ("notes", json!({"text": "checked"})),
        (
            "verdict",
            json!({"claim": "Vaccines cause infertility", "rating": "false", "summary": "No."}),
        ),
    ] {
        let a = d
            .post_json_as(&format!("/api/cases/{case}/{p}"), &editor, body)
            .await;
        assert_eq!(a.status.as_u16(), 200, "{p}: {}", a.body);
    }
    for (path, uri) in [
        ("/api/items", "/api/items".to_string()),
        ("/api/items/{id}", "/api/items/1".to_string()),
        ("/api/factchecks", "/api/factchecks".to_string()),
        ("/api/factchecks/{id}", "/api/factchecks/1".to_string()),
        (
            "/api/factchecks/{id}.jsonld",
            "/api/factchecks/1.jsonld".to_string(),
        ),
        ("/api/cases", "/api/cases".to_string()),
        ("/api/cases/{id}", format!("/api/cases/{case}")),
        ("/api/narratives", "/api/narratives".to_string()),
        ("/api/narratives/{id}", "/api/narratives/1".to_string()),
        ("/api/alerts", "/api/alerts".to_string()),
        ("/api/items/{id}", "/api/items/x".to_string()),
        ("/api/items", "/api/items?page=0".to_string()),
    ] {
        conforms(&d, &doc, "get", path, &uri, None).await;
    }
    let detail = d.get(&format!("/api/cases/{case}")).await.json();
    assert_eq!(detail["evidence"][0]["title"], "A", "{detail}");
    let narrative = d.get("/api/narratives/1").await.json();
    assert!(
        narrative["narrative"]["burst"]["evidence"][0]["at"].is_string(),
        "the burst's evidence is there to be checked: {narrative}"
    );
    conforms(
        &d,
        &doc,
        "post",
        "/api/match",
        "/api/match",
        Some(json!({"text": "hot lemon water", "top": 2})),
    )
    .await;
    conforms(
        &d,
        &doc,
        "post",
        "/api/items",
        "/api/items",
        Some(json!([{"id": "o1", "text": "lemon water cures"}, {"id": "o2"}])),
    )
    .await;
}

/// Finding 1: `POST /api/items` declared its body as a JSON string, and not JSON Lines.
#[tokio::test]
async fn the_items_body_is_described_for_each_content_type() {
    let d = desk().await;
    let doc = document(&d).await;
    let content = &operation(&doc, "post", "/api/items")["requestBody"]["content"];
    let json = resolve(&doc, &content["application/json"]["schema"]);
    let alternatives = json["oneOf"].as_array().expect("one item or an array");
    let item = resolve(&doc, &alternatives[0]);
    assert_eq!(item["required"], json!(["text"]), "{item}");
    assert_eq!(alternatives[1]["type"], "array", "{json}");
    assert_eq!(content["application/x-ndjson"]["schema"]["type"], "string");
    // What the schema describes is what the server takes: one item, an array.
    for body in [
        json!({"id": "s1", "text": "one"}),
        json!([{"id": "s2", "text": "two"}]),
    ] {
        check(&doc, &content["application/json"]["schema"], &body, "$").unwrap();
        let a = d.post_json("/api/items", body.to_string()).await;
        assert_eq!(a.json()["added"], 1, "{}", a.body);
    }
}

/// Finding 2: bearer auth was invisible to tools.
#[tokio::test]
async fn the_document_says_how_to_authenticate() {
    let d = desk().await;
    let doc = document(&d).await;
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearerAuth"]["type"], "http");
    assert_eq!(schemes["bearerAuth"]["scheme"], "bearer");
    assert_eq!(schemes["sessionCookie"]["type"], "apiKey");
    assert_eq!(schemes["sessionCookie"]["in"], "cookie");
    assert_eq!(schemes["sessionCookie"]["name"], "claimdesk_session");
    for (method, path) in claimdesk_server::api_routes() {
        let op = operation(&doc, &method, path);
        let uri = path.replace("{id}", "1");
        let anonymous = d
            .send_anon(
                axum::http::Request::builder()
                    .method(method.to_uppercase().as_str())
                    .uri(&uri)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from("{}"))
                    .unwrap(),
            )
            .await;
        if op["security"] == json!([]) {
            assert_ne!(anonymous.status.as_u16(), 401, "{method} {path} is public");
        } else {
            assert_eq!(
                op["security"],
                json!([{"bearerAuth": []}, {"sessionCookie": []}]),
                "{method} {path}"
            );
            anonymous.assert_error(401, "unauthorized");
            assert_eq!(
                op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path}"
            );
        }
    }
}

/// Finding 2: 400, 401, 415 and 422 were undocumented on most operations.
#[tokio::test]
async fn every_operation_documents_the_errors_it_can_give() {
    let d = desk().await;
    let doc = document(&d).await;
    for (method, path) in claimdesk_server::api_routes() {
        let op = operation(&doc, &method, path);
        let mut expected = vec![];
        if path.contains("{id}") {
            expected.extend(["400", "404"]);
        }
        if op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"))
        {
            expected.push("400");
        }
        if op.get("requestBody").is_some() {
            expected.extend(["400", "413", "415", "422"]);
        }
        if op["security"] != json!([]) {
            expected.push("401");
        }
        for status in expected {
            let r = &op["responses"][status];
            assert_eq!(
                r["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} {status}: {r}"
            );
        }
    }
    // The derived descriptions name the codes.
    let r = &operation(&doc, "post", "/api/cases/{id}/notes")["responses"]["415"];
    assert!(
        r["description"]
            .as_str()
            .unwrap()
            .contains("`unsupported_media_type`"),
        "{r}"
    );
    // And the server gives them.
    d.send(
        axum::http::Request::post("/api/cases/1/notes")
            .header("content-type", "text/plain")
            .body(axum::body::Body::from("x"))
            .unwrap(),
    )
    .await
    .assert_error(415, "unsupported_media_type");
}

/// Finding 2: query parameters were declared as free strings, though validated as numbers
/// or names; `top` said `minimum: 0`; an int32 field took 2^31.
#[tokio::test]
async fn parameters_are_declared_as_the_server_validates_them() {
    let d = desk().await;
    let doc = document(&d).await;
    let param = |method: &str, path: &str, name: &str| -> Value {
        operation(&doc, method, path)["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} {name}"))["schema"]
            .clone()
    };
    let page = param("get", "/api/items", "page");
    assert_eq!(
        (page["minimum"].as_u64(), page["maximum"].as_u64()),
        (Some(1), Some(1_000_000))
    );
    assert!(page["type"].to_string().contains("integer"), "{page}");
    let per_page = param("get", "/api/factchecks", "per_page");
    assert_eq!(per_page["maximum"], 100, "{per_page}");
    assert_eq!(
        param("get", "/api/items", "status")["enum"],
        json!(["matched", "unmatched", "confident", "review"])
    );
    let statuses: Vec<&str> = claimdesk_core::CaseStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        param("get", "/api/cases", "status")["enum"],
        json!(statuses)
    );
    assert_eq!(param("get", "/api/items", "case")["enum"], json!(statuses));
    assert!(
        param("get", "/api/cases", "assignee")["type"]
            .to_string()
            .contains("integer")
    );
    let rules: Vec<&str> = claimdesk_core::AlertRule::ALL
        .iter()
        .map(|r| r.as_str())
        .collect();
    assert_eq!(param("get", "/api/alerts", "rule")["enum"], json!(rules));
    assert_eq!(param("get", "/api/narratives", "since")["format"], "date");
    assert!(
        param("get", "/api/narratives", "bursts")["type"]
            .to_string()
            .contains("boolean")
    );
    let min_items = param("get", "/api/narratives", "min_items");
    assert_eq!(min_items["maximum"], 1_000_000, "{min_items}");
    let schemas = &doc["components"]["schemas"];
    let top = &schemas["MatchRequest"]["properties"]["top"];
    assert_eq!(
        (top["minimum"].as_u64(), top["maximum"].as_u64()),
        (Some(1), Some(50))
    );
    // `matched_existing` is set by linking a fact-check, never by a transition.
    let movable: Vec<&str> = statuses
        .iter()
        .copied()
        .filter(|s| *s != "matched_existing")
        .collect();
    assert_eq!(
        schemas["TransitionRequest"]["properties"]["to"]["enum"],
        json!(movable)
    );
    // The desk's rating scale, one spelling of each verdict.
    let ratings = &schemas["VerdictRequest"]["properties"]["rating"]["enum"];
    assert!(
        ratings.as_array().unwrap().contains(&json!("false")),
        "{ratings}"
    );
    assert!(
        !ratings.as_array().unwrap().contains(&json!("False")),
        "{ratings}"
    );
    // The server refuses what the document says is out of range.
    for uri in [
        "/api/narratives?min_items=2147483648",
        "/api/narratives?min_items=1000001",
        "/api/narratives?bursts=yes",
        "/api/alerts?rule=loud",
        "/api/cases?assignee=x",
        "/api/items?per_page=101",
    ] {
        d.get(uri).await.assert_error(400, "invalid_query");
    }
    assert_eq!(d.get("/api/narratives?min_items=1000000").await.status, 200);
}
