//! Bytes in, one bounded, upright picture out.
//!
//! The order of the checks is the point: the size cap before anything is read; the format
//! from the bytes' signature (a name or content type is only compared with it); the header's
//! dimensions and, for GIF, a count of the frames by walking the block structure without
//! decompressing anything; only then the decoder, itself under [`image::Limits`] on
//! allocation. A decompression bomb (a 30,000 × 30,000 PNG of a few hundred kilobytes) is
//! refused from its header; a GIF of ten thousand frames from its block count.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::error::{ImageError, Result};

/// The image formats claimdesk decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PNG.
    Png,
    /// JPEG (JFIF or EXIF).
    Jpeg,
    /// GIF; only the first frame of an animation is read.
    Gif,
    /// WebP (lossy or lossless; the first frame of an animation).
    Webp,
}

impl Format {
    /// Its lower-case name (`png`, `jpeg`, `gif`, `webp`), as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }

    /// Its media type, as served back (`image/png`, ...).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    /// Parses [`Format::as_str`]'s names back.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "png" => Some(Format::Png),
            "jpeg" => Some(Format::Jpeg),
            "gif" => Some(Format::Gif),
            "webp" => Some(Format::Webp),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Gif => "GIF",
            Format::Webp => "WebP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Png => ImageFormat::Png,
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Gif => ImageFormat::Gif,
            Format::Webp => ImageFormat::WebP,
        }
    }
}

/// What an image may cost. The defaults take any phone screenshot or camera photo
/// (a 50-megapixel photo is 8,192 × 6,144) and refuse anything larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// The longest side, in pixels.
    pub max_side: u32,
    /// The most pixels (width × height).
    pub max_pixels: u64,
    /// The most frames in an animated GIF (the first is the one read).
    pub max_frames: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_side: 16_384,
            max_pixels: 50_000_000,
            max_frames: 1_000,
        }
    }
}

/// A decoded image: the picture, upright, and what its bytes were.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The format read from the bytes.
    pub format: Format,
    /// The picture after its EXIF orientation was applied.
    pub image: DynamicImage,
    /// Width of [`Decoded::image`].
    pub width: u32,
    /// Height of [`Decoded::image`].
    pub height: u32,
    /// Said when the declared name or type disagreed with the bytes (a JPEG named `.png`):
    /// the bytes won, and the desk shows this note.
    pub note: Option<String>,
}

/// Reads the format from the first bytes. `Err` says what the bytes look like instead.
pub fn sniff(bytes: &[u8]) -> Result<Format> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(Format::Webp);
    }
    Err(not_an_image(bytes))
}

/// What bytes that are no image we read look like.
fn not_an_image(bytes: &[u8]) -> ImageError {
    let head = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let lower = text.to_ascii_lowercase();
    if lower.contains("<svg") || lower.starts_with("<!doctype svg") {
        return ImageError::Svg;
    }
    if lower.starts_with("<?xml") {
        // An XML prolog: SVG when the root element says so later on.
        let more = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
        if more.contains("<svg") {
            return ImageError::Svg;
        }
        return ImageError::Unsupported {
            found: "an XML document",
        };
    }
    let found = if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        "an HTML page"
    } else if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else if bytes.starts_with(b"BM") {
        "a BMP image"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "a TIFF image"
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        "an ISO media file (HEIC, AVIF or video)"
    } else if bytes.starts_with(b"PK\x03\x04") {
        "a ZIP archive"
    } else if head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
    {
        "plain text"
    } else {
        "unrecognized bytes"
    };
    ImageError::Unsupported { found }
}

/// The format a file name's extension or a media type claims, if it names one.
fn claimed(declared: &str) -> Option<(Format, &'static str)> {
    let d = declared.trim().to_ascii_lowercase();
    let ext = d.rsplit(['.', '/']).next().unwrap_or("");
    let ext = ext.split(';').next().unwrap_or("").trim();
    match ext {
        "png" => Some((Format::Png, "a PNG image")),
        "jpg" | "jpeg" | "jfif" | "pjpeg" => Some((Format::Jpeg, "a JPEG image")),
        "gif" => Some((Format::Gif, "a GIF image")),
        "webp" => Some((Format::Webp, "a WebP image")),
        _ => None,
    }
}

/// Decodes `bytes` within `limits`. `declared` is the file name or content type it came
/// with, if any: the bytes decide the format, and a disagreement is either noted (the bytes
/// are another image format) or refused as [`ImageError::Disguised`] (they are no image).
pub fn decode(bytes: &[u8], declared: Option<&str>, limits: &Limits) -> Result<Decoded> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge {
            bytes: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let claim = declared.and_then(|d| claimed(d).map(|c| (d, c)));
    let format = match sniff(bytes) {
        Ok(format) => format,
        Err(ImageError::Unsupported { found }) if claim.is_some() => {
            let (name, (_, claimed)) = claim.expect("checked");
            return Err(ImageError::Disguised {
                name: name.to_string(),
                claimed,
                found,
            });
        }
        Err(e) => return Err(e),
    };
    let note = claim.and_then(|(name, (f, _))| {
        (f != format).then(|| {
            format!(
                "{name} is named as {} but its bytes are {}; read as {}",
                f.label(),
                format.label(),
                format.label()
            )
        })
    });
    if format == Format::Gif {
        gif_frames(bytes, limits.max_frames)?;
    }
    let malformed = |e: image::ImageError| malformed(format, e);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    // The picture itself (at most 16 bytes a pixel for RGBA f32) and the decoder's buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8).max(64 << 20));
    reader.limits(decoder_limits);
    let mut decoder = match reader.into_decoder() {
        Ok(d) => d,
        Err(image::ImageError::Limits(_)) => {
            return Err(too_big(format, dimensions(bytes, format), limits));
        }
        Err(e) => return Err(malformed(e)),
    };
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Malformed {
            format: format.label(),
            detail: format!("it declares {width} × {height} pixels"),
        });
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_big(format, Some((width, height)), limits));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    if format == Format::Jpeg {
        jpeg_complete(bytes)?;
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(malformed)?;
    image.apply_orientation(orientation);
    Ok(Decoded {
        format,
        width: image.width(),
        height: image.height(),
        image,
        note,
    })
}

