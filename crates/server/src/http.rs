//! The middleware every request passes: request id, trace span, metrics, security headers,
//! error bodies for layer-made errors, gzip, body limit, timeout and a panic guard.

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    HeaderValue, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{Response, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, ErrorCode};
use crate::error_page;
use crate::i18n::Lang;
use crate::metrics::method_label;
use crate::request_id::{self, REQUEST_ID};
use crate::route::Route;
use crate::state::AppState;

/// The Content-Security-Policy of every response: no inline script or style, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
    form-action 'self'";

/// Wraps the application in the middleware stack and gives it its state; `routes` (the
/// route table) gives the metrics their route labels.
pub(crate) fn layers(app: Router<AppState>, state: AppState, routes: &'static [Route]) -> Router {
    let limit = state.config().body_limit;
    // The routes that take images read more (router.rs); the rest stop at `limit`.
    let largest = limit.max(state.config().upload_limit);
    let timeout = state.config().request_timeout;
    app.layer(middleware::from_fn_with_state(
        (state.clone(), routes),
        record_metrics,
    ))
    .layer(DefaultBodyLimit::max(limit))
    .layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(request_id::assign))
            .layer(
                TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        target: "server::http",
                        "request",
                        method = %req.method(),
                        uri = %req.uri().path(),
                        request_id = %id,
                    )
                }),
            )
            .layer(middleware::map_response_with_state(
                state.config().secure_cookies(),
                security_headers,
            ))
            .layer(middleware::from_fn(error_bodies))
            .layer(CompressionLayer::new().gzip(true))
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                timeout,
            ))
            // Bodies without a length are cut here; declared lengths over the limit too.
            .layer(RequestBodyLimitLayer::new(largest)),
    )
    .with_state(state)
}

/// Counts the request under its route's label in the table (`unmatched` when it matched
/// none), its method and its status.
async fn record_metrics(
    State((state, routes)): State<(AppState, &'static [Route])>,
    req: Request,
    next: Next,
) -> impl IntoResponse {
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    let route = routes
        .iter()
        .find(|r| Some(r.path) == matched)
        .map_or("unmatched", Route::metrics_label);
    let method = method_label(req.method().as_str());
    let start = Instant::now();
    let response = next.run(req).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    state.metrics().record(route, method, status, elapsed);
    tracing::info!(
        target: "server::http",
        %route,
        status,
        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
        "answered"
    );
    response
}

/// How long browsers keep to https once told (`Strict-Transport-Security`), in seconds.
const HSTS_MAX_AGE: u64 = 365 * 24 * 3600;

/// The security headers of every response; `tls` (the desk's public URL is `https`) adds
/// HSTS, so a browser never sends a session cookie over plain http again.
async fn security_headers(State(tls): State<bool>, mut response: Response<Body>) -> Response<Body> {
    let h = response.headers_mut();
    if tls && let Ok(v) = HeaderValue::from_str(&format!("max-age={HSTS_MAX_AGE}")) {
        h.insert(STRICT_TRANSPORT_SECURITY, v);
    }
    // A response that sets a stricter policy of its own (an image served back: nothing
    // but the image, sandboxed) keeps it.
    h.entry(CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages show what staff may not share; assets set their own long-lived caching.
    h.entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Errors made by layers and the router (413 from the body limit, 408 from the timeout,
/// 405) come with no body or plain text: give them the error body of their route, JSON under `/api/`
/// and the health and metrics endpoints, the error page elsewhere.
async fn error_bodies(req: Request, next: Next) -> Response<Body> {
    let lang = Lang::negotiate(req.headers());
    let html = error_page::is_page_path(req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let code = ErrorCode::for_status(status);
    let mut fresh = if html {
        error_page::error_page(lang, code).into_response()
    } else {
        ApiError::new(code).into_response()
    };
    *fresh.status_mut() = status;
    // The headers of the body replaced describe that body: the new one is neither of its
    // type nor of its length, and not compressed (this layer is outside the compression).
    for (name, value) in response.headers() {
        if ![CONTENT_TYPE, CONTENT_LENGTH, CONTENT_ENCODING].contains(name) {
            fresh.headers_mut().entry(name).or_insert(value.clone());
        }
    }
    fresh
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!(target: "server::http", "a handler panicked");
    ApiError::new(ErrorCode::Internal).into_response()
}
