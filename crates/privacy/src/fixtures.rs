//! Images made by code for the tests and the evaluation (feature `fixtures`; nothing binary
//! is committed): a photo with known EXIF (GPS position, serial, owner, time), a QR code, a
//! screenshot, a decompression bomb, a corrupt EXIF block.

use std::io::Cursor;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::{DynamicImage, ImageFormat, Luma, Rgb, RgbImage};
use img_parts::jpeg::{Jpeg, JpegSegment};
use img_parts::{Bytes, ImageEXIF};

/// What [`photo_with_exif`] writes in its EXIF block.
#[derive(Debug, Clone)]
pub struct PhotoExif {
    /// Latitude in decimal degrees (negative: south).
    pub latitude: f64,
    /// Longitude in decimal degrees (negative: west).
    pub longitude: f64,
    /// The camera body's serial number.
    pub serial: String,
    /// The artist.
    pub artist: String,
    /// When it was taken (`YYYY:MM:DD HH:MM:SS`).
    pub taken: String,
}

impl Default for PhotoExif {
    fn default() -> PhotoExif {
        PhotoExif {
            latitude: 21.028511,
            longitude: 105.804817,
            serial: "SN-4471-XK".into(),
            artist: "Nguyen Van An".into(),
            taken: "2026:11:30 07:15:42".into(),
        }
    }
}

/// A picture with detail at several scales, different for each `seed`.
pub fn picture(w: u32, h: u32, seed: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        let v = ((x / (7 + seed % 5)) + (y / (9 + seed % 7))) % 2;
        Rgb([
            if v == 0 { 210 } else { 40 },
            (x * 255 / w.max(1)) as u8,
            (y * 255 / h.max(1)) as u8,
        ])
    }))
}

/// `image` encoded as `format`.
pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    let image = if format == ImageFormat::Jpeg {
        DynamicImage::ImageRgb8(image.to_rgb8())
    } else {
        image.clone()
    };
    image
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("encodes");
    out
}

fn dms(degrees: f64) -> Vec<Rational> {
    let d = degrees.abs();
    let whole = d.trunc();
    let minutes = ((d - whole) * 60.0).trunc();
    let seconds = ((d - whole) * 60.0 - minutes) * 60.0;
    vec![
        Rational::from((whole as u32, 1)),
        Rational::from((minutes as u32, 1)),
        Rational::from(((seconds * 10_000.0).round() as u32, 10_000)),
    ]
}

fn ascii(s: &str) -> Value {
    Value::Ascii(vec![s.as_bytes().to_vec()])
}

/// The EXIF (TIFF) bytes of `exif`, with a camera make and model.
pub fn exif_block(exif: &PhotoExif) -> Vec<u8> {
    let fields = [
        Field {
            tag: Tag::Make,
            ifd_num: In::PRIMARY,
            value: ascii("Canon"),
        },
        Field {
            tag: Tag::Model,
            ifd_num: In::PRIMARY,
            value: ascii("Canon EOS R6"),
        },
        Field {
            tag: Tag::Artist,
            ifd_num: In::PRIMARY,
            value: ascii(&exif.artist),
        },
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: ascii(&exif.taken),
        },
        Field {
            tag: Tag::BodySerialNumber,
            ifd_num: In::PRIMARY,
            value: ascii(&exif.serial),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii(if exif.latitude < 0.0 { "S" } else { "N" }),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(dms(exif.latitude)),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii(if exif.longitude < 0.0 { "W" } else { "E" }),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: Value::Rational(dms(exif.longitude)),
        },
    ];
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut out = Cursor::new(Vec::new());
    writer.write(&mut out, false).expect("EXIF encodes");
    out.into_inner()
}

/// A JPEG photo `w` × `h` whose EXIF holds `exif`, with an XMP packet and a comment too.
pub fn photo_with_exif(w: u32, h: u32, seed: u32, exif: &PhotoExif) -> Vec<u8> {
    let jpeg = encode(&picture(w, h, seed), ImageFormat::Jpeg);
    let mut parts = Jpeg::from_bytes(Bytes::from(jpeg)).expect("a JPEG");
    parts.set_exif(Some(Bytes::from(exif_block(exif))));
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF \
                xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
                xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:creator>Nguyen Van An\
                </dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>";
    let at = parts.segments().len().min(2);
    parts.segments_mut().insert(
        at,
        JpegSegment::new_with_contents(0xE1, Bytes::from_static(xmp)),
    );
    parts.segments_mut().insert(
        at,
        JpegSegment::new_with_contents(0xFE, Bytes::from_static(b"shot for the desk")),
    );
    parts.encoder().bytes().to_vec()
}

/// A PNG of a QR code holding `text`, `module` pixels a module, on a white page of `margin`
/// pixels each side.
pub fn qr_png(text: &str, module: u32, margin: u32) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("fits in a QR code");
    let width = code.width() as u32;
    let colors = code.to_colors();
    let side = width * module + 2 * margin;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        if x < margin || y < margin || x >= margin + width * module || y >= margin + width * module
        {
            return Luma([255]);
        }
        let (cx, cy) = ((x - margin) / module, (y - margin) / module);
        match colors[(cy * width + cx) as usize] {
            qrcode::Color::Dark => Luma([0]),
            qrcode::Color::Light => Luma([255]),
        }
    });
    encode(&DynamicImage::ImageLuma8(img), ImageFormat::Png)
}

/// `lines` drawn as a post's screenshot (claimdesk-image's renderer), as PNG.
pub fn screenshot_png(lines: &[&str], px: f32) -> Vec<u8> {
    encode(
        &claimdesk_image::render::screenshot(lines, px, false),
        ImageFormat::Png,
    )
}

/// A small JPEG whose header declares 60,000 × 60,000 pixels: a decompression bomb.
pub fn jpeg_bomb() -> Vec<u8> {
    let mut jpeg = encode(&picture(16, 16, 1), ImageFormat::Jpeg);
    // The baseline frame header: FF C0, length, precision, height, width.
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    jpeg
}

/// A JPEG whose EXIF block points its first directory past its end.
pub fn jpeg_with_corrupt_exif() -> Vec<u8> {
    let jpeg = encode(&picture(32, 24, 2), ImageFormat::Jpeg);
    let mut parts = Jpeg::from_bytes(Bytes::from(jpeg)).expect("a JPEG");
    // Big-endian TIFF header whose IFD offset is far outside the block.
    parts.set_exif(Some(Bytes::from_static(b"MM\0\x2A\x7F\xFF\xFF\x00\0\x05")));
    parts.encoder().bytes().to_vec()
}
