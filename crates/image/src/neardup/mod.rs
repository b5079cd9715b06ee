//! Near-duplicate hashes: PDQ made to find a re-shared picture that was cropped, framed or
//! captioned, which moves its plain hash as far as an unrelated picture's (a 5% crop or a 6%
//! border already puts it 40 to 130 bits away).
//!
//! Three things, on top of [`pdq`]:
//! - **Trimming** ([`content_box`]): rows and columns of one colour at the edges (a border,
//!   a coloured frame, a screenshot's own margin) are left out before hashing, on both
//!   sides, so a framed copy and its original hash the same content.
//! - **Windows**: both pictures are hashed whole, trimmed, and without their top or bottom
//!   fifth (where memes burn in their captions); a fact-check's picture (the [`Reference`],
//!   prepared once) keeps those 4 hashes, an item's (the [`Probe`]) has them in their 8
//!   mirrored and rotated forms (32).
//! - **Alignment**: PDQ moves by some 50 bits for a shift of 1% each way, so sub-window
//!   hashes would need thousands of windows to catch a crop at any offset. Instead the
//!   probe's trimmed content is located in the reference's from their row and column means
//!   (high-passed, the best normalized correlation over every length from 70% of the side
//!   and every start, coarse then sample by sample, each axis twice), and the probe is
//!   compared with the PDQ hash of that window ([`Probe::aligned`]). Pairs whose profiles
//!   do not correlate stop early, so an unrelated picture costs little.
//!
//! The distance of two pictures is the least of these ([`Probe::distance`], bits of 256),
//! with one check: a hash distance over [`MAX_UNCONFIRMED_DISTANCE`] counts only when the
//! alignment confirms it (the probe's content, or its mirror image, lines up with the
//! reference's within [`MAX_DISTANCE`]), and otherwise counts
//! `MAX_DISTANCE - MAX_UNCONFIRMED_DISTANCE` bits more. Screenshots of two different posts
//! in one app's layout hash as close as 26 bits when compared with thousands of them, while
//! their contents do not line up (46 bits and more); a re-shared copy's content does.
//! Both thresholds are calibrated on the evaluation set (`bench/images.sh`,
//! `bench/results/2026-12-06-neardup.txt`, and with 10,000 generated references
//! `bench/results/2026-12-06-image-threshold.txt`). A crop of the mirrored picture, and a
//! probe larger than the reference (the fact-check's picture a crop of the item's), are
//! not aligned.
//!
//! [`Index`] finds a probe's near-duplicates among many references without measuring the
//! probe against each: their window hashes in a multi-index ([`crate::hamming`]), their
//! outlines (row and column profiles at 32 samples) to shortlist the few worth aligning.

use image::DynamicImage;

use crate::pdq::{self, LumaPlane, Pdq, PdqHash, Rect};

mod index;
mod outline;

pub use index::{Candidate, Index, IndexSettings};

/// The largest distance ([`Probe::distance`], bits of 256) at which two pictures are
/// near-duplicates: the largest with precision ≥ 0.99 on half A of the evaluation set
/// against its 108 originals (`bench/results/2026-12-06-neardup.txt`). With 10,000
/// generated references it keeps precision ≥ 0.99 only with [`MAX_UNCONFIRMED_DISTANCE`]
/// (`bench/results/2026-12-06-image-threshold.txt`: on half B at 10,132 references
/// precision 0.88 without it).
pub const MAX_DISTANCE: u32 = 39;

/// The largest hash distance ([`Probe::hash_distance`]) that makes two pictures
/// near-duplicates without the alignment confirming it: the largest with no false match on
/// half A of the evaluation set among 10,108 references (its originals and 10,000 generated
/// screenshots and photos; `bench/results/2026-12-06-image-threshold.txt`), where the
/// closest screenshot of another post in the same layout is 26 bits away.
pub const MAX_UNCONFIRMED_DISTANCE: u32 = 25;

