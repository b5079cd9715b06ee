//! The near-duplicate set: originals (rendered screenshots and generated photos) under the
//! edits a re-shared picture goes through, against the other originals as negatives; PDQ
//! distances, the threshold chosen on half A and precision/recall on half B.

use claimdesk_image::neardup::{Probe, Reference};
use claimdesk_image::pdq;
use std::time::Duration;

use image::{DynamicImage, Rgb, RgbImage, imageops::FilterType};

use crate::corpus::{self, Family, Post, Rng};

/// The edits, each making one positive pair with its original.
pub const EDITS: [&str; 12] = [
    "crop5", "crop10", "crop15", "resize50", "resize33", "jpeg30", "jpeg60", "border", "frame",
    "caption", "combo", "mirror",
];

/// `edit` applied to `img` (seeded by `rng`).
pub fn apply(edit: &str, img: &RgbImage, caption: &Family, rng: &mut Rng) -> RgbImage {
    let (w, h) = img.dimensions();
    let crop = |img: &RgbImage, f: f32, rng: &mut Rng| -> RgbImage {
        let (w, h) = img.dimensions();
        let (cw, ch) = ((w as f32 * f) as u32, (h as f32 * f) as u32);
        let (left, top) = (
            rng.below(u64::from(cw) + 1) as u32,
            rng.below(u64::from(ch) + 1) as u32,
        );
        image::imageops::crop_imm(img, left, top, w - cw, h - ch).to_image()
    };
    let resize = |img: &RgbImage, f: f32| -> RgbImage {
        let (w, h) = img.dimensions();
        image::imageops::resize(
            img,
            ((w as f32 * f) as u32).max(8),
            ((h as f32 * f) as u32).max(8),
            FilterType::Triangle,
        )
    };
    let recompress = |img: &RgbImage, q: u8| -> RgbImage {
        image::load_from_memory(&corpus::jpeg(img, q))
            .expect("our own JPEG decodes")
            .to_rgb8()
    };
    match edit {
        "crop5" => crop(img, 0.05, rng),
        "crop10" => crop(img, 0.10, rng),
        "crop15" => crop(img, 0.15, rng),
        "resize50" => resize(img, 0.5),
        "resize33" => resize(img, 0.33),
        "jpeg30" => recompress(img, 30),
        "jpeg60" => recompress(img, 60),
        "border" | "frame" => {
            // A plain border (white or black) 6% each side, or a coloured frame 10%.
            let (f, colour) = if edit == "border" {
                (
                    0.06,
                    if rng.below(2) == 0 {
                        [255u8; 3]
                    } else {
                        [0u8; 3]
                    },
                )
            } else {
                (
                    0.10,
                    [
                        rng.below(256) as u8,
                        rng.below(256) as u8,
                        rng.below(256) as u8,
                    ],
                )
            };
            let (bx, by) = ((w as f32 * f) as u32, (h as f32 * f) as u32);
            let mut out = RgbImage::from_pixel(w + 2 * bx, h + 2 * by, Rgb(colour));
            image::imageops::overlay(&mut out, img, i64::from(bx), i64::from(by));
            out
        }
        "caption" => {
            // A meme caption band over the bottom 18%, text burned in.
            let mut out = img.clone();
            let band = (h as f32 * 0.18) as u32;
            for y in h - band..h {
                for x in 0..w {
                    let p = out.get_pixel_mut(x, y);
                    for k in 0..3 {
                        p[k] = (f32::from(p[k]) * 0.25) as u8;
                    }
                }
            }
            let px = (band as f32 * 0.45).max(8.0);
            let text = *rng.pick(&[
                "SỰ THẬT LÀ ĐÂY",
                "SHARE BEFORE THEY DELETE",
                "Không thể tin nổi!",
            ]);
            caption.bold.draw(
                &mut out,
                text,
                px,
                w as f32 * 0.05,
                h as f32 - band as f32 * 0.3,
                Rgb([255, 255, 255]),
            );
            out
        }
        "combo" => recompress(&resize(&crop(img, 0.10, rng), 0.7), 45),
        "mirror" => image::imageops::flip_horizontal(img),
        other => unreachable!("unknown edit {other}"),
    }
}

/// An original of the set: a screenshot or a photo.
pub struct Original {
    /// `shot:<post id>` or `photo:<n>`.
    pub name: String,
    /// `A` or `B`.
    pub half: char,
    /// The picture.
    pub image: RgbImage,
}

