//! An image's check: its metadata, its QR codes, the text it shows, and its clean copy.

use std::io::Cursor;

use claimdesk_image::{Decoded, Format, Ocr, OcrError, decode};
use exif::{Context, In, Tag, Value};
use image::DynamicImage;
use serde::Serialize;

use crate::clean::{CleanCopy, clean_copy};
use crate::error::{Error, Result};
use crate::kinds::Kind;
use crate::text::scan;
use crate::{Config, Finding, Location};

/// A rectangle of the picture, in pixels of the upright image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Region {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A QR code found in an image and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrCode {
    /// Where it is.
    pub region: Region,
    /// Its text.
    pub text: String,
}

/// What the check of one image found, and its clean copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageReport {
    /// The image's name as given.
    pub name: String,
    /// Its format (`jpeg`, `png`, `gif`, `webp`).
    pub format: &'static str,
    /// Width of the upright picture.
    pub width: u32,
    /// Height of the upright picture.
    pub height: u32,
    /// Every finding: metadata first, then QR codes, then the text read.
    pub findings: Vec<Finding>,
    /// The QR codes decoded.
    pub qr_codes: Vec<QrCode>,
    /// The text read from the picture by OCR (spans of [`Location::ImageText`] are in it).
    pub text_read: String,
    /// The image without its metadata.
    pub clean: CleanCopy,
}

impl ImageReport {
    /// Whether anything of high severity was found.
    pub fn has_high(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == crate::Severity::High)
    }
}

/// What reads the text in a picture: Tesseract through `claimdesk-image`, in the desk.
pub trait TextReader {
    /// The text in `image`, or why it could not be read.
    fn read_text(&self, image: &DynamicImage) -> std::result::Result<String, String>;

    /// The text in `image` with the box of each word (its byte span in the text and its
    /// rectangle); by default [`TextReader::read_text`] without boxes.
    fn read_words(&self, image: &DynamicImage) -> std::result::Result<WordsRead, String> {
        Ok(WordsRead {
            text: self.read_text(image)?,
            words: Vec::new(),
        })
    }
}

/// Text read from a picture with the boxes of its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordsRead {
    /// The text.
    pub text: String,
    /// Each word's byte span in `text` and its rectangle, in reading order.
    pub words: Vec<(usize, usize, Region)>,
}

impl WordsRead {
    /// The rectangle around the words that bytes `start..end` of the text touch.
    fn region(&self, start: usize, end: usize) -> Option<Region> {
        let boxes = self
            .words
            .iter()
            .filter(|(s, e, _)| *s < end && start < *e)
            .map(|(_, _, r)| r);
        boxes.fold(None, |acc: Option<Region>, r| {
            Some(match acc {
                None => *r,
                Some(a) => {
                    let (x, y) = (a.x.min(r.x), a.y.min(r.y));
                    let right = (a.x + a.width).max(r.x + r.width);
                    let bottom = (a.y + a.height).max(r.y + r.height);
                    Region {
                        x,
                        y,
                        width: right - x,
                        height: bottom - y,
                    }
                }
            })
        })
    }
}

impl TextReader for Ocr {
    fn read_text(&self, image: &DynamicImage) -> std::result::Result<String, String> {
        self.read(image).map(|t| t.text).map_err(|e| e.to_string())
    }

    fn read_words(&self, image: &DynamicImage) -> std::result::Result<WordsRead, String> {
        let read = Ocr::read_words(self, image).map_err(|e| e.to_string())?;
        let words = read
            .words
            .iter()
            .map(|w| {
                let region = Region {
                    x: w.x,
                    y: w.y,
                    width: w.width,
                    height: w.height,
                };
                (w.start, w.end, region)
            })
            .collect();
        Ok(WordsRead {
            text: read.text,
            words,
        })
    }
}

