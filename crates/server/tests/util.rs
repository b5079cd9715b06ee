//! A desk with a few fact-checks and items (one of them hostile), and request helpers.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use claimdesk_core::{FactCheck, FactCheckId, Item, Rating, Role, UserId};
use claimdesk_engine::{Engine, EngineOptions, StoreHandle};
use claimdesk_server::{AppState, ServerConfig};
use claimdesk_store::prelude::*;
use claimdesk_store::{ImportSource, NewFactCheck, NewItem, NewUser, StoredMatch};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

/// Hostile text an item may carry.
pub const HOSTILE_TEXT: &str = "<script>alert(1)</script> <img src=x onerror=alert(1)> trust me";

/// An engine over a data directory in `dir`, ranking lexically (the real ranker and
/// pipeline; no model, so the tests do not depend on one).
pub async fn engine(dir: &tempfile::TempDir) -> Engine {
    Engine::open(dir.path().join("data"), EngineOptions::lexical())
        .await
        .unwrap()
}

pub struct Desk {
    pub _dir: tempfile::TempDir,
    pub app: Router,
    pub store: StoreHandle,
    /// The engine the server runs on (shared), for what the CLI does beside it (imports).
    pub engine: Engine,
    /// An admin's API token, sent by [`Desk::send`] when a request carries no credentials.
    pub admin_token: String,
}

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in browser: its session cookie and the session's CSRF token.
#[derive(Clone)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
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
    desk_with(ServerConfig::default()).await
}

/// Users of every role: `admin`, `editor`, `reviewer`, `viewer` (ids 1 to 4).
async fn add_users(store: &impl UserStore) {
    let hash = claimdesk_store::auth::hash_password(PASSWORD).unwrap();
    for (name, role) in [
        ("admin", Role::Admin),
        ("editor", Role::Editor),
        ("reviewer", Role::Reviewer),
        ("viewer", Role::Viewer),
    ] {
        store
            .add_user(
                &NewUser {
                    username: name.into(),
                    display_name: Some(format!("{name} name")),
                    role,
                    password: hash.clone(),
                },
                claimdesk_core::Actor::Cli,
            )
            .await
            .unwrap();
    }
}

pub async fn desk_with(config: ServerConfig) -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let engine = crate::util::engine(&dir).await;
    let store = engine.store().clone();
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
        explanation: serde_json::from_value(json!({
            "lexical": 4.25, "near_duplicate": 0.0, "near_duplicate_distance": null,
            "terms": [{"term": "lemon", "field": "claim_exact", "score": 2.5}],
            "retrievers": ["lexical", "near-duplicate"],
            "features": [{"name": "term_overlap", "value": 0.6, "effect": 1.25}],
            "confident": confident,
        }))
        .expect("an explanation"),
    };
    store.save_matches(ids[0], &[m(1, true)]).await.unwrap();
    store.save_matches(ids[1], &[m(2, false)]).await.unwrap();
    add_narratives(&store, &ids).await;
    add_users(&store).await;
    let token = store
        .create_api_token(UserId(1), "tests", claimdesk_core::Actor::Cli)
        .await
        .unwrap();
    let state = AppState::new(engine.clone(), config);
    Desk {
        _dir: dir,
        app: claimdesk_server::router(state),
        store,
        engine,
        admin_token: token.token.expose().to_string(),
    }
}