fn too_big(format: Format, dims: Option<(u32, u32)>, limits: &Limits) -> ImageError {
    let (width, height) = dims.unwrap_or((0, 0));
    ImageError::TooBig {
        format: format.label(),
        width,
        height,
        max_side: limits.max_side,
        max_pixels: limits.max_pixels,
    }
}

fn malformed(format: Format, e: image::ImageError) -> ImageError {
    let detail = match e {
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "it ends before the picture does".to_string()
        }
        other => other.to_string(),
    };
    ImageError::Malformed {
        format: format.label(),
        detail,
    }
}

/// The dimensions a PNG's or GIF's header declares, read by hand for the refusal message
/// when the decoder refused them itself.
fn dimensions(bytes: &[u8], format: Format) -> Option<(u32, u32)> {
    let be = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let le16 = |at: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes(
            bytes.get(at..at + 2)?.try_into().ok()?,
        )))
    };
    match format {
        Format::Png => Some((be(16)?, be(20)?)),
        Format::Gif => Some((le16(6)?, le16(8)?)),
        _ => None,
    }
}

/// A JPEG decoder fills a cut-off scan with grey and succeeds; a cut-off upload should be
/// refused instead. A complete JPEG has its end-of-image marker (`FF D9`) near the end
/// (some cameras append a little after it).
fn jpeg_complete(bytes: &[u8]) -> Result<()> {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    if tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err(ImageError::Malformed {
            format: "JPEG",
            detail: "it ends before its end-of-image marker (the file was cut short)".into(),
        })
    }
}

/// Counts a GIF's frames by walking its blocks (no decompression), stopping past `max`.
fn gif_frames(bytes: &[u8], max: usize) -> Result<usize> {
    let bad = |detail: &str| ImageError::Malformed {
        format: "GIF",
        detail: detail.to_string(),
    };
    let truncated = || bad("it ends before the picture does");
    let mut at = 13;
    let flags = *bytes.get(10).ok_or_else(truncated)?;
    if flags & 0x80 != 0 {
        at += 3 << ((flags & 0x07) + 1);
    }
    // Sub-blocks: a length byte, that many bytes, until a zero length.
    let skip_sub_blocks = |mut at: usize| -> Result<usize> {
        loop {
            let len = usize::from(*bytes.get(at).ok_or_else(truncated)?);
            at += 1;
            if len == 0 {
                return Ok(at);
            }
            at += len;
        }
    };
    let mut frames = 0;
    loop {
        match bytes.get(at) {
            None => {
                return if frames > 0 {
                    Ok(frames)
                } else {
                    Err(truncated())
                };
            }
            Some(0x3B) => return Ok(frames),
            Some(0x21) => {
                at = skip_sub_blocks(at + 2)?;
            }
            Some(0x2C) => {
                frames += 1;
                if frames > max {
                    return Err(ImageError::TooManyFrames { frames, max });
                }
                let local = *bytes.get(at + 9).ok_or_else(truncated)?;
                at += 10;
                if local & 0x80 != 0 {
                    at += 3 << ((local & 0x07) + 1);
                }
                // The LZW minimum code size, then the data's sub-blocks.
                at = skip_sub_blocks(at + 1)?;
            }
            Some(other) => {
                // Trailing garbage after good frames is common and harmless.
                if frames > 0 {
                    return Ok(frames);
                }
                return Err(bad(&format!("unexpected block 0x{other:02X}")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_claim_formats() {
        assert_eq!(claimed("cat.JPG").unwrap().0, Format::Jpeg);
        assert_eq!(claimed("image/png").unwrap().0, Format::Png);
        assert_eq!(claimed("image/webp; q=1").unwrap().0, Format::Webp);
        assert!(claimed("notes.txt").is_none());
    }

    #[test]
    fn sniffing_names_what_the_bytes_are() {
        assert_eq!(
            sniff(b"%PDF-1.7"),
            Err(ImageError::Unsupported {
                found: "a PDF document"
            })
        );
        assert_eq!(sniff(b"\xEF\xBB\xBF <svg xmlns=''>"), Err(ImageError::Svg));
        assert_eq!(
            sniff(b"<?xml version='1.0'?>\n<!-- x -->\n<svg/>"),
            Err(ImageError::Svg)
        );
        assert_eq!(
            sniff(b"<!DOCTYPE html><p>"),
            Err(ImageError::Unsupported {
                found: "an HTML page"
            })
        );
        assert_eq!(sniff(b""), Err(ImageError::Empty));
    }
}
