//! The sinusoid regressor of MAML §5.1 — an MLP `1 → 40 → 40 → 1` with ReLU — written
//! functionally and **batched over tasks**, with its gradient and its exact Hessian-vector product.
//!
//! Why not the [`crate::nn`] layers? MAML gives every task `t` its own adapted weights
//! `θ'_t = θ − α ∇L_t(θ)`, and its meta-gradient differentiates *through* that gradient step,
//! which needs second derivatives. So the network here is a pure function of `(θ, x)`: parameters
//! carry a leading task axis `T` (`T = 1` for the shared weights `θ`, broadcast to every task),
//! and each matrix product runs once per task ("batched matmul"), never once per point.
//!
//! # The network and its gradient (one task; `K` points, `H` hidden units)
//!
//! ```text
//! z1 = x W1 + b1   h1 = relu(z1)        x (K,1)   W1 (1,H)
//! z2 = h1 W2 + b2  h2 = relu(z2)        h (K,H)   W2 (H,H)
//! ŷ  = h2 W3 + b3  L = (1/K) Σ (ŷ − y)²  W3 (H,1)
//!
//! dŷ = 2(ŷ − y)/K      dW3 = h2ᵀ dŷ   db3 = Σ dŷ
//! dz2 = (dŷ W3ᵀ) ⊙ m2  dW2 = h1ᵀ dz2  db2 = Σ dz2      m = [z > 0], the ReLU mask
//! dz1 = (dz2 W2ᵀ) ⊙ m1 dW1 = xᵀ dz1   db1 = Σ dz1
//! ```
//!
//! # Hessian-vector product by forward-over-reverse
//!
//! `H v = d/dε ∇L(θ + εv)` at `ε = 0`: differentiate every line of the gradient above along the
//! direction `v = (V1, c1, V2, c2, V3, c3)` (a dot marks that derivative). The ReLU masks are
//! piecewise constant, so `ṁ = 0` (exact everywhere except on the measure-zero kinks):
//!
//! ```text
//! ż1 = x V1 + c1                 ḣ1 = ż1 ⊙ m1
//! ż2 = ḣ1 W2 + h1 V2 + c2        ḣ2 = ż2 ⊙ m2
//! ẏ  = ḣ2 W3 + h2 V3 + c3        d(dŷ) = 2 ẏ / K
//! (H v)_W3 = ḣ2ᵀ dŷ + h2ᵀ d(dŷ)                (H v)_b3 = Σ d(dŷ)
//! d(dz2) = (d(dŷ) W3ᵀ + dŷ V3ᵀ) ⊙ m2
//! (H v)_W2 = ḣ1ᵀ dz2 + h1ᵀ d(dz2)              (H v)_b2 = Σ d(dz2)
//! d(dz1) = (d(dz2) W2ᵀ + dz2 V2ᵀ) ⊙ m1
//! (H v)_W1 = xᵀ d(dz1)                          (H v)_b1 = Σ d(dz1)
//! ```
//!
//! This is exact (no finite differences) and costs about two gradient evaluations — what
//! `jax.jvp(jax.grad(L))` computes; `tools/peers/gen_maml.py` checks it through the meta-gradient.
//!
//! # Shapes
//! data `x`, `y`: `(T, K)`; parameters [`Theta`] with task axis `T` or 1 (shared); every
//! gradient and Hessian-vector product comes back per task, with task axis `T`.

use crate::nn::params::visit_array;
use crate::nn::{Float, Params, init};
use ndarray::{
    Array1, Array2, Array3, ArrayView1, ArrayView3, ArrayViewD, ArrayViewMutD, Axis,
    linalg::general_mat_mul, s,
};
use ndarray_rand::rand::Rng;

/// MLP parameters for `T` tasks (`T = 1`: the shared initialisation `θ`). Linear layers store
/// `W (in, out)` as [`crate::nn::Linear`] does.
#[derive(Debug, Clone, PartialEq)]
pub struct Theta<A> {
    pub w1: Array3<A>, // (T, 1, H)
    pub b1: Array2<A>, // (T, H)
    pub w2: Array3<A>, // (T, H, H)
    pub b2: Array2<A>, // (T, H)
    pub w3: Array3<A>, // (T, H, 1)
    pub b3: Array2<A>, // (T, 1)
}

