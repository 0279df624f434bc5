//! Helpers shared by the `nn_*` integration tests.
#![allow(dead_code)]

use eshikaku_kernels::nn::Params;
use eshikaku_kernels::nn::gradcheck::{GradReport, gradcheck, weighted_sum};
use ndarray::{Array4, ArrayD, Ix4, IxDyn};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::{Normal, Uniform};

/// Gradient checks in f64 must agree to this relative error.
pub const GRAD_TOL: f64 = 1e-6;
/// Finite-difference step.
pub const H: f64 = 1e-5;

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// Standard normal array of the given shape.
pub fn randn(shape: &[usize], seed: u64) -> ArrayD<f64> {
    ArrayD::random_using(IxDyn(shape), Normal::new(0.0, 1.0).unwrap(), &mut rng(seed))
}

/// Uniform array in `[lo, hi)`.
pub fn uniform(shape: &[usize], lo: f64, hi: f64, seed: u64) -> ArrayD<f64> {
    ArrayD::random_using(IxDyn(shape), Uniform::new(lo, hi).unwrap(), &mut rng(seed))
}

/// Normal values pushed at least `gap` away from 0 (for kinks at 0).
pub fn randn_away_from_zero(shape: &[usize], gap: f64, seed: u64) -> ArrayD<f64> {
    randn(shape, seed).mapv(|v| if v >= 0.0 { v + gap } else { v - gap })
}

pub fn to4(x: &ArrayD<f64>) -> Array4<f64> {
    x.clone().into_dimensionality::<Ix4>().unwrap()
}

/// Checks a one-input layer `y = f(x)` through `L = Σ u ⊙ y` for a seeded random `u`.
pub fn check_unary<L: Params<f64>>(
    layer: &mut L,
    x: ArrayD<f64>,
    forward: impl Fn(&mut L, &ArrayD<f64>) -> ArrayD<f64>,
    backward: impl Fn(&mut L, &ArrayD<f64>) -> ArrayD<f64>,
    seed: u64,
) -> GradReport<f64> {
    let y = forward(layer, &x);
    let u = randn(y.shape(), seed);
    let mut inputs = vec![x];
    gradcheck(
        layer,
        &mut inputs,
        |l, xs| weighted_sum(&u, &forward(l, &xs[0])),
        |l, xs| {
            forward(l, &xs[0]);
            vec![backward(l, &u)]
        },
        H,
    )
}

/// Asserts every entry of a report is below [`GRAD_TOL`] and returns the maximum.
pub fn assert_grads(name: &str, r: &GradReport<f64>) -> f64 {
    assert!(
        !r.inputs.is_empty() || !r.params.is_empty(),
        "{name}: nothing was checked"
    );
    let m = r.max();
    assert!(
        m < GRAD_TOL,
        "{name}: gradcheck relative error {m:e} (report {r:?})"
    );
    eprintln!("gradcheck {name}: max rel error {m:.3e}");
    m
}
