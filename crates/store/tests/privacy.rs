//! The privacy check's audit events (issue 21): a check is recorded with its counts only,
//! by any enabled user or the command line; an override of a held publication needs a
//! reviewer and a reason, and is recorded on the case.

use claimdesk_core::{Actor, CaseId, Role, User};
use claimdesk_store::auth::hash_password;
use claimdesk_store::prelude::*;
use claimdesk_store::{AnyStore, AuditFilter, Error, NewUser, PrivacyCheckCounts};

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

async fn a_check_is_audited_with_counts_and_an_override_needs_a_reviewer_and_a_reason(s: AnyStore) {
    let viewer = add(&s, "vi", Role::Viewer).await;
    let editor = add(&s, "ed", Role::Editor).await;
    let reviewer = add(&s, "re", Role::Reviewer).await;
    let counts = PrivacyCheckCounts {
        texts: 1,
        images: 2,
        findings: 3,
        high: 1,
        incomplete: 0,
    };
    s.record_privacy_check(Actor::User(viewer.id), &counts)
        .await
        .unwrap();
    s.record_privacy_check(Actor::Cli, &counts).await.unwrap();
    let case = CaseId(7);
    let e = s
        .record_privacy_override(case, editor.id, "because", &counts)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let e = s
        .record_privacy_override(case, reviewer.id, "  ", &counts)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Invalid(_)), "{e}");
    s.record_privacy_override(case, reviewer.id, " a public hotline ", &counts)
        .await
        .unwrap();
    let events = s.audit_events(&AuditFilter::default()).await.unwrap();
    let checks: Vec<_> = events
        .iter()
        .filter(|e| e.action == "privacy.check")
        .collect();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0].actor, format!("user:{}", viewer.id.0));
    assert_eq!(checks[1].actor, "cli");
    let after: serde_json::Value =
        serde_json::from_str(checks[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(
        after,
        serde_json::json!({"texts": 1, "images": 2, "findings": 3, "high": 1, "incomplete": 0})
    );
    let overrides: Vec<_> = events
        .iter()
        .filter(|e| e.action == "privacy.override")
        .collect();
    assert_eq!(overrides.len(), 1);
    assert_eq!(overrides[0].subject, "case:7");
    let after: serde_json::Value =
        serde_json::from_str(overrides[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["reason"], "a public hotline");
    assert_eq!(after["high"], 1);
    assert!(s.verify_audit().await.unwrap().is_intact());
}

conformance!(a_check_is_audited_with_counts_and_an_override_needs_a_reviewer_and_a_reason,);
