//! Layer normalisation over all non-batch axes of each sample (Ba, Kiros & Hinton 2016).

use super::{EPS, normalize_rows, normalize_rows_backward};
use crate::nn::params::visit_array;
use crate::nn::{Float, NnError, Params};
use ndarray::{Array, Array1, Array2, ArrayD, ArrayRef, Dimension, IxDyn};

/// Layer normalisation, as PyTorch's `LayerNorm(normalized_shape = x.shape[1:])`.
///
/// For each sample `n`, over all its `F = C·H·W` (or `D`) values: `μ_n = mean(x)`,
/// `σ²_n = mean((x − μ_n)²)`, `x̂ = (x − μ_n)/√(σ²_n + ε)`, then an **element-wise** affine
/// `y = γ ⊙ x̂ + β` where `γ`, `β` have the shape of one sample (`(D,)` for `(N, D)` input,
/// `(C, H, W)` for images) — the Transformer / PyTorch choice. GroupNorm with one group equals this
/// layer when `γ`, `β` are constant over `(H, W)` within each channel.
///
/// `last_mean` / `last_var` `(N,)` hold `μ_n` and `σ²_n` (biased) of the last forward pass.
///
/// # Shapes
/// - input `x`: `(N, *sample_shape)` of any dimension; output `y`: same
/// - `gamma`, `beta`, `dgamma`, `dbeta`: `sample_shape`
#[derive(Debug, Clone)]
pub struct LayerNorm<A: Float> {
    pub gamma: ArrayD<A>,
    pub beta: ArrayD<A>,
    pub dgamma: ArrayD<A>,
    pub dbeta: ArrayD<A>,
    pub eps: A,
    pub last_mean: Array1<A>,
    pub last_var: Array1<A>,
    cache: Option<(Array2<A>, Array1<A>)>,
}

impl<A: Float> LayerNorm<A> {
    /// `sample_shape` is the shape of one sample, e.g. `&[C, H, W]` or `&[D]`;
    /// `γ = 1`, `β = 0`, ε = 1e-5.
    pub fn new(sample_shape: &[usize]) -> Result<Self, NnError> {
        if sample_shape.is_empty() || sample_shape.contains(&0) {
            return Err(NnError::Invalid {
                layer: "LayerNorm",
                reason: format!(
                    "sample shape {sample_shape:?} must be non-empty with every axis at least 1"
                ),
            });
        }
        let shape = IxDyn(sample_shape);
        Ok(Self {
            gamma: ArrayD::ones(shape.clone()),
            beta: ArrayD::zeros(shape.clone()),
            dgamma: ArrayD::zeros(shape.clone()),
            dbeta: ArrayD::zeros(shape),
            eps: A::lit(EPS),
            last_mean: Array1::zeros(0),
            last_var: Array1::zeros(0),
            cache: None,
        })
    }

    /// # Panics
    /// If `x.shape()[1..]` differs from the layer's sample shape.
    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        assert_eq!(
            &x.shape()[1..],
            self.gamma.shape(),
            "LayerNorm: sample shape differs from the layer's"
        );
        let n = x.shape()[0];
        let f = self.gamma.len();
        // (N, *sample) -> (N, F): one row per sample.
        let rows = x
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((n, f))
            .expect("N·F values");
        let (xhat, mean, var, inv_std) = normalize_rows(&rows, self.eps);
        self.last_mean = mean;
        self.last_var = var;
        let g = self.gamma.as_standard_layout();
        let b = self.beta.as_standard_layout();
        let (g, b) = (
            g.as_slice().expect("standard"),
            b.as_slice().expect("standard"),
        );
        let mut y = xhat.clone();
        for mut row in y.rows_mut() {
            for ((v, &gi), &bi) in row.iter_mut().zip(g).zip(b) {
                *v = gi * *v + bi;
            }
        }
        self.cache = Some((xhat, inv_std));
        // (N, F) -> (N, *sample)
        y.into_shape_with_order(x.raw_dim()).expect("N·F values")
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        let (xhat, inv_std) = self
            .cache
            .as_ref()
            .expect("LayerNorm: backward called before forward");
        let (n, f) = xhat.dim();
        assert_eq!(
            dout.len(),
            n * f,
            "LayerNorm: dout shape differs from the output"
        );
        // (N, *sample) -> (N, F)
        let d = dout
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((n, f))
            .expect("N·F values");
        self.dbeta += &d
            .sum_axis(ndarray::Axis(0))
            .into_shape_with_order(self.dbeta.raw_dim())
            .expect("F values");
        let dg = (&d * xhat).sum_axis(ndarray::Axis(0));
        self.dgamma += &dg
            .into_shape_with_order(self.dgamma.raw_dim())
            .expect("F values");
        let g = self
            .gamma
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order(f)
            .expect("F values");
        let dxhat = d * &g;
        let dx = normalize_rows_backward(&dxhat, xhat, inv_std);
        dx.into_shape_with_order(dout.raw_dim())
            .expect("N·F values")
    }
}

impl<A: Float> Params<A> for LayerNorm<A> {
    /// Order: `gamma`, `beta`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.gamma, &mut self.dgamma, f);
        visit_array(&mut self.beta, &mut self.dbeta, f);
    }
}
