//! The workflow's operations, shared by the pages and the API: each change is one store
//! call, so role, workflow and audit rules are the store's and the core's.

use claimdesk_core::{
    Actor, Case, CaseId, CaseStatus, FactCheck, FactCheckId, ItemId, Role, User, UserId,
    next_statuses, transition,
};
use claimdesk_ingest::validate;
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AuditFilter, CaseFilter, DraftFactCheck, ImportSource, NewCase, NewEvidence, NewFactCheck,
};

use crate::cases::views::*;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use crate::views::web_link;

/// Most audit events a case shows.
const AUDIT_SHOWN: u32 = 500;

/// The case `id`, or `not_found`.
pub(crate) async fn load_case(state: &AppState, id: i64) -> Result<Case, ApiError> {
    state
        .store()
        .case(CaseId(id))
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::NotFound, format!("case {id}")))
}

/// The item's case, opened (in triage) when it has none.
pub(crate) async fn item_case(state: &AppState, item: i64, user: &User) -> Result<Case, ApiError> {
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

/// Posts of a narrative attached to the case opened from it, at most.
const NARRATIVE_EVIDENCE: usize = 50;

/// The case of a narrative: its first post's case, opened when it has none, with the
/// narrative's posts attached (their web addresses as evidence, at most
/// [`NARRATIVE_EVIDENCE`], and a note `note(n, ids)` naming every post shown). A case the
/// post already had is returned as it is.
pub(crate) async fn narrative_case(
    state: &AppState,
    narrative: i64,
    user: &User,
    note: impl FnOnce(usize, &str) -> String,
) -> Result<Case, ApiError> {
    let detail = state
        .store()
        .narrative(claimdesk_core::NarrativeId(narrative), 200)
        .await?
        .ok_or_else(|| {
            ApiError::with_detail(ErrorCode::NotFound, format!("narrative {narrative}"))
        })?;
    let first = detail.summary.representative_item;
    if let Some(case) = item_case_status(state, first.0).await? {
        return Ok(case);
    }
    let case = item_case(state, first.0, user).await?;
    let mut attached = 0;
    for member in &detail.items {
        if attached == NARRATIVE_EVIDENCE {
            break;
        }
        let Some(item) = state.store().item(member.item).await? else {
            continue;
        };
        let Some(url) = item.item.url.as_deref().and_then(web_link) else {
            continue;
        };
        let title: String = member.text.chars().take(120).collect();
        let evidence = NewEvidence {
            url: url.to_string(),
            title: Some(title),
            note: member.source.clone(),
        };
        state
            .store()
            .add_evidence(case.id, &evidence, user.id)
            .await?;
        attached += 1;
    }
    let ids: Vec<String> = detail
        .items
        .iter()
        .map(|i| format!("/items/{}", i.item.0))
        .collect();
    let text = note(detail.summary.items as usize, &ids.join(", "));
    state.store().add_note(case.id, &text, user.id).await?;
    Ok(case)
}

/// Links an item to a fact-check: its case (opened if need be) moves to `matched_existing`.
pub(crate) async fn link_item(
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
pub(crate) fn allowed_moves(
    state: &AppState,
    case: &Case,
    user_role: Role,
    user: UserId,
) -> Vec<CaseStatus> {
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

/// `url` when it is an http(s) address, else the caller's error naming `field`.
pub(crate) fn http_url(url: &str, field: &str) -> Result<String, ApiError> {
    let url = url.trim();
    web_link(url).map(str::to_string).ok_or_else(|| {
        invalid(format!(
            "{field}: only http and https addresses are accepted"
        ))
    })
}

/// A value the shared validation refused, as the caller's error.
pub(crate) fn checked(e: validate::Invalid) -> ApiError {
    invalid(e.to_string())
}

/// A case with its moves for `who`, notes, evidence, history, audit events and verdict.
pub(crate) async fn case_detail(
    state: &AppState,
    case: Case,
    who: &User,
) -> Result<CaseDetail, ApiError> {
    let store = state.store();
    let moves = allowed_moves(state, &case, who.role, who.id);
    let notes = store.notes(case.id).await?;
    let evidence = store.evidence(case.id).await?;
    let history = store.case_history(case.id).await?;
    let verdict = store.case_verdict(case.id).await?.map(|v| {
        let rating = v.fact_check.rating.unwrap_or_default();
        CaseVerdictView {
            fact_check: v.id.0,
            claim: v.fact_check.claim,
            headline: v.fact_check.headline,
            rating: rating.label,
            rating_value: rating.value,
            summary: v.fact_check.review_body,
            evidence: v.fact_check.citations,
            author: v.fact_check.author,
            language: v.fact_check.language,
            published: v.published,
        }
    });
    // A verdict must exist before the case is marked drafted or published: those moves
    // are not offered without one (the store would refuse them).
    let moves: Vec<CaseStatus> = moves
        .into_iter()
        .filter(|to| {
            verdict.is_some() || !matches!(to, CaseStatus::Drafted | CaseStatus::Published)
        })
        .collect();
    let mut audit = store
        .audit_events(&AuditFilter {
            subject: Some(format!("case:{}", case.id.0)),
            after: 0,
            limit: AUDIT_SHOWN,
        })
        .await?;
    // The verdict's edits and its publication are the case's history too.
    if let Some(v) = &verdict {
        audit.extend(
            store
                .audit_events(&AuditFilter {
                    subject: Some(format!("factcheck:{}", v.fact_check)),
                    after: 0,
                    limit: AUDIT_SHOWN,
                })
                .await?,
        );
        audit.sort_by_key(|e| e.seq);
    }
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

/// Moves case `id` to the status named `to`.
pub(crate) async fn do_transition(
    state: &AppState,
    id: i64,
    to: &str,
    override_reason: Option<&str>,
    user: &User,
) -> Result<Case, ApiError> {
    let to = parse_status(to)?;
    // Publishing runs the privacy check first (issue 21): held on findings of high severity
    // unless a reviewer gives a reason. A role that cannot publish is refused by the store.
    if to == CaseStatus::Published && user.role.can(claimdesk_core::Permission::Publish) {
        load_case(state, id).await?;
        state
            .engine()
            .clear_publication(CaseId(id), user.id, override_reason)
            .await
            .map_err(|e| match e {
                claimdesk_engine::Error::PrivacyHold { .. } => {
                    ApiError::with_detail(ErrorCode::InvalidTransition, e.to_string())
                }
                claimdesk_engine::Error::Store(e) => ApiError::from(e),
                other => ApiError::with_detail(ErrorCode::Internal, other.to_string()),
            })?;
    }
    Ok(state
        .store()
        .transition_case(CaseId(id), to, user.id)
        .await?)
}

/// Assigns case `id` to a user (`None`: nobody).
pub(crate) async fn do_assign(
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

/// Adds a note to case `id`.
pub(crate) async fn do_note(
    state: &AppState,
    id: i64,
    text: &str,
    user: &User,
) -> Result<NoteView, ApiError> {
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

/// Adds evidence (an http(s) link) to case `id`.
pub(crate) async fn do_evidence(
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

/// Saves the draft verdict of case `id`.
pub(crate) async fn do_verdict(
    state: &AppState,
    id: i64,
    req: VerdictRequest,
    user: &User,
) -> Result<FactCheckId, ApiError> {
    let claim = req.claim.trim().to_string();
    if claim.is_empty() {
        return Err(invalid("claim: empty"));
    }
    let language = match non_empty(req.language) {
        Some(l) => {
            validate::language("language", &l).map_err(checked)?;
            l
        }
        None => state.scale().language().into(),
    };
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
            review_body: non_empty(req.summary),
            citations: evidence,
            ..FactCheck::default()
        },
    };
    validate::fact_check(&draft.fact_check).map_err(checked)?;
    Ok(state
        .store()
        .save_draft_fact_check(CaseId(id), &draft, user.id)
        .await?)
}

/// Adds a published fact-check (an admin's import of one), validated as the importer validates.
pub(crate) async fn add_fact_check(
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
    // The desk's own verdict sent back (its page's URL, the same claim): already published.
    if state
        .engine()
        .own_verdict(&new.fact_check, state.config().public_url.as_deref())
        .await
        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?
        .is_some()
    {
        return Ok(FactCheckAdded {
            source_id,
            added: false,
        });
    }
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
