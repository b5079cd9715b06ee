//! The fact-checks' JSON API: the list, a fact-check with its aliases (and, on the same
//! route, its public ClaimReview JSON-LD).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::extract::{ApiPath, ApiQuery};
use crate::factchecks::load::{load_fact_check, load_fact_checks};
use crate::params::SearchQuery;
use crate::public::jsonld::fact_check_jsonld;
use crate::state::AppState;
use crate::views::{FactCheckDetail, FactCheckList};

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
