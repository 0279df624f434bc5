//! `shap`: Shapley values for a tabular black box — exactly, by enumerating coalitions, and by
//! KernelSHAP's weighted least squares (Lundberg & Lee 2017).
//!
//! A *coalition* `S ⊆ {0..M−1}` of features "plays" when the model sees `x_S` and the other
//! features are filled in from a background set `B` (interventional / independent masking):
//! `v(S) = (1/|B|) Σ_{b∈B} f(x_S, b_{S̄})`, so `v(∅) = E_B f` and `v(all) = f(x)`.
//!
//! - Shapley value (Shapley 1953; Lundberg & Lee 2017, eq. 8): the average marginal contribution
//!   of feature `i` over all orders in which features can join,
//!   `φ_i = Σ_{S ⊆ F∖{i}} |S|!(M − |S| − 1)!/M! · (v(S ∪ {i}) − v(S))`.
//!   Efficiency: `Σ_i φ_i = f(x) − E_B f` — the prediction is *distributed* among the features.
//! - KernelSHAP (Lundberg & Lee 2017, Theorem 2): the same values solve the weighted linear
//!   regression `min Σ_z π(z) (v(z) − φ₀ − Σ_i z_i φ_i)²` over coalition vectors `z ∈ {0,1}^M`
//!   with the Shapley kernel `π(z) = (M − 1) / (C(M, |z|)·|z|·(M − |z|))`, whose infinite
//!   weights at `|z| = 0, M` become the constraints `φ₀ = v(∅)`, `Σφ = v(all) − v(∅)`.
//!   With all `2^M − 2` coalitions the solution is exact; with sampled ones it is an estimate.

mod report;

use super::tabular::{self, FEATURES, TrainConfig};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Goal, Metric, StepDecl, Trace};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::{Rng, SeedableRng};

/// Target: the explained model fits its held-out data.
pub const MODEL_TEST_R2: Goal = Goal::at_least("model_test_r2", 0.95);
/// Target: `Σ φ_i = f(x) − E f` (efficiency) at rounding level.
pub const EFFICIENCY_ERR: Goal = Goal::at_most("efficiency_err", 1e-9);
/// Target: Kernel SHAP over every coalition equals the exact Shapley values.
pub const KERNEL_VS_EXACT_ERR: Goal = Goal::at_most("kernel_vs_exact_err", 1e-8);
/// Target: for a linear model, `φ_i = w_i (x_i − E x_i)`.
pub const LINEAR_CLOSED_FORM_ERR: Goal = Goal::at_most("linear_closed_form_err", 1e-9);
/// Target: features the model ignores get almost none of the attribution.
pub const IRRELEVANT_FEATURE_SHARE: Goal = Goal::at_most("irrelevant_feature_share", 0.05);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "shap",
    title: "SHAP (シャープレイ値による説明)",
    summary: "提携 (coalition) を全列挙した厳密なシャープレイ値と、サンプリングした提携による KernelSHAP を比べる",
    source: "xai/shap.rs",
    knobs: &[
        KnobSpec::int(
            "background",
            "背景データ (欠けた特徴量を埋める) の行数",
            100,
            1,
            2000,
        ),
        KnobSpec::int(
            "coalitions",
            "KernelSHAP でサンプリングする提携の数 (表では 1/4, 1/2, 1, 4 倍も試す)",
            64,
            4,
            100_000,
        ),
        KnobSpec::int("instances", "全体の重要度を平均する入力の数", 20, 1, 200),
        KnobSpec::int("hidden", "MLP の隠れ層の幅", 32, 2, 256),
        KnobSpec::int("train_steps", "MLP の学習ステップ数", 2000, 1, 50_000),
    ],
    steps: &[
        StepDecl::new("data", "データとブラックボックス"),
        StepDecl::new("train", "ブラックボックス (MLP) の学習"),
        StepDecl::new("coalitions", "提携の価値 v(S)"),
        StepDecl::new("exact", "厳密なシャープレイ値"),
        StepDecl::new("kernel_shap", "KernelSHAP (重み付き最小二乗)"),
        StepDecl::new("linear", "線形モデルでの閉じた式"),
        StepDecl::new("global", "多くの入力での重要度"),
    ],
    goals: &[
        MODEL_TEST_R2,
        EFFICIENCY_ERR,
        KERNEL_VS_EXACT_ERR,
        LINEAR_CLOSED_FORM_ERR,
        IRRELEVANT_FEATURE_SHARE,
    ],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub background: usize,
    pub coalitions: usize,
    pub instances: usize,
    pub train: TrainConfig,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            background: k.usize("background"),
            coalitions: k.usize("coalitions"),
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

