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
use sha2::{Digest, Sha256};

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
        if !ROUTES.iter().any(|r| r.path == path) {
            // `{id}.jsonld` on a route that has no JSON-LD: a page or record that does not
            // exist, whoever asks.
            return refuse(&path, req.headers(), ErrorCode::NotFound);
        }
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
            tracing::error!(
                target: "server::auth",
                request_id = %crate::request_id::current(),
                error = %e,
                "authentication failed"
            );
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

/// Failed sign-ins allowed per (client address, username) in a 15-minute window.
pub const MAX_FAILED_LOGINS: usize = 5;

/// Failed sign-ins allowed per client address, whatever the usernames, in the same window.
pub const MAX_FAILED_LOGINS_PER_ADDRESS: usize = 20;

/// What failures are counted by: the client's address, the address with a username (both
/// limited), and the username alone (which only slows answers down, so that nobody can
/// lock an account's owner out by failing on purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginKey<'a> {
    /// Every failure from one address.
    Address(&'a str),
    /// The failures of one username from one address.
    AddressUser(&'a str, &'a str),
    /// The failures of one username from anywhere.
    User(&'a str),
}

/// Longest part of a key that is hashed: usernames are at most 64 characters, and an
/// attacker's 190 KB username costs no more than a short one.
const MAX_KEY_PART: usize = 256;

impl LoginKey<'_> {
    /// A fixed-size digest of the key (SHA-256, first 16 bytes), so the limiter's memory
    /// does not depend on what a client sends.
    fn digest(self) -> [u8; 16] {
        let cut = |s: &str| {
            let mut end = s.len().min(MAX_KEY_PART);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_lowercase()
        };
        let mut h = Sha256::new();
        match self {
            LoginKey::Address(a) => h.update(format!("ip\0{}", cut(a))),
            LoginKey::AddressUser(a, u) => h.update(format!("ipuser\0{}\0{}", cut(a), cut(u))),
            LoginKey::User(u) => h.update(format!("user\0{}", cut(u))),
        }
        let full = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        out
    }

    /// How many failures in the window refuse further tries; `None`: never refused.
    fn limit(self) -> Option<usize> {
        match self {
            LoginKey::Address(_) => Some(MAX_FAILED_LOGINS_PER_ADDRESS),
            LoginKey::AddressUser(..) => Some(MAX_FAILED_LOGINS),
            LoginKey::User(_) => None,
        }
    }
}

/// Counts failed sign-ins per key in memory, forgetting those older than the window. Keys
/// are fixed-size digests and the map holds at most [`LoginLimiter::MAX_KEYS`] of them: when
/// full, expired keys go first, then the half whose last failure is oldest.
#[derive(Debug, Default)]
pub(crate) struct LoginLimiter {
    failures: Mutex<HashMap<[u8; 16], VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// How long a failure counts.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Most keys kept.
    pub const MAX_KEYS: usize = 50_000;
    /// Failures kept per key: enough for every limit and for the slowest delay.
    const KEEP: usize = 32;
    /// The delay before answering a failed sign-in grows per failure of the username beyond
    /// [`MAX_FAILED_LOGINS`], from this...
    const FIRST_DELAY: Duration = Duration::from_millis(250);
    /// ...to at most this.
    const MAX_DELAY: Duration = Duration::from_secs(4);

