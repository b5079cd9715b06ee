//! The privacy check over HTTP (issue 21): `POST /api/check` and the `/check` page for any
//! signed-in staff member, findings with their spans, fields and the clean copy; the audit
//! trail records that a check ran and its counts, nothing of what was checked.

use crate::util::multipart;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use claimdesk_privacy::fixtures::{PhotoExif, photo_with_exif};
use claimdesk_store::AuditFilter;
use claimdesk_store::prelude::*;

use crate::util::{Session, desk};

const TEXT: &str = "Liên hệ chị Lan 0912 345 678 để nhận lại ví.";

fn post(uri: &str, content_type: &str, body: Vec<u8>, session: Option<&Session>) -> Request<Body> {
    let mut req = Request::post(uri).header("content-type", content_type);
    if let Some(s) = session {
        req = req.header("cookie", &s.cookie);
    }
    req.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn the_api_reports_spans_fields_and_a_clean_copy_and_audits_only_counts() {
    let d = desk().await;
    let photo = photo_with_exif(160, 120, 2, &PhotoExif::default());
    let (ct, body) = multipart(
        &[("text", TEXT)],
        &[("image", "photo.jpg", "image/jpeg", &photo)],
    );
    let a = d.send(post("/api/check", &ct, body, None)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let v = a.json();
    let phone = &v["texts"][0]["findings"][0];
    assert_eq!(phone["kind"], "phone");
    assert_eq!(phone["severity"], "high");
    assert_eq!(phone["location"]["in"], "text");
    let (s, e) = (
        phone["location"]["start"].as_u64().unwrap() as usize,
        phone["location"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&TEXT[s..e], "0912 345 678");
    assert!(!phone["reason_vi"].as_str().unwrap().is_empty());
    let image = &v["images"][0];
    if image.get("error").is_some() {
        // Without Tesseract the image's check is incomplete and says so.
        assert_eq!(v["complete"], false, "{v}");
        assert_eq!(image["error"]["code"], "privacy_image_text_unread");
    } else {
        let gps = image["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "gps_position")
            .unwrap_or_else(|| panic!("{image}"));
        assert_eq!(gps["location"]["in"], "metadata");
        assert_eq!(gps["location"]["field"], "GPSLatitude, GPSLongitude");
        let clean = &image["clean_copy"];
        assert_eq!(clean["file_name"], "photo.clean.jpg");
        assert_eq!(clean["lossless"], true);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(clean["base64"].as_str().unwrap())
            .unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]));
        assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"), "EXIF left");
        assert!(!bytes.windows(9).any(|w| w == b"ns.adobe."), "XMP left");
        assert_eq!(v["complete"], true);
    }
    let events = d.store.audit_events(&AuditFilter::default()).await.unwrap();
    let event = events.iter().find(|e| e.action == "privacy.check").unwrap();
    assert_eq!(event.actor, "user:1");
    let after: serde_json::Value = serde_json::from_str(event.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["texts"], 1);
    assert_eq!(after["images"], 1);
    let trail = format!("{events:?}");
    for secret in ["0912", "Lan", "photo.jpg", "SN-4471"] {
        assert!(!trail.contains(secret), "{secret} in the audit trail");
    }
}

#[tokio::test]
async fn a_photo_larger_than_the_body_limit_is_checked_while_other_bodies_keep_it() {
    let d = desk().await;
    // A real JPEG of a few megabytes, as a phone's photo is: a small picture behind 40
    // comment segments of 60,000 bytes (2.4 MB), over the 1 MiB limit of other requests.
    let small = photo_with_exif(32, 24, 2, &PhotoExif::default());
    let mut photo = small[..2].to_vec();
    for _ in 0..40 {
        photo.extend_from_slice(&[0xFF, 0xFE]);
        photo.extend_from_slice(&60_002u16.to_be_bytes());
        photo.extend(std::iter::repeat_n(b'x', 60_000));
    }
    photo.extend_from_slice(&small[2..]);
    assert!(photo.len() > 2 * 1024 * 1024);
    let (ct, body) = multipart(
        &[("text", TEXT)],
        &[("image", "photo.jpg", "image/jpeg", &photo)],
    );
    let a = d.send(post("/api/check", &ct, body, None)).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["texts"][0]["findings"][0]["kind"], "phone");
    // A JSON body of that size to a route without images is still refused.
    let json = format!("{{\"text\": \"{}\"}}", "x".repeat(photo.len()));
    d.send(post(
        "/api/items",
        "application/json",
        json.into_bytes(),
        None,
    ))
    .await
    .assert_error(413, "payload_too_large");
}

