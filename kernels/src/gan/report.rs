//! What the `gan` kernel records in its trace (kept apart from the training loop in `gan.rs`).

use super::{Config, DATA_MEAN, DATA_STD, Fit, Mlp, normal};
use crate::KernelError;
use crate::generative::d_histogram;
use crate::nn::activation::sigmoid;
use crate::trace::{Cell, Table, Trace, fmt_num};
use ndarray::{Array1, Array2, Axis};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// Bins over `[0, 8]` for density tables.
const X_BINS: usize = 16;
const X_LO: f64 = 0.0;
const X_HI: f64 = 8.0;

fn bin_width() -> f64 {
    (X_HI - X_LO) / X_BINS as f64
}

fn bin_centre(b: usize) -> f64 {
    X_LO + (b as f64 + 0.5) * bin_width()
}

/// Histogram density (count / (n · width)) of `xs` over the bins.
fn density(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut counts = vec![0usize; X_BINS];
    let mut n = 0usize;
    for x in xs {
        n += 1;
        let b = ((x - X_LO) / bin_width()).floor();
        if b >= 0.0 && (b as usize) < X_BINS {
            counts[b as usize] += 1;
        }
    }
    counts
        .into_iter()
        .map(|c| c as f64 / (n.max(1) as f64 * bin_width()))
        .collect()
}

/// The data density `N(4, 1.25²)` at `x`.
fn p_data(x: f64) -> f64 {
    let u = (x - DATA_MEAN) / DATA_STD;
    (-0.5 * u * u).exp() / (DATA_STD * (2.0 * std::f64::consts::PI).sqrt())
}

fn bar(v: f64, max: f64) -> String {
    "█".repeat(((v / max.max(1e-12)) * 12.0).round() as usize)
}

pub(super) fn data(tr: &mut Trace, real: &Array2<f32>, cfg: &Config) -> Result<(), KernelError> {
    let dens = density(real.iter().map(|&v| f64::from(v)));
    let max = dens.iter().copied().fold(0.0, f64::max);
    tr.step("data", |s| {
        s.scalar("p_data の平均", DATA_MEAN)
            .scalar("p_data の標準偏差", DATA_STD);
        s.scalar("G 1 回あたりの D の更新回数 k", cfg.k_disc_steps as f64);
        s.tensor("本物のサンプル x (評価用 1000 個)", real);
        s.table(
            Table::new("p_data の形 (ヒストグラム)", ["x", "密度", ""]).rows(0..X_BINS, |b| {
                [
                    Cell::from(bin_centre(b)),
                    dens[b].into(),
                    bar(dens[b], max).into(),
                ]
            }),
        );
    })
}

pub(super) fn first_updates(
    tr: &mut Trace,
    cfg: &Config,
    d_losses: &[f64],
    fake_logits: &Array1<f32>,
    loss_g: f32,
    dfake: &Array2<f32>,
) -> Result<(), KernelError> {
    tr.step("d_update", |s| {
        s.scalar("D の更新回数 k", cfg.k_disc_steps as f64);
        s.scalar("ミニバッチ m (本物と偽物それぞれ)", cfg.batch_size as f64);
        s.table(
            Table::new("1 回目の反復での D の損失", ["D の更新", "loss_D"])
                .rows(d_losses.iter().enumerate(), |(i, &l)| {
                    [Cell::from(i + 1), l.into()]
                }),
        );
    })?;
    // dL/dlogit of the two G losses: non-saturating −log σ(l) → σ(l) − 1; saturating
    // log(1 − σ(l)) → −σ(l). Their sizes are 1 − D(G(z)) and D(G(z)).
    let n = fake_logits.len().max(1) as f64;
    let d_fake: f64 = fake_logits
        .iter()
        .map(|&l| f64::from(sigmoid(l)))
        .sum::<f64>()
        / n;
    tr.step("g_update", |s| {
        s.scalar("loss_G = −mean log D(G(z))", f64::from(loss_g));
        s.scalar("mean D(G(z))", d_fake);
        s.table(kv_table(
            "ロジットに対する勾配の大きさ (平均)",
            &[
                ("non-saturating: |σ(l) − 1| = 1 − D(G(z))", 1.0 - d_fake),
                ("saturating: |−σ(l)| = D(G(z))", d_fake),
            ],
        ));
        s.tensor("dL/dG(z): D を通って G に届く勾配", dfake);
    })
}

pub(super) fn first_fit(tr: &mut Trace, it: usize, fit: &Fit) -> Result<(), KernelError> {
    tr.step("first_fit", |s| {
        let (lo, hi) = Fit::D_BAND;
        s.text(format!(
            "G の更新 {it} 回目で、はじめて G(z) の平均・標準偏差が本物に近づき (|平均 − {}| ≤ {}、\
             |標準偏差 − {}| ≤ {})、D の出力が本物にも偽物にも {lo}〜{hi} になった。V(D, G) = {}。",
            fmt_num(DATA_MEAN),
            Fit::MEAN_TOLERANCE,
            fmt_num(DATA_STD),
            Fit::STD_TOLERANCE,
            fmt_num(fit.value),
        ));
        s.table(kv_table(
            "均衡の近く",
            &[
                ("G(z) の平均", fit.mean),
                ("G(z) の標準偏差", fit.std),
                ("平均 D(x)", fit.d_real),
                ("平均 D(G(z))", fit.d_fake),
                ("V(D, G)", fit.value),
                ("−log 4", -(4.0f64).ln()),
            ],
        ));
    })
}

