//! Pictures inside a screenshot that Tesseract would read as symbols: the round profile
//! picture beside the author's name, emoji, solid shapes. A screenshot of a post starts with
//! one, and Tesseract reads it as `@®`, `©` or `|` before the name.
//!
//! The ink of the prepared picture (darker than Otsu's threshold) is split into connected
//! regions. Letters are small and hollow; a region whose shorter side is at least
//! [`SIZE_OVER_LETTERS`] times the letters' median height and that fills at least
//! [`MIN_FILL`] of its box is not a letter. It is turned into paper, and what it encloses
//! (white letters on a dark banner) is inverted, so a caption drawn on a band stays readable
//! as dark text on light.

use image::GrayImage;

/// How many letter heights the shorter side of a region must reach to be a picture.
pub const SIZE_OVER_LETTERS: u32 = 2;
/// The least share of its box a region must cover to be a picture (a disc covers 0.79).
pub const MIN_FILL: f32 = 0.5;
/// Regions smaller than this many pixels are specks: they do not count as letters.
const SPECK: u32 = 8;

/// One connected region of ink.
#[derive(Debug, Clone, Copy)]
struct Region {
    area: u32,
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
}

impl Region {
    fn width(&self) -> u32 {
        self.right - self.left + 1
    }

    fn height(&self) -> u32 {
        self.bottom - self.top + 1
    }
}

/// Clears the pictures from `grey` (dark text on light paper), `threshold` being the grey
/// level at or below which a pixel is ink. Returns how many regions were cleared.
pub fn clear(grey: &mut GrayImage, threshold: u8) -> usize {
    let (w, h) = grey.dimensions();
    if w == 0 || h == 0 {
        return 0;
    }
    let (labels, regions) = label(grey, threshold);
    let mut heights: Vec<u32> = regions
        .iter()
        .filter(|r| r.area >= SPECK)
        .map(Region::height)
        .collect();
    if heights.is_empty() {
        return 0;
    }
    let mid = heights.len() / 2;
    let letter = *heights.select_nth_unstable(mid).1;
    let mut cleared = 0;
    for (i, r) in regions.iter().enumerate() {
        let box_area = r.width() as f32 * r.height() as f32;
        let large = r.width().min(r.height()) >= SIZE_OVER_LETTERS * letter.max(1);
        if large && r.area as f32 >= MIN_FILL * box_area {
            flip(grey, &labels, i as u32 + 1, r);
            cleared += 1;
        }
    }
    cleared
}

/// The 8-connected regions of ink: each pixel's region (1-based; 0 for paper) and the regions.
fn label(grey: &GrayImage, threshold: u8) -> (Vec<u32>, Vec<Region>) {
    let (w, h) = grey.dimensions();
    let ink = |x: u32, y: u32| grey.get_pixel(x, y)[0] <= threshold;
    let mut labels = vec![0u32; w as usize * h as usize];
    let mut regions = Vec::new();
    let mut stack = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let at = (y * w + x) as usize;
            if labels[at] != 0 || !ink(x, y) {
                continue;
            }
            let id = regions.len() as u32 + 1;
            let mut r = Region {
                area: 0,
                left: x,
                top: y,
                right: x,
                bottom: y,
            };
            labels[at] = id;
            stack.push((x, y));
            while let Some((px, py)) = stack.pop() {
                r.area += 1;
                r.left = r.left.min(px);
                r.right = r.right.max(px);
                r.top = r.top.min(py);
                r.bottom = r.bottom.max(py);
                for (nx, ny) in neighbours(px, py, w, h, true) {
                    let n = (ny * w + nx) as usize;
                    if labels[n] == 0 && ink(nx, ny) {
                        labels[n] = id;
                        stack.push((nx, ny));
                    }
                }
            }
            regions.push(r);
        }
    }
    (labels, regions)
}

/// The neighbours of (x, y) inside a w × h picture: 8 of them, or the 4 beside it.
fn neighbours(x: u32, y: u32, w: u32, h: u32, diagonal: bool) -> impl Iterator<Item = (u32, u32)> {
    const STEPS: [(i64, i64); 8] = [
        (-1, 0),
        (1, 0),
        (0, -1),
        (0, 1),
        (-1, -1),
        (1, -1),
        (-1, 1),
        (1, 1),
    ];
    let take = if diagonal { 8 } else { 4 };
    STEPS[..take].iter().filter_map(move |(dx, dy)| {
        let (nx, ny) = (x as i64 + dx, y as i64 + dy);
        (nx >= 0 && ny >= 0 && nx < w as i64 && ny < h as i64).then_some((nx as u32, ny as u32))
    })
}

