//! OCR through the real Tesseract (Debian's tesseract-ocr, -vie, -eng; scripts/test-deps
//! installs them), on screenshots drawn in the test.

use std::time::Duration;

use claimdesk_image::{Ocr, OcrError, Preprocess};
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

/// A post as shared: the author's round profile picture with the name beside it, the text
/// below.
fn post_with_avatar(name: &str, body: &[&str], px: f32, colour: [u8; 3]) -> image::DynamicImage {
    let header = screenshot(&[name], px, false).to_rgb8();
    let text = screenshot(body, px, false).to_rgb8();
    let avatar = (px * 2.6) as u32;
    let margin = (px * 1.2) as u32;
    let top = margin + avatar;
    let mut img = image::RgbImage::from_pixel(
        text.width().max(header.width() + avatar + margin),
        top + text.height(),
        image::Rgb([255, 255, 255]),
    );
    let (c, r) = (margin as f32 + avatar as f32 / 2.0, avatar as f32 / 2.0);
    for y in margin..margin + avatar {
        for x in margin..margin + avatar {
            if (x as f32 + 0.5 - c).powi(2) + (y as f32 + 0.5 - c).powi(2) <= r * r {
                img.put_pixel(x, y, image::Rgb(colour));
            }
        }
    }
    let header_top = i64::from(margin + avatar / 2) - i64::from(header.height() / 2);
    image::imageops::overlay(
        &mut img,
        &header,
        i64::from(margin + avatar),
        header_top.max(0),
    );
    image::imageops::overlay(&mut img, &text, 0, i64::from(top));
    let jpeg = encode(&image::DynamicImage::ImageRgb8(img), ImageFormat::Jpeg);
    image::load_from_memory(&jpeg).unwrap()
}

#[test]
fn the_profile_picture_beside_a_post_is_not_read_as_symbols() {
    let (name, body) = ("Nguyễn Văn An", ["Bộ Y tế khuyến cáo uống nước chanh nóng"]);
    // Words in order; the blank line Tesseract may put between the blocks does not matter.
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let want = words(&format!("{name} {}", body.join(" ")));
    let plain = tesseract().with_preprocess(Preprocess {
        clear_pictures: false,
        ..Preprocess::default()
    });
    let desk = tesseract();
    let mut misread = 0;
    for colour in [[40, 90, 160], [150, 60, 60], [90, 140, 90]] {
        let shot = post_with_avatar(name, &body, 20.0, colour);
        assert_eq!(words(&desk.read(&shot).unwrap().text), want, "{colour:?}");
        misread += usize::from(words(&plain.read(&shot).unwrap().text) != want);
    }
    // Without clearing, the disc comes out as symbols before the name (`@®`, `©`).
    assert!(
        misread > 0,
        "the disc was never misread: the test shows nothing"
    );
}
