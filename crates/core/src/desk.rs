//! The desk: users and their roles, cases and what is attached to them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{FactCheck, FactCheckId, ItemId};

/// The store's identifier of a desk user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user-{}", self.0)
    }
}

/// The store's identifier of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseId(pub i64);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "case-{}", self.0)
    }
}

/// The store's identifier of an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ApiTokenId(pub i64);

impl fmt::Display for ApiTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "token-{}", self.0)
    }
}

/// A name that is not one of the known values of an enum (a role, a case status).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {expected})")]
pub struct UnknownName {
    /// What was being parsed ("role", "case status").
    pub what: &'static str,
    /// The value given.
    pub value: String,
    /// The accepted values, comma-separated.
    pub expected: &'static str,
}

/// What a user may do at the desk. Ordered by power: each role can do everything the roles
/// below it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads cases and fact-checks; changes nothing.
    Viewer,
    /// Works cases: triage, linking, research, drafting verdicts, sending to review.
    Editor,
    /// Everything an editor does, and approves (publishes) verdicts.
    Reviewer,
    /// Everything, and manages users.
    Admin,
}

/// One thing a [`Role`] may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read cases, fact-checks and the audit trail.
    View,
    /// Create, assign, annotate and move cases (except publishing).
    EditCase,
    /// Write a case's draft verdict.
    EditFactCheck,
    /// Approve a verdict in review, which publishes it.
    Publish,
    /// Add users, change their roles, disable them, reset passwords, revoke any token.
    ManageUsers,
    /// Withdraw a published fact-check (it leaves matching and the public lists; its page
    /// says it was withdrawn, when and why).
    WithdrawFactCheck,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Reviewer, Role::Admin];

    /// The weakest role that has `permission`; a role has it when it is at least that strong.
    pub fn least_with(permission: Permission) -> Role {
        match permission {
            Permission::View => Role::Viewer,
            Permission::EditCase | Permission::EditFactCheck => Role::Editor,
            Permission::Publish => Role::Reviewer,
            Permission::ManageUsers | Permission::WithdrawFactCheck => Role::Admin,
        }
    }

    /// Whether this role may do `permission`.
    pub fn can(self, permission: Permission) -> bool {
        self >= Role::least_with(permission)
    }

    /// The stored and command-line name (`admin`, `editor`, `reviewer`, `viewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Role, UnknownName> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "role",
                value: s.to_string(),
                expected: "viewer, editor, reviewer, admin",
            })
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Permission::View => "view",
            Permission::EditCase => "edit cases",
            Permission::EditFactCheck => "edit verdicts",
            Permission::Publish => "publish",
            Permission::ManageUsers => "manage users",
            Permission::WithdrawFactCheck => "withdraw fact-checks",
        })
    }
}

/// A desk user. The password hash is not part of it: only the store and the login path see
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The store's id.
    pub id: UserId,
    /// The login name, unique, never changed (the audit trail names users by it).
    pub username: String,
    /// The name shown at the desk.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// A disabled user cannot sign in, and their sessions and tokens stop working.
    pub disabled: bool,
}

/// Who made a change, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// A desk user, signed in or through an API token.
    User(UserId),
    /// The command line on the machine that holds the data: whoever can run it can read and
    /// write the database file anyway, so it acts with every permission.
    Cli,
    /// claimdesk itself (scheduled work such as feed polling).
    System,
}

impl fmt::Display for Actor {
    /// `user:ID`, `cli` or `system`: the form stored in the audit trail.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(id) => write!(f, "user:{}", id.0),
            Actor::Cli => f.write_str("cli"),
            Actor::System => f.write_str("system"),
        }
    }
}

impl FromStr for Actor {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Actor, UnknownName> {
        let unknown = || UnknownName {
            what: "actor",
            value: s.to_string(),
            expected: "user:ID, cli, system",
        };
        match s {
            "cli" => Ok(Actor::Cli),
            "system" => Ok(Actor::System),
            _ => s
                .strip_prefix("user:")
                .and_then(|id| id.parse().ok())
                .map(|id| Actor::User(UserId(id)))
                .ok_or_else(unknown),
        }
    }
}

/// Where a case stands in the desk's workflow (see [`crate::workflow`] for the moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// New: is this a checkable claim, and was it checked before?
    Triage,
    /// Being researched.
    Verifying,
    /// A verdict is written and can be sent to review.
    Drafted,
    /// Waiting for a reviewer to approve the verdict or send it back.
    InReview,
    /// The verdict is published. Final.
    Published,
    /// Answered by a fact-check that already exists (the case's `fact_check`).
    MatchedExisting,
    /// Not a factual claim anyone could verify (opinion, prediction, satire).
    NotCheckable,
}

impl CaseStatus {
    /// Every status, in workflow order.
    pub const ALL: [CaseStatus; 7] = [
        CaseStatus::Triage,
        CaseStatus::Verifying,
        CaseStatus::Drafted,
        CaseStatus::InReview,
        CaseStatus::Published,
        CaseStatus::MatchedExisting,
        CaseStatus::NotCheckable,
    ];

