//! The meta-training updates of [`super::meta`], computed task by task with [`super::fused`]:
//! what [`super::train`](mod@super::train) runs. A run trains its methods side by side
//! ([`super::parallel`]), each on one thread ([`Engine::with_threads`]`(1)`: no hand-over per
//! update); an engine with more threads splits each meta-batch instead.
//!
//! Every task of a meta-batch is independent until the final mean, so the batch is cut into
//! one contiguous range of tasks per thread (`std::thread::scope`; the calling thread takes the
//! first range). Each task writes its result into its own row of a `(T, P)` buffer and the rows
//! are then summed **in task order** by the calling thread: the result is bit-for-bit the same
//! whatever the number of threads — deterministic for a seed.
//!
//! Where the CPU has AVX2 and FMA (checked once at run time), the per-task code is compiled a
//! second time with those features enabled — 8 lanes per instruction and one rounding per
//! multiply-add — and that version is used; elsewhere the portable one.

use super::fused::{self, Fma, Fused, Pass, Plain, Tangents, param_len};
use super::meta::MetaStep;
use super::net::Theta;
use super::sine::TaskBatch;

/// Which update to compute (the arguments of the matching function of [`super::meta`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Job {
    /// [`super::meta::maml_gradient`].
    Maml { inner_lr: f32, second_order: bool },
    /// [`super::meta::reptile_direction`].
    Reptile {
        inner_lr: f32,
        inner_steps: usize,
        max_grad_norm: f32,
    },
    /// [`super::meta::pretrain_gradient`].
    Pretrain,
}

/// One thread's buffers, reused from task to task and update to update.
#[derive(Debug, Clone, Default)]
struct Worker {
    support: Pass,
    query: Pass,
    tangents: Tangents,
    adapted: Vec<f32>,
    grad: Vec<f32>,
    hv: Vec<f32>,
    /// `W2ᵀ` of the shared weights `θ` and of the task's current weights.
    theta_w2t: Vec<f32>,
    w2t: Vec<f32>,
    /// This task's `x_support, y_support, x_query, y_query`.
    data: [Vec<f32>; 4],
}

/// Copies task `t`'s four rows of `b` into `data` (no allocation once grown).
#[inline(always)]
pub(super) fn load_task(b: &TaskBatch<f32>, t: usize, data: &mut [Vec<f32>; 4]) {
    let arrays = [&b.x_support, &b.y_support, &b.x_query, &b.y_query];
    for (d, a) in data.iter_mut().zip(arrays) {
        d.clear();
        d.extend(a.row(t).iter().copied());
    }
}

