//! PDQ, the perceptual hash fact-checkers and platforms exchange (Meta, 2019): 256 bits
//! compared by Hamming distance, with a quality score that says whether the picture has
//! enough detail for its hash to mean anything.
//!
//! Written here from the published algorithm (ThreatExchange `hashing/hashing.pdf`), step for
//! step as the reference C++ does it, so the hashes are the ones other desks compute:
//! luma (0.299 R + 0.587 G + 0.114 B) → two passes of a Jarosz tent filter (box filters along
//! rows then columns, window ⌈side / 128⌉) → 64 × 64 samples at the cells' centres → the
//! 16 × 16 low-frequency corner of the 2-D DCT → each coefficient compared with their median.
//! The quality is the reference's integer gradient sum of the 64 × 64 samples. The tests check
//! hashes against the reference implementation's output on generated images.
//!
//! The `pdqhash` crate would pull a second, old copy of the `image` crate (0.23) into the
//! build; the algorithm is a page of arithmetic.

use std::fmt;

use image::DynamicImage;

/// The side of the downsampled picture the DCT reads.
const SIDE: usize = 64;
/// The side of the DCT's low-frequency corner: 16 × 16 = 256 bits.
const CORNER: usize = 16;
/// Pictures are first reduced to at most this side, as the reference tools do: the hash of a
/// large photo is the hash of its 512-pixel version, and costs a fraction of the time.
pub const DOWNSAMPLE_SIDE: u32 = 512;
/// Below this side a picture has too little to hash.
pub const MIN_SIDE: u32 = 5;
/// The reference's suggestion: hashes with a quality below this are too plain to match on.
pub const MIN_QUALITY: u8 = 50;

/// A 256-bit PDQ hash, in the reference's byte order (its hex form is the reference's).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PdqHash(pub [u8; 32]);

impl PdqHash {
    /// How many of the 256 bits differ: 0 for the same picture, around 128 for unrelated
    /// ones; re-encoded, resized or lightly cropped copies stay within a few dozen.
    pub fn distance(&self, other: &PdqHash) -> u32 {
        self.0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    /// The 64 lower-case hex digits the reference prints.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses [`PdqHash::to_hex`]'s form back.
    pub fn from_hex(hex: &str) -> Option<PdqHash> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(PdqHash(out))
    }

    fn words(&self) -> [u64; 4] {
        let mut w = [0u64; 4];
        for (i, chunk) in self.0.chunks_exact(8).enumerate() {
            w[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
        }
        w
    }
}

impl fmt::Debug for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PdqHash({})", self.to_hex())
    }
}

impl fmt::Display for PdqHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A picture's PDQ hash and its quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pdq {
    /// The hash.
    pub hash: PdqHash,
    /// 0 (flat, no detail: the hash is noise) to 100.
    pub quality: u8,
}

/// Hashes a picture, reduced to [`DOWNSAMPLE_SIDE`] first when larger. `None` when a side
/// is under [`MIN_SIDE`] pixels.
pub fn hash(image: &DynamicImage) -> Option<Pdq> {
    let (luma, width, height) = luma_of(image)?;
    Some(hash_luma(luma, width, height))
}

/// A picture's luma, reduced to [`DOWNSAMPLE_SIDE`] as [`hash`] reduces it, kept so that
/// several windows of it can be hashed without decoding or resizing again (the
/// near-duplicate hashes of [`crate::neardup`]).
#[derive(Debug, Clone)]
pub struct LumaPlane {
    values: Vec<f32>,
    width: usize,
    height: usize,
}

impl LumaPlane {
    /// The luma of `image` as [`hash`] computes it; `None` when a side is under
    /// [`MIN_SIDE`] pixels.
    pub fn of(image: &DynamicImage) -> Option<LumaPlane> {
        LumaPlane::at_most(image, DOWNSAMPLE_SIDE)
    }

