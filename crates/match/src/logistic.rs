//! The one L2-regularized logistic regression of the crate: [`minimize`] fits the weights
//! on a standardized design matrix by L-BFGS (deterministic: fixed start, sequential sums;
//! rows may carry weights). [`Logistic`] is the model the reranker and the match verifier
//! keep; the check-worthiness detector fits its linear models with the same solver.

use serde::{Deserialize, Serialize};

/// A fitted (or untrained) logistic model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Feature names the weights belong to.
    pub features: Vec<String>,
    /// Per-feature mean used for standardization.
    pub mean: Vec<f32>,
    /// Per-feature scale (standard deviation, 1 when constant).
    pub scale: Vec<f32>,
    /// Per-feature weight on the standardized value.
    pub weights: Vec<f32>,
    /// Intercept.
    pub bias: f32,
}

impl Logistic {
    /// A model that gives every input probability 0.5.
    pub fn untrained(features: &[&str]) -> Logistic {
        let n = features.len();
        Logistic {
            features: features.iter().map(|s| s.to_string()).collect(),
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights: vec![0.0; n],
            bias: 0.0,
        }
    }

    /// True when the model was made for exactly these features.
    pub fn fits(&self, features: &[&str]) -> bool {
        self.features.len() == features.len()
            && self.features.iter().zip(features).all(|(a, b)| a == b)
            && [self.mean.len(), self.scale.len(), self.weights.len()]
                .iter()
                .all(|&n| n == features.len())
    }

    /// The log-odds of a positive.
    pub fn logit(&self, x: &[f32]) -> f32 {
        self.bias
            + x.iter()
                .enumerate()
                .map(|(i, v)| self.weights[i] * (v - self.mean[i]) / self.scale[i])
                .sum::<f32>()
    }

    /// The probability of a positive.
    pub fn probability(&self, x: &[f32]) -> f32 {
        1.0 / (1.0 + (-self.logit(x)).exp())
    }

    /// What each feature added to the log-odds relative to an average row:
    /// `(index, value, effect)`, largest effect first.
    pub fn effects(&self, x: &[f32]) -> Vec<(usize, f32, f32)> {
        let mut out: Vec<_> = (0..self.weights.len())
            .map(|i| {
                (
                    i,
                    x[i],
                    self.weights[i] * (x[i] - self.mean[i]) / self.scale[i],
                )
            })
            .collect();
        out.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
        out
    }

    /// Fits the model on `rows` (features, label) with L2 penalty `l2` on the weights (not
    /// the intercept); `weight` gives each row's weight (1 when `None`).
    #[allow(clippy::needless_range_loop)] // matrix code reads best with indices
    pub fn fit(
        features: &[&str],
        rows: &[(&[f32], bool)],
        weight: Option<&[f64]>,
        l2: f64,
    ) -> Logistic {
        let dims = features.len();
        let total: f64 = match weight {
            Some(w) => w.iter().sum(),
            None => rows.len() as f64,
        }
        .max(1e-12);
        let wt = |r: usize| weight.map_or(1.0, |w| w[r]);
        let mut mean = vec![0f64; dims];
        let mut var = vec![0f64; dims];
        for (r, (x, _)) in rows.iter().enumerate() {
            for i in 0..dims {
                mean[i] += wt(r) * x[i] as f64 / total;
            }
        }
        for (r, (x, _)) in rows.iter().enumerate() {
            for i in 0..dims {
                var[i] += wt(r) * (x[i] as f64 - mean[i]).powi(2) / total;
            }
        }
        let scale: Vec<f64> = var
            .iter()
            .map(|v| if v.sqrt() > 1e-6 { v.sqrt() } else { 1.0 })
            .collect();
        let z: Vec<Vec<f64>> = rows
            .iter()
            .map(|(x, _)| {
                let mut v: Vec<f64> = (0..dims)
                    .map(|i| (x[i] as f64 - mean[i]) / scale[i])
                    .collect();
                v.push(1.0);
                v
            })
            .collect();
        let y: Vec<f64> = rows.iter().map(|(_, y)| f64::from(u8::from(*y))).collect();
        let w = minimize(&z, &y, weight, l2, dims + 1);
        Logistic {
            features: features.iter().map(|s| s.to_string()).collect(),
            mean: mean.iter().map(|&v| v as f32).collect(),
            scale: scale.iter().map(|&v| v as f32).collect(),
            weights: w[..dims].iter().map(|&v| v as f32).collect(),
            bias: w[dims] as f32,
        }
    }
}

