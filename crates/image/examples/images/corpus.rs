//! The posts of the evaluation and how each is drawn: CLEF 2020 Task 2 dev tweets and the
//! project's Vietnamese posts, rendered as screenshots with seeded fonts, themes, sizes,
//! JPEG qualities and sometimes a generated photo beside the text.

use std::path::Path;

use claimdesk_image::render::Typeface;
use image::{Rgb, RgbImage};

/// A deterministic generator (SplitMix64): the same seed draws the same set everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` mixed with `name` (an item's id), independent of order.
    pub fn new(seed: u64, name: &str) -> Rng {
        // FNV-1a of the name, so each item's draw depends on nothing else.
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for b in name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(seed ^ h)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Which half of the set an item is in: settings are chosen on `A`, figures reported on `B`.
pub fn half(seed: u64, id: &str) -> char {
    if Rng::new(seed ^ 0x4a11, id).next() & 1 == 0 {
        'A'
    } else {
        'B'
    }
}

/// A post to draw.
#[derive(Debug, Clone)]
pub struct Post {
    /// `en-<CLEF tweet id>` or `vi-<post id>`.
    pub id: String,
    /// The id in its own query set (CLEF tweet id, `x001`).
    pub source_id: String,
    /// `en` or `vi`.
    pub lang: &'static str,
    /// The text as the data has it.
    pub text: String,
}

/// The `id<TAB>text` rows of a TSV with a header; a field in double quotes is unquoted
/// (CLEF's tweets file quotes some).
fn read_tsv(path: &Path) -> std::io::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (id, field) = line.split_once('\t')?;
            let field = match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
                Some(inner) => inner.replace("\"\"", "\""),
                None => field.to_string(),
            };
            Some((id.trim().to_string(), field))
        })
        .collect())
}

/// The CLEF dev tweets and the Vietnamese posts, in file order.
pub fn posts(clef_dev: &Path, vi_posts: &Path) -> std::io::Result<Vec<Post>> {
    let mut out = Vec::new();
    for (id, text) in read_tsv(&clef_dev.join("tweets.queries.tsv"))? {
        out.push(Post {
            id: format!("en-{id}"),
            source_id: id,
            lang: "en",
            text,
        });
    }
    for (id, text) in read_tsv(vi_posts)? {
        out.push(Post {
            id: format!("vi-{id}"),
            source_id: id,
            lang: "vi",
            text,
        });
    }
    Ok(out)
}

