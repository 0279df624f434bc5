//! 2-D convolution by im2col + one matrix product.

use super::gemm::gemm;
use super::im2col::{
    Geometry, TapMap, add_channel_bias, channel_sums, cm_to_nchw_plus_bias, col2im, im2col,
    nchw_to_cm_into, reshaped, weight_matrix, weight_matrix_mut,
};
use super::params::visit_array;
use super::windows::Windows;
use super::{Float, NnError, Params, init};
use ndarray::{Array1, Array2, Array4, ArrayRef4, Axis};
use ndarray_rand::rand::Rng;

/// 2-D convolution (strictly, cross-correlation, as in every framework), square kernel `k`,
/// stride `s`, zero padding `p`:
///
/// `y[n, o, i, j] = b[o] + Σ_{c, u, v} W[o, c, u, v] · x_pad[n, c, s·i + u, s·j + v]`,
/// with `OH = ⌊(H + 2p − k)/s⌋ + 1`, `OW` likewise.
///
/// Computed as `W2 · col` where `col = im2col(x)` `(C·k·k, N·OH·OW)` holds one input patch per
/// column and `W2` is `W` viewed as `(C_out, C·k·k)`. Backward: `dW2 += dY · colᵀ`,
/// `db += Σ dY`, `dx = col2im(W2ᵀ · dY)`.
/// [`ConvTranspose2d`](super::ConvTranspose2d)'s forward is exactly this backward.
///
/// On maps so small that at least a third of `col` would be padding (DCGAN's 2×2 maps), the
/// same sums run as one product per output position over only the taps inside the image
/// (the private `windows` module).
///
/// # Shapes
/// - input `x`: `(N, C_in, H, W)`; output `y`: `(N, C_out, OH, OW)`
/// - `w`, `dw`: `(C_out, C_in, k, k)` (PyTorch's layout); `b`, `db`: `(C_out,)`
#[derive(Debug, Clone)]
pub struct Conv2d<A: Float> {
    pub w: Array4<A>,
    pub b: Array1<A>,
    pub dw: Array4<A>,
    pub db: Array1<A>,
    pub stride: usize,
    pub padding: usize,
    /// `im2col(x)` of the last forward, kept for backward (and its memory for the next forward).
    col: Array2<A>,
    /// Work space for `dcol` in backward, reused across steps.
    dcol: Array2<A>,
    /// Work space `(C_out, N·OH·OW)` for the output rows of forward and `dY`'s rows in backward.
    rows: Array2<A>,
    /// The im2col / col2im index table of the last geometry.
    maps: TapMap,
    /// The per-position products, for geometries where [`Windows::pays`].
    windows: Windows<A>,
    /// Geometry and batch size of the last forward.
    last: Option<(Geometry, usize)>,
}

impl<A: Float> Conv2d<A> {
    /// A `C_in → C_out` convolution with kernel `k`, PyTorch's default initialisation
    /// `U(±1/√(C_in·k·k))` for `w` and `b`.
    pub fn new<R: Rng + ?Sized>(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if in_channels == 0 || out_channels == 0 || kernel == 0 || stride == 0 {
            return Err(NnError::Zero {
                layer: "Conv2d",
                what: "channels, kernel size and stride",
            });
        }
        let shape = (out_channels, in_channels, kernel, kernel);
        let mut conv = Self {
            w: Array4::zeros(shape),
            b: Array1::zeros(out_channels),
            dw: Array4::zeros(shape),
            db: Array1::zeros(out_channels),
            stride,
            padding,
            col: Array2::zeros((0, 0)),
            dcol: Array2::zeros((0, 0)),
            rows: Array2::zeros((0, 0)),
            maps: TapMap::default(),
            windows: Windows::default(),
            last: None,
        };
        let (fan_in, _) = conv.fans();
        init::pytorch_default(&mut conv.w, fan_in, rng);
        init::pytorch_default(&mut conv.b, fan_in, rng);
        Ok(conv)
    }

    /// `(fan_in, fan_out) = (C_in·k·k, C_out·k·k)`, for the initialisers in [`init`].
    pub fn fans(&self) -> (usize, usize) {
        let (o, i, kh, kw) = self.w.dim();
        (i * kh * kw, o * kh * kw)
    }

