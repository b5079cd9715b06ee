//! `GET /images/{sha256}`: an image an item or fact-check carries, served back to the desk
//! from the same origin. Only files the store knows are served, by a key that can only be 64
//! hex digits; the content type is the format read from the bytes when they were taken in
//! (never a name), with `nosniff` and a policy that runs nothing, so a file that somehow is
//! not the picture it claims cannot become a page.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use claimdesk_engine::image::{Format, Sha256Hex};
use claimdesk_store::prelude::*;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Serves one stored image to the desk's staff.
pub(crate) async fn image_file(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    // The key is the content's hash: the bytes behind it never change.
    serve(&state, &key, "private, max-age=31536000, immutable").await
}

/// `GET /verdicts/{id}/images/{sha256}`: the image a published verdict reviewed, for the
/// public. Only an image the fact-check carries, and only while it is published and not
/// withdrawn: an item's images (a private post, a tip) are never public by their hash.
pub(crate) async fn verdict_image(
    State(state): State<AppState>,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let missing = || ApiError::with_detail(ErrorCode::NotFound, format!("image `{key}`"));
    let id = id.parse::<i64>().map_err(|_| missing())?;
    let fc = crate::public::published::published(&state, id).await?;
    if fc.withdrawn.is_some() {
        return Err(missing());
    }
    let carried = state.store().fact_check_images(fc.id).await?;
    if !carried.iter().any(|i| i.sha256 == key) {
        return Err(missing());
    }
    // Public, but not forever: a withdrawal takes it down.
    serve(&state, &key, crate::public::published::PUBLIC_MAX_AGE).await
}

/// The image `key` (a SHA-256) with its type read from its bytes, `nosniff`, a policy that
/// runs nothing, and `cache_control`.
async fn serve(
    state: &AppState,
    key: &str,
    cache_control: &'static str,
) -> Result<Response, ApiError> {
    let missing = || ApiError::with_detail(ErrorCode::NotFound, format!("image `{key}`"));
    let sha = Sha256Hex::parse(key).ok_or_else(missing)?;
    let row = state
        .store()
        .image(sha.as_str())
        .await?
        .ok_or_else(missing)?;
    let format = Format::parse(&row.format).ok_or_else(missing)?;
    let files = state.engine().images().files().clone();
    let sha_for_read = sha.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha_for_read))
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?
        .ok_or_else(missing)?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    Ok(response)
}
