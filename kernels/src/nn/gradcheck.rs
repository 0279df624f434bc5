//! Gradient checking by central finite differences.
//!
//! For a scalar objective `L(x, θ)` the analytic gradient from `backward` is compared with
//! `(L(v + h) − L(v − h)) / 2h` for every input element and every parameter element `v`.
//! The central difference is accurate to `O(h²)`, so in `f64` with `h = 1e-5` a correct backward
//! agrees to about `1e-9` relative. A layer `y = f(x)` is checked through the objective
//! `L = Σ u ⊙ y` for a fixed random `u`: then `dL/dy = u`, the upstream gradient fed to `backward`.
//!
//! Relative error of an array is `max|analytic − numeric| / max(max|numeric|, tiny)`.
//! Kinks (ReLU at 0, max-pool ties, L1 at 0, a hinge at its margin) make the finite difference
//! meaningless there; test inputs keep away from them.

use super::{Float, Params};
use ndarray::{ArrayD, ArrayRef, Dimension, Zip};

/// Relative errors of one gradient check: one entry per input, one per parameter tensor
/// (in [`Params::visit_params`] order).
#[derive(Debug, Clone, PartialEq)]
pub struct GradReport<A> {
    pub inputs: Vec<A>,
    pub params: Vec<A>,
}

impl<A: Float> GradReport<A> {
    /// The largest relative error over all inputs and parameters.
    pub fn max(&self) -> A {
        self.inputs
            .iter()
            .chain(&self.params)
            .fold(A::zero(), |m, &e| m.max(e))
    }
}

/// `max|got − want| / max(max|want|, tiny)`: the relative error used throughout the tests.
///
/// # Panics
/// If the slices differ in length.
pub fn rel_error<A: Float>(got: &[A], want: &[A]) -> A {
    assert_eq!(got.len(), want.len(), "rel_error: lengths differ");
    let diff = got
        .iter()
        .zip(want)
        .fold(A::zero(), |m, (&a, &b)| m.max((a - b).abs()));
    let scale = want.iter().fold(A::zero(), |m, &b| m.max(b.abs()));
    diff / scale.max(A::min_positive_value())
}

/// `Σ u ⊙ y`, the scalar through which a layer `y = f(x)` is checked (its `dL/dy` is `u`).
///
/// # Panics
/// If the shapes differ.
pub fn weighted_sum<A: Float, D: Dimension>(u: &ArrayRef<A, D>, y: &ArrayRef<A, D>) -> A {
    Zip::from(u)
        .and(y)
        .fold(A::zero(), |acc, &a, &b| acc + a * b)
}

/// Checks the gradients of `objective` w.r.t. every element of `inputs` and of every parameter
/// of `model`.
///
/// - `objective(model, inputs)` runs the forward pass and returns the scalar `L`.
/// - `analytic(model, inputs)` runs forward and backward once (gradients are zeroed before) and
///   returns `dL/d(input)` for each input; the parameter gradients are read from `model`.
///
/// Inputs that are not differentiated (labels, targets) are captured by the closures instead.
pub fn gradcheck<A, M>(
    model: &mut M,
    inputs: &mut [ArrayD<A>],
    mut objective: impl FnMut(&mut M, &[ArrayD<A>]) -> A,
    mut analytic: impl FnMut(&mut M, &[ArrayD<A>]) -> Vec<ArrayD<A>>,
    h: A,
) -> GradReport<A>
where
    A: Float,
    M: Params<A> + ?Sized,
{
    for x in inputs.iter_mut() {
        if !x.is_standard_layout() {
            *x = x.as_standard_layout().into_owned();
        }
    }
    model.zero_grad();
    let dinputs = analytic(model, inputs);
    assert_eq!(
        dinputs.len(),
        inputs.len(),
        "gradcheck: one input gradient per input"
    );
    let mut dparams: Vec<Vec<A>> = Vec::new();
    model.visit_params(&mut |_, g| dparams.push(g.to_vec()));

    let two_h = h + h;
    let mut report = GradReport {
        inputs: Vec::new(),
        params: Vec::new(),
    };
    for (i, dx) in dinputs.iter().enumerate() {
        assert_eq!(
            dx.shape(),
            inputs[i].shape(),
            "gradcheck: input gradient {i} has the wrong shape"
        );
        let mut numeric = Vec::with_capacity(dx.len());
        for j in 0..inputs[i].len() {
            let v = inputs[i].as_slice().expect("standard layout")[j];
            let mut eval = |value: A, model: &mut M, inputs: &mut [ArrayD<A>]| {
                inputs[i].as_slice_mut().expect("standard layout")[j] = value;
                objective(model, inputs)
            };
            let lp = eval(v + h, model, inputs);
            let lm = eval(v - h, model, inputs);
            inputs[i].as_slice_mut().expect("standard layout")[j] = v;
            numeric.push((lp - lm) / two_h);
        }
        let dx = dx.as_standard_layout();
        report
            .inputs
            .push(rel_error(dx.as_slice().expect("standard layout"), &numeric));
    }
    for (k, dp) in dparams.iter().enumerate() {
        let mut numeric = Vec::with_capacity(dp.len());
        for j in 0..dp.len() {
            let v = param_get(model, k, j);
            param_set(model, k, j, v + h);
            let lp = objective(model, inputs);
            param_set(model, k, j, v - h);
            let lm = objective(model, inputs);
            param_set(model, k, j, v);
            numeric.push((lp - lm) / two_h);
        }
        report.params.push(rel_error(dp, &numeric));
    }
    report
}

/// Element `j` of parameter tensor `k` (in visiting order).
fn param_get<A: Float, M: Params<A> + ?Sized>(model: &mut M, k: usize, j: usize) -> A {
    let mut out = A::zero();
    let mut idx = 0;
    model.visit_params(&mut |p, _| {
        if idx == k {
            out = p[j];
        }
        idx += 1;
    });
    out
}

/// Sets element `j` of parameter tensor `k` (in visiting order).
fn param_set<A: Float, M: Params<A> + ?Sized>(model: &mut M, k: usize, j: usize, value: A) {
    let mut idx = 0;
    model.visit_params(&mut |p, _| {
        if idx == k {
            p[j] = value;
        }
        idx += 1;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_error_is_relative_to_the_reference_scale() {
        assert!((rel_error(&[1.0, 2.1], &[1.0, 2.0]) - 0.05f64).abs() < 1e-12);
        assert_eq!(rel_error(&[0.0f64], &[0.0]), 0.0);
        assert!(rel_error(&[1e-3f64], &[0.0]) > 1e10);
    }
}
