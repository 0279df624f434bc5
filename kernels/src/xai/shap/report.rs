//! The `shap` kernel's steps: coalition values, exact and Kernel SHAP values, the linear
//! closed form and the global importance, as tables.

use super::super::tabular::{FEATURES, NAMES};
use super::Config;
use crate::KernelError;
use crate::trace::{Table, Trace, fmt_num};
use ndarray::Array1;

/// Sampled KernelSHAP runs averaged per row of the `kernel_shap` table.
pub const REPEATS: usize = 20;

/// The value `v(S)` of a few coalitions.
pub fn coalitions(tr: &mut Trace, cfg: &Config, v: &[f64]) -> Result<(), KernelError> {
    let (m, full) = (FEATURES, (1usize << FEATURES) - 1);
    tr.step("coalitions", |s| {
        s.text(format!(
            "提携 S に入った特徴量は x の値、入らない特徴量は背景データ {} 行の値で埋めて f を平均する: v(S) = E_b f(x_S, b_S̄)。M = {m} なので提携は 2^M = {} 通り。",
            cfg.background,
            1 << m
        ));
        let show = [0usize, 1, 2, 4, 3, 7, 56, full];
        s.table(Table {
            name: "いくつかの提携の価値".into(),
            columns: ["提携 S", "v(S)"].map(String::from).to_vec(),
            rows: show
                .iter()
                .map(|&mask| {
                    let names: Vec<&str> = (0..m).filter(|i| mask >> i & 1 == 1).map(|i| NAMES[i]).collect();
                    vec![format!("{{{}}}", names.join(", ")), format!("{:.4}", v[mask])]
                })
                .collect(),
        });
        s.scalar("v(∅) = E_B f (基準値)", v[0]).scalar("v(全員) = f(x)", v[full]);
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
        s.text("各特徴量 i について、i を含まない全提携 S への限界貢献 v(S ∪ {i}) − v(S) を、重み |S|!(M − |S| − 1)!/M! で平均する (全ての並び順での平均と同じ)。");
        s.table(Table {
            name: "入力 0 の厳密なシャープレイ値".into(),
            columns: ["特徴量", "x_i", "φ_i"].map(String::from).to_vec(),
            rows: (0..m).map(|i| vec![NAMES[i].into(), format!("{:.3}", x[i]), format!("{:.4}", phi[i])]).collect(),
        });
        s.scalar("Σφ_i", phi.sum()).scalar("f(x) − E_B f", v[full] - v[0]).scalar("|差| (効率性)", efficiency_err);
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
        s.text(format!(
            "KernelSHAP は v(z) ≈ φ₀ + Σ z_i φ_i を、シャープレイカーネル π(z) = (M − 1)/(C(M,|z|)·|z|·(M − |z|)) で重み付けた最小二乗で解く。全 {} 通りの提携を使えば厳密値に一致し、サンプリングすれば近似になる。",
            (1 << m) - 2
        ));
        s.scalar("全提携: max|φ_kernel − φ_exact|", kernel_err);
        s.table(Table {
            name: format!("サンプリングした提携の数と誤差 ({REPEATS} 回の平均)"),
            columns: ["提携の数", "実際に使った最大数", "平均 max|φ − φ_exact|"].map(String::from).to_vec(),
            rows: sampled_rows.iter().map(|&(n, used, e)| vec![n.to_string(), used.to_string(), fmt_num(e)]).collect(),
        });
        s.text("提携が少なすぎて φ が定まらないとき (連立方程式が特異) は、同じ数だけ追加でサンプリングする。");
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
        s.text("特徴量が独立 (背景データで埋める) で f(x) = w·x + b なら、シャープレイ値は φ_i = w_i (x_i − E[x_i]) という閉じた式になる。列挙した値と一致するかを確かめる。");
        s.table(Table {
            name: "線形モデル f = w·x + 0.25".into(),
            columns: ["特徴量", "w_i", "列挙した φ_i", "w_i (x_i − E x_i)"].map(String::from).to_vec(),
            rows: (0..m).map(|i| vec![NAMES[i].into(), format!("{}", w_lin[i]), format!("{:.6}", phi_lin[i]), format!("{:.6}", closed[i])]).collect(),
        });
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
        s.text(format!("{} 個の入力で |φ_i| を平均すると、モデル全体としての特徴量の重要度になる。x3〜x5 の取り分は {:.4}。", cfg.instances, noise_share));
        s.table(Table {
            name: "平均 |φ_i|".into(),
            columns: ["特徴量", "平均 |φ_i|"].map(String::from).to_vec(),
            rows: (0..m).map(|i| vec![NAMES[i].into(), format!("{:.4}", importance[i])]).collect(),
        });
    })
}
