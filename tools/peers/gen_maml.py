"""Golden MAML meta-gradients, computed independently with JAX in float64.

Run through `tools/peers/run.sh gen_maml.py`. Writes kernels/tests/goldens/maml.json, read by
kernels/tests/maml_goldens.rs.

The network is the sinusoid regressor of Finn et al. 2017 (§5.1) at a small size: an MLP
1 → H → H → 1 with ReLU, weights stored (in, out) as in the Rust code. For fixed parameters θ
and a few tasks with support points (xs, ys) and query points (xq, yq):

    inner loss   L_t^s(θ)   = mean_k (f_θ(xs_tk) − ys_tk)²
    adapted      θ'_t       = θ − α ∇L_t^s(θ)
    meta-loss    M(θ)       = mean_t L_t^q(θ'_t)

* second order: jax.grad(M) — differentiates through the inner gradient step (Hessian term);
* first order:  jax.grad of M with θ'_t = θ − α stop_gradient(∇L_t^s(θ)) (FOMAML);
* hvp: per task, ∇²L_t^s(θ) · v_t with v_t = ∇L_t^q(θ'_t), by jax.jvp of jax.grad.

Nothing here is ported from the Rust code: the network is three lines of jnp and every
derivative comes from JAX's autodiff.

File format: {"cases": [case, ...]}; a case has name, config {hidden, tasks, k_support,
k_query, inner_lr}, params {w1, b1, w2, b2, w3, b3}, data {x_support, y_support, x_query,
y_query}, support_loss (per task), meta_loss, grads {second_order, first_order} (each a dict of
parameter tensors), hvp (dict of tensors with a leading task axis). A tensor is
{"shape": [...], "data": [row-major values]}.
"""

import json
import os

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join("kernels", "tests", "goldens", "maml.json")
NAMES = ["w1", "b1", "w2", "b2", "w3", "b3"]


def tensor(a, digits=11):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(f"{v:.{digits}g}") for v in a.reshape(-1)]}


def mlp(p, x):
    """x (K,) -> predictions (K,)."""
    h = jax.nn.relu(x[:, None] @ p["w1"] + p["b1"])
    h = jax.nn.relu(h @ p["w2"] + p["b2"])
    return (h @ p["w3"] + p["b3"])[:, 0]


def loss(p, x, y):
    return jnp.mean((mlp(p, x) - y) ** 2)


def adapt(p, x, y, alpha, first_order):
    g = jax.grad(loss)(p, x, y)
    if first_order:
        g = jax.lax.stop_gradient(g)
    return jax.tree_util.tree_map(lambda a, b: a - alpha * b, p, g)


def meta_loss(p, data, alpha, first_order):
    xs, ys, xq, yq = data
    per_task = [loss(adapt(p, xs[t], ys[t], alpha, first_order), xq[t], yq[t]) for t in range(xs.shape[0])]
    return jnp.mean(jnp.stack(per_task))


def case(name, hidden, tasks, k_support, k_query, alpha, seed):
    rng = np.random.RandomState(seed)
    # PyTorch-default-like uniform init, rounded so the JSON is exact.
    def u(shape, fan_in):
        b = 1.0 / np.sqrt(fan_in)
        return np.round(rng.uniform(-b, b, shape), 6)
    p = {
        "w1": u((1, hidden), 1), "b1": u((hidden,), 1),
        "w2": u((hidden, hidden), hidden), "b2": u((hidden,), hidden),
        "w3": u((hidden, 1), hidden), "b3": u((1,), hidden),
    }
    amp = rng.uniform(0.1, 5.0, tasks)
    phase = rng.uniform(0.0, np.pi, tasks)
    xs = np.round(rng.uniform(-5, 5, (tasks, k_support)), 6)
    xq = np.round(rng.uniform(-5, 5, (tasks, k_query)), 6)
    ys = np.round(amp[:, None] * np.sin(xs - phase[:, None]), 6)
    yq = np.round(amp[:, None] * np.sin(xq - phase[:, None]), 6)
    pj = {k: jnp.asarray(v) for k, v in p.items()}
    data = tuple(jnp.asarray(a) for a in (xs, ys, xq, yq))

    m2, g2 = jax.value_and_grad(meta_loss)(pj, data, alpha, False)
    m1, g1 = jax.value_and_grad(meta_loss)(pj, data, alpha, True)
    assert abs(float(m1) - float(m2)) < 1e-12  # the same forward value

    hvps = {k: [] for k in NAMES}
    support_loss = []
    for t in range(tasks):
        adapted = adapt(pj, data[0][t], data[1][t], alpha, True)
        v = jax.grad(loss)(adapted, data[2][t], data[3][t])
        _, hv = jax.jvp(lambda q: jax.grad(loss)(q, data[0][t], data[1][t]), (pj,), (v,))
        for k in NAMES:
            hvps[k].append(np.asarray(hv[k]))
        support_loss.append(float(loss(pj, data[0][t], data[1][t])))

    return {
        "name": name,
        "config": {"hidden": hidden, "tasks": tasks, "k_support": k_support, "k_query": k_query,
                   "inner_lr": alpha},
        "params": {k: tensor(v) for k, v in p.items()},
        "data": {"x_support": tensor(xs), "y_support": tensor(ys), "x_query": tensor(xq),
                 "y_query": tensor(yq)},
        "support_loss": support_loss,
        "meta_loss": float(m2),
        "grads": {
            "second_order": {k: tensor(g2[k]) for k in NAMES},
            "first_order": {k: tensor(g1[k]) for k in NAMES},
        },
        "hvp": {k: tensor(np.stack(hvps[k])) for k in NAMES},
    }


if __name__ == "__main__":
    cases = [
        case("tiny", hidden=5, tasks=3, k_support=4, k_query=4, alpha=0.01, seed=0),
        # A large inner step makes the Hessian term big, so a wrong one cannot hide.
        case("tiny_large_alpha", hidden=5, tasks=3, k_support=4, k_query=6, alpha=0.3, seed=1),
        case("paper_k", hidden=20, tasks=3, k_support=10, k_query=10, alpha=0.01, seed=2),
    ]
    with open(OUT, "w") as f:
        json.dump({"generator": "tools/peers/gen_maml.py", "jax": jax.__version__, "cases": cases}, f,
                  separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({len(cases)} cases, {os.path.getsize(OUT) // 1024} KiB)")
