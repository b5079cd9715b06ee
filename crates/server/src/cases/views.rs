//! The cases' request and response types, as the API reads and writes them (the pages read
//! them too).

use claimdesk_core::{Case, CaseStatus, UserId};
use claimdesk_store::CaseFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorCode};

/// Most cases a list shows.
pub(crate) const CASES_SHOWN: u32 = 200;

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
pub struct CaseVerdictView {
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
    pub verdict: Option<CaseVerdictView>,
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
    #[param(schema_with = crate::api_doc::case_status_schema)]
    pub status: Option<String>,
    /// Only cases assigned to this user id.
    #[param(value_type = Option<i64>)]
    pub assignee: Option<String>,
}

impl CaseQuery {
    /// The store filter the parameters ask for.
    pub(crate) fn filter(&self) -> Result<CaseFilter, ApiError> {
        let status = non_empty(self.status.clone())
            .map(|s| {
                s.parse::<CaseStatus>().map_err(|e| {
                    ApiError::with_detail(ErrorCode::InvalidQuery, format!("status: {e}"))
                })
            })
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
    #[serde(deserialize_with = "whole_number")]
    pub fact_check: i64,
}

/// `POST /api/cases/{id}/transition`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionRequest {
    /// The status to move to, e.g. `verifying` (`matched_existing` is set by linking a
    /// fact-check: `POST /api/items/{id}/match`).
    #[schema(schema_with = crate::api_doc::transition_status_schema)]
    pub to: String,
    /// Publishing only: why the verdict is published although its privacy check found
    /// something of high severity (reviewers; recorded in the audit trail as
    /// `privacy.override`). Without it such a publication is refused (`invalid_transition`).
    #[serde(default)]
    pub override_reason: Option<String>,
}

/// `POST /api/cases/{id}/assign`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignRequest {
    /// The user id to assign, or `null` to unassign.
    #[serde(default, deserialize_with = "optional_whole_number")]
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

/// The caller's mistake, `invalid_request` with `detail`.
pub(crate) fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::with_detail(ErrorCode::InvalidRequest, detail)
}

/// A case status by its name.
pub(crate) fn parse_status(s: &str) -> Result<CaseStatus, ApiError> {
    s.trim()
        .parse()
        .map_err(|e: claimdesk_core::UnknownName| invalid(e.to_string()))
}

/// A JSON number that is a whole number, written as an integer (`3`) or not (`3.0`): JSON
/// Schema's `integer` takes both, so the server does.
fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(i64),
        Float(f64),
    }
    match Number::deserialize(d)? {
        Number::Int(n) => Ok(n),
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        Number::Float(f) => Err(serde::de::Error::custom(format!(
            "{f} is not a whole number"
        ))),
    }
}

/// [`whole_number`] or `null`.
fn optional_whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// The trimmed value, `None` when blank.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}
