//! Group normalisation over `(C/G, H, W)` for each sample and group (Wu & He 2018).

use super::{
    EPS, channel_affine, channel_affine_backward, from_rows, normalize_rows,
    normalize_rows_backward, rows_of,
};
use crate::nn::params::visit_array;
use crate::nn::{Float, NnError, Params};
use ndarray::{Array1, Array2, Array4, ArrayRef4};

/// Group normalisation, as PyTorch's `GroupNorm(G, C)`.
///
/// The `C` channels are split into `G` consecutive groups of `C/G`. For each sample `n` and group
/// `g`, over the `(C/G)·H·W` values of that group: `μ_ng = mean(x)`, `σ²_ng = mean((x − μ_ng)²)`,
/// `x̂ = (x − μ_ng)/√(σ²_ng + ε)`, then a per-channel affine `y = γ_c x̂ + β_c`.
/// No batch statistics are involved, so training and evaluation behave the same.
/// `G = 1` is LayerNorm with a per-channel affine; `G = C` is [`InstanceNorm2d`](super::InstanceNorm2d).
///
/// `last_mean` / `last_var` `(N, G)` hold `μ_ng` and `σ²_ng` (biased) of the last forward pass.
///
/// # Shapes
/// - input `x`: `(N, C, H, W)`; output `y`: same
/// - `gamma`, `beta`, `dgamma`, `dbeta`: `(C,)`
#[derive(Debug, Clone)]
pub struct GroupNorm<A: Float> {
    pub groups: usize,
    pub gamma: Array1<A>,
    pub beta: Array1<A>,
    pub dgamma: Array1<A>,
    pub dbeta: Array1<A>,
    pub eps: A,
    pub last_mean: Array2<A>,
    pub last_var: Array2<A>,
    cache: Option<(Array4<A>, Array1<A>)>,
}

impl<A: Float> GroupNorm<A> {
    /// `groups` must be at least 1 and divide `channels`; `γ = 1`, `β = 0`, ε = 1e-5.
    pub fn new(groups: usize, channels: usize) -> Result<Self, NnError> {
        if groups == 0 {
            return Err(NnError::Zero {
                layer: "GroupNorm",
                what: "groups",
            });
        }
        if channels == 0 {
            return Err(NnError::Zero {
                layer: "GroupNorm",
                what: "channels",
            });
        }
        if !channels.is_multiple_of(groups) {
            return Err(NnError::GroupsDoNotDivideChannels { groups, channels });
        }
        Ok(Self {
            groups,
            gamma: Array1::ones(channels),
            beta: Array1::zeros(channels),
            dgamma: Array1::zeros(channels),
            dbeta: Array1::zeros(channels),
            eps: A::lit(EPS),
            last_mean: Array2::zeros((0, groups)),
            last_var: Array2::zeros((0, groups)),
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
            "GroupNorm: input has {c} channels, layer has {}",
            self.gamma.len()
        );
        // (N, C, H, W) -> (N·G, C/G·H·W): each group is contiguous, one row per (n, g).
        let rows = rows_of(x, n * self.groups);
        let (xhat, mean, var, inv_std) = normalize_rows(&rows, self.eps);
        let as_ng = |a: Array1<A>| {
            a.into_shape_with_order((n, self.groups))
                .expect("N·G values")
        };
        self.last_mean = as_ng(mean);
        self.last_var = as_ng(var);
        // (N·G, C/G·H·W) -> (N, C, H, W)
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
            .expect("GroupNorm: backward called before forward");
        assert_eq!(
            dout.dim(),
            xhat.dim(),
            "GroupNorm: dout shape differs from the output"
        );
        let dims = xhat.dim();
        let rows = dims.0 * self.groups;
        let dxhat =
            channel_affine_backward(dout, xhat, &self.gamma, &mut self.dgamma, &mut self.dbeta);
        // (N, C, H, W) -> (N·G, C/G·H·W)
        let dx = normalize_rows_backward(&rows_of(&dxhat, rows), &rows_of(xhat, rows), inv_std);
        from_rows(dx, dims)
    }
}

impl<A: Float> Params<A> for GroupNorm<A> {
    /// Order: `gamma`, `beta`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.gamma, &mut self.dgamma, f);
        visit_array(&mut self.beta, &mut self.dbeta, f);
    }
}
