//! The machine endpoints: health, metrics, and the OpenAPI document (built from the route
//! table by the router, which hands it to [`openapi_json`] as an [`ApiDocument`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::state::AppState;
use crate::views::Health;

/// The OpenAPI document as JSON, put on every request by the router.
#[derive(Clone)]
pub(crate) struct ApiDocument(pub Arc<str>);

/// This document.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = "ops",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub(crate) async fn openapi_json(Extension(doc): Extension<ApiDocument>) -> Response {
    ([(CONTENT_TYPE, "application/json")], doc.0.to_string()).into_response()
}

/// Whether the store answers.
#[utoipa::path(
    get, path = "/healthz", tag = "ops",
    responses(
        (status = 200, description = "The store answers", body = Health),
        (status = 503, description = "The store does not answer (`store_unavailable`)", body = ErrorBody)
    )
)]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let unavailable = |e: claimdesk_store::Error| {
        ApiError::with_detail(ErrorCode::StoreUnavailable, e.to_string())
    };
    let (fact_checks, items) = state.store().counts().await.map_err(unavailable)?;
    let store_revision = state.store().revision().await.map_err(unavailable)?;
    Ok(Json(Health {
        status: "ok",
        fact_checks,
        items,
        store_revision,
        served_revision: state.engine().served_revision(),
    }))
}

/// Request counts, latencies and store counts in the Prometheus text format.
#[utoipa::path(
    get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"))
)]
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let counts = state.store().counts().await.ok();
    let text = state.metrics().render(counts);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}
