//! A desk with a few fact-checks and items (one of them hostile), and request helpers.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use claimdesk_core::{FactCheck, FactCheckId, Item, Rating};
use claimdesk_server::{AppState, MatchError, MatchService, RankedMatch, ServerConfig};
use claimdesk_store::{ImportSource, NewFactCheck, NewItem, SqliteStore, Store, StoredMatch};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// Hostile text an item may carry.
pub const HOSTILE_TEXT: &str = "<script>alert(1)</script> <img src=x onerror=alert(1)> trust me";

/// Matches any text mentioning lemons to fact-check 1.
struct LemonMatcher;

impl MatchService for LemonMatcher {
    fn rank(&self, text: &str, k: usize) -> Result<Vec<RankedMatch>, MatchError> {
        if !text.to_lowercase().contains("lemon") && !text.contains("chanh") {
            return Ok(Vec::new());
        }
        Ok(vec![RankedMatch {
            fact_check: FactCheckId(1),
            score: 0.93,
            explanation: json!({"lexical": 7.5, "retrievers": ["lexical", "dense"], "cosine": 0.88, "confident": true, "terms": [], "near_duplicate": 0.0, "near_duplicate_distance": null}),
        }]
        .into_iter()
        .take(k)
        .collect())
    }
}

pub struct Desk {
    pub _dir: tempfile::TempDir,
    pub app: Router,
}

fn source() -> ImportSource<'static> {
    ImportSource {
        file: "test",
        format: "jsonl",
        diagnostics: &[],
        actor: claimdesk_core::Actor::Cli,
    }
}

pub async fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).await.unwrap();
    let fc = |id: &str, claim: &str, headline: &str, label: &str, lang: &str| NewFactCheck {
        fact_check: FactCheck {
            source_id: id.into(),
            claim: claim.into(),
            headline: Some(headline.into()),
            rating: Some(Rating {
                value: Some(1.0),
                best: Some(5.0),
                worst: Some(1.0),
                label: Some(label.into()),
            }),
            author: Some("Sample Desk".into()),
            date_published: Some("2026-01-12".into()),
            url: Some(format!("https://factcheck.example/{id}")),
            language: Some(lang.into()),
            appearances: vec![
                "https://social.example/1".into(),
                "javascript:alert(2)".into(),
            ],
            ..FactCheck::default()
        },
        duplicate_key: claim.into(),
    };
    store
        .save_fact_checks(
            &[
                fc(
                    "fc-lemon",
                    "Hot lemon water cures cancer",
                    "Lemon water does not cure cancer",
                    "False",
                    "en",
                ),
                fc(
                    "fc-vac",
                    "Tiêm vắc-xin gây vô sinh",
                    "Không có bằng chứng vắc-xin gây vô sinh",
                    "Sai sự thật",
                    "vi",
                ),
                fc(
                    "fc-lemon-2",
                    "Hot lemon water cures cancer",
                    "Repeat",
                    "False",
                    "en",
                ),
            ],
            source(),
        )
        .await
        .unwrap();
    let item = |key: &str, text: &str, url: &str, lang: &str, at: &str| NewItem {
        key: key.into(),
        item: Item {
            external_id: Some(key.into()),
            text: text.into(),
            url: Some(url.into()),
            published_at: Some(at.into()),
            source: Some("social.example".into()),
            language: Some(lang.into()),
        },
    };
    let (_, ids) = store
        .save_items(
            &[
                item(
                    "p1",
                    "Drink hot lemon water every morning, it kills cancer cells",
                    "https://social.example/post/1",
                    "en",
                    "2026-01-09T06:42:00+07:00",
                ),
                item(
                    "p2",
                    "tiem vac xin xong la vo sinh luon",
                    "https://social.example/post/2",
                    "vi",
                    "2026-01-18T21:07:00+07:00",
                ),
                item(
                    "p3",
                    HOSTILE_TEXT,
                    "javascript:alert(1)",
                    "en",
                    "2026-01-20T10:00:00Z",
                ),
            ],
            source(),
        )
        .await
        .unwrap();
    let m = |fc, confident: bool| StoredMatch {
        fact_check: FactCheckId(fc),
        rank: 1,
        score: 0.8,
        explanation: json!({
            "lexical": 4.25, "near_duplicate": 0.0, "near_duplicate_distance": null,
            "terms": [{"term": "lemon", "field": "claim_exact", "score": 2.5}],
            "retrievers": ["lexical", "near-duplicate"],
            "features": [{"name": "term_overlap", "value": 0.6, "effect": 1.25}],
            "confident": confident,
        }),
    };
    store.save_matches(ids[0], &[m(1, true)]).await.unwrap();
    store.save_matches(ids[1], &[m(2, false)]).await.unwrap();
    let state = AppState::new(store, Arc::new(LemonMatcher), ServerConfig::default());
    Desk {
        _dir: dir,
        app: claimdesk_server::router(state),
    }
}

/// A finished response: status, headers, body as text.
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the JSON error body of `code` with `status`.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        assert!(
            self.header("content-type").starts_with("application/json"),
            "{:?}",
            self.headers
        );
        let b = self.json();
        assert_eq!(b["code"], code, "{b}");
        assert!(["invalid_request", "auth", "internal"].contains(&b["type"].as_str().unwrap()));
        assert!(!b["message"].as_str().unwrap().is_empty());
    }
}

impl Desk {
    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res: Response<Body> = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str) -> Answer {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with(&self, uri: &str, header: &str, value: &str) -> Answer {
        self.send(
            Request::get(uri)
                .header(header, value)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, body: impl Into<Body>) -> Answer {
        self.send(
            Request::post(uri)
                .header("content-type", "application/json")
                .body(body.into())
                .unwrap(),
        )
        .await
    }
}
