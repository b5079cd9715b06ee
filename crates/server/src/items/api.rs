//! The items' JSON API: the queue and an item with its matches.

use axum::Json;
use axum::extract::State;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::items::load::{load_item, load_queue};
use crate::params::QueueQuery;
use crate::state::AppState;
use crate::views::{ItemDetail, ItemList};

/// The queue: items newest first, each with its top match.
#[utoipa::path(
    get, path = "/api/items", tag = "items", params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = ItemList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
pub(crate) async fn list_items(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<ItemList>, ApiError> {
    Ok(Json(load_queue(&state, &q).await?))
}

/// An item with its ranked fact-check matches and why each matched.
#[utoipa::path(
    get, path = "/api/items/{id}", tag = "items",
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ErrorBody),
        (status = 404, description = "No such item (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn get_item(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ItemDetail>, ApiError> {
    Ok(Json(load_item(&state, id).await?))
}