/// The side pictures are reduced to for alignment (and the aligned window's hash); the
/// other hashes are PDQ's own, at [`pdq::DOWNSAMPLE_SIDE`].
pub const WORK_SIDE: u32 = 256;
/// The share of a picture's height left out by the band windows (a burned-in caption).
const BAND: f32 = 0.2;
/// A probe is aligned with a reference when it covers at least this share of each of the
/// reference's sides (a crop of up to 30% each way).
const MIN_COVER: f32 = 0.7;
/// Profiles that correlate less than this after the first pass are not aligned further
/// (unrelated pictures, most of them: the evaluation's crops score 0.65 and more).
const MIN_SCORE_FIRST: f32 = 0.3;
/// Profiles that correlate less than this once aligned are not compared by hash.
const MIN_SCORE: f32 = 0.5;
/// The profiles are searched at this reduction first, then refined at full size.
const COARSE: usize = 4;

/// A line (row or column) is part of a border when at least this share of its samples are
/// within [`TRIM_TOLERANCE`] of the line's median.
const TRIM_SHARE: f32 = 0.98;
/// How far (of 255) a border's samples may stray from its colour: JPEG's ringing and noise.
const TRIM_TOLERANCE: f32 = 12.0;
/// Trimming never leaves less than this share of a side (a picture that is nearly all one
/// colour is hashed as it is).
const TRIM_KEEP: f32 = 0.2;

/// The part of `plane` inside its uniform edges: rows and columns from each edge whose
/// samples are (nearly) one colour are left out, again until none is, so a border around a
/// screenshot's own white margin goes with it, and then the seam line next to each trimmed
/// edge. The whole plane when trimming would leave less than a fifth of a side.
pub fn content_box(plane: &LumaPlane) -> Rect {
    let (w, h) = (plane.width(), plane.height());
    let (mut left, mut right, mut top, mut bottom) = (0usize, w, 0usize, h);
    let min_w = ((w as f32 * TRIM_KEEP).ceil() as usize).max(pdq::MIN_SIDE as usize);
    let min_h = ((h as f32 * TRIM_KEEP).ceil() as usize).max(pdq::MIN_SIDE as usize);
    let mut scratch = Vec::with_capacity(w.max(h));
    let mut uniform = |values: &mut dyn Iterator<Item = f32>| -> bool {
        scratch.clear();
        scratch.extend(values);
        is_uniform(&mut scratch)
    };
    loop {
        let before = (left, right, top, bottom);
        while bottom - top > min_h && uniform(&mut (left..right).map(|x| plane.at(x, top))) {
            top += 1;
        }
        while bottom - top > min_h && uniform(&mut (left..right).map(|x| plane.at(x, bottom - 1))) {
            bottom -= 1;
        }
        while right - left > min_w && uniform(&mut (top..bottom).map(|y| plane.at(left, y))) {
            left += 1;
        }
        while right - left > min_w && uniform(&mut (top..bottom).map(|y| plane.at(right - 1, y))) {
            right -= 1;
        }
        if (left, right, top, bottom) == before {
            break;
        }
    }
    // The line where a border meets the picture is a blend of both (resizing, JPEG): it
    // goes too, on each side that was trimmed.
    let seam = |trimmed: bool| usize::from(trimmed);
    left += seam(left > 0);
    top += seam(top > 0);
    right -= seam(right < w);
    bottom -= seam(bottom < h);
    if bottom.saturating_sub(top) <= min_h || right.saturating_sub(left) <= min_w {
        return plane.full();
    }
    Rect {
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
    }
}

