//! The `gcn` kernel's steps: each turns computed spectra, signals and tables into trace values.
//! The fixed explanations are the lesson's `step_notes` (content/04_graph/gcn.yaml).

use super::{Config, signal_image};
use crate::KernelError;
use crate::data::karate::Karate;
use crate::gcn::eigen::SymmetricEigen as Eigen;
use crate::trace::{Cell, Table, Trace, fmt_num};
use ndarray::{Array1, Array2};

/// The club: size, the six members with most friends, the mean degree.
pub fn graph(tr: &mut Trace, k: &Karate, degrees: &[usize]) -> Result<(), KernelError> {
    let n = k.len();
    tr.step("graph", |s| {
        s.text(format!(
            "{n} 人の部員 (ノード) と {} 本の交友関係 (エッジ)。",
            k.edges.len()
        ));
        let mut hubs: Vec<usize> = (0..n).collect();
        hubs.sort_by_key(|&i| (std::cmp::Reverse(degrees[i]), i));
        s.table(
            Table::new("次数の大きいノード", ["ノード", "次数 d_i", "派閥"])
                .rows(&hubs[..6.min(n)], |&i| {
                    [Cell::from(i), degrees[i].into(), k.factions[i].into()]
                }),
        );
        s.scalar("平均次数", 2.0 * k.edges.len() as f64 / n as f64);
    })
}

/// The spectrum of `L` and how well `L = U Λ Uᵀ` holds.
pub fn laplacian(
    tr: &mut Trace,
    eig: &Eigen,
    residual: f64,
    ortho: f64,
) -> Result<(), KernelError> {
    let n = eig.values.len();
    tr.step("laplacian", |s| {
        s.tensor("固有値 λ (昇順)", &eig.values);
        for (i, &lam) in eig.values.iter().enumerate() {
            s.series("スペクトル λ_k", i as f64, lam);
        }
        s.scalar("λ_min", eig.values[0])
            .scalar("λ_max (≤ 2)", eig.values[n - 1]);
        s.scalar("Jacobi のスイープ数", eig.sweeps as f64)
            .scalar("回転の回数", eig.rotations as f64);
        s.scalar("max|LU − UΛ|", residual)
            .scalar("max|UᵀU − I|", ortho);
    })
}

/// The label signal and its graph Fourier transform `x̂ = Uᵀx`.
pub fn fourier(
    tr: &mut Trace,
    eig: &Eigen,
    x: &Array1<f64>,
    x_hat: &Array1<f64>,
    order: &[usize],
) -> Result<(), KernelError> {
    tr.step("fourier", |s| {
        s.image(signal_image(
            "x (派閥 0 | 派閥 1 の順に並べたノード)",
            x,
            order,
        ));
        for (&lam, &c) in eig.values.iter().zip(x_hat) {
            s.series("|x̂| 対 λ", lam, c.abs());
        }
        s.scalar("Σx² (パーセバル: Σx̂² と一致)", x.dot(x))
            .scalar("Σx̂²", x_hat.dot(x_hat));
    })
}

/// The heat-filtered signal `y = U g(Λ) Uᵀ x` and the accuracy of its sign.
pub fn spectral_filter(
    tr: &mut Trace,
    tau: f64,
    y: &Array1<f64>,
    accuracy: f64,
    order: &[usize],
) -> Result<(), KernelError> {
    tr.step("spectral_filter", |s| {
        s.text(format!(
            "g(λ) = exp(−{tau}λ)。y の符号で派閥を当てると正解率 {}。",
            fmt_num(accuracy)
        ));
        s.image(signal_image("y = U g(Λ) Uᵀ x", y, order));
        s.tensor("y", y);
    })
}

/// The Chebyshev approximation's error for each order `K`: `(K, signal error, filter error)`.
pub fn chebyshev(
    tr: &mut Trace,
    cfg: &Config,
    rows: &[(usize, f64, f64)],
    err: f64,
) -> Result<(), KernelError> {
    tr.step("chebyshev", |s| {
        s.text(format!(
            "既定の K = {} で相対誤差 {}。",
            cfg.cheb_k,
            fmt_num(err)
        ));
        let columns = ["K", "max|y_cheb − y| / max|y|", "max_λ|p_K(λ) − g(λ)|"];
        s.table(
            Table::new("次数 K と誤差", columns)
                .rows(rows, |&(kk, e, ge)| [Cell::from(kk), e.into(), ge.into()]),
        );
        for &(kk, e, _) in rows {
            s.series("log10 誤差 対 K", kk as f64, e.max(1e-300).log10());
        }
    })
}

