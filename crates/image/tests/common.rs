//! Pictures made in the tests (nothing binary is committed).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};

/// A picture with detail at several scales (so its PDQ quality is high), different for
/// each `seed`.
pub fn detailed(w: u32, h: u32, seed: u32) -> DynamicImage {
    claimdesk_image::render::photo(w, h, seed)
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
