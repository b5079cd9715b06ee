//! The privacy check through the engine (issue 21): the config's sensitive terms and allowed
//! numbers apply, an image is checked with its clean copy written, and the audit trail
//! records that a check ran with its counts, never what was checked.

use claimdesk_engine::core::Actor;
use claimdesk_engine::privacy::Kind;
use claimdesk_engine::store::AuditFilter;
use claimdesk_engine::store::prelude::*;
use claimdesk_engine::{Engine, EngineOptions, ImageUpload, PostPart};

const CONFIG: &str = r#"
[privacy]
allowed = ["1900 9095"]

[[privacy.terms]]
term = "Tiểu đoàn 3"
severity = "high"
note = "đơn vị đang làm nhiệm vụ"
"#;

#[tokio::test]
async fn a_check_uses_the_config_and_the_audit_keeps_only_counts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("claimdesk.toml"), CONFIG).unwrap();
    let engine = Engine::open(dir.path(), EngineOptions::lexical())
        .await
        .unwrap();
    let text = "Gọi 0912 345 678 hoặc tổng đài 1900 9095; TIEU DOAN 3 đóng quân gần đây";
    // A PNG without metadata: checked (no Tesseract needed for the count: an image whose
    // text cannot be read is counted as incomplete, never as clean).
    let png = {
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::new(40, 30))
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let parts = vec![
        PostPart::Text {
            name: "--text".into(),
            text: text.into(),
        },
        PostPart::Image(ImageUpload {
            name: Some("blank.png".into()),
            bytes: png,
        }),
    ];
    let check = engine.check_post(Actor::Cli, parts).await.unwrap();
    let report = check.texts[0].result.as_ref().unwrap();
    let kinds: Vec<Kind> = report.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![Kind::Phone, Kind::SensitiveTerm], "{report:#?}");
    assert!(check.has_high());
    let ocr = engine.images().ocr_unavailable().is_none();
    assert_eq!(check.images[0].result.is_ok(), ocr);
    let counts = check.counts();
    assert_eq!(
        (counts.texts, counts.images, counts.findings, counts.high),
        (1, 1, 2, 2)
    );

    let events = engine
        .store()
        .audit_events(&AuditFilter::default())
        .await
        .unwrap();
    let event = events.iter().find(|e| e.action == "privacy.check").unwrap();
    assert_eq!(event.actor, "cli");
    let after = event.after.as_deref().unwrap();
    let json: serde_json::Value = serde_json::from_str(after).unwrap();
    assert_eq!(json["findings"], 2);
    assert_eq!(json["high"], 2);
    assert_eq!(json["incomplete"], if ocr { 0 } else { 1 });
    // Nothing of the text is kept: not the number, not the term.
    let trail: String = events
        .iter()
        .map(|e| format!("{} {:?} {:?}", e.subject, e.before, e.after))
        .collect();
    for secret in ["0912", "345 678", "TIEU", "DOAN", "blank.png"] {
        assert!(!trail.contains(secret), "{secret} in the audit: {trail}");
    }
}

#[test]
fn the_privacy_section_is_typed_and_checked() {
    let path = std::path::Path::new("claimdesk.toml");
    let config = claimdesk_engine::Config::parse(path, CONFIG).unwrap();
    let privacy = config.privacy();
    assert_eq!(privacy.terms[0].term, "Tiểu đoàn 3");
    assert_eq!(privacy.allowed, vec!["1900 9095".to_string()]);
    let err = claimdesk_engine::Config::parse(
        path,
        "[privacy]\n[[privacy.terms]]\nterm = \"x\"\nseverity = \"urgent\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("urgent"), "{err}");
    let err = claimdesk_engine::Config::parse(path, "[privacy]\nallow = []\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("claimdesk.toml:2: [privacy] allow: unknown field"),
        "{err}"
    );
    let err = claimdesk_engine::Config::parse(path, "[privacy]\nmax_text_bytes = 30000000\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("[privacy] max_text_bytes"), "{err}");
}
