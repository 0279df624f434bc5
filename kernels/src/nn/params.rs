//! Visiting a model's `(parameter, gradient)` pairs — what optimisers and checks need.

use super::Float;
use ndarray::{Array, Dimension};

/// Anything with trainable parameters: a layer, or a model made of layers.
///
/// [`Params::visit_params`] calls `f(param, grad)` once per parameter tensor, as flat slices of
/// equal length, **always in the same order** (optimisers keep their per-parameter state by
/// position in this order). A layer without parameters visits nothing.
///
/// A model implements it by visiting its layers in a fixed order:
///
/// ```
/// use eshikaku_kernels::nn::{BatchNorm2d, GroupNorm, Params};
/// struct Block { bn: BatchNorm2d<f32>, gn: GroupNorm<f32> }
/// impl Params<f32> for Block {
///     fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
///         self.bn.visit_params(f);
///         self.gn.visit_params(f);
///     }
/// }
/// let mut block = Block { bn: BatchNorm2d::new(4)?, gn: GroupNorm::new(2, 4)? };
/// assert_eq!(block.num_params(), 16); // γ and β of both layers
/// # Ok::<(), eshikaku_kernels::nn::NnError>(())
/// ```
pub trait Params<A: Float> {
    /// Calls `f(param, grad)` for every parameter tensor, in a fixed order.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A]));

    /// Sets every parameter gradient to zero (gradients accumulate in `backward`).
    fn zero_grad(&mut self) {
        self.visit_params(&mut |_, g| g.fill(A::zero()));
    }

    /// Total number of scalar parameters.
    fn num_params(&mut self) -> usize {
        let mut n = 0;
        self.visit_params(&mut |p, _| n += p.len());
        n
    }
}

/// Nothing to train: lets [`gradcheck`](super::gradcheck::gradcheck) check a loss function.
impl<A: Float> Params<A> for () {
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}

impl<A: Float, T: Params<A>> Params<A> for [T] {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        for layer in self {
            layer.visit_params(f);
        }
    }
}

impl<A: Float, T: Params<A>> Params<A> for Vec<T> {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.as_mut_slice().visit_params(f);
    }
}

/// Calls `f` on one parameter array and its gradient as flat row-major slices.
///
/// Parameters are public fields, so a caller may have replaced one with a transposed or sliced
/// array; such an array is first copied into standard layout, so `param[i]` and `grad[i]` always
/// refer to the same element.
///
/// # Panics
/// If `param` and `grad` have different shapes (a layer bug or a caller who replaced only one).
pub fn visit_array<A: Float, D: Dimension>(
    param: &mut Array<A, D>,
    grad: &mut Array<A, D>,
    f: &mut dyn FnMut(&mut [A], &mut [A]),
) {
    assert_eq!(
        param.shape(),
        grad.shape(),
        "a parameter and its gradient must have one shape"
    );
    make_standard(param);
    make_standard(grad);
    if let (Some(p), Some(g)) = (param.as_slice_mut(), grad.as_slice_mut()) {
        f(p, g);
    }
}

/// Copies `a` into standard (row-major, contiguous) layout if it is not already.
fn make_standard<A: Float, D: Dimension>(a: &mut Array<A, D>) {
    if !a.is_standard_layout() {
        *a = a.as_standard_layout().into_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    struct Two {
        w: Array2<f64>,
        dw: Array2<f64>,
    }
    impl Params<f64> for Two {
        fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f64], &mut [f64])) {
            visit_array(&mut self.w, &mut self.dw, f);
        }
    }

    #[test]
    fn transposed_param_is_visited_in_row_major_order() {
        let mut t = Two {
            w: array![[1.0, 2.0], [3.0, 4.0]].reversed_axes(),
            dw: Array2::ones((2, 2)),
        };
        let mut seen = Vec::new();
        t.visit_params(&mut |p, _| seen.extend_from_slice(p));
        assert_eq!(seen, vec![1.0, 3.0, 2.0, 4.0]);
        assert_eq!(t.num_params(), 4);
        t.zero_grad();
        assert_eq!(t.dw.sum(), 0.0);
    }
}
