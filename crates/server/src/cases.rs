//! The desk's workflow over HTTP: linking an item to a fact-check, opening cases, moving
//! them, assigning, notes, evidence, the verdict editor, and adding a published fact-check.
//! HTML forms and JSON API mirror each other and share the operations here; every change
//! goes through the store, which checks the role and the workflow and writes the audit
//! trail. The pages only hide buttons the user could not use.

use claimdesk_ingest::validate;
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use claimdesk_core::{
    Actor, Case, CaseId, CaseStatus, FactCheck, FactCheckId, ItemId, Role, User, UserId,
    next_statuses, transition,
};
use claimdesk_store::{
    AuditFilter, CaseFilter, DraftFactCheck, ImportSource, NewCase, NewEvidence, NewFactCheck,
    Store,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::pages::{Chrome, PageError, SelectOption, fail, page_id, render};
use crate::views::web_link;

/// Most cases a list shows.
const CASES_SHOWN: u32 = 200;
/// Most audit events a case shows.
const AUDIT_SHOWN: u32 = 500;

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidRequest, detail)
}

fn parse_status(s: &str) -> Result<CaseStatus, ApiError> {
    s.trim()
        .parse()
        .map_err(|e: claimdesk_core::UnknownName| invalid(e.to_string()))
}

async fn load_case(state: &AppState, id: i64) -> Result<Case, ApiError> {
    state
        .store()
        .case(CaseId(id))
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("case {id}")))
}

/// The item's case, opened (in triage) when it has none.
async fn item_case(state: &AppState, item: i64, user: &User) -> Result<Case, ApiError> {
    let existing = state
        .store()
        .cases(&CaseFilter {
            item: Some(ItemId(item)),
            limit: 1,
            ..CaseFilter::default()
        })
        .await?;
    if let Some(case) = existing.into_iter().next() {
        return Ok(case);
    }
    let new = NewCase {
        item: Some(ItemId(item)),
        ..NewCase::default()
    };
    Ok(state.store().create_case(&new, user.id).await?)
}

/// Links an item to a fact-check: its case (opened if need be) moves to `matched_existing`.
async fn link_item(
    state: &AppState,
    item: i64,
    fact_check: i64,
    user: &User,
) -> Result<Case, ApiError> {
    let case = item_case(state, item, user).await?;
    if case.status == CaseStatus::MatchedExisting
        && case.fact_check == Some(FactCheckId(fact_check))
    {
        return Ok(case);
    }
    Ok(state
        .store()
        .link_fact_check(case.id, FactCheckId(fact_check), user.id)
        .await?)
}

/// The statuses `user` may move `case` to by a plain transition (linking a fact-check is
/// done from the item), as the core's table and rules say.
fn allowed_moves(state: &AppState, case: &Case, user_role: Role, user: UserId) -> Vec<CaseStatus> {
    let policy = state.store().policy();
    next_statuses(case.status)
        .iter()
        .copied()
        .filter(|to| *to != CaseStatus::MatchedExisting)
        .filter(|to| {
            transition(
                case.status,
                *to,
                user_role,
                user,
                case.drafted_by,
                policy.require_other_reviewer,
            )
            .is_ok()
        })
        .collect()
}

fn http_url(url: &str, field: &str) -> Result<String, ApiError> {
    let url = url.trim();
    web_link(url).map(str::to_string).ok_or_else(|| {
        invalid(format!(
            "{field}: only http and https addresses are accepted"
        ))
    })
}