/// Whether nearly all of `values` are within the tolerance of their median (reorders them).
fn is_uniform(values: &mut [f32]) -> bool {
    if values.is_empty() {
        return true;
    }
    let mid = values.len() / 2;
    let (_, median, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    let median = *median;
    let off = values
        .iter()
        .filter(|v| (**v - median).abs() > TRIM_TOLERANCE)
        .count();
    off as f32 <= values.len() as f32 * (1.0 - TRIM_SHARE)
}

/// The windows of `plane` hashed on both sides: the whole, its content, and the whole
/// without its bottom band or its top band.
fn windows(plane: &LumaPlane, content: Rect) -> [Rect; 4] {
    let full = plane.full();
    let band = (plane.height() as f32 * BAND).round() as usize;
    [
        full,
        content,
        Rect {
            height: full.height - band,
            ..full
        },
        Rect {
            y: band,
            height: full.height - band,
            ..full
        },
    ]
}

/// An item's picture, ready to be compared with references ([`Probe::distance`]).
#[derive(Debug, Clone)]
pub struct Probe {
    content: LumaPlane,
    content_hash: PdqHash,
    /// The content without its bottom band, then without its top band (a caption burned
    /// into a crop), with their hashes: aligned when the whole content is not near.
    banded: Vec<(Part, LumaPlane, PdqHash)>,
    /// The content mirrored left to right, with its hash: aligned only to confirm a hash
    /// match (the hashes are mirrored already; aligning every pair twice would cost twice).
    mirrored: (LumaPlane, PdqHash),
    hashes: Vec<PdqHash>,
    quality: u8,
}

impl Probe {
    /// `image` hashed as PDQ reduces it over its windows (whole, trimmed, bands) in their
    /// 8 dihedral forms (32 hashes), and its trimmed content kept at [`WORK_SIDE`] for
    /// alignment; `None` when a side is under [`pdq::MIN_SIDE`] pixels.
    pub fn new(image: &DynamicImage) -> Option<Probe> {
        let big = LumaPlane::of(image)?;
        let mut hashes = Vec::with_capacity(32);
        let mut quality = 0;
        for (n, rect) in windows(&big, content_box(&big)).into_iter().enumerate() {
            if let Some(all) = big.hash_dihedral(rect) {
                if n == 0 {
                    quality = all[0].quality;
                }
                hashes.extend(all.iter().map(|p| p.hash));
            }
        }
        let plane = LumaPlane::at_most(image, WORK_SIDE)?;
        let content = plane.crop(content_box(&plane))?;
        let content_hash = content.hash(content.full())?.hash;
        let band = (content.height() as f32 * BAND).round() as usize;
        let banded = [
            (
                Part::WithoutBottom,
                Rect {
                    height: content.height() - band,
                    ..content.full()
                },
            ),
            (
                Part::WithoutTop,
                Rect {
                    y: band,
                    height: content.height() - band,
                    ..content.full()
                },
            ),
        ]
        .into_iter()
        .filter_map(|(which, rect)| {
            let part = content.crop(rect)?;
            let hash = part.hash(part.full())?.hash;
            Some((which, part, hash))
        })
        .collect();
        let mirrored = content.mirrored();
        let mirrored_hash = mirrored.hash(mirrored.full())?.hash;
        Some(Probe {
            content,
            content_hash,
            banded,
            mirrored: (mirrored, mirrored_hash),
            hashes,
            quality,
        })
    }

    /// The PDQ quality of the whole picture (under [`pdq::MIN_QUALITY`], too plain to
    /// match on).
    pub fn quality(&self) -> u8 {
        self.quality
    }

    /// How many hashes it is searched with.
    pub fn hash_count(&self) -> usize {
        self.hashes.len()
    }

    /// The least distance between its hashes and the reference's (whole, content, bands;
    /// mirrored and rotated), without alignment.
    pub fn hash_distance(&self, reference: &Reference) -> u32 {
        self.hashes
            .iter()
            .flat_map(|p| reference.hashes.iter().map(move |r| p.distance(r)))
            .min()
            .unwrap_or(256)
    }

    /// The distance between its content's hash and the hash of the window of the
    /// reference's content it lines up with (a crop found by aligning the two pictures' row
    /// and column profiles); `None` when it covers too little of the reference or the
    /// profiles do not line up.
    pub fn aligned_distance(&self, reference: &Reference) -> Option<u32> {
        self.aligned(reference).map(|a| a.distance)
    }

    /// [`Probe::aligned_distance`] with the window and how well the profiles agree.
    ///
    /// When the whole content is not within [`MAX_DISTANCE`] of its window, the content
    /// without its bottom band, then without its top band, is aligned too (a crop with a
    /// caption burned in: the band is not in the reference), and the nearest is kept.
    pub fn aligned(&self, reference: &Reference) -> Option<Aligned> {
        let whole = aligned_part(Part::Whole, &self.content, &self.content_hash, reference);
        if whole.is_some_and(|a| a.distance <= MAX_DISTANCE) {
            return whole;
        }
        self.banded
            .iter()
            .filter_map(|(which, part, hash)| aligned_part(*which, part, hash, reference))
            .chain(whole)
            .min_by_key(|a| a.distance)
    }

    /// [`Probe::aligned`] for the probe's content mirrored left to right (a mirrored copy
    /// of the reference; [`Probe::distance`] looks at it only to confirm a hash match).
    pub fn mirrored_aligned(&self, reference: &Reference) -> Option<Aligned> {
        let (part, hash) = &self.mirrored;
        aligned_part(Part::Mirrored, part, hash, reference)
    }

    /// The distance of the two pictures as near-duplicates, in bits of 256: the least of
    /// [`Probe::hash_distance`] and [`Probe::aligned_distance`], where a hash distance over
    /// [`MAX_UNCONFIRMED_DISTANCE`] counts as it is only when the probe's content, or its
    /// mirror image, lines up with the reference's within [`MAX_DISTANCE`], and otherwise
    /// [`unconfirmed_distance`] (more, so that it is no near-duplicate by hash alone).
    pub fn distance(&self, reference: &Reference) -> u32 {
        near_distance(
            self.hash_distance(reference),
            self.aligned_distance(reference),
            // A mirrored copy: its hashes match through a mirrored form, and only its
            // mirror image lines up.
            || {
                self.mirrored_aligned(reference)
                    .is_some_and(|a| a.distance <= MAX_DISTANCE)
            },
        )
    }
}

/// The near-duplicate distance ([`Probe::distance`]) of a pair from its hash distance, its
/// aligned distance, and whether the probe's mirror image lines up with the reference
/// (asked only when that decides).
fn near_distance(hashed: u32, aligned: Option<u32>, mirror_lines_up: impl FnOnce() -> bool) -> u32 {
    let confirmed = hashed <= MAX_UNCONFIRMED_DISTANCE
        || aligned.is_some_and(|d| d <= MAX_DISTANCE)
        || (hashed <= MAX_DISTANCE && mirror_lines_up());
    let hashed = if confirmed {
        hashed
    } else {
        unconfirmed_distance(hashed)
    };
    aligned.map_or(hashed, |d| d.min(hashed))
}

/// What a hash distance counts for when the alignment does not confirm it: as it is up to
/// [`MAX_UNCONFIRMED_DISTANCE`], and `MAX_DISTANCE - MAX_UNCONFIRMED_DISTANCE` bits more
/// over it (so that one just over is just over [`MAX_DISTANCE`]).
pub fn unconfirmed_distance(hash_distance: u32) -> u32 {
    if hash_distance <= MAX_UNCONFIRMED_DISTANCE {
        hash_distance
    } else {
        hash_distance + (MAX_DISTANCE - MAX_UNCONFIRMED_DISTANCE)
    }
}

/// `part` of a probe (its content, or the content less a band) aligned with `reference`.
fn aligned_part(
    which: Part,
    part: &LumaPlane,
    hash: &PdqHash,
    reference: &Reference,
) -> Option<Aligned> {
    let (window, score) = align(&reference.content, part)?;
    let window_hash = reference.content.hash(window)?;
    Some(Aligned {
        part: which,
        window,
        score,
        distance: hash.distance(&window_hash),
    })
}

/// How a probe lines up with a reference ([`Probe::aligned`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aligned {
    /// The part of the probe's content aligned.
    pub part: Part,
    /// The window of the reference's content (its trimmed plane at [`WORK_SIDE`]) the
    /// probe shows.
    pub window: Rect,
    /// The lesser of the two profiles' correlations there (-1 to 1).
    pub score: f32,
    /// Bits of 256 between the probe's content hash and the window's.
    pub distance: u32,
}

