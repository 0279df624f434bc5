//! Pooling: `MaxPool2d`, `AvgPool2d` (square windows) and `GlobalAvgPool`.

use super::im2col::Geometry;
use super::{Float, NnError, Params, pool_tiles};
use ndarray::{Array2, Array3, Array4, ArrayRef2, ArrayRef4};

/// Checks the knobs shared by both window pools (PyTorch's rule `padding ≤ kernel/2` makes every
/// window contain at least one real input element).
fn check_knobs(
    layer: &'static str,
    kernel: usize,
    stride: usize,
    padding: usize,
) -> Result<(), NnError> {
    if kernel == 0 || stride == 0 {
        return Err(NnError::Zero {
            layer,
            what: "kernel size and stride",
        });
    }
    if padding > kernel / 2 {
        return Err(NnError::Invalid {
            layer,
            reason: format!("padding {padding} must be at most half the kernel size {kernel}"),
        });
    }
    Ok(())
}

/// `(N, C, H, W) -> (N·C, H, W)`: one image plane per (sample, channel).
fn planes<A: Float>(x: &ArrayRef4<A>) -> Array3<A> {
    let (n, c, h, w) = x.dim();
    x.as_standard_layout()
        .into_owned()
        .into_shape_with_order((n * c, h, w))
        .expect("element count preserved")
}

/// Iterates the valid input positions `(ih, iw)` of output window `(oh, ow)`.
fn window(g: &Geometry, oh: usize, ow: usize) -> impl Iterator<Item = (usize, usize)> {
    let rows =
        (0..g.k).filter_map(move |u| (oh * g.stride + u).checked_sub(g.pad).filter(|&i| i < g.h));
    rows.flat_map(move |ih| {
        (0..g.k)
            .filter_map(move |v| (ow * g.stride + v).checked_sub(g.pad).filter(|&i| i < g.w))
            .map(move |iw| (ih, iw))
    })
}

/// Max pooling: `y[n, c, i, j] = max` over the `k × k` window at `(s·i − p, s·j − p)`
/// (padding counts as `−∞`, as in PyTorch). Backward routes each `dL/dy` to the arg-max input
/// (the first one on ties).
///
/// # Shapes
/// input `(N, C, H, W)`; output `(N, C, OH, OW)` with `OH = ⌊(H + 2p − k)/s⌋ + 1`
#[derive(Debug, Clone)]
pub struct MaxPool2d {
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    /// For each output element, the flat index of its arg-max in the input.
    argmax: Vec<usize>,
    cache: Option<(Geometry, usize)>,
}

impl MaxPool2d {
    pub fn new(kernel: usize, stride: usize, padding: usize) -> Result<Self, NnError> {
        check_knobs("MaxPool2d", kernel, stride, padding)?;
        Ok(Self {
            kernel,
            stride,
            padding,
            argmax: Vec::new(),
            cache: None,
        })
    }

