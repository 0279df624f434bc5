//! The `norm` kernel's steps: each turns computed statistics into tables and tensors. The fixed
//! explanations are the lesson's `step_notes` (content/07_normalization/normalization.yaml).

use super::{Config, RunningStats, channel_mean, population_var};
use crate::KernelError;
use crate::nn::{BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm};
use crate::trace::{Cell, Image, Palette, Table, Trace};
use ndarray::{Array4, s};

/// The batch and each channel's mean and standard deviation over all samples.
pub fn input(tr: &mut Trace, cfg: &Config, x: &Array4<f64>) -> Result<(), KernelError> {
    let (n, c, hw) = (cfg.batch, cfg.channels, cfg.size);
    tr.step("input", |s| {
        s.tensor("x", x);
        s.text(format!(
            "N = {n} 枚の画像、各 C = {c} チャネル、{hw}×{hw} 画素。チャネル c の値は平均 1 + c、\
             標準偏差 0.5 + 0.5c で、さらにサンプルごとに明るさのずれ b_n を足してある。"
        ));
        s.table(
            Table::new("チャネルごとの統計 (全サンプル)", ["c", "平均", "標準偏差"]).rows(
                0..c,
                |ci| {
                    let ch = x.slice(s![.., ci, .., ..]);
                    let mean = ch.mean().unwrap_or(0.0);
                    let var = ch.mapv(|v| (v - mean).powi(2)).mean().unwrap_or(0.0);
                    [Cell::from(ci), mean.into(), var.sqrt().into()]
                },
            ),
        );
    })
}

/// Which `(n, c)` cells share one mean and variance, as four categorical maps `(N, C)`.
pub fn axes(tr: &mut Trace, cfg: &Config) -> Result<(), KernelError> {
    let (n, c, g) = (cfg.batch, cfg.channels, cfg.groups);
    tr.step("axes", |s| {
        let map = |name: &str, group: &dyn Fn(usize, usize) -> usize| Image {
            name: name.to_string(),
            width: c,
            height: n,
            palette: Palette::Categorical,
            data: (0..n)
                .flat_map(|ni| (0..c).map(move |ci| (ni, ci)))
                .map(|(ni, ci)| group(ni, ci) as f32)
                .collect(),
        };
        s.image(map(
            "BatchNorm: (N, H, W) で平均 → チャネルごと",
            &|_, ci| ci,
        ));
        s.image(map(
            "LayerNorm: (C, H, W) で平均 → サンプルごと",
            &|ni, _| ni,
        ));
        s.image(map(
            "InstanceNorm: (H, W) で平均 → サンプル×チャネルごと",
            &|ni, ci| ni * c + ci,
        ));
        s.image(map(
            &format!("GroupNorm (G = {g}): (C/G, H, W) で平均"),
            &|ni, ci| ni * g + ci / (c / g),
        ));
    })
}

/// BN's per-channel `μ_c`, `σ²_c` and the variance of its output.
pub fn batch_norm(
    tr: &mut Trace,
    cfg: &Config,
    bn: &BatchNorm2d<f64>,
    y: &Array4<f64>,
    mean_err: f64,
) -> Result<(), KernelError> {
    let (n, c, hw) = (cfg.batch, cfg.channels, cfg.size);
    tr.step("batch_norm", |s| {
        let name = format!(
            "チャネルごとの μ_c, σ²_c (N·H·W = {} 個の平均)",
            n * hw * hw
        );
        s.table(
            Table::new(name, ["c", "μ_c", "σ²_c", "出力の分散"]).rows(0..c, |ci| {
                let out_var = y.slice(s![.., ci, .., ..]).mapv(|v| v * v).mean();
                [
                    Cell::from(ci),
                    bn.last_mean[ci].into(),
                    bn.last_var[ci].into(),
                    out_var.unwrap_or(0.0).into(),
                ]
            }),
        );
        s.tensor("BN(x)", y);
        s.scalar("出力のチャネル平均の最大ずれ", mean_err);
    })
}

/// LN's per-sample `μ_n`, `σ²_n`.
pub fn layer_norm(
    tr: &mut Trace,
    cfg: &Config,
    ln: &LayerNorm<f64>,
    y: &Array4<f64>,
) -> Result<(), KernelError> {
    let (n, c, hw) = (cfg.batch, cfg.channels, cfg.size);
    tr.step("layer_norm", |s| {
        let name = format!(
            "サンプルごとの μ_n, σ²_n (C·H·W = {} 個の平均)",
            c * hw * hw
        );
        s.table(Table::new(name, ["n", "μ_n", "σ²_n"]).rows(0..n, |ni| {
            [
                Cell::from(ni),
                ln.last_mean[ni].into(),
                ln.last_var[ni].into(),
            ]
        }));
        s.tensor("LN(x)", y);
    })
}

