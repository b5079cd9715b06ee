//! The extractors handlers take: `Query`, `Path` and `Json` whose rejections are the
//! server's error codes, the signed-in user, and the client's address.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use claimdesk_core::User;
use claimdesk_store::TokenHash;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// The signed-in user of a request, put there by the guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who.
    pub user: User,
    /// The session's CSRF token; `None` for API-token requests.
    pub csrf: Option<String>,
    /// The session's token hash, to end it on sign-out.
    pub session: Option<TokenHash>,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }
}

/// The client's address, when the server was started with connection info.
pub(crate) struct ClientIp(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// Query parameters whose value is free text, where a blank value is a value (no filter).
const FREE_TEXT_PARAMETERS: [&str; 3] = ["q", "language", "source"];

/// `Query` whose rejection is an [`ApiError`].
///
/// Unlike the pages (whose forms send every field, blank for "any"), the API refuses a blank
/// value of a typed parameter (a number, a date, a name from a list): the document declares
/// its type, which a blank value is not, so it is left out instead.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or("");
        if let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            && let Some((name, _)) = pairs.iter().find(|(name, value)| {
                value.trim().is_empty() && !FREE_TEXT_PARAMETERS.contains(&name.as_str())
            })
        {
            return Err(ApiError::with_detail(
                ErrorCode::InvalidQuery,
                format!("{name}: blank (leave the parameter out for any value)"),
            ));
        }
        let q: Result<Query<T>, QueryRejection> = Query::from_request_parts(parts, state).await;
        Ok(ApiQuery(q?.0))
    }
}

/// `Path` whose rejection is an [`ApiError`].
pub(crate) struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let p: Result<Path<T>, PathRejection> = Path::from_request_parts(parts, state).await;
        Ok(ApiPath(p?.0))
    }
}

/// `Json` whose rejection is an [`ApiError`].
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let j: Result<Json<T>, JsonRejection> = Json::from_request(req, state).await;
        Ok(ApiJson(j?.0))
    }
}
