//! The JSON API's read side and `POST /api/match`.

use serde_json::json;

use crate::util::desk;

#[tokio::test]
async fn items_list_with_filters_and_paging() {
    let d = desk().await;
    let a = d.get("/api/items").await;
    assert_eq!(a.status, 200);
    let b = a.json();
    assert_eq!(b["paging"]["total"], 3);
    assert_eq!(b["items"][0]["item"]["external_id"], "p3");
    assert!(b["items"][0]["top_match"].is_null());
    let top = &b["items"][2]["top_match"];
    assert_eq!(top["fact_check"]["claim"], "Hot lemon water cures cancer");
    assert_eq!(top["why"]["confident"], true);
    assert_eq!(
        top["why"]["retrievers"],
        json!(["lexical", "near-duplicate"])
    );
    let b = d.get("/api/items?status=review").await.json();
    assert_eq!(b["paging"]["total"], 1);
    assert_eq!(b["items"][0]["item"]["language"], "vi");
    let b = d.get("/api/items?per_page=2&page=2").await.json();
    assert_eq!(
        b["paging"],
        json!({"total": 3, "total_exact": true, "page": 2, "per_page": 2, "pages": 2})
    );
    assert_eq!(b["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_item_with_its_matches() {
    let d = desk().await;
    let b = d.get("/api/items/1").await.json();
    assert_eq!(b["item"]["url"], "https://social.example/post/1");
    let m = &b["matches"][0];
    assert_eq!(m["rank"], 1);
    assert_eq!(m["fact_check"]["verdict"], "False");
    assert_eq!(m["why"]["lexical"], 4.25);
    assert_eq!(m["why"]["terms"][0]["field"], "claim_exact");
    assert_eq!(m["why"]["features"][0]["name"], "term_overlap");
}

#[tokio::test]
async fn fact_checks_list_search_and_detail() {
    let d = desk().await;
    let b = d.get("/api/factchecks").await.json();
    assert_eq!(b["paging"]["total"], 3);
    let b = d.get("/api/factchecks?q=lemon").await.json();
    assert_eq!(b["paging"]["total"], 2);
    let b = d.get("/api/factchecks/1").await.json();
    assert_eq!(b["fact_check"]["verdict"]["label"], "False");
    assert_eq!(b["fact_check"]["verdict"]["best"], 5.0);
    assert_eq!(b["aliases"][0]["source_id"], "fc-lemon-2");
    assert_eq!(b["aliases"][0]["alias_of"], 1);
}

#[tokio::test]
async fn match_ranks_fact_checks_with_explanations() {
    let d = desk().await;
    let a = d
        .post_json(
            "/api/match",
            r#"{"text": "Does hot lemon water cure cancer?", "top": 3}"#,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let b = a.json();
    let m = &b["matches"][0];
    assert_eq!(m["fact_check"]["id"], 1);
    assert_eq!(m["rank"], 1);
    // The real ranker (lexical: the tests load no model) explains by terms.
    assert!(m["why"]["lexical"].as_f64().unwrap() > 0.0, "{}", m["why"]);
    assert!(
        m["why"]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["term"] == "lemon"),
        "{}",
        m["why"]
    );
    let b = d
        .post_json("/api/match", r#"{"text": "nothing to see"}"#)
        .await
        .json();
    assert_eq!(b["matches"], json!([]));
}

#[tokio::test]
async fn match_validates_its_request() {
    let d = desk().await;
    let long = "a".repeat(20_001);
    for body in [
        json!({"text": "   "}),
        json!({"text": long}),
        json!({"text": "lemon", "top": 0}),
        json!({"text": "lemon", "top": 51}),
        json!({"text": "lemon", "top": -1}),
        json!({"top": 3}),
        json!({"text": 5}),
        json!({"text": "lemon", "unknown": true}),
    ] {
        d.post_json("/api/match", body.to_string())
            .await
            .assert_error(422, "invalid_request");
    }
    let ok = json!({"text": "a".repeat(20_000), "top": 50}).to_string();
    assert_eq!(d.post_json("/api/match", ok).await.status, 200);
}

#[tokio::test]
async fn partners_post_items_which_are_stored_once_and_matched() {
    let d = desk().await;
    let editor = d.token_of(2).await;
    let body = json!([
        {"id": "tip-1", "source": "partner", "text": "My aunt says hot lemon water cures cancer", "published_at": "2026-11-30T08:00:00Z"},
        {"id": "tip-2", "source": "partner"},
        {"id": "tip-3", "source": "partner", "text": "The river flooded the market on Monday"}
    ]);
    // Pretty-printed, one record per line after the bracket: the refused one starts on line 3.
    let pretty = serde_json::to_string(&body)
        .unwrap()
        .replace("},{", "},\n{")
        .replace("[{", "[\n{");
    let a = d
        .send_anon(
            axum::http::Request::post("/api/items")
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {editor}"))
                .body(axum::body::Body::from(pretty))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let r = a.json();
    assert_eq!(
        (r["added"].as_u64(), r["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(r["items"].as_array().unwrap().len(), 2);
    assert_eq!(r["matched"], 1);
    let refused = &r["rejected_records"][0];
    assert_eq!(refused["field"], "text");
    assert_eq!(
        refused["line"], 3,
        "the line of the body the record starts on"
    );
    // The stored item carries its top match and its detected language.
    let id = r["items"][0].as_i64().unwrap();
    let b = d.get(&format!("/api/items/{id}")).await.json();
    assert_eq!(b["item"]["external_id"], "tip-1");
    assert!(b["item"]["language"].is_string(), "detected: {b}");
    assert_eq!(
        b["matches"][0]["fact_check"]["claim"],
        "Hot lemon water cures cancer"
    );
    // Posting the same items again changes nothing.
    let r = d.post_json_as("/api/items", &editor, body).await.json();
    assert_eq!(
        (r["added"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(r["items"], json!([]));
    assert_eq!(d.get("/api/items").await.json()["paging"]["total"], 5);
}

#[tokio::test]
async fn item_intake_refuses_bad_bodies_and_low_roles() {
    let d = desk().await;
    let editor = d.token_of(2).await;
    let viewer = d.token_of(4).await;
    let one = json!({"id": "x", "text": "a claim"});
    d.post_json_as("/api/items", &viewer, one.clone())
        .await
        .assert_error(403, "forbidden");
    let send = |content_type: &'static str, body: &'static str| {
        axum::http::Request::post("/api/items")
            .header("content-type", content_type)
            .header("authorization", format!("Bearer {editor}"))
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    d.send_anon(send("text/plain", "{\"text\": \"a\"}"))
        .await
        .assert_error(415, "unsupported_media_type");
    d.send_anon(send("application/json", "{\"text\": "))
        .await
        .assert_error(400, "invalid_json");
    d.send_anon(send("application/json", "  "))
        .await
        .assert_error(422, "invalid_request");
    d.send_anon(send("application/json", "[{\"id\": 1}]"))
        .await
        .assert_error(422, "invalid_request");
    // JSON Lines work too; nothing was stored by the refused requests.
    let a = d
        .send_anon(send(
            "application/x-ndjson",
            "{\"id\": \"n1\", \"text\": \"first\"}\n{\"id\": \"n2\", \"text\": \"second\"}\n",
        ))
        .await;
    assert_eq!(a.json()["added"], 2, "{}", a.body);
    assert_eq!(d.get("/api/items").await.json()["paging"]["total"], 5);
}
