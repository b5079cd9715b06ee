//! The desk: users, sessions, API tokens, cases through the workflow, desk-written verdicts,
//! and the audit chain that records all of it.

use std::time::Duration;

use claimdesk_core::{
    Actor, AuditProblem, CaseStatus, FactCheck, Item, Rating, Role, User, UserId, WorkflowError,
};
use claimdesk_store::AnyStore;
use claimdesk_store::auth::{hash_password, verify_password};
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AuditFilter, CaseFilter, DraftFactCheck, Error, NewCase, NewEvidence, NewItem, NewUser,
    TokenHash, WorkflowPolicy,
};
use sqlx::Connection;

use crate::{fc, source, store};

async fn add(s: &impl Store, name: &str, role: Role) -> User {
    s.add_user(
        &NewUser {
            username: name.into(),
            display_name: None,
            role,
            password: hash_password("password-of-test").unwrap(),
        },
        Actor::Cli,
    )
    .await
    .unwrap()
}

async fn actions(s: &impl Store) -> Vec<String> {
    s.audit_events(&AuditFilter {
        limit: 1000,
        ..AuditFilter::default()
    })
    .await
    .unwrap()
    .into_iter()
    .map(|e| e.action)
    .collect()
}

fn draft(claim: &str) -> DraftFactCheck {
    DraftFactCheck {
        fact_check: FactCheck {
            source_id: "ignored".into(),
            claim: claim.into(),
            headline: Some("No, it does not".into()),
            rating: Some(Rating {
                label: Some("False".into()),
                ..Rating::default()
            }),
            author: Some("Test desk".into()),
            language: Some("en".into()),
            review_body: Some("The study says the opposite.".into()),
            citations: vec!["https://example.org/study".into()],
            ..FactCheck::default()
        },
        duplicate_key: claim.to_lowercase(),
    }
}

async fn users_are_added_found_and_changed(s: AnyStore) {
    let admin = add(&s, "ada", Role::Admin).await;
    assert_eq!(admin.display_name, "ada");
    assert!(!admin.disabled);
    let e = s
        .add_user(
            &NewUser {
                username: "ADA".into(),
                display_name: Some("Another".into()),
                role: Role::Viewer,
                password: hash_password("long enough here").unwrap(),
            },
            Actor::Cli,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UsernameTaken(_)), "{e}");
    let e = s
        .add_user(
            &NewUser {
                username: "has space".into(),
                display_name: None,
                role: Role::Viewer,
                password: hash_password("long enough here").unwrap(),
            },
            Actor::Cli,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("username `has space`"), "{e}");

    assert_eq!(s.user_by_name("Ada").await.unwrap(), Some(admin.clone()));
    assert_eq!(s.user_by_id(admin.id).await.unwrap(), Some(admin.clone()));
    assert_eq!(s.user_by_name("nobody").await.unwrap(), None);
    let (_, hash) = s.user_credentials("ada").await.unwrap().unwrap();
    assert!(verify_password(&hash, "password-of-test"));

    let ed = add(&s, "ed", Role::Editor).await;
    // An editor manages no one else, but changes their own password.
    let e = s
        .set_role(admin.id, Role::Viewer, Actor::User(ed.id))
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "ed (editor) may not manage users");
    s.set_password(
        ed.id,
        &hash_password("a new pass phrase").unwrap(),
        Actor::User(ed.id),
    )
    .await
    .unwrap();
    let (_, hash) = s.user_credentials("ed").await.unwrap().unwrap();
    assert!(verify_password(&hash, "a new pass phrase"));
    assert!(
        s.set_password(
            admin.id,
            &hash_password("hijacked the desk!").unwrap(),
            Actor::User(ed.id)
        )
        .await
        .is_err()
    );

    let ed = s
        .set_role(ed.id, Role::Reviewer, Actor::User(admin.id))
        .await
        .unwrap();
    assert_eq!(ed.role, Role::Reviewer);
    // The last active admin stays one.
    let e = s
        .set_disabled(admin.id, true, Actor::Cli)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("last active admin"), "{e}");
    assert!(
        s.set_role(admin.id, Role::Editor, Actor::Cli)
            .await
            .is_err()
    );
    let ed = s.set_disabled(ed.id, true, Actor::Cli).await.unwrap();
    assert!(ed.disabled);
    // A disabled user acts no more.
    let e = s
        .set_password(
            ed.id,
            &hash_password("whatever it is, 1").unwrap(),
            Actor::User(ed.id),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Disabled(_)), "{e}");
    assert_eq!(s.users().await.unwrap().len(), 2);
    assert_eq!(
        actions(&s).await,
        [
            "user.add",
            "user.add",
            "user.passwd",
            "user.role",
            "user.disable"
        ]
    );
}

