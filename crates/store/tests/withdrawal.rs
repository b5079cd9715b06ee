//! Withdrawing a fact-check: admins only, with a reason, once; the record stays, with when
//! and why, and leaves matching, duplicate groups, public lists and feeds.

use claimdesk_core::{Actor, CaseStatus, FactCheck, FactCheckId, Rating, Role, User};
use claimdesk_store::AnyStore;
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{
    AuditFilter, DraftFactCheck, Error, NewCase, NewUser, PageRequest, WorkflowPolicy,
};

use crate::{fc, source};

const ALL: PageRequest = PageRequest {
    offset: 0,
    limit: 100,
};

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

async fn id_of(s: &impl Store, source_id: &str) -> FactCheckId {
    let all = s.search_fact_checks(None, ALL).await.unwrap();
    all.entries
        .iter()
        .find(|f| f.fact_check.source_id == source_id)
        .unwrap()
        .id
}

async fn a_withdrawn_fact_check_is_kept_but_leaves_matching_and_the_lists(s: AnyStore) {
    let admin = add(&s, "ada", Role::Admin).await;
    let editor = add(&s, "ed", Role::Editor).await;
    s.save_fact_checks(
        &[
            fc("https://fc.example/a", "Bleach cures flu", "bleach"),
            fc("https://fc.example/b", "Bleach cures the flu!", "bleach"),
            fc("https://fc.example/c", "The moon is cheese", "moon"),
        ],
        source(),
    )
    .await
    .unwrap();
    let a = id_of(&s, "https://fc.example/a").await;
    let b = id_of(&s, "https://fc.example/b").await;
    assert_eq!(s.aliases(a).await.unwrap().len(), 1);
    let listed = s.published_fact_checks(10, 0).await.unwrap().len();
    assert_eq!(listed, 3);
    let rev = s.revision().await.unwrap();

    // Editors may not; a blank reason is refused; nothing changes either way.
    let e = s
        .withdraw_fact_check(a, Actor::User(editor.id), "wrong")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    assert_eq!(e.to_string(), "ed (editor) may not withdraw fact-checks");
    let e = s
        .withdraw_fact_check(a, Actor::User(admin.id), "  ")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NoWithdrawalReason), "{e}");
    assert!(matches!(
        s.withdraw_fact_check(FactCheckId(999), Actor::User(admin.id), "x")
            .await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(s.revision().await.unwrap(), rev);

    let withdrawn = s
        .withdraw_fact_check(a, Actor::User(admin.id), "  The publisher retracted it. ")
        .await
        .unwrap();
    let w = withdrawn.withdrawn.clone().expect("withdrawn");
    assert_eq!(w.reason, "The publisher retracted it.");
    assert!(w.at.ends_with('Z'), "{}", w.at);

    // Its change is a revision the index follows: it is among the changes, marked, and its
    // alias is canonical now.
    assert_eq!(s.revision().await.unwrap(), rev + 1);
    let changed = s.fact_checks_since(rev).await.unwrap();
    let ids: Vec<_> = changed.iter().map(|c| c.fact_check.id).collect();
    assert_eq!(ids, [a, b]);
    assert_eq!(changed[0].fact_check.withdrawn.as_ref(), Some(&w));
    assert_eq!(changed[1].fact_check.alias_of, None);
    assert!(changed[1].fact_check.withdrawn.is_none());

    // Kept, with when and why; out of what is in force and of the public lists.
    let kept = s.fact_checks_by_id(&[a]).await.unwrap();
    assert_eq!(kept[0].withdrawn.as_ref(), Some(&w));
    assert_eq!(
        s.fact_check(a).await.unwrap().unwrap().withdrawn.as_ref(),
        Some(&w)
    );
    assert!(s.fact_checks().await.unwrap().iter().all(|f| f.id != a));
    assert!(s.aliases(a).await.unwrap().is_empty());
    let public = s.published_fact_checks(10, 0).await.unwrap();
    assert_eq!(public.len(), 2);
    assert!(public.iter().all(|f| f.id != a));
    assert_eq!(s.counts().await.unwrap().0, 2);
    // The desk still finds it (marked) in its own search.
    assert_eq!(s.search_fact_checks(None, ALL).await.unwrap().total, 3);

    // Once only.
    let e = s
        .withdraw_fact_check(a, Actor::User(admin.id), "again")
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::AlreadyWithdrawn { id, at } if *id == a.0 && *at == w.at));

    // Re-importing it changes its text but not its withdrawal.
    s.save_fact_checks(
        &[fc(
            "https://fc.example/a",
            "Bleach cures flu, edited",
            "bleach",
        )],
        source(),
    )
    .await
    .unwrap();
    let again = s.fact_checks_by_id(&[a]).await.unwrap();
    assert_eq!(again[0].withdrawn.as_ref(), Some(&w));
    assert_eq!(again[0].alias_of, None);
    assert_eq!(s.fact_checks_by_id(&[b]).await.unwrap()[0].alias_of, None);

    // One audit event, with what it was and what it became, and the chain holds.
    let events = s
        .audit_events(&AuditFilter {
            subject: Some(format!("factcheck:{}", a.0)),
            limit: 100,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let withdraw: Vec<_> = events
        .iter()
        .filter(|e| e.action == "factcheck.withdraw")
        .collect();
    assert_eq!(withdraw.len(), 1);
    assert_eq!(withdraw[0].actor, format!("user:{}", admin.id.0));
    let before: serde_json::Value =
        serde_json::from_str(withdraw[0].before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value =
        serde_json::from_str(withdraw[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(before["withdrawn_at"], serde_json::Value::Null, "{before}");
    assert_eq!(before["alias_of"], serde_json::Value::Null);
    assert_eq!(after["withdrawn_at"], w.at.as_str(), "{after}");
    assert_eq!(after["withdrawn_reason"], "The publisher retracted it.");
    assert!(s.verify_audit().await.unwrap().is_intact());

    // A case may not be linked to it any more.
    let case = s
        .create_case(
            &NewCase {
                claim: "Bleach cures flu".into(),
                ..NewCase::default()
            },
            editor.id,
        )
        .await
        .unwrap();
    assert!(matches!(
        s.link_fact_check(case.id, a, editor.id).await,
        Err(Error::AlreadyWithdrawn { .. })
    ));
}

async fn a_desk_verdict_is_withdrawn_once_published_and_not_as_a_draft(s: AnyStore) {
    let s = s.with_policy(WorkflowPolicy {
        require_other_reviewer: false,
    });
    let admin = add(&s, "ada", Role::Admin).await;
    let case = s
        .create_case(
            &NewCase {
                claim: "Lemon water cures cancer".into(),
                ..NewCase::default()
            },
            admin.id,
        )
        .await
        .unwrap();
    s.transition_case(case.id, CaseStatus::Verifying, admin.id)
        .await
        .unwrap();
    let draft = DraftFactCheck {
        fact_check: FactCheck {
            source_id: "ignored".into(),
            claim: "Lemon water cures cancer".into(),
            rating: Some(Rating {
                label: Some("False".into()),
                ..Rating::default()
            }),
            ..FactCheck::default()
        },
        duplicate_key: "lemon".into(),
    };
    let id = s
        .save_draft_fact_check(case.id, &draft, admin.id)
        .await
        .unwrap();
    let e = s
        .withdraw_fact_check(id, Actor::User(admin.id), "drafted in error")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
    for to in [
        CaseStatus::Drafted,
        CaseStatus::InReview,
        CaseStatus::Published,
    ] {
        s.transition_case(case.id, to, admin.id).await.unwrap();
    }
    assert_eq!(s.published_fact_checks(10, 0).await.unwrap().len(), 1);
    let rev = s.revision().await.unwrap();
    // The command line acts with every right.
    s.withdraw_fact_check(id, Actor::Cli, "The figures were misread.")
        .await
        .unwrap();
    assert!(s.published_fact_checks(10, 0).await.unwrap().is_empty());
    let kept = s.fact_check(id).await.unwrap().unwrap();
    assert!(kept.published);
    assert_eq!(
        kept.withdrawn.map(|w| w.reason).as_deref(),
        Some("The figures were misread.")
    );
    let changed = s.fact_checks_since(rev).await.unwrap();
    assert_eq!(changed.len(), 1);
    assert!(changed[0].fact_check.withdrawn.is_some());
}

conformance!(
    a_withdrawn_fact_check_is_kept_but_leaves_matching_and_the_lists,
    a_desk_verdict_is_withdrawn_once_published_and_not_as_a_draft,
);