    /// The stored and API name, snake_case.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Triage => "triage",
            CaseStatus::Verifying => "verifying",
            CaseStatus::Drafted => "drafted",
            CaseStatus::InReview => "in_review",
            CaseStatus::Published => "published",
            CaseStatus::MatchedExisting => "matched_existing",
            CaseStatus::NotCheckable => "not_checkable",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseStatus {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<CaseStatus, UnknownName> {
        CaseStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "case status",
                value: s.to_string(),
                expected: "triage, verifying, drafted, in_review, published, matched_existing, \
                           not_checkable",
            })
    }
}

/// A claim the desk works on, from an item it watches or typed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The store's id.
    pub id: CaseId,
    /// The item the claim came from, if any.
    pub item: Option<ItemId>,
    /// The fact-check that answers the case: the existing one it was matched to
    /// (`matched_existing`), else the desk's own draft or published verdict.
    pub fact_check: Option<FactCheckId>,
    /// The claim, as the desk states it.
    pub claim: String,
    /// Where the case stands.
    pub status: CaseStatus,
    /// Who works on it.
    pub assignee: Option<UserId>,
    /// Who opened it.
    pub created_by: UserId,
    /// Who last wrote its draft verdict (that user cannot approve it when the desk requires
    /// another reviewer).
    pub drafted_by: Option<UserId>,
    /// When it was opened (RFC 3339, UTC).
    pub created_at: String,
    /// When it last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// A note on a case (research log, hand-over, reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseNote {
    /// The note's id.
    pub id: i64,
    /// The case.
    pub case: CaseId,
    /// Who wrote it.
    pub author: UserId,
    /// The note.
    pub text: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}

/// A source attached to a case as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLink {
    /// The link's id.
    pub id: i64,
    /// The case.
    pub case: CaseId,
    /// The source (http or https).
    pub url: String,
    /// Its title.
    pub title: Option<String>,
    /// What it shows.
    pub note: Option<String>,
    /// Who added it.
    pub added_by: UserId,
    /// When (RFC 3339, UTC).
    pub added_at: String,
}

/// One move of a case through the workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The case.
    pub case: CaseId,
    /// The status before (`None` when the case was opened).
    pub from: Option<CaseStatus>,
    /// The status after.
    pub to: CaseStatus,
    /// Who moved it.
    pub actor: UserId,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// A fact-check with what the desk knows beyond ClaimReview: imported ones are published and
/// have no case; desk-written ones belong to a case and are drafts until it is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskFactCheck {
    /// The store's id.
    pub id: FactCheckId,
    /// The canonical fact-check when this one repeats it (see `StoredFactCheck`).
    pub alias_of: Option<FactCheckId>,
    /// The ClaimReview fields, with the summary (`review_body`) and evidence (`citations`).
    /// `date_published` is set when the case is published.
    pub fact_check: FactCheck,
    /// The case it was written for (desk-written only).
    pub case: Option<CaseId>,
    /// The user who last wrote it (desk-written only).
    pub author_user: Option<UserId>,
    /// Imported fact-checks are published; desk-written ones once their case is.
    pub published: bool,
    /// When the store last wrote it (RFC 3339, UTC): the time of the import that stored
    /// it as it is; `None` for a desk-written verdict (its `date_published` is set when
    /// its case is published).
    pub recorded_at: Option<String>,
    /// When and why it was withdrawn, if it was (see `StoredFactCheck::withdrawn`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<crate::Withdrawal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Viewer < Role::Editor);
        assert!(Role::Editor < Role::Reviewer);
        assert!(Role::Reviewer < Role::Admin);
    }

    #[test]
    fn permissions_by_role() {
        use Permission::*;
        let table = [
            (Role::Viewer, [true, false, false, false, false]),
            (Role::Editor, [true, true, true, false, false]),
            (Role::Reviewer, [true, true, true, true, false]),
            (Role::Admin, [true, true, true, true, true]),
        ];
        for (role, want) in table {
            let got = [View, EditCase, EditFactCheck, Publish, ManageUsers].map(|p| role.can(p));
            assert_eq!(got, want, "{role}");
        }
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        for s in CaseStatus::ALL {
            assert_eq!(s.as_str().parse::<CaseStatus>().unwrap(), s);
        }
        assert_eq!(
            "in_review".parse::<CaseStatus>().unwrap(),
            CaseStatus::InReview
        );
        let e = "boss".parse::<Role>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown role `boss` (expected one of: viewer, editor, reviewer, admin)"
        );
        for a in [Actor::User(UserId(7)), Actor::Cli, Actor::System] {
            assert_eq!(a.to_string().parse::<Actor>().unwrap(), a);
        }
        assert!("user:x".parse::<Actor>().is_err());
    }
}