/// `v(S)` for every coalition `S` (bit `i` of the index set ⇔ feature `i` in `S`): the mean of
/// `f` over the background rows with the features in `S` replaced by `x`'s. `M ≤ 20`.
///
/// # Shapes
/// `x`: `(M,)`; `background`: `(|B|, M)`; result: `2^M` values
pub fn coalition_values(
    f: &mut dyn FnMut(&ArrayRef2<f64>) -> Array1<f64>,
    x: &ArrayRef1<f64>,
    background: &ArrayRef2<f64>,
) -> Vec<f64> {
    let m = x.len();
    (0..1usize << m)
        .map(|mask| {
            // quiz:begin coalition-value
            let mut z = background.to_owned(); // (|B|, M): features outside S come from b
            for i in (0..m).filter(|i| mask >> i & 1 == 1) {
                z.column_mut(i).fill(x[i]); // i ∈ S
            }
            f(&z).mean().unwrap_or(0.0) // v(S) = E_b f(x_S, b_S̄)
            // quiz:end coalition-value
        })
        .collect()
}

/// `n!` as a float (exact for `n ≤ 22`).
fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}

/// Exact Shapley values from all coalition values (see the module documentation).
pub fn exact_shapley(v: &[f64], m: usize) -> Array1<f64> {
    let mut phi = Array1::zeros(m);
    // quiz:begin shapley-weight
    for (i, p) in phi.iter_mut().enumerate() {
        for mask in (0..1usize << m).filter(|s| s >> i & 1 == 0) {
            let s = mask.count_ones() as usize; // |S|, S ⊆ F∖{i}
            let weight = factorial(s) * factorial(m - s - 1) / factorial(m);
            *p += weight * (v[mask | 1 << i] - v[mask]); // marginal contribution of i to S
        }
    }
    // quiz:end shapley-weight
    phi
}

/// The Shapley kernel `π(z) = (M − 1)/(C(M, s)·s·(M − s))` for a coalition of size `0 < s < M`.
pub fn shapley_kernel(m: usize, s: usize) -> f64 {
    let binom = factorial(m) / (factorial(s) * factorial(m - s));
    (m - 1) as f64 / (binom * s as f64 * (m - s) as f64)
}

/// KernelSHAP: weighted least squares over `(coalition mask, weight)` pairs with the efficiency
/// constraint enforced by eliminating the last feature, `φ_{M−1} = Δ − Σ_{i<M−1} φ_i`,
/// `Δ = v(all) − v(∅)`. Then, per coalition `z`, the regression is
/// `v(z) − v(∅) − z_{M−1}Δ = Σ_{i<M−1} (z_i − z_{M−1}) φ_i`. `None` if the coalitions do not
/// determine `φ` (too few, or all of one kind).
pub fn kernel_shap(
    m: usize,
    coalitions: &[(usize, f64)],
    v: &dyn Fn(usize) -> f64,
) -> Option<Array1<f64>> {
    let (v0, delta) = (v(0), v((1 << m) - 1) - v(0));
    let last = m - 1;
    let mut a = Array2::zeros((coalitions.len(), last)); // regressors z_i − z_{M−1}
    let mut t = Array1::zeros(coalitions.len()); // targets
    let mut w = Array1::zeros(coalitions.len());
    for (r, &(mask, weight)) in coalitions.iter().enumerate() {
        let z = |i: usize| f64::from(u8::from(mask >> i & 1 == 1));
        for i in 0..last {
            a[[r, i]] = z(i) - z(last);
        }
        t[r] = v(mask) - v0 - z(last) * delta;
        w[r] = weight;
    }
    let aw = &a * &w.view().insert_axis(Axis(1));
    let head = tabular::solve(&aw.t().dot(&a), &aw.t().dot(&t))?; // (AᵀWA) φ = AᵀW t
    let mut phi = Array1::zeros(m);
    phi.slice_mut(ndarray::s![..last]).assign(&head);
    phi[last] = delta - head.sum();
    Some(phi)
}

/// Every coalition except `∅` and the full set, with its Shapley-kernel weight.
pub fn all_coalitions(m: usize) -> Vec<(usize, f64)> {
    (1..(1usize << m) - 1)
        .map(|mask| (mask, shapley_kernel(m, mask.count_ones() as usize)))
        .collect()
}

/// `n` coalitions drawn from the Shapley kernel, in complementary pairs: a size `s` with
/// probability `∝ (M − 1)/(s(M − s))` (the kernel summed over the `C(M, s)` coalitions of that
/// size), a uniform subset `S` of that size, then `S` and its complement `F∖S` (*paired
/// sampling*, as the shap library does; Covert & Lee 2021 show it cuts the variance). Each draw
/// gets weight 1: the sampling frequency stands in for the kernel weight.
pub fn sample_coalitions<R: Rng + ?Sized>(m: usize, n: usize, rng: &mut R) -> Vec<(usize, f64)> {
    let size_w: Vec<f64> = (1..m)
        .map(|s| (m - 1) as f64 / (s * (m - s)) as f64)
        .collect();
    let total: f64 = size_w.iter().sum();
    let full = (1usize << m) - 1;
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let mut u = rng.random::<f64>() * total;
        let s = 1 + size_w
            .iter()
            .position(|&w| {
                u -= w;
                u < 0.0
            })
            .unwrap_or(m - 2);
        let mut idx: Vec<usize> = (0..m).collect();
        for k in 0..s {
            let j = rng.random_range(k..m); // partial Fisher–Yates: idx[..s] is a uniform subset
            idx.swap(k, j);
        }
        let mask = idx[..s].iter().fold(0usize, |acc, &i| acc | 1 << i);
        out.push((mask, 1.0));
        out.push((full ^ mask, 1.0));
    }
    out.truncate(n);
    out
}

