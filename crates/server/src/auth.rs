//! Who is asking, and may they: the guard every request passes. It finds the route in the
//! route table, refuses changes from other sites, signs the caller in (session cookie or
//! bearer token), checks the CSRF token of session changes, and checks the role.
//!
//! Architecture invariant: a route the table does not list is refused (fail closed), so a
//! new route cannot be added without saying who may use it.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use claimdesk_core::Role;
use claimdesk_store::TokenHash;
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode, Reason};
use crate::error_page::{error_response, error_response_for};
use crate::extract::CurrentUser;
use crate::route::{self, Access, BodySize, Route};
use crate::session::{CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, cookie, foreign_origin, same_token};
use crate::state::AppState;

/// The guard's state: the application's and the route table it enforces.
#[derive(Clone)]
pub(crate) struct Guard {
    /// The application's state.
    pub state: AppState,
    /// The route table.
    pub routes: &'static [Route],
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
    error_response(path, headers, code)
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

/// The guard: finds the route in the table, refuses foreign-origin changes, signs the
/// caller in, checks the role and, for session requests that change something, the CSRF
/// token (header or form field).
pub(crate) async fn guard(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let Guard { state, routes } = guard;
    let Some(mut path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        // The fallback (not found).
        return next.run(req).await;
    };
    // axum cannot route a parameter with a suffix, so `/api/factchecks/{id}` also serves the
    // public `{id}.jsonld`; it has its own entry in the table.
    if path.ends_with("/{id}") && req.uri().path().ends_with(".jsonld") {
        path.push_str(".jsonld");
        if !routes.iter().any(|r| r.path == path) {
            // `{id}.jsonld` on a route that has no JSON-LD: a page or record that does not
            // exist, whoever asks.
            return refuse(&path, req.headers(), ErrorCode::NotFound);
        }
    }
    let Some(route) = route::find(routes, req.method().as_str(), &path) else {
        if routes.iter().any(|r| r.path == path) {
            // Known path, other method: the router answers 405.
            return next.run(req).await;
        }
        tracing::error!(target: "server::auth", %path, "route missing from the route table: refused");
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
        return if route.kind.html_errors() && !changes {
            to_login(&req)
        } else {
            refuse(&path, req.headers(), ErrorCode::Unauthorized)
        };
    };
    let mut req = req;
    if changes && let Some(expected) = who.csrf.clone() {
        let limit = match route.body {
            BodySize::Small => state.config().body_limit,
            BodySize::Upload => state.config().upload_limit,
        };
        let (ok, rebuilt) = csrf_matches(req, &expected, limit).await;
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
        let (username, role) = (&who.user.username, who.user.role.as_str());
        let error = ApiError::with_detail(
            ErrorCode::Forbidden,
            format!(
                "{username} ({role}) may not do this: it needs the role {}",
                least.as_str()
            ),
        )
        .because(
            Reason::new("reason.role_needed")
                .text("username", username)
                .key("role", format!("role.{role}"))
                .key("needs", format!("role.{}", least.as_str())),
        );
        return error_response_for(&path, req.headers(), error);
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
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    // A form with files (the privacy check's images) carries the token as its `csrf` part.
    let multipart = multer::parse_boundary(&content_type).ok();
    if !form && multipart.is_none() {
        return (false, Some(req));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (false, None);
    };
    let ok = match multipart {
        Some(boundary) => multipart_csrf(bytes.clone(), boundary)
            .await
            .is_some_and(|v| same_token(&v, expected)),
        None => {
            let fields: Vec<(String, String)> =
                serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
            fields
                .iter()
                .any(|(k, v)| k == CSRF_FIELD && same_token(v, expected))
        }
    };
    (ok, Some(Request::from_parts(parts, Body::from(bytes))))
}

/// The `csrf` part of a `multipart/form-data` body, if it has one.
async fn multipart_csrf(body: axum::body::Bytes, boundary: String) -> Option<String> {
    let stream = futures_util::stream::once(async move {
        Ok::<axum::body::Bytes, std::convert::Infallible>(body)
    });
    let mut form = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}
