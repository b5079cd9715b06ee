//! `GET /api/factchecks/{id}.jsonld`: a published fact-check as schema.org ClaimReview.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use claimdesk_publish::claim_review;
use utoipa::OpenApi;

use crate::error::{ApiError, ErrorCode};
use crate::public::published::{PUBLIC_MAX_AGE, page_url, published};
use crate::state::AppState;

/// `/api/factchecks/{id}` (axum cannot match a parameter followed by a suffix in one
/// segment), which hands `{id}.jsonld` to [`fact_check_jsonld`].
#[derive(OpenApi)]
#[openapi(paths(jsonld_doc))]
pub(crate) struct JsonLdDoc;

/// A published fact-check as schema.org ClaimReview JSON-LD.
#[utoipa::path(
    get, path = "/api/factchecks/{id}.jsonld", tag = "factchecks",
    params(("id" = i64, Path, description = "The fact-check's id")),
    responses(
        (status = 200, description = "The ClaimReview", content_type = "application/ld+json"),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = crate::error::ErrorBody),
        (status = 404, description = "No such published fact-check (`not_found`)", body = crate::error::ErrorBody)
    )
)]
#[allow(dead_code)] // Describes the route only; `fact_check_jsonld` answers it.
async fn jsonld_doc() {}

/// `GET /api/factchecks/{id}.jsonld`, with `id` already stripped of its suffix.
pub(crate) async fn fact_check_jsonld(state: &AppState, raw_id: &str) -> Response {
    let Ok(id) = raw_id.parse::<i64>() else {
        return ApiError::with_detail(ErrorCode::InvalidPath, format!("{raw_id:?} is not an id"))
            .into_response();
    };
    match published(state, id).await {
        Ok(fc) => {
            let doc = claim_review(&fc.fact_check, &page_url(state, fc.id));
            (
                [
                    (CONTENT_TYPE, "application/ld+json"),
                    (CACHE_CONTROL, PUBLIC_MAX_AGE),
                ],
                doc.to_string(),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}
