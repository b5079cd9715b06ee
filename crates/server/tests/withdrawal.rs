//! Withdrawing a fact-check: the API and the admins' form, refusals with their codes, and
//! what the public, the lists, the feeds, the JSON-LD and matching see afterwards.

use claimdesk_core::FactCheckId;
use claimdesk_store::AuditFilter;
use claimdesk_store::prelude::*;
use serde_json::json;

use crate::public::public_desk;
use crate::util::desk;

const REASON: &str = "The figures came from a retracted study.";

#[tokio::test]
async fn an_admin_withdraws_a_verdict_and_its_public_page_says_so_without_markup() {
    let (d, id, draft) = public_desk().await;
    let uri = format!("/api/factchecks/{}/withdraw", id.0);
    let page = format!("/verdicts/{}", id.0);
    assert!(d.get_anon("/verdicts").await.body.contains(&page));

    // Refusals, each with its code; nothing is withdrawn by them.
    let editor = {
        let users = d.store.users().await.unwrap();
        let ed = users.iter().find(|u| u.username.starts_with("ed")).unwrap();
        d.token_of(ed.id.0).await
    };
    d.post_json_as(&uri, &editor, json!({"reason": REASON}))
        .await
        .assert_error(403, "forbidden");
    let blank = d
        .post_json_as(&uri, &d.admin_token, json!({"reason": "  "}))
        .await;
    blank.assert_error(422, "invalid_request");
    assert!(
        blank.json()["message"]
            .as_str()
            .unwrap()
            .contains("say why")
    );
    d.post_json_as(&uri, &d.admin_token, json!({}))
        .await
        .assert_error(422, "invalid_request");
    d.post_json_as(
        "/api/factchecks/999/withdraw",
        &d.admin_token,
        json!({"reason": REASON}),
    )
    .await
    .assert_error(404, "not_found");
    d.post_json_as(
        &format!("/api/factchecks/{}/withdraw", draft.0),
        &d.admin_token,
        json!({"reason": REASON}),
    )
    .await
    .assert_error(409, "invalid_transition");
    assert!(d.get_anon(&page).await.body.contains("ld+json"));

    let a = d
        .post_json_as(&uri, &d.admin_token, json!({"reason": REASON}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let b = a.json();
    assert_eq!(b["id"], id.0);
    assert_eq!(b["withdrawn"]["reason"], REASON);
    assert!(b["withdrawn"]["at"].as_str().unwrap().ends_with('Z'));
    // Once only.
    let again = d
        .post_json_as(&uri, &d.admin_token, json!({"reason": "again"}))
        .await;
    again.assert_error(409, "invalid_transition");
    assert!(again.body.contains("was withdrawn at"), "{}", again.body);
    // The staff API says so too.
    let detail = d.get(&format!("/api/factchecks/{}", id.0)).await.json();
    assert_eq!(detail["fact_check"]["withdrawn"]["reason"], REASON);

    // The public page stays and says when and why, without ClaimReview markup.
    let p = d.get_anon(&page).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("This fact-check was withdrawn on"),
        "{}",
        p.body
    );
    assert!(p.body.contains(REASON));
    assert!(!p.body.contains("application/ld+json"), "{}", p.body);
    let vi = d.get_with_anon(&page, "cookie", "lang=vi").await;
    assert!(vi.body.contains("đã được rút lại"), "{}", vi.body);
    // Its JSON-LD is gone: 410 with its code.
    d.get_anon(&format!("/api/factchecks/{}.jsonld", id.0))
        .await
        .assert_error(410, "withdrawn");
    // Out of the public list and the feeds.
    assert!(!d.get_anon("/verdicts").await.body.contains(&page));
    for feed in [
        "/feeds/verdicts.rss",
        "/feeds/verdicts.atom",
        "/feeds/verdicts.json",
    ] {
        let f = d.get_anon(feed).await;
        assert_eq!(f.status, 200, "{feed}");
        assert!(!f.body.contains("Hot lemon water"), "{feed}: {}", f.body);
    }

    // One audit event, by the admin.
    let events = d
        .store
        .audit_events(&AuditFilter {
            subject: Some(format!("factcheck:{}", id.0)),
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
    assert!(withdraw[0].after.as_deref().unwrap().contains(REASON));
}

#[tokio::test]
async fn the_withdraw_form_is_for_admins_and_matching_follows_it() {
    let d = desk().await;
    // Fact-check 1 (fc-lemon) is canonical; 3 (fc-lemon-2) repeats it.
    let top = |b: serde_json::Value| b["matches"][0]["fact_check"]["id"].clone();
    let query = r#"{"text": "Does hot lemon water cure cancer?", "top": 3}"#;
    assert_eq!(top(d.post_json("/api/match", query).await.json()), 1);

    let editor = d.login("editor").await;
    let admin = d.login("admin").await;
    let form = "action=\"/factchecks/1/withdraw\"";
    assert!(!d.get_as("/factchecks/1", &editor).await.body.contains(form));
    let page = d.get_as("/factchecks/1", &admin).await;
    assert!(page.body.contains(form), "{}", page.body);
    assert!(page.body.contains("name=\"reason\""));

    // An editor may not; a forged form is refused; a blank reason says why in the page.
    let a = d
        .post_form("/factchecks/1/withdraw", &editor, &[("reason", REASON)])
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = d
        .post_form(
            "/factchecks/1/withdraw",
            &admin,
            &[("reason", REASON), ("csrf", "forged")],
        )
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = d
        .post_form("/factchecks/1/withdraw", &admin, &[("reason", " ")])
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("a withdrawal needs a reason"), "{}", a.body);
    let fc = d.store.fact_checks_by_id(&[FactCheckId(1)]).await.unwrap();
    assert!(fc[0].withdrawn.is_none());

    let a = d
        .post_form("/factchecks/1/withdraw", &admin, &[("reason", REASON)])
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.header("location"), "/factchecks/1");
    let page = d.get_as("/factchecks/1", &admin).await;
    assert!(page.body.contains("Withdrawn on"), "{}", page.body);
    assert!(page.body.contains(REASON));
    assert!(!page.body.contains(form), "withdrawn once only");
    let cookie = format!("{}; lang=vi", admin.cookie);
    let vi = d.get_with("/factchecks/1", "cookie", &cookie).await;
    assert!(vi.body.contains("Đã rút lại"), "{}", vi.body);
    // The desk's list marks it; the repeat stands on its own now.
    let list = d.get_as("/factchecks", &admin).await;
    assert!(list.body.contains("badge withdrawn"), "{}", list.body);
    let repeat = d.get("/api/factchecks/3").await.json();
    assert_eq!(repeat["fact_check"]["alias_of"], serde_json::Value::Null);

    // Once the engine follows the store (a serving desk polls it), matching answers with
    // the repeat, which stands now.
    d.engine.refresh().await.unwrap();
    assert_eq!(top(d.post_json("/api/match", query).await.json()), 3);
}