/// A value the shared validation refused, as the caller's error.
fn checked(e: validate::Invalid) -> ApiError {
    invalid(e.to_string())
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------------------------------
// JSON types.

/// A case as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    /// Its id.
    pub id: i64,
    /// The item it comes from.
    pub item: Option<i64>,
    /// The fact-check it is matched to (`matched_existing`) or published as.
    pub fact_check: Option<i64>,
    /// The claim.
    pub claim: String,
    /// `triage`, `verifying`, `drafted`, `in_review`, `published`, `matched_existing` or
    /// `not_checkable`.
    pub status: String,
    /// The assigned user's id.
    pub assignee: Option<i64>,
    /// Who opened it.
    pub created_by: i64,
    /// Who wrote its draft verdict.
    pub drafted_by: Option<i64>,
    /// When it was opened (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

impl From<Case> for CaseView {
    fn from(c: Case) -> Self {
        CaseView {
            id: c.id.0,
            item: c.item.map(|i| i.0),
            fact_check: c.fact_check.map(|f| f.0),
            claim: c.claim,
            status: c.status.as_str().to_string(),
            assignee: c.assignee.map(|a| a.0),
            created_by: c.created_by.0,
            drafted_by: c.drafted_by.map(|u| u.0),
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// Cases, most recently changed first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// The cases.
    pub cases: Vec<CaseView>,
}

/// A note on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    /// Its id.
    pub id: i64,
    /// Who wrote it (user id).
    pub author: i64,
    /// The note.
    pub text: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}

/// A source attached to a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    /// Its id.
    pub id: i64,
    /// An http(s) URL.
    pub url: String,
    /// Its title.
    pub title: Option<String>,
    /// What it shows.
    pub note: Option<String>,
    /// Who added it (user id).
    pub added_by: i64,
    /// When (RFC 3339, UTC).
    pub added_at: String,
}

/// A status change of a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusChangeView {
    /// The status before (none for the opening).
    pub from: Option<String>,
    /// The status after.
    pub to: String,
    /// Who (user id).
    pub actor: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// An event of the audit trail about a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Position in the trail.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: `user:ID`, `cli` or `system`.
    pub actor: String,
    /// What, as `area.verb`.
    pub action: String,
    /// The state before, as JSON text.
    pub before: Option<String>,
    /// The state after, as JSON text.
    pub after: Option<String>,
}

/// The verdict the desk wrote for a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictView {
    /// Its fact-check id.
    pub fact_check: i64,
    /// The claim reviewed.
    pub claim: String,
    /// Its headline.
    pub headline: Option<String>,
    /// The rating in words (ClaimReview `alternateName`).
    pub rating: Option<String>,
    /// The ClaimReview `ratingValue`.
    pub rating_value: Option<f64>,
    /// The verdict explained.
    pub summary: Option<String>,
    /// The sources it rests on.
    pub evidence: Vec<String>,
    /// Its author (the user who wrote it).
    pub author: Option<String>,
    /// Its language tag.
    pub language: Option<String>,
    /// Whether it is published (else a draft).
    pub published: bool,
}

/// A case with everything about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    /// The case.
    pub case: CaseView,
    /// Its own verdict, draft or published.
    pub verdict: Option<VerdictView>,
    /// The statuses the caller may move it to.
    pub next_statuses: Vec<String>,
    /// Its notes, oldest first.
    pub notes: Vec<NoteView>,
    /// Its evidence, oldest first.
    pub evidence: Vec<EvidenceView>,
    /// Its status changes, its opening first.
    pub history: Vec<StatusChangeView>,
    /// Its audit events, oldest first.
    pub audit: Vec<AuditView>,
}

/// Which cases to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases in this status.
    pub status: Option<String>,
    /// Only cases assigned to this user id.
    pub assignee: Option<String>,
}

impl CaseQuery {
    fn filter(&self) -> Result<CaseFilter, ApiError> {
        let status = non_empty(self.status.clone())
            .map(|s| parse_status(&s))
            .transpose()?;
        let assignee = non_empty(self.assignee.clone())
            .map(|a| {
                a.parse::<i64>()
                    .map(UserId)
                    .map_err(|_| ApiError::with_detail(ErrorCode::InvalidQuery, "assignee"))
            })
            .transpose()?;
        Ok(CaseFilter {
            status,
            assignee,
            limit: CASES_SHOWN,
            ..CaseFilter::default()
        })
    }
}

/// `POST /api/items/{id}/match`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkRequest {
    /// The published fact-check that answers the item.
    pub fact_check: i64,
}

/// `POST /api/cases/{id}/transition`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The status to move to, e.g. `verifying`.
    pub to: String,
}

/// `POST /api/cases/{id}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// The user id to assign, or `null` to unassign.
    pub assignee: Option<i64>,
}

