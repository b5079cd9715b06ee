//! Who is asking, and may they: the route registry ([`ROUTES`]) with each route's access, the
//! guard every request passes (session cookie or bearer token, role, CSRF, foreign origins),
//! and the sign-in rate limiter.
//!
//! Architecture invariant: a route the registry does not list is refused (fail closed), so a
//! new route cannot be added without saying who may use it.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Role, User};
use claimdesk_store::{Store, TokenHash};

use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::{AppState, ServerConfig, pages};

/// The session cookie.
pub const SESSION_COOKIE: &str = "claimdesk_session";
/// The cookie holding the sign-in form's CSRF token (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "claimdesk_login_csrf";
/// The header htmx requests carry the session's CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user, viewers included (reads, ranking a text, signing out).
    SignedIn,
    /// Users who change the desk: editors and above (the store checks finer rights).
    Change,
    /// Admins only: importing fact-checks, which publishes them without a case's review
    /// (the store checks it again).
    Admin,
}

/// A route of the application: method, path (axum's syntax) and who may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path pattern, e.g. `/items/{id}`.
    pub path: &'static str,
    /// Who may use it.
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, access: Access) -> Route {
    Route {
        method,
        path,
        access,
    }
}

/// Every route the router serves. The guard refuses any route missing here, and a test
/// requests every one of them.
pub const ROUTES: &[Route] = &[
    // Pages.
    route("GET", "/", Access::SignedIn),
    route("GET", "/items/{id}", Access::SignedIn),
    route("POST", "/items/{id}/link", Access::Change),
    route("POST", "/items/{id}/case", Access::Change),
    route("GET", "/factchecks", Access::SignedIn),
    route("GET", "/factchecks/{id}", Access::SignedIn),
    route("GET", "/cases", Access::SignedIn),
    route("GET", "/cases/{id}", Access::SignedIn),
    route("GET", "/sources", Access::SignedIn),
    route("POST", "/cases/{id}/transition", Access::Change),
    route("POST", "/cases/{id}/assign", Access::Change),
    route("POST", "/cases/{id}/notes", Access::Change),
    route("POST", "/cases/{id}/evidence", Access::Change),
    route("POST", "/cases/{id}/verdict", Access::Change),
    route("GET", "/narratives", Access::SignedIn),
    route("GET", "/narratives/{id}", Access::SignedIn),
    route("GET", "/alerts", Access::SignedIn),
    route("GET", "/lang/{code}", Access::Public),
    route("GET", "/login", Access::Public),
    // Published verdicts, for the public.
    route("GET", "/verdicts", Access::Public),
    route("GET", "/verdicts/{id}", Access::Public),
    route("GET", "/feeds/verdicts.rss", Access::Public),
    route("GET", "/feeds/verdicts.atom", Access::Public),
    route("GET", "/feeds/verdicts.json", Access::Public),
    // Staff downloads.
    route("GET", "/export/factchecks.csv", Access::SignedIn),
    route("GET", "/export/factchecks.jsonl", Access::SignedIn),
    route("GET", "/export/cases.csv", Access::SignedIn),
    route("GET", "/export/cases.jsonl", Access::SignedIn),
    route("POST", "/login", Access::Public),
    route("POST", "/logout", Access::SignedIn),
    // Assets.
    route("GET", "/static/desk.css", Access::Public),
    route("GET", "/static/htmx-2.0.11.min.js", Access::Public),
    // JSON API.
    route("GET", "/api/items", Access::SignedIn),
    route("POST", "/api/items", Access::Change),
    route("GET", "/api/items/{id}", Access::SignedIn),
    route("POST", "/api/items/{id}/match", Access::Change),
    route("POST", "/api/items/{id}/case", Access::Change),
    route("GET", "/api/factchecks", Access::SignedIn),
    route("POST", "/api/factchecks", Access::Admin),
    route("GET", "/api/factchecks/{id}", Access::SignedIn),
    route("GET", "/api/cases", Access::SignedIn),
    route("GET", "/api/cases/{id}", Access::SignedIn),
    route("POST", "/api/cases/{id}/transition", Access::Change),
    route("POST", "/api/cases/{id}/assign", Access::Change),
    route("POST", "/api/cases/{id}/notes", Access::Change),
    route("POST", "/api/cases/{id}/evidence", Access::Change),
    route("POST", "/api/cases/{id}/verdict", Access::Change),
    route("GET", "/api/narratives", Access::SignedIn),
    route("GET", "/api/narratives/{id}", Access::SignedIn),
    route("GET", "/api/alerts", Access::SignedIn),
    route("POST", "/api/match", Access::SignedIn),
    route("GET", "/api/openapi.json", Access::Public),
    route("GET", "/api/factchecks/{id}.jsonld", Access::Public),
    route("GET", "/healthz", Access::Public),
    route("GET", "/metrics", Access::Public),
];

