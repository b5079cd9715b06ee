//! The JSON API and the machine endpoints, described by the OpenAPI document
//! that [`openapi`] builds from the same route definitions the router uses.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{FactCheckId, ItemId};
use claimdesk_store::Store;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::params::{QueueQuery, SearchQuery};
use crate::views::{
    FactCheckDetail, FactCheckList, FactCheckView, Health, ItemDetail, ItemList, ItemView,
    MatchOutcome, MatchRequest, MatchResponse, PageInfo, QueueEntryView, RawMatch, resolve,
    resolve_each,
};
use crate::{AppState, cases};

/// Longest text `POST /api/match` ranks, in characters.
pub const MAX_MATCH_TEXT: usize = 20_000;
/// Most fact-checks `POST /api/match` returns.
pub const MAX_MATCH_TOP: u32 = 50;

/// Every route the OpenAPI document describes, as (method, path). The router serves exactly
/// these outside the HTML pages and assets.
pub const API_ROUTES: [(&str, &str); 23] = [
    ("get", "/api/items"),
    ("post", "/api/items"),
    ("get", "/api/items/{id}"),
    ("post", "/api/items/{id}/match"),
    ("post", "/api/items/{id}/case"),
    ("get", "/api/factchecks"),
    ("post", "/api/factchecks"),
    ("get", "/api/factchecks/{id}"),
    ("get", "/api/cases"),
    ("get", "/api/cases/{id}"),
    ("post", "/api/cases/{id}/transition"),
    ("post", "/api/cases/{id}/assign"),
    ("post", "/api/cases/{id}/notes"),
    ("post", "/api/cases/{id}/evidence"),
    ("post", "/api/cases/{id}/verdict"),
    ("get", "/api/narratives"),
    ("get", "/api/narratives/{id}"),
    ("get", "/api/alerts"),
    ("get", "/api/factchecks/{id}.jsonld"),
    ("post", "/api/match"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
    ("get", "/metrics"),
];

#[derive(OpenApi)]
#[openapi(
    info(
        title = "claimdesk",
        description = "The desk's JSON API: the queue of items with their matches, the fact-checks, ranking of fact-checks for a text, the cases the desk works, and the narratives, copy-paste bursts and alerts the monitor found. Every route but this document needs a session cookie (changes then need the `X-CSRF-Token` header) or `Authorization: Bearer <API token>`. Errors are `{\"message\", \"code\", \"type\", \"request_id\"}` with a stable `code`; the request id is also the `x-request-id` response header and names the log lines with the detail of an internal error."
    ),
    tags(
        (name = "items", description = "Posts and articles the desk watches"),
        (name = "factchecks", description = "Published fact-checks"),
        (name = "match", description = "Ranking fact-checks for a text"),
        (name = "cases", description = "The desk's workflow: cases, links, notes, evidence, verdicts"),
        (name = "narratives", description = "Narratives (items saying the same thing), copy-paste bursts and alerts; read-only"),
        (name = "ops", description = "Health, metrics and this document")
    )
)]
struct ApiDoc;

/// The API routes with their OpenAPI descriptions.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    let mut doc = ApiDoc::openapi();
    // Served by `get_fact_check`'s route, described on its own.
    doc.merge(crate::public::JsonLdDoc::openapi());
    OpenApiRouter::with_openapi(doc)
        .routes(routes!(list_items, crate::intake::api_add_items))
        .routes(routes!(get_item))
        .routes(routes!(cases::api_link_item))
        .routes(routes!(cases::api_open_case))
        .routes(routes!(list_fact_checks, cases::api_add_fact_check))
        .routes(routes!(cases::api_list_cases))
        .routes(routes!(cases::api_get_case))
        .routes(routes!(cases::api_transition))
        .routes(routes!(cases::api_assign))
        .routes(routes!(cases::api_note))
        .routes(routes!(cases::api_evidence))
        .routes(routes!(cases::api_verdict))
        .routes(routes!(crate::monitoring::api_narratives))
        .routes(routes!(crate::monitoring::api_narrative))
        .routes(routes!(crate::monitoring::api_alerts))
        .routes(routes!(get_fact_check))
        .routes(routes!(match_text))
        .routes(routes!(openapi_json))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| router().split_for_parts().1);

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OPENAPI.clone()
}

/// `Query` whose rejection is an [`ApiError`].
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
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

