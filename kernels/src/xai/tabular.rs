//! The tabular task shared by the `lime` and `shap` kernels: a synthetic regression problem
//! whose true dependence is known, a small MLP trained on it, and the dense linear algebra the
//! explainers need (a linear solve and a weighted R²).
//!
//! Six standard-normal features; the target is
//! `y = 2x₀ − 1.5x₁ + x₂ + 0.5x₀x₁ + ε`, `ε ~ N(0, 0.1²)`:
//! the model truly depends on features 0, 1 and 2 only (0 and 1 also interact), and features
//! 3, 4 and 5 are noise columns an explanation should call unimportant.

use crate::KernelError;
use crate::nn::loss::mse;
use crate::nn::{Adam, Linear, NnError, Params, ReLU};
use crate::trace::Trace;
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::Rng;
use ndarray_rand::rand_distr::StandardNormal;

/// Number of features `M`.
pub const FEATURES: usize = 6;
/// The features the target depends on.
pub const TRUE_FEATURES: [usize; 3] = [0, 1, 2];
/// Feature names as shown in tables.
pub const NAMES: [&str; FEATURES] = ["x0", "x1", "x2", "x3", "x4", "x5"];

/// The noise-free target `2x₀ − 1.5x₁ + x₂ + 0.5x₀x₁`.
pub fn true_function(x: &ArrayRef1<f64>) -> f64 {
    2.0 * x[0] - 1.5 * x[1] + x[2] + 0.5 * x[0] * x[1]
}

/// `n` rows `x ~ N(0, I)` and targets `y = f(x) + N(0, 0.1²)`.
///
/// # Shapes
/// `x`: `(n, 6)`; `y`: `(n,)`
pub fn dataset<R: Rng + ?Sized>(n: usize, rng: &mut R) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::<f64>::random_using((n, FEATURES), StandardNormal, rng);
    let noise = Array1::<f64>::random_using(n, StandardNormal, rng);
    let y = Array1::from_shape_fn(n, |i| true_function(&x.row(i)) + 0.1 * noise[i]);
    (x, y)
}

/// A regression MLP `6 → h → h → 1` with ReLU: the "black box" the explainers open.
///
/// # Shapes
/// input `(N, 6)`; output `(N,)`
#[derive(Debug, Clone)]
pub struct Mlp {
    pub l1: Linear<f64>,
    pub l2: Linear<f64>,
    pub l3: Linear<f64>,
    r1: ReLU<f64>,
    r2: ReLU<f64>,
}

impl Mlp {
    pub fn new<R: Rng + ?Sized>(hidden: usize, rng: &mut R) -> Result<Self, NnError> {
        Ok(Self {
            l1: Linear::new(FEATURES, hidden, rng)?,
            l2: Linear::new(hidden, hidden, rng)?,
            l3: Linear::new(hidden, 1, rng)?,
            r1: ReLU::new(),
            r2: ReLU::new(),
        })
    }

    /// Predictions for a batch of rows.
    pub fn forward(&mut self, x: &ArrayRef2<f64>) -> Array1<f64> {
        let h = self.r1.forward(&self.l1.forward(x));
        let h = self.r2.forward(&self.l2.forward(&h));
        self.l3.forward(&h).index_axis_move(Axis(1), 0)
    }

    /// Backward from `dL/dŷ (N,)`; accumulates the weight gradients.
    pub fn backward(&mut self, dy: &ArrayRef1<f64>) {
        let d = self.l3.backward(&dy.view().insert_axis(Axis(1)));
        let d = self.l2.backward(&self.r2.backward(&d));
        self.l1.backward(&self.r1.backward(&d));
    }
}

impl Params<f64> for Mlp {
    /// Order: l1, l2, l3.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f64], &mut [f64])) {
        self.l1.visit_params(f);
        self.l2.visit_params(f);
        self.l3.visit_params(f);
    }
}

/// Training knobs shared by `lime` and `shap`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub hidden: usize,
    pub steps: usize,
    pub lr: f64,
}

/// Training rows; the test set has a quarter as many.
pub const TRAIN_ROWS: usize = 2000;

