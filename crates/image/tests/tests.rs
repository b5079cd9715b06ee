//! claimdesk-image's tests: bad input refused with a diagnostic, PDQ against the reference
//! implementation, OCR through the real Tesseract, the content-addressed files.

mod bad_input;
mod common;
mod files;
mod index;
mod neardup;
mod ocr;
mod pdq;
