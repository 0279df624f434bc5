//! 2-D transposed convolution ("deconvolution"), the up-sampling layer of DCGAN's generator.

use super::gemm::gemm;
use super::im2col::{
    Geometry, TapMap, add_channel_bias, channel_sums, cm_to_nchw, col2im, im2col, nchw_to_cm_into,
    reshaped, weight_matrix, weight_matrix_mut,
};
use super::params::visit_array;
use super::windows::Windows;
use super::{Float, NnError, Params, init};
use ndarray::{Array1, Array2, Array4, ArrayRef4, Axis};
use ndarray_rand::rand::Rng;

/// Transposed convolution with PyTorch's semantics (`ConvTranspose2d`, `output_padding = 0`):
/// every input pixel scatters a weighted copy of the kernel into the output,
///
/// `y[n, o, s·i + u − p, s·j + v − p] += Σ_c x[n, c, i, j] · W[c, o, u, v]`  (plus `b[o]`),
/// with `OH = (H − 1)·s − 2p + k`. So `k = 4, s = 2, p = 1` doubles `H` and `W` (DCGAN) and
/// `k = 3, s = 1, p = 1` keeps them.
///
/// It is the gradient (adjoint) of a [`Conv2d`](super::Conv2d) with the same `k, s, p` that maps
/// `(C_out, OH, OW) → (C_in, H, W)` with weight `W`: forward here is that convolution's backward
/// (`col2im(W2ᵀ · x)`), backward here is its forward (`W2 · im2col(dY)`). No new loops; on
/// small maps both take that convolution's per-position products (the private `windows`
/// module) in the same roles.
///
/// # Shapes
/// - input `x`: `(N, C_in, H, W)`; output `y`: `(N, C_out, OH, OW)`
/// - `w`, `dw`: `(C_in, C_out, k, k)` (PyTorch's layout for transposed convs); `b`, `db`: `(C_out,)`
#[derive(Debug, Clone)]
pub struct ConvTranspose2d<A: Float> {
    pub w: Array4<A>,
    pub b: Array1<A>,
    pub dw: Array4<A>,
    pub db: Array1<A>,
    pub stride: usize,
    pub padding: usize,
    /// The input of the last forward as `(C_in, N·H·W)`, kept for backward.
    x2: Array2<A>,
    /// Work space for the patch matrix `(C_out·k·k, N·H·W)` of both passes, reused across steps.
    cols: Array2<A>,
    /// Work space for `dL/dx` as `(C_in, N·H·W)` in backward, reused across steps.
    dx2: Array2<A>,
    /// The im2col / col2im index table of the last geometry.
    maps: TapMap,
    /// The adjoint convolution's per-position products, for geometries where [`Windows::pays`].
    windows: Windows<A>,
    /// The input of the last forward when it took the windows, kept for backward.
    x: Array4<A>,
    /// Geometry of the adjoint convolution and batch size of the last forward.
    last: Option<(Geometry, usize)>,
}

