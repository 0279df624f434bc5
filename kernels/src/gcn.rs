//! `gcn`: graph convolution on Zachary's karate club, from the spectral view to the trained
//! spatial GCN, and what each costs.
//!
//! 1. Spectral view (Hammond et al. 2011; Defferrard et al. 2016, §2.1): the normalised
//!    Laplacian `L = I − D^−½ A D^−½ = U Λ Uᵀ` ([`eigen`], Jacobi), the graph Fourier transform
//!    `x̂ = Uᵀx` of the label signal `x = e₀ − e₃₃`, and the heat filter `g(λ) = e^{−τλ}`
//!    applied as `U g(Λ) Uᵀ x` ([`spectral`]).
//! 2. Bridge: the same filter as a Chebyshev polynomial of `L` of order `K` (ChebNet) — `K`
//!    sparse products, no eigenvectors — and its error shrinking with `K`.
//! 3. Spatial view: repeated aggregation `x ← Â x` with `Â = D̃^−½ (A + I) D̃^−½` smooths a
//!    noisy signal until the two communities show (and, much later, over-smooths it).
//! 4. The two-layer GCN of Kipf & Welling (2017) ([`model`]) trained with one labelled member
//!    per faction (0 and 33), identity features, on the other 32 members' factions.
//! 5. Cost ([`cost`]): eigendecomposition `O(n³)` against one sparse `Â X`, `O(|E|·F)`.

pub mod cost;
pub mod eigen;
pub mod graph;
pub mod model;
mod report;
pub mod spectral;

use crate::KernelError;
use crate::data::karate::Karate;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::{Adam, Params};
use crate::trace::{Goal, Image, Metric, Palette, StepDecl, Trace};
use ndarray::{Array1, Array2};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

/// Target: the faction of at least 94 % of the 32 unlabelled members.
pub const TEST_ACCURACY: Goal = Goal::at_least("test_accuracy", 0.94);
/// Target: the order-K Chebyshev filter matches the exact spectral filter.
pub const CHEB_VS_SPECTRAL: Goal = Goal::at_most("cheb_vs_spectral_err", 1e-3);
/// Target: `‖L U − U Λ‖` and `‖UᵀU − I‖` at rounding level.
pub const EIG_RESIDUAL: Goal = Goal::at_most("eig_residual", 1e-12);
/// Target: the eigendecomposition's counted flops grow at least like `n^2.5` (`n³` expected).
pub const EIG_COST_EXPONENT: Goal = Goal::at_least("eig_cost_exponent", 2.5);
/// Target: the counted multiply-adds of one propagation `Â X` grow at most like `n^1.5` (`|E| ∝ n` expected).
pub const PROPAGATION_COST_EXPONENT: Goal = Goal::at_most("propagation_cost_exponent", 1.5);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "gcn",
    title: "グラフ畳み込み (GCN): スペクトルと空間",
    summary: "空手クラブのグラフで、グラフフーリエ変換によるフィルタ・Chebyshev 近似・2 層 GCN の学習・計算コストを順に確かめる",
    source: "gcn.rs",
    knobs: &[
        KnobSpec::float(
            "tau",
            "熱核フィルタ g(λ) = exp(−τλ) の τ (大きいほど強く平滑化)",
            1.5,
            0.1,
            10.0,
        ),
        KnobSpec::int(
            "cheb_k",
            "Chebyshev 近似の次数 K (K ホップ先までを混ぜる)",
            5,
            1,
            40,
        ),
        KnobSpec::int("hidden", "GCN の隠れ層の幅", 16, 1, 128),
        KnobSpec::float("lr", "Adam の学習率", 0.01, 1e-4, 1.0),
        KnobSpec::int(
            "epochs",
            "学習エポック数 (全ノード 1 回の更新 = 1 エポック)",
            200,
            1,
            5000,
        ),
        KnobSpec::int(
            "cost_max_n",
            "コスト表の最大ノード数 (n_max/8, /4, /2, n_max を測る)",
            400,
            40,
            1000,
        ),
        KnobSpec::bool(
            "time_costs",
            "コスト表で実時間を測る (false なら演算量だけ; 結果が決定的になる)",
            true,
        ),
    ],
    steps: &[
        StepDecl::new("graph", "空手クラブのグラフ"),
        StepDecl::new("laplacian", "正規化ラプラシアンの固有値分解"),
        StepDecl::new("fourier", "グラフフーリエ変換"),
        StepDecl::new("spectral_filter", "スペクトル領域でのフィルタ"),
        StepDecl::new("chebyshev", "Chebyshev 多項式による近似 (ChebNet)"),
        StepDecl::new("spatial", "空間的な集約の繰り返し"),
        StepDecl::new("train", "2 層 GCN の半教師あり学習"),
        StepDecl::new("predictions", "ラベルなしノードの予測"),
        StepDecl::new("cost", "計算コスト: 固有値分解 vs 疎行列積"),
    ],
    goals: &[
        TEST_ACCURACY,
        CHEB_VS_SPECTRAL,
        EIG_RESIDUAL,
        EIG_COST_EXPONENT,
        PROPAGATION_COST_EXPONENT,
    ],
    run: run_knobs,
};