/// A desk over `store` with an `admin` account whose API token [`Desk::send`] uses.
pub async fn desk_over(dir: tempfile::TempDir, engine: Engine, config: ServerConfig) -> Desk {
    let store = engine.store().clone();
    let hash = claimdesk_store::auth::hash_password(PASSWORD).unwrap();
    let admin = store
        .add_user(
            &NewUser {
                username: "admin".into(),
                display_name: None,
                role: Role::Admin,
                password: hash,
            },
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap();
    let token = store
        .create_api_token(admin.id, "tests", claimdesk_core::Actor::Cli)
        .await
        .unwrap();
    let state = AppState::new(engine.clone(), config);
    Desk {
        _dir: dir,
        app: claimdesk_server::router(state),
        store,
        engine,
        admin_token: token.token.expose().to_string(),
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
        // Every error names its request, as the response header does.
        let id = b["request_id"].as_str().unwrap_or_default();
        assert!(!id.is_empty(), "{b}");
        assert_eq!(id, self.header("x-request-id"), "{b}");
    }
}

impl Desk {
    /// Sends `req` as the admin (API token) unless it carries a cookie or an
    /// `Authorization` header of its own.
    pub async fn send(&self, mut req: Request<Body>) -> Answer {
        let h = req.headers();
        let session = h
            .get_all("cookie")
            .iter()
            .any(|v| v.to_str().unwrap_or("").contains("claimdesk_session="));
        if !session && !h.contains_key("authorization") {
            let v = format!("Bearer {}", self.admin_token).parse().unwrap();
            req.headers_mut().insert("authorization", v);
        }
        self.send_anon(req).await
    }

    /// Sends `req` as it is.
    pub async fn send_anon(&self, req: Request<Body>) -> Answer {
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

    /// A GET with no credentials at all, as the public sends it.
    pub async fn get_anon(&self, uri: &str) -> Answer {
        self.send_anon(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// As [`Desk::get_anon`], with one header.
    pub async fn get_with_anon(&self, uri: &str, header: &str, value: &str) -> Answer {
        self.send_anon(
            Request::get(uri)
                .header(header, value)
                .body(Body::empty())
                .unwrap(),
        )
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

impl Desk {
    /// Signs `username` in through the form and returns the browser's session.
    pub async fn login(&self, username: &str) -> Session {
        let a = self.try_login(username, PASSWORD).await;
        assert_eq!(a.status.as_u16(), 303, "{}", a.body);
        let cookie = set_cookie(&a, "claimdesk_session");
        let page = self
            .send(
                Request::get("/")
                    .header("cookie", &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        Session {
            csrf: csrf_field(&page.body),
            cookie,
        }
    }

    /// Fetches the sign-in form and posts `username` and `password` with its token.
    pub async fn try_login(&self, username: &str, password: &str) -> Answer {
        let form = self
            .send_anon(Request::get("/login").body(Body::empty()).unwrap())
            .await;
        assert_eq!(form.status, StatusCode::OK);
        let cookie = set_cookie(&form, "claimdesk_login_csrf");
        let csrf = csrf_field(&form.body);
        let body = serde_urlencoded::to_string([
            ("username", username),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .unwrap();
        self.send_anon(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Posts a form as `session`, with its CSRF token unless `fields` has one.
    pub async fn post_form(&self, uri: &str, session: &Session, fields: &[(&str, &str)]) -> Answer {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            all.push(("csrf", session.csrf.as_str()));
        }
        self.send_anon(
            Request::post(uri)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &session.cookie)
                .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
                .unwrap(),
        )
        .await
    }

    /// A page as `session`.
    pub async fn get_as(&self, uri: &str, session: &Session) -> Answer {
        self.send_anon(
            Request::get(uri)
                .header("cookie", &session.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// JSON posted with a bearer token.
    pub async fn post_json_as(&self, uri: &str, token: &str, body: serde_json::Value) -> Answer {
        self.send_anon(
            Request::post(uri)
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {token}"))
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A new API token of user `id`.
    pub async fn token_of(&self, id: i64) -> String {
        self.store
            .create_api_token(UserId(id), "test", claimdesk_core::Actor::Cli)
            .await
            .unwrap()
            .token
            .expose()
            .to_string()
    }
}

/// `name=value` of the response's `Set-Cookie` for `name`.
pub fn set_cookie(a: &Answer, name: &str) -> String {
    a.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie: {:?}", a.headers))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// The whole `Set-Cookie` header for `name`.
pub fn set_cookie_header(a: &Answer, name: &str) -> String {
    a.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie: {:?}", a.headers))
        .to_string()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_field(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field: {html}"));
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Narrative 1: the lemon post (seed) and the vaccine post (joined as a copy, for the
/// test), with a burst whose evidence is both; an alert on it and one on the lemon post.
async fn add_narratives(store: &impl Store, ids: &[claimdesk_core::ItemId]) {
    use claimdesk_core::{AlertRule, Burst, JoinedBy, NarrativeMember};
    use claimdesk_store::{NarrativeAssignment, NewAlert};
    let mut narrative = None;
    let mut count = None;
    for (i, id) in ids.iter().take(2).enumerate() {
        let a = store
            .assign_narrative(&NarrativeAssignment {
                item: *id,
                narrative,
                joined_by: if i == 0 {
                    JoinedBy::Seed
                } else {
                    JoinedBy::Fingerprint
                },
                fingerprint: Some(7),
                minhash: None,
                embedding: None,
                joins_earlier: None,
                representative: i == 0,
            })
            .await
            .unwrap();
        narrative = Some(a.narrative);
        count = Some(a.count);
    }
    let n = narrative.unwrap();
    let members = store.narrative_members(n).await.unwrap();
    let burst = Burst {
        window_start: members[0].at,
        window_end: members[1].at,
        items: 2,
        sources: 1,
        evidence: members.clone(),
    };
    let _: &[NarrativeMember] = &members;
    store.save_burst(n, &burst).await.unwrap();
    for alert in [
        NewAlert {
            rule: AlertRule::Burst,
            subject: format!("narrative:{}", n.0),
            item: None,
            narrative: Some(n),
            fact_check: None,
            count,
            summary: "copy-paste burst: 2 near-identical items".into(),
            details: json!({"items": 2}),
        },
        NewAlert {
            rule: AlertRule::FalseMatch,
            subject: format!("item:{}", ids[0].0),
            item: Some(ids[0]),
            narrative: None,
            fact_check: Some(FactCheckId(1)),
            count: None,
            summary: "item repeats a claim rated False: Hot lemon water cures cancer".into(),
            details: json!({"score": 0.8}),
        },
    ] {
        store.raise_alert(&alert).await.unwrap();
    }
}

/// A finished response with its body as bytes (compressed bodies stay as they came).
pub struct RawAnswer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: axum::body::Bytes,
}

impl RawAnswer {
    /// The body, gunzipped when the response says `content-encoding: gzip`; panics when the
    /// body is not what the header says.
    pub fn decoded(&self) -> String {
        use std::io::Read;
        let gzip = self
            .headers
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        if !gzip {
            return String::from_utf8(self.body.to_vec()).expect("UTF-8 body");
        }
        let mut out = String::new();
        flate2::read::GzDecoder::new(&self.body[..])
            .read_to_string(&mut out)
            .unwrap_or_else(|e| panic!("content-encoding: gzip, but the body is not ({e})"));
        out
    }
}

impl Desk {
    /// Sends `req` as [`Desk::send`] does and keeps the body's bytes as they came.
    pub async fn send_raw(&self, mut req: Request<Body>) -> RawAnswer {
        if !req.headers().contains_key("authorization") && !req.headers().contains_key("cookie") {
            let v = format!("Bearer {}", self.admin_token).parse().unwrap();
            req.headers_mut().insert("authorization", v);
        }
        let res: Response<Body> = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        RawAnswer {
            status,
            headers,
            body,
        }
    }
}

/// A `multipart/form-data` body of text fields and (name, file name, content type, bytes)
/// files, with its content type.
pub fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "claimdesk-test-boundary-7b1f";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
