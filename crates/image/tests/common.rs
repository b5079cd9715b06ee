//! Pictures made in the tests (nothing binary is committed).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// A picture with detail at several scales (so its PDQ quality is high), different for
/// each `seed`: rings around a seeded centre, stripes, smooth colour.
pub fn detailed(w: u32, h: u32, seed: u32) -> DynamicImage {
    let (cx, cy) = (
        f64::from(w) * f64::from(20 + seed * 37 % 60) / 100.0,
        f64::from(h) * f64::from(20 + seed * 53 % 60) / 100.0,
    );
    let ring = f64::from(8 + seed % 13) * f64::from(w) / 200.0;
    let stripe = (30 + seed % 11) * w / 200 + 1;
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        let r = ((f64::from(x) - cx).powi(2) + (f64::from(y) - cy).powi(2)).sqrt();
        let v = if ((r / ring) as u32 + (x + y * seed % 7) / stripe).is_multiple_of(2) {
            220
        } else {
            40
        };
        Rgb([v, (x * 255 / w) as u8, (y * 255 / h) as u8])
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

pub use claimdesk_image::render::screenshot;
