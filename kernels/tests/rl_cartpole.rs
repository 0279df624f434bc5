//! CartPole-v1 against Gymnasium (`tools/peers/gen_cartpole.py`): from fixed start states and
//! fixed action sequences, every step's float64 state must match Gymnasium's to 1e-6 (it
//! matches bit for bit), the float32 observation exactly, and reward, `terminated` and
//! `truncated` must agree at every step.

use eshikaku_kernels::rl::cartpole::{CartPole, MAX_EPISODE_STEPS, THETA_THRESHOLD};
use serde_json::Value;

const TOL: f64 = 1e-6;

fn golden() -> Value {
    let text = include_str!("goldens/rl_cartpole.json");
    serde_json::from_str(text).expect("valid golden JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Replays every golden case; returns the largest state error over all steps of all cases.
fn replay_all() -> (f64, usize) {
    let g = golden();
    let cases = g["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 6, "the generator writes six cases");
    let (mut max_err, mut steps) = (0.0f64, 0);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let start: [f64; 4] = floats(&case["start"]).try_into().expect("4 numbers");
        let actions = case["actions"].as_array().expect("actions");
        let want = case["steps"].as_array().expect("steps");
        assert_eq!(actions.len(), want.len(), "{name}");
        let mut env = CartPole::from_state(start);
        for (t, (a, w)) in actions.iter().zip(want).enumerate() {
            let got = env.step(a.as_u64().expect("action") as usize);
            let state = floats(&w["state"]);
            for (k, (&ours, &theirs)) in env.state.iter().zip(&state).enumerate() {
                let err = (ours - theirs).abs();
                max_err = max_err.max(err);
                assert!(
                    err <= TOL,
                    "{name} step {t} state[{k}]: ours {ours} gymnasium {theirs}"
                );
            }
            let obs = floats(&w["obs"]);
            for (k, (&ours, &theirs)) in got.obs.iter().zip(&obs).enumerate() {
                assert_eq!(f64::from(ours), theirs, "{name} step {t} obs[{k}]");
            }
            assert_eq!(f64::from(got.reward), w["reward"].as_f64().expect("reward"));
            assert_eq!(
                Some(got.terminated),
                w["terminated"].as_bool(),
                "{name} {t}"
            );
            assert_eq!(Some(got.truncated), w["truncated"].as_bool(), "{name} {t}");
            steps += 1;
        }
    }
    (max_err, steps)
}

#[test]
fn every_step_matches_gymnasium() {
    let (max_err, steps) = replay_all();
    assert!(steps > 540, "all steps replayed: {steps}");
    // Same formulas in the same order in f64: expected to be exactly equal.
    eprintln!("CartPole vs Gymnasium: {steps} steps, max |Δstate| = {max_err:e}");
    assert!(max_err <= TOL);
}

#[test]
fn golden_covers_termination_and_truncation() {
    let g = golden();
    let last = |name: &str| {
        let case = g["cases"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("case {name}"));
        let steps = case["steps"].as_array().expect("steps");
        (steps.len(), steps.last().cloned().expect("a step"))
    };
    let (n, s) = last("controlled_to_cutoff");
    assert_eq!(n, MAX_EPISODE_STEPS);
    assert_eq!(
        (s["terminated"].as_bool(), s["truncated"].as_bool()),
        (Some(false), Some(true))
    );
    let (n, s) = last("cart_leaves_track");
    assert_eq!((n, s["terminated"].as_bool()), (1, Some(true)));
    let (_, s) = last("pole_past_12_degrees");
    assert!(floats(&s["state"])[2] < -THETA_THRESHOLD);
    assert_eq!(s["terminated"].as_bool(), Some(true));
}

#[test]
fn a_tiny_change_of_the_start_state_is_detected() {
    // The test can fail: a start state off by 1e-3 rad gives another trajectory.
    let g = golden();
    let case = &g["cases"][0];
    let mut start: [f64; 4] = floats(&case["start"]).try_into().expect("4 numbers");
    start[2] += 1e-3;
    let mut env = CartPole::from_state(start);
    let a = case["actions"][0].as_u64().expect("action") as usize;
    env.step(a);
    let want = floats(&case["steps"][0]["state"]);
    assert!((env.state[2] - want[2]).abs() > TOL);
}
