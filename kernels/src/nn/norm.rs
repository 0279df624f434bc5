//! Normalisation layers and the maths they share.
//!
//! All four layers standardise groups of numbers, `x̂ = (x − μ) / √(σ² + ε)`, then apply a
//! learned affine map `y = γ x̂ + β`. They differ only in **which axes are averaged**
//! (for an input `(N, C, H, W)`):
//!
//! | layer            | one group (mean/var computed over) | groups        | affine `γ`, `β` |
//! |------------------|------------------------------------|---------------|-----------------|
//! | [`BatchNorm2d`]  | `(N, H, W)` for each channel       | `C`           | `(C,)`          |
//! | [`LayerNorm`]    | all non-batch axes `(C, H, W)`     | `N`           | sample shape    |
//! | [`InstanceNorm2d`] | `(H, W)` for each sample, channel | `N × C`       | `(C,)`          |
//! | [`GroupNorm`]    | `(C/G, H, W)` for each sample, group | `N × G`     | `(C,)`          |
//!
//! So GroupNorm with `G = 1` is LayerNorm with a per-channel affine, and with `G = C` it is
//! InstanceNorm. Each layer keeps the mean and (biased) variance of its last forward pass in
//! public fields `last_mean` / `last_var`, so a kernel can show which axes were averaged.
//!
//! Here the groups are laid out as the rows of a matrix `(groups, m)`; `normalize_rows` and
//! `normalize_rows_backward` are the shared forward and backward.

mod batch_norm;
mod group_norm;
mod instance_norm;
mod layer_norm;

pub use batch_norm::BatchNorm2d;
pub use group_norm::GroupNorm;
pub use instance_norm::InstanceNorm2d;
pub use layer_norm::LayerNorm;

use super::Float;
use ndarray::{Array1, Array2, Array4, ArrayRef2, ArrayRef4, Axis, Zip, s};

/// The `ε` added to the variance by every normalisation layer (PyTorch's default).
pub const EPS: f64 = 1e-5;

/// Standardises each row of `x` `(groups, m)`.
///
/// Returns `(x̂, mean, var, 1/√(var + ε))`, where `var` is the biased variance
/// `(1/m) Σ (x − μ)²` used for normalising (as PyTorch does in training).
pub(crate) fn normalize_rows<A: Float>(
    x: &ArrayRef2<A>,
    eps: A,
) -> (Array2<A>, Array1<A>, Array1<A>, Array1<A>) {
    let (rows, m) = x.dim();
    let inv_m = A::one() / A::count(m);
    let mut xhat = x.to_owned();
    let mut mean = Array1::zeros(rows);
    let mut var = Array1::zeros(rows);
    let mut inv_std = Array1::zeros(rows);
    for (r, mut row) in xhat.axis_iter_mut(Axis(0)).enumerate() {
        // Two passes (mean, then squared deviations) for accuracy in f32.
        let mu = row.sum() * inv_m;
        row.mapv_inplace(|v| v - mu);
        // (dot products are summed in eight lanes: a sequential sum waits on every addition)
        let v = row.dot(&row) * inv_m;
        let is = A::one() / (v + eps).sqrt();
        row.mapv_inplace(|d| d * is);
        mean[r] = mu;
        var[r] = v;
        inv_std[r] = is;
    }
    (xhat, mean, var, inv_std)
}

/// Backward of [`normalize_rows`] when the statistics came from the batch itself.
///
/// With `g = dL/dx̂` for one row of length `m`:
/// `dL/dx = (1/σ) (g − mean(g) − x̂ · mean(g ⊙ x̂))`,
/// the two subtracted terms being the paths through `μ` and through `σ²`.
pub(crate) fn normalize_rows_backward<A: Float>(
    dxhat: &ArrayRef2<A>,
    xhat: &ArrayRef2<A>,
    inv_std: &Array1<A>,
) -> Array2<A> {
    let m = dxhat.ncols();
    let inv_m = A::one() / A::count(m);
    let mut dx = dxhat.to_owned();
    Zip::from(dx.rows_mut())
        .and(xhat.rows())
        .and(inv_std)
        .for_each(|mut g, xh, &is| {
            let mean_g = g.sum() * inv_m;
            let mean_gx = g.dot(&xh) * inv_m;
            Zip::from(&mut g).and(&xh).for_each(|gi, &xi| {
                *gi = is * (*gi - mean_g - xi * mean_gx);
            });
        });
    dx
}

/// `y[n, c, h, w] = γ[c] · x̂[n, c, h, w] + β[c]` (the per-channel affine of three layers).
pub(crate) fn channel_affine<A: Float>(
    xhat: &ArrayRef4<A>,
    gamma: &Array1<A>,
    beta: &Array1<A>,
) -> Array4<A> {
    let mut y = xhat.to_owned();
    for (c, mut plane) in y.axis_iter_mut(Axis(1)).enumerate() {
        let (g, b) = (gamma[c], beta[c]);
        plane.mapv_inplace(|v| g * v + b);
    }
    y
}

/// Backward of [`channel_affine`]: accumulates `dγ`, `dβ` and returns `dL/dx̂ = γ[c] · dL/dy`.
pub(crate) fn channel_affine_backward<A: Float>(
    dout: &ArrayRef4<A>,
    xhat: &ArrayRef4<A>,
    gamma: &Array1<A>,
    dgamma: &mut Array1<A>,
    dbeta: &mut Array1<A>,
) -> Array4<A> {
    let mut dxhat = dout.to_owned();
    for c in 0..gamma.len() {
        let d = dout.slice(s![.., c, .., ..]);
        let xh = xhat.slice(s![.., c, .., ..]);
        dbeta[c] += d.sum();
        dgamma[c] += Zip::from(&d)
            .and(&xh)
            .fold(A::zero(), |acc, &a, &b| acc + a * b);
        let g = gamma[c];
        dxhat.slice_mut(s![.., c, .., ..]).mapv_inplace(|v| v * g);
    }
    dxhat
}

/// Views a standard-layout `(N, C, H, W)` array as `(rows, m)` with `rows · m = N·C·H·W`.
///
/// Used for grouping along the trailing axes (GroupNorm, InstanceNorm, LayerNorm), where each
/// group is contiguous in memory.
pub(crate) fn rows_of<A: Float>(x: &ArrayRef4<A>, rows: usize) -> Array2<A> {
    let m = x.len() / rows;
    // (N, C, H, W) -> (rows, m): a copy in row-major order, then a free reshape.
    x.as_standard_layout()
        .into_owned()
        .into_shape_with_order((rows, m))
        .expect("rows divides the element count")
}

/// Inverse of [`rows_of`]: a `(rows, m)` matrix back to `(N, C, H, W)`.
pub(crate) fn from_rows<A: Float>(a: Array2<A>, dim: (usize, usize, usize, usize)) -> Array4<A> {
    let a = a.as_standard_layout().into_owned();
    a.into_shape_with_order(dim)
        .expect("element count preserved")
}
