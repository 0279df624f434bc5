//! Few-shot evaluation (MAML §5.1): on held-out tasks, fine-tune the learned initialisation with
//! plain SGD on `K` support points and measure the mean squared error on many query points of
//! the same sine, before adaptation and after each number of gradient steps.

use super::engine::load_task;
use super::fused::{self, Fma, Fused, Pass, Plain};
use super::net::{Theta, loss_and_grad, predict};
use super::sine::{SineTask, TaskBatch, grid};
use ndarray::{Array1, Array2};

/// How a learned initialisation is fine-tuned on a new task: plain SGD with step `lr`, each
/// task's gradient optionally clipped to the norm `max_grad_norm` first. MAML, FOMAML and the
/// pretrained model use the paper's plain `α = 0.01`; Reptile is evaluated with its own inner
/// rule (its learning rate and clipping), as Nichol et al. evaluate it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Adaptation {
    pub lr: f32,
    pub max_grad_norm: Option<f32>,
}

impl Adaptation {
    /// One SGD step of every task of `phi` on its support points.
    fn step(&self, phi: &Theta<f32>, x: &Array2<f32>, y: &Array2<f32>) -> Theta<f32> {
        let (_, mut grad) = loss_and_grad(phi, x, y);
        if let Some(max) = self.max_grad_norm {
            let clip = grad.norm_per_task().mapv(|n| (max / (n + 1e-6)).min(1.0));
            grad.scale_per_task(&clip);
        }
        phi.add_scaled(-self.lr, &grad)
    }
}

/// Mean query MSE over the evaluation tasks after `steps[i]` gradient steps.
#[derive(Debug, Clone, PartialEq)]
pub struct FewShot {
    /// The step counts evaluated, e.g. `[0, 1, 10]`.
    pub steps: Vec<usize>,
    /// Mean query MSE over the tasks whose MSE is finite, one per entry of `steps`.
    pub mse: Vec<f64>,
    /// Tasks whose query MSE became NaN or infinite at some evaluated step.
    pub nonfinite_tasks: usize,
}

impl FewShot {
    /// The MSE after `step` gradient steps, if it was evaluated.
    pub fn after(&self, step: usize) -> Option<f64> {
        self.steps
            .iter()
            .position(|&s| s == step)
            .map(|i| self.mse[i])
    }
}

/// Fine-tunes `theta` (one task) on every task of `batch` with `max(steps)` steps of `rule` on
/// the support set (full batch), recording the query MSE at each step in `steps`. Each task is
/// fine-tuned on its own with [`super::fused`] (the same equations as [`Adaptation::step`] and
/// [`forward`], on flat reused buffers), one task after the other.
pub fn few_shot(
    theta: &Theta<f32>,
    batch: &TaskBatch<f32>,
    rule: Adaptation,
    steps: &[usize],
) -> FewShot {
    let mut sorted: Vec<usize> = steps.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let tasks = batch.len();
    // per_task[i * tasks + t]: task t's query MSE after sorted[i] steps
    let mut per_task = vec![0f32; sorted.len() * tasks];
    fine_tune_all(
        &theta.flat(),
        theta.hidden(),
        batch,
        rule,
        &sorted,
        &mut per_task,
    );
    let finite: Vec<bool> = (0..tasks)
        .map(|t| (0..sorted.len()).all(|i| per_task[i * tasks + t].is_finite()))
        .collect();
    let nonfinite_tasks = finite.iter().filter(|&&ok| !ok).count();
    let mse = per_task
        .chunks(tasks.max(1))
        .take(sorted.len())
        .map(|m| {
            let (sum, n) = m
                .iter()
                .zip(&finite)
                .filter(|(_, ok)| **ok)
                .fold((0.0, 0usize), |(s, n), (&v, _)| (s + f64::from(v), n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        })
        .collect();
    FewShot {
        steps: sorted,
        mse,
        nonfinite_tasks,
    }
}

/// Buffers of one task's fine-tuning, reused from task to task.
#[derive(Default)]
struct Scratch {
    support: Pass,
    query: Pass,
    phi: Vec<f32>,
    grad: Vec<f32>,
    w2t: Vec<f32>,
    data: [Vec<f32>; 4],
}

/// Every task of [`few_shot`], with the fastest code this CPU runs (as [`super::engine`]).
fn fine_tune_all(
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    rule: Adaptation,
    steps: &[usize],
    out: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the two features this function is compiled with (checked above).
        unsafe { fine_tune_all_avx2(theta, h, batch, rule, steps, out) };
        return;
    }
    fine_tune_all_with::<Plain>(theta, h, batch, rule, steps, out);
}

/// [`fine_tune_all_with`] compiled for AVX2 + FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fine_tune_all_avx2(
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    rule: Adaptation,
    steps: &[usize],
    out: &mut [f32],
) {
    fine_tune_all_with::<Fused>(theta, h, batch, rule, steps, out);
}

