//! Instance normalisation over `(H, W)` for each sample and channel (Ulyanov et al. 2016).

use super::{
    EPS, channel_affine, channel_affine_backward, from_rows, normalize_rows,
    normalize_rows_backward, rows_of,
};
use crate::nn::params::visit_array;
use crate::nn::{Float, NnError, Params};
use ndarray::{Array1, Array2, Array4, ArrayRef4};

/// Instance normalisation, as PyTorch's `InstanceNorm2d(C, affine=True)` (no running statistics).
///
/// For each sample `n` and channel `c`, over its `H·W` values: `μ_nc = mean(x)`,
/// `σ²_nc = mean((x − μ_nc)²)`, `x̂ = (x − μ_nc)/√(σ²_nc + ε)`, `y = γ_c x̂ + β_c`.
/// Used in style transfer and pix2pix: each image's contrast is normalised on its own.
/// With `γ = 1`, `β = 0` (the initial values) it is the plain `affine=False` layer.
///
/// `last_mean` / `last_var` `(N, C)` hold `μ_nc` and `σ²_nc` (biased) of the last forward pass.
///
/// # Shapes
/// - input `x`: `(N, C, H, W)`; output `y`: same
/// - `gamma`, `beta`, `dgamma`, `dbeta`: `(C,)`
#[derive(Debug, Clone)]
pub struct InstanceNorm2d<A: Float> {
    pub gamma: Array1<A>,
    pub beta: Array1<A>,
    pub dgamma: Array1<A>,
    pub dbeta: Array1<A>,
    pub eps: A,
    pub last_mean: Array2<A>,
    pub last_var: Array2<A>,
    cache: Option<(Array4<A>, Array1<A>)>,
}

impl<A: Float> InstanceNorm2d<A> {
    /// `γ = 1`, `β = 0`, ε = 1e-5.
    pub fn new(channels: usize) -> Result<Self, NnError> {
        if channels == 0 {
            return Err(NnError::Zero {
                layer: "InstanceNorm2d",
                what: "channels",
            });
        }
        Ok(Self {
            gamma: Array1::ones(channels),
            beta: Array1::zeros(channels),
            dgamma: Array1::zeros(channels),
            dbeta: Array1::zeros(channels),
            eps: A::lit(EPS),
            last_mean: Array2::zeros((0, channels)),
            last_var: Array2::zeros((0, channels)),
            cache: None,
        })
    }

    /// # Panics
    /// If `x` does not have `C = gamma.len()` channels.
    pub fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let (n, c, h, w) = x.dim();
        assert_eq!(
            c,
            self.gamma.len(),
            "InstanceNorm2d: input has {c} channels, layer has {}",
            self.gamma.len()
        );
        // (N, C, H, W) -> (N·C, H·W): one row per image plane.
        let (xhat, mean, var, inv_std) = normalize_rows(&rows_of(x, n * c), self.eps);
        self.last_mean = mean.into_shape_with_order((n, c)).expect("N·C values");
        self.last_var = var.into_shape_with_order((n, c)).expect("N·C values");
        let xhat = from_rows(xhat, (n, c, h, w));
        let y = channel_affine(&xhat, &self.gamma, &self.beta);
        self.cache = Some((xhat, inv_std));
        y
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let (xhat, inv_std) = self
            .cache
            .as_ref()
            .expect("InstanceNorm2d: backward called before forward");
        assert_eq!(
            dout.dim(),
            xhat.dim(),
            "InstanceNorm2d: dout shape differs from the output"
        );
        let dims = xhat.dim();
        let planes = dims.0 * dims.1;
        let dxhat =
            channel_affine_backward(dout, xhat, &self.gamma, &mut self.dgamma, &mut self.dbeta);
        // (N, C, H, W) -> (N·C, H·W)
        let dx = normalize_rows_backward(&rows_of(&dxhat, planes), &rows_of(xhat, planes), inv_std);
        from_rows(dx, dims)
    }
}

impl<A: Float> Params<A> for InstanceNorm2d<A> {
    /// Order: `gamma`, `beta`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.gamma, &mut self.dgamma, f);
        visit_array(&mut self.beta, &mut self.dbeta, f);
    }
}
