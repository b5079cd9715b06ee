//! The case pages: the list, a case with its moves, notes, evidence, history, audit trail
//! and verdict editor, and the forms that change it (each answered by a redirect to the case).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use claimdesk_core::{Actor, CaseId, CaseStatus, FactCheckId, ItemId, Role, UserId};
use claimdesk_store::prelude::*;
use serde::Deserialize;

use crate::cases::ops::*;
use crate::cases::views::*;
use crate::error::{ApiError, ErrorCode};
use crate::error_page::{PageError, fail, page_id};
use crate::extract::{ApiPath, CurrentUser};
use crate::i18n::Lang;
use crate::render::{Chrome, SelectOption, render};
use crate::state::AppState;
use crate::views::web_link;

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

/// The case-status filter's options, `chosen` selected.
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

/// `GET /cases`: the cases, filtered by status and assignee.
pub(crate) async fn cases_page(
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
    /// What changed, field by field: (field's name, value before, value after).
    pub changes: Vec<(String, String, String)>,
}

/// A JSON value as a person reads it: text as it is, nothing as a dash, lists one item
/// after another, anything else as compact JSON.
fn readable(value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(|v| !v.is_object()) => items
            .iter()
            .map(|v| readable(Some(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

/// The fields an audit event changed, from its before and after states (JSON text): each
/// field whose value differs, named in the page's language when the catalog knows it.
fn audit_changes(
    chrome: &Chrome,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<(String, String, String)> {
    use serde_json::Value;
    let parse = |s: Option<&str>| {
        s.map(|s| serde_json::from_str::<Value>(s).unwrap_or(Value::String(s.to_string())))
    };
    // Nested records (a verdict's fact-check, its rating) as one field per value.
    let flat = |v: Option<Value>| match v {
        Some(Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            flatten("", &Value::Object(m), &mut out);
            Some(Value::Object(out))
        }
        other => other,
    };
    let (before, after) = (flat(parse(before)), flat(parse(after)));
    let name = |key: &str| {
        // `fact_check.rating.label` reads as "rating label": the record is the event's.
        let parts: Vec<&str> = key.split('.').filter(|p| *p != "fact_check").collect();
        chrome
            .t
            .lookup(&format!("audit_field.{}", parts.join("_")))
            .map_or_else(|| parts.join(" ").replace('_', " "), str::to_string)
    };
    match (&before, &after) {
        (Some(Value::Object(_)) | None, Some(Value::Object(_)) | None) => {
            let empty = serde_json::Map::new();
            let b = before.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            let a = after.as_ref().and_then(Value::as_object).unwrap_or(&empty);
            let mut keys: Vec<&String> = b.keys().collect();
            keys.extend(a.keys().filter(|k| !b.contains_key(*k)));
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| {
                    let shown = |v: Option<&Value>| {
                        let text = readable(v);
                        // A status by its name in the page's language.
                        match k.as_str() {
                            "status" => chrome
                                .t
                                .lookup(&format!("case_status.{text}"))
                                .map_or(text, str::to_string),
                            _ => text,
                        }
                    };
                    (name(k), shown(b.get(k)), shown(a.get(k)))
                })
                .collect()
        }
        _ => vec![(
            String::new(),
            readable(before.as_ref()),
            readable(after.as_ref()),
        )],
    }
}

/// `value`'s leaves into `out`, keyed by their dotted path under `prefix` (an empty object
/// is a leaf).
fn flatten(
    prefix: &str,
    value: &serde_json::Value,
    out: &mut serde_json::Map<String, serde_json::Value>,
) {
    match value {
        serde_json::Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                let key = match prefix {
                    "" => k.clone(),
                    _ => format!("{prefix}.{k}"),
                };
                flatten(&key, v, out);
            }
        }
        _ => {
            out.insert(prefix.to_string(), value.clone());
        }
    }
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
    verdict: Option<CaseVerdictView>,
    /// The editor's starting text: the draft's, else the case's claim.
    draft_claim: String,
    draft_headline: String,
    draft_summary: String,
    /// The fact-check the case is linked to: its id, claim and rating in the page's language.
    linked: Option<(i64, String, Option<String>)>,
    /// Whether to say when a verdict can be drafted: not once the case is closed.
    draft_hint: bool,
    /// The privacy check of what publishing would publish, while the case is in review.
    privacy: Option<crate::check::PublicationCheck>,
}

/// `GET /cases/{id}`: a case with everything the desk does to it.
pub(crate) async fn case_page(
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
    let linked = match detail.case.fact_check {
        Some(f) => state
            .store()
            .fact_checks_by_id(&[FactCheckId(f)])
            .await
            .map_err(|e| fail(&chrome)(e.into()))?
            .into_iter()
            .next()
            .map(|fc| {
                let rating =
                    fc.fact_check.rating.and_then(|r| r.label).map(|label| {
                        crate::public::published::verdict_in(&state, &label, chrome.lang)
                    });
                (f, fc.fact_check.claim, rating)
            }),
        None => None,
    };
    // The verdict's language: the draft's, else the item's, else the page's.
    let item_language = match detail.case.item {
        Some(i) if draft.and_then(|v| v.language.as_deref()).is_none() => state
            .store()
            .item(ItemId(i))
            .await
            .map_err(|e| fail(&chrome)(e.into()))?
            .and_then(|i| i.item.language),
        _ => None,
    };
    let verdict_lang = draft
        .and_then(|v| v.language.as_deref())
        .or(item_language.as_deref())
        .and_then(Lang::from_tag)
        .unwrap_or(chrome.lang);
    let languages = Lang::ALL
        .into_iter()
        .map(|l| SelectOption {
            value: l.code().to_string(),
            label: chrome.language_name(l.code()).to_string(),
            selected: l == verdict_lang,
        })
        .collect();
    // In review, the privacy check of what publishing would publish (issue 21).
    let privacy = match (status, detail.verdict.is_some()) {
        (CaseStatus::InReview, true) => {
            let check = state
                .engine()
                .publication_check(CaseId(id), Actor::User(who.user.id))
                .await
                .map_err(|e| {
                    fail(&chrome)(ApiError::with_detail(ErrorCode::Internal, e.to_string()))
                })?;
            Some(crate::check::PublicationCheck::of(&chrome, &check))
        }
        _ => None,
    };
    let page = CasePage {
        privacy,
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
                changes: audit_changes(&chrome, e.before.as_deref(), e.after.as_deref()),
                action: chrome
                    .t
                    .lookup(&format!("audit_action.{}", e.action))
                    .map_or(e.action, str::to_string),
            })
            .collect(),
        ratings,
        languages,
        draft_claim,
        draft_headline,
        draft_summary,
        linked,
        draft_hint: status == CaseStatus::Triage,
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
    /// Publishing despite the privacy check's findings: why (reviewers).
    #[serde(default)]
    override_reason: Option<String>,
}

/// `POST /cases/{id}/transition`.
pub(crate) async fn page_transition(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<ToForm>,
) -> Result<Response, PageError> {
    let reason = f.override_reason.as_deref();
    let case = do_transition(&state, id, &f.to, reason, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(case.id))
}

/// The assign form.
#[derive(Deserialize)]
pub(crate) struct AssignForm {
    assignee: Option<String>,
}

/// `POST /cases/{id}/assign`.
pub(crate) async fn page_assign(
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

/// The note form.
#[derive(Deserialize)]
pub(crate) struct NoteForm {
    text: String,
}

/// `POST /cases/{id}/notes`.
pub(crate) async fn page_note(
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

/// The evidence form.
#[derive(Deserialize)]
pub(crate) struct EvidenceForm {
    url: String,
    title: Option<String>,
    note: Option<String>,
}

/// `POST /cases/{id}/evidence`.
pub(crate) async fn page_evidence(
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

/// The verdict editor's form.
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

/// `POST /cases/{id}/verdict`.
pub(crate) async fn page_verdict(
    State(state): State<AppState>,
    chrome: Chrome,
    who: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    Form(f): Form<VerdictForm>,
) -> Result<Response, PageError> {
    // The page has one evidence input, the case's: the verdict cites the case's evidence
    // unless the form sends its own list.
    let evidence = match f.evidence {
        Some(lines) => lines.lines().map(str::to_string).collect(),
        None => state
            .store()
            .evidence(CaseId(id))
            .await
            .map_err(|e| fail(&chrome)(e.into()))?
            .into_iter()
            .map(|e| e.url)
            .collect(),
    };
    let req = VerdictRequest {
        claim: f.claim,
        rating: f.rating,
        summary: f.summary,
        evidence,
        language: f.language,
        headline: f.headline,
    };
    do_verdict(&state, id, req, &who.user)
        .await
        .map_err(fail(&chrome))?;
    Ok(see_case(CaseId(id)))
}

/// The link-to-a-fact-check form of an item's page.
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
