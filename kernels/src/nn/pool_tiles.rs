//! Average pooling over non-overlapping windows (`stride = kernel`, no padding), the case of
//! CAM's `2 × 2 / 2` pooling, as tight loops over whole rows of contiguous memory.
//!
//! Forward: `y[p, i, j] = (1/k²) Σ_{u<k} Σ_{v<k} x[p, k·i + u, k·j + v]` for every plane
//! `p = (n, c)`; backward: `dx[p, k·i + u, k·j + v] = dy[p, i, j] / k²` (each input pixel lies
//! in at most one window, so nothing is added twice; pixels past the last whole window get 0).
//! The sums run in the same order as [`AvgPool2d`](super::pool::AvgPool2d)'s general loops
//! (window rows `u`, then columns `v`, from 0), so the results are the same bit for bit.
//!
//! # Shapes
//! `xs`: `P` planes of `H × W`, `ys`: `P` planes of `OH × OW` with `OH = ⌊H/k⌋`, `OW = ⌊W/k⌋`,
//! both flat in row-major order.

use super::Float;
use super::im2col::Geometry;

/// `true` when the windows tile the input: `stride = kernel` and no padding.
pub(crate) fn applies(g: &Geometry) -> bool {
    g.pad == 0 && g.stride == g.k
}

/// The forward pass into `ys` (every entry is overwritten).
pub(crate) fn forward<A: Float>(xs: &[A], ys: &mut [A], g: &Geometry) {
    let (k, inv_area) = (g.k, A::one() / A::count(g.k * g.k));
    let (plane_in, plane_out) = (g.h * g.w, g.oh * g.ow);
    if plane_out == 0 {
        return;
    }
    for (x, y) in xs
        .chunks_exact(plane_in)
        .zip(ys.chunks_exact_mut(plane_out))
    {
        for (oh, yrow) in y.chunks_exact_mut(g.ow).enumerate() {
            yrow.fill(A::zero());
            for u in 0..k {
                let xrow = &x[(oh * k + u) * g.w..][..g.ow * k];
                for (acc, win) in yrow.iter_mut().zip(xrow.chunks_exact(k)) {
                    *acc = win.iter().fold(*acc, |a, &b| a + b);
                }
            }
            yrow.iter_mut().for_each(|v| *v *= inv_area);
        }
    }
}

/// The backward pass into `dxs`, which must be all zeros on entry.
pub(crate) fn backward<A: Float>(dys: &[A], dxs: &mut [A], g: &Geometry) {
    let (k, inv_area) = (g.k, A::one() / A::count(g.k * g.k));
    let (plane_in, plane_out) = (g.h * g.w, g.oh * g.ow);
    if plane_out == 0 {
        return;
    }
    for (dy, dx) in dys
        .chunks_exact(plane_out)
        .zip(dxs.chunks_exact_mut(plane_in))
    {
        for (oh, dyrow) in dy.chunks_exact(g.ow).enumerate() {
            for u in 0..k {
                let dxrow = &mut dx[(oh * k + u) * g.w..][..g.ow * k];
                for (win, &dv) in dxrow.chunks_exact_mut(k).zip(dyrow) {
                    let share = dv * inv_area;
                    win.iter_mut().for_each(|d| *d += share);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::nn::pool::AvgPool2d;
    use ndarray::{Array, Array4};

    /// The tiled loops give exactly what the general window loops give (padding 1 forces the
    /// general path, whose interior windows are the same sums when the padding is cropped away).
    #[test]
    fn tiles_equal_the_window_loops() {
        for (h, w, k) in [(16, 16, 2), (7, 9, 2), (9, 6, 3), (4, 4, 1)] {
            let x = Array::from_shape_fn((2, 3, h, w), |(a, b, i, j)| {
                ((a * 7 + b * 5 + i * 3 + j) % 13) as f64 / 3.0 - 1.9
            });
            let dy_of = |dims| {
                Array4::from_shape_fn(dims, |(a, b, i, j)| {
                    ((a * 3 + b * 11 + i * 5 + j * 7) % 17) as f64 / 5.0 - 1.3
                })
            };
            let mut tiled = AvgPool2d::new(k, k, 0).unwrap();
            let y = tiled.forward(&x);
            let dy = dy_of(y.dim());
            let dx = tiled.backward(&dy);
            // the general loops, element by element
            let (oh, ow) = (h / k, w / k);
            let mut dx_ref = Array4::<f64>::zeros(x.dim());
            for ((a, b, i, j), &d) in dy.indexed_iter() {
                let mut acc = 0.0;
                for u in 0..k {
                    for v in 0..k {
                        acc += x[[a, b, k * i + u, k * j + v]];
                        dx_ref[[a, b, k * i + u, k * j + v]] += d * (1.0 / (k * k) as f64);
                    }
                }
                assert_eq!(
                    y[[a, b, i, j]],
                    acc * (1.0 / (k * k) as f64),
                    "{h}×{w} k{k}"
                );
            }
            assert_eq!(y.dim(), (2, 3, oh, ow));
            assert_eq!(dx, dx_ref, "{h}×{w} k{k}");
        }
    }
}