/// The registry entry of a matched path and method.
pub fn find_route(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
}

/// The signed-in user of a request, put there by the guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who.
    pub user: User,
    /// The session's CSRF token; `None` for API-token requests.
    pub csrf: Option<String>,
    /// The session's token hash, to end it on sign-out.
    pub session: Option<TokenHash>,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value with the desk's flags (HttpOnly, SameSite=Lax, Path, Secure when
/// the desk is served over TLS).
pub(crate) fn set_cookie(
    config: &ServerConfig,
    name: &str,
    value: &str,
    path: &str,
    max_age: Duration,
) -> String {
    let secure = if config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path={path}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        max_age.as_secs()
    )
}

/// Equal strings, compared in time independent of where they differ.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a browser says this request comes from another site: `Sec-Fetch-Site` of
/// `cross-site`/`same-site`, or an `Origin` that is not the desk's.
pub(crate) fn foreign_origin(headers: &HeaderMap, config: &ServerConfig) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && (site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site"))
    {
        return true;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return false;
    };
    let Ok(origin) = origin.to_str() else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if let Some(public) = config.public_url.as_deref() {
        return !same_origin(origin, public);
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    bare.is_none_or(|b| host.is_empty() || !b.eq_ignore_ascii_case(host))
}

/// Whether `origin` (`scheme://host[:port]`) is the origin of `url`.
fn same_origin(origin: &str, url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    origin.eq_ignore_ascii_case(&format!("{scheme}://{authority}"))
}

/// The user behind a request's bearer token or session cookie. A bearer header that does
/// not name a live token is nobody, whatever cookie comes with it.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> claimdesk_store::Result<Option<CurrentUser>> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Ok(None);
        };
        let user = state.store().api_token_user(&TokenHash::of(token)).await?;
        return Ok(user.map(|user| CurrentUser {
            user,
            csrf: None,
            session: None,
        }));
    }
    let Some(token) = cookie(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let hash = TokenHash::of(token);
    let session = state.store().session_user(&hash).await?;
    Ok(session.map(|s| CurrentUser {
        user: s.user,
        csrf: Some(s.csrf_token),
        session: Some(hash),
    }))
}

/// A refusal in the form of the path: the error page for pages, JSON for the API.
fn refuse(path: &str, headers: &HeaderMap, code: ErrorCode) -> Response {
    if pages::is_page_path(path) {
        let mut r = pages::error_page(Lang::negotiate(headers), code);
        *r.status_mut() = code.status();
        r
    } else {
        ApiError::new(code).into_response()
    }
}

/// Where a signed-out visitor of a page is sent: the sign-in form, then back here.
fn to_login(req: &Request) -> Response {
    let here = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/login?{next}"))],
    )
        .into_response()
}

/// The guard: finds the route in [`ROUTES`], refuses foreign-origin changes, signs the
/// caller in, checks the role and, for session requests that change something, the CSRF
/// token (header or form field).
pub(crate) async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(mut path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        // The fallback (not found).
        return next.run(req).await;
    };
    // axum cannot route a parameter with a suffix, so `/api/factchecks/{id}` also serves the
    // public `{id}.jsonld`; it has its own entry in ROUTES.
    if path.ends_with("/{id}") && req.uri().path().ends_with(".jsonld") {
        path.push_str(".jsonld");
    }
    let method = if req.method() == Method::HEAD {
        "GET"
    } else {
        req.method().as_str()
    };
    let Some(route) = find_route(method, &path) else {
        if ROUTES.iter().any(|r| r.path == path) {
            // Known path, other method: the router answers 405.
            return next.run(req).await;
        }
        tracing::error!(target: "server::auth", %path, "route missing from ROUTES: refused");
        return refuse(&path, req.headers(), ErrorCode::Internal);
    };
    let changes = route.method != "GET";
    if changes && foreign_origin(req.headers(), state.config()) {
        return refuse(&path, req.headers(), ErrorCode::CsrfFailed);
    }
    if route.access == Access::Public {
        return next.run(req).await;
    }
    let who = match authenticate(&state, req.headers()).await {
        Ok(who) => who,
        Err(e) => {
            tracing::error!(target: "server::auth", error = %e, "authentication failed");
            return refuse(&path, req.headers(), ErrorCode::StoreUnavailable);
        }
    };
    let Some(who) = who else {
        return if pages::is_page_path(&path) && !changes {
            to_login(&req)
        } else {
            refuse(&path, req.headers(), ErrorCode::Unauthorized)
        };
    };
    let mut req = req;
    if changes && let Some(expected) = who.csrf.clone() {
        let (ok, rebuilt) = csrf_matches(req, &expected, state.config().body_limit).await;
        let Some(rebuilt) = rebuilt else {
            return ApiError::new(ErrorCode::PayloadTooLarge).into_response();
        };
        req = rebuilt;
        if !ok {
            return refuse(&path, req.headers(), ErrorCode::CsrfFailed);
        }
    }
    let least = match route.access {
        Access::Public | Access::SignedIn => Role::Viewer,
        Access::Change => Role::Editor,
        Access::Admin => Role::Admin,
    };
    if who.user.role < least {
        return refuse(&path, req.headers(), ErrorCode::Forbidden);
    }
    req.extensions_mut().insert(who);
    next.run(req).await
}

