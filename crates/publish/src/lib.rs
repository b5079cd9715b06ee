//! claimdesk-publish turns published fact-checks into what other newsrooms, feed readers and
//! search engines read:
//!
//! - [`claim_review`] and [`claim_review_script`]: schema.org `ClaimReview` JSON-LD, and the
//!   same as a `<script type="application/ld+json">` element that is safe to embed in HTML;
//!   [`DeskReview`]: the markup of a verdict the desk wrote, by Google's rules, with the
//!   desk's [`Publisher`] as its author;
//! - [`RatingScale`]: the desk's verdict labels and their ClaimReview `ratingValue`s, read
//!   from `claimdesk.toml`, with [`RatingScale::is_false`] for alerts;
//! - [`write_rss`], [`write_atom`], [`write_json_feed`]: feeds of published verdicts
//!   (RSS 2.0, Atom 1.0, JSON Feed 1.1) built from [`FeedInfo`] and [`FeedEntry`]s;
//! - [`CsvExport`], [`JsonlExport`] and [`JsonlWriter`]: streaming exports that
//!   `claimdesk import` reads back;
//! - [`briefing`]: the desk's figures over a period, their SVG charts and CSV.
//!
//! Nothing here does I/O of its own: every writer takes a caller's [`std::io::Write`].

#![warn(missing_docs)]

pub mod briefing;
mod claimreview;
mod date;
mod export;
mod feed;
mod scale;

pub use claimreview::{
    Appearance, DeskReview, Publisher, claim_review, claim_review_script, script_safe_json,
};
pub use export::{
    CSV_HEADER, CsvExport, FORMULA_TRIGGERS, JsonlExport, JsonlWriter, UTF8_BOM,
    neutralize_formula, restore_formula,
};
pub use feed::{
    FeedEntry, FeedFormat, FeedInfo, write_atom, write_feed, write_json_feed, write_rss,
};
pub use scale::{RatingScale, ScaleError, Verdict};

/// What can go wrong while publishing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's writer failed (disk full, closed pipe, client gone).
    #[error("writing the output failed: {0}")]
    Io(#[from] std::io::Error),
    /// A value could not be written as JSON (for example a map whose keys are not strings).
    #[error("a value could not be written as JSON: {0}")]
    Json(#[source] serde_json::Error),
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        if e.is_io() {
            Error::Io(e.into())
        } else {
            Error::Json(e)
        }
    }
}

impl From<csv::Error> for Error {
    fn from(e: csv::Error) -> Self {
        // The export writes only strings, so a CSV error is an I/O error of the writer.
        Error::Io(e.into())
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