/// Computes [`Job`]s on task batches; keeps every buffer between calls.
#[derive(Debug, Clone)]
pub struct Engine {
    workers: Vec<Worker>,
    /// One row of `P + 2` per task: the task's result and its two losses.
    rows: Vec<f32>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// One worker per available core (at most 2 are used by a meta-batch of 25: the work per
    /// task is small, and this machine class has 2).
    pub fn new() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        Self::with_threads(threads)
    }

    /// An engine with exactly `threads` workers (1 = everything on the calling thread).
    pub fn with_threads(threads: usize) -> Self {
        Self {
            workers: vec![Worker::default(); threads.max(1)],
            rows: Vec::new(),
        }
    }

    /// The update `job` on `batch` at the shared weights `theta` (one task): the same
    /// [`MetaStep`] as the function of [`super::meta`] it names, up to rounding.
    pub fn step(&mut self, job: Job, theta: &Theta<f32>, batch: &TaskBatch<f32>) -> MetaStep<f32> {
        let h = theta.hidden();
        let p = param_len(h);
        let theta_flat = theta.flat();
        let tasks = batch.x_support.nrows(); // one row per task (`tasks` may be left empty)
        let width = p + 2;
        self.rows.resize(tasks * width, 0.0);
        let per = tasks.div_ceil(self.workers.len()).max(1);
        std::thread::scope(|s| {
            let mut chunks = self
                .rows
                .chunks_mut(per * width)
                .zip(self.workers.iter_mut());
            let first = chunks.next();
            for (i, (rows, w)) in chunks.enumerate() {
                let th = &theta_flat;
                s.spawn(move || run_range(job, th, h, batch, (i + 1) * per, rows, w));
            }
            if let Some((rows, w)) = first {
                run_range(job, &theta_flat, h, batch, 0, rows, w);
            }
        });
        self.reduce(job, &theta_flat, h, tasks)
    }

    /// The mean of the task rows, in task order, as a [`MetaStep`].
    fn reduce(&self, job: Job, theta: &[f32], h: usize, tasks: usize) -> MetaStep<f32> {
        let p = param_len(h);
        let mut sum = vec![0f32; p + 2];
        for row in self.rows.chunks_exact(p + 2).take(tasks) {
            for (s, &v) in sum.iter_mut().zip(row) {
                *s += v;
            }
        }
        let n = tasks.max(1) as f32;
        let mut mean: Vec<f32> = sum.iter().map(|&v| v / n).collect();
        if let Job::Reptile { .. } = job {
            // the rows hold φ_t: the direction is θ − mean_t φ_t
            for (m, &t) in mean.iter_mut().zip(theta) {
                *m = t - *m;
            }
        }
        let mut grad = Theta::zeros(1, h);
        let mut src = mean[..p].iter();
        for part in grad.parts_mut() {
            let mut part = part;
            part.iter_mut().zip(src.by_ref()).for_each(|(o, &m)| *o = m);
        }
        MetaStep {
            grad,
            loss_before: mean[p],
            loss_after: mean[p + 1],
        }
    }
}

/// Tasks `first..` of `batch` (as many as `rows` holds), with the fastest code this CPU runs.
fn run_range(
    job: Job,
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    first: usize,
    rows: &mut [f32],
    w: &mut Worker,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the two features this function is compiled with (checked above).
        unsafe { run_range_avx2(job, theta, h, batch, first, rows, w) };
        return;
    }
    run_range_with::<Plain>(job, theta, h, batch, first, rows, w);
}

/// [`run_range_with`] compiled for AVX2 + FMA (everything it calls is inlined into it), one
/// function per kind of job: each gets its own register allocation (one function holding all
/// three measurably slowed the second-order update).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_range_avx2(
    job: Job,
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    first: usize,
    rows: &mut [f32],
    w: &mut Worker,
) {
    let ctx = (theta, h, batch, first);
    match job {
        Job::Maml {
            inner_lr,
            second_order,
        } => maml_range_avx2((inner_lr, second_order), ctx, rows, w),
        Job::Reptile {
            inner_lr,
            inner_steps,
            max_grad_norm,
        } => reptile_range_avx2((inner_lr, inner_steps, max_grad_norm), ctx, rows, w),
        Job::Pretrain => pretrain_range_avx2(ctx, rows, w),
    }
}

/// The shared weights, `H`, the batch and the first task of a range.
type Ctx<'a> = (&'a [f32], usize, &'a TaskBatch<f32>, usize);

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline(never)]
fn maml_range_avx2(
    (inner_lr, second_order): (f32, bool),
    (theta, h, batch, first): Ctx,
    rows: &mut [f32],
    w: &mut Worker,
) {
    let job = Job::Maml {
        inner_lr,
        second_order,
    };
    run_range_with::<Fused>(job, theta, h, batch, first, rows, w);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline(never)]
fn reptile_range_avx2(
    (inner_lr, inner_steps, max_grad_norm): (f32, usize, f32),
    (theta, h, batch, first): Ctx,
    rows: &mut [f32],
    w: &mut Worker,
) {
    let job = Job::Reptile {
        inner_lr,
        inner_steps,
        max_grad_norm,
    };
    run_range_with::<Fused>(job, theta, h, batch, first, rows, w);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline(never)]
fn pretrain_range_avx2((theta, h, batch, first): Ctx, rows: &mut [f32], w: &mut Worker) {
    run_range_with::<Fused>(Job::Pretrain, theta, h, batch, first, rows, w);
}

