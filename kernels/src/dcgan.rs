//! `dcgan`: a Deep Convolutional GAN (Radford, Metz & Chintala 2016) drawing 8×8 digits.
//!
//! The game is the GAN's (Goodfellow et al. 2014): D learns to tell real digits from generated
//! ones, G learns to fool D. What DCGAN adds is a set of architecture rules that made
//! convolutional GANs train stably (§3), implemented in [`nets`]:
//!
//! - replace pooling by strided convolutions (D) and transposed convolutions (G);
//! - no fully connected hidden layers;
//! - BatchNorm in G and D, except G's output layer and D's input layer;
//! - ReLU in G with tanh at the output, LeakyReLU(0.2) in D with a sigmoid at the output;
//! - Adam with `lr = 2e-4`, `β1 = 0.5`; weights from `N(0, 0.02²)` (§4).
//!
//! Batch size 32 (the paper used 128): with these small networks, more updates of smaller batches
//! reach a given score sooner — 3,000 iterations of 32 scored 6.92–6.99 on seeds 0–2, 2,000 of 64
//! (twice the images, 25 % more time) 6.58–7.01. The default run is 2,000 iterations of 32: it
//! scored 6.85 / 6.66 / 6.82 on seeds 0 / 1 / 2 with all ten classes covered (target 6.0), so the
//! last thousand iterations of the former default bought about 0.1–0.25 of score for half again
//! the time, on a run a learner waits for.
//!
//! One iteration, as PyTorch's DCGAN example: draw a batch of real digits and of noise,
//! `fake = G(z)`; update D on the real batch (label 1) and the fake batch (label 0) — two
//! separate BatchNorm batches, as the paper's code does; then update G with the non-saturating
//! loss `−log D(G(z))` through the just-updated D.
//!
//! Quality is measured the way GAN papers do, with a fixed classifier: the [`judge`]
//! scores 1,000 samples with the classifier score `exp E_x KL(p(y|x) ‖ p(y))` (the Inception
//! Score, Salimans et al. 2016) — high when every sample is a confident digit *and* all ten
//! digits appear — and counts the classes that get at least 3 % of the samples.

pub mod nets;
pub(crate) mod report;

use crate::KernelError;
use crate::data::digits;
use crate::generative::{check_bounded, digits_tanh, is_checkpoint, to_unit};
use crate::judge::{self, score};
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::loss::bce_with_logits;
use crate::nn::{Adam, Params};
use crate::trace::{Goal, Metric, StepDecl, Trace};
use ndarray::{Array1, Array2, Array4, ArrayRef2, Axis, concatenate};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::{Rng, SeedableRng};
use ndarray_rand::rand_distr::StandardNormal;
use nets::{Discriminator, Generator};

/// Samples scored at the end.
pub const EVAL_SAMPLES: usize = 1000;
/// A class counts as covered when it gets at least this share of the samples.
pub const COVERAGE_SHARE: f64 = 0.03;

