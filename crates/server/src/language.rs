//! The language switch (`/lang/{code}`).

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::ErrorCode;
use crate::error_page::error_page;
use crate::i18n::{LANG_COOKIE, Lang};

/// Where to go back to.
#[derive(Deserialize)]
pub(crate) struct Next {
    next: Option<String>,
}

/// Remembers the language in a cookie and goes back to the page the switch was on (a path
/// of this site only, never another host).
pub(crate) async fn switch_language(
    lang: Lang,
    Path(code): Path<String>,
    Query(next): Query<Next>,
) -> Response {
    let Some(chosen) = Lang::from_tag(&code).filter(|l| l.code() == code) else {
        return error_page(lang, ErrorCode::NotFound);
    };
    let next = next
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\"))
        .filter(|n| n.is_ascii() && !n.chars().any(|c| c.is_ascii_control()))
        .unwrap_or_else(|| "/".to_string());
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        chosen.code()
    );
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, next), (SET_COOKIE, cookie)],
    )
        .into_response()
}