/// `POST /api/cases/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteRequest {
    /// The note.
    pub text: String,
}

/// `POST /api/cases/{id}/evidence`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EvidenceRequest {
    /// An http or https URL.
    pub url: String,
    /// Its title.
    pub title: Option<String>,
    /// What it shows.
    pub note: Option<String>,
}

/// `POST /api/cases/{id}/verdict`: the case's draft verdict.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerdictRequest {
    /// The claim reviewed.
    pub claim: String,
    /// A verdict of the desk's rating scale, by key (`false`) or label.
    pub rating: String,
    /// The verdict explained in a few sentences.
    pub summary: Option<String>,
    /// The sources it rests on (http or https URLs).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// The verdict's language tag (`en`, `vi`).
    pub language: Option<String>,
    /// A headline.
    pub headline: Option<String>,
}

/// The draft verdict saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerdictSaved {
    /// The draft's fact-check id.
    pub fact_check: i64,
}

/// `POST /api/factchecks`: a fact-check published elsewhere, added by an editor.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFactCheckRequest {
    /// The claim that was checked.
    pub claim: String,
    /// Its page (http or https).
    pub url: Option<String>,
    /// Its headline.
    pub headline: Option<String>,
    /// The verdict: a key or label of the desk's scale, else kept as written.
    pub rating: Option<String>,
    /// Who published it.
    pub author: Option<String>,
    /// When (ISO 8601 date).
    pub date_published: Option<String>,
    /// Its language tag.
    pub language: Option<String>,
}

/// The fact-check added.
#[derive(Debug, Serialize, ToSchema)]
pub struct FactCheckAdded {
    /// The source id it is stored under (its URL, else a hash of the claim).
    pub source_id: String,
    /// False when it was already stored exactly so.
    pub added: bool,
}

// ---------------------------------------------------------------------------------------
// Operations shared by the pages and the API.

async fn case_detail(state: &AppState, case: Case, who: &User) -> Result<CaseDetail, ApiError> {
    let store = state.store();
    let moves = allowed_moves(state, &case, who.role, who.id);
    let notes = store.notes(case.id).await?;
    let evidence = store.evidence(case.id).await?;
    let history = store.case_history(case.id).await?;
    let verdict = store.case_verdict(case.id).await?.map(|v| {
        let rating = v.fact_check.rating.unwrap_or_default();
        VerdictView {
            fact_check: v.id.0,
            claim: v.fact_check.claim,
            headline: v.fact_check.headline,
            rating: rating.label,
            rating_value: rating.value,
            summary: v.summary,
            evidence: v.evidence,
            author: v.fact_check.author,
            language: v.fact_check.language,
            published: v.published,
        }
    });
    let audit = store
        .audit_events(&AuditFilter {
            subject: Some(format!("case:{}", case.id.0)),
            after: 0,
            limit: AUDIT_SHOWN,
        })
        .await?;
    Ok(CaseDetail {
        next_statuses: moves.iter().map(|s| s.as_str().to_string()).collect(),
        verdict,
        case: case.into(),
        notes: notes
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                author: n.author.0,
                text: n.text,
                created_at: n.created_at,
            })
            .collect(),
        evidence: evidence
            .into_iter()
            .map(|e| EvidenceView {
                id: e.id,
                url: e.url,
                title: e.title,
                note: e.note,
                added_by: e.added_by.0,
                added_at: e.added_at,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|h| StatusChangeView {
                from: h.from.map(|s| s.as_str().to_string()),
                to: h.to.as_str().to_string(),
                actor: h.actor.0,
                at: h.at,
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|e| AuditView {
                seq: e.seq,
                at: e.at,
                actor: e.actor,
                action: e.action,
                before: e.before,
                after: e.after,
            })
            .collect(),
    })
}

async fn do_transition(state: &AppState, id: i64, to: &str, user: &User) -> Result<Case, ApiError> {
    let to = parse_status(to)?;
    Ok(state
        .store()
        .transition_case(CaseId(id), to, user.id)
        .await?)
}

async fn do_assign(
    state: &AppState,
    id: i64,
    assignee: Option<i64>,
    user: &User,
) -> Result<Case, ApiError> {
    Ok(state
        .store()
        .assign_case(CaseId(id), assignee.map(UserId), user.id)
        .await?)
}