/// Target: the samples look like confident, varied digits to the judge.
pub const CLASSIFIER_SCORE: Goal = Goal::at_least("classifier_score", 6.0);
/// Target: every digit class appears among the samples (no mode collapse).
pub const CLASS_COVERAGE: Goal = Goal::at_least("class_coverage", 10.0);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "dcgan",
    title: "DCGAN (深層畳み込み GAN) — 8×8 の数字を生成",
    summary: "転置畳み込みの G とストライド付き畳み込みの D を DCGAN の設計指針どおりに組み、数字を描けるようになるまで学習する",
    source: "dcgan.rs",
    knobs: &[
        KnobSpec::int(
            "iterations",
            "学習の反復回数 (D と G を 1 回ずつ更新)",
            2000,
            1,
            50_000,
        ),
        KnobSpec::float("lr", "Adam の学習率 (論文は 2e-4)", 2e-4, 1e-6, 100.0),
        KnobSpec::float(
            "beta1",
            "Adam の β1 (論文は 0.5; 0.9 だと振動しやすい)",
            0.5,
            0.0,
            0.999,
        ),
        KnobSpec::int("batch_size", "ミニバッチの大きさ", 32, 4, 256),
        KnobSpec::int("z_dim", "ノイズ z の次元", 32, 1, 256),
    ],
    steps: &[
        StepDecl::new("data", "本物の数字"),
        StepDecl::new("architecture", "DCGAN の設計指針"),
        StepDecl::new("d_update", "D の更新: 本物 → 1、偽物 → 0"),
        StepDecl::new("g_update", "G の更新: D をだます"),
        StepDecl::new("progress", "学習の経過 (生成サンプル)"),
        StepDecl::new("evaluation", "1000 枚を判定器で採点"),
    ],
    goals: &[CLASSIFIER_SCORE, CLASS_COVERAGE],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Training iterations (one D update and one G update each).
    pub iterations: usize,
    /// Adam's learning rate for both networks.
    pub lr: f64,
    /// Adam's `β1`.
    pub beta1: f64,
    /// Real images (and noise vectors) per batch.
    pub batch_size: usize,
    /// Dimension of the noise `z`.
    pub z_dim: usize,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            iterations: k.usize("iterations"),
            lr: k.float("lr"),
            beta1: k.float("beta1"),
            batch_size: k.usize("batch_size"),
            z_dim: k.usize("z_dim"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// `G(z)` for many noise vectors, in chunks of `chunk` (BatchNorm uses each chunk's statistics,
/// as during training): `(N, Z) -> (N, 1, 8, 8)`.
pub fn sample(g: &mut Generator<f32>, z: &ArrayRef2<f32>, chunk: usize) -> Array4<f32> {
    let parts: Vec<Array4<f32>> = z
        .axis_chunks_iter(Axis(0), chunk.max(1))
        .map(|zc| g.forward(&zc))
        .collect();
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    concatenate(Axis(0), &views).unwrap_or_else(|_| Array4::zeros((0, 1, 8, 8)))
}

/// Losses and D's outputs of one iteration.
pub struct IterStats {
    pub loss_d: f32,
    pub loss_g: f32,
    pub real_logits: Array1<f32>,
    pub fake_logits: Array1<f32>,
    /// `dL_G/dG(z)`: the gradient D hands back to G.
    pub dfake: Array4<f32>,
}

/// Trains the DCGAN; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let pending_judge = judge::start_shared(); // trains on the second core meanwhile
    let all = digits::load();
    let (train, _) = all.split();
    let real_all = digits_tanh(&train); // (1442, 1, 8, 8) in [−1, 1]
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut g = Generator::<f32>::new(cfg.z_dim, &mut rng)?;
    let mut d = Discriminator::<f32>::new(1, &mut rng)?;
    let mut opt_g = Adam::new(cfg.lr, cfg.beta1, 0.999, 1e-8)?;
    let mut opt_d = Adam::new(cfg.lr, cfg.beta1, 0.999, 1e-8)?;
    report::data(tr, &train)?;
    report::architecture(tr, &mut g, &mut d, cfg)?;

    let m = cfg.batch_size;
    let (ones, zeros) = (Array1::<f32>::ones(m), Array1::<f32>::zeros(m));
    let fixed_z = Array2::<f32>::random_using((32, cfg.z_dim), StandardNormal, &mut rng);
    let hint = "try a lower learning rate (lr)";
    for it in 1..=cfg.iterations {
        let idx: Vec<usize> = (0..m).map(|_| rng.random_range(0..train.len())).collect();
        let real = real_all.select(Axis(0), &idx); // (m, 1, 8, 8)
        let z = Array2::<f32>::random_using((m, cfg.z_dim), StandardNormal, &mut rng);
        let fake = g.forward(&z); // (m, 1, 8, 8)

        // quiz:begin dcgan-step
        // D: real → 1, fake → 0 (two separate BatchNorm batches); G is not updated here
        d.zero_grad();
        let real_logits = d.forward(&real);
        let (loss_real, grad) = bce_with_logits(&real_logits, &ones);
        d.backward_params(&grad);
        let fake_logits = d.forward(&fake);
        let (loss_fake, grad) = bce_with_logits(&fake_logits, &zeros);
        d.backward_params(&grad);
        opt_d.step(&mut d);

        // G: make the updated D say "real" (non-saturating loss −log D(G(z)))
        g.zero_grad();
        let (loss_g, grad) = bce_with_logits(&d.forward(&fake), &ones);
        let dfake = d.input_gradient(&grad); // (m, 1, 8, 8): dL/dG(z), D's gradients unused
        g.backward(&dfake);
        opt_g.step(&mut g);
        // quiz:end dcgan-step

        let loss_d = loss_real + loss_fake;
        KernelError::check_finite("D loss", f64::from(loss_d), it, hint)?;
        // the loss of G is −mean log D(G(z)); 1e3 means D(G(z)) ≈ e^−1000
        check_bounded("G loss", f64::from(loss_g), 1e3, it, hint)?;
        let stats = IterStats {
            loss_d,
            loss_g,
            real_logits,
            fake_logits,
            dfake,
        };
        if it == 1 {
            report::first_iteration(tr, &stats, &fake)?;
        }
        if is_checkpoint(it, cfg.iterations, 8) {
            let grid = sample(&mut g, &fixed_z, fixed_z.nrows());
            report::progress(tr, it, &stats, &grid)?;
        }
        tr.progress("学習", it, cfg.iterations)?;
    }

    let judge = pending_judge.wait(tr)?;
    // quiz:begin dcgan-eval
    let z = Array2::<f32>::random_using((EVAL_SAMPLES, cfg.z_dim), StandardNormal, &mut rng);
    let samples = sample(&mut g, &z, m); // (1000, 1, 8, 8) in [−1, 1]
    let p = judge.probabilities(&to_unit(&samples)); // (1000, 10) = p(y|x)
    let cs = score::classifier_score(&p);
    let coverage = score::class_coverage(&p, COVERAGE_SHARE);
    // quiz:end dcgan-eval
    let real_cs = report::evaluation(tr, judge, &all, &samples, &p, cs)?;
    Ok(vec![
        CLASSIFIER_SCORE.measure(cs),
        CLASS_COVERAGE.measure(coverage as f64),
        Metric::reported("real_digits_classifier_score", real_cs),
    ])
}