/// Debian's fonts the posts are drawn in: (name, regular, bold).
const FONTS: [(&str, &str, &str); 5] = [
    (
        "DejaVuSans",
        "dejavu/DejaVuSans.ttf",
        "dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "DejaVuSerif",
        "dejavu/DejaVuSerif.ttf",
        "dejavu/DejaVuSerif-Bold.ttf",
    ),
    (
        "DejaVuSansCondensed",
        "dejavu/DejaVuSansCondensed.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
    ),
    (
        "LiberationSans",
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    (
        "LiberationSerif",
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
];

/// A font family: regular for the text, bold for the author's name.
pub struct Family {
    /// Its name in the reports.
    pub name: &'static str,
    /// The face of the text.
    pub regular: Typeface,
    /// The face of names and captions.
    pub bold: Typeface,
}

/// Loads the fonts under `dir` (`/usr/share/fonts/truetype`); missing ones are skipped.
pub fn families(dir: &Path) -> Vec<Family> {
    FONTS
        .iter()
        .filter_map(|(name, regular, bold)| {
            Some(Family {
                name,
                regular: Typeface::load(&dir.join(regular))?,
                bold: Typeface::load(&dir.join(bold))?,
            })
        })
        .collect()
}

/// An RGB colour.
type Colour = [u8; 3];

/// Colours of a theme: name, paper, text, secondary text.
const THEMES: [(&str, Colour, Colour, Colour); 3] = [
    ("light", [255, 255, 255], [15, 20, 25], [83, 100, 113]),
    ("dim", [21, 32, 43], [247, 249, 249], [139, 152, 165]),
    ("dark", [0, 0, 0], [231, 233, 234], [113, 118, 123]),
];

/// Text heights in pixels: a desktop screenshot at 1× up to a phone's at 2–3×.
const SIZES: [f32; 5] = [16.0, 20.0, 24.0, 30.0, 36.0];

const VI_NAMES: [&str; 8] = [
    "Nguyễn Thu Hà",
    "Trần Minh Quân",
    "Lê Thị Hồng Nhung",
    "Phạm Văn Đức",
    "Hoàng Anh Tuấn",
    "Vũ Ngọc Lan",
    "Đặng Quốc Bảo",
    "Bùi Thị Yến",
];

/// How one post was drawn.
#[derive(Debug, Clone)]
pub struct Style {
    /// Index into the families.
    pub family: usize,
    /// `light`, `dim` or `dark`.
    pub theme: &'static str,
    /// Text height in pixels.
    pub px: f32,
    /// JPEG quality 30–90.
    pub quality: u8,
    /// Whether a photo is drawn beside the text.
    pub photo: bool,
}

/// A drawn post: the picture and the text it shows (what a perfect reader would return).
pub struct Shot {
    /// The screenshot, before JPEG.
    pub image: RgbImage,
    /// The text drawn: the header line and the body, as drawn (characters the font lacks and
    /// pictographs such as emoji left out), whitespace collapsed.
    pub reference: String,
    /// The post's text alone as drawn (no header), whitespace collapsed.
    pub body: String,
    /// How it was drawn.
    pub style: Style,
}

/// Whether `c` is drawn as text: not an emoji, pictograph, variation selector or invisible
/// format character, and in the font.
fn drawable(face: &Typeface, c: char) -> bool {
    let u = c as u32;
    !(u >= 0x2190 || (0x200b..=0x200f).contains(&u) || (0x2060..=0x2064).contains(&u))
        && (c.is_whitespace() || face.has(c))
        && !c.is_control()
}

/// `text` with only what `face` draws, whitespace collapsed.
pub fn drawn_text(face: &Typeface, text: &str) -> String {
    let kept: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| drawable(face, c))
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The author's name shown in the header: from a tweet's signature (`— Name (@handle)`),
/// else a seeded Vietnamese name.
fn author(post: &Post, rng: &mut Rng) -> String {
    if post.lang == "en" {
        let name = post
            .text
            .rsplit_once('—')
            .and_then(|(_, sig)| sig.split_once("(@"))
            .map(|(name, _)| name.trim())
            .filter(|name| !name.is_empty() && name.chars().count() < 40);
        if let Some(name) = name {
            return name.to_string();
        }
        return "Twitter user".to_string();
    }
    rng.pick(&VI_NAMES).to_string()
}

/// Draws `post` as a screenshot in a style drawn from `seed` and its id.
pub fn render(post: &Post, families: &[Family], seed: u64) -> Shot {
    let mut rng = Rng::new(seed, &post.id);
    let drawn = rng.next() as usize;
    // A real post shows every letter, so the font is drawn among those that have all of the
    // post's (Debian's Liberation fonts lack most precomposed Vietnamese vowels), the
    // Vietnamese authors' names included.
    let names = if post.lang == "vi" {
        VI_NAMES.concat()
    } else {
        String::new()
    };
    let letters: Vec<char> = post
        .text
        .chars()
        .chain(names.chars())
        .filter(|c| c.is_alphabetic() && (*c as u32) < 0x2190)
        .collect();
    let fits: Vec<usize> = (0..families.len())
        .filter(|&f| {
            letters
                .iter()
                .all(|&c| families[f].regular.has(c) && families[f].bold.has(c))
        })
        .collect();
    let family = if fits.is_empty() {
        drawn % families.len()
    } else {
        fits[drawn % fits.len()]
    };
    let (theme, paper, ink, grey) = *rng.pick(&THEMES);
    let px = *rng.pick(&SIZES);
    let quality = 30 + rng.below(61) as u8;
    let photo = rng.below(10) < 3;
    let face = &families[family];
    let name = drawn_text(&face.bold, &author(post, &mut rng));
    let when = if post.lang == "vi" {
        format!("· {} giờ", 1 + rng.below(23))
    } else {
        format!("· {}h", 1 + rng.below(23))
    };
    let when = drawn_text(&face.regular, &when);
    let body = drawn_text(&face.regular, &post.text);

    let margin = (px * 1.2).round();
    let avatar = (px * 2.6).round();
    let column = (px * rng.range(18.0, 30.0)).round();
    let lines = face.regular.wrap(&body, px, column);
    let lh = face.regular.line_height(px);
    let text_top = margin + avatar + px * 0.8;
    let text_h = lh * lines.len() as f32;
    let photo_w = if photo { (column * 0.6).round() } else { 0.0 };
    let w = margin * 2.0 + column + if photo { px + photo_w } else { 0.0 };
    let h = text_top + text_h.max(if photo { photo_w * 0.75 } else { 0.0 }) + margin;
    let mut img = RgbImage::from_pixel(w as u32, h as u32, Rgb(paper));

    // The avatar: a disc in a seeded colour.
    let colour = [
        60 + rng.below(180) as u8,
        60 + rng.below(180) as u8,
        60 + rng.below(180) as u8,
    ];
    let (cx, cy, r) = (margin + avatar / 2.0, margin + avatar / 2.0, avatar / 2.0);
    for y in margin as u32..(margin + avatar) as u32 {
        for x in margin as u32..(margin + avatar) as u32 {
            let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            if d <= r {
                img.put_pixel(x, y, Rgb(colour));
            }
        }
    }
    let hx = margin + avatar + px * 0.6;
    let hb = margin + avatar / 2.0 + px * 0.35;
    face.bold.draw(&mut img, &name, px, hx, hb, Rgb(ink));
    let nx = hx + face.bold.width(&name, px) + px * 0.4;
    face.regular.draw(&mut img, &when, px, nx, hb, Rgb(grey));
    for (i, line) in lines.iter().enumerate() {
        let baseline = text_top + face.regular.ascent(px) + i as f32 * lh;
        face.regular
            .draw(&mut img, line, px, margin, baseline, Rgb(ink));
    }
    if photo {
        let ph = (photo_w * 0.75) as u32;
        let picture = photo_like(photo_w as u32, ph, rng.next());
        image::imageops::overlay(
            &mut img,
            &picture,
            (margin + column + px) as i64,
            text_top as i64,
        );
    }
    let reference = format!("{name} {when} {}", lines.join(" "));
    Shot {
        image: img,
        reference: reference.split_whitespace().collect::<Vec<_>>().join(" "),
        body: lines.join(" "),
        style: Style {
            family,
            theme,
            px,
            quality,
            photo,
        },
    }
}

/// A photo-like picture: a smooth field of colour (sky, ground), soft blobs (objects), a
/// horizon, and sensor-like noise; different for each `seed`.
pub fn photo_like(w: u32, h: u32, seed: u64) -> RgbImage {
    let mut rng = Rng::new(seed, "photo");
    let top = [
        rng.below(256) as f32,
        rng.below(256) as f32,
        rng.below(256) as f32,
    ];
    let bottom = [
        rng.below(256) as f32,
        rng.below(256) as f32,
        rng.below(256) as f32,
    ];
    let horizon = rng.range(0.3, 0.7);
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..3 + rng.below(5))
        .map(|_| {
            (
                rng.range(0.0, 1.0),
                rng.range(0.0, 1.0),
                rng.range(0.05, 0.3),
                [
                    rng.below(256) as f32,
                    rng.below(256) as f32,
                    rng.below(256) as f32,
                ],
            )
        })
        .collect();
    let waves: Vec<(f32, f32, f32)> = (0..3)
        .map(|_| {
            (
                rng.range(1.0, 9.0),
                rng.range(1.0, 9.0),
                rng.range(0.0, 6.3),
            )
        })
        .collect();
    let mut noise = Rng::new(seed, "noise");
    RgbImage::from_fn(w.max(1), h.max(1), |x, y| {
        let (u, v) = (x as f32 / w.max(1) as f32, y as f32 / h.max(1) as f32);
        let sky = v < horizon + 0.05 * (u * 6.0 + waves[0].2).sin();
        let base = if sky { top } else { bottom };
        let shade = 1.0 - 0.4 * (v - horizon).abs();
        let texture: f32 = waves
            .iter()
            .map(|(a, b, p)| (a * u * 6.3 + b * v * 6.3 + p).sin())
            .sum::<f32>()
            * 10.0;
        let mut c = [0f32; 3];
        for k in 0..3 {
            c[k] = base[k] * shade + texture;
        }
        for (bx, by, br, bc) in &blobs {
            let d = ((u - bx).powi(2) + (v - by).powi(2)).sqrt() / br;
            let a = (1.0 - d * d).clamp(0.0, 1.0);
            for k in 0..3 {
                c[k] = c[k] * (1.0 - a) + bc[k] * a;
            }
        }
        let n = (noise.below(17) as f32) - 8.0;
        Rgb([
            (c[0] + n).clamp(0.0, 255.0) as u8,
            (c[1] + n).clamp(0.0, 255.0) as u8,
            (c[2] + n).clamp(0.0, 255.0) as u8,
        ])
    })
}

/// `image` as JPEG at `quality`.
pub fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    image
        .write_with_encoder(encoder)
        .expect("an RGB picture encodes as JPEG");
    out
}