#[tokio::test]
async fn sessions_keep_only_the_token_hash_and_end() {
    let (dir, s) = store().await;
    let u = add(&s, "sam", Role::Editor).await;
    let session = s
        .create_session(u.id, Duration::from_secs(3600))
        .await
        .unwrap();
    let hash = session.token.hash();
    let live = s.session_user(&hash).await.unwrap().unwrap();
    assert_eq!(live.user, u);
    assert_eq!(live.csrf_token, session.csrf_token);
    assert!(live.expires_at.as_str() > "2000");
    // Looking up by the raw token (not its hash) finds nothing.
    assert!(
        s.session_user(&TokenHash::of("not the token"))
            .await
            .unwrap()
            .is_none()
    );

    // The database holds the hash, never the token.
    let mut db =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .await
            .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&mut db)
        .await
        .unwrap();
    assert_eq!(stored, [hash.as_str().to_string()]);
    assert_ne!(stored[0], session.token.expose());
    db.close().await.unwrap();

    assert!(s.delete_session(&hash).await.unwrap());
    assert!(!s.delete_session(&hash).await.unwrap());
    assert!(s.session_user(&hash).await.unwrap().is_none());

    // Expired sessions and disabled users' sessions do not work.
    let gone = s.create_session(u.id, Duration::ZERO).await.unwrap();
    assert!(s.session_user(&gone.token.hash()).await.unwrap().is_none());
    let other = s
        .create_session(u.id, Duration::from_secs(60))
        .await
        .unwrap();
    add(&s, "root", Role::Admin).await;
    s.set_disabled(u.id, true, Actor::Cli).await.unwrap();
    assert!(s.session_user(&other.token.hash()).await.unwrap().is_none());
    assert!(matches!(
        s.create_session(u.id, Duration::from_secs(60)).await,
        Err(Error::Disabled(_))
    ));
}

async fn api_tokens_work_until_revoked(s: AnyStore) {
    let admin = add(&s, "root", Role::Admin).await;
    let ed = add(&s, "ed", Role::Editor).await;
    let other = add(&s, "vi", Role::Viewer).await;
    let t = s
        .create_api_token(ed.id, "intake script", Actor::User(ed.id))
        .await
        .unwrap();
    assert_eq!(
        s.api_token_user(&t.token.hash()).await.unwrap(),
        Some(ed.clone())
    );
    // Nobody but the holder and admins makes or revokes someone's tokens.
    assert!(matches!(
        s.create_api_token(ed.id, "x", Actor::User(other.id)).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        s.revoke_api_token(t.id, Actor::User(other.id)).await,
        Err(Error::Forbidden { .. })
    ));
    s.revoke_api_token(t.id, Actor::User(admin.id))
        .await
        .unwrap();
    s.revoke_api_token(t.id, Actor::User(ed.id)).await.unwrap();
    assert_eq!(s.api_token_user(&t.token.hash()).await.unwrap(), None);
    let listed = s.api_tokens(ed.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "intake script");
    assert!(listed[0].revoked_at.is_some());
    let a = actions(&s).await;
    assert_eq!(&a[3..], ["token.create", "token.revoke"]);
}