    /// Whether any of `keys` has reached its limit.
    pub fn blocked(&self, keys: &[LoginKey<'_>]) -> bool {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            let Some(limit) = k.limit() else {
                return false;
            };
            map.get_mut(&k.digest()).is_some_and(|q| {
                prune(q, now);
                q.len() >= limit
            })
        })
    }

    /// Records a failure for each of `keys` and says how long to wait before answering it:
    /// nothing for the first failures of a username, then a delay doubling per failure.
    pub fn failed(&self, keys: &[LoginKey<'_>]) -> Duration {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() + keys.len() > Self::MAX_KEYS {
            shrink(&mut map, now);
        }
        let mut delay = Duration::ZERO;
        for k in keys {
            let q = map.entry(k.digest()).or_default();
            prune(q, now);
            q.push_back(now);
            while q.len() > Self::KEEP {
                q.pop_front();
            }
            if let LoginKey::User(_) = k
                && let Some(over) = q.len().checked_sub(MAX_FAILED_LOGINS + 1)
            {
                let d = Self::FIRST_DELAY.saturating_mul(1u32 << over.min(16));
                delay = d.min(Self::MAX_DELAY);
            }
        }
        delay
    }

    /// Forgets the failures of `key` (a successful sign-in).
    pub fn forget(&self, key: LoginKey<'_>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&key.digest());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.failures.lock().unwrap().len()
    }

    /// Bytes the keys take.
    #[cfg(test)]
    fn key_bytes(&self) -> usize {
        self.failures.lock().unwrap().keys().map(|k| k.len()).sum()
    }
}

/// Makes room in a full map: drops expired keys, then, if that was not enough, the half of
/// the keys whose last failure is oldest (so a flood of new keys costs amortized O(1)).
fn shrink(map: &mut HashMap<[u8; 16], VecDeque<Instant>>, now: Instant) {
    map.retain(|_, q| {
        prune(q, now);
        !q.is_empty()
    });
    if map.len() < LoginLimiter::MAX_KEYS / 2 {
        return;
    }
    let mut last: Vec<Instant> = map.values().filter_map(|q| q.back().copied()).collect();
    let half = last.len() / 2;
    let (_, cut, _) = last.select_nth_unstable(half);
    let cut = *cut;
    map.retain(|_, q| q.back().is_some_and(|t| *t > cut));
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
        let keys = [
            LoginKey::Address("10.0.0.1"),
            LoginKey::AddressUser("10.0.0.1", "ana"),
            LoginKey::User("ana"),
        ];
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!l.blocked(&keys));
            assert_eq!(l.failed(&keys), Duration::ZERO);
        }
        assert!(l.blocked(&keys));
        assert!(l.blocked(&[LoginKey::AddressUser("10.0.0.1", "ANA")]));
        assert!(!l.blocked(&[LoginKey::AddressUser("10.0.0.1", "bob")]));
        // The username alone never blocks: its owner signs in from elsewhere.
        assert!(!l.blocked(&[LoginKey::User("ana"), LoginKey::Address("10.0.0.2")]));
        // It slows failures down instead, more with each.
        let first = l.failed(&keys);
        let second = l.failed(&keys);
        assert!(
            first > Duration::ZERO && second > first,
            "{first:?} {second:?}"
        );
        l.forget(LoginKey::AddressUser("10.0.0.1", "ana"));
        assert!(!l.blocked(&[LoginKey::AddressUser("10.0.0.1", "ana")]));
        assert_eq!(l.len(), 2);
    }

    /// Issue 15, finding 7: 750 failed sign-ins with 190 KB usernames grew the server by
    /// 227 MB; the map kept every key whole and swept only expired ones.
    #[test]
    fn regression_the_limiter_keeps_a_bounded_number_of_small_keys() {
        let l = LoginLimiter::default();
        let long = "x".repeat(190 * 1024);
        l.failed(&[LoginKey::User(&long)]);
        assert!(l.key_bytes() <= 64, "{} bytes of keys", l.key_bytes());
        for i in 0..60_000 {
            let name = i.to_string();
            l.failed(&[LoginKey::AddressUser("10.0.0.1", &name)]);
        }
        assert!(l.len() <= LoginLimiter::MAX_KEYS, "{} keys", l.len());
        // The newest failures are the ones kept.
        for _ in 1..MAX_FAILED_LOGINS {
            l.failed(&[LoginKey::AddressUser("10.0.0.1", "59999")]);
        }
        assert!(l.blocked(&[LoginKey::AddressUser("10.0.0.1", "59999")]));
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
