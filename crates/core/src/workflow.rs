//! The case workflow: which moves exist ([`next_statuses`], the one table) and who may make
//! them ([`transition`]). The store calls [`transition`] before every status change, so the
//! rules hold whichever front end asks.

use crate::desk::{CaseStatus, Role, UserId};

/// A move the workflow does not allow, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The workflow has no such move (published is final; a case goes through review).
    #[error("cannot move a case from {from} to {to}")]
    NotAllowed {
        /// The case's status.
        from: CaseStatus,
        /// The status asked for.
        to: CaseStatus,
    },
    /// Viewers read; they change nothing.
    #[error("a viewer cannot change cases")]
    ViewerCannotChange,
    /// in_review → published is a reviewer's (or admin's) decision.
    #[error("only a reviewer can publish")]
    OnlyReviewerCanPublish,
    /// The desk requires a second pair of eyes: whoever wrote the verdict cannot approve it.
    #[error("the author of a verdict cannot approve it")]
    AuthorCannotApprove,
}

/// The statuses a case in `from` may move to. This is the workflow's one table.
pub fn next_statuses(from: CaseStatus) -> &'static [CaseStatus] {
    use CaseStatus::*;
    match from {
        Triage => &[Verifying, MatchedExisting, NotCheckable],
        Verifying => &[Drafted, MatchedExisting, NotCheckable, Triage],
        Drafted => &[InReview, Verifying],
        // Back to drafted is "sent back" with the reviewer's note.
        InReview => &[Published, Drafted],
        // Reopen.
        NotCheckable => &[Triage],
        // Unlink the fact-check it was matched to.
        MatchedExisting => &[Triage],
        Published => &[],
    }
}

/// Checks that `actor`, who has `actor_role`, may move a case from `from` to `to`.
/// `case_author` is the user who drafted the case's verdict; with `require_other_reviewer`,
/// that user may not approve it (in_review → published). The move is checked first, then the
/// role, then the author, so the error names the most basic reason.
pub fn transition(
    from: CaseStatus,
    to: CaseStatus,
    actor_role: Role,
    actor: UserId,
    case_author: Option<UserId>,
    require_other_reviewer: bool,
) -> Result<(), WorkflowError> {
    if !next_statuses(from).contains(&to) {
        return Err(WorkflowError::NotAllowed { from, to });
    }
    if actor_role == Role::Viewer {
        return Err(WorkflowError::ViewerCannotChange);
    }
    let publishing = from == CaseStatus::InReview && to == CaseStatus::Published;
    if publishing {
        if actor_role < Role::Reviewer {
            return Err(WorkflowError::OnlyReviewerCanPublish);
        }
        if require_other_reviewer && case_author == Some(actor) {
            return Err(WorkflowError::AuthorCannotApprove);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    const ME: UserId = UserId(1);
    const OTHER: UserId = UserId(2);

    const ALLOWED: [(CaseStatus, CaseStatus); 13] = [
        (Triage, Verifying),
        (Triage, MatchedExisting),
        (Triage, NotCheckable),
        (Verifying, Drafted),
        (Verifying, MatchedExisting),
        (Verifying, NotCheckable),
        (Verifying, Triage),
        (Drafted, InReview),
        (Drafted, Verifying),
        (InReview, Published),
        (InReview, Drafted),
        (NotCheckable, Triage),
        (MatchedExisting, Triage),
    ];

    #[test]
    fn every_allowed_move_is_allowed_for_reviewers_and_admins() {
        for (from, to) in ALLOWED {
            for role in [Role::Reviewer, Role::Admin] {
                assert_eq!(
                    transition(from, to, role, ME, Some(OTHER), true),
                    Ok(()),
                    "{from} -> {to} as {role}"
                );
            }
        }
    }

    #[test]
    fn editors_make_every_move_but_publishing() {
        for (from, to) in ALLOWED {
            let got = transition(from, to, Role::Editor, ME, None, true);
            if (from, to) == (InReview, Published) {
                assert_eq!(got, Err(WorkflowError::OnlyReviewerCanPublish));
            } else {
                assert_eq!(got, Ok(()), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn viewers_make_no_move() {
        for (from, to) in ALLOWED {
            assert_eq!(
                transition(from, to, Role::Viewer, ME, None, false),
                Err(WorkflowError::ViewerCannotChange)
            );
        }
    }

    #[test]
    fn the_table_has_exactly_the_allowed_moves() {
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                let want = ALLOWED.contains(&(from, to));
                assert_eq!(next_statuses(from).contains(&to), want, "{from} -> {to}");
                if !want {
                    assert_eq!(
                        transition(from, to, Role::Admin, ME, None, false),
                        Err(WorkflowError::NotAllowed { from, to })
                    );
                }
            }
        }
    }

    #[test]
    fn forbidden_moves_say_what_is_not_allowed() {
        let e = transition(Published, Triage, Role::Admin, ME, None, false).unwrap_err();
        assert_eq!(e.to_string(), "cannot move a case from published to triage");
        let e = transition(Triage, Published, Role::Admin, ME, None, false).unwrap_err();
        assert_eq!(e.to_string(), "cannot move a case from triage to published");
        let e = transition(Drafted, Published, Role::Reviewer, ME, None, false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot move a case from drafted to published"
        );
        let e = transition(Triage, Triage, Role::Admin, ME, None, false).unwrap_err();
        assert_eq!(e.to_string(), "cannot move a case from triage to triage");
        let e = transition(InReview, Published, Role::Editor, ME, None, false).unwrap_err();
        assert_eq!(e.to_string(), "only a reviewer can publish");
    }

    #[test]
    fn the_author_cannot_approve_when_another_reviewer_is_required() {
        let e = transition(InReview, Published, Role::Reviewer, ME, Some(ME), true).unwrap_err();
        assert_eq!(e.to_string(), "the author of a verdict cannot approve it");
        assert_eq!(
            transition(InReview, Published, Role::Admin, ME, Some(ME), true),
            Err(WorkflowError::AuthorCannotApprove)
        );
        // Without the rule, or approving someone else's verdict, it is fine.
        assert_eq!(
            transition(InReview, Published, Role::Reviewer, ME, Some(ME), false),
            Ok(())
        );
        assert_eq!(
            transition(InReview, Published, Role::Reviewer, ME, Some(OTHER), true),
            Ok(())
        );
        // The author may still send their own verdict back.
        assert_eq!(
            transition(InReview, Drafted, Role::Reviewer, ME, Some(ME), true),
            Ok(())
        );
    }
}
