//! The `a3c` kernel: in deterministic mode its default run solves CartPole-v1 (greedy mean
//! return ≥ 475 over 100 episodes) with the staleness of lock-step workers, reproducibly; with
//! real threads (the TUI's default) it spends exactly its step budget and solves CartPole in
//! 3 of 3 runs. Speed is measured by `benches/a3c.rs`.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, metric};
use std::sync::OnceLock;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("a3c", seed, settings).expect("runs")
}

/// The default run in deterministic mode (about 5 s), shared by the tests of this file.
fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &["deterministic=true"]))
}

#[test]
fn deterministic_default_run_solves_cartpole() {
    let (report, _) = default_run();
    assert_goals_met("a3c", report);
    // 2 workers × 4 envs × 5 steps = 40 env steps per round of 2 updates.
    assert_eq!(metric(report, "updates"), 500_000.0 / 20.0);
    // Lock-step workers: worker k's gradient is k updates stale, so the mean is (W − 1)/2.
    assert_eq!(metric(report, "mean_staleness"), 0.5);
    assert!(
        report.metric("env_steps_per_sec").is_none(),
        "no timing when deterministic"
    );
}

#[test]
fn only_declared_steps_in_order_and_a_small_trace() {
    let (_, steps) = default_run();
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    let mut want = vec![
        "environment",
        "network",
        "workers",
        "rollout",
        "loss",
        "async_updates",
    ];
    want.extend(std::iter::repeat_n("training", 20));
    want.extend(["evaluation", "throughput", "metrics"]);
    assert_eq!(keys, want);
    assert_declared_steps("a3c", steps);
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn deterministic_mode_is_reproducible_and_staleness_grows_with_workers() {
    let short = [
        "deterministic=true",
        "total_steps=9000",
        "eval_every=3000",
        "workers=3",
    ];
    let (ra, a) = run(5, &short);
    let (_, b) = run(5, &short);
    let (_, c) = run(6, &short);
    let json = |s: &Vec<Step>| serde_json::to_string(s).expect("json");
    assert_eq!(json(&a), json(&b));
    assert_ne!(json(&a), json(&c));
    assert_eq!(
        metric(&ra, "mean_staleness"),
        1.0,
        "3 workers: (0 + 1 + 2)/3"
    );
}

#[test]
fn real_threads_spend_exactly_the_step_budget() {
    let (report, steps) = run(1, &["total_steps=40000", "eval_every=10000", "workers=2"]);
    // 40 000 steps in rollouts of 4 envs × 5 steps: exactly 2000 updates, whatever the order.
    assert_eq!(metric(&report, "updates"), 2000.0);
    assert_eq!(metric(&report, "env_steps"), 40_000.0);
    assert!(steps.iter().any(|s| s.key == "throughput"));
}

/// The TUI's default: real threads, so no two runs are alike. Rule: all three default runs
/// (seeds 0, 1, 2) solve CartPole (greedy mean return over 100 episodes meets the kernel's
/// declared goal). Earlier, 21 of 22 threaded default runs reached 500 and one (seed 1, loaded
/// machine) ended at 453.6, so the rule was 2 of 3. On 2026-12-07 (load ≈ 11–12) seeds 0–19
/// reached 500 in 20 of 20 runs both before and after the kernel began evaluating the best
/// checkpoint (which was the final network in all 20): the failure did not reproduce, and the
/// checkpoint rule guards against a final dip rather than being shown to fix one.
#[test]
fn threaded_default_runs_solve_cartpole_3_of_3() {
    let goal = eshikaku_kernels::registry::find("a3c")
        .expect("registered")
        .goal("eval_return_mean")
        .expect("declared goal");
    let returns: Vec<f64> = (0..3)
        .map(|seed| metric(&run(seed, &[]).0, goal.metric))
        .collect();
    assert!(
        returns.iter().all(|&r| goal.target.met_by(r)),
        "{returns:?} vs {}",
        goal.target
    );
}

#[test]
fn trace_summary_snapshot() {
    insta::assert_snapshot!(summarize(&default_run().1));
}
