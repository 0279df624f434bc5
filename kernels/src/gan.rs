//! `gan`: the original GAN (Goodfellow et al. 2014) on one-dimensional data.
//!
//! The data are numbers `x ~ p_data = N(4, 1.25²)`. The generator `G` turns noise
//! `z ~ N(0, 1)` into numbers `G(z)`; the discriminator `D` outputs the probability that its
//! input is real. They play the minimax game of the value function (§3, eq. 1)
//!
//! `min_G max_D V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]`.
//!
//! Training alternates as in Algorithm 1: **`k` updates of D** (ascending V) for **one update
//! of G** — the knob `k_disc_steps` (the paper uses `k = 1` in its experiments but presents `k`
//! as a hyper-parameter). G minimises the *non-saturating* loss `−E log D(G(z))` instead of
//! `E log(1 − D(G(z)))` (§3, last paragraph): both push D(G(z)) up, but early in training, when
//! D rejects every fake (D(G(z)) ≈ 0), `log(1 − D)` is flat and gives G almost no gradient.
//!
//! For a fixed G the best discriminator is `D*(x) = p_data(x) / (p_data(x) + p_g(x))`
//! (Proposition 1), and with it `V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g)` (Theorem 1), minimal
//! exactly when `p_g = p_data`: then `D* = ½` everywhere and `V = −log 4`. The kernel watches the
//! fitted mean and standard deviation of `G(z)` and D's outputs approach that point — and, true
//! to GAN practice, overshoot and oscillate around it.
//!
//! Networks: both are MLPs `1 → 32 → 32 → 1` (LeakyReLU 0.2 hidden units); D's output is a
//! logit, `D(x) = σ(logit)`, so the losses use the stable `bce_with_logits`. Adam (`β1 = 0.5`,
//! as DCGAN recommends for adversarial training) at `lr = 2e-4`.

use crate::KernelError;
use crate::generative::{check_bounded, is_checkpoint, mean_prob};
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::loss::bce_with_logits;
use crate::nn::{Adam, LeakyReLU, Linear, NnError, Params};
use crate::trace::{Goal, Metric, StepDecl, Trace};
use ndarray::{Array1, Array2, ArrayRef2, Axis};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

mod report;

/// Mean of the data distribution.
pub const DATA_MEAN: f64 = 4.0;
/// Standard deviation of the data distribution.
pub const DATA_STD: f64 = 1.25;
/// Hidden units per layer.
const HIDDEN: usize = 32;
/// Fixed evaluation samples (real and noise) on which the fit is measured after each G step.
const EVAL: usize = 1000;

/// Target: G's samples first fit the data distribution by this step (a shorter run demands it by its last step).
pub const FIRST_FIT_STEP: Goal = Goal::at_most("first_fit_step", 1500.0);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "gan",
    title: "GAN (敵対的生成ネットワーク) — 1 次元データ",
    summary: "N(4, 1.25²) の数を作る G と見破る D を交互に学習させ、D = ½・V = −log 4 の均衡に近づく様子を見る",
    source: "gan.rs",
    knobs: &[
        KnobSpec::int(
            "k_disc_steps",
            "G を 1 回更新するごとの D の更新回数 k",
            5,
            1,
            20,
        ),
        KnobSpec::int("iterations", "G の更新回数", 2000, 10, 20_000),
        KnobSpec::float("lr", "Adam の学習率 (G・D 共通)", 2e-4, 1e-6, 100.0),
        KnobSpec::int("batch_size", "ミニバッチの大きさ m", 64, 4, 1024),
    ],
    steps: &[
        StepDecl::new("data", "本物のデータとノイズ"),
        StepDecl::new("d_update", "D の更新 (k 回)"),
        StepDecl::new("g_update", "G の更新 (1 回)"),
        StepDecl::new("progress", "学習の経過"),
        StepDecl::new("first_fit", "はじめて均衡に届いた"),
        StepDecl::new("optimum", "最適な D* = p_data / (p_data + p_g)"),
        StepDecl::new("summary", "まとめ: 揺れ続ける均衡"),
    ],
    goals: &[FIRST_FIT_STEP],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// D updates per G update (`k` of Algorithm 1).
    pub k_disc_steps: usize,
    /// G updates.
    pub iterations: usize,
    /// Adam's learning rate for both networks.
    pub lr: f64,
    /// Mini-batch size `m` (real samples and noise samples per update).
    pub batch_size: usize,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            k_disc_steps: k.usize("k_disc_steps"),
            iterations: k.usize("iterations"),
            lr: k.float("lr"),
            batch_size: k.usize("batch_size"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// An MLP `1 → 32 → 32 → 1` with LeakyReLU(0.2) hidden units: G and D have this shape.
///
/// # Shapes
/// input `(N, 1)`; output `(N, 1)`
#[derive(Debug, Clone)]
pub struct Mlp {
    pub l1: Linear<f32>,
    a1: LeakyReLU<f32>,
    pub l2: Linear<f32>,
    a2: LeakyReLU<f32>,
    pub l3: Linear<f32>,
}

impl Mlp {
    pub fn new(rng: &mut StdRng) -> Result<Self, NnError> {
        Ok(Self {
            l1: Linear::new(1, HIDDEN, rng)?,
            a1: LeakyReLU::default(),
            l2: Linear::new(HIDDEN, HIDDEN, rng)?,
            a2: LeakyReLU::default(),
            l3: Linear::new(HIDDEN, 1, rng)?,
        })
    }

    pub fn forward(&mut self, x: &ArrayRef2<f32>) -> Array2<f32> {
        let h = self.a1.forward(&self.l1.forward(x)); // (N, 32)
        let h = self.a2.forward(&self.l2.forward(&h)); // (N, 32)
        self.l3.forward(&h) // (N, 1)
    }

    /// Accumulates parameter gradients, returns `dL/dx` `(N, 1)`.
    pub fn backward(&mut self, dout: &ArrayRef2<f32>) -> Array2<f32> {
        let d = self.a2.backward(&self.l3.backward(dout));
        let d = self.a1.backward(&self.l2.backward(&d));
        self.l1.backward(&d)
    }
}

impl Params<f32> for Mlp {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
        self.l1.visit_params(f);
        self.l2.visit_params(f);
        self.l3.visit_params(f);
    }
}

