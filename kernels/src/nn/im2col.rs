//! im2col / col2im: turning a convolution into one matrix product.
//!
//! Every output position `(n, oh, ow)` of a convolution reads one `C × kH × kW` patch of the
//! input. `im2col` copies each patch into a row of a matrix `col (N·OH·OW, C·kH·kW)`, so that
//! the convolution is `col · W2ᵀ` with the weight viewed as `W2 (C_out, C·kH·kW)` — one big GEMM
//! (ゼロから作るDeep Learning §7.4). `col2im` is its adjoint: it adds every row of a patch matrix
//! back onto the positions the patch came from, which is the gradient of `im2col`.
//!
//! The same two functions serve both convolutions: `Conv2d` forward = im2col, backward = col2im;
//! `ConvTranspose2d` forward = col2im, backward = im2col.

use super::{Float, NnError};
use ndarray::{Array1, Array2, Array4, ArrayRef2, ArrayRef4, Axis};

/// The sizes of one convolution `(C, H, W) → (C_out, OH, OW)` with a square kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub stride: usize,
    pub pad: usize,
    pub oh: usize,
    pub ow: usize,
}

impl Geometry {
    /// `OH = (H + 2p − k) / s + 1` (floor), likewise `OW`; an error if the padded input is
    /// smaller than the kernel.
    pub fn new(
        layer: &'static str,
        (c, h, w): (usize, usize, usize),
        k: usize,
        stride: usize,
        pad: usize,
    ) -> Result<Self, NnError> {
        if k == 0 || stride == 0 {
            return Err(NnError::Zero {
                layer,
                what: "kernel size and stride",
            });
        }
        if h + 2 * pad < k || w + 2 * pad < k {
            return Err(NnError::InputTooSmall {
                layer,
                input: (h, w),
                kernel: (k, k),
                padding: pad,
            });
        }
        let oh = (h + 2 * pad - k) / stride + 1;
        let ow = (w + 2 * pad - k) / stride + 1;
        Ok(Self {
            c,
            h,
            w,
            k,
            stride,
            pad,
            oh,
            ow,
        })
    }

    /// Length of one patch row: `C · k · k`.
    pub fn patch_len(&self) -> usize {
        self.c * self.k * self.k
    }
}

/// `(N, C, H, W) -> (N·OH·OW, C·k·k)`: row `(n, oh, ow)` holds the patch under the kernel
/// (zeros where it hangs over the padding), in `(c, ki, kj)` order.
pub(crate) fn im2col<A: Float>(x: &ArrayRef4<A>, g: &Geometry) -> Array2<A> {
    let n = x.len_of(Axis(0));
    let x = x.as_standard_layout();
    let xs = x.as_slice().expect("standard layout");
    let (plen, hw) = (g.patch_len(), g.h * g.w);
    let mut col = Array2::zeros((n * g.oh * g.ow, plen));
    let cs = col.as_slice_mut().expect("fresh array");
    for (r, row) in cs.chunks_exact_mut(plen).enumerate() {
        let (img, oh, ow) = (r / (g.oh * g.ow), (r / g.ow) % g.oh, r % g.ow);
        for c in 0..g.c {
            let plane = &xs[(img * g.c + c) * hw..][..hw];
            for ki in 0..g.k {
                let Some(ih) = (oh * g.stride + ki).checked_sub(g.pad).filter(|&i| i < g.h) else {
                    continue; // a padding row: stays zero
                };
                let dst = &mut row[(c * g.k + ki) * g.k..][..g.k];
                let src = &plane[ih * g.w..][..g.w];
                for (kj, d) in dst.iter_mut().enumerate() {
                    if let Some(iw) = (ow * g.stride + kj).checked_sub(g.pad).filter(|&i| i < g.w) {
                        *d = src[iw];
                    }
                }
            }
        }
    }
    col
}

