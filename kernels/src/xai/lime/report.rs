//! The `lime` kernel's steps: the first explained input in detail, then every input's
//! explanation side by side.

use super::super::tabular::{self, FEATURES, NAMES};
use super::{Config, Explanation, top_features};
use crate::KernelError;
use crate::trace::{Table, Trace, fmt_num};
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
        s.text(format!(
            "説明したい入力 x の周りに、学習データの標準偏差 σ ずつのガウスノイズを足した {} 個のサンプル z を作り、ブラックボックスの出力 f(z) を集める。LIME が見るのは f の中身ではなく、この入出力の組だけ (model-agnostic)。",
            cfg.samples
        ));
        s.tensor("x", x0);
        s.scalar("f(x) (MLP)", e.outputs[0]).scalar("真の関数の値", tabular::true_function(x0));
        let q = quartiles(&e.weights);
        s.scatter(
            &format!("サンプル z の (x0, x1) — 先頭 {show} 個、色 = 重みの四分位 (0 が最小)"),
            (0..show).map(|r| [e.samples[[r, 0]] as f32, e.samples[[r, 1]] as f32]).collect(),
            (0..show).map(|r| q.iter().filter(|&&t| e.weights[r] > t).count() as u16).collect(),
        );
    })?;
    tr.step("weights", |s| {
        s.text(format!(
            "近いサンプルほど重く: π_x(z) = √exp(−d²/w²)、d は標準化した空間での x との距離、w = {}·√M = {:.3}。遠いサンプルはほとんど効かず、代理モデルは x の近くだけで f に合わせられる。",
            cfg.kernel_width_factor, width
        ));
        s.table(Table {
            name: "距離 d と重み π".into(),
            columns: ["d", "π = √exp(−d²/w²)"].map(String::from).to_vec(),
            rows: [0.0, 1.0, 2.0, 3.0, 4.0]
                .iter()
                .map(|&d: &f64| vec![format!("{d}"), format!("{:.4}", (-(d * d) / (width * width)).exp().sqrt())])
                .collect(),
        });
        s.tensor("重み π_x(z)", &e.weights);
        s.scalar("重みの合計 (有効なサンプル数の目安)", e.weights.sum());
    })?;
    let grad = [2.0 + 0.5 * x0[1], -1.5 + 0.5 * x0[0], 1.0, 0.0, 0.0, 0.0];
    tr.step("surrogate", |s| {
        s.text("重み付きリッジ回帰 g(z) = b + Σ β_i z_i を当てはめる。係数 β_i が「特徴量 i を 1 標準偏差動かすと予測がどれだけ動くか」という局所的な説明になる。");
        s.table(Table {
            name: "代理モデルの係数 β (標準化単位) と、真の関数の x での勾配".into(),
            columns: ["特徴量", "x の値", "β_i", "真の ∂f/∂x_i · σ_i"].map(String::from).to_vec(),
            rows: (0..FEATURES).map(|j| vec![NAMES[j].into(), format!("{:.3}", x0[j]), format!("{:.3}", e.coef[j]), format!("{:.3}", grad[j] * scale[j])]).collect(),
        });
        s.scalar("切片 b", e.intercept).scalar("重み付き R² (局所的な忠実さ)", e.r2);
        s.text(format!("|β| の大きい 3 つ: {:?}", top_features(&e.coef, 3).iter().map(|&j| NAMES[j]).collect::<Vec<_>>()));
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
        s.table(Table {
            name: format!("{} 個の入力それぞれの説明", cfg.instances),
            columns: ["入力", "f(x)", "β_x0", "β_x1", "β_x2", "max|β_x3..5|", "R²", "上位 3 = {x0,x1,x2}"].map(String::from).to_vec(),
            rows: results
                .iter()
                .zip(recovered)
                .enumerate()
                .map(|(i, (e, &ok))| {
                    let noise = e.coef.iter().skip(3).fold(0.0f64, |m, v| m.max(v.abs()));
                    vec![i.to_string(), format!("{:.3}", e.outputs[0]), format!("{:.3}", e.coef[0]), format!("{:.3}", e.coef[1]), format!("{:.3}", e.coef[2]), fmt_num(noise), format!("{:.4}", e.r2), if ok { "はい" } else { "いいえ" }.into()]
                })
                .collect(),
        });
        s.text("x0 と x1 には交互作用 0.5·x0·x1 があるので、β_x0 と β_x1 は入力ごとに変わる (局所的な説明)。x2 の係数はどこでもほぼ 1、x3〜x5 はほぼ 0。");
    })
}

/// The 25 %, 50 % and 75 % quantiles (nearest rank).
fn quartiles(v: &Array1<f64>) -> [f64; 3] {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
    [at(0.25), at(0.5), at(0.75)]
}