    fn geometry(&self, (c, h, w): (usize, usize, usize)) -> Result<Geometry, NnError> {
        Geometry::new(
            "Conv2d",
            (c, h, w),
            self.w.len_of(Axis(2)),
            self.stride,
            self.padding,
        )
    }

    /// `(OH, OW)` for an `H × W` input, or an error if the padded input is smaller than the kernel.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), NnError> {
        let g = self.geometry((self.w.len_of(Axis(1)), h, w))?;
        Ok((g.oh, g.ow))
    }

    /// # Panics
    /// If `x` has the wrong channel count or is smaller than the kernel (check with
    /// [`Conv2d::output_size`] first).
    pub fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let (n, c, h, w) = x.dim();
        assert_eq!(
            c,
            self.w.len_of(Axis(1)),
            "Conv2d: input has {c} channels, layer expects {}",
            self.w.len_of(Axis(1))
        );
        let g = self.geometry((c, h, w)).unwrap_or_else(|e| panic!("{e}"));
        self.last = Some((g, n));
        if Windows::<A>::pays(&g) {
            return self.forward_windows(x, &g);
        }
        // (N, C, H, W) -> (C·k·k, N·OH·OW): one patch per column
        im2col(x, &g, &mut self.col, &mut self.maps);
        // (C_out, C·k·k) · (C·k·k, N·OH·OW) -> (C_out, N·OH·OW)
        let out_ch = self.w.len_of(Axis(0));
        reshaped(&mut self.rows, (out_ch, n * g.oh * g.ow));
        gemm(
            A::one(),
            weight_matrix(&self.w).view(),
            self.col.view(),
            A::zero(),
            self.rows.view_mut(),
        );
        // (C_out, N·OH·OW) -> (N, C_out, OH, OW), + b[o]
        cm_to_nchw_plus_bias(&self.rows, (n, g.oh, g.ow), &self.b)
    }

    /// `y[:, :, q] = X_q · W_qᵀ + b` for every output position `q`, over its taps inside `x`.
    fn forward_windows(&mut self, x: &ArrayRef4<A>, g: &Geometry) -> Array4<A> {
        let n = x.len_of(Axis(0));
        let x = x.as_standard_layout();
        let w = self.w.as_standard_layout();
        self.windows
            .load_weights(g, w.as_slice().expect("standard layout"));
        self.windows
            .gather(g, x.as_slice().expect("standard layout"));
        let mut y = Array4::zeros((n, self.w.len_of(Axis(0)), g.oh, g.ow));
        let ys = y.as_slice_mut().expect("fresh array");
        self.windows.patches_times_weights(g, n, ys);
        add_channel_bias(&mut y, &self.b);
        y
    }

    /// `(N, C_out, OH, OW) -> (N, C_in, H, W)`; accumulates `dw`, `db`.
    ///
    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        if self.windowed() {
            self.backward_params(dout);
            return self.backward_input(dout);
        }
        let (d2, g, n) = self.dout_rows(dout);
        self.param_grads(&d2);
        let dx = self.input_grad(&d2, &g, n);
        self.rows = d2;
        dx
    }

    /// Only the parameter gradients of [`Conv2d::backward`] (`dw`, `db`), skipping `dL/dx`:
    /// for the first layer of a network, whose input needs no gradient.
    ///
    /// # Panics
    /// As [`Conv2d::backward`].
    pub fn backward_params(&mut self, dout: &ArrayRef4<A>) {
        if self.windowed() {
            return self.params_windows(dout);
        }
        let (d2, _, _) = self.dout_rows(dout);
        self.param_grads(&d2);
        self.rows = d2;
    }

    /// Only `dL/dx` of [`Conv2d::backward`], leaving `dw`, `db` untouched: for a pass whose
    /// parameter gradients would be thrown away (a GAN's generator step through `D`).
    ///
    /// # Panics
    /// As [`Conv2d::backward`].
    pub fn backward_input(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        if self.windowed() {
            return self.input_windows(dout);
        }
        let (d2, g, n) = self.dout_rows(dout);
        let dx = self.input_grad(&d2, &g, n);
        self.rows = d2;
        dx
    }

    /// `db += Σ dY`, `dW[:, :, T_q] += dY_qᵀ · X_q` for every output position (small maps).
    fn params_windows(&mut self, dout: &ArrayRef4<A>) {
        let (g, n) = self.checked(dout);
        self.db += &channel_sums(dout);
        let dout = dout.as_standard_layout();
        let out_ch = self.w.len_of(Axis(0));
        let mut dw = weight_matrix_mut(&mut self.dw, out_ch);
        let dw = dw.as_slice_mut().expect("standard layout");
        let dout = dout.as_slice().expect("standard layout");
        self.windows.add_weight_grads(&g, n, dout, dw);
    }

    /// `dx += dY_q · W_q` onto the window of every output position `q` (small maps).
    fn input_windows(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let (g, n) = self.checked(dout);
        let dout = dout.as_standard_layout();
        let mut dx = Array4::zeros((n, g.c, g.h, g.w));
        let (dxs, dout) = (dx.as_slice_mut(), dout.as_slice());
        let (dxs, dout) = (dxs.expect("fresh array"), dout.expect("standard layout"));
        self.windows.add_map_times_weights(&g, n, dout, dxs);
        dx
    }

    /// Whether the last forward took the per-position products.
    fn windowed(&self) -> bool {
        self.last.is_some_and(|(g, _)| Windows::<A>::pays(&g))
    }

    /// The last forward's geometry and batch size, after checking `dout` against its output.
    fn checked(&self, dout: &ArrayRef4<A>) -> (Geometry, usize) {
        let (g, n) = self.last.expect("Conv2d: backward called before forward");
        let out_ch = self.w.len_of(Axis(0));
        assert_eq!(
            dout.dim(),
            (n, out_ch, g.oh, g.ow),
            "Conv2d: dout shape differs from the output"
        );
        (g, n)
    }

    /// Checks `dout` against the last forward and lays it out as `(C_out, N·OH·OW)`, in the
    /// layer's `rows` buffer taken out of it (the caller puts it back).
    fn dout_rows(&mut self, dout: &ArrayRef4<A>) -> (Array2<A>, Geometry, usize) {
        let (g, n) = self.checked(dout);
        // (N, C_out, OH, OW) -> (C_out, N·OH·OW)
        let mut rows = std::mem::take(&mut self.rows);
        nchw_to_cm_into(dout, &mut rows);
        (rows, g, n)
    }

    /// `db += Σ dY`, `dW2 += dY · colᵀ`   (C_out, N·OH·OW)·(N·OH·OW, C·k·k).
    fn param_grads(&mut self, d2: &Array2<A>) {
        self.db += &d2.sum_axis(Axis(1));
        // accumulated by the product itself (β = 1) into `dw` viewed as (C_out, C·k·k)
        let out_ch = self.w.len_of(Axis(0));
        let dw2 = weight_matrix_mut(&mut self.dw, out_ch);
        gemm(A::one(), d2.view(), self.col.t(), A::one(), dw2);
    }

    /// `dx = col2im(W2ᵀ · dY)`.
    fn input_grad(&mut self, d2: &Array2<A>, g: &Geometry, n: usize) -> Array4<A> {
        // dcol = W2ᵀ · dY   (C·k·k, C_out)·(C_out, N·OH·OW), into the reused work space
        reshaped(&mut self.dcol, (g.patch_len(), n * g.oh * g.ow));
        gemm(
            A::one(),
            weight_matrix(&self.w).t(),
            d2.view(),
            A::zero(),
            self.dcol.view_mut(),
        );
        // scatter the patch gradients back onto the image: (C·k·k, N·OH·OW) -> (N, C_in, H, W)
        col2im(&self.dcol, n, g, &mut self.maps)
    }
}

