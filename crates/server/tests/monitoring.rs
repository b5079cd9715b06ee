//! The narratives and alerts pages and their JSON API: they render in English and
//! Vietnamese with the burst's evidence, and the API returns the same data.

use crate::util::desk;

#[tokio::test]
async fn the_narratives_page_lists_the_burst() {
    let d = desk().await;
    let a = d.get("/narratives").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let b = &a.body;
    assert!(b.contains("Drink hot lemon water every morning"), "{b}");
    assert!(b.contains("Copy-paste burst"));
    assert!(b.contains("2 items") && b.contains("1 sources"));
    assert!(b.contains("href=\"/narratives/1\""));
    assert!(b.contains("aria-current=\"page\">Narratives"));
    let vi = d.get_with("/narratives", "accept-language", "vi").await;
    assert!(vi.body.contains("Đợt sao chép hàng loạt"), "{}", vi.body);
    assert!(vi.body.contains("2 mục"));
    // Filters: none has five items; a bad date is a bad request.
    let five = d.get("/narratives?min_items=5").await;
    assert!(five.body.contains("No narratives match"));
    assert_eq!(d.get("/narratives?since=someday").await.status, 400);
}

#[tokio::test]
async fn a_narrative_page_shows_volume_sources_fact_checks_and_evidence() {
    let d = desk().await;
    let a = d.get("/narratives/1").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let b = &a.body;
    assert!(b.contains("Narrative 1"));
    assert!(b.contains("Evidence of the burst"));
    assert!(b.contains("href=\"/items/1\"") && b.contains("href=\"/items/2\""));
    assert!(b.contains("<meter min=\"0\""));
    assert!(b.contains("social.example (2)"));
    assert!(
        b.contains("Hot lemon water cures cancer"),
        "the lemon post's fact-check"
    );
    assert!(b.contains("near-identical copy"));
    assert!(!b.contains("style="), "no inline style (CSP)");
    assert_eq!(d.get("/narratives/99").await.status, 404);
    let vi = d.get_with("/narratives/1", "accept-language", "vi").await;
    assert!(vi.body.contains("Bằng chứng của đợt sao chép"));
}

#[tokio::test]
async fn the_alerts_page_lists_alerts_by_rule() {
    let d = desk().await;
    let a = d.get("/alerts").await;
    assert_eq!(a.status, 200);
    assert!(a.body.contains("Repeats a false claim"));
    assert!(a.body.contains("href=\"/narratives/1\""));
    assert!(a.body.contains("href=\"/items/1\""));
    // A narrative's alert shows the narrative with its count when it was raised.
    assert!(a.body.contains("2 items"), "{}", a.body);
    assert!(
        d.get("/alerts?rule=escalation")
            .await
            .body
            .contains("No alerts.")
    );
    let burst = d.get("/alerts?rule=burst").await;
    assert!(
        burst.body.contains("2 near-identical posts") && !burst.body.contains("rated"),
        "{}",
        burst.body
    );
    // A false match says the claim and its rating, and shows the post's text (issue 16).
    assert!(
        a.body
            .contains("Repeats a claim rated “False”: Hot lemon water cures cancer"),
        "{}",
        a.body
    );
    assert!(a.body.contains("Drink hot lemon water every morning"));
    assert_eq!(d.get("/alerts?rule=nonsense").await.status, 400);
    let vi = d.get_with("/alerts", "accept-language", "vi").await;
    assert!(vi.body.contains("Lặp lại một thông tin sai"));
}