/// Weighted log loss plus `l2`/2 ‖w‖² (the intercept, last, unpenalized) and its gradient.
fn loss(z: &[Vec<f64>], y: &[f64], weight: Option<&[f64]>, l2: f64, w: &[f64]) -> (f64, Vec<f64>) {
    let d = w.len();
    let mut g = vec![0f64; d];
    let mut f = 0.0;
    for (r, (row, &t)) in z.iter().zip(y).enumerate() {
        let c = weight.map_or(1.0, |w| w[r]);
        let s = dot(row, w);
        // log(1 + e^s) computed without overflow.
        let log1p_exp = if s > 0.0 {
            s + (-s).exp().ln_1p()
        } else {
            s.exp().ln_1p()
        };
        f += c * (log1p_exp - t * s);
        let p = 1.0 / (1.0 + (-s).exp());
        for (gi, a) in g.iter_mut().zip(row) {
            *gi += c * (p - t) * a;
        }
    }
    for i in 0..d.saturating_sub(1) {
        f += 0.5 * l2 * w[i] * w[i];
        g[i] += l2 * w[i];
    }
    (f, g)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The weights (intercept last) of the L2-regularized logistic regression of labels `y`
/// (0 or 1) on the rows of `z` (standardized, with a last column of ones), each row weighted
/// by `weight` (1 when `None`), `columns` of them (intercept included; all zero without
/// rows): L-BFGS with 10 pairs and a backtracking Armijo line search, from zero.
pub fn minimize(
    z: &[Vec<f64>],
    y: &[f64],
    weight: Option<&[f64]>,
    l2: f64,
    columns: usize,
) -> Vec<f64> {
    const MEMORY: usize = 10;
    const MAX_ITERATIONS: usize = 500;
    let d = columns;
    let mut w = vec![0f64; d];
    let (mut f, mut g) = loss(z, y, weight, l2, &w);
    let mut history: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::new();
    for _ in 0..MAX_ITERATIONS {
        let gnorm = dot(&g, &g).sqrt();
        if gnorm < 1e-6 * (1.0 + f.abs()) {
            break;
        }
        // Two-loop recursion: the direction -H g.
        let mut q = g.clone();
        let mut alphas = Vec::with_capacity(history.len());
        for (s, t, rho) in history.iter().rev() {
            let a = rho * dot(s, &q);
            for (qi, ti) in q.iter_mut().zip(t) {
                *qi -= a * ti;
            }
            alphas.push(a);
        }
        let gamma = history
            .last()
            .map_or(1.0 / gnorm.max(1e-12), |(s, t, _)| dot(s, t) / dot(t, t));
        for qi in q.iter_mut() {
            *qi *= gamma;
        }
        for ((s, t, rho), a) in history.iter().zip(alphas.iter().rev()) {
            let b = rho * dot(t, &q);
            for (qi, si) in q.iter_mut().zip(s) {
                *qi += (a - b) * si;
            }
        }
        let direction: Vec<f64> = q.iter().map(|v| -v).collect();
        let slope = dot(&g, &direction);
        if slope >= 0.0 {
            if history.is_empty() {
                break;
            }
            history.clear();
            continue;
        }
        let mut step = 1.0;
        let (mut next_w, mut next_f, mut next_g);
        loop {
            next_w = w
                .iter()
                .zip(&direction)
                .map(|(a, b)| a + step * b)
                .collect::<Vec<_>>();
            (next_f, next_g) = loss(z, y, weight, l2, &next_w);
            if next_f <= f + 1e-4 * step * slope || step < 1e-10 {
                break;
            }
            step *= 0.5;
        }
        let s: Vec<f64> = next_w.iter().zip(&w).map(|(a, b)| a - b).collect();
        let t: Vec<f64> = next_g.iter().zip(&g).map(|(a, b)| a - b).collect();
        let st = dot(&s, &t);
        let improvement = f - next_f;
        w = next_w;
        g = next_g;
        f = next_f;
        if st > 1e-12 {
            history.push((s, t, 1.0 / st));
            if history.len() > MEMORY {
                history.remove(0);
            }
        }
        if improvement.abs() < 1e-12 * (1.0 + f.abs()) {
            break;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_finds_the_predictive_feature_and_row_weights_count() {
        let mut rows: Vec<([f32; 2], bool)> = Vec::new();
        for i in 0..200 {
            let signal = (i % 10) as f32 / 10.0;
            let noise = ((i * 7) % 13) as f32 / 13.0;
            rows.push(([signal, noise], signal + 0.05 * noise > 0.5));
        }
        let refs: Vec<(&[f32], bool)> = rows.iter().map(|(x, y)| (&x[..], *y)).collect();
        let m = Logistic::fit(&["signal", "noise"], &refs, None, 1.0);
        assert!(m.weights[0] > 3.0 * m.weights[1].abs(), "{m:?}");
        assert!(m.probability(&[0.9, 0.5]) > 0.9 && m.probability(&[0.1, 0.5]) < 0.1);
        assert!(m.fits(&["signal", "noise"]) && !m.fits(&["signal"]));
        // Weighting the positives up moves the intercept up.
        let w: Vec<f64> = rows
            .iter()
            .map(|(_, y)| if *y { 5.0 } else { 1.0 })
            .collect();
        let heavy = Logistic::fit(&["signal", "noise"], &refs, Some(&w), 1.0);
        assert!(heavy.probability(&[0.5, 0.5]) > m.probability(&[0.5, 0.5]));
        assert_eq!(Logistic::fit(&["signal", "noise"], &refs, None, 1.0), m);
    }
}