    /// The luma of `image` reduced to at most `side` pixels a side (the same filter as
    /// [`LumaPlane::of`]); `None` when a side is under [`MIN_SIDE`] pixels.
    pub fn at_most(image: &DynamicImage, side: u32) -> Option<LumaPlane> {
        let (values, width, height) = luma_at(image, side)?;
        Some(LumaPlane {
            values,
            width,
            height,
        })
    }

    /// The window `rect` (clipped to the plane) as a plane of its own; `None` when it has a
    /// side under [`MIN_SIDE`].
    pub fn crop(&self, rect: Rect) -> Option<LumaPlane> {
        let (values, width, height) = self.window(rect)?;
        Some(LumaPlane {
            values,
            width,
            height,
        })
    }

    /// The plane mirrored left to right.
    pub fn mirrored(&self) -> LumaPlane {
        let values = self
            .values
            .chunks(self.width)
            .flat_map(|row| row.iter().rev().copied())
            .collect();
        LumaPlane {
            values,
            width: self.width,
            height: self.height,
        }
    }

    /// The mean of each column over the rows `rows` (clipped to the plane).
    pub fn column_means(&self, rows: std::ops::Range<usize>) -> Vec<f32> {
        let rows = rows.start.min(self.height)..rows.end.min(self.height);
        let mut out = vec![0f32; self.width];
        for y in rows.clone() {
            for (o, v) in out.iter_mut().zip(self.row(y)) {
                *o += v;
            }
        }
        let n = rows.len().max(1) as f32;
        out.iter_mut().for_each(|o| *o /= n);
        out
    }

    /// The mean of each row over the columns `cols` (clipped to the plane).
    pub fn row_means(&self, cols: std::ops::Range<usize>) -> Vec<f32> {
        let cols = cols.start.min(self.width)..cols.end.min(self.width);
        let n = cols.len().max(1) as f32;
        (0..self.height)
            .map(|y| self.row(y)[cols.clone()].iter().sum::<f32>() / n)
            .collect()
    }

    /// Its width in samples.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Its height in samples.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The luma at column `x`, row `y` (0 to 255).
    ///
    /// # Panics
    /// Outside the plane.
    pub fn at(&self, x: usize, y: usize) -> f32 {
        assert!(x < self.width && y < self.height, "inside the plane");
        self.values[y * self.width + x]
    }

    /// One row's values.
    fn row(&self, y: usize) -> &[f32] {
        &self.values[y * self.width..(y + 1) * self.width]
    }

    /// The hash of the window `rect` (clipped to the plane); `None` when the window has a
    /// side under [`MIN_SIDE`]. The whole plane's hash is [`hash`]'s.
    pub fn hash(&self, rect: Rect) -> Option<Pdq> {
        let (luma, width, height) = self.window(rect)?;
        Some(hash_luma(luma, width, height))
    }

    /// The 8 dihedral hashes of the window `rect`, as [`hash_dihedral`] computes them for a
    /// picture; `None` as for [`LumaPlane::hash`].
    pub fn hash_dihedral(&self, rect: Rect) -> Option<[Pdq; 8]> {
        let (luma, width, height) = self.window(rect)?;
        Some(dihedral_of_luma(luma, width, height))
    }

    /// The whole plane as a window.
    pub fn full(&self) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width: self.width,
            height: self.height,
        }
    }

    fn window(&self, rect: Rect) -> Option<(Vec<f32>, usize, usize)> {
        let x0 = rect.x.min(self.width);
        let y0 = rect.y.min(self.height);
        let x1 = rect.x.saturating_add(rect.width).min(self.width);
        let y1 = rect.y.saturating_add(rect.height).min(self.height);
        let (width, height) = (x1 - x0, y1 - y0);
        if width < MIN_SIDE as usize || height < MIN_SIDE as usize {
            return None;
        }
        if width == self.width && height == self.height {
            return Some((self.values.clone(), width, height));
        }
        let mut out = Vec::with_capacity(width * height);
        for y in y0..y1 {
            out.extend_from_slice(&self.row(y)[x0..x1]);
        }
        Some((out, width, height))
    }
}

