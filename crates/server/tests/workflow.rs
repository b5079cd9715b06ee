//! Cases driven through the workflow by the HTML forms and by the API.

use serde_json::json;

use crate::util::desk;

#[tokio::test]
async fn a_case_goes_from_item_to_published_through_the_forms() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let reviewer = d.login("reviewer").await;
    let item = d.get_as("/items/2", &editor).await;
    assert!(item.body.contains("action=\"/items/2/case\""));
    assert!(item.body.contains("action=\"/items/2/link\""));
    let a = d.post_form("/items/2/case", &editor, &[]).await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let case = a.header("location").to_string();
    assert!(case.starts_with("/cases/"));
    let step = |to: &'static str| (case.clone(), to);
    let page = d.get_as(&case, &editor).await;
    assert!(page.body.contains("data-to=\"verifying\""));
    assert!(!page.body.contains("data-to=\"published\""));
    let (c, to) = step("verifying");
    assert_eq!(
        d.post_form(&format!("{c}/transition"), &editor, &[("to", to)])
            .await
            .status
            .as_u16(),
        303
    );
    let a = d
        .post_form(
            &format!("{case}/evidence"),
            &editor,
            &[("url", "javascript:alert(1)"), ("title", "x")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 422);
    let a = d
        .post_form(
            &format!("{case}/evidence"),
            &editor,
            &[
                ("url", "https://who.example/report"),
                ("title", "WHO report"),
            ],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303);
    let a = d
        .post_form(
            &format!("{case}/notes"),
            &editor,
            &[("text", "Called the ministry")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303);
    let a = d
        .post_form(&format!("{case}/assign"), &editor, &[("assignee", "2")])
        .await;
    assert_eq!(a.status.as_u16(), 303);
    let a = d
        .post_form(
            &format!("{case}/verdict"),
            &editor,
            &[
                ("claim", "Vaccines cause infertility"),
                ("rating", "false"),
                ("summary", "No study shows it."),
                ("evidence", "https://who.example/report\n"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    for to in ["drafted", "in_review"] {
        let a = d
            .post_form(&format!("{case}/transition"), &editor, &[("to", to)])
            .await;
        assert_eq!(a.status.as_u16(), 303, "{to}: {}", a.body);
    }
    // The editor cannot publish (the page offers no button, and the server refuses anyway).
    assert!(
        !d.get_as(&case, &editor)
            .await
            .body
            .contains("data-to=\"published\"")
    );
    let a = d
        .post_form(
            &format!("{case}/transition"),
            &editor,
            &[("to", "published")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 409);
    let page = d.get_as(&case, &reviewer).await;
    assert!(page.body.contains("data-to=\"published\""));
    // The reviewer sees the draft: its summary, its rating and its author.
    assert!(page.body.contains("No study shows it."));
    assert!(
        page.body
            .contains("<option value=\"false\" selected>False</option>")
    );
    assert!(page.body.contains("<dd>editor name</dd>"));
    let a = d
        .post_form(
            &format!("{case}/transition"),
            &reviewer,
            &[("to", "published")],
        )
        .await;
    assert_eq!(a.status.as_u16(), 303);
    let page = d.get_as(&case, &reviewer).await;
    assert!(page.body.contains("data-status=\"published\""));
    assert!(page.body.contains("moved the case"), "{}", page.body);
    assert!(page.body.contains("editor name"));
    assert!(page.body.contains("rel=\"noopener noreferrer nofollow\""));
    assert!(page.body.contains("Called the ministry"));
    // The list filters by status.
    let list = d.get_as("/cases?status=published", &reviewer).await;
    assert!(list.body.contains(&format!("href=\"{case}\"")));
    let list = d.get_as("/cases?status=triage", &reviewer).await;
    assert!(!list.body.contains(&format!("href=\"{case}\"")));
    // The queue shows the item's case status and filters by it.
    let q = d.get_as("/?case=published", &reviewer).await;
    assert!(q.body.contains("href=\"/items/2\""), "{}", q.body);
    assert!(!q.body.contains("href=\"/items/1\""));
}

#[tokio::test]
async fn one_click_links_an_item_to_a_fact_check() {
    let d = desk().await;
    let editor = d.login("editor").await;
    let a = d
        .post_form("/items/1/link", &editor, &[("fact_check", "1")])
        .await;
    assert_eq!(a.status.as_u16(), 303, "{}", a.body);
    let page = d.get_as(a.header("location"), &editor).await;
    assert!(page.body.contains("data-status=\"matched_existing\""));
    assert!(page.body.contains("href=\"/factchecks/1\""));
    let item = d.get_as("/items/1", &editor).await;
    assert!(item.body.contains("class=\"case-status\""));
}

#[tokio::test]
async fn a_case_goes_to_published_through_the_api_with_two_users() {
    let d = desk().await;
    let editor = d.token_of(2).await;
    let reviewer = d.token_of(3).await;
    let a = d
        .post_json_as("/api/items/2/case", &editor, json!({}))
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let id = a.json()["id"].as_i64().unwrap();
    let url = |p: &str| format!("/api/cases/{id}/{p}");
    let a = d
        .post_json_as(&url("transition"), &editor, json!({"to": "drafted"}))
        .await;
    a.assert_error(409, "invalid_transition");
    let a = d
        .post_json_as(&url("transition"), &editor, json!({"to": "verifying"}))
        .await;
    assert_eq!(a.json()["status"], "verifying");
    let a = d
        .post_json_as(
            &url("evidence"),
            &editor,
            json!({"url": "ftp://x.example/a"}),
        )
        .await;
    a.assert_error(422, "invalid_request");
    let a = d
        .post_json_as(
            &url("evidence"),
            &editor,
            json!({"url": "https://x.example/a", "title": "A"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let a = d
        .post_json_as(&url("notes"), &editor, json!({"text": "checked"}))
        .await;
    assert_eq!(a.status.as_u16(), 200);
    let a = d
        .post_json_as(&url("assign"), &editor, json!({"assignee": 3}))
        .await;
    assert_eq!(a.json()["assignee"], 3);
    let a = d
        .post_json_as(
            &url("verdict"),
            &editor,
            json!({"claim": "Vaccines cause infertility", "rating": "nonsense"}),
        )
        .await;
    a.assert_error(422, "invalid_request");
    let a = d
        .post_json_as(
            &url("verdict"),
            &reviewer,
            json!({"claim": "Vaccines cause infertility", "rating": "Sai sự thật", "language": "vi", "evidence": ["https://x.example/a"]}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    for to in ["drafted", "in_review"] {
        let a = d
            .post_json_as(&url("transition"), &editor, json!({"to": to}))
            .await;
        assert_eq!(a.status.as_u16(), 200, "{to}: {}", a.body);
    }
    // The reviewer wrote the verdict, so cannot approve it.
    let a = d
        .post_json_as(&url("transition"), &reviewer, json!({"to": "published"}))
        .await;
    a.assert_error(409, "invalid_transition");
    assert!(
        a.json()["message"].as_str().unwrap().contains("author"),
        "{}",
        a.body
    );
    // Rewritten by the editor, it still has the reviewer among its authors (issue 15): a
    // third person approves it.
    let a = d
        .post_json_as(
            &url("verdict"),
            &editor,
            json!({"claim": "Vaccines cause infertility", "rating": "false"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let a = d
        .post_json_as(&url("transition"), &reviewer, json!({"to": "published"}))
        .await;
    a.assert_error(409, "invalid_transition");
    let a = d
        .post_json_as(
            &url("transition"),
            &d.admin_token,
            json!({"to": "published"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    let detail = d
        .send_anon(
            axum::http::Request::get(format!("/api/cases/{id}"))
                .header("authorization", format!("Bearer {reviewer}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .json();
    assert_eq!(detail["case"]["status"], "published");
    assert!(detail["next_statuses"].as_array().unwrap().is_empty());
    assert!(
        detail["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "case.transition")
    );
    let list = d.get("/api/cases?status=published").await.json();
    assert_eq!(list["cases"][0]["id"], id);
}

/// Issue 15, finding 1: `POST /api/factchecks` imports the desk's existing published
/// record, so it is for admins; an editor's token can neither overwrite a published
/// fact-check (False → True) nor publish a new one past review.
#[tokio::test]
async fn regression_an_editor_cannot_publish_or_change_fact_checks_by_the_api() {
    let d = desk().await;
    let editor = d.token_of(2).await;
    for body in [
        json!({"claim": "Hot lemon water cures cancer", "url": "https://factcheck.example/fc-lemon", "rating": "True", "headline": "Lemon water cures cancer", "language": "en"}),
        json!({"claim": "Garlic cures flu", "url": "https://fc.example/garlic", "rating": "false", "language": "en"}),
    ] {
        let a = d.post_json_as("/api/factchecks", &editor, body).await;
        a.assert_error(403, "forbidden");
    }
    let lemon = d.get("/api/factchecks/1").await.json();
    assert_eq!(lemon["fact_check"]["claim"], "Hot lemon water cures cancer");
    assert_eq!(lemon["fact_check"]["verdict"]["label"], "False", "{lemon}");
    let list = d.get("/api/factchecks?q=garlic").await.json();
    assert_eq!(list["paging"]["total"], 0, "{list}");
    let public = d.get_anon("/verdicts").await;
    assert!(!public.body.contains("Garlic"));
}

#[tokio::test]
async fn an_admin_imports_a_published_fact_check() {
    let d = desk().await;
    let admin = d.admin_token.clone();
    let a = d
        .post_json_as("/api/factchecks", &admin, json!({"claim": " "}))
        .await;
    a.assert_error(422, "invalid_request");
    let a = d
        .post_json_as(
            "/api/factchecks",
            &admin,
            json!({"claim": "Garlic cures flu", "url": "javascript:alert(1)"}),
        )
        .await;
    a.assert_error(422, "invalid_request");
    let a = d
        .post_json_as(
            "/api/factchecks",
            &admin,
            json!({"claim": "Garlic cures flu", "url": "https://fc.example/garlic", "rating": "false", "language": "en"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 201, "{}", a.body);
    assert_eq!(a.json()["added"], true);
    let list = d.get("/api/factchecks?q=garlic").await.json();
    assert_eq!(list["fact_checks"][0]["claim"], "Garlic cures flu");
}

/// Issue 15, finding 7: the API took NUL and other control characters (notes, claims), any
/// text as a date or a language, while the importer refused them; one validation now serves
/// every way in.
#[tokio::test]
async fn regression_the_api_validates_as_the_importer_does() {
    let d = desk().await;
    let admin = d.admin_token.clone();
    for (body, field) in [
        (
            json!({"claim": "Garlic\u{0}cures flu", "url": "https://fc.example/g1"}),
            "claim",
        ),
        (
            json!({"claim": "Garlic cures flu", "headline": "bell\u{7}", "url": "https://fc.example/g2"}),
            "headline",
        ),
        (
            json!({"claim": "Garlic cures flu", "url": "https://fc.example/g3", "date_published": "yesterday"}),
            "date_published",
        ),
        (
            json!({"claim": "Garlic cures flu", "url": "https://fc.example/g4", "language": "<b>english</b>"}),
            "language",
        ),
        (
            json!({"claim": "Garlic cures flu", "url": "//evil.example/x"}),
            "url",
        ),
    ] {
        let a = d
            .post_json_as("/api/factchecks", &admin, body.clone())
            .await;
        a.assert_error(422, "invalid_request");
        assert!(
            a.json()["message"].as_str().unwrap().contains(field),
            "{body}: {}",
            a.body
        );
    }
    let ok = d
        .post_json_as(
            "/api/factchecks",
            &admin,
            json!({"claim": "Garlic cures flu", "url": "https://fc.example/g5", "date_published": "2026-01-12", "language": "en-GB"}),
        )
        .await;
    assert_eq!(ok.status.as_u16(), 201, "{}", ok.body);
    // Notes, on a case of item 1.
    let editor = d.token_of(2).await;
    let case = d
        .post_json_as("/api/items/1/case", &editor, json!({}))
        .await;
    assert_eq!(case.status.as_u16(), 200, "{}", case.body);
    let id = case.json()["id"].as_i64().unwrap();
    let a = d
        .post_json_as(
            &format!("/api/cases/{id}/notes"),
            &editor,
            json!({"text": "called\u{0}them"}),
        )
        .await;
    a.assert_error(422, "invalid_request");
}
