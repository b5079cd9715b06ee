//! What the tests share: readers of an image's text, and exiftool.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use claimdesk_image::Ocr;
use claimdesk_privacy::TextReader;
use image::DynamicImage;

/// A reader that finds no text: for the checks of metadata and QR codes alone.
pub struct NoText;

impl TextReader for NoText {
    fn read_text(&self, _: &DynamicImage) -> Result<String, String> {
        Ok(String::new())
    }
}

/// A reader that fails, as a missing Tesseract does.
pub struct Broken;

impl TextReader for Broken {
    fn read_text(&self, _: &DynamicImage) -> Result<String, String> {
        Err("tesseract: not installed".into())
    }
}

/// Tesseract with Vietnamese and English, or `None` (with the reason printed) when it is
/// absent outside CI; in CI its absence fails the test.
pub fn tesseract() -> Option<Ocr> {
    match Ocr::find(None, &["vie", "eng"], 2, Duration::from_secs(60)) {
        Ok(ocr) => Some(ocr),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: Tesseract unavailable ({e}); scripts/test-deps installs it");
            None
        }
        Err(e) => panic!("Tesseract is required in CI: {e}"),
    }
}

/// Whether exiftool runs; outside CI its absence skips (reason printed), in CI it fails.
pub fn exiftool_present() -> bool {
    let ok = Command::new("exiftool")
        .arg("-ver")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "exiftool is required in CI (apt-get install libimage-exiftool-perl)"
        );
        eprintln!("skipped: exiftool not installed (apt-get install libimage-exiftool-perl)");
    }
    ok
}

/// Every tag exiftool reads in `file`, as `group:tag` (family 1 groups), unknown tags too.
pub fn exiftool_tags(file: &Path) -> Vec<String> {
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-a", "-u", "-b"])
        .arg(file)
        .output()
        .expect("exiftool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("exiftool's JSON");
    json[0]
        .as_object()
        .expect("one file")
        .keys()
        .cloned()
        .collect()
}

/// The tags of `tags` that are metadata written into the file (not exiftool's own, the
/// file system's, or the picture's structure: size, sampling, PNG header).
pub fn metadata_tags(tags: &[String]) -> Vec<String> {
    const STRUCTURE: [&str; 5] = ["ExifTool:", "System:", "File:", "Composite:", "SourceFile"];
    const PNG_HEADER: [&str; 7] = [
        "PNG:ImageWidth",
        "PNG:ImageHeight",
        "PNG:BitDepth",
        "PNG:ColorType",
        "PNG:Compression",
        "PNG:Filter",
        "PNG:Interlace",
    ];
    tags.iter()
        .filter(|t| {
            !STRUCTURE.iter().any(|s| t.starts_with(s)) && !PNG_HEADER.contains(&t.as_str())
        })
        .cloned()
        .collect()
}