/// `m` samples of `N(mean, std²)` as a column `(m, 1)`.
fn normal(m: usize, mean: f64, std: f64, rng: &mut StdRng) -> Array2<f32> {
    Array2::<f32>::random_using((m, 1), StandardNormal, rng)
        .mapv(|v| (mean + std * f64::from(v)) as f32)
}

/// What one evaluation of the fixed samples measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Mean and standard deviation of `G(z)` over the evaluation noise.
    pub mean: f64,
    pub std: f64,
    /// Mean `D(x)` on real evaluation samples and mean `D(G(z))` on generated ones.
    pub d_real: f64,
    pub d_fake: f64,
    /// The value function `V(D, G)` estimated on the evaluation samples.
    pub value: f64,
}

impl Fit {
    /// Largest `|mean G(z) − DATA_MEAN|` that counts as a fit.
    pub const MEAN_TOLERANCE: f64 = 0.1;
    /// Largest `|std G(z) − DATA_STD|` that counts as a fit.
    pub const STD_TOLERANCE: f64 = 0.15;
    /// The band both mean `D(x)` and mean `D(G(z))` must lie in (around the optimum ½).
    pub const D_BAND: (f64, f64) = (0.4, 0.6);

    /// The fit test: the moments match and D can no longer tell real from fake.
    pub fn holds(&self) -> bool {
        let (lo, hi) = Self::D_BAND;
        (self.mean - DATA_MEAN).abs() <= Self::MEAN_TOLERANCE
            && (self.std - DATA_STD).abs() <= Self::STD_TOLERANCE
            && (lo..=hi).contains(&self.d_real)
            && (lo..=hi).contains(&self.d_fake)
    }
}

/// `log σ(z)` without overflow: `−ln(1 + e^{−z})`.
fn log_sigmoid(z: f32) -> f64 {
    let z = f64::from(z);
    -((-z.abs()).exp().ln_1p() + (-z).max(0.0))
}

/// Measures G and D on the fixed evaluation samples.
fn evaluate(
    g: &mut Mlp,
    d: &mut Mlp,
    real: &Array2<f32>,
    noise: &Array2<f32>,
) -> (Fit, Array1<f32>, Array1<f32>) {
    let fake = g.forward(noise);
    let n = fake.len() as f64;
    let mean = fake.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = fake
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let real_logits = d.forward(real).remove_axis(Axis(1));
    let fake_logits = d.forward(&fake).remove_axis(Axis(1));
    // V = E log D(x) + E log(1 − D(G(z))), with log(1 − σ(z)) = log σ(−z)
    let value = real_logits.iter().map(|&z| log_sigmoid(z)).sum::<f64>() / real_logits.len() as f64
        + fake_logits.iter().map(|&z| log_sigmoid(-z)).sum::<f64>() / n;
    let fit = Fit {
        mean,
        std: var.sqrt(),
        d_real: mean_prob(real_logits.as_slice().unwrap_or(&[])),
        d_fake: mean_prob(fake_logits.as_slice().unwrap_or(&[])),
        value,
    };
    (fit, real_logits, fake_logits)
}

/// From the first fit on (the whole run if there was none): the fraction of iterations whose
/// fit held, and the range `(min, max)` of the std of `G(z)`.
fn after_first_fit(history: &[Fit], first_fit: Option<usize>) -> (f64, (f64, f64)) {
    let since = &history[first_fit.map_or(history.len().saturating_sub(1), |f| f - 1)..];
    let held = if first_fit.is_some() {
        since.iter().filter(|h| h.holds()).count() as f64 / since.len().max(1) as f64
    } else {
        0.0
    };
    let range = since.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), h| {
        (lo.min(h.std), hi.max(h.std))
    });
    (held, range)
}

