//! OCR through the real Tesseract (Debian's tesseract-ocr, -vie, -eng; scripts/test-deps
//! installs them), on screenshots drawn in the test.

use std::time::Duration;

use claimdesk_image::{Ocr, OcrError};
use image::ImageFormat;

use crate::common::{encode, screenshot};

fn tesseract() -> Ocr {
    Ocr::find(None, &["vie", "eng"], 2, Duration::from_secs(60))
        .expect("Tesseract with Vietnamese and English (scripts/test-deps installs them)")
}

const POST: [&str; 3] = [
    "Bộ Y tế khuyến cáo uống nước chanh nóng",
    "mỗi sáng để chữa khỏi ung thư gan.",
    "Chia sẻ ngay cho người thân!",
];

#[test]
fn a_vietnamese_screenshot_is_read() {
    let ocr = tesseract();
    for dark in [false, true] {
        // Through JPEG, as screenshots are re-shared.
        let shot = screenshot(&POST, 22.0, dark);
        let jpeg = image::load_from_memory(&encode(&shot, ImageFormat::Jpeg)).unwrap();
        let text = ocr.read(&jpeg).unwrap().text;
        assert_eq!(text, POST.join("\n"), "dark mode: {dark}");
    }
}

#[test]
fn an_english_screenshot_is_read() {
    let lines = [
        "Drinking hot lemon water every morning",
        "cures liver cancer, doctors say.",
    ];
    let text = tesseract()
        .read(&screenshot(&lines, 18.0, false))
        .unwrap()
        .text;
    assert_eq!(text, lines.join("\n"));
}

#[test]
fn without_tesseract_images_are_stored_but_not_read() {
    let e = Ocr::find(
        Some("/nonexistent/tesseract".into()),
        &["vie"],
        1,
        Duration::from_secs(5),
    )
    .unwrap_err();
    assert!(matches!(e, OcrError::Unavailable { .. }));
    assert!(
        e.to_string().starts_with("images are stored but not read"),
        "{e}"
    );
    let e = Ocr::find(None, &["vie", "klingon"], 1, Duration::from_secs(5)).unwrap_err();
    assert_eq!(
        e,
        OcrError::MissingLanguage {
            language: "klingon".into()
        }
    );
}

#[test]
fn a_runaway_is_stopped_at_its_timeout() {
    // A stand-in for a Tesseract that hangs: a script that answers --list-langs, then sleeps.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("tesseract");
    std::fs::write(
        &fake,
        "#!/bin/sh\nif [ \"$1\" = --list-langs ]; then echo vie; exit 0; fi\nexec sleep 30\n",
    )
    .unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&fake).unwrap().permissions(),
        0o755,
    );
    let mut perms = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).unwrap();
    let ocr = Ocr::find(Some(fake), &["vie"], 1, Duration::from_millis(300)).unwrap();
    let started = std::time::Instant::now();
    let e = ocr.read(&screenshot(&["x"], 20.0, false)).unwrap_err();
    assert_eq!(e, OcrError::Timeout { seconds: 1 });
    assert!(started.elapsed() < Duration::from_secs(5));
}