/// `n_shots` screenshots of `posts` (spread over the list) and `n_photos` generated photos,
/// each photo with a short caption burned in half the time (a meme's usual look).
pub fn originals(
    posts: &[Post],
    families: &[Family],
    n_shots: usize,
    n_photos: usize,
    seed: u64,
) -> Vec<Original> {
    let mut out = Vec::new();
    let step = (posts.len() / n_shots.max(1)).max(1);
    for post in posts.iter().step_by(step).take(n_shots) {
        let shot = corpus::render(post, families, seed ^ 0x5eed);
        let name = format!("shot:{}", post.id);
        out.push(Original {
            half: corpus::half(seed, &name),
            name,
            image: shot.image,
        });
    }
    for i in 0..n_photos {
        let name = format!("photo:{i}");
        let mut rng = Rng::new(seed, &name);
        let w = 320 + rng.below(900) as u32;
        let h = (w as f32 * rng.range(0.5, 1.4)) as u32;
        let image = corpus::photo_like(w, h, rng.next());
        out.push(Original {
            half: corpus::half(seed, &name),
            name,
            image,
        });
    }
    out
}

/// How a pair's distance is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The two PDQ hashes.
    Plain,
    /// The least over the edited picture's 8 dihedral hashes.
    Dihedral,
    /// `claimdesk_image::neardup`'s hashes: whole, trimmed and band windows, dihedral.
    Windows,
    /// `claimdesk_image::neardup`'s distance: the windows and the aligned crop.
    Aligned,
}

/// One compared pair: its distance under each [`Method`], whether it is a true duplicate,
/// the edit, and the half.
pub struct Pair {
    /// Hamming distance of the two PDQ hashes.
    pub distance: u32,
    /// The least distance over the edited picture's 8 dihedral hashes.
    pub dihedral: u32,
    /// [`Probe::hash_distance`].
    pub windows: u32,
    /// [`Probe::distance`].
    pub aligned: u32,
    /// A true near-duplicate.
    pub positive: bool,
    /// The edit (positives) or `other` (negatives).
    pub edit: &'static str,
    /// `shot` or `photo` (the original's kind).
    pub kind: &'static str,
    /// `A` or `B`.
    pub half: char,
}

impl Pair {
    /// The distance under `method`.
    pub fn under(&self, method: Method) -> u32 {
        match method {
            Method::Plain => self.distance,
            Method::Dihedral => self.dihedral,
            Method::Windows => self.windows,
            Method::Aligned => self.aligned,
        }
    }
}

/// This thread's CPU time so far (the scheduler's count, so that other processes on the
/// machine do not inflate it); wall-clock time when it cannot be read.
pub struct ThreadTime(Result<u64, std::time::Instant>);

impl ThreadTime {
    /// Now.
    pub fn now() -> ThreadTime {
        ThreadTime(
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .ok_or_else(std::time::Instant::now),
        )
    }

    /// The time since [`ThreadTime::now`].
    pub fn elapsed(&self) -> Duration {
        match (&self.0, ThreadTime::now().0) {
            (Ok(then), Ok(now)) => Duration::from_nanos(now.saturating_sub(*then)),
            (Err(then), _) => then.elapsed(),
            (Ok(_), Err(_)) => Duration::ZERO,
        }
    }
}

/// What the near-duplicate distance cost over the set (CPU time of this one thread).
#[derive(Debug, Default)]
pub struct Cost {
    /// References prepared, and the time and bytes they took.
    pub references: usize,
    /// Time to prepare them.
    pub reference_time: Duration,
    /// Their bytes ([`Reference::size`]).
    pub reference_bytes: usize,
    /// Probes prepared, and the time they took.
    pub probes: usize,
    /// Time to prepare them.
    pub probe_time: Duration,
    /// Hashes a probe is searched with.
    pub probe_hashes: usize,
    /// Probe-reference comparisons made, and their time.
    pub comparisons: usize,
    /// Time of the comparisons by hash ([`Probe::hash_distance`]).
    pub hash_time: Duration,
    /// Time of the alignments ([`Probe::aligned`]).
    pub align_time: Duration,
    /// Comparisons whose profiles lined up well enough to be compared by hash.
    pub aligned: usize,
}