/// Trains the GAN; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut g = Mlp::new(&mut rng)?;
    let mut d = Mlp::new(&mut rng)?;
    let mut opt_g = Adam::new(cfg.lr, 0.5, 0.999, 1e-8)?;
    let mut opt_d = Adam::new(cfg.lr, 0.5, 0.999, 1e-8)?;
    let m = cfg.batch_size;
    let (ones, zeros) = (Array1::<f32>::ones(m), Array1::<f32>::zeros(m));
    let eval_real = normal(EVAL, DATA_MEAN, DATA_STD, &mut rng);
    let eval_noise = normal(EVAL, 0.0, 1.0, &mut rng);
    report::data(tr, &eval_real, cfg)?;

    let hint = "try a lower learning rate (lr)";
    let mut history: Vec<Fit> = Vec::with_capacity(cfg.iterations);
    let mut first_fit: Option<usize> = None;
    for it in 1..=cfg.iterations {
        // ---- k updates of D: ascend V, i.e. descend BCE(D(x), 1) + BCE(D(G(z)), 0)
        let mut d_losses = Vec::with_capacity(cfg.k_disc_steps);
        for _ in 0..cfg.k_disc_steps {
            let x = normal(m, DATA_MEAN, DATA_STD, &mut rng); // (m, 1) real samples
            let z = normal(m, 0.0, 1.0, &mut rng); // (m, 1) noise
            let fake = g.forward(&z); // G is not updated here
            // quiz:begin gan-d-step
            d.zero_grad();
            let (loss_real, grad) = bce_with_logits(&d.forward(&x).remove_axis(Axis(1)), &ones);
            d.backward(&grad.insert_axis(Axis(1)));
            let (loss_fake, grad) = bce_with_logits(&d.forward(&fake).remove_axis(Axis(1)), &zeros);
            d.backward(&grad.insert_axis(Axis(1)));
            opt_d.step(&mut d);
            // quiz:end gan-d-step
            d_losses.push(f64::from(loss_real + loss_fake));
        }
        let loss_d = d_losses.last().copied().unwrap_or(0.0);
        KernelError::check_finite("D loss", loss_d, it, hint)?;

        // ---- 1 update of G: descend the non-saturating loss −log D(G(z)) = BCE(D(G(z)), 1)
        let z = normal(m, 0.0, 1.0, &mut rng);
        let fake = g.forward(&z);
        let fake_logits = d.forward(&fake).remove_axis(Axis(1));
        // quiz:begin gan-g-step
        g.zero_grad();
        let (loss_g, grad) = bce_with_logits(&fake_logits, &ones);
        let dfake = d.backward(&grad.insert_axis(Axis(1))); // dL/dG(z), through the fixed D
        g.backward(&dfake);
        opt_g.step(&mut g);
        // quiz:end gan-g-step
        KernelError::check_finite("G loss", f64::from(loss_g), it, hint)?;

        if it == 1 {
            report::first_updates(tr, cfg, &d_losses, &fake_logits, loss_g, &dfake)?;
        }
        let (fit, real_logits, fake_logits) = evaluate(&mut g, &mut d, &eval_real, &eval_noise);
        // the data live in about [0, 8]; a generator far outside it has blown up
        check_bounded("mean of G(z)", fit.mean, 1e3, it, hint)?;
        check_bounded("std of G(z)", fit.std, 1e3, it, hint)?;
        history.push(fit);
        if first_fit.is_none() && fit.holds() {
            first_fit = Some(it);
            report::first_fit(tr, it, &fit)?;
        }
        if is_checkpoint(it, cfg.iterations, 20) {
            report::progress(
                tr,
                it,
                loss_d,
                f64::from(loss_g),
                &fit,
                &real_logits,
                &fake_logits,
            )?;
        }
        tr.progress("学習", it, cfg.iterations)?;
    }
    let last = history
        .last()
        .copied()
        .ok_or_else(|| KernelError::InvalidConfig("iterations must be at least 1".into()))?;
    report::optimum(tr, &mut g, &mut d, &eval_noise, &last)?;
    let (held, std_range) = after_first_fit(&history, first_fit);
    report::summary(tr, cfg, first_fit, held, std_range, &last)?;

    // Not reached: one past the last step, so the metric fails even for short runs.
    let first = first_fit.unwrap_or(cfg.iterations + 1) as f64;
    Ok(vec![
        Metric::at_most(
            FIRST_FIT_STEP.metric,
            first,
            FIRST_FIT_STEP.target.value.min(cfg.iterations as f64),
        ),
        Metric::reported("final_mean_err", (last.mean - DATA_MEAN).abs()),
        Metric::reported("final_std_err", (last.std - DATA_STD).abs()),
        Metric::reported("fit_held_fraction", held),
        Metric::reported("final_value_function", last.value),
    ])
}
