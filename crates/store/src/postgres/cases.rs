//! [`CaseStore`] for PostgreSQL: cases, their notes, evidence and history, and the verdicts the
//! desk writes.

use claimdesk_core::{
    Actor, Case, CaseId, CaseNote, CaseStatus, DeskFactCheck, EvidenceLink, FactCheckId, ItemId,
    Permission, StatusChange, User, UserId, WorkflowError, transition,
};
use serde_json::{Value, json};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::fact_check_from_row;
use super::write::existing_user;
use super::write::{Change, Rights};
use crate::CaseStore;
use crate::{CaseFilter, DraftFactCheck, Error, NewCase, NewEvidence, PgStore, Result};

/// The change a case's helpers write into.
type Tx = Change;

/// The source id the desk gives the verdict of case `case`.
pub(crate) fn verdict_source_id(case: CaseId) -> String {
    format!("{}{}", crate::cases::VERDICT_SOURCE_PREFIX, case.0)
}

/// The case whose verdict `source_id` names, when it is one of the desk's own source ids.
pub(crate) fn case_of_source_id(source_id: &str) -> Option<i64> {
    crate::cases::verdict_case(source_id).map(|c| c.0)
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    item_id: Option<i64>,
    factcheck_id: Option<i64>,
    claim: String,
    status: String,
    assignee: Option<i64>,
    created_by: i64,
    drafted_by: Option<i64>,
    created_at: String,
    updated_at: String,
}

impl CaseRow {
    fn into_case(self) -> Result<Case> {
        Ok(Case {
            id: CaseId(self.id),
            item: self.item_id.map(ItemId),
            fact_check: self.factcheck_id.map(FactCheckId),
            claim: self.claim,
            status: parse_status(&self.status)?,
            assignee: self.assignee.map(UserId),
            created_by: UserId(self.created_by),
            drafted_by: self.drafted_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn parse_status(s: &str) -> Result<CaseStatus> {
    s.parse()
        .map_err(|e: claimdesk_core::UnknownName| Error::Corrupt(e.to_string()))
}

const CASE_COLUMNS: &str = "id, item_id, factcheck_id, claim, status, assignee, created_by, \
                            drafted_by, created_at, updated_at";

async fn load_case(c: &mut PgConnection, id: CaseId) -> Result<Case> {
    let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
    )))
    .bind(id.0)
    .fetch_optional(c)
    .await?;
    row.ok_or_else(|| Error::NotFound {
        what: "case",
        id: id.0.to_string(),
    })?
    .into_case()
}

fn case_json(case: &Case) -> Value {
    serde_json::to_value(case).unwrap_or(Value::Null)
}

fn case_subject(id: CaseId) -> String {
    format!("case:{}", id.0)
}

/// An assignee must be an enabled user who can work cases.
async fn check_assignee(c: &mut PgConnection, id: UserId) -> Result<()> {
    let user = existing_user(c, id).await?;
    if user.disabled {
        return Err(Error::Conflict(format!(
            "`{}` is disabled and cannot be assigned cases",
            user.username
        )));
    }
    if !user.role.can(Permission::EditCase) {
        return Err(Error::Conflict(format!(
            "`{}` is a {} and cannot be assigned cases",
            user.username, user.role
        )));
    }
    Ok(())
}

async fn record_transition(
    c: &mut PgConnection,
    case: CaseId,
    from: Option<CaseStatus>,
    to: CaseStatus,
    actor: UserId,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_transitions (case_id, from_status, to_status, actor, at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(case.0)
    .bind(from.map(CaseStatus::as_str))
    .bind(to.as_str())
    .bind(actor.0)
    .bind(at)
    .execute(c)
    .await?;
    Ok(())
}

pub(crate) async fn create_case(store: &PgStore, new: &NewCase, actor: UserId) -> Result<Case> {
    let mut tx = Change::begin(
        store,
        Actor::User(actor),
        Rights::Needs(Permission::EditCase, None),
    )
    .await?;
    let mut claim = new.claim.trim().to_string();
    if let Some(item) = new.item {
        let text: Option<String> = sqlx::query_scalar("SELECT text FROM items WHERE id = $1")
            .bind(item.0)
            .fetch_optional(&mut *tx)
            .await?;
        let text = text.ok_or_else(|| Error::NotFound {
            what: "item",
            id: item.0.to_string(),
        })?;
        if claim.is_empty() {
            claim = text.trim().to_string();
        }
    }
    if claim.is_empty() {
        return Err(Error::Invalid(
            "a case needs a claim: give its text or the item it comes from".into(),
        ));
    }
    if let Some(a) = new.assignee {
        check_assignee(&mut tx, a).await?;
    }
    let at = tx.at().to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (item_id, claim, status, assignee, created_by, created_at, updated_at)
         VALUES ($1, $2, 'triage', $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.item.map(|i| i.0))
    .bind(&claim)
    .bind(new.assignee.map(|a| a.0))
    .bind(actor.0)
    .bind(&at)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    let case = load_case(&mut tx, CaseId(id)).await?;
    record_transition(&mut tx, case.id, None, CaseStatus::Triage, actor, &at).await?;
    tx.audit(
        "case.create",
        &case_subject(case.id),
        None,
        Some(case_json(&case)),
    )
    .await?;
    tx.commit().await?;
    Ok(case)
}

pub(crate) async fn case(store: &PgStore, id: CaseId) -> Result<Option<Case>> {
    let mut c = store.pool().acquire().await?;
    match load_case(&mut c, id).await {
        Ok(case) => Ok(Some(case)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

pub(crate) async fn cases(store: &PgStore, filter: &CaseFilter) -> Result<Vec<Case>> {
    let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases
         WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR assignee = $2)
           AND ($5 IS NULL OR item_id = $5)
         ORDER BY updated_at DESC, id DESC LIMIT $3 OFFSET $4"
    )))
    .bind(filter.status.map(CaseStatus::as_str))
    .bind(filter.assignee.map(|a| a.0))
    .bind(i64::from(filter.limit))
    .bind(i64::from(filter.offset))
    .bind(filter.item.map(|i| i.0))
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(CaseRow::into_case).collect()
}

/// The id of a case's own (desk-written) verdict.
async fn own_draft(c: &mut PgConnection, case: CaseId) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM factchecks WHERE case_id = $1")
            .bind(case.0)
            .fetch_optional(c)
            .await?,
    )
}