pub(super) fn progress(
    tr: &mut Trace,
    it: usize,
    loss_d: f64,
    loss_g: f64,
    fit: &Fit,
    real_logits: &Array1<f32>,
    fake_logits: &Array1<f32>,
) -> Result<(), KernelError> {
    let x = it as f64;
    tr.step("progress", |s| {
        s.series("G(z) の平均 (目標 4)", x, fit.mean);
        s.series("G(z) の標準偏差 (目標 1.25)", x, fit.std);
        s.series("平均 D(x) (均衡 0.5)", x, fit.d_real);
        s.series("平均 D(G(z)) (均衡 0.5)", x, fit.d_fake);
        s.series("V(D, G) (均衡 −log 4 = −1.386)", x, fit.value);
        s.series("loss_D", x, loss_d);
        s.series("loss_G", x, loss_g);
        s.histogram(d_histogram(
            &format!("G の更新 {it} 回目: D の出力の分布"),
            real_logits.as_slice().unwrap_or(&[]),
            fake_logits.as_slice().unwrap_or(&[]),
        ));
    })
}

pub(super) fn optimum(
    tr: &mut Trace,
    g: &mut Mlp,
    d: &mut Mlp,
    eval_noise: &Array2<f32>,
    last: &Fit,
) -> Result<(), KernelError> {
    // Many generated samples for a smooth p_g; fixed seed, independent of the training stream.
    let z = normal(
        20_000,
        0.0,
        1.0,
        &mut StdRng::seed_from_u64(eval_noise.len() as u64),
    );
    let p_g = density(g.forward(&z).iter().map(|&v| f64::from(v)));
    let centres = Array2::from_shape_fn((X_BINS, 1), |(b, _)| bin_centre(b) as f32);
    let d_learned = d.forward(&centres).remove_axis(Axis(1));
    // how far the learned D is from the optimal one where both densities are not negligible
    let gap = (0..X_BINS)
        .filter(|&b| p_data(bin_centre(b)) >= 0.01 && p_g[b] >= 0.01)
        .map(|b| {
            let (pd, pg) = (p_data(bin_centre(b)), p_g[b]);
            (f64::from(sigmoid(d_learned[b])) - pd / (pd + pg)).abs()
        })
        .fold(0.0, f64::max);
    tr.step("optimum", |s| {
        let columns = ["x", "p_data(x)", "p_g(x)", "D*(x)", "学習した D(x)"];
        s.table(
            Table::new("x ごとの密度と D", columns).rows(0..X_BINS, |b| {
                let (pd, pg) = (p_data(bin_centre(b)), p_g[b]);
                let dstar = if pd + pg > 1e-6 {
                    Cell::from(pd / (pd + pg))
                } else {
                    Cell::from("—")
                };
                let d = sigmoid(d_learned[b]);
                [
                    Cell::from(bin_centre(b)),
                    pd.into(),
                    pg.into(),
                    dstar,
                    d.into(),
                ]
            }),
        );
        s.scalar("V(D, G) (最後)", last.value);
        s.scalar("−log 4", -(4.0f64).ln());
        s.scalar("max |D(x) − D*(x)| (両方の密度が 0.01 以上の x)", gap);
    })
}

pub(super) fn summary(
    tr: &mut Trace,
    cfg: &Config,
    first_fit: Option<usize>,
    held: f64,
    (std_lo, std_hi): (f64, f64),
    last: &Fit,
) -> Result<(), KernelError> {
    tr.step("summary", |s| {
        s.text(match first_fit {
            Some(f) => format!(
                "均衡にはじめて届いたのは G の更新 {f} 回目。その後、条件を満たしていたのは残りの {:.0} % の時点。\
                 標準偏差は {} 〜 {} の間を揺れた。",
                held * 100.0,
                fmt_num(std_lo),
                fmt_num(std_hi)
            ),
            None => format!(
                "{} 回の G の更新 (k_disc_steps = {}) では、均衡の条件 (平均・標準偏差・D の出力) を一度も同時に満たさなかった。",
                cfg.iterations, cfg.k_disc_steps
            ),
        });
        s.table(kv_table(
            "最後の状態",
            &[
                ("G(z) の平均", last.mean),
                ("G(z) の標準偏差", last.std),
                ("平均 D(x)", last.d_real),
                ("平均 D(G(z))", last.d_fake),
                ("V(D, G)", last.value),
            ],
        ));
    })
}

/// A table of `(name, value)` rows.
fn kv_table(name: &str, rows: &[(&str, f64)]) -> Table {
    Table::new(name, ["量", "値"]).rows(rows, |&(k, v)| [Cell::from(k), v.into()])
}
