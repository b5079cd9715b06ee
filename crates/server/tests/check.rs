//! The privacy check over HTTP (issue 21): `POST /api/check` and the `/check` page for any
//! signed-in staff member, findings with their spans, fields and the clean copy; the audit
//! trail records that a check ran and its counts, nothing of what was checked.

use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use claimdesk_privacy::fixtures::{PhotoExif, photo_with_exif};
use claimdesk_store::AuditFilter;
use claimdesk_store::prelude::*;

use crate::util::{Session, desk};

const TEXT: &str = "Liên hệ chị Lan 0912 345 678 để nhận lại ví.";

/// A multipart body of text fields and (name, file name, content type, bytes) files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "claimdesk-check-boundary-41";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

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
