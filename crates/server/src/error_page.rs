//! Error pages and the choice between them and JSON: a failed page is the error page in the
//! page's language with the request id; under `/api/` (and the machine endpoints) an error is
//! the JSON error body.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;

use crate::error::{ApiError, ErrorCode};
use crate::i18n::Lang;
use crate::render::{Chrome, render};

/// Whether a path is an HTML page (errors on it get the error page, not JSON).
pub(crate) fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/static/")
        || path == "/healthz"
        || path == "/metrics")
}

/// The error of `code` in the form of `path`: the error page (in the language `headers` ask
/// for) for pages, the JSON body elsewhere.
pub(crate) fn error_response(path: &str, headers: &HeaderMap, code: ErrorCode) -> Response {
    if is_page_path(path) {
        error_page(Lang::negotiate(headers), code)
    } else {
        ApiError::new(code).into_response()
    }
}

/// `error` in the form of `path`: the error page saying its reason (in the language
/// `headers` ask for) for pages, the JSON body elsewhere.
pub(crate) fn error_response_for(path: &str, headers: &HeaderMap, error: ApiError) -> Response {
    if is_page_path(path) {
        let lang = Lang::negotiate(headers);
        error_page_because(lang, error.code, error.reason_in(lang))
    } else {
        error.into_response()
    }
}

/// A failed page: rendered as the error page in the page's language.
pub(crate) struct PageError {
    lang: Lang,
    error: ApiError,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let reason = self.error.reason_in(self.lang);
        let mut r = error_page_because(self.lang, self.error.code, reason).into_response();
        *r.status_mut() = self.error.code.status();
        r
    }
}

/// Turns an [`ApiError`] into the page's error (for `map_err`).
pub(crate) fn fail(chrome: &Chrome) -> impl FnOnce(ApiError) -> PageError + '_ {
    move |error| PageError {
        lang: chrome.lang,
        error,
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    chrome: Chrome,
    title: &'static str,
    message: &'static str,
    /// The stable code of the error (`not_found`, `internal`, ...).
    code: &'static str,
    /// The request's id, to quote when reporting the problem.
    request_id: String,
    /// What exactly was wrong, as the API says it (in the page's language when the
    /// catalogs know it).
    reason: Option<String>,
}

/// The error page of `code` in `lang`.
pub(crate) fn error_page(lang: Lang, code: ErrorCode) -> Response {
    error_page_because(lang, code, None)
}

/// The error page of `code` in `lang`, saying `reason`: what was wrong with the request.
pub(crate) fn error_page_because(lang: Lang, code: ErrorCode, reason: Option<String>) -> Response {
    let t = lang.messages();
    let key = match code {
        ErrorCode::NotFound | ErrorCode::InvalidPath => "not_found",
        ErrorCode::Internal | ErrorCode::StoreUnavailable => "internal",
        ErrorCode::Forbidden | ErrorCode::Unauthorized => "forbidden",
        ErrorCode::CsrfFailed => "csrf",
        ErrorCode::InvalidTransition => "conflict",
        ErrorCode::InvalidRequest if reason.is_some() => "invalid",
        _ => "bad_request",
    };
    let page = ErrorTemplate {
        chrome: Chrome::new(lang, "/".into(), TimeZone::UTC),
        title: t.get(match key {
            "not_found" => "error_page.not_found_title",
            "internal" => "error_page.internal_title",
            "forbidden" => "error_page.forbidden_title",
            "csrf" => "error_page.csrf_title",
            "conflict" => "error_page.conflict_title",
            "invalid" => "error_page.invalid_title",
            _ => "error_page.bad_request_title",
        }),
        message: t.get(match key {
            "not_found" => "error_page.not_found",
            "internal" => "error_page.internal",
            "forbidden" => "error_page.forbidden",
            "csrf" => "error_page.csrf",
            "conflict" => "error_page.conflict",
            _ => "error_page.bad_request",
        }),
        code: code.as_str(),
        request_id: crate::request_id::current(),
        reason,
    };
    render(code.status(), &page)
}

/// The fallback: the error page for pages, JSON under `/api/`.
pub(crate) async fn not_found(lang: Lang, uri: axum::http::Uri) -> Response {
    if is_page_path(uri.path()) {
        error_page(lang, ErrorCode::NotFound)
    } else {
        ApiError::new(ErrorCode::NotFound).into_response()
    }
}

/// Reads a numeric id from the path; anything else is a page that does not exist.
pub(crate) fn page_id(chrome: &Chrome, raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .map_err(|_| fail(chrome)(ApiError::new(ErrorCode::NotFound)))
}