/// Turns region `id` into paper, with the pixel ring around it (its anti-aliased edge), and
/// inverts what it encloses: the box's pixels that cannot reach the box's edge without
/// crossing the region.
fn flip(grey: &mut GrayImage, labels: &[u32], id: u32, r: &Region) {
    let w = grey.width();
    let (bw, bh) = (r.width(), r.height());
    let of = |x: u32, y: u32| labels[(y * w + x) as usize] == id;
    // Paper reachable from the box's edge, 4-connected, in box coordinates.
    let mut outside = vec![false; bw as usize * bh as usize];
    let mut stack = Vec::new();
    for bx in 0..bw {
        stack.push((bx, 0));
        stack.push((bx, bh - 1));
    }
    for by in 0..bh {
        stack.push((0, by));
        stack.push((bw - 1, by));
    }
    while let Some((bx, by)) = stack.pop() {
        let at = (by * bw + bx) as usize;
        if outside[at] || of(r.left + bx, r.top + by) {
            continue;
        }
        outside[at] = true;
        stack.extend(neighbours(bx, by, bw, bh, false));
    }
    let h = grey.height();
    for by in 0..bh {
        for bx in 0..bw {
            let (x, y) = (r.left + bx, r.top + by);
            if of(x, y) {
                grey.put_pixel(x, y, image::Luma([255]));
                // The edge ring outside the box's enclosed part.
                for (nx, ny) in neighbours(x, y, w, h, true) {
                    let inside_box = nx >= r.left && nx <= r.right && ny >= r.top && ny <= r.bottom;
                    let enclosed = inside_box
                        && !outside[((ny - r.top) * bw + (nx - r.left)) as usize]
                        && !of(nx, ny);
                    if !enclosed && !of(nx, ny) {
                        grey.put_pixel(nx, ny, image::Luma([255]));
                    }
                }
            } else if !outside[(by * bw + bx) as usize] {
                let p = grey.get_pixel(x, y)[0];
                grey.put_pixel(x, y, image::Luma([255 - p]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A light page with a row of small dark "letters" (hollow squares 10 px high).
    fn page(w: u32, h: u32) -> GrayImage {
        let mut g = GrayImage::from_pixel(w, h, Luma([240]));
        for i in 0..12 {
            let x0 = 200 + i * 14;
            for y in 40..50 {
                for x in x0..x0 + 8 {
                    let edge = y == 40 || y == 49 || x == x0 || x == x0 + 7;
                    if edge {
                        g.put_pixel(x, y, Luma([20]));
                    }
                }
            }
        }
        g
    }

    fn dark(g: &GrayImage, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| g.get_pixel(x, y)[0] < 128)
            .count()
    }

    #[test]
    fn a_disc_beside_the_letters_is_cleared_and_the_letters_kept() {
        let mut g = page(400, 120);
        for y in 10..90u32 {
            for x in 10..90u32 {
                if (x as f32 - 50.0).powi(2) + (y as f32 - 50.0).powi(2) <= 38.0f32.powi(2) {
                    g.put_pixel(x, y, Luma([60]));
                }
            }
        }
        let letters = dark(&g, 190, 30, 400, 60);
        assert_eq!(clear(&mut g, 128), 1);
        assert_eq!(dark(&g, 0, 0, 100, 100), 0, "the disc is gone");
        assert_eq!(
            dark(&g, 190, 30, 400, 60),
            letters,
            "the letters are untouched"
        );
    }

    #[test]
    fn white_letters_on_a_dark_band_become_dark_letters_on_paper() {
        let mut g = page(400, 200);
        // A band 60 px high with a white hollow square "letter" inside, itself holding ink.
        for y in 120..180 {
            for x in 20..380 {
                g.put_pixel(x, y, Luma([10]));
            }
        }
        for y in 140..160 {
            for x in 100..116 {
                let edge = !(143..=156).contains(&y) || !(103..=112).contains(&x);
                g.put_pixel(x, y, Luma(if edge { [250] } else { [10] }));
            }
        }
        assert_eq!(clear(&mut g, 128), 1);
        assert_eq!(g.get_pixel(50, 130)[0], 255, "the band is paper");
        assert!(g.get_pixel(100, 140)[0] < 10, "the letter's stroke is ink");
        assert!(
            g.get_pixel(108, 150)[0] > 240,
            "what the stroke encloses is paper"
        );
        assert!(dark(&g, 190, 30, 400, 60) > 0, "the letters above stay");
    }

    #[test]
    fn letters_alone_and_blank_pages_are_left_as_they_are() {
        let mut g = page(400, 120);
        let before = g.clone();
        assert_eq!(clear(&mut g, 128), 0);
        assert_eq!(g, before);
        let mut blank = GrayImage::from_pixel(50, 50, Luma([255]));
        assert_eq!(clear(&mut blank, 128), 0);
        assert_eq!(clear(&mut GrayImage::new(0, 0), 128), 0);
    }
}