/// The part of a probe's content that is aligned with a reference ([`Probe::aligned`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// All of its content.
    Whole,
    /// Its content without the bottom band (a caption burned in there).
    WithoutBottom,
    /// Its content without the top band.
    WithoutTop,
    /// Its content mirrored left to right (only to confirm a hash match).
    Mirrored,
}

/// A fact-check's picture, ready to be compared with probes: its content (kept for
/// alignment as one byte of luma a sample, [`WORK_SIDE`]² bytes at most) and the hashes of
/// its windows.
#[derive(Debug, Clone)]
pub struct Reference {
    content: Compact,
    hashes: Vec<PdqHash>,
}

impl Reference {
    /// `image` hashed as PDQ reduces it over its 4 windows (whole, trimmed, bands), and its
    /// trimmed content kept at [`WORK_SIDE`] for alignment; `None` when a side is under
    /// [`pdq::MIN_SIDE`] pixels.
    pub fn new(image: &DynamicImage) -> Option<Reference> {
        let big = LumaPlane::of(image)?;
        let hashes = windows(&big, content_box(&big))
            .into_iter()
            .filter_map(|rect| big.hash(rect).map(|p: Pdq| p.hash))
            .collect();
        let plane = LumaPlane::at_most(image, WORK_SIDE)?;
        Some(Reference {
            content: Compact::of(&plane, content_box(&plane)),
            hashes,
        })
    }

