//! The fact-checks' JSON API: the list, a fact-check with its aliases (and, on the same
//! route, its public ClaimReview JSON-LD), and withdrawing one.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Actor, FactCheckId};
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser};
use crate::factchecks::load::{load_fact_check, load_fact_checks, public_url};
use crate::params::SearchQuery;
use crate::public::jsonld::fact_check_jsonld;
use crate::state::AppState;
use crate::views::{FactCheckDetail, FactCheckList, FactCheckView, WithdrawRequest};

/// Fact-checks, newest first, optionally those whose claim or headline contains `q`.
#[utoipa::path(
    get, path = "/api/factchecks", tag = "factchecks", params(SearchQuery),
    responses(
        (status = 200, description = "A page of fact-checks", body = FactCheckList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn list_fact_checks(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> Result<Json<FactCheckList>, ApiError> {
    Ok(Json(load_fact_checks(&state, &q).await?))
}

/// A fact-check with its aliases.
#[utoipa::path(
    get, path = "/api/factchecks/{id}", tag = "factchecks",
    params(("id" = i64, Path, description = "The fact-check's id")),
    responses(
        (status = 200, description = "The fact-check", body = FactCheckDetail),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ErrorBody),
        (status = 404, description = "No such fact-check (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn get_fact_check(
    State(state): State<AppState>,
    ApiPath(segment): ApiPath<String>,
) -> Result<Response, ApiError> {
    // One segment serves both `{id}` and `{id}.jsonld`: axum cannot match a parameter
    // followed by a suffix.
    if let Some(id) = segment.strip_suffix(".jsonld") {
        return Ok(fact_check_jsonld(&state, id).await);
    }
    let id = segment.parse::<i64>().map_err(|e| {
        ApiError::with_detail(
            ErrorCode::InvalidPath,
            format!("Invalid URL: Cannot parse `{segment}` to a `i64`: {e}"),
        )
    })?;
    Ok(Json(load_fact_check(&state, id).await?).into_response())
}

/// Withdraws a published fact-check (admins only): it is kept, with when and why, but
/// leaves matching (the items matched to it are matched again), the public lists and
/// feeds; its public page says it was withdrawn and its ClaimReview answers 410.
#[utoipa::path(
    post, path = "/api/factchecks/{id}/withdraw", tag = "factchecks", request_body = WithdrawRequest,
    params(("id" = i64, Path, description = "The fact-check's id")),
    responses(
        (status = 200, description = "The fact-check, withdrawn", body = FactCheckView),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such fact-check (`not_found`)", body = ErrorBody),
        (status = 409, description = "Withdrawn already, or an unpublished draft (`invalid_transition`)", body = ErrorBody),
        (status = 422, description = "No reason given (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_withdraw_fact_check(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> Result<Json<FactCheckView>, ApiError> {
    let withdrawn = state
        .store()
        .withdraw_fact_check(FactCheckId(id), Actor::User(who.user.id), &req.reason)
        .await?;
    Ok(Json(public_url(&state, withdrawn).into()))
}