async fn do_note(state: &AppState, id: i64, text: &str, user: &User) -> Result<NoteView, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("text: empty"));
    }
    validate::text("text", text).map_err(checked)?;
    let n = state.store().add_note(CaseId(id), text, user.id).await?;
    Ok(NoteView {
        id: n.id,
        author: n.author.0,
        text: n.text,
        created_at: n.created_at,
    })
}

async fn do_evidence(
    state: &AppState,
    id: i64,
    req: EvidenceRequest,
    user: &User,
) -> Result<EvidenceView, ApiError> {
    let new = NewEvidence {
        url: http_url(&req.url, "url")?,
        title: non_empty(req.title),
        note: non_empty(req.note),
    };
    for (field, value) in [("title", &new.title), ("note", &new.note)] {
        if let Some(v) = value {
            validate::text(field, v).map_err(checked)?;
        }
    }
    let e = state
        .store()
        .add_evidence(CaseId(id), &new, user.id)
        .await?;
    Ok(EvidenceView {
        id: e.id,
        url: e.url,
        title: e.title,
        note: e.note,
        added_by: e.added_by.0,
        added_at: e.added_at,
    })
}

async fn do_verdict(
    state: &AppState,
    id: i64,
    req: VerdictRequest,
    user: &User,
) -> Result<FactCheckId, ApiError> {
    let claim = req.claim.trim().to_string();
    if claim.is_empty() {
        return Err(invalid("claim: empty"));
    }
    let language = non_empty(req.language).unwrap_or_else(|| state.scale().language().into());
    let rating = state
        .scale()
        .rating_in(&req.rating, &language)
        .ok_or_else(|| {
            invalid(format!(
                "rating: `{}` is not on the desk's scale",
                req.rating
            ))
        })?;
    let evidence = req
        .evidence
        .iter()
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
        .map(|u| http_url(u, "evidence"))
        .collect::<Result<Vec<_>, _>>()?;
    let draft = DraftFactCheck {
        duplicate_key: claimdesk_text::duplicate_key(&claim),
        fact_check: FactCheck {
            claim,
            headline: non_empty(req.headline),
            rating: Some(rating),
            author: Some(user.display_name.clone()),
            language: Some(language),
            ..FactCheck::default()
        },
        summary: non_empty(req.summary),
        evidence,
    };
    validate::fact_check(&draft.fact_check).map_err(checked)?;
    if let Some(summary) = &draft.summary {
        validate::text("summary", summary).map_err(checked)?;
    }
    Ok(state
        .store()
        .save_draft_fact_check(CaseId(id), &draft, user.id)
        .await?)
}

async fn add_fact_check(
    state: &AppState,
    req: NewFactCheckRequest,
    user: &User,
) -> Result<FactCheckAdded, ApiError> {
    let claim = req.claim.trim().to_string();
    if claim.is_empty() {
        return Err(invalid("claim: required"));
    }
    let url = non_empty(req.url)
        .map(|u| http_url(&u, "url"))
        .transpose()?;
    let language = non_empty(req.language);
    let rating = non_empty(req.rating).map(|r| {
        state
            .scale()
            .rating_in(&r, language.as_deref().unwrap_or(state.scale().language()))
            .unwrap_or(claimdesk_core::Rating {
                label: Some(r),
                ..claimdesk_core::Rating::default()
            })
    });
    let key = claimdesk_text::duplicate_key(&claim);
    let source_id = url
        .clone()
        .unwrap_or_else(|| format!("desk:{}", claimdesk_store::TokenHash::of(&key).as_str()));
    let new = NewFactCheck {
        fact_check: FactCheck {
            source_id: source_id.clone(),
            claim,
            headline: non_empty(req.headline),
            rating,
            author: non_empty(req.author),
            date_published: non_empty(req.date_published),
            url,
            language,
            ..FactCheck::default()
        },
        duplicate_key: key,
    };
    // The importer's validation: what the API publishes, an import would have accepted.
    validate::fact_check(&new.fact_check).map_err(checked)?;
    let counts = state
        .store()
        .save_fact_checks(
            &[new],
            ImportSource {
                file: "api",
                format: "json",
                diagnostics: &[],
                actor: Actor::User(user.id),
            },
        )
        .await?;
    Ok(FactCheckAdded {
        source_id,
        added: counts.added + counts.updated > 0,
    })
}