impl<A: Float> Theta<A> {
    /// All zeros, for `tasks` tasks and `hidden` units per layer.
    pub fn zeros(tasks: usize, hidden: usize) -> Self {
        Self {
            w1: Array3::zeros((tasks, 1, hidden)),
            b1: Array2::zeros((tasks, hidden)),
            w2: Array3::zeros((tasks, hidden, hidden)),
            b2: Array2::zeros((tasks, hidden)),
            w3: Array3::zeros((tasks, hidden, 1)),
            b3: Array2::zeros((tasks, 1)),
        }
    }

    /// One shared parameter set with PyTorch's default `U(−1/√fan_in, 1/√fan_in)` — the issue's
    /// calibration found He initialisation made `α = 0.01` fine-tuning diverge.
    pub fn init<R: Rng + ?Sized>(hidden: usize, rng: &mut R) -> Self {
        let mut th = Self::zeros(1, hidden);
        init::pytorch_default(&mut th.w1, 1, rng);
        init::pytorch_default(&mut th.b1, 1, rng);
        init::pytorch_default(&mut th.w2, hidden, rng);
        init::pytorch_default(&mut th.b2, hidden, rng);
        init::pytorch_default(&mut th.w3, hidden, rng);
        init::pytorch_default(&mut th.b3, hidden, rng);
        th
    }

    /// Number of tasks (the leading axis).
    pub fn tasks(&self) -> usize {
        self.b3.nrows()
    }

    /// Hidden units per layer.
    pub fn hidden(&self) -> usize {
        self.b1.ncols()
    }

    /// The six tensors, in the order `w1, b1, w2, b2, w3, b3`.
    pub fn parts(&self) -> [ArrayViewD<'_, A>; 6] {
        [
            self.w1.view().into_dyn(),
            self.b1.view().into_dyn(),
            self.w2.view().into_dyn(),
            self.b2.view().into_dyn(),
            self.w3.view().into_dyn(),
            self.b3.view().into_dyn(),
        ]
    }

    /// The six tensors, mutable, in the order of [`Theta::parts`].
    pub fn parts_mut(&mut self) -> [ArrayViewMutD<'_, A>; 6] {
        [
            self.w1.view_mut().into_dyn(),
            self.b1.view_mut().into_dyn(),
            self.w2.view_mut().into_dyn(),
            self.b2.view_mut().into_dyn(),
            self.w3.view_mut().into_dyn(),
            self.b3.view_mut().into_dyn(),
        ]
    }

    /// `self + a · other`, where either side may have one task (broadcast to the other's `T`):
    /// the inner SGD step `θ'_t = θ − α g_t` is `theta.add_scaled(-α, &g)`.
    pub fn add_scaled(&self, a: A, other: &Theta<A>) -> Theta<A> {
        let tasks = self.tasks().max(other.tasks());
        let mut out = Theta::zeros(tasks, self.hidden());
        for ((o, p), q) in out
            .parts_mut()
            .into_iter()
            .zip(self.parts())
            .zip(other.parts())
        {
            let mut o = o;
            o.assign(&p);
            o.scaled_add(a, &q);
        }
        out
    }

    /// `tasks` copies of a one-task parameter set (e.g. `φ_t = θ` before Reptile's inner loop).
    pub fn broadcast(&self, tasks: usize) -> Theta<A> {
        Theta::zeros(tasks, self.hidden()).add_scaled(A::one(), self)
    }

    /// The mean over the task axis, as a one-task parameter set.
    pub fn mean_over_tasks(&self) -> Theta<A> {
        let mut out = Theta::zeros(1, self.hidden());
        for (o, p) in out.parts_mut().into_iter().zip(self.parts()) {
            let mut o = o;
            let mean = p.mean_axis(Axis(0)).expect("at least one task");
            o.index_axis_mut(Axis(0), 0).assign(&mean);
        }
        out
    }

