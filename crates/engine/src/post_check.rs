//! The privacy check before posting (issue 21), as the desk runs it: the text and each image
//! through `claimdesk-privacy` (images on the blocking pool of [`ImageDesk`], read by its
//! Tesseract), nothing stored. [`crate::Engine::check_post`] records only that a check ran
//! and its counts in the audit trail.

use claimdesk_privacy::{self as privacy, ImageReport, Report, Severity};
use claimdesk_store::PrivacyCheckCounts;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::images::{ImageDesk, ImageUpload};

/// One image's check: its report, or why it could not be completed.
#[derive(Debug, Clone)]
pub struct CheckedImage {
    /// The image's name as sent (`image 1`, ... when it had none).
    pub name: String,
    /// What was found, or why the check is incomplete.
    pub result: std::result::Result<ImageReport, privacy::Error>,
}

/// One text's check: its findings (spans in `text`), or why it was not checked.
#[derive(Debug, Clone)]
pub struct CheckedText {
    /// What the text is (`text`, a file name, `evidence note 2`).
    pub name: String,
    /// The text checked.
    pub text: String,
    /// What was found, or why it was not checked.
    pub result: std::result::Result<Report, privacy::Error>,
}

/// A part of a post to check: a text, or an image's bytes.
#[derive(Debug, Clone)]
pub enum PostPart {
    /// A text, with what it is.
    Text {
        /// What it is (`text`, a file name).
        name: String,
        /// The text.
        text: String,
    },
    /// An image as sent.
    Image(ImageUpload),
}

impl PostPart {
    /// A file's bytes as a part: an image when its bytes are one claimdesk reads (or claim
    /// to be a picture but are not: then the image's check says why), else UTF-8 text.
    /// `None` for bytes that are neither.
    pub fn from_file(name: &str, bytes: Vec<u8>) -> Option<PostPart> {
        if claimdesk_image::decode::sniff(&bytes).is_ok() {
            return Some(PostPart::Image(ImageUpload {
                name: Some(name.to_string()),
                bytes,
            }));
        }
        match String::from_utf8(bytes) {
            Ok(text) => Some(PostPart::Text {
                name: name.to_string(),
                text,
            }),
            Err(e) => Some(PostPart::Image(ImageUpload {
                name: Some(name.to_string()),
                bytes: e.into_bytes(),
            })),
        }
    }
}

impl PostPart {
    /// `text` (named `--text`) and the files at `paths`, each read as [`PostPart::from_file`].
    pub fn gather(text: Option<&str>, paths: &[PathBuf]) -> Result<Vec<PostPart>> {
        let mut parts: Vec<PostPart> = text
            .map(|t| PostPart::Text {
                name: "--text".into(),
                text: t.to_string(),
            })
            .into_iter()
            .collect();
        if parts.is_empty() && paths.is_empty() {
            return Err(Error::Usage(
                "nothing to check: give --text and/or files".into(),
            ));
        }
        for path in paths {
            let bytes = std::fs::read(path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            parts.extend(PostPart::from_file(&path.display().to_string(), bytes));
        }
        Ok(parts)
    }
}

/// What the check of a post (its texts and its images) found.
#[derive(Debug, Clone, Default)]
pub struct PostCheck {
    /// Each text's findings, in the order sent.
    pub texts: Vec<CheckedText>,
    /// Each image's, in the order sent.
    pub images: Vec<CheckedImage>,
}

impl PostCheck {
    /// Whether every part was checked completely.
    pub fn complete(&self) -> bool {
        self.texts.iter().all(|t| t.result.is_ok()) && self.images.iter().all(|i| i.result.is_ok())
    }

    /// Every finding of the parts that were checked.
    pub fn findings(&self) -> impl Iterator<Item = &privacy::Finding> {
        let text = self
            .texts
            .iter()
            .flat_map(|t| t.result.iter().flat_map(|r| &r.findings));
        let images = self
            .images
            .iter()
            .flat_map(|i| i.result.iter().flat_map(|r| &r.findings));
        text.chain(images)
    }

    /// Whether anything of high severity was found.
    pub fn has_high(&self) -> bool {
        self.findings().any(|f| f.severity == Severity::High)
    }

    /// Writes each checked image's clean copy into `dir` (created if missing) as
    /// `NAME.clean.EXT`; the paths written, `None` for an image whose check failed.
    pub fn write_clean_copies(&self, dir: &Path) -> Result<Vec<Option<PathBuf>>> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut out = Vec::with_capacity(self.images.len());
        for (i, image) in self.images.iter().enumerate() {
            let Ok(report) = &image.result else {
                out.push(None);
                continue;
            };
            let stem = Path::new(&image.name).file_stem().map_or_else(
                || format!("image-{}", i + 1),
                |s| s.to_string_lossy().into_owned(),
            );
            let path = dir.join(format!("{stem}.clean.{}", report.clean.extension));
            std::fs::write(&path, &report.clean.bytes).map_err(io(&path))?;
            out.push(Some(path));
        }
        Ok(out)
    }

    /// The command line's exit code: 0 nothing found, 1 findings, 2 a part not checked.
    pub fn exit_code(&self) -> u8 {
        match (self.complete(), self.findings().next().is_some()) {
            (false, _) => 2,
            (true, false) => 0,
            (true, true) => 1,
        }
    }

    /// The numbers the audit trail records.
    pub fn counts(&self) -> PrivacyCheckCounts {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        PrivacyCheckCounts {
            texts: count(self.texts.len()),
            images: count(self.images.len()),
            findings: count(self.findings().count()),
            high: count(
                self.findings()
                    .filter(|f| f.severity == Severity::High)
                    .count(),
            ),
            incomplete: count(
                self.texts.iter().filter(|t| t.result.is_err()).count()
                    + self.images.iter().filter(|i| i.result.is_err()).count(),
            ),
        }
    }
}

/// Checks `parts` with `config`, the images on `desk`'s blocking pool and read by its
/// Tesseract (without it, each image's check is incomplete and says why).
pub async fn check_post(
    desk: &ImageDesk,
    config: &privacy::Config,
    parts: Vec<PostPart>,
) -> Result<PostCheck> {
    let mut texts = Vec::new();
    let mut uploads = Vec::new();
    for part in parts {
        match part {
            PostPart::Text { name, text } => {
                let result = privacy::check_text(&text, config);
                texts.push(CheckedText { name, text, result });
            }
            PostPart::Image(upload) => uploads.push(upload),
        }
    }
    let mut images = Vec::with_capacity(uploads.len());
    for (i, upload) in uploads.into_iter().enumerate() {
        let name = upload.name.unwrap_or_else(|| format!("image {}", i + 1));
        let config = config.clone();
        let reader = desk.ocr().clone();
        let bytes = upload.bytes;
        let shown = name.clone();
        let result = desk
            .run_blocking(move || privacy::check_image(&shown, &bytes, &config, &reader))
            .await?;
        if let Err(e) = &result {
            tracing::info!(target: "desk::privacy", code = e.code(), "an image's privacy check is incomplete");
        }
        images.push(CheckedImage { name, result });
    }
    Ok(PostCheck { texts, images })
}
