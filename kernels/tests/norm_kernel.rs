//! The `norm` kernel's default run reaches its targets, records only declared steps, and is
//! deterministic for a seed.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, declared_keys};

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("norm", seed, settings).expect("runs")
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = run(0, &[]);
    assert_goals_met("norm", &report);
}

#[test]
fn other_seeds_and_shapes_still_pass() {
    for (seed, settings) in [
        (1, vec![]),
        (2, vec!["batch=16", "channels=8", "groups=4", "size=5"]),
        (3, vec!["size=1", "batch=2"]),
    ] {
        let (report, _) = run(seed, &settings);
        assert!(
            report.passed(),
            "seed {seed} {settings:?}: {:?}",
            report.metrics
        );
    }
}

#[test]
fn only_declared_steps_are_recorded_in_order() {
    let (_, steps) = run(0, &[]);
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, declared_keys("norm"));
    assert_declared_steps("norm", &steps);
}

#[test]
fn same_seed_same_trace_other_seed_other_data() {
    let a = serde_json::to_string(&run(5, &[]).1).expect("json");
    let b = serde_json::to_string(&run(5, &[]).1).expect("json");
    let c = serde_json::to_string(&run(6, &[]).1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    let (_, steps) = run(0, &[]);
    insta::assert_snapshot!(summarize(&steps));
}
