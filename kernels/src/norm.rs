//! `norm`: Batch / Layer / Instance / Group normalisation side by side on one small batch.
//!
//! All four compute `x̂ = (x − μ) / √(σ² + ε)` and `y = γ x̂ + β`; they differ only in which
//! axes of an `(N, C, H, W)` batch `μ` and `σ²` are averaged over (Wu & He 2018, Fig. 2):
//!
//! - BatchNorm (Ioffe & Szegedy 2015): over `(N, H, W)` for each channel — it mixes samples;
//! - LayerNorm (Ba et al. 2016): over `(C, H, W)` for each sample;
//! - InstanceNorm (Ulyanov et al. 2016): over `(H, W)` for each sample and channel;
//! - GroupNorm (Wu & He 2018): over `(C/G, H, W)` for each sample and group of channels.
//!
//! The kernel shows those axes, then demonstrates the consequences the lesson teaches: BN's
//! output for one sample changes when the *other* samples change (LN/IN/GN's does not); BN's
//! statistics get noisy for small batches; in training BN keeps running averages that evaluation
//! mode then uses, which makes evaluation independent of the batch again.
//!
//! **Running statistics.** `running_mean ← (1 − m)·running_mean + m·μ_B` is an exponential
//! moving average of the batch means, so it never settles: its noise is
//! `std(μ_B)·√(m / (2 − m))`. With this kernel's batch of `N = 4` samples, each with its own
//! brightness offset `b_n ~ N(0, 1)`, `std(μ_B) ≈ 0.5`, and PyTorch's `m = 0.1` leaves a noise of
//! about `0.12` in units of the channel's σ — the largest of 4 channels exceeded the target of
//! `0.25 σ` on seed 2 (0.32 σ). The default is therefore `m = 0.01` over 500 steps (noise
//! ≈ 0.035 σ, start-up bias `(1 − m)^500 ≈ 0.7 %`); seeds 0–9 gave 0.014–0.052 σ. Setting
//! `momentum = 0.1` shows the noisier, faster-tracking average the lesson describes.
//!
//! The arithmetic is done by the layers in [`crate::nn::norm`], in `f64` so the invariance
//! errors are exact zeros rather than rounding noise.

mod report;