#[inline(always)]
fn run_range_with<F: Fma>(
    job: Job,
    theta: &[f32],
    h: usize,
    batch: &TaskBatch<f32>,
    first: usize,
    rows: &mut [f32],
    w: &mut Worker,
) {
    let p = param_len(h);
    fused::transpose(fused::w2_of(theta, h), h, &mut w.theta_w2t);
    for (i, row) in rows.chunks_exact_mut(p + 2).enumerate() {
        let t = first + i;
        let (out, losses) = row.split_at_mut(p);
        let (before, after) = match job {
            Job::Maml {
                inner_lr,
                second_order,
            } => maml_task::<F>(theta, h, batch, t, inner_lr, second_order, out, w),
            Job::Reptile {
                inner_lr,
                inner_steps,
                max_grad_norm,
            } => reptile_task::<F>(
                theta,
                h,
                batch,
                t,
                (inner_lr, inner_steps, max_grad_norm),
                out,
                w,
            ),
            Job::Pretrain => pretrain_task::<F>(theta, h, batch, t, out, w),
        };
        losses[0] = before;
        losses[1] = after;
    }
}

/// Task `t`'s MAML meta-gradient `∇L^query(θ') − α H^support(θ) ∇L^query(θ')` with
/// `θ' = θ − α ∇L^support(θ)` (without the Hessian term when not `second_order`), into `out`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn maml_task<F: Fma>(
    theta: &[f32],
    h: usize,
    b: &TaskBatch<f32>,
    t: usize,
    alpha: f32,
    second_order: bool,
    out: &mut [f32],
    w: &mut Worker,
) -> (f32, f32) {
    load_task(b, t, &mut w.data);
    let [xs, ys, xq, yq] = &w.data;
    w.grad.resize(theta.len(), 0.0);
    fused::forward::<F>(theta, h, xs, &mut w.support);
    let loss_s = fused::backward::<F>(theta, &w.theta_w2t, h, ys, &mut w.support, &mut w.grad);
    w.adapted.clear();
    w.adapted
        .extend(theta.iter().zip(&w.grad).map(|(&p, &g)| p - alpha * g));
    fused::forward::<F>(&w.adapted, h, xq, &mut w.query);
    fused::transpose(fused::w2_of(&w.adapted, h), h, &mut w.w2t);
    let loss_q = fused::backward::<F>(&w.adapted, &w.w2t, h, yq, &mut w.query, out);
    if second_order {
        w.hv.resize(theta.len(), 0.0);
        let at = (theta, w.theta_w2t.as_slice());
        fused::hvp::<F>(at, h, &w.support, out, &mut w.tangents, &mut w.hv);
        for (o, &hv) in out.iter_mut().zip(&w.hv) {
            *o -= alpha * hv;
        }
    }
    (loss_s, loss_q)
}

/// Task `t`'s Reptile inner loop: `inner_steps` clipped SGD steps from `θ`, alternating the
/// support and query points; leaves `φ_t` in `out`.
#[inline(always)]
fn reptile_task<F: Fma>(
    theta: &[f32],
    h: usize,
    b: &TaskBatch<f32>,
    t: usize,
    (lr, steps, max_norm): (f32, usize, f32),
    out: &mut [f32],
    w: &mut Worker,
) -> (f32, f32) {
    load_task(b, t, &mut w.data);
    out.copy_from_slice(theta);
    w.grad.resize(theta.len(), 0.0);
    let (mut first, mut last) = (0.0, 0.0);
    for i in 0..steps {
        let (x, y) = (&w.data[2 * (i % 2)], &w.data[2 * (i % 2) + 1]);
        fused::forward::<F>(out, h, x, &mut w.support);
        fused::transpose(fused::w2_of(out, h), h, &mut w.w2t);
        let loss = fused::backward::<F>(out, &w.w2t, h, y, &mut w.support, &mut w.grad);
        let norm = fused::norm::<F>(&w.grad);
        let clip = (max_norm / (norm + 1e-6)).min(1.0);
        for (p, &g) in out.iter_mut().zip(&w.grad) {
            *p -= lr * (g * clip);
        }
        if i == 0 {
            first = loss;
        }
        last = loss;
    }
    (first, last)
}