/// A window of a [`LumaPlane`], in its samples: columns `x..x + width`, rows
/// `y..y + height`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    /// The first column.
    pub x: usize,
    /// The first row.
    pub y: usize,
    /// How many columns.
    pub width: usize,
    /// How many rows.
    pub height: usize,
}

/// The luma of `image` reduced to [`DOWNSAMPLE_SIDE`], with its sides.
fn luma_of(image: &DynamicImage) -> Option<(Vec<f32>, usize, usize)> {
    luma_at(image, DOWNSAMPLE_SIDE)
}

/// The luma of `image` reduced to at most `side` pixels a side, with its sides.
fn luma_at(image: &DynamicImage, side: u32) -> Option<(Vec<f32>, usize, usize)> {
    if image.width() < MIN_SIDE || image.height() < MIN_SIDE {
        return None;
    }
    let small;
    let side = side.max(MIN_SIDE);
    let image = if image.width() > side || image.height() > side {
        small = image.resize(side, side, image::imageops::FilterType::Triangle);
        &small
    } else {
        image
    };
    let rgb = image.to_rgb8();
    let (width, height) = (rgb.width() as usize, rgb.height() as usize);
    let luma: Vec<f32> = rgb
        .pixels()
        .map(|p| {
            // In double, then rounded once, as the reference's bindings do.
            (0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])) as f32
        })
        .collect();
    Some((luma, width, height))
}

/// The quality and the DCT corner of a luma picture (see [`hash_luma`]).
fn corner_of_luma(mut luma: Vec<f32>, width: usize, height: usize) -> (u8, [f32; CORNER * CORNER]) {
    assert_eq!(luma.len(), width * height, "a luma value per pixel");
    assert!(width > 0 && height > 0, "a picture");
    let window_along_rows = jarosz_window(width);
    let window_along_cols = jarosz_window(height);
    let mut scratch = vec![0f32; luma.len()];
    for _ in 0..2 {
        for row in 0..height {
            let range = row * width..(row + 1) * width;
            box_filter(
                &luma[range.clone()],
                1,
                &mut scratch[range],
                1,
                width,
                window_along_rows,
            );
        }
        for col in 0..width {
            box_filter(
                &scratch[col..],
                width,
                &mut luma[col..],
                width,
                height,
                window_along_cols,
            );
        }
    }
    let mut samples = [[0f32; SIDE]; SIDE];
    for (i, row) in samples.iter_mut().enumerate() {
        let from_row = ((2 * i + 1) * height) / (2 * SIDE);
        for (j, value) in row.iter_mut().enumerate() {
            let from_col = ((2 * j + 1) * width) / (2 * SIDE);
            *value = luma[from_row * width + from_col];
        }
    }
    (quality(&samples), dct_corner(&samples))
}

/// Hashes a luma picture (row-major, `width × height` values in 0..=255) at full size: the
/// reference's `pdqHash256FromFloatLuma`.
///
/// # Panics
/// When `luma.len() != width * height` or a side is zero.
pub fn hash_luma(luma: Vec<f32>, width: usize, height: usize) -> Pdq {
    let (quality, corner) = corner_of_luma(luma, width, height);
    Pdq {
        hash: bits(&corner),
        quality,
    }
}

/// The hashes of the picture's 8 dihedral transforms (itself, mirrored, flipped, rotated,
/// transposed), computed from its one DCT as the reference's `dihedral` functions do: a
/// mirror only changes the signs of the odd-frequency coefficients, a transpose swaps rows
/// and columns. Searching with all 8 finds a mirrored or rotated copy. The first is
/// [`hash`]'s; `None` as for [`hash`].
pub fn hash_dihedral(image: &DynamicImage) -> Option<[Pdq; 8]> {
    let (luma, width, height) = luma_of(image)?;
    Some(dihedral_of_luma(luma, width, height))
}

