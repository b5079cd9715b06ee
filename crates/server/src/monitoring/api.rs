//! The monitoring's JSON API: narratives, a narrative, alerts.

use axum::Json;
use axum::extract::State;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::monitoring::load::{load_alerts, load_narrative, load_narratives};
use crate::monitoring::views::{
    AlertList, AlertsQuery, NarrativeDetailView, NarrativeList, NarrativesQuery,
};
use crate::state::AppState;

/// Narratives (items that say the same thing), most recently seen first, with their
/// copy-paste bursts.
#[utoipa::path(
    get, path = "/api/narratives", tag = "narratives", params(NarrativesQuery),
    responses(
        (status = 200, description = "Narratives", body = NarrativeList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_narratives(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NarrativesQuery>,
) -> Result<Json<NarrativeList>, ApiError> {
    Ok(Json(load_narratives(&state, &q).await?))
}

/// A narrative with its volume by hour, languages, sources, matched fact-checks, items and
/// the evidence of its burst.
#[utoipa::path(
    get, path = "/api/narratives/{id}", tag = "narratives",
    params(("id" = i64, Path, description = "The narrative's id")),
    responses(
        (status = 200, description = "The narrative", body = NarrativeDetailView),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ErrorBody),
        (status = 404, description = "No such narrative (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_narrative(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NarrativeDetailView>, ApiError> {
    Ok(Json(load_narrative(&state, id).await?))
}

/// Alerts, newest first: false-rated matches, copy-paste bursts, fast-growing narratives.
#[utoipa::path(
    get, path = "/api/alerts", tag = "narratives", params(AlertsQuery),
    responses(
        (status = 200, description = "Alerts", body = AlertList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_alerts(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> Result<Json<AlertList>, ApiError> {
    Ok(Json(load_alerts(&state, &q).await?))
}
