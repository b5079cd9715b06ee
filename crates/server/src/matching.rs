//! `POST /api/match`: the fact-checks that match a text, ranked by the engine's live ranker.

use axum::Json;
use axum::extract::State;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::views::{MatchOutcome, MatchRequest, MatchResponse, RawMatch, resolve};

/// Longest text `POST /api/match` ranks, in characters.
pub const MAX_MATCH_TEXT: usize = 20_000;
/// Most fact-checks `POST /api/match` returns.
pub const MAX_MATCH_TOP: u32 = 50;

/// Ranks the fact-checks that match a text, best first, with why each matched.
#[utoipa::path(
    post, path = "/api/match", tag = "match", request_body = MatchRequest,
    responses(
        (status = 200, description = "The ranked fact-checks", body = MatchResponse),
        (status = 400, description = "The body is not JSON (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ErrorBody),
        (status = 415, description = "The body is not `application/json` (`unsupported_media_type`)", body = ErrorBody),
        (status = 422, description = "Empty or too long text, or `top` out of range (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn match_text(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<MatchRequest>,
) -> Result<Json<MatchResponse>, ApiError> {
    if req.text.trim().is_empty() {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidRequest,
            "text: empty",
        ));
    }
    if req.text.chars().count() > MAX_MATCH_TEXT {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidRequest,
            format!("text: longer than {MAX_MATCH_TEXT} characters"),
        ));
    }
    let top = req.top.unwrap_or(5);
    if !(1..=MAX_MATCH_TOP).contains(&top) {
        return Err(ApiError::with_detail(
            ErrorCode::InvalidRequest,
            format!("top: {top} is not between 1 and {MAX_MATCH_TOP}"),
        ));
    }
    let ranked = state
        .engine()
        .rank(&req.text, top as usize)
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?;
    let raw = ranked
        .into_iter()
        .enumerate()
        .map(|(i, m)| RawMatch::ranked(i, m))
        .collect();
    let matches = resolve(state.store(), raw).await?;
    Ok(Json(MatchResponse {
        outcome: MatchOutcome::of(&matches),
        matches,
    }))
}
