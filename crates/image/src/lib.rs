//! Images on items and fact-checks: screenshots of posts, photos with a caption burned in,
//! the same meme re-shared with a new crop.
//!
//! - [`decode()`]: bytes in, one bounded, upright picture out. The format is read from the
//!   bytes, never from a name; file size, dimensions, pixel count and GIF frames are checked
//!   before anything is decoded; SVG (which can carry scripts) is refused; EXIF orientation
//!   is applied. Every refusal is an [`ImageError`] that says what was wrong.
//! - [`pdq`]: Meta's PDQ perceptual hash (256 bits, compared by Hamming distance), the hash
//!   fact-checkers exchange, written here from the published algorithm and checked against
//!   the reference implementation's output; [`PdqIndex`] finds the near-duplicates of a hash.
//! - [`neardup`]: PDQ made robust to what re-sharing does: uniform borders trimmed, caption
//!   bands left out, mirrors, and crops found by aligning the two pictures' row and column
//!   profiles before hashing the matching window ([`neardup::Probe::distance`]);
//!   [`neardup::Index`] finds a picture's near-duplicates among many without measuring it
//!   against each (window hashes in a [`hamming::HammingIndex`], coarse profiles to
//!   shortlist the crops worth aligning).
//! - [`ocr`]: the text in a screenshot, read by the `tesseract` program (Vietnamese and
//!   English) in a bounded pool of subprocesses, after the preprocessing screenshots need.
//! - [`files`]: the image files themselves, stored once by SHA-256 under the data directory.
//!
//! **Architecture Invariant:** no input makes this crate panic or allocate past its
//! [`Limits`]; a crash or a runaway in the OCR engine is a subprocess's, killed at its
//! timeout, never the desk's.

#![warn(missing_docs)]

pub mod decode;
mod error;
pub mod files;
pub mod hamming;
pub mod neardup;
pub mod ocr;
pub mod pdq;
pub mod pictures;
pub mod post_header;
#[cfg(feature = "render")]
pub mod render;

pub use decode::{Decoded, Format, Limits, decode};
pub use error::{ImageError, Result};
pub use files::{ImageFiles, Sha256Hex};
pub use ocr::{Ocr, OcrError, OcrText, OcrWord, OcrWords, Preprocess};
pub use pdq::{Pdq, PdqHash, PdqIndex};
