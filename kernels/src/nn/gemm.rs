//! The layers' matrix products, `C ← α·A·B + β·C`, split over both cores when large enough.
//!
//! Every product goes through ndarray's `general_mat_mul` (the `matrixmultiply` crate's packed,
//! vectorised GEMM). A product of at least [`PARALLEL_MIN_MACS`] multiply-adds is cut into two
//! halves along the longer side of `C` — rows `C[..mid, :] = α·A[..mid, :]·B + β·C[..mid, :]`
//! and the rest, or the same with columns and `B[:, ..mid]` — which run on rayon's pool. Each
//! entry of `C` is still one dot product over all of `k`, computed by the same kernel in the same
//! order, so the result is the same, bit for bit, on one core or two (tested below).
//!
//! Pinned to one core (`taskset -c 1`), rayon's pool has one thread and nothing is split.

use super::Float;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};
use std::cell::Cell;

/// Products below this many multiply-adds `m·k·n` (≈ 20 µs on one core) stay on the calling
/// thread: waking the second core costs a few microseconds.
pub const PARALLEL_MIN_MACS: usize = 1 << 19;

thread_local! {
    /// Set by [`serial`]: this thread's products stay on it.
    static SERIAL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with this thread's products unsplit: for a kernel that already keeps both cores
/// busy with threads of its own (pix2pix's variants), where splitting would only add handovers.
/// The results are the same either way.
pub fn serial<T>(f: impl FnOnce() -> T) -> T {
    let before = SERIAL.replace(true);
    let out = f();
    SERIAL.set(before);
    out
}

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
    let ((m, k), n) = (a.dim(), b.ncols());
    let macs = m.saturating_mul(k).saturating_mul(n);
    if macs < PARALLEL_MIN_MACS || rayon::current_num_threads() < 2 || SERIAL.get() {
        general_mat_mul(alpha, &a, &b, beta, &mut c);
        return;
    }
    if m >= n {
        let mid = half(m);
        let (a0, a1) = a.split_at(Axis(0), mid);
        let (c0, c1) = c.split_at(Axis(0), mid);
        rayon::join(
            || general_mat_mul(alpha, &a0, &b, beta, &mut { c0 }),
            || general_mat_mul(alpha, &a1, &b, beta, &mut { c1 }),
        );
    } else {
        let mid = half(n);
        let (b0, b1) = b.split_at(Axis(1), mid);
        let (c0, c1) = c.split_at(Axis(1), mid);
        rayon::join(
            || general_mat_mul(alpha, &a, &b0, beta, &mut { c0 }),
            || general_mat_mul(alpha, &a, &b1, beta, &mut { c1 }),
        );
    }
}

/// `A·B` into a new `(m, n)` array.
pub fn matmul<A: Float>(a: ArrayView2<'_, A>, b: ArrayView2<'_, A>) -> Array2<A> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    gemm(A::one(), a, b, A::zero(), c.view_mut());
    c
}

/// Where to cut a side of length `len`: the middle, rounded up to a multiple of 16 so that both
/// halves keep whole register tiles.
fn half(len: usize) -> usize {
    (len / 2).next_multiple_of(16).min(len)
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

    /// Both split directions (tall and wide `C`), with `β = 0` and `β = 1` and a transposed
    /// operand, agree bit for bit with one unsplit product.
    #[test]
    fn split_products_equal_the_unsplit_one_exactly() {
        const { assert!(PARALLEL_MIN_MACS <= 512 * 64 * 130) };
        for (m, k, n) in [(512, 64, 130), (64, 130, 512), (8, 9, 16384)] {
            let (a, b) = (filled((m, k), 1), filled((n, k), 2));
            let c0 = filled((m, n), 3);
            for beta in [0.0f32, 1.0] {
                let mut expected = c0.clone();
                general_mat_mul(0.5, &a, &b.t(), beta, &mut expected);
                let mut got = c0.clone();
                gemm(0.5, a.view(), b.t(), beta, got.view_mut());
                assert_eq!(got, expected, "({m}, {k}, {n}) β = {beta}");
            }
        }
        let (a, b) = (filled((3, 4), 4), filled((4, 5), 5));
        assert_eq!(matmul(a.view(), b.view()), a.dot(&b));
        let (a, b) = (filled((512, 64), 6), filled((64, 130), 7));
        assert_eq!(serial(|| matmul(a.view(), b.view())), a.dot(&b));
        assert!(!SERIAL.get(), "serial restores the setting");
    }

    #[test]
    fn halves_keep_whole_tiles() {
        assert_eq!(half(128), 64);
        assert_eq!(half(130), 80);
        assert_eq!(half(20), 16);
        assert_eq!(half(8), 8);
    }
}
