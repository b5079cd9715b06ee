//! Signing in and out: the sign-in form (a pre-session CSRF token, double-submitted in a
//! cookie and a hidden field), the password check (a dummy hash for unknown users, so timing
//! does not tell which usernames exist), the rate limit, and the session cookie.

use std::sync::LazyLock;
use std::time::Duration;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use claimdesk_store::auth::{hash_password, verify_password};
use claimdesk_store::prelude::*;
use claimdesk_store::{PasswordHash, Secret};
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::extract::{ClientIp, CurrentUser};
use crate::limiter::{LoginKey, LoginLimiter};
use crate::render::{Chrome, render};
use crate::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, same_token, set_cookie};
use crate::state::AppState;

/// Verified against when the username is unknown, so both cases cost one argon2 run.
static DUMMY_HASH: LazyLock<Option<PasswordHash>> =
    LazyLock::new(|| hash_password("claimdesk-dummy-password").ok());

/// How long the sign-in form's CSRF cookie lives.
const LOGIN_FORM_TTL: Duration = Duration::from_secs(3600);

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<&'static str>,
}

/// Where to go after signing in: a path of this site only.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .filter(|n| n.is_ascii() && !n.chars().any(|c| c.is_ascii_control()))
        .filter(|n| !n.starts_with("/login") && !n.starts_with("/logout"))
        .unwrap_or("/")
        .to_string()
}

/// Where to go after signing in.
#[derive(Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// The form, with the token it must send back (kept from an earlier visit when there is one).
fn form_page(
    state: &AppState,
    chrome: Chrome,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<&'static str>,
) -> Response {
    let csrf = match cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        Some(c) => c.to_string(),
        None => match Secret::generate() {
            Ok(s) => s.expose().to_string(),
            Err(e) => {
                return ApiError::with_detail(ErrorCode::Internal, e.to_string()).into_response();
            }
        },
    };
    let set = set_cookie(
        state.config(),
        LOGIN_CSRF_COOKIE,
        &csrf,
        "/login",
        LOGIN_FORM_TTL,
    );
    let page = LoginPage {
        chrome: chrome.section("login"),
        csrf,
        next,
        username,
        error,
    };
    let mut r = render(status, &page);
    if let Ok(v) = set.parse() {
        r.headers_mut().append(SET_COOKIE, v);
    }
    r
}

/// `GET /login`.
pub(crate) async fn login_form(
    State(state): State<AppState>,
    chrome: Chrome,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    form_page(
        &state,
        chrome,
        &headers,
        StatusCode::OK,
        next,
        String::new(),
        None,
    )
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /login`: a session cookie and a redirect, or the form again with the reason.
pub(crate) async fn login(
    State(state): State<AppState>,
    chrome: Chrome,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let username = form.username.trim().to_string();
    let again = |status, key| {
        form_page(
            &state,
            chrome,
            &headers,
            status,
            next.clone(),
            username.clone(),
            Some(key),
        )
    };
    let csrf_ok = cookie(&headers, LOGIN_CSRF_COOKIE)
        .is_some_and(|c| !c.is_empty() && same_token(c, &form.csrf));
    if !csrf_ok {
        return again(ErrorCode::CsrfFailed.status(), "login.expired");
    }
    let address = ip.map_or_else(|| "unknown".into(), |a| a.ip().to_string());
    let keys = [
        LoginKey::Address(&address),
        LoginKey::AddressUser(&address, &username),
        LoginKey::User(&username),
    ];
    if state.logins().blocked(&keys) {
        let mut r = again(ErrorCode::TooManyRequests.status(), "login.too_many");
        if let Ok(v) = LoginLimiter::WINDOW.as_secs().to_string().parse() {
            r.headers_mut().insert(RETRY_AFTER, v);
        }
        return r;
    }
    let user = match check_password(&state, &username, &form.password).await {
        Ok(u) => u,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(user) = user else {
        let delay = state.logins().failed(&keys);
        // Many failures for this username: answer slower, rather than lock its owner out.
        tokio::time::sleep(delay).await;
        tracing::info!(target: "server::auth", username = %username.chars().take(64).collect::<String>(), "sign-in refused");
        return again(StatusCode::UNAUTHORIZED, "login.failed");
    };
    let session = match state
        .store()
        .create_session(user.id, state.config().session_ttl)
        .await
    {
        Ok(s) => s,
        Err(e) => return ApiError::from(e).into_response(),
    };
    state.logins().forget(keys[1]);
    state.logins().forget(keys[2]);
    tracing::info!(target: "server::auth", username = %user.username, "signed in");
    let session_cookie = set_cookie(
        state.config(),
        SESSION_COOKIE,
        session.token.expose(),
        "/",
        state.config().session_ttl,
    );
    let clear_form = set_cookie(
        state.config(),
        LOGIN_CSRF_COOKIE,
        "",
        "/login",
        Duration::ZERO,
    );
    let mut r = (StatusCode::SEE_OTHER, [(LOCATION, next)]).into_response();
    for c in [session_cookie, clear_form] {
        if let Ok(v) = c.parse() {
            r.headers_mut().append(SET_COOKIE, v);
        }
    }
    r
}

/// The active user with this username and password. Unknown users cost the same argon2
/// run as known ones; disabled users are refused like a wrong password.
async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
) -> claimdesk_store::Result<Option<claimdesk_core::User>> {
    let found = if username.is_empty() {
        None
    } else {
        state.store().user_credentials(username).await?
    };
    let password = password.to_string();
    let verified = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => verify_password(&hash, &password).then_some(user),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_ref() {
                verify_password(dummy, &password);
            }
            None
        }
    })
    .await
    .map_err(|e| claimdesk_store::Error::Crypto(e.to_string()))?;
    Ok(verified.filter(|u| !u.disabled))
}

/// `POST /logout`: ends the session and clears its cookie.
pub(crate) async fn logout(State(state): State<AppState>, who: CurrentUser) -> Response {
    if let Some(hash) = &who.session
        && let Err(e) = state.store().delete_session(hash).await
    {
        return ApiError::from(e).into_response();
    }
    let clear = set_cookie(state.config(), SESSION_COOKIE, "", "/", Duration::ZERO);
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, "/login".to_string()), (SET_COOKIE, clear)],
    )
        .into_response()
}
