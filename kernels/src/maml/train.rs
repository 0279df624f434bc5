//! Training one method (MAML, FOMAML, Reptile or the pretrained baseline) for a number of
//! outer iterations, recording its curves, and evaluating the result few-shot.

use super::engine::{Engine, Job};
use super::eval::{FewShot, few_shot};
use super::net::{SharedMlp, Theta};
use super::sine::TaskBatch;
use super::{Config, Method, Variant, report};
use crate::KernelError;
use crate::nn::{Adam, Sgd};
use crate::trace::Trace;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// The optimiser of the outer loop: Adam for MAML, FOMAML and the baseline, plain SGD with step
/// `ε` for Reptile.
enum Outer {
    Adam(Adam<f32>),
    Sgd(Sgd<f32>),
}

/// The update of `method`: [`meta::maml_gradient`](super::meta::maml_gradient),
/// [`meta::reptile_direction`](super::meta::reptile_direction) or
/// [`meta::pretrain_gradient`](super::meta::pretrain_gradient), as the [`Engine`] computes it.
fn job(method: Method, cfg: &Config) -> Job {
    let inner_lr = cfg.inner_lr as f32;
    match method {
        Method::Meta(Variant::Maml) => Job::Maml {
            inner_lr,
            second_order: true,
        },
        Method::Meta(Variant::FoMaml) => Job::Maml {
            inner_lr,
            second_order: false,
        },
        Method::Meta(Variant::Reptile) => Job::Reptile {
            inner_lr: cfg.reptile_inner_lr as f32,
            inner_steps: cfg.reptile_inner_steps,
            max_grad_norm: cfg.reptile_max_grad_norm as f32,
        },
        Method::Pretrained => Job::Pretrain,
    }
}

/// A trained model and its few-shot results.
#[derive(Debug, Clone)]
pub struct Trained {
    pub method: Method,
    pub iterations: usize,
    pub theta: Theta<f32>,
    pub few_shot: FewShot,
}

/// The evaluation tasks and the iteration at which a snapshot of the model is evaluated too.
#[derive(Clone, Copy)]
pub struct Evaluation<'a> {
    pub test: &'a TaskBatch<f32>,
    /// The first 100 test tasks: the learning curve.
    pub curve: &'a TaskBatch<f32>,
    pub snapshot_at: Option<usize>,
}

const STEPS_EVALUATED: [usize; 3] = [0, 1, 10];

/// Trains the shared weights `θ` with `method` for `iterations` updates, recording the training
/// curves every few hundred iterations. Each method gets its own seeded task stream. Returns the
/// model at the end, and at `ev.snapshot_at` if that iteration is reached. Each update runs on
/// `threads` threads ([`Engine::with_threads`]); the result does not depend on that number.
pub fn train(
    method: Method,
    cfg: &Config,
    iterations: usize,
    threads: usize,
    ev: &Evaluation,
    tr: &mut Trace,
) -> Result<(Trained, Option<Trained>), KernelError> {
    let stream = match method {
        Method::Meta(Variant::Maml) => 1,
        Method::Meta(Variant::FoMaml) => 2,
        Method::Meta(Variant::Reptile) => 3,
        Method::Pretrained => 4,
    };
    let mut rng = StdRng::seed_from_u64(cfg.seed.wrapping_mul(1_000_003).wrapping_add(stream));
    let mut model = SharedMlp {
        theta: Theta::init(cfg.hidden, &mut rng),
        grad: Theta::zeros(1, cfg.hidden),
    };
    let mut outer = match method {
        Method::Meta(Variant::Reptile) => Outer::Sgd(Sgd::new(cfg.reptile_epsilon, 0.0)?),
        _ => Outer::Adam(Adam::new(cfg.meta_lr, 0.9, 0.999, 1e-8)?),
    };
    let rule = cfg.adaptation(method);
    let evaluate = |theta: &Theta<f32>, iterations: usize| Trained {
        method,
        iterations,
        theta: theta.clone(),
        few_shot: few_shot(theta, ev.test, rule, &STEPS_EVALUATED),
    };
    let (job, mut engine) = (job(method, cfg), Engine::with_threads(threads));
    let record_every = (iterations / 20).max(1);
    let mut snapshot = None;
    let (mut sum_before, mut sum_after, mut n) = (0.0, 0.0, 0usize);
    for it in 1..=iterations {
        let batch = TaskBatch::sample(cfg.meta_batch, cfg.k_shot, cfg.k_shot, &mut rng);
        let step = engine.step(job, &model.theta, &batch);
        let (before, after) = (f64::from(step.loss_before), f64::from(step.loss_after));
        KernelError::check_finite(
            &format!("{} meta-loss", method.name()),
            after,
            it,
            "lower meta_lr / inner_lr (Reptile: lower reptile_max_grad_norm)",
        )?;
        model.grad = step.grad;
        match &mut outer {
            Outer::Adam(opt) => opt.step(&mut model),
            Outer::Sgd(opt) => opt.step(&mut model),
        }
        sum_before += before;
        sum_after += after;
        n += 1;
        if it % record_every == 0 || it == iterations {
            let (b, a) = (sum_before / n as f64, sum_after / n as f64);
            let curve_mse = few_shot(&model.theta, ev.curve, rule, &[1]).mse[0];
            report::training(tr, method, it, b, a, curve_mse)?;
            (sum_before, sum_after, n) = (0.0, 0.0, 0);
        }
        if Some(it) == ev.snapshot_at && it < iterations {
            snapshot = Some(evaluate(&model.theta, it));
        }
        tr.progress(method.label(), it, iterations)?;
    }
    let last = evaluate(&model.theta, iterations);
    if ev.snapshot_at == Some(iterations) {
        snapshot = Some(last.clone());
    }
    Ok((last, snapshot))
}

/// The held-out evaluation tasks: `eval_shots` support and `eval_points` query points each,
/// from a stream of their own (never seen in training).
pub fn eval_batch(cfg: &Config) -> TaskBatch<f32> {
    let mut rng = StdRng::seed_from_u64(cfg.seed.wrapping_mul(1_000_003).wrapping_add(999));
    TaskBatch::sample(cfg.eval_tasks, cfg.eval_shots, cfg.eval_points, &mut rng)
}