    /// The bytes it holds (luma, profiles and hashes), for sizing a cache.
    pub fn size(&self) -> usize {
        self.content.luma.len() + self.content.columns.len() * 4 + self.hashes.len() * 32
    }
}

/// A reference's content as bytes, with its column means over all rows (the alignment's
/// first step).
#[derive(Debug, Clone)]
struct Compact {
    luma: Vec<u8>,
    width: usize,
    height: usize,
    columns: Vec<f32>,
}

impl Compact {
    fn of(plane: &LumaPlane, rect: Rect) -> Compact {
        let mut luma = Vec::with_capacity(rect.width * rect.height);
        for y in rect.y..rect.y + rect.height {
            for x in rect.x..rect.x + rect.width {
                luma.push(plane.at(x, y).round().clamp(0.0, 255.0) as u8);
            }
        }
        let mut out = Compact {
            luma,
            width: rect.width,
            height: rect.height,
            columns: Vec::new(),
        };
        out.columns = out.column_means(0..out.height);
        out
    }

    fn column_means(&self, rows: std::ops::Range<usize>) -> Vec<f32> {
        let mut sums = vec![0u32; self.width];
        for y in rows.clone() {
            let row = &self.luma[y * self.width..(y + 1) * self.width];
            for (s, v) in sums.iter_mut().zip(row) {
                *s += u32::from(*v);
            }
        }
        let n = rows.len().max(1) as f32;
        sums.into_iter().map(|s| s as f32 / n).collect()
    }

    fn row_means(&self, cols: std::ops::Range<usize>) -> Vec<f32> {
        let n = cols.len().max(1) as f32;
        (0..self.height)
            .map(|y| {
                let row = &self.luma[y * self.width..(y + 1) * self.width];
                row[cols.clone()].iter().map(|v| u32::from(*v)).sum::<u32>() as f32 / n
            })
            .collect()
    }

    /// The PDQ hash of the window `rect` (inside the content).
    fn hash(&self, rect: Rect) -> Option<PdqHash> {
        if rect.width < pdq::MIN_SIDE as usize
            || rect.height < pdq::MIN_SIDE as usize
            || rect.x + rect.width > self.width
            || rect.y + rect.height > self.height
        {
            return None;
        }
        let mut values = Vec::with_capacity(rect.width * rect.height);
        for y in rect.y..rect.y + rect.height {
            let row = &self.luma[y * self.width + rect.x..y * self.width + rect.x + rect.width];
            values.extend(row.iter().map(|v| f32::from(*v)));
        }
        Some(pdq::hash_luma(values, rect.width, rect.height).hash)
    }
}

