//! The `a2c` kernel: its default run solves CartPole-v1 (greedy mean return ≥ 475 over 100
//! episodes), records only declared steps with a small trace, and is deterministic for a seed.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes};
use std::sync::OnceLock;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("a2c", seed, settings).expect("runs")
}

/// The default run (about 4 s), shared by the tests of this file.
fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &[]))
}

#[test]
fn default_run_solves_cartpole() {
    let (report, _) = default_run();
    assert_goals_met("a2c", report);
    // The greedy checks reached 475 within the budget, and training episodes got long.
    assert!(
        report
            .metric("first_solved_step")
            .is_some_and(|m| m.value <= 500_000.0)
    );
    assert!(
        report
            .metric("train_return_last100")
            .is_some_and(|m| m.value >= 400.0)
    );
}

#[test]
fn only_declared_steps_in_order_and_a_small_trace() {
    let (_, steps) = default_run();
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    let mut want = vec!["environment", "network", "rollout", "loss"];
    want.extend(std::iter::repeat_n("training", 20)); // every 25k of 500k steps
    want.extend(["evaluation", "metrics"]);
    assert_eq!(keys, want);
    assert_declared_steps("a2c", steps);
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn the_final_policy_balances_in_the_animation() {
    let (_, steps) = default_run();
    let eval = steps.iter().find(|s| s.key == "evaluation").expect("step");
    let frames = eval
        .values
        .iter()
        .find_map(|v| match v {
            Value::CartPole(c) => Some(&c.frames),
            _ => None,
        })
        .expect("cart-pole frames");
    assert_eq!(frames.len(), 501, "start + 500 steps");
    assert!(
        frames
            .iter()
            .all(|[x, th]| x.abs() <= 2.4 && th.abs() <= 0.2095)
    );
    // The random policy of the first step falls well before that.
    let random = steps[0]
        .values
        .iter()
        .find_map(|v| match v {
            Value::CartPole(c) => Some(c.frames.len()),
            _ => None,
        })
        .expect("random episode");
    assert!(random < 200, "{random}");
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let short = ["total_steps=8000", "eval_every=4000", "eval_episodes=5"];
    let a = serde_json::to_string(&run(3, &short).1).expect("json");
    let b = serde_json::to_string(&run(3, &short).1).expect("json");
    let c = serde_json::to_string(&run(4, &short).1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    insta::assert_snapshot!(summarize(&default_run().1));
}
