//! One id per request: taken from the client's `x-request-id` when it is short and plain,
//! else made here; echoed on the response, put in the request's trace span, and carried by
//! every error body and error page, so a user's report and the log line with the detail
//! meet on it.
//!
//! The id of the request being answered is a task-local value ([`current`]): error bodies
//! are made far from the request (extractor rejections, layers, the panic guard) and all of
//! them run inside [`assign`]'s scope.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::{MakeRequestId, MakeRequestUuid};

/// The request id header, read from the client when safe and set on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-sent id kept; a longer one is replaced.
const MAX_LEN: usize = 64;

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered; empty outside a request.
pub fn current() -> String {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Whether a client-sent id may be used: 1 to 64 ASCII letters, digits, `-`, `_`, `.`, `:`,
/// so it cannot forge log lines or carry markup.
fn acceptable(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A new id (a random UUID).
fn fresh(req: &Request) -> HeaderValue {
    MakeRequestUuid
        .make_request_id(req)
        .map(|id| id.header_value().clone())
        .unwrap_or_else(|| HeaderValue::from_static("unknown"))
}

/// The middleware: chooses the request's id, sets it on the request (for the trace span)
/// and the response, and answers the request inside its scope.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let value = match req.headers().get(&REQUEST_ID) {
        Some(v) if v.to_str().is_ok_and(acceptable) => v.clone(),
        _ => fresh(&req),
    };
    let id = value.to_str().unwrap_or_default().to_string();
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let mut response = CURRENT.scope(id, next.run(req)).await;
    response.headers_mut().insert(REQUEST_ID, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_kept() {
        assert!(acceptable("abc-123"));
        assert!(acceptable("0f8e2c1a-5b7d-4c11-9a5e-1d2f3a4b5c6d"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("a b"));
        assert!(!acceptable("<script>"));
        assert!(!acceptable("line\nbreak"));
    }

    #[tokio::test]
    async fn the_id_is_known_inside_the_scope_only() {
        assert_eq!(current(), "");
        let inside = CURRENT.scope("r-1".to_string(), async { current() }).await;
        assert_eq!(inside, "r-1");
    }
}
