//! [`Outline`]: a picture's row and column profiles at 32 samples, the coarse descriptor
//! that shortlists the references a probe is aligned with ([`super::Index`]).
//!
//! The alignment ([`super::Probe::aligned`]) searches every length from 70% of a side and
//! every start over 256-sample profiles, twice per axis; the outline does the first of those
//! steps once, at 32 samples, with the references' sums kept so that each tried window costs
//! one dot product: some 2 µs a reference against about 0.5 ms for the alignment. A crop of the reference keeps
//! its profiles (stretched, shifted), so its original scores high; an unrelated picture's
//! profiles rarely line up along both axes.

use crate::pdq::LumaPlane;

use super::{Compact, MIN_COVER, high_pass};

/// Samples in an outline's profiles.
pub(crate) const OUTLINE_SAMPLES: usize = 32;

/// One profile of a reference, high-passed and reduced, with the prefix sums of its values
/// and squares (a window's variance in two subtractions).
#[derive(Debug, Clone)]
struct Profile {
    values: [f32; OUTLINE_SAMPLES],
    sum: [f32; OUTLINE_SAMPLES + 1],
    squares: [f32; OUTLINE_SAMPLES + 1],
}

impl Profile {
    fn of(profile: &[f32]) -> Profile {
        let reduced = reduce(&high_pass(profile));
        let mut values = [0f32; OUTLINE_SAMPLES];
        values.copy_from_slice(&reduced);
        let (mut sum, mut squares) = ([0f32; OUTLINE_SAMPLES + 1], [0f32; OUTLINE_SAMPLES + 1]);
        for (i, v) in values.iter().enumerate() {
            sum[i + 1] = sum[i] + v;
            squares[i + 1] = squares[i] + v * v;
        }
        Profile {
            values,
            sum,
            squares,
        }
    }

    /// The best correlation of any window of it (from [`MIN_COVER`] of its length) with the
    /// probe's profile stretched to that window (`stretched`, by length).
    fn best(&self, stretched: &[Vec<f32>]) -> f32 {
        let mut best = f32::MIN;
        for q in stretched {
            let len = q.len();
            for start in 0..=OUTLINE_SAMPLES - len {
                let s = self.sum[start + len] - self.sum[start];
                let ss = self.squares[start + len] - self.squares[start];
                let var = ss - s * s / len as f32;
                if var <= f32::EPSILON {
                    continue;
                }
                let dot: f32 = self.values[start..start + len]
                    .iter()
                    .zip(q)
                    .map(|(a, b)| a * b)
                    .sum();
                best = best.max(dot / var.sqrt());
            }
        }
        best
    }
}

/// A reference's outline: its content's column and row profiles at [`OUTLINE_SAMPLES`].
#[derive(Debug, Clone)]
pub(crate) struct Outline {
    columns: Profile,
    rows: Profile,
}

impl Outline {
    /// The outline of a reference's content.
    pub(crate) fn of(content: &Compact) -> Outline {
        Outline {
            columns: Profile::of(&content.columns),
            rows: Profile::of(&content.row_means(0..content.width)),
        }
    }
}

/// A probe's profiles, stretched to every window length an outline is searched with.
#[derive(Debug, Clone)]
pub(crate) struct OutlineQuery {
    columns: Vec<Vec<f32>>,
    /// The whole content's rows, then those of the content less a band (a caption).
    rows: Vec<Vec<Vec<f32>>>,
}

impl OutlineQuery {
    /// The query for a probe's content and its parts without a band.
    pub(crate) fn of(content: &LumaPlane, banded: &[&LumaPlane]) -> OutlineQuery {
        let prepare = |profile: Vec<f32>| -> Vec<Vec<f32>> {
            let reduced = reduce(&high_pass(&profile));
            let shortest = (OUTLINE_SAMPLES as f32 * MIN_COVER).floor() as usize;
            (shortest..=OUTLINE_SAMPLES)
                .map(|len| normalized(super::stretch(&reduced, len)))
                .collect()
        };
        OutlineQuery {
            columns: prepare(content.column_means(0..content.height())),
            rows: std::iter::once(content)
                .chain(banded.iter().copied())
                .map(|part| prepare(part.row_means(0..part.width())))
                .collect(),
        }
    }

    /// How well the probe lines up with `outline`: the lesser of the two axes' best
    /// correlations (-1 to 1), the rows' the best of the whole content's and its parts';
    /// the rows are not tried when the columns score under `floor` (then it returns the
    /// columns' score).
    pub(crate) fn score(&self, outline: &Outline, floor: f32) -> f32 {
        let columns = outline.columns.best(&self.columns);
        if columns < floor {
            return columns;
        }
        let rows = self
            .rows
            .iter()
            .map(|r| outline.rows.best(r))
            .fold(f32::MIN, f32::max);
        columns.min(rows)
    }
}

/// `values` less their mean, scaled to unit length (all zeros when flat).
fn normalized(mut values: Vec<f32>) -> Vec<f32> {
    let n = values.len().max(1) as f32;
    let mean = values.iter().sum::<f32>() / n;
    values.iter_mut().for_each(|v| *v -= mean);
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > f32::EPSILON {
        values.iter_mut().for_each(|v| *v /= norm);
    } else {
        values.iter_mut().for_each(|v| *v = 0.0);
    }
    values
}

/// `values` reduced (or, when shorter, resampled) to [`OUTLINE_SAMPLES`] by the mean of
/// each stretch.
fn reduce(values: &[f32]) -> Vec<f32> {
    let n = values.len();
    if n == 0 {
        return vec![0.0; OUTLINE_SAMPLES];
    }
    if n < OUTLINE_SAMPLES {
        return super::stretch(values, OUTLINE_SAMPLES);
    }
    (0..OUTLINE_SAMPLES)
        .map(|i| {
            let (lo, hi) = (i * n / OUTLINE_SAMPLES, (i + 1) * n / OUTLINE_SAMPLES);
            let part = &values[lo..hi.max(lo + 1)];
            part.iter().sum::<f32>() / part.len() as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reduced_profile_has_the_outline_length() {
        assert_eq!(reduce(&[1.0; 300]).len(), OUTLINE_SAMPLES);
        assert_eq!(reduce(&[1.0; 10]).len(), OUTLINE_SAMPLES);
        assert_eq!(reduce(&[]).len(), OUTLINE_SAMPLES);
        let ramp: Vec<f32> = (0..64).map(|i| i as f32).collect();
        assert_eq!(reduce(&ramp)[0], 0.5);
    }

    #[test]
    fn a_flat_profile_is_all_zeros_when_normalized() {
        assert!(normalized(vec![3.0; 8]).iter().all(|v| *v == 0.0));
        let n = normalized(vec![1.0, 2.0, 3.0]);
        assert!((n.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
