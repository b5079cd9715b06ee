//! Text drawn as a social-media post would show it: the screenshots the tests and the
//! evaluation generator feed to the desk (nothing binary is committed). Behind the `render`
//! feature, which only tests and `bench/` tools turn on.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{DynamicImage, Rgb, RgbImage};

/// Debian's DejaVu Sans (fonts-dejavu-core, which scripts/test-deps installs): it has every
/// precomposed Vietnamese letter.
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// `lines` drawn as a social-media post would show them: `px`-high text, dark on light,
/// or light on dark in dark mode, in [`FONT`].
///
/// # Panics
/// When [`FONT`] is missing (`scripts/test-deps` installs it): this is a tool for tests.
pub fn screenshot(lines: &[&str], px: f32, dark_mode: bool) -> DynamicImage {
    let bytes = std::fs::read(FONT).expect("fonts-dejavu-core (scripts/test-deps installs it)");
    screenshot_in(&bytes, lines, px, dark_mode).expect("DejaVu Sans is a TrueType font")
}

/// [`screenshot`] in the TrueType or OpenType font `font`; `None` when it is not one.
pub fn screenshot_in(
    font: &[u8],
    lines: &[&str],
    px: f32,
    dark_mode: bool,
) -> Option<DynamicImage> {
    let font = FontVec::try_from_vec(font.to_vec()).ok()?;
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
    Some(DynamicImage::ImageRgb8(img))
}