/// Whether the request carries `expected` in the CSRF header or, for a form, in its `csrf`
/// field; the request is given back with its body (None when the body is too large).
async fn csrf_matches(req: Request, expected: &str, limit: usize) -> (bool, Option<Request>) {
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        let ok = h.to_str().is_ok_and(|v| same_token(v, expected));
        return (ok, Some(req));
    }
    let form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return (false, Some(req));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (false, None);
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let ok = fields
        .iter()
        .any(|(k, v)| k == CSRF_FIELD && same_token(v, expected));
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}

/// The client's address, when the server was started with connection info.
pub(crate) struct ClientIp(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Failed sign-ins allowed per client address and per username in a 15-minute window.
pub const MAX_FAILED_LOGINS: usize = 5;

/// Counts failed sign-ins per key (`ip:…`, `user:…`) in memory, forgetting those older than
/// the window, so the map never outgrows the failures of the last window.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// How long a failure counts.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Keys kept before the whole map is swept of expired entries.
    const SWEEP_AT: usize = 10_000;

    /// Whether any of `keys` has reached the limit.
    pub fn blocked(&self, keys: &[String]) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            map.get_mut(k).is_some_and(|q| {
                prune(q, now);
                q.len() >= MAX_FAILED_LOGINS
            })
        })
    }

    /// Records a failure for each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::SWEEP_AT {
            map.retain(|_, q| {
                prune(q, now);
                !q.is_empty()
            });
        }
        for k in keys {
            let q = map.entry(k.clone()).or_default();
            prune(q, now);
            q.push_back(now);
            while q.len() > MAX_FAILED_LOGINS {
                q.pop_front();
            }
        }
    }

    /// Forgets the failures of `key` (a successful sign-in of that username).
    pub fn forget(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.failures.lock().unwrap().len()
    }
}

fn prune(q: &mut VecDeque<Instant>, now: Instant) {
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) >= LoginLimiter::WINDOW)
    {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_is_blocked_and_other_keys_are_not() {
        let l = LoginLimiter::default();
        let keys = ["ip:1".to_string(), "user:ana".to_string()];
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!l.blocked(&keys));
            l.failed(&keys);
        }
        assert!(l.blocked(&keys));
        assert!(l.blocked(&["user:ana".to_string()]));
        assert!(!l.blocked(&["user:bob".to_string()]));
        // Failures beyond the limit are not kept.
        l.failed(&keys);
        assert_eq!(l.len(), 2);
        l.forget("user:ana");
        assert!(!l.blocked(&["user:ana".to_string()]));
    }

    #[test]
    fn origins_are_compared_with_the_host_or_the_public_url() {
        let config = ServerConfig::default();
        let mut h = HeaderMap::new();
        h.insert(HOST, "desk.example:8080".parse().unwrap());
        assert!(!foreign_origin(&h, &config));
        h.insert(ORIGIN, "http://desk.example:8080".parse().unwrap());
        assert!(!foreign_origin(&h, &config));
        h.insert(ORIGIN, "https://evil.example".parse().unwrap());
        assert!(foreign_origin(&h, &config));
        h.insert(ORIGIN, "null".parse().unwrap());
        assert!(foreign_origin(&h, &config));
        let public = ServerConfig {
            public_url: Some("https://desk.example/".into()),
            ..ServerConfig::default()
        };
        h.insert(ORIGIN, "https://desk.example".parse().unwrap());
        assert!(!foreign_origin(&h, &public));
        h.remove(ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(foreign_origin(&h, &config));
    }

    #[test]
    fn every_route_is_listed_once() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[..i]
                    .iter()
                    .any(|o| o.method == r.method && o.path == r.path),
                "{r:?}"
            );
        }
    }
}
