//! `eshikaku run a2c --json` and `eshikaku run a3c --json` (deterministic mode) solve
//! CartPole-v1: greedy mean return ≥ 475 over 100 episodes, reported as a passing metric.

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

fn eval_return_mean(v: &serde_json::Value) -> f64 {
    let metrics = v["metrics"].as_array().expect("metrics");
    assert!(metrics.iter().all(|m| m["pass"] == true), "{metrics:?}");
    metrics
        .iter()
        .find(|m| m["name"] == "eval_return_mean")
        .and_then(|m| m["value"].as_f64())
        .expect("eval_return_mean")
}

#[test]
fn run_a2c_json_solves_cartpole() {
    let v = run_json(&["run", "a2c", "--json"]);
    assert_eq!(v["config"]["n_envs"], 8);
    let mean = eval_return_mean(&v);
    assert!(mean >= 475.0, "eval_return_mean = {mean}");
}

#[test]
fn run_a3c_json_deterministic_solves_cartpole() {
    let v = run_json(&["run", "a3c", "--json", "--set", "deterministic=true"]);
    assert_eq!(v["config"]["deterministic"], true);
    let mean = eval_return_mean(&v);
    assert!(mean >= 475.0, "eval_return_mean = {mean}");
}
