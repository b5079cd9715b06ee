//! Cases and the verdicts the desk writes: [`CaseStore`].

use claimdesk_core::{
    Case, CaseId, CaseNote, CaseStatus, DeskFactCheck, EvidenceLink, FactCheck, FactCheckId,
    ItemId, StatusChange, UserId,
};

use crate::Result;

/// What the source id of every desk-written verdict starts with.
pub(crate) const VERDICT_SOURCE_PREFIX: &str = "claimdesk:case:";

/// The case whose verdict a fact-check is, when `source_id` is one the desk gives its own
/// verdicts (`claimdesk:case:N`); `None` for imported fact-checks.
pub fn verdict_case(source_id: &str) -> Option<CaseId> {
    source_id
        .strip_prefix(VERDICT_SOURCE_PREFIX)
        .and_then(|n| n.parse().ok())
        .map(CaseId)
}

/// How strict the desk's workflow is, beyond [`claimdesk_core::transition`]'s table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkflowPolicy {
    /// The reviewer who publishes a verdict must not be the user who drafted it (default:
    /// true; a one-person desk turns it off).
    pub require_other_reviewer: bool,
}

impl Default for WorkflowPolicy {
    fn default() -> Self {
        WorkflowPolicy {
            require_other_reviewer: true,
        }
    }
}

/// A case about to be opened (in triage).
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// The item it comes from.
    pub item: Option<ItemId>,
    /// The claim; when empty and `item` is given, the item's text.
    pub claim: String,
    /// Who works on it.
    pub assignee: Option<UserId>,
}

/// Which cases to list, newest change first.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    /// Only cases in this status.
    pub status: Option<CaseStatus>,
    /// Only cases assigned to this user.
    pub assignee: Option<UserId>,
    /// Only cases opened from this item.
    pub item: Option<ItemId>,
    /// At most this many.
    pub limit: u32,
    /// After skipping this many.
    pub offset: u32,
}

impl Default for CaseFilter {
    fn default() -> Self {
        CaseFilter {
            status: None,
            assignee: None,
            item: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// A source to attach to a case.
#[derive(Debug, Clone, Default)]
pub struct NewEvidence {
    /// An `http` or `https` URL.
    pub url: String,
    /// Its title.
    pub title: Option<String>,
    /// What it shows.
    pub note: Option<String>,
}

/// A case's verdict as the desk writes it.
#[derive(Debug, Clone, Default)]
pub struct DraftFactCheck {
    /// The ClaimReview fields: claim reviewed, rating, language, author (the organization),
    /// headline, url, the summary (`review_body`) and the evidence URLs (`citations`).
    /// `source_id` and `date_published` are the store's: the source id is
    /// `claimdesk:case:ID`, and the date is set when the case is published.
    pub fact_check: FactCheck,
    /// `claimdesk_text::duplicate_key` of the claim, as for imports: once published, the
    /// verdict is grouped with fact-checks saying the same.
    pub duplicate_key: String,
}

/// The desk's work: cases (the acting user needs `EditCase`; moves follow `claimdesk_core::transition`) and the verdicts the desk writes and publishes.
///
/// Every method is one transaction.
pub trait CaseStore: Send + Sync {
    /// How strict the workflow is beyond the core's table (see [`WorkflowPolicy`]).
    fn policy(&self) -> WorkflowPolicy;

    /// Opens a case in triage (`case.create`).
    fn create_case(
        &self,
        new: &NewCase,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// The case with this id.
    fn case(&self, id: CaseId) -> impl Future<Output = Result<Option<Case>>> + Send;

    /// Cases matching `filter`, most recently changed first.
    fn cases(&self, filter: &CaseFilter) -> impl Future<Output = Result<Vec<Case>>> + Send;

    /// Moves a case (`case.transition`, plus `factcheck.publish` when it is published, which
    /// publishes its draft verdict). Moving to `drafted` needs a draft verdict; moving to
    /// `matched_existing` is [`CaseStore::link_fact_check`]; back to `triage` from
    /// `matched_existing` unlinks the fact-check.
    fn transition_case(
        &self,
        case: CaseId,
        to: CaseStatus,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Answers a case with an existing published fact-check: the case moves to
    /// `matched_existing` with `fact_check` set (`case.transition`).
    fn link_fact_check(
        &self,
        case: CaseId,
        fact_check: FactCheckId,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Assigns a case to an active, non-viewer user, or unassigns it (`case.assign`).
    fn assign_case(
        &self,
        case: CaseId,
        assignee: Option<UserId>,
        actor: UserId,
    ) -> impl Future<Output = Result<Case>> + Send;

    /// Adds a note to a case (`case.note`).
    fn add_note(
        &self,
        case: CaseId,
        text: &str,
        actor: UserId,
    ) -> impl Future<Output = Result<CaseNote>> + Send;

    /// A case's notes, oldest first.
    fn notes(&self, case: CaseId) -> impl Future<Output = Result<Vec<CaseNote>>> + Send;

    /// Attaches a source to a case (`case.evidence`).
    fn add_evidence(
        &self,
        case: CaseId,
        evidence: &NewEvidence,
        actor: UserId,
    ) -> impl Future<Output = Result<EvidenceLink>> + Send;

    /// A case's evidence, oldest first.
    fn evidence(&self, case: CaseId) -> impl Future<Output = Result<Vec<EvidenceLink>>> + Send;

    /// A case's status changes, its opening first.
    fn case_history(&self, case: CaseId) -> impl Future<Output = Result<Vec<StatusChange>>> + Send;

    /// Writes (or rewrites) a case's draft verdict while it is verifying, drafted or in
    /// review (`verdict.draft`); the actor needs `EditFactCheck` and becomes the case's
    /// `drafted_by`. Drafts are not indexed or listed until published.
    fn save_draft_fact_check(
        &self,
        case: CaseId,
        draft: &DraftFactCheck,
        actor: UserId,
    ) -> impl Future<Output = Result<FactCheckId>> + Send;

    /// Published fact-checks (imported and desk-written), newest `date_published` first
    /// (undated last), then by id descending.
    fn published_fact_checks(
        &self,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<DeskFactCheck>>> + Send;

    /// Any fact-check by id, draft or published.
    fn fact_check(
        &self,
        id: FactCheckId,
    ) -> impl Future<Output = Result<Option<DeskFactCheck>>> + Send;

    /// A case's own verdict (the one `save_draft_fact_check` wrote), draft or published.
    fn case_verdict(
        &self,
        case: CaseId,
    ) -> impl Future<Output = Result<Option<DeskFactCheck>>> + Send;
}