/// The adjoint of [`im2col`]: `(N·OH·OW, C·k·k) -> (N, C, H, W)`, adding every patch entry onto
/// the input position it was copied from (entries over the padding are dropped).
pub(crate) fn col2im<A: Float>(col: &ArrayRef2<A>, n: usize, g: &Geometry) -> Array4<A> {
    let col = col.as_standard_layout();
    let cs = col.as_slice().expect("standard layout");
    let (plen, hw) = (g.patch_len(), g.h * g.w);
    let mut x = Array4::zeros((n, g.c, g.h, g.w));
    let xs = x.as_slice_mut().expect("fresh array");
    for (r, row) in cs.chunks_exact(plen).enumerate() {
        let (img, oh, ow) = (r / (g.oh * g.ow), (r / g.ow) % g.oh, r % g.ow);
        for c in 0..g.c {
            let plane = &mut xs[(img * g.c + c) * hw..][..hw];
            for ki in 0..g.k {
                let Some(ih) = (oh * g.stride + ki).checked_sub(g.pad).filter(|&i| i < g.h) else {
                    continue;
                };
                let src = &row[(c * g.k + ki) * g.k..][..g.k];
                let dst = &mut plane[ih * g.w..][..g.w];
                for (kj, &s) in src.iter().enumerate() {
                    if let Some(iw) = (ow * g.stride + kj).checked_sub(g.pad).filter(|&i| i < g.w) {
                        dst[iw] += s;
                    }
                }
            }
        }
    }
    x
}

/// `(N, C, H, W) -> (N·H·W, C)`: one row per pixel, the layout a GEMM produces.
pub(crate) fn nchw_to_rows<A: Float>(x: &ArrayRef4<A>) -> Array2<A> {
    let (n, c, h, w) = x.dim();
    x.view()
        .permuted_axes([0, 2, 3, 1]) // (N, H, W, C)
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((n * h * w, c))
        .expect("element count preserved")
}

/// `(N·H·W, C) -> (N, C, H, W)`, the inverse of [`nchw_to_rows`].
pub(crate) fn rows_to_nchw<A: Float>(a: Array2<A>, n: usize, h: usize, w: usize) -> Array4<A> {
    let c = a.ncols();
    a.as_standard_layout()
        .into_owned()
        .into_shape_with_order((n, h, w, c))
        .expect("element count preserved")
        .permuted_axes([0, 3, 1, 2]) // (N, C, H, W)
        .as_standard_layout()
        .into_owned()
}

/// `y[n, c, h, w] += b[c]`.
pub(crate) fn add_channel_bias<A: Float>(y: &mut Array4<A>, b: &Array1<A>) {
    for (mut plane, &bc) in y.axis_iter_mut(Axis(1)).zip(b) {
        plane.mapv_inplace(|v| v + bc);
    }
}

/// `Σ_{n,h,w} d[n, c, h, w]` for each channel: the bias gradient of a convolution.
pub(crate) fn channel_sums<A: Float>(d: &ArrayRef4<A>) -> Array1<A> {
    d.axis_iter(Axis(1)).map(|plane| plane.sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    /// col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x, c.
    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        for (h, w, k, s, p) in [
            (5, 4, 3, 1, 1),
            (7, 6, 3, 2, 0),
            (4, 4, 4, 2, 1),
            (3, 3, 1, 1, 0),
        ] {
            let g = Geometry::new("test", (2, h, w), k, s, p).unwrap();
            let x = Array::from_shape_fn((2, 2, h, w), |(a, b, c, d)| {
                ((a * 7 + b * 5 + c * 3 + d) % 11) as f64 - 5.0
            });
            let col = im2col(&x, &g);
            let c = Array::from_shape_fn(col.dim(), |(i, j)| ((i * 13 + j * 7) % 17) as f64 - 8.0);
            let lhs = (&col * &c).sum();
            let rhs = (&x * &col2im(&c, 2, &g)).sum();
            assert_eq!(lhs, rhs, "h{h} w{w} k{k} s{s} p{p}");
        }
    }

    #[test]
    fn im2col_rows_are_patches() {
        let x = Array::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| (i * 3 + j) as f64);
        let g = Geometry::new("test", (1, 3, 3), 2, 1, 0).unwrap();
        let col = im2col(&x, &g);
        assert_eq!(col.row(3).to_vec(), vec![4.0, 5.0, 7.0, 8.0]);
        let g = Geometry::new("test", (1, 3, 3), 3, 1, 1).unwrap();
        assert_eq!(
            im2col(&x, &g).row(0).to_vec(),
            vec![0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 3.0, 4.0]
        );
        assert!(Geometry::new("test", (1, 2, 2), 5, 1, 1).is_err());
    }
}