/// [`hash_dihedral`] of a luma picture at full size.
fn dihedral_of_luma(luma: Vec<f32>, width: usize, height: usize) -> [Pdq; 8] {
    let (quality, corner) = corner_of_luma(luma, width, height);
    let mut out = [Pdq {
        hash: PdqHash([0; 32]),
        quality,
    }; 8];
    for (n, slot) in out.iter_mut().enumerate() {
        let (transpose, mirror, flip) = (n & 4 != 0, n & 1 != 0, n & 2 != 0);
        let mut variant = [0f32; CORNER * CORNER];
        for i in 0..CORNER {
            for j in 0..CORNER {
                // Frequency j + 1 along the rows changes sign under a mirror when it is odd.
                let mut v = corner[i * CORNER + j];
                if mirror && j % 2 == 0 {
                    v = -v;
                }
                if flip && i % 2 == 0 {
                    v = -v;
                }
                let k = if transpose {
                    j * CORNER + i
                } else {
                    i * CORNER + j
                };
                variant[k] = v;
            }
        }
        slot.hash = bits(&variant);
    }
    out
}

/// Each coefficient against the median: the 256 bits.
fn bits(corner: &[f32; CORNER * CORNER]) -> PdqHash {
    let mut sorted = *corner;
    sorted.sort_by(f32::total_cmp);
    // The reference's Torben median of 256 values is the 128th smallest.
    let median = sorted[corner.len().div_ceil(2) - 1];
    let mut bytes = [0u8; 32];
    for (k, value) in corner.iter().enumerate() {
        if *value > median {
            bytes[31 - k / 8] |= 1 << (k % 8);
        }
    }
    PdqHash(bytes)
}

/// The tent filter's box width for a side: ⌈side / 128⌉ (the reference's rounding).
fn jarosz_window(side: usize) -> usize {
    side.div_ceil(2 * SIDE)
}

/// A centred moving average of `len` values read every `in_stride` from `input`, written
/// every `out_stride` to `output`; the window shrinks at the ends, as the reference's does.
fn box_filter(
    input: &[f32],
    in_stride: usize,
    output: &mut [f32],
    out_stride: usize,
    len: usize,
    window: usize,
) {
    // Values [i - before, i + after) are in the window at i: the reference's window of
    // `window` values, (window + 2) / 2 - 1 of them after the centre.
    let after = (window + 2) / 2;
    let before = window - after;
    let mut sum = 0f32;
    let mut count = 0f32;
    let (mut lo, mut hi) = (0usize, 0usize);
    for i in 0..len {
        let want_hi = (i + after).min(len);
        while hi < want_hi {
            sum += input[hi * in_stride];
            count += 1.0;
            hi += 1;
        }
        let want_lo = i.saturating_sub(before);
        while lo < want_lo {
            sum -= input[lo * in_stride];
            count -= 1.0;
            lo += 1;
        }
        output[i * out_stride] = sum / count;
    }
}

/// The reference's quality: the sum of significant gradients over the 64 × 64 samples.
fn quality(samples: &[[f32; SIDE]; SIDE]) -> u8 {
    let mut gradients: i64 = 0;
    let step = |u: f32, v: f32| -> i64 { ((u - v) * 100.0 / 255.0) as i64 };
    for pair in samples.windows(2) {
        for (u, v) in pair[0].iter().zip(pair[1].iter()) {
            gradients += step(*u, *v).abs();
        }
    }
    for row in samples.iter() {
        for j in 0..SIDE - 1 {
            gradients += step(row[j], row[j + 1]).abs();
        }
    }
    (gradients / 90).min(100) as u8
}

