//! One L2-regularized logistic regression on standardized features, fitted by Newton's
//! method (deterministic: the same rows give the same model), shared by the reranker and the
//! match verifier.

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
        let d = dims + 1;
        let data: Vec<(Vec<f64>, f64, f64)> = rows
            .iter()
            .enumerate()
            .map(|(r, (x, y))| {
                let mut v: Vec<f64> = (0..dims)
                    .map(|i| (x[i] as f64 - mean[i]) / scale[i])
                    .collect();
                v.push(1.0);
                (v, if *y { 1.0 } else { 0.0 }, wt(r))
            })
            .collect();
        let mut w = vec![0f64; d];
        for _ in 0..50 {
            let mut grad = vec![0f64; d];
            let mut hess = vec![vec![0f64; d]; d];
            for (x, y, c) in &data {
                let s: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
                let p = 1.0 / (1.0 + (-s).exp());
                let r = c * p * (1.0 - p);
                for i in 0..d {
                    grad[i] += c * (p - y) * x[i];
                    for j in 0..=i {
                        hess[i][j] += r * x[i] * x[j];
                    }
                }
            }
            for i in 0..d {
                for j in 0..i {
                    hess[j][i] = hess[i][j];
                }
                if i < dims {
                    grad[i] += l2 * w[i];
                    hess[i][i] += l2;
                }
                hess[i][i] += 1e-9;
            }
            let step = solve(hess, grad);
            let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
            for i in 0..d {
                w[i] -= step[i];
            }
            if size < 1e-8 {
                break;
            }
        }
        Logistic {
            features: features.iter().map(|s| s.to_string()).collect(),
            mean: mean.iter().map(|&v| v as f32).collect(),
            scale: scale.iter().map(|&v| v as f32).collect(),
            weights: w[..dims].iter().map(|&v| v as f32).collect(),
            bias: w[dims] as f32,
        }
    }
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-300 {
            continue;
        }
        for row in col + 1..n {
            let f = a[row][col] / p;
            if f != 0.0 {
                for k in col..n {
                    a[row][k] -= f * a[col][k];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0f64; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-300 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
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