/// Trains an [`Mlp`] with Adam on mini-batches of 128, records step `key` a few times, and
/// returns the model, the training rows and the test-set R².
pub fn train_mlp<R: Rng + ?Sized>(
    cfg: &TrainConfig,
    rng: &mut R,
    tr: &mut Trace,
    key: &str,
) -> Result<(Mlp, Array2<f64>, f64), KernelError> {
    let (x, y) = dataset(TRAIN_ROWS, rng);
    let (xt, yt) = dataset(TRAIN_ROWS / 4, rng);
    let mut mlp = Mlp::new(cfg.hidden, rng)?;
    let mut opt = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    let batch = 128;
    let every = (cfg.steps / 5).max(1);
    for step in 1..=cfg.steps {
        let idx: Vec<usize> = (0..batch)
            .map(|_| rng.random_range(0..TRAIN_ROWS))
            .collect();
        let (xb, yb) = (x.select(Axis(0), &idx), y.select(Axis(0), &idx));
        let pred = mlp.forward(&xb);
        let (loss, d) = mse(&pred, &yb);
        KernelError::check_finite("loss", loss, step, "try a lower lr")?;
        mlp.zero_grad();
        mlp.backward(&d);
        opt.step(&mut mlp);
        tr.progress("MLP の学習", step, cfg.steps)?;
        if step % every == 0 || step == cfg.steps {
            let test_r2 = r2(&yt, &mlp.forward(&xt));
            tr.step(key, |s| {
                s.scalar("step", step as f64)
                    .scalar("ミニバッチの二乗誤差", loss)
                    .scalar("テスト R²", test_r2);
                s.series("二乗誤差", step as f64, loss);
            })?;
        }
    }
    let test_r2 = r2(&yt, &mlp.forward(&xt));
    Ok((mlp, x, test_r2))
}

/// The coefficient of determination `1 − Σ(y − ŷ)² / Σ(y − ȳ)²`.
pub fn r2(y: &ArrayRef1<f64>, pred: &ArrayRef1<f64>) -> f64 {
    weighted_r2(y, pred, &Array1::ones(y.len()))
}

/// Weighted R² `1 − Σw(y − ŷ)² / Σw(y − ȳ_w)²` with `ȳ_w = Σwy / Σw` (scikit-learn's `score`
/// with `sample_weight`, which lime reports as the surrogate's `score`).
pub fn weighted_r2(y: &ArrayRef1<f64>, pred: &ArrayRef1<f64>, w: &ArrayRef1<f64>) -> f64 {
    let mean = (w * y).sum() / w.sum();
    let ss_res: f64 = w
        .iter()
        .zip(y)
        .zip(pred)
        .map(|((w, y), p)| w * (y - p).powi(2))
        .sum();
    let ss_tot: f64 = w.iter().zip(y).map(|(w, y)| w * (y - mean).powi(2)).sum();
    1.0 - ss_res / ss_tot.max(f64::MIN_POSITIVE)
}

/// Solves `A x = b` by Gaussian elimination with partial pivoting; `None` if `A` is singular
/// (a pivot below `1e-12` of the largest entry).
///
/// # Shapes
/// `a`: `(n, n)`; `b`, result: `(n,)`
pub fn solve(a: &ArrayRef2<f64>, b: &ArrayRef1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let mut m = ndarray::concatenate![Axis(1), a.to_owned(), b.view().insert_axis(Axis(1))];
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| m[[i, col]].abs().total_cmp(&m[[j, col]].abs()))?;
        if m[[piv, col]].abs() <= 1e-12 * scale {
            return None;
        }
        if piv != col {
            for k in 0..=n {
                m.swap([piv, k], [col, k]);
            }
        }
        for r in col + 1..n {
            let f = m[[r, col]] / m[[col, col]];
            if f != 0.0 {
                let pivot_row = m.row(col).to_owned();
                m.row_mut(r).scaled_add(-f, &pivot_row);
            }
        }
    }
    let mut x = Array1::zeros(n);
    for r in (0..n).rev() {
        let acc = m.slice(s![r, r + 1..n]).dot(&x.slice(s![r + 1..n]));
        x[r] = (m[[r, n]] - acc) / m[[r, r]];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn solve_needs_pivoting_and_detects_singularity() {
        let a = array![[0.0, 2.0, 1.0], [1.0, 1.0, 0.0], [2.0, 0.0, 3.0]];
        let x = array![1.0, -2.0, 0.5];
        let got = solve(&a, &a.dot(&x)).expect("regular");
        assert!((got - x).iter().all(|v| v.abs() < 1e-14));
        assert!(solve(&array![[1.0, 2.0], [2.0, 4.0]], &array![1.0, 2.0]).is_none());
    }

    #[test]
    fn weighted_r2_ignores_zero_weight_rows() {
        let y = array![1.0, 2.0, 3.0, 100.0];
        let p = array![1.0, 2.0, 3.0, 0.0];
        assert_eq!(weighted_r2(&y, &p, &array![1.0, 1.0, 1.0, 0.0]), 1.0);
        assert!(r2(&y, &p) < 0.0);
    }
}
