//! Fully connected (affine) layer.

use super::params::visit_array;
use super::{Float, NnError, Params, init};
use ndarray::{Array1, Array2, ArrayRef2, Axis};
use ndarray_rand::rand::Rng;

/// `y = x W + b`, the `Affine` layer of ゼロから作るDeep Learning.
///
/// Backward: `dL/dx = dL/dy · Wᵀ`, `dL/dW += xᵀ · dL/dy`, `dL/db += Σ_n dL/dy`.
///
/// `W` is stored `(in, out)` as in the textbook (PyTorch stores its transpose `(out, in)`).
/// [`Linear::new`] draws `W` and `b` from PyTorch's default `U(−1/√in, 1/√in)`; a kernel that
/// wants another initialiser overwrites them with a function from [`init`].
///
/// # Shapes
/// - input `x`: `(N, in)`; output `y`: `(N, out)`
/// - `w`, `dw`: `(in, out)`; `b`, `db`: `(out,)`
#[derive(Debug, Clone)]
pub struct Linear<A: Float> {
    pub w: Array2<A>,
    pub b: Array1<A>,
    pub dw: Array2<A>,
    pub db: Array1<A>,
    x: Option<Array2<A>>,
}

impl<A: Float> Linear<A> {
    /// A layer `in_features → out_features` with PyTorch's default initialisation.
    pub fn new<R: Rng + ?Sized>(
        in_features: usize,
        out_features: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        if in_features == 0 || out_features == 0 {
            return Err(NnError::Zero {
                layer: "Linear",
                what: "in_features and out_features",
            });
        }
        let mut layer = Self::zeros(in_features, out_features);
        init::pytorch_default(&mut layer.w, in_features, rng);
        init::pytorch_default(&mut layer.b, in_features, rng);
        Ok(layer)
    }

    fn zeros(in_features: usize, out_features: usize) -> Self {
        Self {
            w: Array2::zeros((in_features, out_features)),
            b: Array1::zeros(out_features),
            dw: Array2::zeros((in_features, out_features)),
            db: Array1::zeros(out_features),
            x: None,
        }
    }

    /// `(N, in) -> (N, out)`.
    ///
    /// # Panics
    /// If `x` does not have `in` columns.
    pub fn forward(&mut self, x: &ArrayRef2<A>) -> Array2<A> {
        assert_eq!(
            x.ncols(),
            self.w.nrows(),
            "Linear: input has {} features, layer expects {}",
            x.ncols(),
            self.w.nrows()
        );
        let y = x.dot(&self.w) + &self.b;
        self.x = Some(x.to_owned());
        y
    }

    /// `(N, out) -> (N, in)`; accumulates `dw`, `db`.
    ///
    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward(&mut self, dout: &ArrayRef2<A>) -> Array2<A> {
        let x = self
            .x
            .as_ref()
            .expect("Linear: backward called before forward");
        assert_eq!(
            dout.dim(),
            (x.nrows(), self.w.ncols()),
            "Linear: dout shape differs from the output"
        );
        // dW += xᵀ · dy   (in, N)·(N, out)
        ndarray::linalg::general_mat_mul(A::one(), &x.t(), dout, A::one(), &mut self.dw);
        self.db += &dout.sum_axis(Axis(0));
        // dx = dy · Wᵀ   (N, out)·(out, in)
        dout.dot(&self.w.t())
    }
}

impl<A: Float> Params<A> for Linear<A> {
    /// Order: `w`, `b`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        visit_array(&mut self.w, &mut self.dw, f);
        visit_array(&mut self.b, &mut self.db, f);
    }
}