// ---------------------------------------------------------------------------------------
// The JSON API.

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
        (status = 409, description = "The workflow does not allow it (`invalid_transition`)", body = ErrorBody),
        (status = 422, description = "Unknown status (`invalid_request`)", body = ErrorBody)
    )
)]
pub(crate) async fn api_transition(
    State(state): State<AppState>,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<TransitionRequest>,
) -> ApiResult<CaseView> {
    Ok(Json(
        do_transition(&state, id, &req.to, &who.user).await?.into(),
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
        (status = 422, description = "The user cannot be assigned (`invalid_request`)", body = ErrorBody)
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
        (status = 422, description = "Empty claim, unknown rating, bad URL or wrong status (`invalid_request`)", body = ErrorBody)
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

// ---------------------------------------------------------------------------------------
// The pages.

pub(crate) fn pages() -> Router<AppState> {
    Router::new()
        .route("/cases", get(cases_page))
        .route("/cases/{id}", get(case_page))
        .route("/cases/{id}/transition", post(page_transition))
        .route("/cases/{id}/assign", post(page_assign))
        .route("/cases/{id}/notes", post(page_note))
        .route("/cases/{id}/evidence", post(page_evidence))
        .route("/cases/{id}/verdict", post(page_verdict))
}

fn see_case(id: CaseId) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/cases/{}", id.0))],
    )
        .into_response()
}

/// The status's name in the page's language.
fn status_label(chrome: &Chrome, status: &str) -> String {
    chrome.t.get(&format!("case_status.{status}")).to_string()
}

/// A case of the list as the page shows it.
pub(crate) struct CaseRow {
    pub id: i64,
    pub claim: String,
    pub status: String,
    pub assignee: Option<String>,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    chrome: Chrome,
    statuses: Vec<SelectOption>,
    assignees: Vec<SelectOption>,
    rows: Vec<CaseRow>,
}

pub(crate) fn status_options(chrome: &Chrome, chosen: Option<&str>) -> Vec<SelectOption> {
    let chosen = chosen.unwrap_or("");
    let mut out = vec![SelectOption {
        value: String::new(),
        label: chrome.t.get("filter.any_case_status").to_string(),
        selected: chosen.is_empty(),
    }];
    out.extend(CaseStatus::ALL.into_iter().map(|s| SelectOption {
        value: s.as_str().to_string(),
        label: status_label(chrome, s.as_str()),
        selected: s.as_str() == chosen,
    }));
    out
}

async fn cases_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Query(q): Query<CaseQuery>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("cases");
    let filter = q.filter().map_err(fail(&chrome))?;
    let cases = state
        .store()
        .cases(&filter)
        .await
        .map_err(|e| fail(&chrome)(e.into()))?;
    let users = state
        .store()
        .users()
        .await
        .map_err(|e| fail(&chrome)(e.into()))?;
    let names: HashMap<UserId, String> = users
        .iter()
        .map(|u| (u.id, u.display_name.clone()))
        .collect();
    let chosen = q.assignee.as_deref().unwrap_or("").trim().to_string();
    let mut assignees = vec![SelectOption {
        value: String::new(),
        label: chrome.t.get("filter.any_assignee").to_string(),
        selected: chosen.is_empty(),
    }];
    assignees.extend(users.iter().map(|u| SelectOption {
        value: u.id.0.to_string(),
        label: u.display_name.clone(),
        selected: u.id.0.to_string() == chosen,
    }));
    let rows = cases
        .into_iter()
        .map(|c| CaseRow {
            id: c.id.0,
            status: status_label(&chrome, c.status.as_str()),
            assignee: c.assignee.and_then(|a| names.get(&a).cloned()),
            updated: chrome.date(&c.updated_at),
            claim: c.claim,
        })
        .collect();
    let page = CasesPage {
        statuses: status_options(&chrome, q.status.as_deref().map(str::trim)),
        assignees,
        rows,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A line of the case's audit trail as the page shows it.
pub(crate) struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub before: String,
    pub after: String,
}

/// Evidence as the page shows it: the URL as text, and a link only for http(s).
pub(crate) struct EvidenceRow {
    pub url: String,
    pub link: Option<String>,
    pub title: Option<String>,
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    case: CaseView,
    status: String,
    can_change: bool,
    moves: Vec<(String, String)>,
    assignees: Vec<SelectOption>,
    notes: Vec<(String, String, String)>,
    evidence: Vec<EvidenceRow>,
    history: Vec<(String, String, String, String)>,
    audit: Vec<AuditRow>,
    ratings: Vec<SelectOption>,
    languages: Vec<SelectOption>,
    can_draft: bool,
    verdict: Option<VerdictView>,
    /// The editor's starting text: the draft's, else the case's claim.
    draft_claim: String,
    draft_headline: String,
    draft_summary: String,
    draft_evidence: String,
}

async fn case_page(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let chrome = chrome.section("cases");
    let id = page_id(&chrome, &raw)?;
    let case = load_case(&state, id).await.map_err(fail(&chrome))?;
    let status = case.status;
    let detail = case_detail(&state, case, &who.user)
        .await
        .map_err(fail(&chrome))?;
    let users = state
        .store()
        .users()
        .await
        .map_err(|e| fail(&chrome)(e.into()))?;
    let name = |id: i64| {
        users
            .iter()
            .find(|u| u.id.0 == id)
            .map_or_else(|| format!("#{id}"), |u| u.display_name.clone())
    };
    let actor_name = |actor: &str| match actor.parse::<Actor>() {
        Ok(Actor::User(u)) => name(u.0),
        Ok(Actor::Cli) => chrome.t.get("case.actor_cli").to_string(),
        Ok(Actor::System) => chrome.t.get("case.actor_system").to_string(),
        Err(_) => actor.to_string(),
    };
    let mut assignees = vec![SelectOption {
        value: String::new(),
        label: chrome.t.get("case.unassigned").to_string(),
        selected: detail.case.assignee.is_none(),
    }];
    assignees.extend(
        users
            .iter()
            .filter(|u| !u.disabled && u.role > Role::Viewer)
            .map(|u| SelectOption {
                value: u.id.0.to_string(),
                label: u.display_name.clone(),
                selected: detail.case.assignee == Some(u.id.0),
            }),
    );
    let lang = chrome.lang.code();
    let chosen = detail
        .verdict
        .as_ref()
        .and_then(|v| v.rating.as_deref())
        .and_then(|r| state.scale().verdict(r))
        .map(|v| v.key.clone());
    let ratings = state
        .scale()
        .verdicts()
        .iter()
        .map(|v| SelectOption {
            value: v.key.clone(),
            label: v
                .label(lang)
                .or_else(|| v.label(state.scale().language()))
                .unwrap_or(&v.key)
                .to_string(),
            selected: chosen.as_deref() == Some(v.key.as_str()),
        })
        .collect();
    let draft = detail.verdict.as_ref();
    let draft_claim = draft.map_or_else(|| detail.case.claim.clone(), |v| v.claim.clone());
    let draft_headline = draft.and_then(|v| v.headline.clone()).unwrap_or_default();
    let draft_summary = draft.and_then(|v| v.summary.clone()).unwrap_or_default();
    let draft_evidence = draft.map(|v| v.evidence.join("\n")).unwrap_or_default();
    let languages = crate::i18n::Lang::ALL
        .into_iter()
        .map(|l| SelectOption {
            value: l.code().to_string(),
            label: chrome.language_name(l.code()).to_string(),
            selected: l == chrome.lang,
        })
        .collect();
    let page = CasePage {
        status: status_label(&chrome, &detail.case.status),
        can_change: who.user.role >= Role::Editor,
        can_draft: who.user.role >= Role::Editor
            && matches!(
                status,
                CaseStatus::Verifying | CaseStatus::Drafted | CaseStatus::InReview
            ),
        moves: detail
            .next_statuses
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    chrome.t.get(&format!("case_move.{s}")).to_string(),
                )
            })
            .collect(),
        assignees,
        notes: detail
            .notes
            .into_iter()
            .map(|n| (name(n.author), chrome.date(&n.created_at), n.text))
            .collect(),
        evidence: detail
            .evidence
            .into_iter()
            .map(|e| EvidenceRow {
                link: web_link(&e.url).map(str::to_string),
                url: e.url,
                title: e.title,
                note: e.note,
            })
            .collect(),
        history: detail
            .history
            .into_iter()
            .map(|h| {
                (
                    h.from
                        .map(|f| status_label(&chrome, &f))
                        .unwrap_or_default(),
                    status_label(&chrome, &h.to),
                    name(h.actor),
                    chrome.date(&h.at),
                )
            })
            .collect(),
        audit: detail
            .audit
            .into_iter()
            .map(|e| AuditRow {
                at: chrome.date(&e.at),
                actor: actor_name(&e.actor),
                action: e.action,
                before: e.before.unwrap_or_default(),
                after: e.after.unwrap_or_default(),
            })
            .collect(),
        ratings,
        languages,
        draft_claim,
        draft_headline,
        draft_summary,
        draft_evidence,
        verdict: detail.verdict,
        case: detail.case,
        chrome,
    };
    Ok(render(StatusCode::OK, &page))
}

