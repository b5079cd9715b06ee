//! The cases' JSON API: the mirror of the case pages, for scripts and partner systems.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use claimdesk_store::prelude::*;

use crate::cases::ops::*;
use crate::cases::views::*;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentUser};
use crate::state::AppState;

type ApiResult<T> = Result<Json<T>, ApiError>;

/// Links an item to a published fact-check: its case (opened if need be) becomes
/// `matched_existing`.
#[utoipa::path(
    post, path = "/api/items/{id}/match", tag = "cases", request_body = LinkRequest,
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item's case", body = CaseView),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "Role too low or CSRF token missing (`forbidden`, `csrf_failed`)", body = ErrorBody),
        (status = 404, description = "No such item or fact-check (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case cannot be linked now (`invalid_transition`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_link_item(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> ApiResult<CaseView> {
    Ok(Json(
        link_item(&state, id, req.fact_check, &who.user)
            .await?
            .into(),
    ))
}

/// The item's case, opened in triage when it has none.
#[utoipa::path(
    post, path = "/api/items/{id}/case", tag = "cases",
    params(("id" = i64, Path, description = "The item's id")),
    responses(
        (status = 200, description = "The item's case", body = CaseView),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such item (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_open_case(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<CaseView> {
    Ok(Json(item_case(&state, id, &who.user).await?.into()))
}

/// Cases, most recently changed first.
#[utoipa::path(
    get, path = "/api/cases", tag = "cases", params(CaseQuery),
    responses(
        (status = 200, description = "The cases", body = CaseList),
        (status = 400, description = "A parameter is not valid (`invalid_query`)", body = ErrorBody),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_list_cases(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> ApiResult<CaseList> {
    let cases = state.store().cases(&q.filter()?).await?;
    Ok(Json(CaseList {
        cases: cases.into_iter().map(CaseView::from).collect(),
    }))
}

/// A case with its notes, evidence, history, audit events and the moves the caller may make.
#[utoipa::path(
    get, path = "/api/cases/{id}", tag = "cases",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 401, description = "Not signed in (`unauthorized`)", body = ErrorBody),
        (status = 404, description = "No such case (`not_found`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_get_case(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<CaseDetail> {
    let case = load_case(&state, id).await?;
    Ok(Json(case_detail(&state, case, &who.user).await?))
}

/// Moves a case to another status, as the workflow allows.
#[utoipa::path(
    post, path = "/api/cases/{id}/transition", tag = "cases", request_body = TransitionRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case moved", body = CaseView),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such case (`not_found`)", body = ErrorBody),
        (status = 409, description = "The workflow does not allow it, the case has no draft verdict yet, or its publication is held by the privacy check (high-severity findings, no `override_reason`) (`invalid_transition`)", body = ErrorBody),
        (status = 422, description = "Unknown status, or `matched_existing` (set by linking a fact-check) (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_transition(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<CaseView> {
    Ok(Json(
        do_transition(
            &state,
            id,
            &req.to,
            req.override_reason.as_deref(),
            &who.user,
        )
        .await?
        .into(),
    ))
}

/// Assigns a case to a user, or unassigns it.
#[utoipa::path(
    post, path = "/api/cases/{id}/assign", tag = "cases", request_body = AssignRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseView),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such case or user (`not_found`)", body = ErrorBody),
        (status = 409, description = "The user cannot take cases: disabled, or a viewer (`invalid_transition`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_assign(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<CaseView> {
    Ok(Json(
        do_assign(&state, id, req.assignee, &who.user).await?.into(),
    ))
}

/// Adds a note to a case.
#[utoipa::path(
    post, path = "/api/cases/{id}/notes", tag = "cases", request_body = NoteRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The note", body = NoteView),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such case (`not_found`)", body = ErrorBody),
        (status = 422, description = "Empty note (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_note(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> ApiResult<NoteView> {
    Ok(Json(do_note(&state, id, &req.text, &who.user).await?))
}

/// Attaches a source (an http or https URL) to a case.
#[utoipa::path(
    post, path = "/api/cases/{id}/evidence", tag = "cases", request_body = EvidenceRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The evidence", body = EvidenceView),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such case (`not_found`)", body = ErrorBody),
        (status = 422, description = "Not an http(s) URL (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_evidence(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<EvidenceRequest>,
) -> ApiResult<EvidenceView> {
    Ok(Json(do_evidence(&state, id, req, &who.user).await?))
}

/// Writes the case's draft verdict; the caller becomes its author.
#[utoipa::path(
    post, path = "/api/cases/{id}/verdict", tag = "cases", request_body = VerdictRequest,
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The draft saved", body = VerdictSaved),
        (status = 403, description = "Role too low (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such case (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case is not verifying, drafted or in review (`invalid_transition`)", body = ErrorBody),
        (status = 422, description = "Empty claim, unknown rating, bad URL or language tag (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_verdict(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<VerdictRequest>,
) -> ApiResult<VerdictSaved> {
    let id = do_verdict(&state, id, req, &who.user).await?;
    Ok(Json(VerdictSaved { fact_check: id.0 }))
}

/// Imports a fact-check of the desk's existing published record (claim required, URL http or
/// https), keyed by its URL. Admins only: it is published at once, without a case's review.
/// A verdict the desk wrote changes only through its case.
#[utoipa::path(
    post, path = "/api/factchecks", tag = "factchecks", request_body = NewFactCheckRequest,
    responses(
        (status = 201, description = "Stored", body = FactCheckAdded),
        (status = 403, description = "Not an admin (`forbidden`)", body = ErrorBody),
        (status = 409, description = "It would change a verdict the desk wrote (`invalid_transition`)", body = ErrorBody),
        (status = 422, description = "No claim or a bad URL (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_add_fact_check(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiJson(req): ApiJson<NewFactCheckRequest>,
) -> Result<(StatusCode, Json<FactCheckAdded>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(add_fact_check(&state, req, &who.user).await?),
    ))
}
