//! The `lime` kernel's steps: the first explained input in detail, then every input's
//! explanation side by side.

use super::super::tabular::{self, FEATURES, NAMES};
use super::{Config, Explanation, top_features};
use crate::KernelError;
use crate::trace::{Cell, Table, Trace};
use ndarray::{Array1, ArrayView1};

/// The samples around `x0`, their weights and the surrogate fitted to them (steps `sampling`,
/// `weights`, `surrogate`).
pub fn first_instance(
    tr: &mut Trace,
    cfg: &Config,
    e: &Explanation,
    x0: &ArrayView1<f64>,
    scale: &Array1<f64>,
    width: f64,
) -> Result<(), KernelError> {
    let show = e.samples.nrows().min(400);
    tr.step("sampling", |s| {
        s.scalar("サンプル z の数", cfg.samples as f64);
        s.tensor("x", x0);
        s.scalar("f(x) (MLP)", e.outputs[0])
            .scalar("真の関数の値", tabular::true_function(x0));
        let q = quartiles(&e.weights);
        s.scatter(
            &format!("サンプル z の (x0, x1) — 先頭 {show} 個、色 = 重みの四分位 (0 が最小)"),
            (0..show)
                .map(|r| [e.samples[[r, 0]] as f32, e.samples[[r, 1]] as f32])
                .collect(),
            (0..show)
                .map(|r| q.iter().filter(|&&t| e.weights[r] > t).count() as u16)
                .collect(),
        );
    })?;
    tr.step("weights", |s| {
        s.scalar("kernel_width_factor", cfg.kernel_width_factor);
        s.scalar("カーネル幅 w = kernel_width_factor·√M", width);
        s.table(
            Table::new("距離 d と重み π", ["d", "π = √exp(−d²/w²)"]).rows(
                [0.0, 1.0, 2.0, 3.0, 4.0],
                |d: f64| {
                    [
                        Cell::from(d),
                        (-(d * d) / (width * width)).exp().sqrt().into(),
                    ]
                },
            ),
        );
        s.tensor("重み π_x(z)", &e.weights);
        s.scalar("重みの合計 (有効なサンプル数の目安)", e.weights.sum());
    })?;
    let grad = [2.0 + 0.5 * x0[1], -1.5 + 0.5 * x0[0], 1.0, 0.0, 0.0, 0.0];
    tr.step("surrogate", |s| {
        s.table(
            Table::new(
                "代理モデルの係数 β (標準化単位) と、真の関数の x での勾配",
                ["特徴量", "x の値", "β_i", "真の ∂f/∂x_i · σ_i"],
            )
            .rows(0..FEATURES, |j| {
                [
                    Cell::from(NAMES[j]),
                    x0[j].into(),
                    e.coef[j].into(),
                    (grad[j] * scale[j]).into(),
                ]
            }),
        );
        s.scalar("切片 b", e.intercept)
            .scalar("重み付き R² (局所的な忠実さ)", e.r2);
        s.text(format!(
            "|β| の大きい 3 つ: {:?}",
            top_features(&e.coef, 3)
                .iter()
                .map(|&j| NAMES[j])
                .collect::<Vec<_>>()
        ));
    })?;
    Ok(())
}

/// One row per explained input: its coefficients, fit and whether the top 3 are the true ones.
pub fn instances(
    tr: &mut Trace,
    cfg: &Config,
    results: &[Explanation],
    recovered: &[bool],
) -> Result<(), KernelError> {
    tr.step("instances", |s| {
        let columns = [
            "入力",
            "f(x)",
            "β_x0",
            "β_x1",
            "β_x2",
            "max|β_x3..5|",
            "R²",
            "上位 3 = {x0,x1,x2}",
        ];
        s.table(
            Table::new(format!("{} 個の入力それぞれの説明", cfg.instances), columns).rows(
                results.iter().zip(recovered).enumerate(),
                |(i, (e, &ok))| {
                    let noise = e.coef.iter().skip(3).fold(0.0f64, |m, v| m.max(v.abs()));
                    let ok = if ok { "はい" } else { "いいえ" };
                    [
                        Cell::from(i),
                        e.outputs[0].into(),
                        e.coef[0].into(),
                        e.coef[1].into(),
                    ]
                    .into_iter()
                    .chain([
                        e.coef[2].into(),
                        noise.into(),
                        e.r2.into(),
                        ok.into(),
                    ])
                },
            ),
        );
    })
}

/// The 25 %, 50 % and 75 % quantiles (nearest rank).
fn quartiles(v: &Array1<f64>) -> [f64; 3] {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}
