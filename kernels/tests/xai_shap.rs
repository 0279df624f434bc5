//! The `shap` kernel: its default run reaches every target, exact and KernelSHAP values match
//! the shap library's exact explainer (`tools/peers/gen_shap.py`) within 1e-8, the Shapley
//! axioms hold, and the trace is deterministic and snapshotted.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use eshikaku_kernels::xai::shap::{
    all_coalitions, coalition_values, exact_shapley, kernel_shap, kernel_shap_sampled,
};
use kernel_util::{assert_declared_steps, assert_goals_met, metric};
use ndarray::{Array1, Array2, ArrayRef2, array};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use serde_json::Value;
use std::sync::OnceLock;

const TOL: f64 = 1e-8;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("shap", seed, settings).expect("runs")
}

fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &[]))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("shap", report);
    assert!(metric(report, "kernel_sampled_err").is_finite());
}

/// The golden's function, written again from its description.
fn golden_f(x: &ArrayRef2<f64>) -> Array1<f64> {
    x.rows()
        .into_iter()
        .map(|r| r[0] * r[1] + r[2].sin() + 0.5 * r[3] * r[3] - r[4] + 0.3 * r[0] * r[2] * r[3])
        .collect()
}

fn rows(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("number"))
                .collect()
        })
        .collect();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

#[test]
fn exact_and_kernel_shap_match_the_shap_library() {
    let g: Value = serde_json::from_str(include_str!("goldens/shap.json")).expect("shap.json");
    let (background, xs, want) = (rows(&g["background"]), rows(&g["rows"]), rows(&g["values"]));
    let m = xs.ncols();
    let mut f = |z: &ArrayRef2<f64>| golden_f(z);
    let (mut exact_err, mut kernel_err) = (0.0f64, 0.0f64);
    for (i, x) in xs.rows().into_iter().enumerate() {
        let v = coalition_values(&mut f, &x, &background);
        let base = g["base_values"][i].as_f64().expect("base value");
        assert!((v[0] - base).abs() <= TOL, "E_B f: {} vs {base}", v[0]);
        let phi = exact_shapley(&v, m);
        let ks = kernel_shap(m, &all_coalitions(m), &|mask| v[mask])
            .expect("all coalitions determine φ");
        for j in 0..m {
            exact_err = exact_err.max((phi[j] - want[[i, j]]).abs());
            kernel_err = kernel_err.max((ks[j] - want[[i, j]]).abs());
        }
    }
    assert!(exact_err <= TOL, "exact vs shap: {exact_err:e}");
    assert!(
        kernel_err <= TOL,
        "KernelSHAP (all coalitions) vs shap: {kernel_err:e}"
    );
}

#[test]
fn shapley_axioms_dummy_symmetry_efficiency() {
    // f = x0·x1 + 2·x2, x3 unused; x0 and x1 enter symmetrically.
    let mut f = |z: &ArrayRef2<f64>| {
        z.rows()
            .into_iter()
            .map(|r| r[0] * r[1] + 2.0 * r[2])
            .collect::<Array1<f64>>()
    };
    let background = array![[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, -1.0, 5.0]];
    let x = array![2.0, 2.0, 1.0, -3.0];
    let v = coalition_values(&mut f, &x, &background);
    let phi = exact_shapley(&v, 4);
    assert_eq!(phi[3], 0.0, "dummy");
    assert!((phi[0] - phi[1]).abs() < 1e-15, "symmetry");
    assert!((phi.sum() - (v[15] - v[0])).abs() < 1e-12, "efficiency");
}

#[test]
fn sampled_kernel_shap_improves_with_more_coalitions() {
    // Three-way interactions: paired sampling alone is exact for at most pairwise ones.
    let mut f = |z: &ArrayRef2<f64>| {
        z.rows()
            .into_iter()
            .map(|r| r[0] * r[1] * r[2] + (r[3] + r[4] * r[5]).sin() + r[0] * r[3] * r[5])
            .collect::<Array1<f64>>()
    };
    let background = Array2::from_shape_fn((30, 6), |(i, j)| ((i * 6 + j) as f64 * 0.7).sin());
    let x = array![1.0, -1.5, 0.5, 2.0, 1.0, -0.5];
    let v = coalition_values(&mut f, &x, &background);
    let exact = exact_shapley(&v, 6);
    let err = |n: usize, seed: u64| {
        let (est, _) = kernel_shap_sampled(6, n, &|mask| v[mask], &mut StdRng::seed_from_u64(seed));
        (&est - &exact).iter().fold(0.0f64, |m, e| m.max(e.abs()))
    };
    let few: f64 = (0..10).map(|s| err(24, s)).sum::<f64>() / 10.0;
    let many: f64 = (0..10).map(|s| err(2048, s)).sum::<f64>() / 10.0;
    assert!(
        many < few / 4.0,
        "mean error 24 coalitions {few}, 2048 coalitions {many}"
    );
    // Too few coalitions to determine φ: the sampler keeps drawing until they do.
    let (_, used) = kernel_shap_sampled(6, 2, &|mask| v[mask], &mut StdRng::seed_from_u64(0));
    assert!(used >= 6, "{used} coalitions cannot determine 5 unknowns");
}

#[test]
fn only_declared_steps_are_recorded() {
    let (_, steps) = default_run();
    assert_declared_steps("shap", steps);
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