/// The window of `reference` that `probe` shows, found axis by axis from the row and
/// column means (each refined once the other axis is known); `None` when the probe covers
/// less than [`MIN_COVER`] of a side or a profile is flat.
fn align(reference: &Compact, probe: &LumaPlane) -> Option<(Rect, f32)> {
    let probe_cols = probe.column_means(0..probe.height());
    let probe_rows = probe.row_means(0..probe.width());
    let (x, w, sx) = align_axis(&reference.columns, &probe_cols)?;
    let (y, h, sy) = align_axis(&reference.row_means(x..x + w), &probe_rows)?;
    if sx.min(sy) < MIN_SCORE_FIRST {
        return None;
    }
    let (x, w, sx) = align_axis(&reference.column_means(y..y + h), &probe_cols)?;
    let (y, h, sy) = align_axis(&reference.row_means(x..x + w), &probe_rows)?;
    let score = sx.min(sy);
    (score >= MIN_SCORE).then_some((
        Rect {
            x,
            y,
            width: w,
            height: h,
        },
        score,
    ))
}

/// Where `probe` (a profile) lies along `reference`: the start and length, in reference
/// samples, whose stretch of `reference` best correlates with `probe` stretched to it.
fn align_axis(reference: &[f32], probe: &[f32]) -> Option<(usize, usize, f32)> {
    let n = reference.len();
    if n < 8 || probe.len() < 8 {
        return None;
    }
    let (reference, probe) = (high_pass(reference), high_pass(probe));
    // Coarse: both profiles in blocks of COARSE samples, every length and start.
    let (rc, pc) = (blocks(&reference, COARSE), blocks(&probe, COARSE));
    let nc = rc.len();
    let shortest = ((nc as f32 * MIN_COVER).floor() as usize).max(2);
    let mut best: Option<(f32, usize, usize)> = None;
    for len in shortest..=nc {
        let stretched = stretch(&pc, len);
        for start in 0..=nc - len {
            let score = ncc(&rc[start..start + len], &stretched);
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, start, len));
            }
        }
    }
    let (_, start, len) = best?;
    // Fine: around the coarse answer, sample by sample.
    let shortest = (n as f32 * MIN_COVER).floor() as usize;
    let mut best: Option<(f32, usize, usize)> = None;
    let lens = (len * COARSE).saturating_sub(COARSE).max(shortest)..=(len * COARSE + COARSE).min(n);
    for len in lens {
        let stretched = stretch(&probe, len);
        let from = (start * COARSE).saturating_sub(COARSE);
        let to = (start * COARSE + COARSE).min(n - len);
        for start in from..=to {
            let score = ncc(&reference[start..start + len], &stretched);
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, start, len));
            }
        }
    }
    let (score, start, len) = best?;
    (score > 0.0).then_some((start, len, score))
}

/// `values` less their moving mean over an eighth of their length: the profile's detail,
/// without the slow shading a caption band or a gradient adds.
fn high_pass(values: &[f32]) -> Vec<f32> {
    let n = values.len();
    let half = (n / 16).max(1);
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0f64);
    for v in values {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + f64::from(*v));
    }
    (0..n)
        .map(|i| {
            let (lo, hi) = (i.saturating_sub(half), (i + half + 1).min(n));
            values[i] - ((prefix[hi] - prefix[lo]) / (hi - lo) as f64) as f32
        })
        .collect()
}

/// The means of consecutive blocks of `size` values (the last one shorter).
fn blocks(values: &[f32], size: usize) -> Vec<f32> {
    values
        .chunks(size)
        .map(|c| c.iter().sum::<f32>() / c.len() as f32)
        .collect()
}

/// `values` resampled (linearly) to `len` samples.
fn stretch(values: &[f32], len: usize) -> Vec<f32> {
    let n = values.len();
    let scale = n as f32 / len as f32;
    (0..len)
        .map(|i| {
            let at = ((i as f32 + 0.5) * scale - 0.5).clamp(0.0, (n - 1) as f32);
            let lo = at.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let t = at - lo as f32;
            values[lo] * (1.0 - t) + values[hi] * t
        })
        .collect()
}