/// The queue page `q` asks for.
pub(crate) async fn load_queue(state: &AppState, q: &QueueQuery) -> Result<ItemList, ApiError> {
    let (filter, paging) = q.parse(&state.config().time_zone)?;
    let page = state.store().queue(&filter, paging.request()).await?;
    let wanted: Vec<RawMatch> = page
        .entries
        .iter()
        .filter_map(|e| e.top.clone().map(RawMatch::from))
        .collect();
    let mut resolved = resolve_each(state.store(), wanted).await?.into_iter();
    let items = page
        .entries
        .into_iter()
        .map(|entry| QueueEntryView {
            top_match: entry.top.and_then(|_| resolved.next().flatten()),
            case_status: entry.case_status.map(|s| s.as_str().to_string()),
            check_worthiness: entry.check_worthiness,
            below_threshold: entry.below_threshold,
            item: entry.item.into(),
        })
        .collect();
    Ok(ItemList {
        items,
        paging: PageInfo {
            total: page.total,
            page: paging.number,
            per_page: paging.per_page,
            pages: paging.pages(page.total),
        },
    })
}

/// An item with its matches.
pub(crate) async fn load_item(state: &AppState, id: i64) -> Result<ItemDetail, ApiError> {
    let item = state
        .store()
        .item(ItemId(id))
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("item {id}")))?;
    let matches = state.store().matches(ItemId(id)).await?;
    let matches = resolve(
        state.store(),
        matches.into_iter().map(RawMatch::from).collect(),
    )
    .await?;
    let check_worthiness = state
        .store()
        .check_worthiness(ItemId(id))
        .await?
        .map(|cw| crate::views::CheckWorthinessView::new(cw, &item.item.text));
    Ok(ItemDetail {
        item: ItemView::from(item),
        matches,
        check_worthiness,
    })
}

/// The fact-check page `q` asks for.
pub(crate) async fn load_fact_checks(
    state: &AppState,
    q: &SearchQuery,
) -> Result<FactCheckList, ApiError> {
    let (text, paging) = q.parse()?;
    let page = state
        .store()
        .search_fact_checks(text.as_deref(), paging.request())
        .await?;
    Ok(FactCheckList {
        fact_checks: page.entries.into_iter().map(FactCheckView::from).collect(),
        paging: PageInfo {
            total: page.total,
            page: paging.number,
            per_page: paging.per_page,
            pages: paging.pages(page.total),
        },
    })
}

/// A fact-check with its aliases.
pub(crate) async fn load_fact_check(
    state: &AppState,
    id: i64,
) -> Result<FactCheckDetail, ApiError> {
    let fc = state
        .store()
        .fact_checks_by_id(&[FactCheckId(id)])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("fact-check {id}")))?;
    let aliases = state.store().aliases(FactCheckId(id)).await?;
    Ok(FactCheckDetail {
        fact_check: fc.into(),
        aliases: aliases.into_iter().map(FactCheckView::from).collect(),
    })
}

/// The queue: items newest first, each with its top match.
#[utoipa::path(
    get, path = "/api/items", tag = "items", params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = ItemList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
async fn list_items(
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
async fn get_item(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ItemDetail>, ApiError> {
    Ok(Json(load_item(&state, id).await?))
}

/// Fact-checks, newest first, optionally those whose claim or headline contains `q`.
#[utoipa::path(
    get, path = "/api/factchecks", tag = "factchecks", params(SearchQuery),
    responses(
        (status = 200, description = "A page of fact-checks", body = FactCheckList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody)
    )
)]
async fn list_fact_checks(
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
async fn get_fact_check(
    State(state): State<AppState>,
    ApiPath(segment): ApiPath<String>,
) -> Result<Response, ApiError> {
    // One segment serves both `{id}` and `{id}.jsonld`: axum cannot match a parameter
    // followed by a suffix.
    if let Some(id) = segment.strip_suffix(".jsonld") {
        return Ok(crate::public::fact_check_jsonld(&state, id).await);
    }
    let id = segment.parse::<i64>().map_err(|e| {
        ApiError::with_detail(
            ErrorCode::InvalidPath,
            format!("Invalid URL: Cannot parse `{segment}` to a `i64`: {e}"),
        )
    })?;
    Ok(Json(load_fact_check(&state, id).await?).into_response())
}

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
async fn match_text(
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

/// This document.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = "ops",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn openapi_json() -> Response {
    match OPENAPI.to_json() {
        Ok(json) => ([(CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => ApiError::with_detail(ErrorCode::Internal, e.to_string()).into_response(),
    }
}

/// Whether the store answers.
#[utoipa::path(
    get, path = "/healthz", tag = "ops",
    responses(
        (status = 200, description = "The store answers", body = Health),
        (status = 503, description = "The store does not answer (`store_unavailable`)", body = ErrorBody)
    )
)]
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
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
async fn metrics(State(state): State<AppState>) -> Response {
    let counts = state.store().counts().await.ok();
    let text = state.metrics().render(counts);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
        .into_response()
}
