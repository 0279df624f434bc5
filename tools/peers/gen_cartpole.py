"""Golden CartPole-v1 trajectories from Gymnasium, for kernels/src/rl/cartpole.rs.

Run through `tools/peers/run.sh gen_cartpole.py` (creates the venv, installs gymnasium).
Writes kernels/tests/goldens/rl_cartpole.json, read by kernels/tests/rl_cartpole.rs.

Each case puts Gymnasium's own `gym.make("CartPole-v1")` (with its 500-step TimeLimit wrapper)
in a fixed start state, then plays a fixed action sequence and records, after every step, the
environment's float64 state, the float32 observation it returned, the reward and both flags.
The action sequences are fixed in this file (a seeded random sequence, constant pushes) or come
from a simple linear controller that keeps the pole up until the 500-step cut-off; either way
the Rust test replays the recorded actions open-loop.

File format: {"gymnasium": version, "cases": [{"name", "start": [x, x_dot, theta, theta_dot],
"actions": [0|1, ...], "steps": [{"state": [4 floats], "obs": [4 floats], "reward",
"terminated", "truncated"}, ...]}]}
"""

import json
import os

import gymnasium as gym
import numpy as np

OUT = os.path.join("kernels", "tests", "goldens", "rl_cartpole.json")


def controller(obs):
    """Push towards where the pole is falling, with a weak pull back to the track centre."""
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    u = 10.0 * theta + 2.0 * theta_dot + 0.1 * x + 0.3 * x_dot
    return 1 if u > 0 else 0


def play(name, start, actions=None, policy=None):
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.unwrapped.state = np.array(start, dtype=np.float64)
    obs = np.array(start, dtype=np.float32)
    steps, played = [], []
    for t in range(1000):
        if actions is not None:
            if t >= len(actions):
                break
            a = int(actions[t])
        else:
            a = policy(obs)
        obs, reward, terminated, truncated, _ = env.step(a)
        played.append(a)
        steps.append(
            {
                "state": [float(v) for v in env.unwrapped.state],
                "obs": [float(v) for v in obs],
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            }
        )
        if terminated or truncated:
            break
    env.close()
    return {"name": name, "start": list(start), "actions": played, "steps": steps}


def main():
    rng = np.random.RandomState(7)
    cases = [
        # Random pushes from a slightly tilted start: falls after a few dozen steps.
        play("random_actions", [0.01, -0.02, 0.03, 0.04], actions=rng.randint(0, 2, 200)),
        # Always push right: the pole falls to the left (θ < −12°).
        play("push_right", [0.0, 0.0, 0.0, 0.0], actions=[1] * 100),
        # Always push left from a right tilt.
        play("push_left", [-0.03, 0.01, 0.04, -0.02], actions=[0] * 100),
        # A controller that balances for all 500 steps: truncated, not terminated.
        play("controlled_to_cutoff", [0.02, 0.0, -0.01, 0.03], policy=controller),
        # The cart leaves the track on the first step (x > 2.4).
        play("cart_leaves_track", [2.39, 1.0, 0.0, 0.0], actions=[1]),
        # The pole passes −12° on the first step.
        play("pole_past_12_degrees", [0.0, 0.0, -0.2, -0.5], actions=[0]),
    ]
    last = cases[3]["steps"][-1]
    assert len(cases[3]["steps"]) == 500 and last["truncated"] and not last["terminated"], last
    with open(OUT, "w") as f:
        json.dump({"gymnasium": gym.__version__, "cases": cases}, f)
        f.write("\n")
    for c in cases:
        s = c["steps"][-1]
        print(f"{c['name']}: {len(c['steps'])} steps, terminated={s['terminated']} truncated={s['truncated']}")


if __name__ == "__main__":
    main()
