//! The audit trail's signed checkpoints, for witnesses: `GET
//! /.well-known/claimdesk/audit-checkpoints.jsonl` (what `claimdesk audit checkpoints`
//! exports: each checkpoint with the chain hashes since the one before, which reveal no
//! event's content) and `GET /.well-known/claimdesk/audit-key` (the public key they are
//! verified with). A partner, or a cron job with `curl`, keeps copies; `claimdesk audit
//! verify --checkpoints COPY` then detects a rewrite of anything they witnessed.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Where the checkpoints are published.
pub(crate) const CHECKPOINTS_PATH: &str = "/.well-known/claimdesk/audit-checkpoints.jsonl";
/// Where the public key is published.
pub(crate) const KEY_PATH: &str = "/.well-known/claimdesk/audit-key";

/// Witnesses poll: short caching.
const MAX_AGE: &str = "public, max-age=60";

fn text(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(MAX_AGE));
    response
}

/// `GET /.well-known/claimdesk/audit-checkpoints.jsonl`: byte for byte what `claimdesk
/// audit checkpoints` writes.
pub(crate) async fn checkpoints(State(state): State<AppState>) -> Response {
    let lines = match claimdesk_store::witnessed_checkpoints(state.store()).await {
        Ok(lines) => lines,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let mut body = String::new();
    for line in lines {
        match serde_json::to_string(&line) {
            Ok(json) => body.push_str(&json),
            Err(e) => {
                return ApiError::with_detail(ErrorCode::Internal, e.to_string()).into_response();
            }
        }
        body.push('\n');
    }
    text("application/jsonl; charset=utf-8", body)
}

/// `GET /.well-known/claimdesk/audit-key`: the public key, 64 hex digits and a newline.
pub(crate) async fn key(State(state): State<AppState>) -> Response {
    let engine = state.engine();
    match engine.data().audit_signer(engine.config()) {
        Ok(signer) => text(
            "text/plain; charset=utf-8",
            format!("{}\n", signer.public().to_hex()),
        ),
        Err(e) => ApiError::with_detail(ErrorCode::Internal, e.to_string()).into_response(),
    }
}
