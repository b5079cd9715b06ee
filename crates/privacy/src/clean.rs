//! A copy of an image with every metadata block removed.
//!
//! JPEG and PNG lose their metadata losslessly: the container is rewritten without its
//! application segments (EXIF, XMP, ICC, IPTC, JFIF and the rest) and comments, or without
//! its ancillary chunks other than those that say how to draw the pixels; the compressed
//! picture is copied byte for byte. Two cases are re-encoded instead: an image whose EXIF
//! orientation is not upright (without the tag, the lossless copy would show it turned), and
//! GIF and WebP (written as PNG, the first frame).

use std::io::Cursor;

use claimdesk_image::{Decoded, Format};
use img_parts::Bytes;
use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use serde::Serialize;

use crate::error::{Error, Result};

/// An image without its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CleanCopy {
    /// The bytes of the clean image.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Its media type (`image/jpeg`, `image/png`).
    pub media_type: &'static str,
    /// The file extension it should be saved with (`jpg`, `png`).
    pub extension: &'static str,
    /// Whether the picture itself is the original's, byte for byte (only the metadata was
    /// removed), rather than decoded and encoded again.
    pub lossless: bool,
}

/// PNG chunks kept: those that say how to draw the pixels (and APNG's frames).
const PNG_KEPT: [&[u8; 4]; 12] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"acTL",
    b"fcTL", b"fdAT",
];

/// The clean copy of `bytes` (already decoded as `decoded`, whose EXIF orientation was
/// `orientation`; 1 is upright).
pub fn clean_copy(
    name: &str,
    bytes: &[u8],
    decoded: &Decoded,
    orientation: u32,
) -> Result<CleanCopy> {
    let failed = |detail: String| Error::Clean {
        name: name.to_string(),
        detail,
    };
    let upright = orientation <= 1;
    match decoded.format {
        Format::Jpeg if upright => {
            let mut jpeg = Jpeg::from_bytes(Bytes::copy_from_slice(bytes))
                .map_err(|e| failed(e.to_string()))?;
            // APP0..APP15 and COM; Adobe's APP14 only says how colours are transformed,
            // and CMYK pictures need it.
            jpeg.segments_mut().retain(|s| {
                let m = s.marker();
                let adobe = m == 0xEE && s.contents().starts_with(b"Adobe");
                !((0xE0..=0xEF).contains(&m) || m == 0xFE) || adobe
            });
            Ok(CleanCopy {
                bytes: jpeg.encoder().bytes().to_vec(),
                media_type: "image/jpeg",
                extension: "jpg",
                lossless: true,
            })
        }
        Format::Png if upright => {
            let mut png = Png::from_bytes(Bytes::copy_from_slice(bytes))
                .map_err(|e| failed(e.to_string()))?;
            png.chunks_mut()
                .retain(|c| PNG_KEPT.iter().any(|k| **k == c.kind()));
            Ok(CleanCopy {
                bytes: png.encoder().bytes().to_vec(),
                media_type: "image/png",
                extension: "png",
                lossless: true,
            })
        }
        Format::Jpeg => {
            let mut out = Vec::new();
            let rgb = decoded.image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
                .encode_image(&rgb)
                .map_err(|e| failed(e.to_string()))?;
            Ok(CleanCopy {
                bytes: out,
                media_type: "image/jpeg",
                extension: "jpg",
                lossless: false,
            })
        }
        _ => {
            let mut out = Vec::new();
            decoded
                .image
                .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
                .map_err(|e| failed(e.to_string()))?;
            Ok(CleanCopy {
                bytes: out,
                media_type: "image/png",
                extension: "png",
                lossless: false,
            })
        }
    }
}