/// Every pair of the set: each edited picture against its own original (positive) and every
/// other original of its half (negative), and the originals against each other.
pub fn pairs(originals: &[Original], families: &[Family], seed: u64) -> (Vec<Pair>, usize, Cost) {
    let mut cost = Cost::default();
    let hashes: Vec<pdq::Pdq> = originals
        .iter()
        .map(|o| pdq::hash(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough"))
        .collect();
    let low_quality = hashes
        .iter()
        .filter(|h| h.quality < pdq::MIN_QUALITY)
        .count();
    let kind = |o: &Original| {
        if o.name.starts_with("shot") {
            "shot"
        } else {
            "photo"
        }
    };
    let references: Vec<Reference> = originals
        .iter()
        .map(|o| {
            let image = DynamicImage::ImageRgb8(o.image.clone());
            let t = ThreadTime::now();
            let reference = Reference::new(&image).expect("big enough");
            cost.reference_time += t.elapsed();
            cost.references += 1;
            cost.reference_bytes += reference.size();
            reference
        })
        .collect();
    let mut out = Vec::new();
    for (i, o) in originals.iter().enumerate() {
        let mut rng = Rng::new(seed, &o.name);
        let caption = &families[rng.below(families.len() as u64) as usize];
        for edit in EDITS {
            let edited = DynamicImage::ImageRgb8(apply(edit, &o.image, caption, &mut rng));
            let plain = pdq::hash(&edited).expect("big enough").hash;
            let all = pdq::hash_dihedral(&edited).expect("big enough");
            let t = ThreadTime::now();
            let probe = Probe::new(&edited).expect("big enough");
            cost.probe_time += t.elapsed();
            cost.probes += 1;
            cost.probe_hashes = probe.hash_count();
            for (j, other) in originals.iter().enumerate() {
                if other.half != o.half {
                    continue;
                }
                let distance = plain.distance(&hashes[j].hash);
                let dihedral = all
                    .iter()
                    .map(|d| d.hash.distance(&hashes[j].hash))
                    .min()
                    .unwrap_or(256);
                let t = ThreadTime::now();
                let windows = probe.hash_distance(&references[j]);
                cost.hash_time += t.elapsed();
                let t = ThreadTime::now();
                let al = probe.aligned(&references[j]);
                cost.align_time += t.elapsed();
                cost.comparisons += 1;
                cost.aligned += usize::from(al.is_some());
                let aligned = al.map_or(windows, |a| a.distance.min(windows));
                out.push(Pair {
                    distance,
                    dihedral,
                    windows,
                    aligned,
                    positive: i == j,
                    edit: if i == j { edit } else { "other" },
                    kind: kind(o),
                    half: o.half,
                });
            }
        }
        let probe = Probe::new(&DynamicImage::ImageRgb8(o.image.clone())).expect("big enough");
        for (j, other) in originals.iter().enumerate().skip(i + 1) {
            if other.half == o.half {
                let d = hashes[i].hash.distance(&hashes[j].hash);
                out.push(Pair {
                    distance: d,
                    dihedral: d,
                    windows: probe.hash_distance(&references[j]),
                    aligned: probe.distance(&references[j]),
                    positive: false,
                    edit: "other",
                    kind: kind(o),
                    half: o.half,
                });
            }
        }
    }
    (out, low_quality, cost)
}

/// The pairs of `set` but those of the edit `left_out`.
pub fn without<'a>(set: &[&'a Pair], left_out: Option<&str>) -> Vec<&'a Pair> {
    set.iter()
        .copied()
        .filter(|p| left_out.is_none_or(|e| p.edit != e))
        .collect()
}

/// Precision and recall at `threshold` (a pair is called a duplicate at distance ≤ it).
pub fn precision_recall(
    pairs: &[&Pair],
    threshold: u32,
    method: Method,
) -> (f64, f64, usize, usize) {
    let (mut tp, mut fp, mut pos) = (0usize, 0usize, 0usize);
    for p in pairs {
        let d = p.under(method);
        pos += usize::from(p.positive);
        if d <= threshold {
            if p.positive {
                tp += 1;
            } else {
                fp += 1;
            }
        }
    }
    let precision = if tp + fp == 0 {
        1.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    (precision, tp as f64 / pos.max(1) as f64, tp, fp)
}

/// The threshold with the best recall at precision ≥ `floor` on `pairs` (the largest such).
pub fn choose(pairs: &[&Pair], floor: f64, method: Method) -> u32 {
    (0..=128)
        .filter(|&t| precision_recall(pairs, t, method).0 >= floor)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(distance: u32, positive: bool) -> Pair {
        Pair {
            distance,
            dihedral: distance,
            windows: distance,
            aligned: distance,
            positive,
            edit: "x",
            kind: "photo",
            half: 'A',
        }
    }

    #[test]
    fn the_threshold_keeps_precision() {
        let set = [
            pair(2, true),
            pair(10, true),
            pair(40, true),
            pair(30, false),
            pair(90, false),
        ];
        let refs: Vec<&Pair> = set.iter().collect();
        assert_eq!(
            precision_recall(&refs, 10, Method::Plain),
            (1.0, 2.0 / 3.0, 2, 0)
        );
        assert_eq!(choose(&refs, 0.99, Method::Plain), 29);
        let (p, r, _, _) = precision_recall(&refs, 40, Method::Plain);
        assert!((p - 0.75).abs() < 1e-9 && (r - 1.0).abs() < 1e-9);
    }
}
