//! The privacy check before posting (issue 21): what in a draft and its images would expose
//! someone if it were published.
//!
//! - [`check_text`]: personal data in a text (phone numbers, citizen ID numbers, passports,
//!   bank cards and accounts, e-mail addresses, vehicle plates, dates of birth, street
//!   addresses) and the desk's own sensitive terms, each a [`Finding`] with its kind, its
//!   severity, its exact byte span and why it matters, in Vietnamese and English.
//! - [`check_image`]: an image's metadata (EXIF GPS position, device serial, owner,
//!   timestamps; XMP and IPTC blocks), the QR codes in it and the text read from it by OCR,
//!   both run through the text checks; and a [`CleanCopy`] with every metadata block removed.
//!
//! The check keeps nothing: it runs on what it is given and returns values; storing, logging
//! and auditing are the caller's choice (the engine audits only that a check ran and its
//! counts).
//!
//! **Architecture Invariant:** a check is complete or it is an [`Error`]: an image whose
//! metadata cannot be read, that is refused by the decoder's limits, or whose text cannot be
//! read is never reported with the findings found so far as if it were checked.

#![warn(missing_docs)]

mod clean;
mod error;
#[cfg(feature = "fixtures")]
pub mod fixtures;
mod image_check;
mod kinds;
mod terms;
mod text;

pub use clean::{CleanCopy, clean_copy};
pub use error::{Error, Result};
pub use image_check::{ImageReport, QrCode, Region, TextReader, WordsRead, check_image};
pub use kinds::{Kind, Severity};
pub use terms::SensitiveTerm;
pub use text::check_text;

/// The decoded picture a [`TextReader`] reads (the `image` crate's).
pub use image::DynamicImage;

use serde::Serialize;

/// The largest text checked by default (1 MiB): far more than any post; a longer text is
/// refused whole rather than checked in part.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// What the check looks for besides personal data, and what it may cost.
#[derive(Debug, Clone)]
pub struct Config {
    /// The desk's sensitive terms (unit names, internal designations, ...).
    pub terms: Vec<SensitiveTerm>,
    /// Numbers and addresses that are public and never reported (a public service's
    /// hotline, the desk's own contact address); compared by their digits, or accent- and
    /// case-insensitively when they are not numbers.
    pub allowed: Vec<String>,
    /// The longest text checked, in bytes; a longer one is an [`Error::TextTooLarge`].
    pub max_text_bytes: usize,
    /// What an image may cost to decode (size, dimensions, pixels, frames).
    pub image_limits: claimdesk_image::Limits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            terms: Vec::new(),
            allowed: Vec::new(),
            max_text_bytes: MAX_TEXT_BYTES,
            image_limits: claimdesk_image::Limits::default(),
        }
    }
}

/// Why a finding matters, in the desk's two languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// In Vietnamese.
    pub vi: String,
    /// In English.
    pub en: String,
}

/// Where a finding is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "in", rename_all = "snake_case")]
pub enum Location {
    /// Bytes `start..end` of the text checked.
    Text {
        /// First byte.
        start: usize,
        /// One past the last byte.
        end: usize,
    },
    /// A field of an image's metadata block (`EXIF` `GPSLatitude`, `XMP` `dc:creator`);
    /// `start..end` is the span in the field's text when the finding is inside it.
    Metadata {
        /// `EXIF`, `XMP`, `IPTC` or `PNG text`.
        block: String,
        /// The field's name.
        field: String,
        /// The span in the field's value, when the finding is part of it.
        span: Option<(usize, usize)>,
    },
    /// Bytes `start..end` of the text decoded from the image's QR code number `code`.
    QrCode {
        /// Which code (0-based, in the order found).
        code: usize,
        /// Where the code is in the picture.
        region: Region,
        /// First byte in the code's text.
        start: usize,
        /// One past the last byte.
        end: usize,
    },
    /// Bytes `start..end` of the text read from the image by OCR
    /// ([`ImageReport::text_read`]).
    ImageText {
        /// First byte in the text read.
        start: usize,
        /// One past the last byte.
        end: usize,
        /// Where those words are in the picture (the boxes of the words the span covers),
        /// when the reader gave boxes.
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<Region>,
    },
}

/// One thing that should not be published as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// How much harm it can do.
    pub severity: Severity,
    /// Where it is.
    pub location: Location,
    /// The text found (the value of a metadata field).
    pub matched: String,
    /// Why it matters.
    pub reason: Reason,
}

/// The findings of a text, in the order they appear.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every finding, by position.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether anything of [`Severity::High`] was found.
    pub fn has_high(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::High)
    }

    /// How many findings of each severity: `(low, medium, high)`.
    pub fn counts(&self) -> (usize, usize, usize) {
        counts(&self.findings)
    }
}

pub(crate) fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    findings
        .iter()
        .fold((0, 0, 0), |(l, m, h), f| match f.severity {
            Severity::Low => (l + 1, m, h),
            Severity::Medium => (l, m + 1, h),
            Severity::High => (l, m, h + 1),
        })
}