#[tokio::test]
async fn the_api_returns_narratives_and_alerts() {
    let d = desk().await;
    let list = d.get("/api/narratives").await.json();
    let n = &list["narratives"][0];
    assert_eq!(n["id"], 1);
    assert_eq!(n["items"], 2);
    assert_eq!(n["burst"]["items"], 2);
    assert_eq!(n["burst"]["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(n["first_seen"], "2026-01-08T23:42:00Z");
    let one = d.get("/api/narratives/1").await.json();
    assert_eq!(one["narrative"]["id"], 1);
    assert_eq!(one["sources"][0]["value"], "social.example");
    assert_eq!(one["items"][1]["joined_by"], "fingerprint");
    d.get("/api/narratives/99")
        .await
        .assert_error(404, "not_found");
    d.get("/api/narratives?bursts=maybe")
        .await
        .assert_error(400, "invalid_query");
    let alerts = d.get("/api/alerts?rule=false_match").await.json();
    assert_eq!(alerts["alerts"].as_array().unwrap().len(), 1);
    assert_eq!(alerts["alerts"][0]["subject"], "item:1");
    assert_eq!(alerts["alerts"][0]["count"], serde_json::Value::Null);
    let burst = d.get("/api/alerts?rule=burst").await.json();
    assert_eq!(burst["alerts"][0]["narrative"], 1);
    assert_eq!(burst["alerts"][0]["count"], 2);
    assert_eq!(burst["alerts"][0]["first_seen"], "2026-01-08T23:42:00Z");
}

/// Alerts you can act on (issue 16): acknowledged, dismissed with a reason (none: refused),
/// each audited under the user; a viewer cannot; the API lists the decisions.
#[tokio::test]
async fn an_alert_is_acknowledged_or_dismissed_with_a_reason() {
    use claimdesk_store::AuditFilter;
    use claimdesk_store::prelude::*;
    let d = desk().await;
    let editor = d.login("editor").await;
    let viewer = d.login("viewer").await;
    let page = d.get_as("/alerts", &editor).await;
    assert!(
        page.body.contains("action=\"/alerts/1/acknowledge\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("action=\"/narratives/1/case\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("action=\"/items/1/case\""),
        "{}",
        page.body
    );
    let seen = d.get_as("/alerts", &viewer).await;
    assert!(!seen.body.contains("/acknowledge\""), "{}", seen.body);
    assert_eq!(
        d.post_form("/alerts/1/acknowledge", &viewer, &[])
            .await
            .status,
        403
    );

    let a = d.post_form("/alerts/1/acknowledge", &editor, &[]).await;
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.header("location"), "/alerts#alert-1");
    let page = d.get_as("/alerts", &editor).await;
    assert!(
        page.body.contains("Acknowledged by editor, "),
        "{}",
        page.body
    );
    assert!(!page.body.contains("action=\"/alerts/1/acknowledge\""));

    let a = d
        .post_form("/alerts/2/dismiss", &editor, &[("reason", "  ")])
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("a dismissal needs a reason"), "{}", a.body);
    let a = d
        .post_form(
            "/alerts/2/dismiss",
            &editor,
            &[("reason", "A recipe site quoting the rumour to debunk it")],
        )
        .await;
    assert_eq!(a.status, 303, "{}", a.body);
    let vi = d.get_with("/alerts", "accept-language", "vi").await;
    assert!(vi.status == 200);
    let page = d.get_as("/alerts", &editor).await;
    assert!(
        page.body
            .contains(": A recipe site quoting the rumour to debunk it"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("class=\"entry dismissed\" id=\"alert-2\"")
    );
    assert_eq!(
        d.post_form("/alerts/99/dismiss", &editor, &[("reason", "x")])
            .await
            .status,
        404
    );

    let api = d.get("/api/alerts").await.json();
    let by_id = |id: i64| {
        api["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(1)["decision"], "acknowledged");
    assert_eq!(by_id(2)["decision"], "dismissed");
    assert_eq!(
        by_id(2)["dismissed_because"],
        "A recipe site quoting the rumour to debunk it"
    );
    let events = d
        .store
        .audit_events(&AuditFilter {
            subject: Some("alert:2".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e.action != "alert.raise")
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(actions, [("alert.dismiss", "user:2")]);
}

/// A case opened from a narrative starts from its first post with the narrative's posts
/// attached: a note naming them all, their web addresses as evidence; asked again, the
/// same case.
#[tokio::test]
async fn a_case_opened_from_a_narrative_has_its_posts_attached() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let page = d.get_as("/narratives/1", &editor).await;
    assert!(
        page.body.contains("action=\"/narratives/1/case\""),
        "{}",
        page.body
    );
    let a = d.post_form("/narratives/1/case", &editor, &[]).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let case = a.header("location").to_string();
    let id: i64 = case.trim_start_matches("/cases/").parse().unwrap();
    let detail = d.get(&format!("/api/cases/{id}")).await.json();
    assert_eq!(detail["case"]["item"], 1, "{detail}");
    let note = detail["notes"][0]["text"].as_str().unwrap();
    assert_eq!(
        note,
        "Opened from narrative 1 (2 posts): /items/1, /items/2"
    );
    let urls: Vec<&str> = detail["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    assert!(!urls.is_empty(), "{detail}");
    assert!(urls.iter().all(|u| u.starts_with("https://")), "{urls:?}");
    let again = d.post_form("/narratives/1/case", &editor, &[]).await;
    assert_eq!(again.header("location"), case);
    let detail = d.get(&format!("/api/cases/{id}")).await.json();
    assert_eq!(
        detail["notes"].as_array().unwrap().len(),
        1,
        "attached once"
    );
    assert_eq!(
        d.post_form("/narratives/99/case", &editor, &[])
            .await
            .status,
        404
    );
}