impl<A: Float> Params<A> for Conv2d<A> {
    /// Order: `w`, `b`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.w, &mut self.dw, f);
        visit_array(&mut self.b, &mut self.db, f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::ConvTranspose2d;
    use ndarray::{Array, ShapeBuilder};
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    fn filled(shape: (usize, usize, usize, usize), seed: usize) -> Array4<f64> {
        Array::from_shape_fn(shape, |(a, b, c, d)| {
            ((a * 7 + b * 5 + c * 3 + d + seed) % 11) as f64 / 5.0 - 1.0
        })
    }

    /// `backward_params` and `backward_input` are exactly the two halves of `backward`, and the
    /// gradients accumulate (`β = 1`) onto what was there.
    #[test]
    fn backward_parts_equal_the_full_backward() {
        let mut full = Conv2d::<f64>::new(3, 4, 3, 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
        full.dw.fill(0.25);
        let (x, dy) = (filled((2, 3, 5, 5), 1), filled((2, 4, 3, 3), 2));
        let (mut params, mut input) = (full.clone(), full.clone());
        full.forward(&x);
        let dx = full.backward(&dy);
        params.forward(&x);
        params.backward_params(&dy);
        input.forward(&x);
        assert_eq!(input.backward_input(&dy), dx);
        assert_eq!((&params.dw, &params.db), (&full.dw, &full.db));
        assert_eq!(input.dw, Array4::from_elem(input.dw.raw_dim(), 0.25));
        assert!(
            full.dw.iter().any(|&g| g != 0.25),
            "the gradient was accumulated"
        );

        let mut full =
            ConvTranspose2d::<f64>::new(3, 2, 4, 2, 1, &mut StdRng::seed_from_u64(2)).unwrap();
        let (x, dy) = (filled((2, 3, 2, 2), 3), filled((2, 2, 4, 4), 4));
        let mut params = full.clone();
        full.forward(&x);
        full.backward(&dy);
        params.forward(&x);
        params.backward_params(&dy);
        assert_eq!((&params.dw, &params.db), (&full.dw, &full.db));
    }

    /// A small-map layer (one product per output position) given inputs and gradients in a
    /// non-standard memory order (a permuted view copied in Fortran order) computes what it
    /// computes from the same values in standard order.
    #[test]
    fn small_maps_take_any_memory_order() {
        let fortran = |a: &Array4<f64>| {
            let mut f = Array4::zeros(a.raw_dim().f());
            f.assign(a);
            f
        };
        let mut conv = Conv2d::<f64>::new(3, 4, 4, 2, 1, &mut StdRng::seed_from_u64(3)).unwrap();
        let (x, dy) = (filled((2, 3, 4, 4), 5), filled((2, 4, 2, 2), 6));
        let mut other = conv.clone();
        let (y, dx) = (conv.forward(&x), conv.backward(&dy));
        assert_eq!(other.forward(&fortran(&x)), y);
        assert_eq!(other.backward(&fortran(&dy)), dx);
        assert_eq!(other.dw, conv.dw);

        let mut ct =
            ConvTranspose2d::<f64>::new(4, 3, 4, 2, 1, &mut StdRng::seed_from_u64(4)).unwrap();
        let mut other = ct.clone();
        let (y, dx) = (ct.forward(&dy), ct.backward(&x));
        assert_eq!(other.forward(&fortran(&dy)), y);
        assert_eq!(other.backward(&fortran(&x)), dx);
        assert_eq!(other.dw, ct.dw);
    }

    /// The windows keep their restricted weights `W_q` while `W` is unchanged, and rebuild them
    /// when it changes, by an optimiser step or by a direct write: after each change the layer
    /// computes what a fresh layer with the new weights computes.
    #[test]
    fn small_maps_see_every_change_of_the_weights() {
        let mut conv = Conv2d::<f64>::new(3, 4, 4, 2, 1, &mut StdRng::seed_from_u64(7)).unwrap();
        let (x, dy) = (filled((2, 3, 4, 4), 8), filled((2, 4, 2, 2), 9));
        let fresh = |w: &Array4<f64>, b: &Array1<f64>| {
            let mut other =
                Conv2d::<f64>::new(3, 4, 4, 2, 1, &mut StdRng::seed_from_u64(1)).unwrap();
            (other.w, other.b) = (w.clone(), b.clone());
            let y = other.forward(&x);
            (y, other.backward(&dy))
        };
        let before = conv.forward(&x);
        conv.backward(&dy);
        // a plain SGD step through the parameter visitor, then a direct write
        conv.visit_params(&mut |p, g| p.iter_mut().zip(g.iter()).for_each(|(p, &g)| *p -= 0.1 * g));
        let (y, dx) = (conv.forward(&x), conv.backward(&dy));
        assert_ne!(y, before);
        assert_eq!((y, dx), fresh(&conv.w, &conv.b));
        conv.w[[1, 2, 1, 1]] += 0.5;
        let (y, dx) = (conv.forward(&x), conv.backward(&dy));
        assert_eq!((y, dx), fresh(&conv.w, &conv.b));
    }
}
