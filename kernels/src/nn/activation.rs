//! Activation functions: element-wise (`ReLU`, `LeakyReLU`, `Tanh`, `Sigmoid`) and `Softmax`.
//!
//! All accept arrays of any dimension. Element-wise layers cache the local derivative
//! `f'(x)` in `forward`, so `backward` is one multiplication `dL/dx = dL/dy ⊙ f'(x)`.

use super::{Float, NnError, Params};
use ndarray::{Array, ArrayD, ArrayRef, Axis, Dimension, Zip};

/// `dL/dx = dL/dy ⊙ f'(x)` with `f'(x)` cached as a dynamic-dimension array.
fn times_cached<A: Float, D: Dimension>(
    layer: &str,
    dout: &ArrayRef<A, D>,
    cached: &Option<ArrayD<A>>,
) -> Array<A, D> {
    let deriv = cached
        .as_ref()
        .unwrap_or_else(|| panic!("{layer}: backward called before forward"));
    assert_eq!(
        dout.shape(),
        deriv.shape(),
        "{layer}: dout shape differs from the output"
    );
    let mut dx = dout.to_owned();
    Zip::from(&mut dx)
        .and(deriv.view().into_dimensionality::<D>().expect("same shape"))
        .for_each(|d, &f| *d *= f);
    dx
}

// None of the activations has parameters.
impl<A: Float> Params<A> for ReLU<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for LeakyReLU<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for Tanh<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for Sigmoid<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float> Params<A> for Softmax<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

/// `y = max(0, x)`; `dy/dx = 1` if `x > 0`, else 0.
///
/// # Shapes
/// any; output same as input
#[derive(Debug, Clone, Default)]
pub struct ReLU<A> {
    mask: Option<ArrayD<A>>,
}

impl<A: Float> ReLU<A> {
    pub fn new() -> Self {
        Self { mask: None }
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        self.mask = Some(
            x.mapv(|v| if v > A::zero() { A::one() } else { A::zero() })
                .into_dyn(),
        );
        x.mapv(|v| v.max(A::zero()))
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        times_cached("ReLU", dout, &self.mask)
    }
}

/// `y = x` if `x > 0`, else `slope · x` (DCGAN's discriminator uses `slope = 0.2`).
///
/// # Shapes
/// any; output same as input
#[derive(Debug, Clone)]
pub struct LeakyReLU<A> {
    pub slope: A,
    deriv: Option<ArrayD<A>>,
}

impl<A: Float> Default for LeakyReLU<A> {
    /// Slope 0.2, as in DCGAN (Radford et al. 2016, §3).
    fn default() -> Self {
        Self {
            slope: A::lit(0.2),
            deriv: None,
        }
    }
}

impl<A: Float> LeakyReLU<A> {
    /// `slope` must be finite (0 gives ReLU, 1 the identity).
    pub fn new(slope: A) -> Result<Self, NnError> {
        if !slope.is_finite() {
            return Err(NnError::Invalid {
                layer: "LeakyReLU",
                reason: format!("slope {slope} must be finite"),
            });
        }
        Ok(Self { slope, deriv: None })
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        let s = self.slope;
        self.deriv = Some(
            x.mapv(|v| if v > A::zero() { A::one() } else { s })
                .into_dyn(),
        );
        x.mapv(|v| if v > A::zero() { v } else { s * v })
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        times_cached("LeakyReLU", dout, &self.deriv)
    }
}

/// `y = tanh(x)`; `dy/dx = 1 − y²` (DCGAN's generator output, in `[−1, 1]`).
///
/// # Shapes
/// any; output same as input
#[derive(Debug, Clone, Default)]
pub struct Tanh<A> {
    deriv: Option<ArrayD<A>>,
}

impl<A: Float> Tanh<A> {
    pub fn new() -> Self {
        Self { deriv: None }
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        let y = x.mapv(A::tanh);
        self.deriv = Some(y.mapv(|t| A::one() - t * t).into_dyn());
        y
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        times_cached("Tanh", dout, &self.deriv)
    }
}

/// `σ(x) = 1 / (1 + e^{−x})`; `dy/dx = y (1 − y)`.
///
/// # Shapes
/// any; output same as input
#[derive(Debug, Clone, Default)]
pub struct Sigmoid<A> {
    deriv: Option<ArrayD<A>>,
}

/// `σ(x)`, evaluated without overflow for large `|x|`.
pub fn sigmoid<A: Float>(x: A) -> A {
    if x >= A::zero() {
        A::one() / (A::one() + (-x).exp())
    } else {
        let e = x.exp();
        e / (A::one() + e)
    }
}

impl<A: Float> Sigmoid<A> {
    pub fn new() -> Self {
        Self { deriv: None }
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        let y = x.mapv(sigmoid);
        self.deriv = Some(y.mapv(|s| s * (A::one() - s)).into_dyn());
        y
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        times_cached("Sigmoid", dout, &self.deriv)
    }
}

/// Softmax over the **last axis**: `y_i = e^{x_i − max x} / Σ_j e^{x_j − max x}`
/// (subtracting the max changes nothing mathematically and prevents overflow).
///
/// Backward: `dL/dx = y ⊙ (dL/dy − Σ_j dL/dy_j · y_j)` — the Jacobian `diag(y) − y yᵀ` applied
/// without forming it. For classification use
/// [`softmax_cross_entropy`](super::loss::softmax_cross_entropy), whose gradient is simpler and
/// stabler.
///
/// # Shapes
/// any, e.g. `(N, K)`; output same as input
#[derive(Debug, Clone, Default)]
pub struct Softmax<A> {
    y: Option<ArrayD<A>>,
}

/// Softmax of each lane along the last axis (shared with the cross-entropy loss).
pub fn softmax_last_axis<A: Float, D: Dimension>(x: &ArrayRef<A, D>) -> Array<A, D> {
    let mut y = x.to_owned();
    let last = Axis(y.ndim().saturating_sub(1));
    for mut lane in y.lanes_mut(last) {
        let m = lane.fold(A::neg_infinity(), |m, &v| m.max(v));
        lane.mapv_inplace(|v| (v - m).exp());
        let s = lane.sum();
        lane.mapv_inplace(|v| v / s);
    }
    y
}

impl<A: Float> Softmax<A> {
    pub fn new() -> Self {
        Self { y: None }
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        let y = softmax_last_axis(x);
        self.y = Some(y.clone().into_dyn());
        y
    }

    /// # Panics
    /// If called before `forward`, or with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        let y = self
            .y
            .as_ref()
            .expect("Softmax: backward called before forward");
        assert_eq!(
            dout.shape(),
            y.shape(),
            "Softmax: dout shape differs from the output"
        );
        let y = y.view().into_dimensionality::<D>().expect("same shape");
        let mut dx = dout.to_owned();
        let last = Axis(dx.ndim().saturating_sub(1));
        Zip::from(dx.lanes_mut(last))
            .and(y.lanes(last))
            .for_each(|mut d, y| {
                let dot = d.iter().zip(&y).map(|(&a, &b)| a * b).sum::<A>();
                Zip::from(&mut d)
                    .and(&y)
                    .for_each(|di, &yi| *di = yi * (*di - dot));
            });
        dx
    }
}
