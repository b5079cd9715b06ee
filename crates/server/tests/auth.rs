//! Sign-in, the guard over every route, CSRF and API tokens.

use axum::body::Body;
use axum::http::Request;
use claimdesk_core::{Actor, ApiTokenId, UserId};
use claimdesk_server::{Access, ROUTES, ServerConfig};
use claimdesk_store::prelude::*;

use crate::util::{Desk, PASSWORD, desk, desk_with, set_cookie_header};

/// A route's path with its parameters filled in (ids of records the desk has).
fn concrete(path: &str, image: &str) -> String {
    path.replace("{id}", "1")
        .replace("{sha256}", image)
        .replace("{code}", "vi")
        .replace("{figure}", "items_over_time.csv")
        .replace("{digest}", "week-2026-03-02.en.md")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path == "/metrics"
}

async fn request(
    d: &Desk,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> crate::util::Answer {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    d.send_anon(b.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn every_listed_route_is_served_and_guarded() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let viewer = d.login("viewer").await;
    let viewer_token = d.token_of(4).await;
    // Case 1 exists, so every `{id}` names a record.
    let a = d.post_form("/items/1/case", &editor, &[]).await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    // So does source 1 (alerts and narratives come with the desk).
    use claimdesk_store::prelude::*;
    d.store
        .add_source(
            &claimdesk_store::NewSource {
                kind: claimdesk_store::SourceKind::Feed,
                location: "https://bao.example/rss".into(),
                interval_secs: 900,
                first_poll_at: "2026-12-01T12:00:00Z".into(),
            },
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap();
    // And an image, so `{sha256}` names a stored one.
    let png = {
        let mut out = Vec::new();
        let shot = claimdesk_engine::image::render::screenshot(&["an image"], 20.0, false);
        image::DynamicImage::ImageRgb8(shot.to_rgb8())
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let with_image = d
        .engine
        .add_item_with_images(
            claimdesk_core::Item {
                text: "a post with an image".into(),
                ..claimdesk_core::Item::default()
            },
            vec![claimdesk_engine::ImageUpload {
                name: Some("shot.png".into()),
                bytes: png.clone(),
            }],
            claimdesk_core::Actor::Cli,
        )
        .await
        .unwrap();
    let image = with_image.images[0].image.as_ref().unwrap().sha256.clone();
    // ...which fact-check 1 reviewed, so its public verdict serves it.
    d.engine
        .add_fact_check_image(
            claimdesk_core::FactCheckId(1),
            claimdesk_engine::ImageUpload {
                name: Some("shot.png".into()),
                bytes: png,
            },
        )
        .await
        .unwrap();
    let admin = format!("Bearer {}", d.admin_token);
    for r in ROUTES {
        let uri = concrete(r.path, &image);
        let what = format!("{} {}", r.method, r.path);
        // Served: the router knows the route (no fallback 404, no 405).
        let a = request(&d, r.method, &uri, &[("authorization", &admin)]).await;
        assert!(
            ![404, 405].contains(&a.status.as_u16()),
            "{what}: {} {}",
            a.status,
            a.body
        );
        let anon = request(&d, r.method, &uri, &[]).await;
        if r.access == Access::Public {
            assert!(
                ![401, 403].contains(&anon.status.as_u16()) || r.method == "POST",
                "{what}: {}",
                anon.status
            );
        } else if r.method == "GET" && !is_api(r.path) {
            assert_eq!(anon.status.as_u16(), 303, "{what}");
            assert!(
                anon.header("location").starts_with("/login?next=%2F"),
                "{what}"
            );
        } else if is_api(r.path) {
            anon.assert_error(401, "unauthorized");
        } else {
            assert_eq!(anon.status.as_u16(), 401, "{what}");
        }
        if r.method == "GET" || r.access == Access::Public {
            continue;
        }
        // Changes from a session need the CSRF token (login needs its own).
        let no_csrf = request(&d, r.method, &uri, &[("cookie", &editor.cookie)]).await;
        assert_eq!(no_csrf.status.as_u16(), 403, "{what}: {}", no_csrf.body);
        if is_api(r.path) {
            no_csrf.assert_error(403, "csrf_failed");
        } else {
            assert!(no_csrf.body.contains("The form has expired"), "{what}");
        }
        let wrong = request(
            &d,
            r.method,
            &uri,
            &[("cookie", &editor.cookie), ("x-csrf-token", "0000")],
        )
        .await;
        assert_eq!(wrong.status.as_u16(), 403, "{what}");
        if matches!(r.access, Access::Change | Access::Admin) {
            let as_viewer = request(
                &d,
                r.method,
                &uri,
                &[("cookie", &viewer.cookie), ("x-csrf-token", &viewer.csrf)],
            )
            .await;
            assert_eq!(as_viewer.status.as_u16(), 403, "{what}: {}", as_viewer.body);
            let bearer = format!("Bearer {viewer_token}");
            let as_viewer = request(&d, r.method, &uri, &[("authorization", &bearer)]).await;
            if is_api(r.path) {
                as_viewer.assert_error(403, "forbidden");
            } else {
                assert_eq!(as_viewer.status.as_u16(), 403, "{what}");
            }
        }
    }
}

#[tokio::test]
async fn every_api_route_of_the_document_is_in_the_registry() {
    for (method, path) in claimdesk_server::api_routes() {
        assert!(
            ROUTES
                .iter()
                .any(|r| r.path == path && r.method.eq_ignore_ascii_case(&method)),
            "{method} {path}"
        );
    }
    for r in ROUTES.iter().filter(|r| r.path.starts_with("/api/")) {
        assert!(
            claimdesk_server::api_routes()
                .iter()
                .any(|(m, p)| *p == r.path && r.method.eq_ignore_ascii_case(m)),
            "{r:?} is not documented"
        );
    }
}

#[tokio::test]
async fn a_cross_site_post_is_refused_even_with_the_session_and_token() {
    let d = desk().await;
    let s = d.login("editor").await;
    let body = format!("csrf={}", s.csrf);
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let a = d
            .send_anon(
                Request::post("/items/1/case")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", &s.cookie)
                    .header("host", "desk.example")
                    .header(name, value)
                    .body(Body::from(body.clone()))
                    .unwrap(),
            )
            .await;
        assert_eq!(a.status.as_u16(), 403, "{name}");
    }
    // The same post from the desk's own origin goes through.
    let a = d
        .send_anon(
            Request::post("/items/1/case")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &s.cookie)
                .header("host", "desk.example")
                .header("origin", "http://desk.example")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
}

#[tokio::test]
async fn the_login_form_has_the_contract_the_browser_tests_use() {
    let d = desk().await;
    let a = d
        .send_anon(Request::get("/login").body(Body::empty()).unwrap())
        .await;
    assert_eq!(a.status.as_u16(), 200);
    for part in [
        "<form id=\"login\"",
        "name=\"username\"",
        "type=\"password\" name=\"password\"",
        "name=\"csrf\"",
        "<button type=\"submit\">",
    ] {
        assert!(a.body.contains(part), "{part}");
    }
}

#[tokio::test]
async fn signing_in_sets_a_strict_session_cookie_and_goes_to_next() {
    let d = desk().await;
    let a = d.try_login("editor", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 303);
    assert_eq!(a.header("location"), "/");
    let c = set_cookie_header(&a, "claimdesk_session");
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
        "{c}"
    );
    assert!(!c.contains("Secure"), "{c}");
    // The page shows who is signed in, the role, and a sign-out form with the token.
    let s = d.login("editor").await;
    let page = d.get_as("/", &s).await;
    assert!(page.body.contains("editor name"));
    assert!(page.body.contains("action=\"/logout\""));
    assert!(
        page.body.contains(&format!(
            "data-hx-headers=\"{{&#34;X-CSRF-Token&#34;:&#34;{}&#34;}}\"",
            s.csrf
        )),
        "{}",
        page.body
    );

    let tls = desk_with(ServerConfig {
        public_url: Some("https://desk.example".into()),
        ..ServerConfig::default()
    })
    .await;
    let a = tls.try_login("editor", PASSWORD).await;
    assert!(set_cookie_header(&a, "claimdesk_session").contains("; Secure"));
}

#[tokio::test]
async fn a_safe_next_is_followed_and_a_foreign_one_is_not() {
    let d = desk().await;
    let form = d
        .send_anon(
            Request::get("/login?next=/cases")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(form.body.contains("name=\"next\" value=\"/cases\""));
    let form = d
        .send_anon(
            Request::get("/login?next=//evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(form.body.contains("name=\"next\" value=\"/\""));
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_and_the_sixth_try_is_429() {
    let d = desk().await;
    for _ in 0..claimdesk_server::MAX_FAILED_LOGINS {
        let a = d.try_login("editor", "wrong password").await;
        assert_eq!(a.status.as_u16(), 401);
        assert!(a.body.contains("class=\"flash-error\""), "{}", a.body);
        assert!(a.body.contains("<form id=\"login\""));
        assert!(
            !a.headers
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("claimdesk_session="))
        );
    }
    let a = d.try_login("editor", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 429);
    assert!(a.body.contains("class=\"flash-error\""));
    // Unknown usernames fail the same way.
    let other = desk().await;
    let a = other.try_login("nobody", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 401);
}

#[tokio::test]
async fn a_login_without_the_form_token_is_refused() {
    let d = desk().await;
    let a = d
        .send_anon(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "username=editor&password={PASSWORD}&csrf=x"
                )))
                .unwrap(),
        )
        .await;
    assert_eq!(a.status.as_u16(), 403);
    assert!(a.body.contains("class=\"flash-error\""));
}

