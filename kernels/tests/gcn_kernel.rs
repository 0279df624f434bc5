//! The `gcn` kernel: its default run reaches every target, the graph matrices and spectrum match
//! networkx / numpy / scipy (`tools/peers/gen_gcn.py`) to 1e-9, the Chebyshev error shrinks with
//! K, and the trace is deterministic and snapshotted.

mod kernel_util;

use eshikaku_kernels::data::karate::Karate;
use eshikaku_kernels::gcn::{eigen, graph, spectral};
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, declared_keys, json_bytes, metric};
use ndarray::{Array1, Array2};
use serde_json::Value;
use std::sync::OnceLock;

const TOL: f64 = 1e-9;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("gcn", seed, settings).expect("runs")
}

/// The default run (with wall-clock timing), shared by the tests that only read it.
fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &[]))
}

/// The default run without timing: deterministic, so it can be snapshotted and compared.
fn untimed_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &["time_costs=false"]))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("gcn", report);
    assert!(
        metric(report, "eig_ms_at_max_n") > 0.0 && metric(report, "propagate_ms_at_max_n") > 0.0
    );
}

#[test]
fn other_seeds_train_too() {
    for seed in [1, 2, 3] {
        let (report, _) = run(seed, &["time_costs=false"]);
        assert_goals_met("gcn", &report);
    }
}

#[test]
fn a_first_order_chebyshev_filter_misses_the_target_honestly() {
    let (report, _) = run(0, &["cheb_k=1", "time_costs=false", "cost_max_n=80"]);
    let m = report.metric("cheb_vs_spectral_err").expect("metric");
    assert!(!m.pass && m.value > 0.1, "{m:?}");
}

#[test]
fn chebyshev_error_shrinks_with_k() {
    let k = Karate::load();
    let lap = graph::normalised_laplacian(k.len(), &k.edges);
    let eig = eigen::jacobi_eigen(&lap.to_dense(), 100).expect("converges");
    let g = |l: f64| (-1.5 * l).exp();
    let mut x = Array1::zeros(k.len());
    x[0] = 1.0;
    x[33] = -1.0;
    let exact = spectral::spectral_filter(&eig, g, &x);
    let errs: Vec<f64> = (1..=10)
        .map(|kk| {
            let y = spectral::chebyshev_filter(
                &lap,
                &spectral::chebyshev_coefficients(g, kk, 2.0),
                2.0,
                &x,
            );
            (&y - &exact).iter().fold(0.0f64, |m, v| m.max(v.abs()))
        })
        .collect();
    assert!(errs.windows(2).all(|w| w[1] < w[0]), "{errs:?}");
    assert!(errs[9] < 1e-8 * errs[0], "{errs:?}");
}

fn golden() -> Value {
    serde_json::from_str(include_str!("goldens/gcn.json")).expect("gcn.json")
}

fn matrix(v: &Value) -> Array2<f64> {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|s| s.as_u64().expect("dim") as usize)
        .collect();
    let data: Vec<f64> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    Array2::from_shape_vec((shape[0], shape[1]), data).expect("shape matches")
}

fn vector(v: &Value) -> Array1<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn edges(v: &Value) -> Vec<(usize, usize)> {
    v.as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e[0].as_u64().expect("u") as usize,
                e[1].as_u64().expect("v") as usize,
            )
        })
        .collect()
}

fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

#[test]
fn shipped_karate_data_is_networkx_s() {
    let g = golden();
    let k = Karate::load();
    assert_eq!(k.edges, edges(&g["karate"]["edges"]));
    let factions: Vec<u8> = g["karate"]["factions"]
        .as_array()
        .expect("factions")
        .iter()
        .map(|f| f.as_u64().expect("0/1") as u8)
        .collect();
    assert_eq!(k.factions, factions);
}

#[test]
fn normalised_adjacency_and_laplacian_match_networkx() {
    let g = golden();
    let k = Karate::load();
    let a_hat = graph::renormalised_adjacency(k.len(), &k.edges).to_dense();
    let lap = graph::normalised_laplacian(k.len(), &k.edges).to_dense();
    let (ea, el) = (
        max_diff(&a_hat, &matrix(&g["karate"]["a_hat"])),
        max_diff(&lap, &matrix(&g["karate"]["laplacian"])),
    );
    assert!(ea <= TOL && el <= TOL, "Â err {ea:e}, L err {el:e}");
}

#[test]
fn laplacian_eigenvalues_match_lapack() {
    let g = golden();
    let k = Karate::load();
    let lap = graph::normalised_laplacian(k.len(), &k.edges).to_dense();
    let eig = eigen::jacobi_eigen(&lap, 100).expect("converges");
    let err = (&eig.values - &vector(&g["karate"]["eigenvalues"]))
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(err <= TOL, "karate eigenvalues err {err:e}");
    // A random graph with isolated members (zero rows in L): networkx's convention.
    let n = g["random"]["n"].as_u64().expect("n") as usize;
    let lap = graph::normalised_laplacian(n, &edges(&g["random"]["edges"])).to_dense();
    let eig = eigen::jacobi_eigen(&lap, 100).expect("converges");
    let err = (&eig.values - &vector(&g["random"]["eigenvalues"]))
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(err <= TOL, "random graph eigenvalues err {err:e}");
}

#[test]
fn spectral_heat_filter_matches_the_matrix_exponential() {
    let g = golden();
    let h = &g["karate"]["heat_filter"];
    let tau = h["tau"].as_f64().expect("tau");
    let k = Karate::load();
    let lap = graph::normalised_laplacian(k.len(), &k.edges).to_dense();
    let eig = eigen::jacobi_eigen(&lap, 100).expect("converges");
    let y = spectral::spectral_filter(&eig, |l| (-tau * l).exp(), &vector(&h["x"]));
    let err = (&y - &vector(&h["y"]))
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(err <= TOL, "U exp(−τΛ) Uᵀ x vs expm(−τL) x: {err:e}");
}

#[test]
fn only_declared_steps_are_recorded_in_order() {
    let (_, steps) = untimed_run();
    assert_declared_steps("gcn", steps);
    let mut firsts: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    firsts.dedup();
    assert_eq!(
        firsts,
        declared_keys("gcn"),
        "each step once, in declared order (train repeats)"
    );
    assert_eq!(steps.iter().filter(|s| s.key == "train").count(), 5);
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let a = serde_json::to_string(&untimed_run().1).expect("json");
    let b = serde_json::to_string(&run(0, &["time_costs=false"]).1).expect("json");
    let c = serde_json::to_string(&run(9, &["time_costs=false"]).1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

/// Snapshotted without wall-clock timing (`time_costs=false`), which would differ on every run.
#[test]
fn trace_summary_snapshot() {
    insta::assert_snapshot!(summarize(&untimed_run().1));
}