    /// `‖θ_t‖₂` over all six tensors, per task.
    pub fn norm_per_task(&self) -> Array1<A> {
        let mut sq = Array1::<A>::zeros(self.tasks());
        for p in self.parts() {
            for (t, sub) in p.outer_iter().enumerate() {
                sq[t] += match sub.as_slice_memory_order() {
                    // `dot` sums with several accumulators (a plain fold adds one at a time)
                    Some(flat) => ArrayView1::from(flat).dot(&ArrayView1::from(flat)),
                    None => sub.iter().map(|&v| v * v).sum::<A>(),
                };
            }
        }
        sq.mapv(|v| v.sqrt())
    }

    /// Multiplies task `t`'s tensors by `factor[t]` (per-task gradient clipping).
    pub fn scale_per_task(&mut self, factor: &Array1<A>) {
        for p in self.parts_mut() {
            let mut p = p;
            for (t, mut sub) in p.outer_iter_mut().enumerate() {
                sub.mapv_inplace(|v| v * factor[t]);
            }
        }
    }

    /// All values, flattened in [`Theta::parts`] order (for tests and goldens).
    pub fn flat(&self) -> Vec<A> {
        self.parts()
            .iter()
            .flat_map(|p| p.iter().copied())
            .collect()
    }
}

/// The shared weights and their gradient, for the optimisers in [`crate::nn::optim`].
#[derive(Debug, Clone)]
pub struct SharedMlp<A> {
    pub theta: Theta<A>,
    pub grad: Theta<A>,
}

impl<A: Float> Params<A> for SharedMlp<A> {
    /// Order: `w1, b1, w2, b2, w3, b3`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        let (p, g) = (&mut self.theta, &mut self.grad);
        visit_array(&mut p.w1, &mut g.w1, f);
        visit_array(&mut p.b1, &mut g.b1, f);
        visit_array(&mut p.w2, &mut g.w2, f);
        visit_array(&mut p.b2, &mut g.b2, f);
        visit_array(&mut p.w3, &mut g.w3, f);
        visit_array(&mut p.b3, &mut g.b3, f);
    }
}

/// `c_t = a_t · b_t` for every task `t`; a factor with one task is shared by all. With shared
/// weights `b`, the rows of all tasks go through one product `(T·M, K)·(K, N)`.
///
/// # Shapes
/// `a (T|1, M, K) · b (T|1, K, N) → (T, M, N)`. Transposed views are fine.
fn bmm<A: Float>(a: ArrayView3<A>, b: ArrayView3<A>) -> Array3<A> {
    let tasks = a.len_of(Axis(0)).max(b.len_of(Axis(0)));
    let (m, k, n) = (a.len_of(Axis(1)), a.len_of(Axis(2)), b.len_of(Axis(2)));
    let mut c = Array3::zeros((tasks, m, n));
    if b.len_of(Axis(0)) == 1
        && let Ok(a2) = a.into_shape_with_order((tasks * m, k))
    {
        let mut c2 = c
            .view_mut()
            .into_shape_with_order((tasks * m, n))
            .expect("a new array is in standard layout");
        general_mat_mul(A::one(), &a2, &b.index_axis(Axis(0), 0), A::zero(), &mut c2);
        return c;
    }
    for t in 0..tasks {
        let at = a.index_axis(Axis(0), t.min(a.len_of(Axis(0)) - 1));
        let bt = b.index_axis(Axis(0), t.min(b.len_of(Axis(0)) - 1));
        general_mat_mul(
            A::one(),
            &at,
            &bt,
            A::zero(),
            &mut c.index_axis_mut(Axis(0), t),
        );
    }
    c
}

/// `a_t W_t` for every task: `(T, K, M) · (T|1, M, N) → (T, K, N)`. The first and last layers
/// have `M = 1` or `N = 1`; those products are an outer product and a dot product per point,
/// done by broadcasting instead of a matrix product with a dimension of 1.
fn matmul<A: Float>(a: ArrayView3<A>, w: ArrayView3<A>) -> Array3<A> {
    let (m, n) = (w.len_of(Axis(1)), w.len_of(Axis(2)));
    if m == 1 {
        // (T, K, 1) ⊙ (T|1, 1, N)
        &a * &w
    } else if n == 1 {
        // Σ_m a[t, k, m] W[t, m, 0]
        let w_row = w.permuted_axes([0, 2, 1]); // (T|1, 1, M)
        (&a * &w_row).sum_axis(Axis(2)).insert_axis(Axis(2))
    } else {
        bmm(a, w)
    }
}

