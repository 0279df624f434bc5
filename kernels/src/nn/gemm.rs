//! The layers' matrix products, `C ← α·A·B + β·C`.
//!
//! Every product goes through the `gemm` crate (packed, vectorised, with AVX-512 kernels chosen
//! at run time where the CPU has them), on the calling thread. It replaced ndarray's
//! `general_mat_mul` (the `matrixmultiply` crate, AVX2 at most), which was 13 % slower on the
//! DCGAN iteration (BENCHMARKS.md, "Performance, round 3"). It takes any strides, so a product
//! can read or write a strided view in place. With `β = 1` a product accumulates into `C` (a
//! weight gradient summed over a batch) without a temporary.
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
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// `C ← α·A·B + β·C` with `A (m, k)`, `B (k, n)`, `C (m, n)`; with `β = 0`, `C` is not read.
/// Any strides, including the strided `(N, C)` view of one position of an NCHW array that the
/// small-map convolutions write into.
///
/// # Panics
/// If the shapes do not match, or `A` is a [`Float`] other than `f32` / `f64`.
pub fn gemm<A: Float>(
    alpha: A,
    a: ArrayView2<'_, A>,
    b: ArrayView2<'_, A>,
    beta: A,
    mut c: ArrayViewMut2<'_, A>,
) {
    let ((m, k), n) = (a.dim(), b.ncols());
    assert_eq!(b.nrows(), k, "gemm: inner dimensions differ");
    assert_eq!(c.dim(), (m, n), "gemm: output shape");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // an empty sum: only β·C is left
        c.mapv_inplace(|v| {
            if beta == A::zero() {
                A::zero()
            } else {
                beta * v
            }
        });
        return;
    }
    let (ar, ac) = (a.strides()[0], a.strides()[1]);
    let (br, bc) = (b.strides()[0], b.strides()[1]);
    let (cr, cc) = (c.strides()[0], c.strides()[1]);
    // SAFETY: each pointer comes with the strides of a live view of the checked shape, and `c`
    // (borrowed mutably) cannot overlap `a` or `b`. The crate computes
    // `dst ← α′·dst + β′·lhs·rhs`, so our `β` is its `α′` and our `α` its `β′`; it reads `dst`
    // only when asked to. Its column stride comes before its row stride.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            cc,
            cr,
            beta != A::zero(),
            a.as_ptr(),
            ac,
            ar,
            b.as_ptr(),
            bc,
            br,
            beta,
            alpha,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
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

    /// Small integers: every product and sum is exact, so any summation order gives the
    /// same result and the comparisons below can be exact.
    fn filled(shape: (usize, usize), seed: usize) -> Array2<f64> {
        Array::from_shape_fn(shape, |(i, j)| {
            ((i * 31 + j * 17 + seed * 7) % 23) as f64 - 11.0
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
        let mut fresh = Array2::from_elem((5, 4), f64::NAN);
        gemm(1.0, a.view(), b.t(), 0.0, fresh.view_mut());
        assert_eq!(fresh, a.dot(&b.t()));
        assert_eq!(matmul(a.view(), b.t()), a.dot(&b.t()));
    }

    /// Shapes large enough for the crate's vector kernels (and ragged edges), an output written
    /// through a strided view into a bigger buffer (entries outside it untouched), an operand
    /// read backwards (negative stride), and an empty inner dimension.
    #[test]
    fn gemm_takes_any_strides_and_sizes() {
        let (a, b) = (filled((37, 29), 4), filled((29, 53), 5));
        let want = a.dot(&b);
        assert_eq!(matmul(a.view(), b.view()), want);
        // C as the columns 0, 3, 6, … of a (37, 159) buffer
        let mut big = Array2::from_elem((37, 3 * 53), 7.0);
        gemm(
            1.0,
            a.view(),
            b.view(),
            0.0,
            big.slice_mut(ndarray::s![.., ..;3]),
        );
        assert_eq!(big.slice(ndarray::s![.., ..;3]), want);
        assert!(big.slice(ndarray::s![.., 1..;3]).iter().all(|&v| v == 7.0));
        // A read with its rows reversed
        let reversed = a.slice(ndarray::s![..;-1, ..]);
        let want = reversed.to_owned().dot(&b);
        assert_eq!(matmul(reversed, b.view()), want);
        // k = 0: only β·C is left
        let mut c = filled((2, 3), 6);
        let c0 = c.clone();
        let (a0, b0) = (Array2::<f64>::zeros((2, 0)), Array2::<f64>::zeros((0, 3)));
        gemm(1.0, a0.view(), b0.view(), 2.0, c.view_mut());
        assert_eq!(c, c0 * 2.0);
    }
}
