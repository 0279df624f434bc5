//! Activation functions: element-wise (`ReLU`, `LeakyReLU`, `Tanh`, `Sigmoid`) and `Softmax`.
//!
//! All accept arrays of any dimension. Element-wise layers cache the local derivative
//! `f'(x)` in `forward`, so `backward` is one multiplication `dL/dx = dL/dy ⊙ f'(x)`.

use super::{Float, NnError, Params};
use ndarray::{Array, ArrayD, ArrayRef, Axis, Dimension, Zip};

/// `dL/dx = dL/dy ⊙ f'(x)` with `f'(x)` cached as a dynamic-dimension array, in one pass.
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
    if let (Some(ds), Some(fs)) = (dout.as_slice(), deriv.as_slice()) {
        let dx = ds.iter().zip(fs).map(|(&d, &f)| d * f).collect();
        return Array::from_shape_vec(dout.raw_dim(), dx).expect("same element count");
    }
    // another memory order: kept (as `to_owned` keeps it), since later sums such as
    // `sum_axis` run in memory order and would round differently
    let mut dx = dout.to_owned();
    Zip::from(&mut dx)
        .and(deriv.view().into_dimensionality::<D>().expect("same shape"))
        .for_each(|d, &f| *d *= f);
    dx
}

/// `y = f(x)` and the cached `f'(x)` in **one** pass over `x`: `f` returns `(y, f'(x))`. The
/// previous step's derivative buffer is overwritten when the shape is unchanged (a layer sees
/// the same shape every step), so no allocation for it. An input in another memory order gets
/// outputs in its own order (as `mapv` gives them), in two passes.
fn map_with_deriv<A: Float, D: Dimension>(
    x: &ArrayRef<A, D>,
    cached: &mut Option<ArrayD<A>>,
    f: impl Fn(A) -> (A, A),
) -> Array<A, D> {
    let Some(xs) = x.as_slice() else {
        *cached = Some(x.mapv(|v| f(v).1).into_dyn());
        return x.mapv(|v| f(v).0);
    };
    let mut deriv = match cached.take() {
        Some(d) if d.shape() == x.shape() && d.is_standard_layout() => d,
        _ => ArrayD::zeros(x.shape()),
    };
    let dst = deriv.as_slice_mut().expect("standard layout");
    let y = xs
        .iter()
        .zip(dst)
        .map(|(&v, d)| {
            let (y, dy) = f(v);
            *d = dy;
            y
        })
        .collect();
    let y = Array::from_shape_vec(x.raw_dim(), y).expect("same element count");
    *cached = Some(deriv);
    y
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
        map_with_deriv(x, &mut self.mask, |v| {
            if v > A::zero() {
                (v, A::one())
            } else {
                (v.max(A::zero()), A::zero())
            }
        })
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
        map_with_deriv(x, &mut self.deriv, |v| {
            if v > A::zero() {
                (v, A::one())
            } else {
                (s * v, s)
            }
        })
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
        map_with_deriv(x, &mut self.deriv, |v| {
            let t = v.tanh();
            (t, A::one() - t * t)
        })
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
        map_with_deriv(x, &mut self.deriv, |v| {
            let s = sigmoid(v);
            (s, s * (A::one() - s))
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// The one-pass path gives what two `mapv` passes give; a transposed input keeps its memory
    /// order in the output and in `dL/dx` (later `sum_axis` calls round by memory order).
    #[test]
    fn one_pass_equals_two_maps_and_keeps_the_memory_order() {
        let x = Array2::from_shape_fn((3, 5), |(i, j)| (i as f64 - 1.2) * (j as f64 - 2.1));
        let dy = Array2::from_shape_fn((3, 5), |(i, j)| (i * 5 + j) as f64 / 7.0 - 1.0);
        for input in [
            x.clone(),
            x.t().as_standard_layout().into_owned().reversed_axes(),
        ] {
            let mut lrelu = LeakyReLU::default();
            let y = lrelu.forward(&input);
            assert_eq!(y, input.mapv(|v| if v > 0.0 { v } else { 0.2 * v }));
            assert_eq!(y.is_standard_layout(), input.is_standard_layout());
            let dx = lrelu.backward(&dy);
            let slope = input.mapv(|v| if v > 0.0 { 1.0 } else { 0.2 });
            assert_eq!(dx, &dy * &slope);
            let mut tanh = Tanh::new();
            let t = tanh.forward(&input);
            assert_eq!(t, input.mapv(f64::tanh));
            assert_eq!(tanh.backward(&dy), &dy * &t.mapv(|t| 1.0 - t * t));
        }
        let dy_t = dy.t().as_standard_layout().into_owned().reversed_axes();
        let mut relu = ReLU::new();
        relu.forward(&x);
        let dx = relu.backward(&dy_t);
        assert!(!dx.is_standard_layout(), "dL/dx keeps dL/dy's order");
        assert_eq!(dx, &dy * &x.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }));
    }
}