/// `a_t W_tᵀ` for every task: `(T, K, N) · (T|1, M, N)ᵀ → (T, K, M)` (the backward of a layer).
fn matmul_t<A: Float>(a: ArrayView3<A>, w: &Array3<A>) -> Array3<A> {
    matmul(a, w.view().permuted_axes([0, 2, 1]))
}

/// `Σ_k a[t, k, :]ᵀ d[t, k, :]` for every task: the weight gradient `aᵀ d` of a layer with input
/// `a (T, K, M)` and output gradient `d (T, K, N)`, `→ (T, M, N)`.
fn grad_w<A: Float>(a: &Array3<A>, d: &Array3<A>) -> Array3<A> {
    let (m, n) = (a.len_of(Axis(2)), d.len_of(Axis(2)));
    if m == 1 || n == 1 {
        let s = (a * d).sum_axis(Axis(1)); // (T, max(M, N))
        s.insert_axis(Axis(if m == 1 { 1 } else { 2 }))
    } else {
        bmm(a.view().permuted_axes([0, 2, 1]), d.view())
    }
}

/// Adds a per-task bias `(T|1, N)` to every row of `(T, K, N)`.
fn add_bias<A: Float>(z: &mut Array3<A>, b: &Array2<A>) {
    *z += &b.view().insert_axis(Axis(1)); // (T|1, 1, N) broadcast over the K points
}

/// `Σ_k a[t, k, :]`: a bias gradient per task, `(T, K, N) → (T, N)`.
fn sum_points<A: Float>(a: &Array3<A>) -> Array2<A> {
    a.sum_axis(Axis(1))
}

/// `a ⊙ [h > 0]`: the ReLU mask of a layer, read off its (cached) output `h`.
fn mask<A: Float>(mut a: Array3<A>, h: &Array3<A>) -> Array3<A> {
    ndarray::Zip::from(&mut a).and(h).for_each(|v, &hv| {
        if hv <= A::zero() {
            *v = A::zero();
        }
    });
    a
}

/// What the forward pass keeps for the backward pass.
#[derive(Debug, Clone)]
pub struct Forward<A> {
    x: Array3<A>,  // (T, K, 1)
    h1: Array3<A>, // (T, K, H)
    h2: Array3<A>, // (T, K, H)
    /// The predictions `ŷ`, `(T, K)`.
    pub y: Array2<A>,
}

/// Predictions for the points `x (T, K)` under `theta` (task axis `T` or 1).
pub fn forward<A: Float>(theta: &Theta<A>, x: &Array2<A>) -> Forward<A> {
    let x = x.view().insert_axis(Axis(2)).to_owned(); // (T, K, 1)
    let mut z1 = matmul(x.view(), theta.w1.view()); // (T, K, H)
    add_bias(&mut z1, &theta.b1);
    let h1 = z1.mapv_into(|v| v.max(A::zero()));
    let mut z2 = matmul(h1.view(), theta.w2.view()); // (T, K, H)
    add_bias(&mut z2, &theta.b2);
    let h2 = z2.mapv_into(|v| v.max(A::zero()));
    let mut y = matmul(h2.view(), theta.w3.view()); // (T, K, 1)
    add_bias(&mut y, &theta.b3);
    let y = y.index_axis_move(Axis(2), 0); // (T, K)
    Forward { x, h1, h2, y }
}

/// Mean squared error per task, `L_t = (1/K) Σ_k (ŷ_tk − y_tk)²`, and `dL_t/dŷ = 2(ŷ − y)/K`.
///
/// # Shapes
/// `pred`, `target`: `(T, K)` → `((T,), (T, K))`
pub fn mse_per_task<A: Float>(pred: &Array2<A>, target: &Array2<A>) -> (Array1<A>, Array2<A>) {
    let k = A::count(pred.ncols().max(1));
    let diff = pred - target;
    let loss = diff.mapv(|d| d * d).sum_axis(Axis(1)) / k;
    (loss, diff * (A::lit(2.0) / k))
}