/// Task `t`'s plain regression gradient at `θ` on all its points (support and query).
#[inline(always)]
fn pretrain_task<F: Fma>(
    theta: &[f32],
    h: usize,
    b: &TaskBatch<f32>,
    t: usize,
    out: &mut [f32],
    w: &mut Worker,
) -> (f32, f32) {
    load_task(b, t, &mut w.data);
    let [xs, ys, xq, yq] = &mut w.data;
    xs.extend_from_slice(xq);
    ys.extend_from_slice(yq);
    fused::forward::<F>(theta, h, xs, &mut w.support);
    let loss = fused::backward::<F>(theta, &w.theta_w2t, h, ys, &mut w.support, out);
    (loss, loss)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maml::meta::{maml_gradient, pretrain_gradient, reptile_direction};
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    fn setup(hidden: usize) -> (Theta<f32>, TaskBatch<f32>) {
        let mut rng = StdRng::seed_from_u64(7);
        (
            Theta::init(hidden, &mut rng),
            TaskBatch::sample(5, 10, 10, &mut rng),
        )
    }

    /// `max|a − b| / max(max|b|, 1e-6)` over all parameters.
    fn rel(a: &Theta<f32>, b: &Theta<f32>) -> f32 {
        let (a, b) = (a.flat(), b.flat());
        let scale = b.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
        a.iter()
            .zip(&b)
            .fold(0.0f32, |m, (x, y)| m.max((x - y).abs()))
            / scale
    }

    fn jobs() -> [Job; 4] {
        [
            Job::Maml {
                inner_lr: 0.01,
                second_order: true,
            },
            Job::Maml {
                inner_lr: 0.01,
                second_order: false,
            },
            Job::Reptile {
                inner_lr: 0.02,
                inner_steps: 3,
                max_grad_norm: 1.0,
            },
            Job::Pretrain,
        ]
    }

    /// The engine computes what the ndarray reference of `meta` computes (hidden 40, and 13:
    /// a width that is not a multiple of 8 takes the narrower strips of `gemm`).
    #[test]
    fn agrees_with_the_reference() {
        for hidden in [40, 13] {
            let (theta, batch) = setup(hidden);
            for job in jobs() {
                let want = match job {
                    Job::Maml {
                        inner_lr,
                        second_order,
                    } => maml_gradient(&theta, &batch, inner_lr, second_order),
                    Job::Reptile {
                        inner_lr,
                        inner_steps,
                        max_grad_norm,
                    } => reptile_direction(&theta, &batch, inner_lr, inner_steps, max_grad_norm),
                    Job::Pretrain => pretrain_gradient(&theta, &batch),
                };
                let got = Engine::with_threads(1).step(job, &theta, &batch);
                let err = rel(&got.grad, &want.grad);
                assert!(err < 1e-4, "{job:?}, hidden {hidden}: relative error {err}");
                for (g, w) in [
                    (got.loss_before, want.loss_before),
                    (got.loss_after, want.loss_after),
                ] {
                    assert!((g - w).abs() <= 1e-4 * w.abs(), "{job:?}: loss {g} vs {w}");
                }
            }
        }
    }

    /// One, two or three threads give bit-identical results (fixed reduction order).
    #[test]
    fn the_thread_count_does_not_change_the_result() {
        let (theta, batch) = setup(40);
        for job in jobs() {
            let one = Engine::with_threads(1).step(job, &theta, &batch);
            for threads in [2, 3] {
                let many = Engine::with_threads(threads).step(job, &theta, &batch);
                assert_eq!(one.grad, many.grad, "{job:?} with {threads} threads");
                assert_eq!(one.loss_after.to_bits(), many.loss_after.to_bits());
            }
        }
    }
}