#[tokio::test]
async fn a_disabled_user_cannot_sign_in_and_loses_the_session() {
    let d = desk().await;
    let s = d.login("editor").await;
    d.store
        .set_disabled(UserId(2), true, Actor::Cli)
        .await
        .unwrap();
    let a = d.try_login("editor", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 401);
    assert_eq!(d.get_as("/", &s).await.status.as_u16(), 303);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let d = desk().await;
    let s = d.login("viewer").await;
    assert_eq!(d.get_as("/", &s).await.status.as_u16(), 200);
    let a = d.post_form("/logout", &s, &[]).await;
    assert_eq!(a.status.as_u16(), 303);
    assert!(set_cookie_header(&a, "claimdesk_session").contains("Max-Age=0"));
    let after = d.get_as("/", &s).await;
    assert_eq!(after.status.as_u16(), 303);
    assert_eq!(after.header("location"), "/login?next=%2F");
}

#[tokio::test]
async fn a_bearer_token_works_until_it_is_revoked() {
    let d = desk().await;
    let token = d.token_of(4).await;
    let get = |t: String| {
        Request::get("/api/items")
            .header("authorization", format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(d.send_anon(get(token.clone())).await.status.as_u16(), 200);
    let id = d.store.api_tokens(UserId(4)).await.unwrap()[0].id;
    assert_eq!(id, ApiTokenId(id.0));
    d.store.revoke_api_token(id, Actor::Cli).await.unwrap();
    d.send_anon(get(token))
        .await
        .assert_error(401, "unauthorized");
    d.send_anon(get("nonsense".into()))
        .await
        .assert_error(401, "unauthorized");
    // A bad bearer header is not rescued by a session cookie.
    let s = d.login("viewer").await;
    let a = d
        .send_anon(
            Request::get("/api/items")
                .header("authorization", "Bearer nonsense")
                .header("cookie", &s.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    a.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn a_session_calls_the_api_with_the_csrf_header() {
    let d = desk().await;
    let s = d.login("editor").await;
    let a = d
        .send_anon(
            Request::post("/api/items/2/case")
                .header("cookie", &s.cookie)
                .header("x-csrf-token", &s.csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    assert_eq!(a.json()["status"], "triage");
}

/// Posts the sign-in form for `username` as a browser at `addr` does.
async fn login_from(d: &Desk, addr: &str, username: &str, password: &str) -> crate::util::Answer {
    let ip: std::net::SocketAddr = addr.parse().unwrap();
    let with_ip = |mut req: Request<Body>| {
        req.extensions_mut().insert(axum::extract::ConnectInfo(ip));
        req
    };
    let form = d
        .send_anon(with_ip(Request::get("/login").body(Body::empty()).unwrap()))
        .await;
    let cookie = crate::util::set_cookie(&form, "claimdesk_login_csrf");
    let csrf = crate::util::csrf_field(&form.body);
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", password),
        ("csrf", csrf.as_str()),
    ])
    .unwrap();
    d.send_anon(with_ip(
        Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(Body::from(body))
            .unwrap(),
    ))
    .await
}

/// Issue 15, finding 7: five wrong passwords from anywhere locked the account for 15
/// minutes. Failures now count per address and per (address, user): the owner signs in from
/// their own address while someone else is refused at theirs.
#[tokio::test]
async fn regression_wrong_passwords_elsewhere_do_not_lock_the_owner_out() {
    let d = desk().await;
    for _ in 0..claimdesk_server::MAX_FAILED_LOGINS {
        let a = login_from(&d, "203.0.113.9:5000", "editor", "wrong password").await;
        assert_eq!(a.status.as_u16(), 401);
    }
    let a = login_from(&d, "203.0.113.9:5001", "editor", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 429, "the guessing address is refused");
    assert!(!a.header("retry-after").is_empty());
    let a = login_from(&d, "198.51.100.7:6000", "editor", PASSWORD).await;
    assert_eq!(a.status.as_u16(), 303, "the owner, elsewhere: {}", a.body);
    // One address guessing many usernames is refused too.
    let d = desk().await;
    let mut refused = false;
    for i in 0..100 {
        let a = login_from(&d, "203.0.113.10:5000", &format!("user{i}"), "wrong").await;
        if a.status.as_u16() == 429 {
            refused = true;
            break;
        }
        assert_eq!(a.status.as_u16(), 401);
    }
    assert!(refused, "one address may not guess without end");
}