async fn a_case_goes_from_an_item_to_a_published_verdict(s: AnyStore) {
    let ed = add(&s, "ed", Role::Editor).await;
    let rev = add(&s, "rita", Role::Reviewer).await;
    let rev2 = add(&s, "rob", Role::Reviewer).await;
    let viewer = add(&s, "vic", Role::Viewer).await;
    let (_, items) = s
        .save_items(
            &[NewItem {
                item: Item {
                    text: "  Lemon water cures cancer  ".into(),
                    ..Item::default()
                },
                key: "k1".into(),
            }],
            source(),
        )
        .await
        .unwrap();
    let case = s
        .create_case(
            &NewCase {
                item: Some(items[0]),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    assert_eq!(case.claim, "Lemon water cures cancer");
    assert_eq!(case.status, CaseStatus::Triage);
    assert!(matches!(
        s.create_case(&NewCase::default(), ed.id).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        s.create_case(
            &NewCase {
                claim: "x".into(),
                ..NewCase::default()
            },
            viewer.id
        )
        .await,
        Err(Error::Forbidden { .. })
    ));

    let id = case.id;
    let e = s
        .transition_case(id, CaseStatus::Verifying, viewer.id)
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Workflow(WorkflowError::ViewerCannotChange)
    ));
    s.transition_case(id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    let e = s
        .transition_case(id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("has no draft verdict"), "{e}");

    s.add_note(id, "Called the oncology department.", ed.id)
        .await
        .unwrap();
    assert!(s.add_note(id, "   ", ed.id).await.is_err());
    let link = s
        .add_evidence(
            id,
            &NewEvidence {
                url: "https://example.org/study".into(),
                title: Some("The study".into()),
                note: None,
            },
            ed.id,
        )
        .await
        .unwrap();
    assert_eq!(link.title.as_deref(), Some("The study"));
    assert!(
        s.add_evidence(
            id,
            &NewEvidence {
                url: "javascript:alert(1)".into(),
                ..NewEvidence::default()
            },
            ed.id
        )
        .await
        .is_err()
    );
    assert!(matches!(
        s.assign_case(id, Some(viewer.id), ed.id).await,
        Err(Error::Conflict(_))
    ));
    let case = s.assign_case(id, Some(ed.id), ed.id).await.unwrap();
    assert_eq!(case.assignee, Some(ed.id));

    // The reviewer drafts the verdict, so they may not approve it.
    let fc_id = s
        .save_draft_fact_check(id, &draft("Lemon water cures cancer"), rev.id)
        .await
        .unwrap();
    let fcheck = s.fact_check(fc_id).await.unwrap().unwrap();
    assert!(!fcheck.published);
    assert_eq!(fcheck.case, Some(id));
    assert_eq!(
        fcheck.fact_check.source_id,
        format!("claimdesk:case:{}", id.0)
    );
    assert_eq!(fcheck.fact_check.citations, ["https://example.org/study"]);
    // Drafts are invisible to the index and to listings.
    assert!(s.fact_checks().await.unwrap().is_empty());
    assert!(s.published_fact_checks(10, 0).await.unwrap().is_empty());
    let index_rev = s.revision().await.unwrap();

    s.transition_case(id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap();
    s.transition_case(id, CaseStatus::InReview, ed.id)
        .await
        .unwrap();
    let e = s
        .transition_case(id, CaseStatus::Published, ed.id)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "only a reviewer can publish");
    let e = s
        .transition_case(id, CaseStatus::Published, rev.id)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "the author of a verdict cannot approve it");
    let case = s
        .transition_case(id, CaseStatus::Published, rev2.id)
        .await
        .unwrap();
    assert_eq!(case.status, CaseStatus::Published);
    assert_eq!(case.fact_check, Some(fc_id));
    assert_eq!(case.drafted_by, Some(rev.id));
    let e = s
        .transition_case(id, CaseStatus::Triage, rev2.id)
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "cannot move a case from published to triage");

    let published = s.fact_check(fc_id).await.unwrap().unwrap();
    assert!(published.published);
    assert!(published.fact_check.date_published.is_some());
    let changed = s.fact_checks_since(index_rev).await.unwrap();
    assert_eq!(changed.len(), 1, "the index picks the verdict up");
    assert_eq!(s.published_fact_checks(10, 0).await.unwrap()[0].id, fc_id);

    let history: Vec<_> = s
        .case_history(id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.from, c.to))
        .collect();
    use CaseStatus::*;
    assert_eq!(
        history,
        [
            (None, Triage),
            (Some(Triage), Verifying),
            (Some(Verifying), Drafted),
            (Some(Drafted), InReview),
            (Some(InReview), Published),
        ]
    );
    assert_eq!(s.notes(id).await.unwrap().len(), 1);
    assert_eq!(s.evidence(id).await.unwrap().len(), 1);
    let events = s
        .audit_events(&AuditFilter {
            subject: Some(format!("case:{}", id.0)),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let case_actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        case_actions,
        [
            "case.create",
            "case.transition",
            "case.note",
            "case.evidence",
            "case.assign",
            "case.transition",
            "case.transition",
            "case.transition"
        ]
    );
    let all = actions(&s).await;
    assert!(all.contains(&"verdict.draft".to_string()));
    assert_eq!(all.last().map(String::as_str), Some("factcheck.publish"));
    assert!(s.verify_audit().await.unwrap().is_intact());
}

