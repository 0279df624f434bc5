//! The `shap` kernel's steps: coalition values, exact and Kernel SHAP values, the linear
//! closed form and the global importance, as tables.

use super::super::tabular::{FEATURES, NAMES};
use super::Config;
use crate::KernelError;
use crate::trace::{Cell, Table, Trace};
use ndarray::Array1;

/// Sampled KernelSHAP runs averaged per row of the `kernel_shap` table.
pub const REPEATS: usize = 20;

/// The value `v(S)` of a few coalitions.
pub fn coalitions(tr: &mut Trace, cfg: &Config, v: &[f64]) -> Result<(), KernelError> {
    let (m, full) = (FEATURES, (1usize << FEATURES) - 1);
    tr.step("coalitions", |s| {
        s.scalar("背景データの行数", cfg.background as f64);
        s.scalar("提携の数 2^M", (1usize << m) as f64);
        let show = [0usize, 1, 2, 4, 3, 7, 56, full];
        s.table(
            Table::new("いくつかの提携の価値", ["提携 S", "v(S)"]).rows(show, |mask| {
                let names: Vec<&str> = (0..m)
                    .filter(|i| mask >> i & 1 == 1)
                    .map(|i| NAMES[i])
                    .collect();
                [
                    Cell::from(format!("{{{}}}", names.join(", "))),
                    v[mask].into(),
                ]
            }),
        );
        s.scalar("v(∅) = E_B f (基準値)", v[0])
            .scalar("v(全員) = f(x)", v[full]);
    })
}

/// Input 0's exact Shapley values and the efficiency check.
pub fn exact(
    tr: &mut Trace,
    x: &Array1<f64>,
    phi: &Array1<f64>,
    v: &[f64],
    efficiency_err: f64,
) -> Result<(), KernelError> {
    let (m, full) = (FEATURES, (1usize << FEATURES) - 1);
    tr.step("exact", |s| {
        s.table(
            Table::new("入力 0 の厳密なシャープレイ値", ["特徴量", "x_i", "φ_i"])
                .rows(0..m, |i| [Cell::from(NAMES[i]), x[i].into(), phi[i].into()]),
        );
        s.scalar("Σφ_i", phi.sum())
            .scalar("f(x) − E_B f", v[full] - v[0])
            .scalar("|差| (効率性)", efficiency_err);
    })
}

/// KernelSHAP over every coalition, and its error when coalitions are sampled.
pub fn kernel_shap(
    tr: &mut Trace,
    kernel_err: f64,
    sampled_rows: &[(usize, usize, f64)],
) -> Result<(), KernelError> {
    let m = FEATURES;
    tr.step("kernel_shap", |s| {
        s.scalar("空と全員を除く提携の数 2^M − 2", ((1usize << m) - 2) as f64);
        s.scalar("全提携: max|φ_kernel − φ_exact|", kernel_err);
        let columns = ["提携の数", "実際に使った最大数", "平均 max|φ − φ_exact|"];
        s.table(
            Table::new(
                format!("サンプリングした提携の数と誤差 ({REPEATS} 回の平均)"),
                columns,
            )
            .rows(sampled_rows, |&(n, used, e)| {
                [Cell::from(n), used.into(), e.into()]
            }),
        );
        for &(n, _, e) in sampled_rows {
            s.series("誤差 対 提携の数", n as f64, e);
        }
    })
}

/// A linear model's enumerated Shapley values against the closed form.
pub fn linear(
    tr: &mut Trace,
    w_lin: &Array1<f64>,
    phi_lin: &Array1<f64>,
    closed: &Array1<f64>,
    linear_err: f64,
) -> Result<(), KernelError> {
    let m = FEATURES;
    tr.step("linear", |s| {
        let columns = ["特徴量", "w_i", "列挙した φ_i", "w_i (x_i − E x_i)"];
        s.table(
            Table::new("線形モデル f = w·x + 0.25", columns).rows(0..m, |i| {
                [
                    Cell::from(NAMES[i]),
                    w_lin[i].into(),
                    phi_lin[i].into(),
                    closed[i].into(),
                ]
            }),
        );
        s.scalar("最大の差", linear_err);
    })
}

/// Mean `|φ_i|` over every explained input.
pub fn global(
    tr: &mut Trace,
    cfg: &Config,
    importance: &Array1<f64>,
    noise_share: f64,
) -> Result<(), KernelError> {
    let m = FEATURES;
    tr.step("global", |s| {
        s.scalar("平均をとった入力の数", cfg.instances as f64);
        s.scalar("x3〜x5 の取り分", noise_share);
        s.table(
            Table::new("平均 |φ_i|", ["特徴量", "平均 |φ_i|"])
                .rows(0..m, |i| [Cell::from(NAMES[i]), importance[i].into()]),
        );
    })
}
