//! Text drawn as a social-media post would show it: the screenshots the tests and the
//! evaluation generator feed to the desk (nothing binary is committed). Behind the `render`
//! feature, which only tests and `bench/` tools turn on.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{DynamicImage, Rgb, RgbImage};

/// Debian's DejaVu Sans (fonts-dejavu-core, which scripts/test-deps installs): it has every
/// precomposed Vietnamese letter.
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// A TrueType or OpenType font, ready to measure and draw lines of text.
pub struct Typeface {
    font: FontVec,
}

impl Typeface {
    /// The font in `bytes`; `None` when they are not a TrueType or OpenType font.
    pub fn from_bytes(bytes: &[u8]) -> Option<Typeface> {
        FontVec::try_from_vec(bytes.to_vec())
            .ok()
            .map(|font| Typeface { font })
    }

    /// The font in the file at `path`; `None` when it cannot be read or is not a font.
    pub fn load(path: &std::path::Path) -> Option<Typeface> {
        Typeface::from_bytes(&std::fs::read(path).ok()?)
    }

    /// Whether the font draws `c` (rather than its "missing glyph" box).
    pub fn has(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// The advance of `line` at `px` pixels high.
    pub fn width(&self, line: &str, px: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(px));
        line.chars()
            .map(|c| scaled.h_advance(self.font.glyph_id(c)))
            .sum()
    }

    /// The distance from one baseline to the next at `px`, with a post's loose leading.
    pub fn line_height(&self, px: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(px));
        (scaled.height() + scaled.line_gap()).ceil() * 1.25
    }

    /// The height above the baseline at `px`.
    pub fn ascent(&self, px: f32) -> f32 {
        self.font.as_scaled(PxScale::from(px)).ascent()
    }

    /// `text` broken at spaces into lines at most `max_width` wide at `px` (a word wider
    /// than that is cut between characters), as a post's text column wraps.
    pub fn wrap(&self, text: &str, px: f32, max_width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let joined = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&joined, px) <= max_width {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            for c in word.chars() {
                line.push(c);
                if self.width(&line, px) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Draws `line` on `img` at `px`, its baseline at `baseline` and starting at `x`, in
    /// `ink` blended over what is there (antialiased); what falls outside is clipped.
    pub fn draw(
        &self,
        img: &mut RgbImage,
        line: &str,
        px: f32,
        x: f32,
        baseline: f32,
        ink: Rgb<u8>,
    ) {
        let scaled = self.font.as_scaled(PxScale::from(px));
        let (w, h) = img.dimensions();
        let mut x = x;
        for c in line.chars() {
            let id = self.font.glyph_id(c);
            let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
            x += scaled.h_advance(id);
            if let Some(outline) = self.font.outline_glyph(glyph) {
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
}

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
    let face = Typeface::from_bytes(font)?;
    let line_height = face.line_height(px);
    let margin = px * 1.5;
    let w = (lines.iter().map(|l| face.width(l, px)).fold(0.0, f32::max) + 2.0 * margin) as u32;
    let h = (line_height * lines.len() as f32 + 2.0 * margin) as u32;
    let (paper, ink) = if dark_mode {
        ([24u8, 25, 26], [228u8, 230, 235])
    } else {
        ([255u8, 255, 255], [5u8, 5, 5])
    };
    let mut img = RgbImage::from_pixel(w, h, Rgb(paper));
    for (i, line) in lines.iter().enumerate() {
        let baseline = margin + face.ascent(px) + i as f32 * line_height;
        face.draw(&mut img, line, px, margin, baseline, Rgb(ink));
    }
    Some(DynamicImage::ImageRgb8(img))
}

/// A picture without text, with detail at several scales (rings and stripes over colour
/// ramps), different for each `seed`: a photo or a meme's picture for tests that must not
/// be matched by the words read from it.
pub fn photo(w: u32, h: u32, seed: u32) -> DynamicImage {
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
        Rgb([v, (x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8])
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_within_the_width_and_keep_every_word() {
        let face = Typeface::load(std::path::Path::new(FONT)).expect("fonts-dejavu-core");
        let text = "Bộ Y tế khuyến cáo uống nước chanh nóng mỗi sáng để chữa khỏi ung thư gan \
                    https://example.com/a-very-long-address-that-cannot-fit-on-one-line-at-all";
        let lines = face.wrap(text, 20.0, 300.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(
            lines.iter().all(|l| face.width(l, 20.0) <= 300.0),
            "{lines:?}"
        );
        let words: String = lines.concat().split_whitespace().collect();
        let want: String = text.split_whitespace().collect();
        assert_eq!(words, want);
        assert!(face.has('ệ') && !face.has('中'));
    }
}