async fn one_person_desks_may_approve_their_own_verdicts(s: AnyStore) {
    let s = s.with_policy(WorkflowPolicy {
        require_other_reviewer: false,
    });
    let me = add(&s, "solo", Role::Reviewer).await;
    let case = s
        .create_case(
            &NewCase {
                claim: "The bridge is closing".into(),
                ..NewCase::default()
            },
            me.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, me.id)
        .await
        .unwrap();
    s.save_draft_fact_check(case.id, &draft("The bridge is closing"), me.id)
        .await
        .unwrap();
    for to in [
        CaseStatus::Drafted,
        CaseStatus::InReview,
        CaseStatus::Published,
    ] {
        s.transition_case(case.id, to, me.id).await.unwrap();
    }
}

async fn linking_to_an_existing_fact_check_and_unlinking(s: AnyStore) {
    let ed = add(&s, "ed", Role::Editor).await;
    s.save_fact_checks(&[fc("fc1", "Garlic cures flu", "garlic")], source())
        .await
        .unwrap();
    let existing = s.fact_checks().await.unwrap()[0].id;
    let case = s
        .create_case(
            &NewCase {
                claim: "garlic cures the flu!!".into(),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    let e = s
        .transition_case(case.id, CaseStatus::MatchedExisting, ed.id)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("linking it to a fact-check"), "{e}");
    let linked = s.link_fact_check(case.id, existing, ed.id).await.unwrap();
    assert_eq!(linked.status, CaseStatus::MatchedExisting);
    assert_eq!(linked.fact_check, Some(existing));
    let matched = s
        .cases(&CaseFilter {
            status: Some(CaseStatus::MatchedExisting),
            ..CaseFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(matched, std::slice::from_ref(&linked));
    let unlinked = s
        .transition_case(case.id, CaseStatus::Triage, ed.id)
        .await
        .unwrap();
    assert_eq!(unlinked.fact_check, None);
    assert!(
        s.cases(&CaseFilter {
            assignee: Some(UserId(ed.id.0 + 100)),
            ..CaseFilter::default()
        })
        .await
        .unwrap()
        .is_empty()
    );
    // Imported fact-checks count as published.
    let listed = s.published_fact_checks(10, 0).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].published && listed[0].case.is_none());
}

async fn imports_and_ingests_are_audited_with_their_counts(s: AnyStore) {
    s.save_fact_checks(&[fc("1", "a", "ka"), fc("2", "b", "kb")], source())
        .await
        .unwrap();
    s.save_items(
        &[NewItem {
            item: Item {
                text: "post".into(),
                ..Item::default()
            },
            key: "p".into(),
        }],
        source(),
    )
    .await
    .unwrap();
    let events = s.audit_events(&AuditFilter::default()).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].action, "import");
    assert_eq!(events[0].actor, "cli");
    let after: serde_json::Value =
        serde_json::from_str(events[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["added"], 2);
    assert_eq!(after["file"], "test");
    assert_eq!(events[1].action, "ingest");
    assert_eq!(events[1].prev_hash, events[0].hash);
    assert_eq!(events[0].prev_hash, "0".repeat(64));
    let page = s
        .audit_events(&AuditFilter {
            after: 1,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
}

#[tokio::test]
async fn the_audit_chain_detects_edits_and_deletions() {
    let (dir, s) = store().await;
    for name in ["a1", "a2", "a3", "a4", "a5"] {
        add(&s, name, Role::Editor).await;
    }
    let report = s.verify_audit().await.unwrap();
    assert_eq!(report.events, 5);
    assert!(report.is_intact());

    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    // The triggers refuse changes...
    assert!(
        sqlx::query("UPDATE audit_events SET after = '{}' WHERE seq = 3")
            .execute(&mut db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_events WHERE seq = 3")
            .execute(&mut db)
            .await
            .is_err()
    );
    // ...but whoever has the file can drop them: the chain still tells.
    sqlx::query("DROP TRIGGER audit_events_no_update")
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER audit_events_no_delete")
        .execute(&mut db)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET after = '{\"username\":\"mallory\"}' WHERE seq = 3")
        .execute(&mut db)
        .await
        .unwrap();
    let report = s.verify_audit().await.unwrap();
    assert!(
        matches!(&report.problem, Some(AuditProblem::Edited { seq: 3, action, .. }) if action == "user.add"),
        "{report:?}"
    );

    sqlx::query("DELETE FROM audit_events WHERE seq = 3")
        .execute(&mut db)
        .await
        .unwrap();
    let report = s.verify_audit().await.unwrap();
    assert_eq!(report.problem, Some(AuditProblem::Missing { seq: 3 }));

    sqlx::query("DELETE FROM audit_events WHERE seq >= 3")
        .execute(&mut db)
        .await
        .unwrap();
    let report = s.verify_audit().await.unwrap();
    assert_eq!(
        report.problem,
        Some(AuditProblem::Truncated {
            last: 2,
            recorded: 5
        })
    );
    db.close().await.unwrap();
}

/// Issue 15, finding 1: an import is the desk's existing published record. Only admins (and
/// the command line) import; an import never changes a desk-written verdict nor takes the
/// source ids the desk gives its own; every change an import makes to a fact-check's
/// content is an audit event with its before and after.
async fn regression_imports_cannot_bypass_review(s: AnyStore) {
    let admin = add(&s, "ada", Role::Admin).await;
    let ed = add(&s, "ed", Role::Editor).await;
    let rita = add(&s, "rita", Role::Reviewer).await;
    s.save_fact_checks(&[fc("fc1", "Garlic cures flu", "garlic")], source())
        .await
        .unwrap();
    let by = |user: UserId| claimdesk_store::ImportSource {
        file: "api",
        format: "json",
        diagnostics: &[],
        actor: Actor::User(user),
    };

    // An editor neither overwrites a published fact-check nor publishes a new one.
    for batch in [
        fc("fc1", "Garlic does cure flu", "garlic"),
        fc("fc2", "Onions cure flu", "onions"),
    ] {
        let e = s
            .save_fact_checks(std::slice::from_ref(&batch), by(ed.id))
            .await
            .unwrap_err();
        assert!(matches!(e, Error::ImportForbidden { .. }), "{e}");
        assert!(e.to_string().contains("ed (editor) may not import"), "{e}");
    }
    let all = s.fact_checks().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].fact_check.claim, "Garlic cures flu");

    // An admin may; the change is audited with what the fact-check said before and after.
    let c = s
        .save_fact_checks(&[fc("fc1", "Garlic does cure flu", "garlic")], by(admin.id))
        .await
        .unwrap();
    assert_eq!(c.updated, 1);
    let id = all[0].id;
    let events = s
        .audit_events(&AuditFilter {
            subject: Some(format!("factcheck:{}", id.0)),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].action, "factcheck.update");
    assert_eq!(events[0].actor, format!("user:{}", admin.id.0));
    let json = |s: &Option<String>| -> serde_json::Value {
        serde_json::from_str(s.as_deref().unwrap()).unwrap()
    };
    assert_eq!(json(&events[0].before)["claim"], "Garlic cures flu");
    assert_eq!(json(&events[0].after)["claim"], "Garlic does cure flu");
    assert_eq!(json(&events[0].after)["source_id"], "fc1");

    // A verdict the desk published after review.
    let case = s
        .create_case(
            &NewCase {
                claim: "Lemon water cures cancer".into(),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    s.save_draft_fact_check(case.id, &draft("Lemon water cures cancer"), ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::InReview, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Published, rita.id)
        .await
        .unwrap();
    let verdict = s.case_verdict(case.id).await.unwrap().unwrap();
    assert!(verdict.published);
    let same = claimdesk_store::NewFactCheck {
        fact_check: verdict.fact_check.clone(),
        duplicate_key: "lemon water cures cancer".into(),
    };
    // Exported and imported back unchanged: nothing to refuse.
    let c = s
        .save_fact_checks(std::slice::from_ref(&same), source())
        .await
        .unwrap();
    assert_eq!(c.unchanged, 1);
    // Changed (False → True): refused, even from the command line and an admin.
    let mut flipped = same.clone();
    flipped.fact_check.rating = Some(Rating {
        label: Some("True".into()),
        ..Rating::default()
    });
    for actor in [Actor::Cli, Actor::User(admin.id)] {
        let e = s
            .save_fact_checks(
                std::slice::from_ref(&flipped),
                claimdesk_store::ImportSource { actor, ..source() },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, Error::DeskVerdict { .. }), "{e}");
        assert!(e.to_string().contains("through its case"), "{e}");
    }
    let now = s.case_verdict(case.id).await.unwrap().unwrap();
    assert_eq!(now.fact_check, verdict.fact_check);
    // The desk's own source ids are not for imports: a record under the id of a case that has
    // no verdict yet would become that case's verdict, published, when it is drafted.
    let other = s
        .create_case(
            &NewCase {
                claim: "The bridge is closing".into(),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    let taken = fc(
        &format!("claimdesk:case:{}", other.id.0),
        "The bridge is closing",
        "bridge",
    );
    let e = s.save_fact_checks(&[taken], source()).await.unwrap_err();
    assert!(matches!(e, Error::DeskVerdict { .. }), "{e}");
    assert_eq!(s.fact_checks().await.unwrap().len(), 2);
}

/// Issue 15, finding 7: the second-reviewer rule looked only at the last person who saved the
/// verdict; a reviewer who wrote it could approve it once a colleague re-saved it unchanged.
async fn regression_no_author_of_a_verdict_approves_it(s: AnyStore) {
    let ed = add(&s, "ed", Role::Editor).await;
    let rita = add(&s, "rita", Role::Reviewer).await;
    let rob = add(&s, "rob", Role::Reviewer).await;
    let case = s
        .create_case(
            &NewCase {
                claim: "The bridge is closing".into(),
                ..NewCase::default()
            },
            ed.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, ed.id)
        .await
        .unwrap();
    // Rita writes the verdict; Ed saves it again, unchanged.
    for who in [rita.id, ed.id] {
        s.save_draft_fact_check(case.id, &draft("The bridge is closing"), who)
            .await
            .unwrap();
    }
    s.transition_case(case.id, CaseStatus::Drafted, ed.id)
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::InReview, ed.id)
        .await
        .unwrap();
    let e = s
        .transition_case(case.id, CaseStatus::Published, rita.id)
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Workflow(WorkflowError::AuthorCannotApprove)),
        "{e}"
    );
    let published = s
        .transition_case(case.id, CaseStatus::Published, rob.id)
        .await
        .unwrap();
    assert_eq!(published.status, CaseStatus::Published);
}

/// Issue 15, finding 7: API tokens outlived a password change and a disable/enable, and a
/// password of eight spaces was accepted.
async fn regression_credentials_changes_revoke_api_tokens_and_blank_passwords_are_refused(
    s: AnyStore,
) {
    let ed = add(&s, "ed", Role::Editor).await;
    let live = |t: &claimdesk_store::NewApiToken| TokenHash::of(t.token.expose());
    let t = s
        .create_api_token(ed.id, "script", Actor::User(ed.id))
        .await
        .unwrap();
    assert!(s.api_token_user(&live(&t)).await.unwrap().is_some());
    s.set_password(
        ed.id,
        &hash_password("a different passphrase").unwrap(),
        Actor::User(ed.id),
    )
    .await
    .unwrap();
    assert!(s.api_token_user(&live(&t)).await.unwrap().is_none());
    let t = s
        .create_api_token(ed.id, "script", Actor::User(ed.id))
        .await
        .unwrap();
    s.set_disabled(ed.id, true, Actor::Cli).await.unwrap();
    s.set_disabled(ed.id, false, Actor::Cli).await.unwrap();
    assert!(s.api_token_user(&live(&t)).await.unwrap().is_none());
    for blank in [
        "        ",
        "\t\t\t\t\t\t\t\t\t",
        "\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}",
    ] {
        assert!(hash_password(blank).is_err(), "{blank:?}");
    }
}

/// Issue 15, finding 6: checkpoints are stored once per head and exported with the chain
/// hashes since the one before.
async fn audit_checkpoints_are_stored_and_witnessed_with_their_hashes(s: AnyStore) {
    assert_eq!(s.audit_head().await.unwrap(), None);
    let signer = claimdesk_core::CheckpointSigner::from_seed([1; 32]);
    for name in ["a1", "a2", "a3"] {
        add(&s, name, Role::Editor).await;
    }
    let (seq, hash) = s.audit_head().await.unwrap().unwrap();
    assert_eq!(seq, 3);
    let first = signer.sign(seq, &hash, "2026-12-05T03:00:00.000Z");
    assert!(s.save_audit_checkpoint(&first).await.unwrap());
    assert!(!s.save_audit_checkpoint(&first).await.unwrap());
    for name in ["a4", "a5"] {
        add(&s, name, Role::Editor).await;
    }
    let (seq, hash) = s.audit_head().await.unwrap().unwrap();
    let second = signer.sign(seq, &hash, "2026-12-05T04:00:00.000Z");
    assert!(s.save_audit_checkpoint(&second).await.unwrap());
    assert_eq!(s.audit_checkpoints().await.unwrap(), [first, second]);

    let lines = claimdesk_store::witnessed_checkpoints(&s).await.unwrap();
    let stored = s.audit_hashes(0, 5).await.unwrap();
    assert_eq!(stored.len(), 5);
    assert_eq!((lines[0].since, lines[1].since), (0, 3));
    assert_eq!(lines[0].hashes.len(), 3);
    assert_eq!(lines[1].hashes, [stored[3].1.clone(), stored[4].1.clone()]);
    let mut check = claimdesk_core::WitnessVerifier::new(signer.public());
    for line in &lines {
        check.add_line(&serde_json::to_string(line).unwrap());
    }
    for (seq, hash) in &stored {
        check.push_stored(*seq, hash);
    }
    let report = check.finish();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.witnessed_to, 5);
}

conformance!(
    users_are_added_found_and_changed,
    api_tokens_work_until_revoked,
    a_case_goes_from_an_item_to_a_published_verdict,
    one_person_desks_may_approve_their_own_verdicts,
    linking_to_an_existing_fact_check_and_unlinking,
    imports_and_ingests_are_audited_with_their_counts,
    regression_imports_cannot_bypass_review,
    regression_no_author_of_a_verdict_approves_it,
    regression_credentials_changes_revoke_api_tokens_and_blank_passwords_are_refused,
    audit_checkpoints_are_stored_and_witnessed_with_their_hashes,
);
