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

use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::{BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm};
use crate::trace::{Goal, Image, Metric, Palette, StepDecl, Table, Trace, fmt_num};
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

fn row(cells: impl IntoIterator<Item = String>) -> Vec<String> {
    cells.into_iter().collect()
}

fn f(x: f64) -> String {
    format!("{x:.4}")
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
    let x = sample_batch(cfg, n, &mut rng);
    let mut bn = BatchNorm2d::<f64>::new(c)?;
    let mut ln = LayerNorm::<f64>::new(&[c, hw, hw])?;
    let mut inorm = InstanceNorm2d::<f64>::new(c)?;
    let mut gn = GroupNorm::<f64>::new(g, c)?;
    bn.momentum = cfg.momentum;

    tr.step("input", |s| {
        s.tensor("x", &x);
        s.text(format!(
            "N = {n} 枚の画像、各 C = {c} チャネル、{hw}×{hw} 画素。チャネル c の値は平均 1 + c、\
             標準偏差 0.5 + 0.5c で、さらにサンプルごとに明るさのずれ b_n を足してある。"
        ));
        let rows = (0..c)
            .map(|ci| {
                let ch = x.slice(s![.., ci, .., ..]);
                let mean = ch.mean().unwrap_or(0.0);
                let var = ch.mapv(|v| (v - mean).powi(2)).mean().unwrap_or(0.0);
                row([ci.to_string(), f(mean), f(var.sqrt())])
            })
            .collect();
        s.table(Table {
            name: "チャネルごとの統計 (全サンプル)".into(),
            columns: row(["c".into(), "平均".into(), "標準偏差".into()]),
            rows,
        });
    })?;

    tr.step("axes", |s| {
        s.text(
            "行 = サンプル n、列 = チャネル c (H, W はまとめて 1 マス)。同じ色のマスが、ひとつの平均・分散を共有するグループ。",
        );
        let map = |name: &str, group: &dyn Fn(usize, usize) -> usize| Image {
            name: name.to_string(),
            width: c,
            height: n,
            palette: Palette::Categorical,
            data: (0..n).flat_map(|ni| (0..c).map(move |ci| (ni, ci))).map(|(ni, ci)| group(ni, ci) as f32).collect(),
        };
        s.image(map("BatchNorm: (N, H, W) で平均 → チャネルごと", &|_, ci| ci));
        s.image(map("LayerNorm: (C, H, W) で平均 → サンプルごと", &|ni, _| ni));
        s.image(map("InstanceNorm: (H, W) で平均 → サンプル×チャネルごと", &|ni, ci| ni * c + ci));
        s.image(map(&format!("GroupNorm (G = {g}): (C/G, H, W) で平均"), &|ni, ci| ni * g + ci / (c / g)));
    })?;

    let y_bn = bn.forward(&x);
    let bn_mean_err = (0..c)
        .map(|ci| y_bn.slice(s![.., ci, .., ..]).mean().unwrap_or(0.0).abs())
        .fold(0.0, f64::max);
    let bn_var = (0..c)
        .map(|ci| {
            let ch = y_bn.slice(s![.., ci, .., ..]);
            ch.mapv(|v| v * v).mean().unwrap_or(0.0)
        })
        .collect::<Vec<_>>();
    tr.step("batch_norm", |s| {
        let rows = (0..c)
            .map(|ci| {
                row([
                    ci.to_string(),
                    f(bn.last_mean[ci]),
                    f(bn.last_var[ci]),
                    f(bn_var[ci]),
                ])
            })
            .collect();
        s.table(Table {
            name: format!(
                "チャネルごとの μ_c, σ²_c (N·H·W = {} 個の平均)",
                n * hw * hw
            ),
            columns: row(["c".into(), "μ_c".into(), "σ²_c".into(), "出力の分散".into()]),
            rows,
        });
        s.tensor("BN(x)", &y_bn);
        s.scalar("出力のチャネル平均の最大ずれ", bn_mean_err);
    })?;

    let y_ln = ln.forward(&x);
    tr.step("layer_norm", |s| {
        let rows = (0..n)
            .map(|ni| row([ni.to_string(), f(ln.last_mean[ni]), f(ln.last_var[ni])]))
            .collect();
        s.table(Table {
            name: format!(
                "サンプルごとの μ_n, σ²_n (C·H·W = {} 個の平均)",
                c * hw * hw
            ),
            columns: row(["n".into(), "μ_n".into(), "σ²_n".into()]),
            rows,
        });
        s.tensor("LN(x)", &y_ln);
        s.text("明るさのずれ b_n はサンプルごとの平均 μ_n に吸収され、出力からは消える。");
    })?;

    let y_in = inorm.forward(&x);
    tr.step("instance_norm", |s| {
        let rows = (0..n.min(4))
            .flat_map(|ni| (0..c).map(move |ci| (ni, ci)))
            .map(|(ni, ci)| {
                row([
                    ni.to_string(),
                    ci.to_string(),
                    f(inorm.last_mean[[ni, ci]]),
                    f(inorm.last_var[[ni, ci]]),
                ])
            })
            .collect();
        s.table(Table {
            name: format!(
                "(n, c) ごとの μ, σ² (H·W = {} 個の平均; 先頭 4 サンプル)",
                hw * hw
            ),
            columns: row(["n".into(), "c".into(), "μ_nc".into(), "σ²_nc".into()]),
            rows,
        });
        s.tensor("IN(x)", &y_in);
        s.text("各画像・各チャネルのコントラストが個別にそろう。スタイル転送でよく使われる理由。");
    })?;

    let y_gn = gn.forward(&x);
    let gn1_vs_ln = max_abs_diff(&GroupNorm::<f64>::new(1, c)?.forward(&x), &y_ln);
    let gnc_vs_in = max_abs_diff(&GroupNorm::<f64>::new(c, c)?.forward(&x), &y_in);
    tr.step("group_norm", |s| {
        let rows = (0..n.min(4))
            .flat_map(|ni| (0..g).map(move |gi| (ni, gi)))
            .map(|(ni, gi)| {
                row([
                    ni.to_string(),
                    gi.to_string(),
                    f(gn.last_mean[[ni, gi]]),
                    f(gn.last_var[[ni, gi]]),
                ])
            })
            .collect();
        s.table(Table {
            name: format!(
                "(n, グループ) ごとの μ, σ² ((C/G)·H·W = {} 個の平均)",
                c / g * hw * hw
            ),
            columns: row(["n".into(), "g".into(), "μ".into(), "σ²".into()]),
            rows,
        });
        s.tensor("GN(x)", &y_gn);
        s.scalar("|GN(G=1) − LN| の最大値", gn1_vs_ln);
        s.scalar("|GN(G=C) − IN| の最大値", gnc_vs_in);
        s.text("G = 1 なら LayerNorm、G = C なら InstanceNorm と一致する。GN はその中間。");
    })?;

    // Replace every sample except sample 0 by a batch from a shifted distribution.
    let mut x2 = sample_batch(cfg, n, &mut rng);
    x2.mapv_inplace(|v| 3.0 * v - 2.0);
    x2.slice_mut(s![0..1, .., .., ..])
        .assign(&x.slice(s![0..1, .., .., ..]));
    let first = |y: &Array4<f64>| y.slice(s![0..1, .., .., ..]).to_owned();
    let d_bn = max_abs_diff(&first(&bn.forward(&x2)), &first(&y_bn));
    let d_ln = max_abs_diff(&first(&ln.forward(&x2)), &first(&y_ln));
    let d_in = max_abs_diff(&first(&inorm.forward(&x2)), &first(&y_in));
    let d_gn = max_abs_diff(&first(&gn.forward(&x2)), &first(&y_gn));
    tr.step("batch_dependence", |s| {
        s.text(if n > 1 {
            "サンプル 0 はそのままに、残りの N − 1 枚を別の分布のデータに入れ替えて、サンプル 0 の出力がどれだけ変わるかを測る。"
        } else {
            "N = 1 なので入れ替える他のサンプルがない。BN の依存性を見るには batch を 2 以上にする。"
        });
        s.table(Table {
            name: "サンプル 0 の出力の変化 max|Δy₀|".into(),
            columns: row(["正規化".into(), "max|Δy₀|".into(), "他サンプルに依存?".into()]),
            rows: [("BatchNorm", d_bn), ("LayerNorm", d_ln), ("InstanceNorm", d_in), ("GroupNorm", d_gn)]
                .into_iter()
                .map(|(name, d)| row([name.into(), fmt_num(d), if d > 1e-9 { "する" } else { "しない" }.into()]))
                .collect(),
        });
    })?;

    // How noisy are BN's batch statistics for small batches? Channel 0 has σ² = 0.25 + var(b_n).
    let sizes: Vec<usize> = [1usize, 2, 4, 8, 16, 32]
        .into_iter()
        .filter(|&m| m <= 64)
        .collect();
    let mut noise_rows = Vec::new();
    for &m in &sizes {
        let draws = 200;
        let means: Vec<f64> = (0..draws)
            .map(|_| {
                sample_batch(cfg, m, &mut rng)
                    .slice(s![.., 0, .., ..])
                    .mean()
                    .unwrap_or(0.0)
            })
            .collect();
        let mu = means.iter().sum::<f64>() / draws as f64;
        let sd = (means.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (draws - 1) as f64).sqrt();
        noise_rows.push((m, sd));
    }
    tr.step("small_batch", |s| {
        s.text("チャネル 0 の平均 μ_B を、大きさ N のランダムなバッチから 200 回推定したときのばらつき。N が小さいほど μ_B は揺れ、BN の出力もその揺れを受ける。");
        s.table(Table {
            name: "バッチサイズと μ_B の標準偏差".into(),
            columns: row(["N".into(), "N·H·W".into(), "std(μ_B)".into()]),
            rows: noise_rows
                .iter()
                .map(|&(m, sd)| row([m.to_string(), (m * hw * hw).to_string(), f(sd)]))
                .collect(),
        });
        for &(m, sd) in &noise_rows {
            s.series("std(μ_B) vs N", m as f64, sd);
        }
    })?;

    // Training: fresh batches from the same distribution update the running statistics.
    let mut bn_train = BatchNorm2d::<f64>::new(c)?;
    bn_train.momentum = cfg.momentum;
    let every = (cfg.train_steps / 25).max(1);
    for t in 1..=cfg.train_steps {
        let xb = sample_batch(cfg, n, &mut rng);
        bn_train.forward(&xb);
        if t % every == 0 || t == cfg.train_steps {
            tr.progress("running 統計量の更新", t, cfg.train_steps)?;
        }
    }
    // The population statistics of channel c: mean μ_c, variance σ_c² + var(b_n) = σ_c² + 1.
    let running_mean_err = (0..c)
        .map(|ci| {
            (bn_train.running_mean[ci] - channel_mean(ci)).abs()
                / (channel_std(ci).powi(2) + 1.0).sqrt()
        })
        .fold(0.0, f64::max);
    tr.step("running_stats", |s| {
        s.text(format!(
            "{} 回の学習ステップで running_mean ← (1 − m)·running_mean + m·μ_B (m = {}) を繰り返した。\
             running_var には不偏分散 (M/(M − 1) 倍) を使う (PyTorch と同じ)。",
            cfg.train_steps, cfg.momentum
        ));
        s.table(Table {
            name: "running 統計量と母集団の値".into(),
            columns: row(["c".into(), "running_mean".into(), "真の平均".into(), "running_var".into(), "真の分散".into()]),
            rows: (0..c)
                .map(|ci| {
                    row([
                        ci.to_string(),
                        f(bn_train.running_mean[ci]),
                        f(channel_mean(ci)),
                        f(bn_train.running_var[ci]),
                        f(channel_std(ci).powi(2) + 1.0),
                    ])
                })
                .collect(),
        });
        s.scalar("max |running_mean − μ| / σ", running_mean_err);
    })?;

    bn_train.eval();
    let e1 = bn_train.forward(&x);
    let e2 = bn_train.forward(&x2);
    let eval_invariance = max_abs_diff(&first(&e1), &first(&e2));
    bn_train.train();
    let train_eval_gap = max_abs_diff(&bn_train.forward(&x), &e1);
    tr.step("eval_mode", |s| {
        s.text("推論 (eval) モードではバッチの統計量ではなく running 統計量で正規化する。だから他のサンプルを入れ替えてもサンプル 0 の出力は変わらない。学習モードの出力とは少し違う。");
        s.scalar("eval: サンプル 0 の max|Δy₀|", eval_invariance);
        s.scalar("max|y_train − y_eval|", train_eval_gap);
        s.tensor("BN_eval(x)", &e1);
    })?;

    let mut metrics = vec![
        BN_CHANNEL_MEAN_ERR.measure(bn_mean_err),
        BN_BATCH_DEPENDENCE.measure(d_bn),
        LN_BATCH_INVARIANCE_ERR.measure(d_ln),
        IN_BATCH_INVARIANCE_ERR.measure(d_in),
        GN_BATCH_INVARIANCE_ERR.measure(d_gn),
        GN1_VS_LN_ERR.measure(gn1_vs_ln),
        GNC_VS_IN_ERR.measure(gnc_vs_in),
        BN_EVAL_BATCH_INVARIANCE_ERR.measure(eval_invariance),
        RUNNING_MEAN_ERR_SIGMA.measure(running_mean_err),
        Metric::reported("bn_train_eval_gap", train_eval_gap),
    ];
    if let Some(&(_, sd1)) = noise_rows.first()
        && let Some(&(_, sd_big)) = noise_rows.last()
    {
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