/// The fields every case form may carry besides its own (the CSRF token is the guard's).
#[derive(Deserialize)]
pub(crate) struct ToForm {
    to: String,
}

async fn page_transition(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<ToForm>,
) -> Result<Response, PageError> {
    let case = do_transition(&state, id, &f.to, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(case.id))
}

#[derive(Deserialize)]
pub(crate) struct AssignForm {
    assignee: Option<String>,
}

async fn page_assign(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    let assignee = non_empty(f.assignee)
        .map(|a| a.parse::<i64>().map_err(|_| invalid("assignee")))
        .transpose()
        .map_err(fail(&chrome))?;
    let case = do_assign(&state, id, assignee, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(case.id))
}

#[derive(Deserialize)]
pub(crate) struct NoteForm {
    text: String,
}

async fn page_note(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, PageError> {
    do_note(&state, id, &f.text, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(CaseId(id)))
}

#[derive(Deserialize)]
pub(crate) struct EvidenceForm {
    url: String,
    title: Option<String>,
    note: Option<String>,
}

async fn page_evidence(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<EvidenceForm>,
) -> Result<Response, PageError> {
    let req = EvidenceRequest {
        url: f.url,
        title: f.title,
        note: f.note,
    };
    do_evidence(&state, id, req, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(CaseId(id)))
}

#[derive(Deserialize)]
pub(crate) struct VerdictForm {
    claim: String,
    rating: String,
    summary: Option<String>,
    /// One URL a line.
    evidence: Option<String>,
    language: Option<String>,
    headline: Option<String>,
}

async fn page_verdict(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<VerdictForm>,
) -> Result<Response, PageError> {
    let req = VerdictRequest {
        claim: f.claim,
        rating: f.rating,
        summary: f.summary,
        evidence: f
            .evidence
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
        language: f.language,
        headline: f.headline,
    };
    do_verdict(&state, id, req, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(CaseId(id)))
}

#[derive(Deserialize)]
pub(crate) struct LinkForm {
    fact_check: i64,
}

/// `POST /items/{id}/link`: the item's case, linked to the fact-check, in one click.
pub(crate) async fn page_link_item(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<LinkForm>,
) -> Result<Response, PageError> {
    let case = link_item(&state, id, f.fact_check, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(case.id))
}

/// `POST /items/{id}/case`: the item's case, opened if need be.
pub(crate) async fn page_open_case(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, PageError> {
    let case = item_case(&state, id, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(case.id))
}

/// The status of an item's case, if it has one.
pub(crate) async fn item_case_status(
    state: &AppState,
    item: i64,
) -> Result<Option<Case>, ApiError> {
    Ok(state
        .store()
        .cases(&CaseFilter {
            item: Some(ItemId(item)),
            limit: 1,
            ..CaseFilter::default()
        })
        .await?
        .into_iter()
        .next())
}