    /// `(OH, OW)` for an `H × W` input, or an error if the input is smaller than the window.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), NnError> {
        let g = Geometry::new(
            "MaxPool2d",
            (1, h, w),
            self.kernel,
            self.stride,
            self.padding,
        )?;
        Ok((g.oh, g.ow))
    }

    /// # Panics
    /// If the input is smaller than the window (check with [`MaxPool2d::output_size`]).
    pub fn forward<A: Float>(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let (n, c, h, w) = x.dim();
        let g = Geometry::new(
            "MaxPool2d",
            (c, h, w),
            self.kernel,
            self.stride,
            self.padding,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let x = x.as_standard_layout();
        let xs = x.as_slice().expect("standard layout");
        // one (OH, OW) output plane per (n, c)
        let mut y = Array3::zeros((n * c, g.oh, g.ow));
        self.argmax.clear();
        self.argmax.reserve(y.len());
        for (plane_idx, mut out) in y.outer_iter_mut().enumerate() {
            let base = plane_idx * h * w;
            for ((oh, ow), v) in out.indexed_iter_mut() {
                let mut best: Option<(usize, A)> = None;
                for (ih, iw) in window(&g, oh, ow) {
                    let idx = base + ih * w + iw;
                    if best.is_none_or(|(_, b)| xs[idx] > b) {
                        best = Some((idx, xs[idx]));
                    }
                }
                // padding ≤ k/2 puts at least one input element in every window
                let (idx, max) = best.expect("non-empty window");
                *v = max;
                self.argmax.push(idx);
            }
        }
        self.cache = Some((g, n));
        // (N·C, OH, OW) -> (N, C, OH, OW)
        y.into_shape_with_order((n, c, g.oh, g.ow))
            .expect("element count preserved")
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<A: Float>(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let (g, n) = self
            .cache
            .expect("MaxPool2d: backward called before forward");
        assert_eq!(
            dout.dim(),
            (n, g.c, g.oh, g.ow),
            "MaxPool2d: dout shape differs from the output"
        );
        let mut dx = Array4::zeros((n, g.c, g.h, g.w));
        let dxs = dx.as_slice_mut().expect("fresh array");
        for (&idx, &d) in self.argmax.iter().zip(dout.as_standard_layout().iter()) {
            dxs[idx] += d;
        }
        dx
    }
}

/// Average pooling: `y[n, c, i, j] = (1/k²) Σ` over the `k × k` window; padding counts as zeros
/// in the average (PyTorch's `count_include_pad = True`). Backward spreads `dL/dy / k²` over the
/// window.
///
/// # Shapes
/// input `(N, C, H, W)`; output `(N, C, OH, OW)` with `OH = ⌊(H + 2p − k)/s⌋ + 1`
#[derive(Debug, Clone)]
pub struct AvgPool2d {
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    cache: Option<(Geometry, usize)>,
}

impl AvgPool2d {
    pub fn new(kernel: usize, stride: usize, padding: usize) -> Result<Self, NnError> {
        check_knobs("AvgPool2d", kernel, stride, padding)?;
        Ok(Self {
            kernel,
            stride,
            padding,
            cache: None,
        })
    }

    /// `(OH, OW)` for an `H × W` input, or an error if the input is smaller than the window.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), NnError> {
        let g = Geometry::new(
            "AvgPool2d",
            (1, h, w),
            self.kernel,
            self.stride,
            self.padding,
        )?;
        Ok((g.oh, g.ow))
    }

    /// # Panics
    /// If the input is smaller than the window (check with [`AvgPool2d::output_size`]).
    pub fn forward<A: Float>(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let (n, c, h, w) = x.dim();
        let g = Geometry::new(
            "AvgPool2d",
            (c, h, w),
            self.kernel,
            self.stride,
            self.padding,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let inv_area = A::one() / A::count(g.k * g.k);
        if pool_tiles::applies(&g) {
            // windows tile the input (CAM's 2×2/2): whole-row loops, same sums
            let xs = x.as_standard_layout();
            let mut y = Array4::zeros((n, c, g.oh, g.ow));
            let ys = y.as_slice_mut().expect("fresh array");
            pool_tiles::forward(xs.as_slice().expect("standard layout"), ys, &g);
            self.cache = Some((g, n));
            return y;
        }
        let x3 = planes(x);
        let mut y = Array3::zeros((n * c, g.oh, g.ow));
        if g.pad == 0 {
            // Every window lies inside the input: index the flat planes directly (same sums, in
            // the same order, as the general path below, without its per-element bounds logic).
            let (xs, ys) = (
                x3.as_slice().expect("standard layout"),
                y.as_slice_mut().expect("fresh array"),
            );
            let mut outs = ys.iter_mut();
            for plane in 0..n * c {
                for oh in 0..g.oh {
                    for ow in 0..g.ow {
                        let mut acc = A::zero();
                        for u in 0..g.k {
                            let row = (plane * g.h + oh * g.stride + u) * g.w + ow * g.stride;
                            acc = xs[row..row + g.k].iter().fold(acc, |a, &b| a + b);
                        }
                        if let Some(v) = outs.next() {
                            *v = acc * inv_area;
                        }
                    }
                }
            }
            self.cache = Some((g, n));
            return y
                .into_shape_with_order((n, c, g.oh, g.ow))
                .expect("element count preserved");
        }
        for (mut out, plane) in y.outer_iter_mut().zip(x3.outer_iter()) {
            for ((oh, ow), v) in out.indexed_iter_mut() {
                *v = window(&g, oh, ow)
                    .map(|(i, j)| plane[[i, j]])
                    .fold(A::zero(), |a, b| a + b)
                    * inv_area;
            }
        }
        self.cache = Some((g, n));
        // (N·C, OH, OW) -> (N, C, OH, OW)
        y.into_shape_with_order((n, c, g.oh, g.ow))
            .expect("element count preserved")
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<A: Float>(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let (g, n) = self
            .cache
            .expect("AvgPool2d: backward called before forward");
        assert_eq!(
            dout.dim(),
            (n, g.c, g.oh, g.ow),
            "AvgPool2d: dout shape differs from the output"
        );
        let inv_area = A::one() / A::count(g.k * g.k);
        if pool_tiles::applies(&g) {
            let ds = dout.as_standard_layout();
            let mut dx = Array4::zeros((n, g.c, g.h, g.w));
            let dxs = dx.as_slice_mut().expect("fresh array");
            pool_tiles::backward(ds.as_slice().expect("standard layout"), dxs, &g);
            return dx;
        }
        let d3 = planes(dout);
        let mut dx = Array3::zeros((n * g.c, g.h, g.w));
        if g.pad == 0 {
            // As in forward: direct indexing when no window touches the padding.
            let (ds, dxs) = (
                d3.as_slice().expect("standard layout"),
                dx.as_slice_mut().expect("fresh array"),
            );
            let mut douts = ds.iter();
            for plane in 0..n * g.c {
                for oh in 0..g.oh {
                    for ow in 0..g.ow {
                        let dv = douts.next().copied().unwrap_or(A::zero()) * inv_area;
                        for u in 0..g.k {
                            let row = (plane * g.h + oh * g.stride + u) * g.w + ow * g.stride;
                            dxs[row..row + g.k].iter_mut().for_each(|d| *d += dv);
                        }
                    }
                }
            }
            return dx
                .into_shape_with_order((n, g.c, g.h, g.w))
                .expect("element count preserved");
        }
        for (mut dplane, d) in dx.outer_iter_mut().zip(d3.outer_iter()) {
            for ((oh, ow), &dv) in d.indexed_iter() {
                for (i, j) in window(&g, oh, ow) {
                    dplane[[i, j]] += dv * inv_area;
                }
            }
        }
        // (N·C, H, W) -> (N, C, H, W)
        dx.into_shape_with_order((n, g.c, g.h, g.w))
            .expect("element count preserved")
    }
}

/// Global average pooling: `y[n, c] = (1/HW) Σ_{h,w} x[n, c, h, w]` (the step before CAM's
/// classifier). Backward: `dL/dx[n, c, h, w] = dL/dy[n, c] / HW`.
///
/// # Shapes
/// input `(N, C, H, W)`; output `(N, C)`
#[derive(Debug, Clone, Default)]
pub struct GlobalAvgPool {
    dims: Option<(usize, usize, usize, usize)>,
}

impl GlobalAvgPool {
    pub fn new() -> Self {
        Self { dims: None }
    }

    pub fn forward<A: Float>(&mut self, x: &ArrayRef4<A>) -> Array2<A> {
        let (n, c, h, w) = x.dim();
        self.dims = Some((n, c, h, w));
        let inv = A::one() / A::count(h * w);
        Array2::from_shape_fn((n, c), |(i, j)| {
            x.slice(ndarray::s![i, j, .., ..]).sum() * inv
        })
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<A: Float>(&mut self, dout: &ArrayRef2<A>) -> Array4<A> {
        let (n, c, h, w) = self
            .dims
            .expect("GlobalAvgPool: backward called before forward");
        assert_eq!(
            dout.dim(),
            (n, c),
            "GlobalAvgPool: dout shape differs from the output"
        );
        let inv = A::one() / A::count(h * w);
        let mut dx = Array4::zeros((n, c, h, w));
        for ((i, j), &d) in dout.indexed_iter() {
            dx.slice_mut(ndarray::s![i, j, .., ..]).fill(d * inv);
        }
        dx
    }
}

impl<A: Float> Params<A> for MaxPool2d {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for AvgPool2d {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for GlobalAvgPool {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}