/// Tesseract when it was found, else why not (every image's check is then incomplete).
impl TextReader for std::result::Result<Ocr, OcrError> {
    fn read_text(&self, image: &DynamicImage) -> std::result::Result<String, String> {
        match self {
            Ok(ocr) => ocr.read_text(image),
            Err(e) => Err(e.to_string()),
        }
    }

    fn read_words(&self, image: &DynamicImage) -> std::result::Result<WordsRead, String> {
        match self {
            Ok(ocr) => TextReader::read_words(ocr, image),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Checks the image `bytes` named `name`: its metadata (EXIF fields, XMP, IPTC and text
/// blocks), the QR codes in it and the text `reader` reads from it (both through the text
/// checks), and makes its clean copy.
///
/// Blocking (decoding, QR detection, OCR): call it from a blocking thread. An image the
/// decoder refuses (a decompression bomb, a corrupt file), whose EXIF cannot be parsed or
/// whose text cannot be read is an [`Error`], never a partial report.
pub fn check_image(
    name: &str,
    bytes: &[u8],
    config: &Config,
    reader: &dyn TextReader,
) -> Result<ImageReport> {
    let decoded =
        decode(bytes, Some(name), &config.image_limits).map_err(|source| Error::Image {
            name: name.to_string(),
            source,
        })?;
    let mut findings = Vec::new();
    let orientation = exif_fields(name, bytes, &decoded, config, &mut findings)?;
    blocks(bytes, decoded.format, config, &mut findings);
    let qr_codes = qr_codes(&decoded.image);
    for (code, qr) in qr_codes.iter().enumerate() {
        let region = qr.region;
        findings.extend(scan(&qr.text, config).into_iter().map(|c| {
            c.into_finding(&qr.text, |start, end| Location::QrCode {
                code,
                region,
                start,
                end,
            })
        }));
    }
    let read = reader
        .read_words(&decoded.image)
        .map_err(|detail| Error::TextUnread {
            name: name.to_string(),
            detail,
        })?;
    findings.extend(scan(&read.text, config).into_iter().map(|c| {
        c.into_finding(&read.text, |start, end| Location::ImageText {
            start,
            end,
            region: read.region(start, end),
        })
    }));
    let text_read = read.text;
    let clean = clean_copy(name, bytes, &decoded, orientation)?;
    Ok(ImageReport {
        name: name.to_string(),
        format: decoded.format.as_str(),
        width: decoded.width,
        height: decoded.height,
        findings,
        qr_codes,
        text_read,
        clean,
    })
}

fn metadata(block: &str, field: &str, span: Option<(usize, usize)>) -> Location {
    Location::Metadata {
        block: block.to_string(),
        field: field.to_string(),
        span,
    }
}

fn finding(kind: Kind, location: Location, matched: String) -> Finding {
    Finding {
        kind,
        severity: kind.severity(),
        location,
        matched,
        reason: kind.reason(),
    }
}

/// The EXIF fields that say who, where and when; returns the orientation (1 when none).
fn exif_fields(
    name: &str,
    bytes: &[u8],
    decoded: &Decoded,
    config: &Config,
    findings: &mut Vec<Finding>,
) -> Result<u32> {
    if decoded.format == Format::Gif {
        return Ok(1);
    }
    let exif = match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return Ok(1),
        Err(e) => {
            return Err(Error::Metadata {
                name: name.to_string(),
                block: "EXIF",
                detail: e.to_string(),
            });
        }
    };
    let text = |tag: Tag| -> Option<String> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        let s = match &field.value {
            Value::Ascii(parts) => parts
                .iter()
                .map(|p| String::from_utf8_lossy(p).trim().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            // UserComment: an 8-byte character code, then the text.
            Value::Undefined(raw, _) if raw.len() > 8 => String::from_utf8_lossy(&raw[8..])
                .trim_matches(['\0', ' '])
                .to_string(),
            // Windows' XP fields: UTF-16LE in bytes.
            Value::Byte(raw) => {
                let units: Vec<u16> = raw
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&units)
                    .trim_matches(['\0', ' '])
                    .to_string()
            }
            other => other.display_as(tag).to_string(),
        };
        (!s.trim().is_empty()).then_some(s)
    };
    // Where: the position as decimal degrees.
    let degrees = |tag: Tag, reference: Tag| -> Option<f64> {
        let field = exif.get_field(tag, In::PRIMARY)?;
        let Value::Rational(parts) = &field.value else {
            return None;
        };
        let d: f64 = parts
            .iter()
            .zip([1.0, 60.0, 3600.0])
            .map(|(r, div)| if r.denom == 0 { 0.0 } else { r.to_f64() / div })
            .sum();
        let negative = text(reference).is_some_and(|r| r.starts_with(['S', 'W']));
        Some(if negative { -d } else { d })
    };
    if let (Some(lat), Some(lon)) = (
        degrees(Tag::GPSLatitude, Tag::GPSLatitudeRef),
        degrees(Tag::GPSLongitude, Tag::GPSLongitudeRef),
    ) {
        findings.push(finding(
            Kind::GpsPosition,
            metadata("EXIF", "GPSLatitude, GPSLongitude", None),
            format!("{lat:.6}, {lon:.6}"),
        ));
    }
    let fields: [(Tag, &str, Kind); 13] = [
        (
            Tag::BodySerialNumber,
            "BodySerialNumber",
            Kind::DeviceSerial,
        ),
        (
            Tag::LensSerialNumber,
            "LensSerialNumber",
            Kind::DeviceSerial,
        ),
        (Tag::ImageUniqueID, "ImageUniqueID", Kind::DeviceSerial),
        (Tag::Artist, "Artist", Kind::Owner),
        (Tag::Copyright, "Copyright", Kind::Owner),
        (Tag::CameraOwnerName, "CameraOwnerName", Kind::Owner),
        (Tag(Context::Tiff, 0x9c9d), "XPAuthor", Kind::Owner),
        (Tag::DateTimeOriginal, "DateTimeOriginal", Kind::Timestamp),
        (Tag::DateTimeDigitized, "DateTimeDigitized", Kind::Timestamp),
        (Tag::DateTime, "DateTime", Kind::Timestamp),
        (Tag::GPSDateStamp, "GPSDateStamp", Kind::Timestamp),
        (Tag::Make, "Make", Kind::Device),
        (Tag::Model, "Model", Kind::Device),
    ];
    for (tag, field, kind) in fields {
        if let Some(value) = text(tag) {
            findings.push(finding(kind, metadata("EXIF", field, None), value));
        }
    }
    // Free text a person wrote: the text checks, with the span in the field's value.
    for (tag, field) in [
        (Tag::ImageDescription, "ImageDescription"),
        (Tag::UserComment, "UserComment"),
        (Tag(Context::Tiff, 0x9c9c), "XPComment"),
    ] {
        if let Some(value) = text(tag) {
            findings.extend(
                scan(&value, config)
                    .into_iter()
                    .map(|c| c.into_finding(&value, |s, e| metadata("EXIF", field, Some((s, e))))),
            );
        }
    }
    Ok(exif
        .get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .unwrap_or(1))
}

/// The metadata blocks not read field by field (XMP, IPTC, comments, PNG text), each a
/// finding; the plain-text ones also go through the text checks.
fn blocks(bytes: &[u8], format: Format, config: &Config, findings: &mut Vec<Finding>) {
    let mut texts: Vec<(&'static str, String, String)> = Vec::new();
    match format {
        Format::Jpeg => {
            let Ok(jpeg) =
                img_parts::jpeg::Jpeg::from_bytes(img_parts::Bytes::copy_from_slice(bytes))
            else {
                return;
            };
            for s in jpeg.segments() {
                let c = s.contents();
                if s.marker() == 0xE1 && c.starts_with(b"http://ns.adobe.com/xap/1.0/") {
                    texts.push(("XMP", "XMP packet".into(), String::new()));
                } else if s.marker() == 0xED && c.starts_with(b"Photoshop 3.0") {
                    texts.push(("IPTC", "IPTC record".into(), String::new()));
                } else if s.marker() == 0xFE {
                    texts.push(("JPEG", "Comment".into(), String::from_utf8_lossy(c).into()));
                }
            }
        }
        Format::Png => {
            let Ok(png) = img_parts::png::Png::from_bytes(img_parts::Bytes::copy_from_slice(bytes))
            else {
                return;
            };
            for c in png.chunks() {
                let kind = c.kind();
                if !matches!(&kind, b"tEXt" | b"iTXt" | b"zTXt") {
                    continue;
                }
                let raw = c.contents();
                let keyword_end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
                let keyword = String::from_utf8_lossy(&raw[..keyword_end]).into_owned();
                if keyword == "XML:com.adobe.xmp" {
                    texts.push(("XMP", "XMP packet".into(), String::new()));
                    continue;
                }
                // tEXt: keyword NUL text; iTXt: keyword NUL flag method lang NUL key NUL text.
                let value = match &kind {
                    b"tEXt" => String::from_utf8_lossy(raw.get(keyword_end + 1..).unwrap_or(&[]))
                        .into_owned(),
                    b"iTXt" if raw.get(keyword_end + 1) == Some(&0) => raw
                        .get(keyword_end + 3..)
                        .and_then(|rest| {
                            let mut parts = rest.splitn(3, |b| *b == 0);
                            parts
                                .nth(2)
                                .map(|t| String::from_utf8_lossy(t).into_owned())
                        })
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                texts.push(("PNG text", keyword, value));
            }
        }
        _ => {}
    }
    for (block, field, value) in texts {
        findings.push(finding(
            Kind::MetadataBlock,
            metadata(block, &field, None),
            block.to_string(),
        ));
        findings.extend(
            scan(&value, config)
                .into_iter()
                .map(|c| c.into_finding(&value, |s, e| metadata(block, &field, Some((s, e))))),
        );
    }
}

/// Pictures larger than this many pixels are scaled down before looking for QR codes:
/// a code a phone can scan stays readable, and the search stays bounded.
const QR_MAX_PIXELS: u64 = 4_000_000;

fn qr_codes(image: &DynamicImage) -> Vec<QrCode> {
    let (w, h) = (image.width(), image.height());
    let pixels = u64::from(w) * u64::from(h);
    let (grey, scale) = if pixels > QR_MAX_PIXELS {
        let s = (QR_MAX_PIXELS as f64 / pixels as f64).sqrt();
        let small = image.resize(
            (f64::from(w) * s) as u32,
            (f64::from(h) * s) as u32,
            image::imageops::FilterType::Triangle,
        );
        (small.to_luma8(), s)
    } else {
        (image.to_luma8(), 1.0)
    };
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        grey.width() as usize,
        grey.height() as usize,
        |x, y| grey.get_pixel(x as u32, y as u32).0[0],
    );
    let mut out = Vec::new();
    for grid in prepared.detect_grids() {
        // A finder pattern that is not a readable code (a photo's window frames) is not a
        // code: nothing to check.
        let Ok((_, text)) = grid.decode() else {
            continue;
        };
        let xs = grid.bounds.iter().map(|p| p.x);
        let ys = grid.bounds.iter().map(|p| p.y);
        let back = |v: i32| (f64::from(v.max(0)) / scale) as u32;
        let (x0, x1) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
        let (y0, y1) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
        out.push(QrCode {
            region: Region {
                x: back(x0),
                y: back(y0),
                width: back(x1).saturating_sub(back(x0)),
                height: back(y1).saturating_sub(back(y0)),
            },
            text,
        });
    }
    out
}