/// Task by task: `φ = θ`; for `s = 0..=max(steps)`: if `s ∈ steps`, the query MSE
/// `(1/N) Σ (ŷ − y)²`; then `φ ← φ − lr · clip · ∇L^support(φ)` with
/// `clip = min(1, max_grad_norm / (‖∇L‖ + 1e-6))` (1 without clipping).
#[inline(always)]
fn fine_tune_all_with<F: Fma>(
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    rule: Adaptation,
    steps: &[usize],
    out: &mut [f32],
) {
    let tasks = batch.len();
    let last = steps.last().copied().unwrap_or(0);
    let mut s = Scratch::default();
    s.grad.resize(theta.len(), 0.0);
    for t in 0..tasks {
        load_task(batch, t, &mut s.data);
        s.phi.clear();
        s.phi.extend_from_slice(theta);
        let mut next = 0;
        for step in 0..=last {
            if steps.get(next) == Some(&step) {
                let [_, _, xq, yq] = &s.data;
                fused::forward::<F>(&s.phi, h, xq, &mut s.query);
                out[next * tasks + t] = mse(s.query.pred(), yq);
                next += 1;
            }
            if step < last {
                let [xs, ys, _, _] = &s.data;
                fused::forward::<F>(&s.phi, h, xs, &mut s.support);
                fused::transpose(fused::w2_of(&s.phi, h), h, &mut s.w2t);
                fused::backward::<F>(&s.phi, &s.w2t, h, ys, &mut s.support, &mut s.grad);
                let clip = rule.max_grad_norm.map_or(1.0, |max| {
                    let norm = fused::norm::<F>(&s.grad);
                    (max / (norm + 1e-6)).min(1.0)
                });
                for (p, &g) in s.phi.iter_mut().zip(&s.grad) {
                    *p -= rule.lr * (g * clip);
                }
            }
        }
    }
}

/// `(1/N) Σ_n (ŷ_n − y_n)²`.
#[inline(always)]
fn mse(pred: &[f32], y: &[f32]) -> f32 {
    let sum: f32 = pred.iter().zip(y).map(|(&p, &t)| (p - t) * (p - t)).sum();
    sum / pred.len().max(1) as f32
}

/// The curves of the paper's Figure 2 for one task: the true sine and the network's prediction
/// on a grid of `n` inputs after each number of gradient steps in `steps` (on the task's `K`
/// support points). Returns `(grid, truth, predictions per entry of steps)`.
pub fn adaptation_curves(
    theta: &Theta<f32>,
    task: SineTask,
    x_support: &Array2<f32>,
    y_support: &Array2<f32>,
    rule: Adaptation,
    steps: &[usize],
    n: usize,
) -> (Array1<f32>, Array1<f32>, Vec<Array1<f32>>) {
    let xs = grid::<f32>(n);
    let truth = xs.mapv(|x| task.y(f64::from(x)) as f32);
    let last = steps.iter().copied().max().unwrap_or(0);
    let mut phi = theta.clone();
    let mut curves = Vec::new();
    for s in 0..=last {
        if steps.contains(&s) {
            curves.push(predict(&phi, &xs));
        }
        if s < last {
            phi = rule.step(&phi, x_support, y_support);
        }
    }
    (xs, truth, curves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maml::net::{forward, mse_per_task};
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    /// The query MSE of every task after `s` steps of [`Adaptation::step`], all tasks batched
    /// through the ndarray reference of [`super::super::net`]: `[s][task]`.
    fn reference(
        theta: &Theta<f32>,
        b: &TaskBatch<f32>,
        rule: Adaptation,
        last: usize,
    ) -> Vec<Array1<f32>> {
        let mut phi = theta.broadcast(b.len());
        let mut out = Vec::new();
        for s in 0..=last {
            out.push(mse_per_task(&forward(&phi, &b.x_query).y, &b.y_query).0);
            if s < last {
                phi = rule.step(&phi, &b.x_support, &b.y_support);
            }
        }
        out
    }

    /// The fused fine-tuning measures what the batched ndarray reference measures, with and
    /// without clipping (a low `max_grad_norm` clips nearly every step), hidden 40 and 13.
    #[test]
    fn few_shot_agrees_with_the_reference() {
        let mut rng = StdRng::seed_from_u64(11);
        for hidden in [40, 13] {
            let theta = Theta::init(hidden, &mut rng);
            let batch = TaskBatch::sample(7, 5, 30, &mut rng);
            for max_grad_norm in [None, Some(0.5)] {
                let rule = Adaptation {
                    lr: 0.02,
                    max_grad_norm,
                };
                let want = reference(&theta, &batch, rule, 10);
                let got = few_shot(&theta, &batch, rule, &[10, 0, 1]);
                assert_eq!(got.steps, vec![0, 1, 10]);
                assert_eq!(got.nonfinite_tasks, 0);
                for (i, s) in [0, 1, 10].into_iter().enumerate() {
                    let mean = f64::from(want[s].mean().unwrap_or(f32::NAN));
                    let err = (got.mse[i] - mean).abs() / mean;
                    assert!(
                        err < 1e-4,
                        "hidden {hidden}, {rule:?}, step {s}: {} vs {mean}",
                        got.mse[i]
                    );
                }
            }
        }
    }
}