/// The normalized cross-correlation of two equally long sequences (0 when one is flat).
fn ncc(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()) as f32;
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut ab, mut aa, mut bb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x - ma, y - mb);
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa <= f32::EPSILON || bb <= f32::EPSILON {
        0.0
    } else {
        ab / (aa * bb).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stretched_stretch_of_a_profile_is_found_where_it_was_cut() {
        // A random walk (no period for the search to be fooled by).
        let mut state = 7u64;
        let mut level = 128f32;
        let reference: Vec<f32> = (0..240)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                level += ((state >> 33) % 21) as f32 - 10.0;
                level
            })
            .collect();
        // Samples 30..200 (71% of it), resized to 200 samples.
        let probe = stretch(&reference[30..200], 200);
        let (start, len, score) = align_axis(&reference, &probe).unwrap();
        assert!(start.abs_diff(30) <= 1, "{start} {len} {score}");
        assert!(len.abs_diff(170) <= 2, "{start} {len} {score}");
        assert!(score > 0.9, "{score}");
        // Less than 70% of the side is not looked for.
        let short = stretch(&reference[30..150], 200);
        let found = align_axis(&reference, &short).map(|(s, l, _)| (s, l));
        assert_ne!(found.map(|(s, _)| s.abs_diff(30) <= 1), Some(true));
    }

    #[test]
    fn a_hash_match_counts_past_the_unconfirmed_bound_only_when_confirmed() {
        let never = || -> bool { panic!("the mirror asked for a hash match that needs none") };
        for hashed in 0..=MAX_UNCONFIRMED_DISTANCE {
            assert_eq!(near_distance(hashed, None, never), hashed);
            assert_eq!(
                near_distance(hashed, Some(MAX_DISTANCE + 30), never),
                hashed
            );
        }
        for hashed in MAX_UNCONFIRMED_DISTANCE + 1..=MAX_DISTANCE {
            // Nothing lines up: no near-duplicate by hash alone.
            assert!(near_distance(hashed, None, || false) > MAX_DISTANCE);
            assert!(near_distance(hashed, Some(MAX_DISTANCE + 1), || false) > MAX_DISTANCE);
            // The content lines up, or its mirror image does: the hash distance counts.
            assert_eq!(
                near_distance(hashed, Some(MAX_DISTANCE), never),
                hashed.min(MAX_DISTANCE)
            );
            assert_eq!(near_distance(hashed, None, || true), hashed);
        }
        // Past the threshold the mirror is not asked, and an alignment within it still wins.
        assert!(near_distance(MAX_DISTANCE + 1, None, never) > MAX_DISTANCE);
        assert_eq!(near_distance(MAX_DISTANCE + 40, Some(12), never), 12);
    }

    #[test]
    fn an_unconfirmed_distance_grows_with_the_hash_distance_and_crosses_the_threshold_just_past_the_bound()
     {
        assert_eq!(
            unconfirmed_distance(MAX_UNCONFIRMED_DISTANCE),
            MAX_UNCONFIRMED_DISTANCE
        );
        assert_eq!(
            unconfirmed_distance(MAX_UNCONFIRMED_DISTANCE + 1),
            MAX_DISTANCE + 1
        );
        assert!((0..256).all(|d| unconfirmed_distance(d) < unconfirmed_distance(d + 1)));
    }

    #[test]
    fn a_line_is_uniform_within_the_tolerance_and_a_share() {
        let mut noisy: Vec<f32> = (0..200).map(|i| 250.0 - (i % 9) as f32).collect();
        assert!(is_uniform(&mut noisy.clone()));
        // Under 2% of the samples off is allowed, 5% is picture.
        for v in noisy.iter_mut().take(3) {
            *v = 0.0;
        }
        assert!(is_uniform(&mut noisy.clone()));
        for v in noisy.iter_mut().take(10) {
            *v = 0.0;
        }
        assert!(!is_uniform(&mut noisy));
        let mut ramp: Vec<f32> = (0..200).map(|i| i as f32).collect();
        assert!(!is_uniform(&mut ramp));
    }
}
