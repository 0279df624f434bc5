//! Few-shot evaluation (MAML §5.1): on held-out tasks, fine-tune the learned initialisation with
//! plain SGD on `K` support points and measure the mean squared error on many query points of
//! the same sine, before adaptation and after each number of gradient steps.

use super::net::{Theta, forward, loss_and_grad, mse_per_task, predict};
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
/// the support set (full batch), recording the query MSE at each step in `steps`. All tasks are
/// processed together: the parameters carry a task axis.
pub fn few_shot(
    theta: &Theta<f32>,
    batch: &TaskBatch<f32>,
    rule: Adaptation,
    steps: &[usize],
) -> FewShot {
    let last = steps.iter().copied().max().unwrap_or(0);
    let mut per_task: Vec<Array1<f32>> = Vec::new();
    let mut phi = theta.broadcast(batch.len());
    for s in 0..=last {
        if steps.contains(&s) {
            let pred = forward(&phi, &batch.x_query).y;
            per_task.push(mse_per_task(&pred, &batch.y_query).0);
        }
        if s < last {
            phi = rule.step(&phi, &batch.x_support, &batch.y_support);
        }
    }
    let finite: Vec<bool> = (0..batch.len())
        .map(|t| per_task.iter().all(|m| m[t].is_finite()))
        .collect();
    let nonfinite_tasks = finite.iter().filter(|&&ok| !ok).count();
    let mse = per_task
        .iter()
        .map(|m| {
            let (sum, n) = m
                .iter()
                .zip(&finite)
                .filter(|(_, ok)| **ok)
                .fold((0.0, 0usize), |(s, n), (&v, _)| (s + f64::from(v), n + 1));
            if n == 0 { f64::NAN } else { sum / n as f64 }
        })
        .collect();
    let mut sorted: Vec<usize> = steps.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    FewShot {
        steps: sorted,
        mse,
        nonfinite_tasks,
    }
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