/// One row of the aggregation table: `(hops, sign agreement, correlation, Â^hops x)`.
pub type SpatialRow = (usize, f64, f64, Array1<f64>);

/// Repeated aggregation `x ← Âx` of a noisy faction signal.
pub fn spatial(tr: &mut Trace, rows: &[SpatialRow], order: &[usize]) -> Result<(), KernelError> {
    tr.step("spatial", |s| {
        let columns = ["回数 k", "x − 平均 の符号が派閥と一致", "派閥との相関"];
        s.table(
            Table::new("集約の回数と符号の一致率", columns).rows(rows, |(hop, a, c, _)| {
                [Cell::from(*hop), (*a).into(), (*c).into()]
            }),
        );
        for (hop, _, _, sig) in rows {
            if [0, 4, 64].contains(hop) {
                s.image(signal_image(&format!("Â^{hop} x"), sig, order));
            }
        }
    })
}

/// A training checkpoint: loss, accuracy and the hidden layer's principal plane.
pub fn train(
    tr: &mut Trace,
    cfg: &Config,
    k: &Karate,
    epoch: usize,
    (loss, accuracy): (f64, f64),
    plane: Vec<[f32; 2]>,
) -> Result<(), KernelError> {
    tr.step("train", |s| {
        s.scalar("epoch", epoch as f64)
            .scalar("loss (ラベル付き 2 ノード)", loss)
            .scalar("ラベルなし 32 ノードの正解率", accuracy);
        s.series("loss", epoch as f64, loss);
        s.series("正解率", epoch as f64, accuracy);
        s.scatter(
            &format!(
                "隠れ層 H (幅 {}) の主成分 2 つ — epoch {epoch}、色 = 本当の派閥",
                cfg.hidden
            ),
            plane,
            k.factions.iter().map(|&f| u16::from(f)).collect(),
        );
    })
}

/// The final predictions: which members were missed, and what their friends' factions were.
pub fn predictions(
    tr: &mut Trace,
    k: &Karate,
    degrees: &[usize],
    predicted: &[u8],
    p: &Array2<f64>, // (n, 2) softmax of the GCN's output
) -> Result<(), KernelError> {
    let n = k.len();
    let wrong: Vec<usize> = (0..n).filter(|&i| predicted[i] != k.factions[i]).collect();
    let correct = (0..n)
        .filter(|i| !super::LABELLED.contains(i) && !wrong.contains(i))
        .count();
    tr.step("predictions", |s| {
        s.text(format!(
            "ラベルなし {} 人中 {correct} 人の派閥を当てた。外れたのは {wrong:?}。",
            n - super::LABELLED.len()
        ));
        for &i in &wrong {
            let friends = k
                .edges
                .iter()
                .filter_map(|&(u, v)| (u == i).then_some(v).or((v == i).then_some(u)));
            let of_1 = friends.clone().filter(|&j| k.factions[j] == 1).count();
            s.text(format!(
                "ノード {i} (派閥 {}): 友人 {} 人のうち派閥 0 が {}、派閥 1 が {of_1} 人。",
                k.factions[i],
                friends.clone().count(),
                friends.count() - of_1
            ));
        }
        let columns = ["ノード", "派閥", "予測", "P(派閥 1)", "次数"];
        let shown =
            (0..n).filter(|&i| predicted[i] != k.factions[i] || (0.2..0.8).contains(&p[[i, 1]]));
        s.table(
            Table::new("誤分類と境界に近いノード (P(派閥 1) が 0.2〜0.8)", columns).rows(
                shown,
                |i| {
                    [
                        Cell::from(i),
                        k.factions[i].into(),
                        predicted[i].into(),
                        p[[i, 1]].into(),
                        degrees[i].into(),
                    ]
                },
            ),
        );
    })
}
