//! The layers' matrix products, `C ← α·A·B + β·C`.
//!
//! Every product goes through ndarray's `general_mat_mul` (the `matrixmultiply` crate's packed,
//! vectorised GEMM), on the calling thread. With `β = 1` a product accumulates into `C` (a weight
//! gradient summed over a batch) without a temporary.
//!
//! **Why products are not split over the two cores.** Round 1 of issue #14 cut every product of
//! at least 2¹⁹ multiply-adds in two halves on rayon's pool (bit-identical results). Measured side
//! by side, it made dcgan, cgan and cam slower, not faster (BENCHMARKS.md, "One thread per
//! product instead of the rayon split"): the products are at most a few hundred microseconds, so
//! each hand-over costs a large share of what it saves, and rayon's idle worker spins on the
//! core that another thread of the same kernel needs. The kernels use the second core for
//! coarse, independent work instead: the judge trains beside a generator
//! (`judge::start_shared`), pix2pix trains its ablations beside the full model, MAML its
//! baselines beside the main method.

use super::Float;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// `C ← α·A·B + β·C` with `A (m, k)`, `B (k, n)`, `C (m, n)`; with `β = 0`, `C` is not read.
///
/// # Panics
/// If the shapes do not match.
pub fn gemm<A: Float>(
    alpha: A,
    a: ArrayView2<'_, A>,
    b: ArrayView2<'_, A>,
    beta: A,
    mut c: ArrayViewMut2<'_, A>,
) {
    general_mat_mul(alpha, &a, &b, beta, &mut c);
}

/// `A·B` into a new `(m, n)` array.
pub fn matmul<A: Float>(a: ArrayView2<'_, A>, b: ArrayView2<'_, A>) -> Array2<A> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    gemm(A::one(), a, b, A::zero(), c.view_mut());
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    fn filled(shape: (usize, usize), seed: usize) -> Array2<f32> {
        Array::from_shape_fn(shape, |(i, j)| {
            ((i * 31 + j * 17 + seed * 7) % 23) as f32 / 7.0 - 1.5
        })
    }

    /// `β = 1` accumulates, `β = 0` overwrites whatever `C` held, a transposed operand is read
    /// as such, and `matmul` is ndarray's `dot`.
    #[test]
    fn gemm_scales_accumulates_and_overwrites() {
        let (a, b) = (filled((5, 3), 1), filled((4, 3), 2));
        let c0 = filled((5, 4), 3);
        let mut acc = c0.clone();
        gemm(0.5, a.view(), b.t(), 1.0, acc.view_mut());
        assert_eq!(acc, &c0 + &(a.dot(&b.t()) * 0.5));
        let mut fresh = Array2::from_elem((5, 4), f32::NAN);
        gemm(1.0, a.view(), b.t(), 0.0, fresh.view_mut());
        assert_eq!(fresh, a.dot(&b.t()));
        assert_eq!(matmul(a.view(), b.t()), a.dot(&b.t()));
    }
}
