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

/// Debian's DejaVu Sans (fonts-dejavu-core, which scripts/test-deps installs): it has every
/// precomposed Vietnamese letter.
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// `lines` drawn as a social-media post would show them: `px`-high text, dark on light,
/// or light on dark in dark mode.
pub fn screenshot(lines: &[&str], px: f32, dark_mode: bool) -> DynamicImage {
    use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
    let font = FontVec::try_from_vec(std::fs::read(FONT).expect("fonts-dejavu-core"))
        .expect("a TrueType font");
    let scaled = font.as_scaled(PxScale::from(px));
    let line_height = (scaled.height() + scaled.line_gap()).ceil() * 1.25;
    let width_of = |line: &str| -> f32 {
        line.chars()
            .map(|c| scaled.h_advance(font.glyph_id(c)))
            .sum()
    };
    let margin = px * 1.5;
    let w = (lines.iter().map(|l| width_of(l)).fold(0.0, f32::max) + 2.0 * margin) as u32;
    let h = (line_height * lines.len() as f32 + 2.0 * margin) as u32;
    let (paper, ink) = if dark_mode {
        ([24u8, 25, 26], [228u8, 230, 235])
    } else {
        ([255u8, 255, 255], [5u8, 5, 5])
    };
    let mut img = RgbImage::from_pixel(w, h, Rgb(paper));
    for (i, line) in lines.iter().enumerate() {
        let mut x = margin;
        let baseline = margin + scaled.ascent() + i as f32 * line_height;
        for c in line.chars() {
            let id = font.glyph_id(c);
            let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
            x += scaled.h_advance(id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let (px_, py_) = (
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                    );
                    if px_ >= 0 && py_ >= 0 && (px_ as u32) < w && (py_ as u32) < h {
                        let p = img.get_pixel_mut(px_ as u32, py_ as u32);
                        for k in 0..3 {
                            p[k] = (f32::from(p[k]) * (1.0 - cov) + f32::from(ink[k]) * cov) as u8;
                        }
                    }
                });
            }
        }
    }
    DynamicImage::ImageRgb8(img)
}