/// Moves `case` to `to` (with the fact-check it then points at), after the workflow check.
async fn move_case(
    tx: &mut Tx,
    store: &PgStore,
    before: &Case,
    to: CaseStatus,
    fact_check: Option<FactCheckId>,
    user: &User,
) -> Result<(Case, String)> {
    transition(
        before.status,
        to,
        user.role,
        user.id,
        before.drafted_by,
        store.policy().require_other_reviewer,
    )?;
    let at = tx.at().to_string();
    sqlx::query("UPDATE cases SET status = $1, factcheck_id = $2, updated_at = $3 WHERE id = $4")
        .bind(to.as_str())
        .bind(fact_check.map(|f| f.0))
        .bind(&at)
        .bind(before.id.0)
        .execute(&mut **tx)
        .await?;
    record_transition(tx, before.id, Some(before.status), to, user.id, &at).await?;
    let after = load_case(tx, before.id).await?;
    let state =
        |c: &Case| json!({ "status": c.status.as_str(), "fact_check": c.fact_check.map(|f| f.0) });
    tx.audit(
        "case.transition",
        &case_subject(before.id),
        Some(state(before)),
        Some(state(&after)),
    )
    .await?;
    Ok((after, at))
}

pub(crate) async fn transition_case(
    store: &PgStore,
    id: CaseId,
    to: CaseStatus,
    actor: UserId,
) -> Result<Case> {
    let (mut tx, user) = Change::by_user(store, actor, Rights::Active).await?;
    let before = load_case(&mut tx, id).await?;
    // The workflow's own verdict first, so a forbidden move says so.
    transition(
        before.status,
        to,
        user.role,
        user.id,
        before.drafted_by,
        store.policy().require_other_reviewer,
    )?;
    if to == CaseStatus::MatchedExisting {
        return Err(Error::Invalid(
            "a case is matched by linking it to a fact-check, not by setting its status".into(),
        ));
    }
    let draft = own_draft(&mut tx, id).await?;
    if to == CaseStatus::Published
        && store.policy().require_other_reviewer
        && let Some(draft) = draft
        && verdict_authors(&mut tx, draft).await?.contains(&user.id)
    {
        // The core looked at the last person who saved the verdict; anyone who saved it is
        // one of its authors.
        return Err(WorkflowError::AuthorCannotApprove.into());
    }
    if draft.is_none() && matches!(to, CaseStatus::Drafted | CaseStatus::Published) {
        return Err(Error::NoDraftVerdict { case: id.0, to });
    }
    let fact_check = if before.status == CaseStatus::MatchedExisting {
        // Unlinking: the case points at its own verdict again, if it has one.
        draft.map(FactCheckId)
    } else {
        before.fact_check
    };
    let (after, at) = move_case(&mut tx, store, &before, to, fact_check, &user).await?;
    if let (CaseStatus::Published, Some(draft)) = (to, draft) {
        publish_draft(&mut tx, draft, id, &at).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// Everyone who saved the draft verdict `draft`, from the audit trail's `verdict.draft`
/// events (the trail is in the same database and written in the same transactions).
async fn verdict_authors(c: &mut PgConnection, draft: i64) -> Result<Vec<UserId>> {
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT actor FROM audit_events WHERE action = 'verdict.draft' AND subject = $1",
    )
    .bind(format!("factcheck:{draft}"))
    .fetch_all(c)
    .await?;
    Ok(actors
        .iter()
        .filter_map(|a| match a.parse::<Actor>() {
            Ok(Actor::User(u)) => Some(u),
            _ => None,
        })
        .collect())
}

/// Makes a case's draft verdict a published fact-check: it takes the next revision, so the
/// index picks it up, and joins the duplicate group of fact-checks saying the same.
async fn publish_draft(tx: &mut Tx, draft: i64, case: CaseId, at: &str) -> Result<()> {
    let revision: i64 = sqlx::query_scalar(
        "UPDATE counters SET value = value + 1 WHERE name = 'factcheck_revision' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    let key: String = sqlx::query_scalar(
        "UPDATE factchecks SET published = true, date_published = $1, revision = $2 WHERE id = $3
         RETURNING duplicate_key",
    )
    .bind(at)
    .bind(revision)
    .bind(draft)
    .fetch_one(&mut **tx)
    .await?;
    PgStore::regroup(tx, &key, revision).await?;
    tx.audit(
        "factcheck.publish",
        &format!("factcheck:{draft}"),
        None,
        Some(json!({ "case": case.0, "date_published": at, "revision": revision })),
    )
    .await?;
    Ok(())
}

pub(crate) async fn link_fact_check(
    store: &PgStore,
    id: CaseId,
    fact_check: FactCheckId,
    actor: UserId,
) -> Result<Case> {
    let (mut tx, user) = Change::by_user(store, actor, Rights::Active).await?;
    let before = load_case(&mut tx, id).await?;
    let found: Option<(bool, Option<String>)> =
        sqlx::query_as("SELECT published, withdrawn_at FROM factchecks WHERE id = $1")
            .bind(fact_check.0)
            .fetch_optional(&mut *tx)
            .await?;
    match found {
        None => {
            return Err(Error::NotFound {
                what: "fact-check",
                id: fact_check.0.to_string(),
            });
        }
        Some((false, _)) => {
            return Err(Error::Conflict(format!(
                "fact-check {} is an unpublished draft: link a published fact-check",
                fact_check.0
            )));
        }
        Some((true, Some(at))) => {
            return Err(Error::AlreadyWithdrawn {
                id: fact_check.0,
                at,
            });
        }
        Some((true, None)) => {}
    }
    let (after, _) = move_case(
        &mut tx,
        store,
        &before,
        CaseStatus::MatchedExisting,
        Some(fact_check),
        &user,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn assign_case(
    store: &PgStore,
    id: CaseId,
    assignee: Option<UserId>,
    actor: UserId,
) -> Result<Case> {
    let mut tx = Change::begin(
        store,
        Actor::User(actor),
        Rights::Needs(Permission::EditCase, None),
    )
    .await?;
    let before = load_case(&mut tx, id).await?;
    if let Some(a) = assignee {
        check_assignee(&mut tx, a).await?;
    }
    if before.assignee == assignee {
        return Ok(before);
    }
    let at = tx.at().to_string();
    sqlx::query("UPDATE cases SET assignee = $1, updated_at = $2 WHERE id = $3")
        .bind(assignee.map(|a| a.0))
        .bind(&at)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    let after = load_case(&mut tx, id).await?;
    tx.audit(
        "case.assign",
        &case_subject(id),
        Some(json!({ "assignee": before.assignee.map(|a| a.0) })),
        Some(json!({ "assignee": assignee.map(|a| a.0) })),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub(crate) async fn add_note(
    store: &PgStore,
    id: CaseId,
    text: &str,
    actor: UserId,
) -> Result<CaseNote> {
    let mut tx = Change::begin(
        store,
        Actor::User(actor),
        Rights::Needs(Permission::EditCase, None),
    )
    .await?;
    load_case(&mut tx, id).await?;
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::Invalid("a note needs text".into()));
    }
    let at = tx.at().to_string();
    let note_id: i64 = sqlx::query_scalar(
        "INSERT INTO case_notes (case_id, author, text, created_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(id.0)
    .bind(actor.0)
    .bind(text)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(&at)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    tx.audit(
        "case.note",
        &case_subject(id),
        None,
        Some(json!({ "note": note_id, "text": text })),
    )
    .await?;
    tx.commit().await?;
    Ok(CaseNote {
        id: note_id,
        case: id,
        author: actor,
        text: text.to_string(),
        created_at: at,
    })
}

pub(crate) async fn notes(store: &PgStore, id: CaseId) -> Result<Vec<CaseNote>> {
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, author, text, created_at FROM case_notes WHERE case_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(nid, author, text, created_at)| CaseNote {
            id: nid,
            case: id,
            author: UserId(author),
            text,
            created_at,
        })
        .collect())
}

/// Evidence links follow the one rule for web addresses ([`claimdesk_core::web_url`]).
fn check_url(url: &str) -> Result<()> {
    match claimdesk_core::web_url(url) {
        Some(_) => Ok(()),
        None => Err(Error::Invalid(format!(
            "evidence needs an http or https URL with a host, not `{url}`"
        ))),
    }
}

fn non_blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

pub(crate) async fn add_evidence(
    store: &PgStore,
    id: CaseId,
    evidence: &NewEvidence,
    actor: UserId,
) -> Result<EvidenceLink> {
    let mut tx = Change::begin(
        store,
        Actor::User(actor),
        Rights::Needs(Permission::EditCase, None),
    )
    .await?;
    load_case(&mut tx, id).await?;
    let url = evidence.url.trim();
    check_url(url)?;
    let title = non_blank(&evidence.title);
    let note = non_blank(&evidence.note);
    let at = tx.at().to_string();
    let link_id: i64 = sqlx::query_scalar(
        "INSERT INTO case_evidence (case_id, url, title, note, added_by, added_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id.0)
    .bind(url)
    .bind(&title)
    .bind(&note)
    .bind(actor.0)
    .bind(&at)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE cases SET updated_at = $1 WHERE id = $2")
        .bind(&at)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
    tx.audit(
        "case.evidence",
        &case_subject(id),
        None,
        Some(json!({ "evidence": link_id, "url": url, "title": title, "note": note })),
    )
    .await?;
    tx.commit().await?;
    Ok(EvidenceLink {
        id: link_id,
        case: id,
        url: url.to_string(),
        title,
        note,
        added_by: actor,
        added_at: at,
    })
}

pub(crate) async fn evidence(store: &PgStore, id: CaseId) -> Result<Vec<EvidenceLink>> {
    type Row = (i64, String, Option<String>, Option<String>, i64, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, url, title, note, added_by, added_at FROM case_evidence
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(lid, url, title, note, added_by, added_at)| EvidenceLink {
            id: lid,
            case: id,
            url,
            title,
            note,
            added_by: UserId(added_by),
            added_at,
        })
        .collect())
}

pub(crate) async fn case_history(store: &PgStore, id: CaseId) -> Result<Vec<StatusChange>> {
    let rows: Vec<(Option<String>, String, i64, String)> = sqlx::query_as(
        "SELECT from_status, to_status, actor, at FROM case_transitions
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|(from, to, actor, at)| {
            Ok(StatusChange {
                case: id,
                from: from.as_deref().map(parse_status).transpose()?,
                to: parse_status(&to)?,
                actor: UserId(actor),
                at,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Desk-written verdicts

/// Every column [`desk_fact_check_from_row`] reads.
const DESK_FACTCHECK_COLUMNS: &str = "id, source_id, claim, headline, rating_value, \
     rating_best, rating_worst, rating_label, claim_author, claim_date, appearances, author, \
     date_published, url, language, alias_of, revision, summary, evidence, case_id, \
     author_user, published, withdrawn_at, withdrawn_reason, \
     (SELECT started_at FROM imports WHERE imports.id = factchecks.import_id) AS recorded_at";

fn desk_fact_check_from_row(row: &PgRow) -> Result<DeskFactCheck> {
    let (stored, _) = fact_check_from_row(row)?;
    Ok(DeskFactCheck {
        id: stored.id,
        alias_of: stored.alias_of,
        fact_check: stored.fact_check,
        case: row.try_get::<Option<i64>, _>("case_id")?.map(CaseId),
        author_user: row.try_get::<Option<i64>, _>("author_user")?.map(UserId),
        published: row.try_get("published")?,
        recorded_at: row.try_get("recorded_at")?,
        withdrawn: stored.withdrawn,
    })
}

async fn load_fact_check(c: &mut PgConnection, id: i64) -> Result<Option<DeskFactCheck>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DESK_FACTCHECK_COLUMNS} FROM factchecks WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await?;
    row.as_ref().map(desk_fact_check_from_row).transpose()
}

fn to_json(v: &[String]) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Corrupt(e.to_string()))
}

pub(crate) async fn save_draft_fact_check(
    store: &PgStore,
    id: CaseId,
    draft: &DraftFactCheck,
    actor: UserId,
) -> Result<FactCheckId> {
    let mut tx = Change::begin(
        store,
        Actor::User(actor),
        Rights::Needs(Permission::EditFactCheck, None),
    )
    .await?;
    let case = load_case(&mut tx, id).await?;
    if !matches!(
        case.status,
        CaseStatus::Verifying | CaseStatus::Drafted | CaseStatus::InReview
    ) {
        return Err(Error::Conflict(format!(
            "a verdict can be written while its case is verifying, drafted or in review; case \
             {} is {}",
            id.0, case.status
        )));
    }
    let fc = &draft.fact_check;
    if fc.claim.trim().is_empty() {
        return Err(Error::Invalid(
            "a verdict needs the claim it reviews".into(),
        ));
    }
    for url in &fc.citations {
        check_url(url)?;
    }
    let rating = fc.rating.clone().unwrap_or_default();
    let appearances = to_json(&fc.appearances)?;
    let evidence = to_json(&fc.citations)?;
    let existing = own_draft(&mut tx, id).await?;
    let before = match existing {
        Some(fid) => load_fact_check(&mut tx, fid).await?,
        None => None,
    };
    let fid: i64 = sqlx::query_scalar(
        "INSERT INTO factchecks (source_id, claim, headline, rating_value, rating_best,
            rating_worst, rating_label, claim_author, claim_date, appearances, author, url,
            language, duplicate_key, revision, summary, evidence, case_id, author_user,
            published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $16, $17, $18,
            false)
         ON CONFLICT (source_id) DO UPDATE SET claim = excluded.claim,
            headline = excluded.headline, rating_value = excluded.rating_value,
            rating_best = excluded.rating_best, rating_worst = excluded.rating_worst,
            rating_label = excluded.rating_label, claim_author = excluded.claim_author,
            claim_date = excluded.claim_date, appearances = excluded.appearances,
            author = excluded.author, url = excluded.url, language = excluded.language,
            duplicate_key = excluded.duplicate_key, summary = excluded.summary,
            evidence = excluded.evidence, author_user = excluded.author_user
         RETURNING id",
    )
    .bind(verdict_source_id(id))
    .bind(fc.claim.trim())
    .bind(&fc.headline)
    .bind(rating.value)
    .bind(rating.best)
    .bind(rating.worst)
    .bind(&rating.label)
    .bind(&fc.claim_author)
    .bind(&fc.claim_date)
    .bind(appearances)
    .bind(&fc.author)
    .bind(&fc.url)
    .bind(&fc.language)
    .bind(&draft.duplicate_key)
    .bind(non_blank(&fc.review_body))
    .bind(evidence)
    .bind(id.0)
    .bind(actor.0)
    .fetch_one(&mut *tx)
    .await?;
    let at = tx.at().to_string();
    sqlx::query(
        "UPDATE cases SET factcheck_id = $1, drafted_by = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(fid)
    .bind(actor.0)
    .bind(&at)
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    let after = load_fact_check(&mut tx, fid).await?;
    let as_json = |f: &DeskFactCheck| serde_json::to_value(f).unwrap_or(Value::Null);
    tx.audit(
        "verdict.draft",
        &format!("factcheck:{fid}"),
        before.as_ref().map(as_json),
        after.as_ref().map(as_json),
    )
    .await?;
    tx.commit().await?;
    Ok(FactCheckId(fid))
}

pub(crate) async fn published_fact_checks(
    store: &PgStore,
    limit: u32,
    offset: u32,
) -> Result<Vec<DeskFactCheck>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DESK_FACTCHECK_COLUMNS} FROM factchecks WHERE published AND withdrawn_at IS NULL
         ORDER BY date_published IS NULL, date_published DESC, id DESC LIMIT $1 OFFSET $2"
    )))
    .bind(i64::from(limit))
    .bind(i64::from(offset))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(desk_fact_check_from_row).collect()
}