/// The labelled members: the instructor (faction 0) and the administrator (faction 1).
pub const LABELLED: [usize; 2] = [0, 33];

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub tau: f64,
    pub cheb_k: usize,
    pub hidden: usize,
    pub lr: f64,
    pub epochs: usize,
    pub cost_max_n: usize,
    pub time_costs: bool,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            tau: k.float("tau"),
            cheb_k: k.usize("cheb_k"),
            hidden: k.usize("hidden"),
            lr: k.float("lr"),
            epochs: k.usize("epochs"),
            cost_max_n: k.usize("cost_max_n"),
            time_costs: k.bool("time_costs"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// Fraction of the unlabelled members whose faction is `predict(i)`.
fn unlabelled_accuracy(k: &Karate, predict: impl Fn(usize) -> u8) -> f64 {
    let test: Vec<usize> = (0..k.len()).filter(|i| !LABELLED.contains(i)).collect();
    test.iter()
        .filter(|&&i| predict(i) == k.factions[i])
        .count() as f64
        / test.len() as f64
}

/// A node signal as a 2-row diverging image, members ordered by faction (then id).
fn signal_image(name: &str, x: &Array1<f64>, order: &[usize]) -> Image {
    let row: Vec<f32> = order.iter().map(|&i| x[i] as f32).collect();
    Image {
        name: name.into(),
        width: row.len(),
        height: 2,
        palette: Palette::Diverging,
        data: [row.clone(), row].concat(),
    }
}

/// Max relative difference `max|a − b| / max|b|`.
fn rel_err(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    let scale = b
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
        / scale
}

/// The largest `|a_ij|`.
fn max_abs(a: &Array2<f64>) -> f64 {
    a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Repeats `h ← Â h` 64 times, keeping the rows shown after 0, 1, 2, 4, 8, 16 and 64 hops.
fn aggregate(
    a_hat: &graph::Csr,
    mut h: Array1<f64>,
    truth: &Array1<f64>,
) -> Vec<report::SpatialRow> {
    let n = h.len();
    let mut rows = Vec::new();
    for hop in 0..=64usize {
        if [0, 1, 2, 4, 8, 16, 64].contains(&hop) {
            // Compare the shape, not the level: centre first (the level drifts with the noise's mean).
            let centred = &h - h.mean().unwrap_or(0.0);
            let agree = (0..n)
                .filter(|&i| (centred[i] > 0.0) == (truth[i] > 0.0))
                .count() as f64
                / n as f64;
            let corr = centred.dot(truth)
                / (centred.dot(&centred).sqrt() * truth.dot(truth).sqrt()).max(f64::MIN_POSITIVE);
            rows.push((hop, agree, corr, h.clone()));
        }
        h = a_hat.matvec(&h);
    }
    rows
}

/// Trains the two-layer GCN `Z = Â ReLU(Â X W⁰) W¹` with `X = I` on the two labelled members;
/// returns the logits `Z (n, 2)`.
fn train(
    cfg: &Config,
    k: &Karate,
    a_hat: &graph::Csr,
    rng: &mut StdRng,
    tr: &mut Trace,
) -> Result<Array2<f64>, KernelError> {
    let n = k.len();
    let features = Array2::<f64>::eye(n); // X = I: each member is only its identity
    let labels: Vec<usize> = k.factions.iter().map(|&f| usize::from(f)).collect();
    let mut gcn = model::Gcn::new(n, cfg.hidden, 2, rng)?;
    let mut opt = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    let checkpoints = [
        0,
        cfg.epochs / 10,
        cfg.epochs / 4,
        cfg.epochs / 2,
        cfg.epochs,
    ];
    let mut z = gcn.forward(a_hat, &features);
    for epoch in 0..=cfg.epochs {
        if epoch > 0 {
            gcn.zero_grad();
            let (loss, dz) = model::masked_cross_entropy(&z, &LABELLED, &labels);
            KernelError::check_finite("loss", loss, epoch, "try a lower lr")?;
            gcn.backward(a_hat, &dz);
            opt.step(&mut gcn);
            z = gcn.forward(a_hat, &features);
            tr.progress("GCN の学習", epoch, cfg.epochs)?;
        }
        if checkpoints.contains(&epoch) {
            let (loss, _) = model::masked_cross_entropy(&z, &LABELLED, &labels);
            let acc = unlabelled_accuracy(k, |i| u8::from(z[[i, 1]] > z[[i, 0]]));
            report::train(
                tr,
                cfg,
                k,
                epoch,
                (loss, acc),
                model::principal_plane(&gcn.hidden),
            )?;
        }
    }
    Ok(z)
}

/// Runs the kernel; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let k = Karate::load();
    let n = k.len();
    let degrees = k.degrees();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (k.factions[i], i));
    report::graph(tr, &k, &degrees)?;

    // 1. Spectral view: L = U Λ Uᵀ, x̂ = Uᵀx, y = U g(Λ) Uᵀ x.
    let lap = graph::normalised_laplacian(n, &k.edges);
    let lap_dense = lap.to_dense(); // (n, n)
    let eig = eigen::jacobi_eigen(&lap_dense, 100)
        .map_err(|e| KernelError::InvalidConfig(e.to_string()))?;
    let residual =
        max_abs(&(lap_dense.dot(&eig.vectors) - eig.vectors.dot(&Array2::from_diag(&eig.values))));
    let ortho = max_abs(&(eig.vectors.t().dot(&eig.vectors) - Array2::<f64>::eye(n)));
    report::laplacian(tr, &eig, residual, ortho)?;
    let mut x = Array1::<f64>::zeros(n); // the label signal e₀ − e₃₃
    x[LABELLED[0]] = 1.0;
    x[LABELLED[1]] = -1.0;
    let x_hat = spectral::gft(&eig, &x);
    report::fourier(tr, &eig, &x, &x_hat, &order)?;
    let g = |lam: f64| (-cfg.tau * lam).exp(); // the heat kernel g(λ) = e^{−τλ}
    let y_spec = spectral::spectral_filter(&eig, g, &x);
    let spectral_acc = unlabelled_accuracy(&k, |i| u8::from(y_spec[i] < 0.0));
    report::spectral_filter(tr, cfg.tau, &y_spec, spectral_acc, &order)?;

    // 2. Chebyshev bridge: the same filter as Σ c_k T_k(L̃) x, for K = 1 … max(cheb_k, 12).
    let mut cheb_rows = Vec::new();
    let mut cheb_err = f64::NAN;
    for kk in 1..=cfg.cheb_k.max(12) {
        let c = spectral::chebyshev_coefficients(g, kk, 2.0);
        let y = spectral::chebyshev_filter(&lap, &c, 2.0, &x);
        let err = rel_err(&y, &y_spec);
        let g_err = eig.values.iter().fold(0.0f64, |m, &l| {
            m.max((spectral::chebyshev_eval(&c, l, 2.0) - g(l)).abs())
        });
        if kk == cfg.cheb_k {
            cheb_err = err;
        }
        cheb_rows.push((kk, err, g_err));
    }
    report::chebyshev(tr, cfg, &cheb_rows, cheb_err)?;

    // 3. Spatial view: aggregation x ← Âx smooths a noisy faction signal.
    let a_hat = graph::renormalised_adjacency(n, &k.edges);
    let truth = Array1::from_iter(k.factions.iter().map(|&f| if f == 0 { 1.0 } else { -1.0 }));
    let noisy = &truth + &Array1::<f64>::random_using(n, StandardNormal, &mut rng) * 1.5;
    report::spatial(tr, &aggregate(&a_hat, noisy, &truth), &order)?;

    // 4. The trained two-layer GCN.
    let z = train(cfg, &k, &a_hat, &mut rng, tr)?; // (n, 2) logits
    let predicted: Vec<u8> = (0..n).map(|i| u8::from(z[[i, 1]] > z[[i, 0]])).collect();
    let test_accuracy = unlabelled_accuracy(&k, |i| predicted[i]);
    let p = crate::nn::activation::softmax_last_axis(&z);
    report::predictions(tr, &k, &degrees, &predicted, &p)?;

    // 5. Cost table.
    let m = cfg.cost_max_n;
    let sizes = [m / 8, m / 4, m / 2, m].map(|s| s.max(cost::MEAN_DEGREE + 1));
    let rows = cost::measure(&sizes, cfg.time_costs, &mut rng, tr)?;
    let (eig_exp, prop_exp) = cost::record_step(&rows, tr)?;

    let mut metrics = vec![
        TEST_ACCURACY.measure(test_accuracy),
        CHEB_VS_SPECTRAL.measure(cheb_err),
        EIG_RESIDUAL.measure(residual.max(ortho)),
        Metric::reported("spectral_filter_accuracy", spectral_acc),
        EIG_COST_EXPONENT.measure(eig_exp),
        PROPAGATION_COST_EXPONENT.measure(prop_exp),
    ];
    if let Some(last) = rows.last()
        && let (Some(te), Some(tp)) = (last.eig_seconds, last.propagate_seconds)
    {
        metrics.push(Metric::reported("eig_ms_at_max_n", te * 1e3));
        metrics.push(Metric::reported("propagate_ms_at_max_n", tp * 1e3));
    }
    Ok(metrics)
}
