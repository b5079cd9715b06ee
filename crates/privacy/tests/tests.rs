//! claimdesk-privacy's tests: images made by code (EXIF GPS, a QR code, a screenshot read by
//! the real Tesseract) with each finding's field or region, clean copies read back by
//! `exiftool`, bad input refused whole, and the desk's sensitive terms.

mod common;
mod images;
mod properties;
mod text;