use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::{BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm};
use crate::trace::{Goal, Metric, StepDecl, Trace};
use ndarray::{Array4, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

/// Target: BN output has mean 0 per channel over (N, H, W).
pub const BN_CHANNEL_MEAN_ERR: Goal = Goal::at_most("bn_channel_mean_err", 1e-9);
/// Target: BN's output for sample 0 changes when the other samples change.
pub const BN_BATCH_DEPENDENCE: Goal = Goal::at_least("bn_batch_dependence", 1e-2);
/// Target: LN's output for sample 0 does not.
pub const LN_BATCH_INVARIANCE_ERR: Goal = Goal::at_most("ln_batch_invariance_err", 1e-6);
/// Target: nor IN's.
pub const IN_BATCH_INVARIANCE_ERR: Goal = Goal::at_most("in_batch_invariance_err", 1e-6);
/// Target: nor GN's.
pub const GN_BATCH_INVARIANCE_ERR: Goal = Goal::at_most("gn_batch_invariance_err", 1e-6);
/// Target: GroupNorm with one group is LayerNorm.
pub const GN1_VS_LN_ERR: Goal = Goal::at_most("gn1_vs_ln_err", 1e-9);
/// Target: GroupNorm with C groups is InstanceNorm.
pub const GNC_VS_IN_ERR: Goal = Goal::at_most("gnc_vs_in_err", 1e-9);
/// Target: in eval mode BN no longer depends on the batch.
pub const BN_EVAL_BATCH_INVARIANCE_ERR: Goal = Goal::at_most("bn_eval_batch_invariance_err", 1e-6);
/// Target: the running mean is within a quarter of a population σ of the true mean.
pub const RUNNING_MEAN_ERR_SIGMA: Goal = Goal::at_most("running_mean_err_sigma", 0.25);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "norm",
    title: "正規化層の比較 (Batch / Layer / Instance / Group Norm)",
    summary: "同じバッチを 4 種類の正規化にかけ、平均をとる軸とバッチ依存性の違いを確かめる",
    source: "norm.rs",
    knobs: &[
        KnobSpec::int("batch", "バッチサイズ N", 4, 1, 64),
        KnobSpec::int("channels", "チャネル数 C", 4, 1, 32),
        KnobSpec::int("size", "特徴マップの高さ = 幅 (H = W)", 3, 1, 16),
        KnobSpec::int(
            "groups",
            "GroupNorm のグループ数 G (C を割り切ること)",
            2,
            1,
            32,
        ),
        KnobSpec::int(
            "train_steps",
            "running 統計量を更新する学習ステップ数",
            500,
            1,
            10_000,
        ),
        KnobSpec::float(
            "momentum",
            "running 統計量のモーメンタム m (PyTorch 既定 0.1)",
            0.01,
            0.001,
            1.0,
        ),
    ],
    steps: &[
        StepDecl::new("input", "入力バッチ (N, C, H, W)"),
        StepDecl::new("axes", "どの軸で平均するか"),
        StepDecl::new("batch_norm", "Batch Normalization"),
        StepDecl::new("layer_norm", "Layer Normalization"),
        StepDecl::new("instance_norm", "Instance Normalization"),
        StepDecl::new("group_norm", "Group Normalization"),
        StepDecl::new("batch_dependence", "他のサンプルを入れ替えると"),
        StepDecl::new("small_batch", "小さなバッチでの統計量のばらつき"),
        StepDecl::new("running_stats", "学習時: running 統計量の更新"),
        StepDecl::new("eval_mode", "推論時: running 統計量で正規化"),
    ],
    goals: &[
        BN_CHANNEL_MEAN_ERR,
        BN_BATCH_DEPENDENCE,
        LN_BATCH_INVARIANCE_ERR,
        IN_BATCH_INVARIANCE_ERR,
        GN_BATCH_INVARIANCE_ERR,
        GN1_VS_LN_ERR,
        GNC_VS_IN_ERR,
        BN_EVAL_BATCH_INVARIANCE_ERR,
        RUNNING_MEAN_ERR_SIGMA,
    ],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub batch: usize,
    pub channels: usize,
    pub size: usize,
    pub groups: usize,
    pub train_steps: usize,
    pub momentum: f64,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            batch: k.usize("batch"),
            channels: k.usize("channels"),
            size: k.usize("size"),
            groups: k.usize("groups"),
            train_steps: k.usize("train_steps"),
            momentum: k.float("momentum"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// The data: channel `c` has mean `μ_c = 1 + c` and std `σ_c = 0.5 + 0.5 c`, and every sample
/// gets its own brightness offset `b_n ~ N(0, 1)`, so per-channel and per-sample statistics
/// really differ. Returns a batch `(N, C, H, W)`.
fn sample_batch(cfg: &Config, n: usize, rng: &mut StdRng) -> Array4<f64> {
    let (c, hw) = (cfg.channels, cfg.size);
    let z = Array4::<f64>::random_using((n, c, hw, hw), StandardNormal, rng);
    let offsets = ndarray::Array1::<f64>::random_using(n, StandardNormal, rng);
    let mut x = z;
    for ((ni, ci, _, _), v) in x.indexed_iter_mut() {
        *v = channel_mean(ci) + channel_std(ci) * *v + offsets[ni];
    }
    x
}

fn channel_mean(c: usize) -> f64 {
    1.0 + c as f64
}

fn channel_std(c: usize) -> f64 {
    0.5 + 0.5 * c as f64
}

/// Largest absolute element-wise difference.
fn max_abs_diff(a: &Array4<f64>, b: &Array4<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// What BN's running statistics reached after training; see the module documentation.
pub struct RunningStats {
    pub mean: Vec<f64>,
    pub var: Vec<f64>,
    /// `max_c |running_mean_c − μ_c| / σ_c` with the population σ.
    pub mean_err_sigma: f64,
}

/// The standard deviation of channel 0's batch mean `μ_B` over 200 random batches of each size
/// `N` in `1, 2, 4, …, 32`: `(N, std(μ_B))`.
fn batch_mean_noise(
    cfg: &Config,
    rng: &mut StdRng,
    tr: &mut Trace,
) -> Result<Vec<(usize, f64)>, KernelError> {
    let draws = 200;
    let sizes = [1usize, 2, 4, 8, 16, 32];
    let mut noise = Vec::with_capacity(sizes.len());
    for (k, m) in sizes.into_iter().enumerate() {
        let mut means = Vec::with_capacity(draws);
        for i in 0..draws {
            // A cancel point: at the largest shapes the 200 batches of 32 take about a second.
            tr.progress("小さなバッチの統計量", k * draws + i, sizes.len() * draws)?;
            let batch = sample_batch(cfg, m, rng);
            means.push(batch.slice(s![.., 0, .., ..]).mean().unwrap_or(0.0));
        }
        let mu = means.iter().sum::<f64>() / draws as f64;
        let var = means.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (draws - 1) as f64;
        noise.push((m, var.sqrt()));
    }
    Ok(noise)
}

/// Trains a fresh BN on `train_steps` batches: only its running statistics change.
fn train_running_stats(
    cfg: &Config,
    rng: &mut StdRng,
    tr: &mut Trace,
) -> Result<(BatchNorm2d<f64>, RunningStats), KernelError> {
    let mut bn = BatchNorm2d::<f64>::new(cfg.channels)?;
    bn.momentum = cfg.momentum;
    for t in 1..=cfg.train_steps {
        // running_mean ← (1 − m)·running_mean + m·μ_B, likewise running_var (unbiased σ²_B)
        bn.forward(&sample_batch(cfg, cfg.batch, rng));
        tr.progress("running 統計量の更新", t, cfg.train_steps)?;
    }
    // The population statistics of channel c: mean μ_c, variance σ_c² + var(b_n) = σ_c² + 1.
    let mean_err_sigma = (0..cfg.channels)
        .map(|ci| (bn.running_mean[ci] - channel_mean(ci)).abs() / population_var(ci).sqrt())
        .fold(0.0, f64::max);
    let stats = RunningStats {
        mean: bn.running_mean.to_vec(),
        var: bn.running_var.to_vec(),
        mean_err_sigma,
    };
    Ok((bn, stats))
}

/// The variance of channel `c` over the whole population: `σ_c² + var(b_n)`.
fn population_var(c: usize) -> f64 {
    channel_std(c).powi(2) + 1.0
}

/// Runs the comparison; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let (n, c, hw, g) = (cfg.batch, cfg.channels, cfg.size, cfg.groups);
    if g == 0 || c % g != 0 {
        return Err(KernelError::InvalidConfig(format!(
            "groups = {g} does not divide channels = {c}; choose groups from the divisors of {c}"
        )));
    }
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let x = sample_batch(cfg, n, &mut rng); // (N, C, H, W)
    let mut bn = BatchNorm2d::<f64>::new(c)?;
    let mut ln = LayerNorm::<f64>::new(&[c, hw, hw])?;
    let mut inorm = InstanceNorm2d::<f64>::new(c)?;
    let mut gn = GroupNorm::<f64>::new(g, c)?;
    bn.momentum = cfg.momentum;
    report::input(tr, cfg, &x)?;
    report::axes(tr, cfg)?;

    // 1. The same batch through each normalisation; each layer keeps its μ and σ².
    let y_bn = bn.forward(&x);
    let bn_mean_err = (0..c)
        .map(|ci| y_bn.slice(s![.., ci, .., ..]).mean().unwrap_or(0.0).abs())
        .fold(0.0, f64::max);
    report::batch_norm(tr, cfg, &bn, &y_bn, bn_mean_err)?;
    let y_ln = ln.forward(&x);
    report::layer_norm(tr, cfg, &ln, &y_ln)?;
    let y_in = inorm.forward(&x);
    report::instance_norm(tr, cfg, &inorm, &y_in)?;
    let y_gn = gn.forward(&x);
    let gn1_vs_ln = max_abs_diff(&GroupNorm::<f64>::new(1, c)?.forward(&x), &y_ln);
    let gnc_vs_in = max_abs_diff(&GroupNorm::<f64>::new(c, c)?.forward(&x), &y_in);
    report::group_norm(tr, cfg, &gn, &y_gn, (gn1_vs_ln, gnc_vs_in))?;

    // 2. Replace every sample except sample 0 by a batch from a shifted distribution.
    let mut x2 = sample_batch(cfg, n, &mut rng);
    x2.mapv_inplace(|v| 3.0 * v - 2.0);
    x2.slice_mut(s![0..1, .., .., ..])
        .assign(&x.slice(s![0..1, .., .., ..]));
    let first = |y: &Array4<f64>| y.slice(s![0..1, .., .., ..]).to_owned();
    let d_bn = max_abs_diff(&first(&bn.forward(&x2)), &first(&y_bn));
    let d_ln = max_abs_diff(&first(&ln.forward(&x2)), &first(&y_ln));
    let d_in = max_abs_diff(&first(&inorm.forward(&x2)), &first(&y_in));
    let d_gn = max_abs_diff(&first(&gn.forward(&x2)), &first(&y_gn));
    report::batch_dependence(tr, n, [d_bn, d_ln, d_in, d_gn])?;

    // 3. How noisy are BN's batch statistics for small batches?
    let noise = batch_mean_noise(cfg, &mut rng, tr)?;
    report::small_batch(tr, cfg, &noise)?;

    // 4. Training updates the running statistics; evaluation mode then normalises with them.
    let (mut bn_train, running) = train_running_stats(cfg, &mut rng, tr)?;
    report::running_stats(tr, cfg, &running)?;
    bn_train.eval();
    let e1 = bn_train.forward(&x);
    let e2 = bn_train.forward(&x2);
    let eval_invariance = max_abs_diff(&first(&e1), &first(&e2));
    bn_train.train();
    let train_eval_gap = max_abs_diff(&bn_train.forward(&x), &e1);
    report::eval_mode(tr, &e1, eval_invariance, train_eval_gap)?;

    let mut metrics = vec![
        BN_CHANNEL_MEAN_ERR.measure(bn_mean_err),
        BN_BATCH_DEPENDENCE.measure(d_bn),
        LN_BATCH_INVARIANCE_ERR.measure(d_ln),
        IN_BATCH_INVARIANCE_ERR.measure(d_in),
        GN_BATCH_INVARIANCE_ERR.measure(d_gn),
        GN1_VS_LN_ERR.measure(gn1_vs_ln),
        GNC_VS_IN_ERR.measure(gnc_vs_in),
        BN_EVAL_BATCH_INVARIANCE_ERR.measure(eval_invariance),
        RUNNING_MEAN_ERR_SIGMA.measure(running.mean_err_sigma),
        Metric::reported("bn_train_eval_gap", train_eval_gap),
    ];
    if let (Some(&(_, sd1)), Some(&(_, sd_big))) = (noise.first(), noise.last()) {
        metrics.push(Metric::reported(
            "small_batch_noise_ratio",
            sd1 / sd_big.max(f64::MIN_POSITIVE),
        ));
    }
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::CollectSink;

    fn run_with(settings: &[&str]) -> Result<(Vec<Metric>, CollectSink), KernelError> {
        let knobs = KERNEL
            .configure(0, settings)
            .map_err(|e| KernelError::InvalidConfig(e.to_string()))?;
        let mut sink = CollectSink::default();
        let metrics = run(&Config::from_knobs(&knobs), &mut Trace::new(&mut sink))?;
        Ok((metrics, sink))
    }

    #[test]
    fn groups_must_divide_channels() {
        let err = run_with(&["channels=4", "groups=3"]).err();
        assert!(
            matches!(err, Some(KernelError::InvalidConfig(m)) if m.contains("does not divide"))
        );
    }

    #[test]
    fn batch_of_one_reports_no_dependence_honestly() {
        let (metrics, _) = run_with(&["batch=1"]).expect("runs");
        let dep = metrics
            .iter()
            .find(|m| m.name == "bn_batch_dependence")
            .expect("metric");
        assert!(
            !dep.pass,
            "with N = 1 there is nothing to depend on: {dep:?}"
        );
    }
}
