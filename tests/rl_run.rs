//! `eshikaku run a2c --json` and `eshikaku run a3c --json` (deterministic mode) solve
//! CartPole-v1: the greedy mean return over 100 episodes meets the kernel's declared goal
//! (`eval_return_mean`, read from the registry), reported as a passing metric.

use std::process::Command;

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_eshikaku"))
        .args(args)
        .output()
        .expect("binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Asserts that every metric of the run passes and that `eval_return_mean` meets kernel
/// `id`'s declared goal.
fn assert_solved(id: &str, v: &serde_json::Value) {
    let goal = eshikaku_kernels::registry::find(id)
        .expect("registered")
        .goal("eval_return_mean")
        .expect("declared goal");
    let metrics = v["metrics"].as_array().expect("metrics");
    assert!(metrics.iter().all(|m| m["pass"] == true), "{metrics:?}");
    let mean = metrics
        .iter()
        .find(|m| m["name"] == goal.metric)
        .and_then(|m| m["value"].as_f64())
        .expect("eval_return_mean");
    assert!(
        goal.target.met_by(mean),
        "{} = {mean} vs {}",
        goal.metric,
        goal.target
    );
}

#[test]
fn run_a2c_json_solves_cartpole() {
    let v = run_json(&["run", "a2c", "--json"]);
    assert_eq!(v["config"]["n_envs"], 8);
    assert_solved("a2c", &v);
}

#[test]
fn run_a3c_json_deterministic_solves_cartpole() {
    let v = run_json(&["run", "a3c", "--json", "--set", "deterministic=true"]);
    assert_eq!(v["config"]["deterministic"], true);
    assert_solved("a3c", &v);
}