/// The 16 × 16 low-frequency corner of the 64 × 64 DCT-II: D · A · Dᵀ with
/// D[i][j] = √(2/64) · cos(π/128 · (i + 1) · (2j + 1)) (the constant term left out).
fn dct_corner(samples: &[[f32; SIDE]; SIDE]) -> [f32; CORNER * CORNER] {
    // The reference keeps the scale in single precision and the cosine in double.
    let scale = f64::from((2.0f64 / SIDE as f64).sqrt() as f32);
    let mut d = [[0f32; SIDE]; CORNER];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, value) in row.iter_mut().enumerate() {
            let angle =
                std::f64::consts::PI / 2.0 / SIDE as f64 * (i + 1) as f64 * (2 * j + 1) as f64;
            *value = (scale * angle.cos()) as f32;
        }
    }
    let mut half = [[0f32; SIDE]; CORNER];
    for i in 0..CORNER {
        for j in 0..SIDE {
            let mut sum = 0f32;
            for k in 0..SIDE {
                sum += d[i][k] * samples[k][j];
            }
            half[i][j] = sum;
        }
    }
    let mut out = [0f32; CORNER * CORNER];
    for i in 0..CORNER {
        for j in 0..CORNER {
            let mut sum = 0f32;
            for k in 0..SIDE {
                sum += half[i][k] * d[j][k];
            }
            out[i * CORNER + j] = sum;
        }
    }
    out
}

/// Hashes with a key each (a fact-check, an image), searched by Hamming distance.
///
/// A linear scan over packed 256-bit words: four XORs and popcounts a hash, some 2 ms for a
/// million on this machine's cores, which is well inside what a desk holds. A multi-index
/// over 16-bit chunks is the next step if it ever is not.
#[derive(Debug, Clone)]
pub struct PdqIndex<K> {
    entries: Vec<([u64; 4], K)>,
}

impl<K> Default for PdqIndex<K> {
    fn default() -> Self {
        PdqIndex {
            entries: Vec::new(),
        }
    }
}

impl<K: Clone> PdqIndex<K> {
    /// An empty index.
    pub fn new() -> PdqIndex<K> {
        PdqIndex::default()
    }

    /// Adds a hash under a key (a key may hold several hashes).
    pub fn insert(&mut self, hash: &PdqHash, key: K) {
        self.entries.push((hash.words(), key));
    }

    /// How many hashes it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every key with a hash within `max_distance` bits of `hash`, nearest first, each key
    /// once (at its nearest hash).
    pub fn near(&self, hash: &PdqHash, max_distance: u32) -> Vec<(K, u32)>
    where
        K: PartialEq,
    {
        let q = hash.words();
        let mut found: Vec<(K, u32)> = Vec::new();
        for (words, key) in &self.entries {
            let d: u32 = words
                .iter()
                .zip(q.iter())
                .map(|(a, b)| (a ^ b).count_ones())
                .sum();
            if d <= max_distance {
                match found.iter_mut().find(|(k, _)| k == key) {
                    Some(slot) => slot.1 = slot.1.min(d),
                    None => found.push((key.clone(), d)),
                }
            }
        }
        found.sort_by_key(|(_, d)| *d);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_filter_is_a_centred_mean() {
        let input = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut out = [0.0; 5];
        box_filter(&input, 1, &mut out, 1, 5, 3);
        assert_eq!(out, [1.5, 2.0, 3.0, 4.0, 4.5]);
        box_filter(&input, 1, &mut out, 1, 5, 1);
        assert_eq!(out, input);
        // An even window takes one more value after the centre than before (the reference's).
        box_filter(&input, 1, &mut out, 1, 5, 2);
        assert_eq!(out, [1.5, 2.5, 3.5, 4.5, 5.0]);
    }

    #[test]
    fn a_mirrored_plane_reverses_each_row() {
        let plane = LumaPlane {
            values: (0..12).map(|v| v as f32).collect(),
            width: 4,
            height: 3,
        };
        let mirrored = plane.mirrored();
        assert_eq!((mirrored.width(), mirrored.height()), (4, 3));
        assert_eq!(&mirrored.values[..4], &[3.0, 2.0, 1.0, 0.0]);
        assert_eq!(mirrored.mirrored().values, plane.values);
    }

    #[test]
    fn hex_round_trips() {
        let h = PdqHash([0xab; 32]);
        assert_eq!(PdqHash::from_hex(&h.to_hex()), Some(h));
        assert_eq!(PdqHash::from_hex("xy"), None);
        assert_eq!(h.distance(&PdqHash([0; 32])), 5 * 32);
    }
}