/// KernelSHAP from `n` sampled coalitions; if they do not determine `φ` (possible for small `n`),
/// `n` more are drawn until they do. Returns `φ` and the number of coalitions used.
pub fn kernel_shap_sampled<R: Rng + ?Sized>(
    m: usize,
    n: usize,
    v: &dyn Fn(usize) -> f64,
    rng: &mut R,
) -> (Array1<f64>, usize) {
    let mut coalitions = sample_coalitions(m, n.max(2), rng);
    loop {
        if let Some(phi) = kernel_shap(m, &coalitions, v) {
            return (phi, coalitions.len());
        }
        coalitions.extend(sample_coalitions(m, n.max(2), rng));
    }
}

fn max_abs_diff(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

/// Runs the kernel; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let m = FEATURES;
    tr.step("data", |s| {
        s.scalar("特徴量の数 M", m as f64);
    })?;
    let (mut mlp, x_train, test_r2) = tabular::train_mlp(&cfg.train, &mut rng, tr, "train")?;
    let bg_rows: Vec<usize> = (0..cfg.background)
        .map(|_| rng.random_range(0..x_train.nrows()))
        .collect();
    let background = x_train.select(Axis(0), &bg_rows);
    let (instances, _) = tabular::dataset(cfg.instances, &mut rng);
    let mut f = |z: &ArrayRef2<f64>| mlp.forward(z);

    let x = instances.row(0).to_owned();
    let v = coalition_values(&mut f, &x, &background);
    let full = (1usize << m) - 1;
    report::coalitions(tr, cfg, &v)?;

    let phi = exact_shapley(&v, m);
    let efficiency_err = (phi.sum() - (v[full] - v[0])).abs();
    report::exact(tr, &x, &phi, &v, efficiency_err)?;

    let vf = |mask: usize| v[mask];
    let singular = || {
        KernelError::InvalidConfig(
            "KernelSHAP: the sampled coalitions do not determine φ; sample more coalitions".into(),
        )
    };
    let phi_full = kernel_shap(m, &all_coalitions(m), &vf).ok_or_else(singular)?;
    let kernel_err = max_abs_diff(&phi_full, &phi);
    let mut sampled_rows = Vec::new();
    // Sampling is noisy: average the error over repeated draws.
    const REPEATS: usize = report::REPEATS;
    let mut sampled_err = f64::NAN;
    for n in [
        cfg.coalitions / 4,
        cfg.coalitions / 2,
        cfg.coalitions,
        cfg.coalitions * 4,
    ] {
        let (mut err, mut used) = (0.0, 0);
        for _ in 0..REPEATS {
            let (est, u) = kernel_shap_sampled(m, n, &vf, &mut rng);
            err += max_abs_diff(&est, &phi) / REPEATS as f64;
            used = used.max(u);
        }
        if n == cfg.coalitions {
            sampled_err = err;
        }
        sampled_rows.push((n, used, err));
    }
    report::kernel_shap(tr, kernel_err, &sampled_rows)?;

    // A linear model: φ_i = w_i (x_i − E_B x_i) in closed form.
    let w_lin = Array1::from_vec(vec![2.0, -1.5, 1.0, 0.3, 0.0, -0.7]);
    let mut linear = |z: &ArrayRef2<f64>| z.dot(&w_lin) + 0.25;
    let phi_lin = exact_shapley(&coalition_values(&mut linear, &x, &background), m);
    let closed = &w_lin
        * &(&x
            - &background
                .mean_axis(Axis(0))
                .unwrap_or_else(|| Array1::zeros(m)));
    let linear_err = max_abs_diff(&phi_lin, &closed);
    report::linear(tr, &w_lin, &phi_lin, &closed, linear_err)?;

    let mut importance = Array1::<f64>::zeros(m);
    let mut worst_eff = efficiency_err;
    for i in 0..cfg.instances {
        let xi = instances.row(i);
        let vi = coalition_values(&mut f, &xi, &background);
        let p = exact_shapley(&vi, m);
        worst_eff = worst_eff.max((p.sum() - (vi[full] - vi[0])).abs());
        importance += &p.mapv(f64::abs);
        tr.progress("シャープレイ値", i + 1, cfg.instances)?;
    }
    importance /= cfg.instances as f64;
    let noise_share =
        importance.slice(ndarray::s![3..]).sum() / importance.sum().max(f64::MIN_POSITIVE);
    report::global(tr, cfg, &importance, noise_share)?;

    Ok(vec![
        MODEL_TEST_R2.measure(test_r2),
        EFFICIENCY_ERR.measure(worst_eff),
        KERNEL_VS_EXACT_ERR.measure(kernel_err),
        Metric::reported("kernel_sampled_err", sampled_err),
        LINEAR_CLOSED_FORM_ERR.measure(linear_err),
        IRRELEVANT_FEATURE_SHARE.measure(noise_share),
    ])
}
