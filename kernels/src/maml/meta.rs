//! One meta-training update of each method: MAML (second order), first-order MAML (FOMAML),
//! Reptile, and the "pretrained on all tasks" baseline. Each returns a gradient for the shared
//! weights `θ` that an optimiser then applies (Adam for MAML/FOMAML/pretrained, plain SGD with
//! step `ε` for Reptile).

use super::net::{Theta, hvp, loss_and_grad};
use super::sine::TaskBatch;
use crate::nn::Float;
use ndarray::{Array1, Axis, concatenate};

/// What one update computed.
#[derive(Debug, Clone)]
pub struct MetaStep<A> {
    /// The direction for the optimiser, with one task (`θ`'s shape).
    pub grad: Theta<A>,
    /// Mean loss of the tasks' support sets at `θ`, before adaptation.
    pub loss_before: A,
    /// The meta-objective: mean query loss after adaptation (MAML / FOMAML), mean loss after
    /// the inner steps (Reptile), or the plain training loss (pretrained).
    pub loss_after: A,
}

fn mean<A: Float>(v: &Array1<A>) -> A {
    v.mean().unwrap_or_else(A::zero)
}

/// The MAML meta-gradient for a batch of tasks (Finn et al. 2017, Algorithm 2, eq. 1):
///
/// ```text
/// θ'_t = θ − α ∇L_t^support(θ)                            (inner SGD step, per task)
/// min_θ Σ_t L_t^query(θ'_t)                                (meta-objective)
/// ∇_θ L_t^query(θ'_t) = (I − α ∇²L_t^support(θ)) ∇L_t^query(θ'_t)
/// ```
///
/// With `second_order` the Hessian term is kept, through the exact Hessian-vector product
/// [`hvp`]; without it the Jacobian `(I − α ∇²L)` is replaced by `I` — first-order MAML
/// (§5.2 of the paper), which skips the second backward pass. The gradient returned is the mean
/// over the `T` tasks.
pub fn maml_gradient<A: Float>(
    theta: &Theta<A>,
    batch: &TaskBatch<A>,
    inner_lr: A,
    second_order: bool,
) -> MetaStep<A> {
    let (xs, ys) = (&batch.x_support, &batch.y_support);
    // quiz:begin maml-meta-gradient
    let (loss_s, grad_s) = loss_and_grad(theta, xs, ys); // ∇L_t^support(θ), per task
    let adapted = theta.add_scaled(-inner_lr, &grad_s); // θ'_t = θ − α ∇L_t^support(θ)
    let (loss_q, grad_q) = loss_and_grad(&adapted, &batch.x_query, &batch.y_query);
    let per_task = if second_order {
        let h_v = hvp(theta, xs, ys, &grad_q); // ∇²L_t^support(θ) · ∇L_t^query(θ'_t)
        grad_q.add_scaled(-inner_lr, &h_v)
    } else {
        grad_q
    };
    // quiz:end maml-meta-gradient
    MetaStep {
        grad: per_task.mean_over_tasks(),
        loss_before: mean(&loss_s),
        loss_after: mean(&loss_q),
    }
}

/// Reptile (Nichol, Achiam & Schulman 2018, Algorithm 2, batched version): starting from `θ`,
/// take `inner_steps` SGD steps on each task, `φ_t ← φ_t − β ∇L_t(φ_t)`, alternating between
/// the task's support and query points (minibatches of `K`); then move `θ` towards the adapted
/// weights, `θ ← θ + ε (mean_t φ_t − θ)`. The returned "gradient" is `θ − mean_t φ_t`, so that
/// an SGD step with learning rate `ε` performs exactly that update.
///
/// Each inner gradient is clipped to the norm `max_grad_norm` per task: without it, tasks with
/// a large amplitude (A ≈ 5) blow the inner SGD up to NaN within a few hundred iterations.
pub fn reptile_direction<A: Float>(
    theta: &Theta<A>,
    batch: &TaskBatch<A>,
    inner_lr: A,
    inner_steps: usize,
    max_grad_norm: A,
) -> MetaStep<A> {
    let halves = [
        (&batch.x_support, &batch.y_support),
        (&batch.x_query, &batch.y_query),
    ];
    let mut phi = theta.broadcast(batch.len()); // φ_t = θ for every task
    let (mut first, mut last) = (A::zero(), A::zero());
    for i in 0..inner_steps {
        let (x, y) = halves[i % 2];
        let (loss, mut grad) = loss_and_grad(&phi, x, y);
        let clip = grad
            .norm_per_task()
            .mapv(|n| (max_grad_norm / (n + A::lit(1e-6))).min(A::one()));
        grad.scale_per_task(&clip);
        phi = phi.add_scaled(-inner_lr, &grad);
        if i == 0 {
            first = mean(&loss);
        }
        last = mean(&loss);
    }
    // quiz:begin reptile-update
    let direction = theta.add_scaled(-A::one(), &phi.mean_over_tasks()); // the direction SGD subtracts
    // quiz:end reptile-update
    MetaStep {
        grad: direction,
        loss_before: first,
        loss_after: last,
    }
}

/// The baseline of §5.1: one network trained by plain regression on the points of every task
/// (support and query together), to be fine-tuned on a new task at test time.
pub fn pretrain_gradient<A: Float>(theta: &Theta<A>, batch: &TaskBatch<A>) -> MetaStep<A> {
    let x = concatenate(Axis(1), &[batch.x_support.view(), batch.x_query.view()])
        .expect("support and query have one row per task");
    let y = concatenate(Axis(1), &[batch.y_support.view(), batch.y_query.view()])
        .expect("support and query have one row per task");
    let (loss, grad) = loss_and_grad(theta, &x, &y);
    MetaStep {
        grad: grad.mean_over_tasks(),
        loss_before: mean(&loss),
        loss_after: mean(&loss),
    }
}
