//! `lime`: Local Interpretable Model-agnostic Explanations for one prediction of a tabular
//! black box (Ribeiro, Singh & Guestrin 2016).
//!
//! LIME explains `f` near one input `x` by a simple model `g` that is faithful *there*
//! (§3.2, eq. 1): `ξ(x) = argmin_{g ∈ G} L(f, g, π_x) + Ω(g)`, with
//!
//! - perturbed samples `z` around `x` (lime's tabular explainer with `sample_around_instance`:
//!   `z = x + σ ⊙ ε`, `ε ~ N(0, I)`, `σ` the training standard deviations; the first sample is
//!   `x` itself), their black-box outputs `f(z)`;
//! - proximity weights `π_x(z) = exp(−D(x, z)²/σ_k²)` (§3.3). lime's implementation takes the
//!   square root, `π = √exp(−d²/w²)`, with `d` the Euclidean distance in standardised units and
//!   default width `w = 0.75·√M`;
//! - `G` linear models, fitted by weighted ridge regression (lime's default `Ridge(alpha = 1)`)
//!   on the standardised samples: `L = Σ_z π_x(z) (f(z) − g(z))²`, `Ω(g) = α‖β‖²`.
//!
//! The surrogate's coefficients are the explanation: which features moved the prediction, and
//! how much per standard deviation. Its weighted `R²` says how faithful it is locally.

mod report;

use super::tabular::{self, FEATURES, TRUE_FEATURES, TrainConfig, weighted_r2};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Goal, Metric, StepDecl, Trace};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::{Rng, SeedableRng};
use ndarray_rand::rand_distr::StandardNormal;

/// Target: the explained model fits its held-out data.
pub const MODEL_TEST_R2: Goal = Goal::at_least("model_test_r2", 0.95);
/// Target: every local surrogate fits the model near its point (weighted R²).
pub const SURROGATE_R2: Goal = Goal::at_least("surrogate_r2", 0.9);
/// Target: the surrogate's top features are the truly relevant ones, at every explained point.
pub const TRUE_FEATURES_RECOVERED: Goal = Goal::at_least("true_features_recovered", 1.0);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "lime",
    title: "LIME (局所的な代理モデルによる説明)",
    summary: "表形式データで学習した MLP の 1 つの予測を、近傍のサンプルに重み付きリッジ回帰を当てはめて説明する",
    source: "xai/lime.rs",
    knobs: &[
        KnobSpec::int(
            "samples",
            "近傍から生成するサンプル数 (lime の既定 5000)",
            5000,
            50,
            50_000,
        ),
        KnobSpec::float(
            "kernel_width_factor",
            "カーネル幅 w = 係数 × √M の係数 (lime の既定 0.75)",
            0.75,
            0.05,
            10.0,
        ),
        KnobSpec::float(
            "alpha",
            "リッジ回帰の正則化 α (lime の既定 1)",
            1.0,
            0.0,
            1000.0,
        ),
        KnobSpec::int("instances", "説明するテスト入力の数", 5, 1, 50),
        KnobSpec::int("hidden", "MLP の隠れ層の幅", 32, 2, 256),
        KnobSpec::int("train_steps", "MLP の学習ステップ数", 2000, 1, 50_000),
    ],
    steps: &[
        StepDecl::new("data", "データと本当の依存関係"),
        StepDecl::new("train", "ブラックボックス (MLP) の学習"),
        StepDecl::new("sampling", "x の近傍でサンプリング"),
        StepDecl::new("weights", "近さによる重み π_x(z)"),
        StepDecl::new("surrogate", "重み付きリッジ回帰で代理モデル"),
        StepDecl::new("instances", "ほかの入力の説明"),
    ],
    goals: &[MODEL_TEST_R2, SURROGATE_R2, TRUE_FEATURES_RECOVERED],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub samples: usize,
    pub kernel_width_factor: f64,
    pub alpha: f64,
    pub instances: usize,
    pub train: TrainConfig,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            samples: k.usize("samples"),
            kernel_width_factor: k.float("kernel_width_factor"),
            alpha: k.float("alpha"),
            instances: k.usize("instances"),
            train: TrainConfig {
                hidden: k.usize("hidden"),
                steps: k.usize("train_steps"),
                lr: 3e-3,
            },
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// One LIME explanation.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// Surrogate coefficients `β` per standardised feature (per training standard deviation).
    pub coef: Array1<f64>,
    pub intercept: f64,
    /// Weighted `R²` of the surrogate on its samples.
    pub r2: f64,
    /// The samples `z (n, M)` (row 0 is `x`), their weights and black-box outputs.
    pub samples: Array2<f64>,
    pub weights: Array1<f64>,
    pub outputs: Array1<f64>,
}