/// Per-task losses `L_t(θ_t)` and gradients `∇L_t(θ_t)` on the points `(x, y)`, each `(T, K)`.
pub fn loss_and_grad<A: Float>(
    theta: &Theta<A>,
    x: &Array2<A>,
    y: &Array2<A>,
) -> (Array1<A>, Theta<A>) {
    let f = forward(theta, x);
    let (loss, dy) = mse_per_task(&f.y, y);
    (loss, backward(theta, &f, &dy.insert_axis(Axis(2))))
}

/// The reverse pass for upstream `dŷ (T, K, 1)`; returns per-task parameter gradients.
fn backward<A: Float>(theta: &Theta<A>, f: &Forward<A>, dy: &Array3<A>) -> Theta<A> {
    let dz2 = mask(matmul_t(dy.view(), &theta.w3), &f.h2); // (T, K, H)
    let dz1 = mask(matmul_t(dz2.view(), &theta.w2), &f.h1); // (T, K, H)
    Theta {
        w1: grad_w(&f.x, &dz1),  // (T, 1, H)
        b1: sum_points(&dz1),    // (T, H)
        w2: grad_w(&f.h1, &dz2), // (T, H, H)
        b2: sum_points(&dz2),    // (T, H)
        w3: grad_w(&f.h2, dy),   // (T, H, 1)
        b3: sum_points(dy),      // (T, 1)
    }
}

/// `H_t v_t`: the Hessian of each task's loss `L_t` at `theta` times the direction `v_t`, by
/// forward-over-reverse differentiation of the gradient (see the module documentation).
///
/// # Shapes
/// `theta` with task axis `T` or 1; `x`, `y`: `(T, K)`; `v` with task axis `T`.
pub fn hvp<A: Float>(theta: &Theta<A>, x: &Array2<A>, y: &Array2<A>, v: &Theta<A>) -> Theta<A> {
    let f = forward(theta, x);
    let (_, dy) = mse_per_task(&f.y, y);
    let dy = dy.insert_axis(Axis(2)); // dŷ (T, K, 1)
    let two_over_k = A::lit(2.0) / A::count(x.ncols().max(1));
    // forward tangents
    let mut z1_t = matmul(f.x.view(), v.w1.view());
    add_bias(&mut z1_t, &v.b1);
    let h1_t = mask(z1_t, &f.h1); // ḣ1 (T, K, H)
    let mut z2_t = matmul(h1_t.view(), theta.w2.view()) + matmul(f.h1.view(), v.w2.view());
    add_bias(&mut z2_t, &v.b2);
    let h2_t = mask(z2_t, &f.h2); // ḣ2 (T, K, H)
    let mut y_t = matmul(h2_t.view(), theta.w3.view()) + matmul(f.h2.view(), v.w3.view());
    add_bias(&mut y_t, &v.b3); // ẏ (T, K, 1)
    let dy_t = y_t * two_over_k; // d(dŷ)
    // the reverse pass, differentiated
    let dz2 = mask(matmul_t(dy.view(), &theta.w3), &f.h2);
    let dz2_t = mask(
        matmul_t(dy_t.view(), &theta.w3) + matmul_t(dy.view(), &v.w3),
        &f.h2,
    );
    let dz1_t = mask(
        matmul_t(dz2_t.view(), &theta.w2) + matmul_t(dz2.view(), &v.w2),
        &f.h1,
    );
    Theta {
        w1: grad_w(&f.x, &dz1_t),
        b1: sum_points(&dz1_t),
        w2: grad_w(&h1_t, &dz2) + grad_w(&f.h1, &dz2_t),
        b2: sum_points(&dz2_t),
        w3: grad_w(&h2_t, &dy) + grad_w(&f.h2, &dy_t),
        b3: sum_points(&dy_t),
    }
}

/// Predictions of a one-task network on a grid `x (K,)` — for plotting a curve.
pub fn predict<A: Float>(theta: &Theta<A>, x: &Array1<A>) -> Array1<A> {
    let f = forward(theta, &x.view().insert_axis(Axis(0)).to_owned());
    f.y.slice(s![0, ..]).to_owned()
}
