//! The `lime` kernel: its default run reaches every target, LIME recovers a linear model
//! exactly, and the trace is deterministic and snapshotted.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use eshikaku_kernels::xai::lime::{explain, top_features, weighted_ridge};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes};
use ndarray::{Array1, ArrayRef2, array};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use std::sync::OnceLock;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("lime", seed, settings).expect("runs")
}

fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &[]))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("lime", report);
}

#[test]
fn other_seeds_pass_too() {
    for seed in [1, 2] {
        let (report, _) = run(seed, &[]);
        assert_goals_met("lime", &report);
    }
}

#[test]
fn lime_recovers_a_linear_model_exactly() {
    // f(z) = 3 + w·z is its own best local surrogate: β = w ⊙ σ (standardised units), R² = 1.
    let w = array![1.5, -2.0, 0.0, 0.25];
    let mut f = |z: &ArrayRef2<f64>| z.dot(&w) + 3.0;
    let (mean, scale) = (array![0.0, 1.0, -1.0, 0.0], array![1.0, 2.0, 0.5, 1.0]);
    let x = array![0.3, -0.2, 1.0, 2.0];
    let e = explain(
        &mut f,
        &x,
        &mean,
        &scale,
        500,
        1.5,
        0.0,
        &mut StdRng::seed_from_u64(0),
    )
    .expect("fits");
    let want = &w * &scale;
    assert!(
        (&e.coef - &want).iter().all(|v| v.abs() < 1e-9),
        "{} vs {want}",
        e.coef
    );
    assert!((e.r2 - 1.0).abs() < 1e-12);
    assert_eq!(top_features(&e.coef, 2), vec![0, 1]);
    assert_eq!(e.samples.row(0), x, "the first sample is x itself");
}

#[test]
fn ridge_shrinks_and_ignores_zero_weights() {
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let y = array![1.0, 3.0, 5.0, 100.0];
    let (b0, c0) = weighted_ridge(&x, &y, &array![1.0, 1.0, 1.0, 0.0], 0.0).expect("regular");
    assert!(
        (b0[0] - 2.0).abs() < 1e-12 && (c0 - 1.0).abs() < 1e-12,
        "slope 2, intercept 1"
    );
    let (b1, _) = weighted_ridge(&x, &y, &array![1.0, 1.0, 1.0, 0.0], 10.0).expect("regular");
    assert!(
        b1[0] < b0[0] && b1[0] > 0.0,
        "α > 0 shrinks the slope: {b1}"
    );
    assert!(
        weighted_ridge(&x, &y, &Array1::zeros(4), 0.0).is_none(),
        "no weight, no fit"
    );
}

#[test]
fn only_declared_steps_are_recorded() {
    let (_, steps) = default_run();
    assert_declared_steps("lime", steps);
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let a = serde_json::to_string(&default_run().1).expect("json");
    let b = serde_json::to_string(&run(0, &[]).1).expect("json");
    let c = serde_json::to_string(&run(1, &[]).1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    insta::assert_snapshot!(summarize(&default_run().1));
}