/// IN's `μ`, `σ²` per sample and channel (the first 4 samples).
pub fn instance_norm(
    tr: &mut Trace,
    cfg: &Config,
    inorm: &InstanceNorm2d<f64>,
    y: &Array4<f64>,
) -> Result<(), KernelError> {
    let (n, c, hw) = (cfg.batch, cfg.channels, cfg.size);
    tr.step("instance_norm", |s| {
        let name = format!(
            "(n, c) ごとの μ, σ² (H·W = {} 個の平均; 先頭 4 サンプル)",
            hw * hw
        );
        let cells = (0..n.min(4)).flat_map(|ni| (0..c).map(move |ci| (ni, ci)));
        s.table(
            Table::new(name, ["n", "c", "μ_nc", "σ²_nc"]).rows(cells, |(ni, ci)| {
                [
                    Cell::from(ni),
                    ci.into(),
                    inorm.last_mean[[ni, ci]].into(),
                    inorm.last_var[[ni, ci]].into(),
                ]
            }),
        );
        s.tensor("IN(x)", y);
    })
}

/// GN's `μ`, `σ²` per sample and group, and its distance to LN (`G = 1`) and IN (`G = C`).
pub fn group_norm(
    tr: &mut Trace,
    cfg: &Config,
    gn: &GroupNorm<f64>,
    y: &Array4<f64>,
    (gn1_vs_ln, gnc_vs_in): (f64, f64),
) -> Result<(), KernelError> {
    let (n, c, hw, g) = (cfg.batch, cfg.channels, cfg.size, cfg.groups);
    tr.step("group_norm", |s| {
        let name = format!(
            "(n, グループ) ごとの μ, σ² ((C/G)·H·W = {} 個の平均)",
            c / g * hw * hw
        );
        let cells = (0..n.min(4)).flat_map(|ni| (0..g).map(move |gi| (ni, gi)));
        s.table(
            Table::new(name, ["n", "g", "μ", "σ²"]).rows(cells, |(ni, gi)| {
                [
                    Cell::from(ni),
                    gi.into(),
                    gn.last_mean[[ni, gi]].into(),
                    gn.last_var[[ni, gi]].into(),
                ]
            }),
        );
        s.tensor("GN(x)", y);
        s.scalar("|GN(G=1) − LN| の最大値", gn1_vs_ln);
        s.scalar("|GN(G=C) − IN| の最大値", gnc_vs_in);
    })
}

/// How much sample 0's output moved when the other samples were replaced: BN, LN, IN, GN.
pub fn batch_dependence(tr: &mut Trace, n: usize, moved: [f64; 4]) -> Result<(), KernelError> {
    tr.step("batch_dependence", |s| {
        if n == 1 {
            s.text("N = 1 なので入れ替える他のサンプルがない。BN の依存性を見るには batch を 2 以上にする。");
        }
        let names = ["BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm"];
        s.table(
            Table::new("サンプル 0 の出力の変化 max|Δy₀|", ["正規化", "max|Δy₀|", "他サンプルに依存?"])
                .rows(names.into_iter().zip(moved), |(name, d)| {
                    [Cell::from(name), d.into(), if d > 1e-9 { "する" } else { "しない" }.into()]
                }),
        );
    })
}

/// `std(μ_B)` of channel 0 against the batch size `N`.
pub fn small_batch(
    tr: &mut Trace,
    cfg: &Config,
    noise: &[(usize, f64)],
) -> Result<(), KernelError> {
    let hw = cfg.size;
    tr.step("small_batch", |s| {
        s.table(
            Table::new("バッチサイズと μ_B の標準偏差", ["N", "N·H·W", "std(μ_B)"])
                .rows(noise, |&(m, sd)| {
                    [Cell::from(m), (m * hw * hw).into(), sd.into()]
                }),
        );
        for &(m, sd) in noise {
            s.series("std(μ_B) vs N", m as f64, sd);
        }
    })
}

/// The running statistics after training next to the population's.
pub fn running_stats(tr: &mut Trace, cfg: &Config, rs: &RunningStats) -> Result<(), KernelError> {
    tr.step("running_stats", |s| {
        s.text(format!(
            "{} 回の学習ステップで running_mean ← (1 − m)·running_mean + m·μ_B (m = {}) を繰り返した。",
            cfg.train_steps, cfg.momentum
        ));
        let columns = ["c", "running_mean", "真の平均", "running_var", "真の分散"];
        s.table(Table::new("running 統計量と母集団の値", columns).rows(0..cfg.channels, |ci| {
            [
                Cell::from(ci),
                rs.mean[ci].into(),
                channel_mean(ci).into(),
                rs.var[ci].into(),
                population_var(ci).into(),
            ]
        }));
        s.scalar("max |running_mean − μ| / σ", rs.mean_err_sigma);
    })
}

/// Evaluation mode: sample 0's output no longer depends on the batch.
pub fn eval_mode(
    tr: &mut Trace,
    y_eval: &Array4<f64>,
    eval_invariance: f64,
    train_eval_gap: f64,
) -> Result<(), KernelError> {
    tr.step("eval_mode", |s| {
        s.scalar("eval: サンプル 0 の max|Δy₀|", eval_invariance);
        s.scalar("max|y_train − y_eval|", train_eval_gap);
        s.tensor("BN_eval(x)", y_eval);
    })
}
