//! The sinusoid regression tasks of MAML §5.1 (Finn, Abbeel & Levine 2017).
//!
//! A task is a sine wave `y = A sin(x − φ)` with amplitude `A ~ U[0.1, 5.0]` and phase
//! `φ ~ U[0, π]`; its data points have `x ~ U[−5, 5]`. A learner sees only `K` points of a new
//! task and must regress the whole curve.

use crate::nn::Float;
use ndarray::{Array1, Array2};
use ndarray_rand::rand::Rng;

/// Amplitude range `[0.1, 5.0]`.
pub const AMPLITUDE: (f64, f64) = (0.1, 5.0);
/// Phase range `[0, π]`.
pub const PHASE: (f64, f64) = (0.0, std::f64::consts::PI);
/// Input range `[−5, 5]`.
pub const X_RANGE: (f64, f64) = (-5.0, 5.0);

/// One sine task.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SineTask {
    pub amplitude: f64,
    pub phase: f64,
}

impl SineTask {
    /// A task drawn from the task distribution `p(T)`.
    pub fn sample<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Self {
            amplitude: uniform(rng, AMPLITUDE),
            phase: uniform(rng, PHASE),
        }
    }

    /// `A sin(x − φ)`.
    pub fn y(&self, x: f64) -> f64 {
        self.amplitude * (x - self.phase).sin()
    }
}

fn uniform<R: Rng + ?Sized>(rng: &mut R, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// `T` tasks with a support set (for the inner update) and a query set (to score it).
///
/// # Shapes
/// `x_support`, `y_support`: `(T, K)`; `x_query`, `y_query`: `(T, Q)`
#[derive(Debug, Clone, PartialEq)]
pub struct TaskBatch<A> {
    pub tasks: Vec<SineTask>,
    pub x_support: Array2<A>,
    pub y_support: Array2<A>,
    pub x_query: Array2<A>,
    pub y_query: Array2<A>,
}

impl<A: Float> TaskBatch<A> {
    /// `n_tasks` new tasks, each with `k_support` and `q_query` points drawn uniformly.
    pub fn sample<R: Rng + ?Sized>(
        n_tasks: usize,
        k_support: usize,
        q_query: usize,
        rng: &mut R,
    ) -> Self {
        let tasks: Vec<SineTask> = (0..n_tasks).map(|_| SineTask::sample(rng)).collect();
        Self::for_tasks(tasks, k_support, q_query, rng)
    }

    /// Fresh support and query points for the given tasks.
    pub fn for_tasks<R: Rng + ?Sized>(
        tasks: Vec<SineTask>,
        k_support: usize,
        q_query: usize,
        rng: &mut R,
    ) -> Self {
        let (xs, ys) = points(&tasks, k_support, rng);
        let (xq, yq) = points(&tasks, q_query, rng);
        Self {
            tasks,
            x_support: xs,
            y_support: ys,
            x_query: xq,
            y_query: yq,
        }
    }

    /// The first `n` tasks (all of them if there are fewer).
    pub fn first(&self, n: usize) -> Self {
        let n = n.min(self.len());
        let rows = ndarray::s![..n, ..];
        Self {
            tasks: self.tasks[..n].to_vec(),
            x_support: self.x_support.slice(rows).to_owned(),
            y_support: self.y_support.slice(rows).to_owned(),
            x_query: self.x_query.slice(rows).to_owned(),
            y_query: self.y_query.slice(rows).to_owned(),
        }
    }

    /// Number of tasks `T`.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether there are no tasks.
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}

/// `k` points per task: `x ~ U[−5, 5]`, `y = A sin(x − φ)`; `(T, k)` each.
fn points<A: Float, R: Rng + ?Sized>(
    tasks: &[SineTask],
    k: usize,
    rng: &mut R,
) -> (Array2<A>, Array2<A>) {
    let mut x = Array2::zeros((tasks.len(), k));
    let mut y = Array2::zeros((tasks.len(), k));
    for (t, task) in tasks.iter().enumerate() {
        for j in 0..k {
            let xv = uniform(rng, X_RANGE);
            x[[t, j]] = A::lit(xv);
            y[[t, j]] = A::lit(task.y(xv));
        }
    }
    (x, y)
}

/// `n` evenly spaced inputs over `[−5, 5]` (for drawing curves).
pub fn grid<A: Float>(n: usize) -> Array1<A> {
    let (lo, hi) = X_RANGE;
    let steps = (n.max(2) - 1) as f64;
    Array1::from_iter((0..n).map(|i| A::lit(lo + (hi - lo) * i as f64 / steps)))
}