impl<A: Float> ConvTranspose2d<A> {
    /// A `C_in → C_out` transposed convolution with kernel `k`, PyTorch's default initialisation
    /// `U(±1/√fan_in)` where PyTorch takes `fan_in = C_out·k·k` (see [`ConvTranspose2d::fans`]).
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
                layer: "ConvTranspose2d",
                what: "channels, kernel size and stride",
            });
        }
        let shape = (in_channels, out_channels, kernel, kernel);
        let mut layer = Self {
            w: Array4::zeros(shape),
            b: Array1::zeros(out_channels),
            dw: Array4::zeros(shape),
            db: Array1::zeros(out_channels),
            stride,
            padding,
            x2: Array2::zeros((0, 0)),
            cols: Array2::zeros((0, 0)),
            dx2: Array2::zeros((0, 0)),
            maps: TapMap::default(),
            windows: Windows::default(),
            x: Array4::zeros((0, 0, 0, 0)),
            last: None,
        };
        let (fan_in, _) = layer.fans();
        init::pytorch_default(&mut layer.w, fan_in, rng);
        init::pytorch_default(&mut layer.b, fan_in, rng);
        Ok(layer)
    }

    /// `(fan_in, fan_out) = (C_out·k·k, C_in·k·k)`, as PyTorch computes them from the weight's
    /// axes 1 and 0 (so "fan in" counts the *output* channels, PyTorch's convention here).
    pub fn fans(&self) -> (usize, usize) {
        let (i, o, kh, kw) = self.w.dim();
        (o * kh * kw, i * kh * kw)
    }

    /// `(OH, OW) = ((H − 1)·s − 2p + k, (W − 1)·s − 2p + k)`, or an error if that is below 1.
    pub fn output_size(&self, h: usize, w: usize) -> Result<(usize, usize), NnError> {
        let g = self.geometry(h, w)?;
        Ok((g.h, g.w))
    }

    /// The geometry of the *adjoint* convolution `(C_out, OH, OW) → (C_in, H, W)`.
    fn geometry(&self, h: usize, w: usize) -> Result<Geometry, NnError> {
        let (k, s, p) = (self.w.len_of(Axis(2)), self.stride, self.padding);
        let size = |n: usize| (n.max(1) - 1) * s + k;
        let (oh, ow) = (size(h), size(w));
        if h == 0 || w == 0 || oh <= 2 * p || ow <= 2 * p {
            return Err(NnError::InputTooSmall {
                layer: "ConvTranspose2d",
                input: (h, w),
                kernel: (k, k),
                padding: p,
            });
        }
        let g = Geometry::new(
            "ConvTranspose2d",
            (self.w.len_of(Axis(1)), oh - 2 * p, ow - 2 * p),
            k,
            s,
            p,
        )?;
        debug_assert_eq!((g.oh, g.ow), (h, w));
        Ok(g)
    }

    /// # Panics
    /// If `x` has the wrong channel count or an output size below 1 (check with
    /// [`ConvTranspose2d::output_size`] first).
    pub fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let (n, c, h, w) = x.dim();
        assert_eq!(
            c,
            self.w.len_of(Axis(0)),
            "ConvTranspose2d: input has {c} channels, layer expects {}",
            self.w.len_of(Axis(0))
        );
        let g = self.geometry(h, w).unwrap_or_else(|e| panic!("{e}"));
        self.last = Some((g, n));
        if Windows::<A>::pays(&g) {
            return self.forward_windows(x, &g);
        }
        // (N, C_in, H, W) -> (C_in, N·H·W)
        nchw_to_cm_into(x, &mut self.x2);
        // (C_out·k·k, C_in) · (C_in, N·H·W) -> (C_out·k·k, N·H·W): one kernel-sized patch per pixel
        reshaped(&mut self.cols, (g.patch_len(), n * h * w));
        gemm(
            A::one(),
            weight_matrix(&self.w).t(),
            self.x2.view(),
            A::zero(),
            self.cols.view_mut(),
        );
        // scatter-add the patches: (C_out·k·k, N·H·W) -> (N, C_out, OH, OW)
        let mut y = col2im(&self.cols, n, &g, &mut self.maps);
        add_channel_bias(&mut y, &self.b);
        y
    }

    /// The adjoint convolution's input gradient with `x` in the place of `dY`:
    /// `y += x_q · W_q` onto the window of every input pixel `q`, then `+ b`.
    fn forward_windows(&mut self, x: &ArrayRef4<A>, g: &Geometry) -> Array4<A> {
        let n = x.len_of(Axis(0));
        if self.x.dim() == x.dim() && self.x.is_standard_layout() {
            self.x.assign(x);
        } else {
            self.x = x.as_standard_layout().into_owned();
        }
        let w = self.w.as_standard_layout();
        self.windows
            .load_weights(g, w.as_slice().expect("standard layout"));
        let mut y = Array4::zeros((n, g.c, g.h, g.w));
        let (ys, xs) = (y.as_slice_mut(), self.x.as_slice());
        let (ys, xs) = (ys.expect("fresh array"), xs.expect("standard layout"));
        self.windows.add_map_times_weights(g, n, xs, ys);
        add_channel_bias(&mut y, &self.b);
        y
    }

    /// `(N, C_out, OH, OW) -> (N, C_in, H, W)`; accumulates `dw`, `db`.
    ///
    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let (g, n) = self.gather(dout);
        self.param_grads(&g, n);
        self.input_grad(&g, n)
    }

    /// Only the parameter gradients of [`ConvTranspose2d::backward`] (`dw`, `db`), skipping
    /// `dL/dx`: for the first layer of a network (a generator's noise needs no gradient).
    ///
    /// # Panics
    /// As [`ConvTranspose2d::backward`].
    pub fn backward_params(&mut self, dout: &ArrayRef4<A>) {
        let (g, n) = self.gather(dout);
        self.param_grads(&g, n);
    }

    /// Checks `dout`, adds `db += Σ dY` and gathers the patches of `dout` (into `cols`, or into
    /// the windows on small maps).
    fn gather(&mut self, dout: &ArrayRef4<A>) -> (Geometry, usize) {
        let (g, n) = self
            .last
            .expect("ConvTranspose2d: backward called before forward");
        assert_eq!(
            dout.dim(),
            (n, g.c, g.h, g.w),
            "ConvTranspose2d: dout shape differs from the output"
        );
        self.db += &channel_sums(dout);
        if Windows::<A>::pays(&g) {
            let dout = dout.as_standard_layout();
            self.windows
                .gather(&g, dout.as_slice().expect("standard layout"));
            return (g, n);
        }
        // gather the patches back: (N, C_out, OH, OW) -> (C_out·k·k, N·H·W)
        im2col(dout, &g, &mut self.cols, &mut self.maps);
        (g, n)
    }

    /// `dW2 += x · colᵀ`   (C_in, N·H·W)·(N·H·W, C_out·k·k), accumulated by the product itself
    /// into `dw` viewed as `(C_in, C_out·k·k)`.
    ///
    /// On small maps: `dW[:, :, T_q] += x_qᵀ · X_q` per input pixel `q`, `X_q` the patches of `dY`.
    fn param_grads(&mut self, g: &Geometry, n: usize) {
        let in_ch = self.w.len_of(Axis(0));
        let mut dw2 = weight_matrix_mut(&mut self.dw, in_ch);
        if Windows::<A>::pays(g) {
            let dw = dw2.as_slice_mut().expect("standard layout");
            let xs = self.x.as_slice().expect("standard layout");
            self.windows.add_weight_grads(g, n, xs, dw);
            return;
        }
        gemm(A::one(), self.x2.view(), self.cols.t(), A::one(), dw2);
    }

    /// `dx = W2 · col`   (C_in, C_out·k·k)·(C_out·k·k, N·H·W) -> (N, C_in, H, W).
    ///
    /// On small maps: `dx[:, :, q] = X_q · W_qᵀ` per input pixel `q`.
    fn input_grad(&mut self, g: &Geometry, n: usize) -> Array4<A> {
        if Windows::<A>::pays(g) {
            let mut dx = Array4::zeros((n, self.w.len_of(Axis(0)), g.oh, g.ow));
            let dxs = dx.as_slice_mut().expect("fresh array");
            self.windows.patches_times_weights(g, n, dxs);
            return dx;
        }
        reshaped(&mut self.dx2, (self.w.len_of(Axis(0)), n * g.oh * g.ow));
        gemm(
            A::one(),
            weight_matrix(&self.w).view(),
            self.cols.view(),
            A::zero(),
            self.dx2.view_mut(),
        );
        cm_to_nchw(&self.dx2, n, g.oh, g.ow)
    }
}

impl<A: Float> Params<A> for ConvTranspose2d<A> {
    /// Order: `w`, `b`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.w, &mut self.dw, f);
        visit_array(&mut self.b, &mut self.db, f);
    }
}