#[tokio::test]
async fn the_api_refuses_what_it_cannot_check() {
    let d = desk().await;
    let (ct, body) = multipart(&[("text", "  ")], &[]);
    d.send(post("/api/check", &ct, body, None))
        .await
        .assert_error(422, "invalid_request");
    d.send(post(
        "/api/check",
        "application/json",
        b"{\"text\":\"x\"}".to_vec(),
        None,
    ))
    .await
    .assert_error(415, "unsupported_media_type");
    let (ct, body) = multipart(&[("text", "a"), ("lang", "vi")], &[]);
    d.send(post("/api/check", &ct, body, None))
        .await
        .assert_error(422, "invalid_request");
    // Signed out: 401.
    let (ct, body) = multipart(&[("text", TEXT)], &[]);
    d.send_anon(post("/api/check", &ct, body, None))
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn a_viewer_checks_a_draft_on_the_page_and_sees_the_span_marked() {
    let d = desk().await;
    let viewer = d.login("viewer").await;
    let form = d.get_as("/check", &viewer).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("enctype=\"multipart/form-data\""),
        "{}",
        form.body
    );
    let photo = photo_with_exif(160, 120, 3, &PhotoExif::default());
    let (ct, body) = multipart(
        &[("csrf", &viewer.csrf), ("text", TEXT)],
        &[("image", "photo.jpg", "image/jpeg", &photo)],
    );
    let a = d.send_anon(post("/check", &ct, body, Some(&viewer))).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body
            .contains("<mark class=\"sev-high\" title=\"Phone number\">0912 345 678</mark>"),
        "{}",
        a.body
    );
    if !a.body.contains("privacy_image_text_unread") && !a.body.contains("could not be read") {
        assert!(
            a.body.contains("download=\"photo.clean.jpg\""),
            "{}",
            a.body
        );
        assert!(
            a.body.contains("href=\"data:image/jpeg;base64,"),
            "{}",
            a.body
        );
        assert!(a.body.contains("GPSLatitude, GPSLongitude"), "{}", a.body);
    }
    // The form without its CSRF token is refused.
    let (ct, body) = multipart(&[("text", TEXT)], &[]);
    let refused = d.send_anon(post("/check", &ct, body, Some(&viewer))).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
}

#[tokio::test]
async fn a_verdict_with_a_phone_number_is_held_until_a_reviewer_gives_a_reason() {
    use serde_json::json;
    let d = desk().await;
    let editor = d.token_of(2).await;
    let reviewer = d.token_of(3).await;
    let a = d
        .post_json_as("/api/items/2/case", &editor, json!({}))
        .await;
    let id = a.json()["id"].as_i64().unwrap();
    let url = |p: &str| format!("/api/cases/{id}/{p}");
    d.post_json_as(&url("transition"), &editor, json!({"to": "verifying"}))
        .await;
    let a = d
        .post_json_as(
            &url("verdict"),
            &editor,
            json!({
                "claim": "Vaccines cause infertility",
                "rating": "false",
                "summary": "The post was started by a man whose number, 0912 345 678, circulates with it.",
            }),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    for to in ["drafted", "in_review"] {
        let a = d
            .post_json_as(&url("transition"), &editor, json!({"to": to}))
            .await;
        assert_eq!(a.status.as_u16(), 200, "{to}: {}", a.body);
    }
    // Held: the summary carries a phone number.
    let a = d
        .post_json_as(&url("transition"), &reviewer, json!({"to": "published"}))
        .await;
    a.assert_error(409, "invalid_transition");
    let message = a.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains("privacy check"), "{message}");
    assert!(
        !message.contains("0912"),
        "the refusal repeats no personal data: {message}"
    );
    // The case page shows the finding and asks for a reason.
    let session = d.login("reviewer").await;
    let page = d.get_as(&format!("/cases/{id}"), &session).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("publication-check"), "{}", page.body);
    assert!(page.body.contains("0912 345 678"), "{}", page.body);
    assert!(
        page.body.contains("name=\"override_reason\""),
        "{}",
        page.body
    );
    // A second view shows the same check without running it again (OCR of a verdict's images
    // takes seconds): no second `privacy.check` in the trail.
    let checks = || async {
        let events = d.store.audit_events(&AuditFilter::default()).await.unwrap();
        events
            .iter()
            .filter(|e| e.action == "privacy.check")
            .count()
    };
    let before = checks().await;
    let again = d.get_as(&format!("/cases/{id}"), &session).await;
    assert!(again.body.contains("0912 345 678"), "{}", again.body);
    assert_eq!(
        checks().await,
        before,
        "the unchanged verdict was checked again"
    );
    // An empty reason is no reason.
    let a = d
        .post_json_as(
            &url("transition"),
            &reviewer,
            json!({"to": "published", "override_reason": "  "}),
        )
        .await;
    a.assert_error(409, "invalid_transition");
    // An editor cannot override: the store refuses the publication itself.
    let a = d
        .post_json_as(
            &url("transition"),
            &editor,
            json!({"to": "published", "override_reason": "because"}),
        )
        .await;
    a.assert_error(409, "invalid_transition");
    assert!(a.body.contains("only a reviewer"), "{}", a.body);
    let a = d
        .post_json_as(
            &url("transition"),
            &reviewer,
            json!({"to": "published", "override_reason": "The number is the hoax's own public hotline, printed in every copy"}),
        )
        .await;
    assert_eq!(a.status.as_u16(), 200, "{}", a.body);
    assert_eq!(a.json()["status"], "published");
    let events = d
        .store
        .audit_events(&AuditFilter {
            subject: Some(format!("case:{id}")),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let over = events
        .iter()
        .find(|e| e.action == "privacy.override")
        .unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(over.actor, "user:3");
    let after: serde_json::Value = serde_json::from_str(over.after.as_deref().unwrap()).unwrap();
    assert_eq!(after["high"], 1);
    assert!(after["reason"].as_str().unwrap().contains("public hotline"));
    // The override comes before the publication in the trail.
    let publish = events
        .iter()
        .find(|e| {
            e.action == "case.transition"
                && e.after.as_deref().is_some_and(|a| a.contains("published"))
        })
        .unwrap();
    assert!(over.seq < publish.seq);
}