pub(crate) async fn fact_check(store: &PgStore, id: FactCheckId) -> Result<Option<DeskFactCheck>> {
    let mut c = store.pool().acquire().await?;
    load_fact_check(&mut c, id.0).await
}

/// A case's own (desk-written) verdict, draft or published.
pub(crate) async fn case_verdict(store: &PgStore, case: CaseId) -> Result<Option<DeskFactCheck>> {
    let mut c = store.pool().acquire().await?;
    match own_draft(&mut c, case).await? {
        Some(id) => load_fact_check(&mut c, id).await,
        None => Ok(None),
    }
}

impl CaseStore for PgStore {
    fn policy(&self) -> crate::WorkflowPolicy {
        self.policy
    }

    async fn create_case(&self, new: &NewCase, actor: UserId) -> Result<Case> {
        create_case(self, new, actor).await
    }

    async fn case(&self, id: CaseId) -> Result<Option<Case>> {
        case(self, id).await
    }

    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        cases(self, filter).await
    }

    async fn transition_case(&self, case: CaseId, to: CaseStatus, actor: UserId) -> Result<Case> {
        transition_case(self, case, to, actor).await
    }

    async fn link_fact_check(
        &self,
        case: CaseId,
        fact_check: FactCheckId,
        actor: UserId,
    ) -> Result<Case> {
        link_fact_check(self, case, fact_check, actor).await
    }

    async fn assign_case(
        &self,
        case: CaseId,
        assignee: Option<UserId>,
        actor: UserId,
    ) -> Result<Case> {
        assign_case(self, case, assignee, actor).await
    }

    async fn add_note(&self, case: CaseId, text: &str, actor: UserId) -> Result<CaseNote> {
        add_note(self, case, text, actor).await
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<CaseNote>> {
        notes(self, case).await
    }

    async fn add_evidence(
        &self,
        case: CaseId,
        evidence: &NewEvidence,
        actor: UserId,
    ) -> Result<EvidenceLink> {
        add_evidence(self, case, evidence, actor).await
    }

    async fn evidence(&self, case: CaseId) -> Result<Vec<EvidenceLink>> {
        evidence(self, case).await
    }

    async fn case_history(&self, case: CaseId) -> Result<Vec<StatusChange>> {
        case_history(self, case).await
    }

    async fn save_draft_fact_check(
        &self,
        case: CaseId,
        draft: &DraftFactCheck,
        actor: UserId,
    ) -> Result<FactCheckId> {
        save_draft_fact_check(self, case, draft, actor).await
    }

    async fn published_fact_checks(&self, limit: u32, offset: u32) -> Result<Vec<DeskFactCheck>> {
        published_fact_checks(self, limit, offset).await
    }

    async fn fact_check(&self, id: FactCheckId) -> Result<Option<DeskFactCheck>> {
        fact_check(self, id).await
    }

    async fn case_verdict(&self, case: CaseId) -> Result<Option<DeskFactCheck>> {
        case_verdict(self, case).await
    }
}