/// Weighted ridge regression with an unpenalised intercept, as scikit-learn's `Ridge` with
/// `sample_weight`: centre `X` and `y` by their weighted means, solve
/// `(X_cᵀ W X_c + α I) β = X_cᵀ W y_c`, then `b = ȳ_w − x̄_wᵀ β`. Returns `(β, b)`, or `None`
/// if the weights sum to zero or the system is singular.
// quiz:begin weighted-ridge
pub fn weighted_ridge(
    x: &ArrayRef2<f64>,
    y: &ArrayRef1<f64>,
    w: &ArrayRef1<f64>,
    alpha: f64,
) -> Option<(Array1<f64>, f64)> {
    let sw = w.sum();
    if sw <= 0.0 || !sw.is_finite() {
        return None;
    }
    let x_mean = w.dot(x) / sw; // x̄_w   (M,)
    let y_mean = w.dot(y) / sw; // ȳ_w
    let xc = &x.view() - &x_mean; // (n, M)
    let yc = &y.view() - y_mean;
    let xw = &xc * &w.view().insert_axis(Axis(1)); // W X_c
    let gram = xw.t().dot(&xc) + Array2::<f64>::eye(x.ncols()) * alpha; // left-hand side of the normal equations
    let beta = tabular::solve(&gram, &xw.t().dot(&yc))?;
    let intercept = y_mean - x_mean.dot(&beta);
    Some((beta, intercept))
}
// quiz:end weighted-ridge

/// Explains `f` at `x` (see the module documentation). `mean` and `scale` standardise the
/// features (training mean and standard deviation).
#[allow(clippy::too_many_arguments)]
pub fn explain<R: Rng + ?Sized>(
    f: &mut dyn FnMut(&ArrayRef2<f64>) -> Array1<f64>,
    x: &ArrayRef1<f64>,
    mean: &ArrayRef1<f64>,
    scale: &ArrayRef1<f64>,
    samples: usize,
    kernel_width: f64,
    alpha: f64,
    rng: &mut R,
) -> Option<Explanation> {
    let m = x.len();
    // z = x + σ ⊙ ε, with z₀ = x
    let mut z =
        Array2::<f64>::random_using((samples, m), StandardNormal, rng) * scale.view() + x.view();
    z.row_mut(0).assign(x);
    let scaled = (&z - &mean.view()) / scale.view(); // standardised, as lime fits and measures in these units
    let x_scaled = scaled.row(0).to_owned();
    // quiz:begin lime-kernel
    let weights = scaled.map_axis(Axis(1), |row| {
        let d2 = (&row - &x_scaled).mapv(|v| v * v).sum(); // D(x, z)²
        (-d2 / (kernel_width * kernel_width)).exp().sqrt() // π_x(z), lime's tabular kernel
    });
    // quiz:end lime-kernel
    let outputs = f(&z);
    let (coef, intercept) = weighted_ridge(&scaled, &outputs, &weights, alpha)?;
    let fitted = scaled.dot(&coef) + intercept;
    let r2 = weighted_r2(&outputs, &fitted, &weights);
    Some(Explanation {
        coef,
        intercept,
        r2,
        samples: z,
        weights,
        outputs,
    })
}

/// The indices of the `k` largest `|β_i|`, as a sorted set.
pub fn top_features(coef: &ArrayRef1<f64>, k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..coef.len()).collect();
    idx.sort_by(|&a, &b| coef[b].abs().total_cmp(&coef[a].abs()));
    let mut top = idx[..k.min(idx.len())].to_vec();
    top.sort_unstable();
    top
}

/// Runs the kernel; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    tr.step("data", |s| {
        s.scalar("学習データ", tabular::TRAIN_ROWS as f64)
            .scalar("特徴量の数 M", FEATURES as f64);
    })?;
    let (mut mlp, x_train, test_r2) = tabular::train_mlp(&cfg.train, &mut rng, tr, "train")?;
    let mean = x_train
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(FEATURES));
    let scale = x_train
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 0.0 { s } else { 1.0 });
    let (instances, _) = tabular::dataset(cfg.instances, &mut rng);
    let width = cfg.kernel_width_factor * (FEATURES as f64).sqrt();
    let mut predict = |z: &ArrayRef2<f64>| mlp.forward(z);
    let no_fit = || {
        KernelError::InvalidConfig(
            "the weighted ridge system is singular: use more samples or a wider kernel".into(),
        )
    };

    let mut results = Vec::new();
    for i in 0..cfg.instances {
        let x = instances.row(i);
        let e = explain(
            &mut predict,
            &x,
            &mean,
            &scale,
            cfg.samples,
            width,
            cfg.alpha,
            &mut rng,
        )
        .ok_or_else(no_fit)?;
        KernelError::check_finite("surrogate R²", e.r2, i, "use more samples")?;
        results.push(e);
        tr.progress("LIME", i + 1, cfg.instances)?;
    }
    let recovered: Vec<bool> = results
        .iter()
        .map(|e| top_features(&e.coef, 3) == TRUE_FEATURES)
        .collect();
    report::first_instance(tr, cfg, &results[0], &instances.row(0), &scale, width)?;
    report::instances(tr, cfg, &results, &recovered)?;
    let min_r2 = results.iter().map(|e| e.r2).fold(f64::INFINITY, f64::min);
    let recovered_frac = recovered.iter().filter(|&&b| b).count() as f64 / recovered.len() as f64;
    Ok(vec![
        MODEL_TEST_R2.measure(test_r2),
        SURROGATE_R2.measure(min_r2),
        TRUE_FEATURES_RECOVERED.measure(recovered_frac),
    ])
}
