#!/usr/bin/env python3
"""Side-by-side speed: this project's kernels against jitted JAX and NumPy (issue #14).

Run it through the wrapper, which sets up the throw-away venv (tools/peers/.venv):

    tools/peers/bench.sh                 # JAX and NumPy timings only
    tools/peers/bench.sh --compare       # also our `cargo bench` counterparts, one table
    tools/peers/bench.sh --compare --core 1 --rounds 15

Everything is pinned to ONE core (`--core`, default 1): this process with
`os.sched_setaffinity` before JAX or NumPy start, XLA with
`--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1`, NumPy's BLAS with
`*_NUM_THREADS=1`, and our benches with `taskset -c CORE`. Each case is warmed up (JIT compile
plus a few iterations), then timed in `--rounds` rounds of enough iterations to last about
`--round-ms`; the per-iteration median and fastest round are reported.

What is timed (each matches our divan bench of the same row exactly):

- `dcgan_iteration` (kernels/benches/gan.rs): one DCGAN training iteration, batch 32, the
  architecture of kernels/src/dcgan/nets.rs — G: ConvT(32→64, k2) BN ReLU ConvT(64→32, k4 s2 p1)
  BN ReLU ConvT(32→1, k4 s2 p1) tanh; D: Conv(1→32, k4 s2 p1) LReLU(0.2) Conv(32→64, k4 s2 p1)
  BN LReLU Conv(64→1, k2); fresh z ~ N(0, 1) each iteration; D updated on a real and a fake
  batch (two BatchNorm batches, BCE with logits), then G with −log D(G(z)) through the updated
  D (G's forward is not recomputed: its VJP is kept); Adam(2e-4, 0.5, 0.999, 1e-8) on both.
  Two JAX forms: `lax` (lax.conv_general_dilated, NCHW) and `gemm` (im2col / col2im around
  one matrix product per layer, NHWC).
- `maml_second_order` (kernels/benches/maml.rs): the second-order MAML meta-gradient of a
  1-40-40-1 ReLU MLP on 25 sine tasks, K = 10 support + 10 query points, one inner SGD step
  (α = 0.01), in float32. JAX: `grad` through `grad`, `vmap` over tasks. NumPy: the same
  second-order gradient written by hand (forward-over-reverse Hessian-vector product, the
  formulas of kernels/src/maml/net.rs), batched over tasks with `np.matmul`.
- `a2c_update` (kernels/benches/a2c.rs): one A2C update of the 4→64→64→(2, 1) tanh
  actor-critic on a rollout of 8 CartPole environments × 5 steps: bootstrap V(s_T), n-step
  returns, forward of the 40 states, total loss (c_v 0.5, c_H 0), backward, global-norm clip
  0.5, Adam(1e-3, 0.9, 0.999, 1e-5). JAX: jitted `grad`; NumPy: by hand.

The data is random (the timings do not depend on it); the results are printed as a Markdown
table to paste into BENCHMARKS.md.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pin(core):
    """Pins this process (before JAX / NumPy create threads) to one core, one thread each."""
    os.sched_setaffinity(0, {core})
    os.environ["XLA_FLAGS"] = (
        "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    )
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def time_it(step, rounds, round_ms):
    """Median and fastest seconds per call of `step()` (which must block until done)."""
    for _ in range(3):
        step()
    t = time.perf_counter()
    step()
    one = max(time.perf_counter() - t, 1e-7)
    n = max(1, int(round_ms / 1e3 / one))
    per_call = []
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(n):
            step()
        per_call.append((time.perf_counter() - t) / n)
    return statistics.median(per_call), min(per_call)


# --------------------------------------------------------------------------------------------
# DCGAN
# --------------------------------------------------------------------------------------------

BATCH, Z_DIM = 32, 32


def dcgan_params(jnp, rng):
    """PyTorch layouts: Conv2d w (out, in, k, k), ConvTranspose2d w (in, out, k, k)."""
    n = lambda *s: jnp.asarray(rng.normal(0.0, 0.02, s), jnp.float32)  # noqa: E731
    z = lambda *s: jnp.zeros(s, jnp.float32)  # noqa: E731
    o = lambda *s: jnp.ones(s, jnp.float32)  # noqa: E731
    g = dict(w1=n(Z_DIM, 64, 2, 2), b1=z(64), g1=o(64), be1=z(64),
             w2=n(64, 32, 4, 4), b2=z(32), g2=o(32), be2=z(32),
             w3=n(32, 1, 4, 4), b3=z(1))
    d = dict(w1=n(32, 1, 4, 4), b1=z(32), w2=n(64, 32, 4, 4), b2=z(64),
             g2=o(64), be2=z(64), w3=n(1, 64, 2, 2), b3=z(1))
    return g, d


def dcgan_lax(jax, jnp):
    """G and D with lax.conv_general_dilated in NCHW."""
    lax = jax.lax
    dn = ("NCHW", "OIHW", "NCHW")

    def conv(x, w, b, s, p):
        y = lax.conv_general_dilated(x, w, (s, s), [(p, p), (p, p)], dimension_numbers=dn)
        return y + b[None, :, None, None]

    def conv_t(x, w, b, s, p):
        k = w.shape[2]
        wt = jnp.flip(w, (2, 3)).transpose(1, 0, 2, 3)  # (out, in, k, k), flipped
        q = k - 1 - p
        y = lax.conv_general_dilated(x, wt, (1, 1), [(q, q), (q, q)], lhs_dilation=(s, s),
                                     dimension_numbers=dn)
        return y + b[None, :, None, None]

    def bn(x, g, b):
        m = x.mean((0, 2, 3), keepdims=True)
        v = ((x - m) ** 2).mean((0, 2, 3), keepdims=True)
        return g[None, :, None, None] * (x - m) / jnp.sqrt(v + 1e-5) + b[None, :, None, None]

    def gen(p, z):
        h = z.reshape(BATCH, Z_DIM, 1, 1)
        h = jax.nn.relu(bn(conv_t(h, p["w1"], p["b1"], 1, 0), p["g1"], p["be1"]))
        h = jax.nn.relu(bn(conv_t(h, p["w2"], p["b2"], 2, 1), p["g2"], p["be2"]))
        return jnp.tanh(conv_t(h, p["w3"], p["b3"], 2, 1))  # (N, 1, 8, 8)

    def disc(p, x):
        h = jax.nn.leaky_relu(conv(x, p["w1"], p["b1"], 2, 1), 0.2)
        h = jax.nn.leaky_relu(bn(conv(h, p["w2"], p["b2"], 2, 1), p["g2"], p["be2"]), 0.2)
        return conv(h, p["w3"], p["b3"], 1, 0).reshape(-1)

    return gen, disc, (BATCH, 1, 8, 8)


def dcgan_gemm(jax, jnp):
    """G and D as im2col → one GEMM → col2im per layer, in NHWC (weights re-laid-out inside)."""

    def im2col(x, k, s, p):
        n, h, w, c = x.shape
        ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        xp = jnp.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
        cols = [xp[:, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s, :]
                for i in range(k) for j in range(k)]
        return jnp.stack(cols, 3).reshape(n * ho * wo, k * k * c), (n, ho, wo)

    def conv(x, w, b, s, p):  # w (out, in, k, k)
        co, ci, k, _ = w.shape
        cols, (n, ho, wo) = im2col(x, k, s, p)
        wm = w.transpose(2, 3, 1, 0).reshape(k * k * ci, co)
        return (cols @ wm + b).reshape(n, ho, wo, co)

    def conv_t(x, w, b, s, p):  # w (in, out, k, k)
        ci, co, k, _ = w.shape
        n, h, wd, _ = x.shape
        cols = (x.reshape(n * h * wd, ci) @ w.reshape(ci, co * k * k)).reshape(n, h, wd, co, k, k)
        hp, wp = (h - 1) * s + k, (wd - 1) * s + k
        out = jnp.zeros((n, hp, wp, co), x.dtype)
        for i in range(k):
            for j in range(k):
                out = out.at[:, i:i + s * (h - 1) + 1:s, j:j + s * (wd - 1) + 1:s, :].add(
                    cols[:, :, :, :, i, j])
        return out[:, p:hp - p, p:wp - p, :] + b

    def bn(x, g, b):
        m = x.mean((0, 1, 2))
        v = ((x - m) ** 2).mean((0, 1, 2))
        return g * (x - m) / jnp.sqrt(v + 1e-5) + b

    def gen(p, z):
        h = z.reshape(BATCH, 1, 1, Z_DIM)
        h = jax.nn.relu(bn(conv_t(h, p["w1"], p["b1"], 1, 0), p["g1"], p["be1"]))
        h = jax.nn.relu(bn(conv_t(h, p["w2"], p["b2"], 2, 1), p["g2"], p["be2"]))
        return jnp.tanh(conv_t(h, p["w3"], p["b3"], 2, 1))  # (N, 8, 8, 1)

    def disc(p, x):
        h = jax.nn.leaky_relu(conv(x, p["w1"], p["b1"], 2, 1), 0.2)
        h = jax.nn.leaky_relu(bn(conv(h, p["w2"], p["b2"], 2, 1), p["g2"], p["be2"]), 0.2)
        return conv(h, p["w3"], p["b3"], 1, 0).reshape(-1)

    return gen, disc, (BATCH, 8, 8, 1)


def adam_jax(jax, jnp, lr, b1, b2, eps):
    def update(p, g, state):
        m, v, t = state
        t = t + 1
        m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        p = jax.tree.map(lambda p, m, v: p - lr * (m / c1) / (jnp.sqrt(v / c2) + eps), p, m, v)
        return p, (m, v, t)

    def init(p):
        z = jax.tree.map(jnp.zeros_like, p)
        return (z, jax.tree.map(jnp.zeros_like, p), jnp.float32(0))

    return init, update


def bench_dcgan(jax, jnp, np, form, rounds, round_ms):
    gen, disc, img_shape = (dcgan_lax if form == "lax" else dcgan_gemm)(jax, jnp)
    rng = np.random.default_rng(1)
    gp, dp = dcgan_params(jnp, rng)
    real = jnp.asarray(rng.uniform(-1, 1, img_shape), jnp.float32)
    init, adam = adam_jax(jax, jnp, 2e-4, 0.5, 0.999, 1e-8)

    def bce(logits, target):  # mean of softplus(x) − y x
        return jnp.mean(jax.nn.softplus(logits) - target * logits)

    @jax.jit
    def step(state):
        gp, dp, gs, ds, key = state
        key, sub = jax.random.split(key)
        z = jax.random.normal(sub, (BATCH, Z_DIM), jnp.float32)
        fake, g_vjp = jax.vjp(lambda p: gen(p, z), gp)
        d_grads = jax.grad(lambda p: bce(disc(p, real), 1.0) + bce(disc(p, fake), 0.0))(dp)
        dp, ds = adam(dp, d_grads, ds)
        dfake = jax.grad(lambda x: bce(disc(dp, x), 1.0))(fake)
        (g_grads,) = g_vjp(dfake)
        gp, gs = adam(gp, g_grads, gs)
        return gp, dp, gs, ds, key

    state = [(gp, dp, init(gp), init(dp), jax.random.PRNGKey(0))]

    def run():
        state[0] = step(state[0])
        jax.block_until_ready(state[0])

    return time_it(run, rounds, round_ms)


# --------------------------------------------------------------------------------------------
# MAML
# --------------------------------------------------------------------------------------------

TASKS, K, H, ALPHA = 25, 10, 40, 0.01


def maml_data(np):
    rng = np.random.default_rng(1)
    b = lambda fan, *s: rng.uniform(-1 / np.sqrt(fan), 1 / np.sqrt(fan), s).astype(np.float32)  # noqa: E731
    # a leading task axis of 1 (the shared θ), as kernels/src/maml/net.rs
    theta = dict(w1=b(1, 1, 1, H), b1=b(1, 1, H), w2=b(H, 1, H, H), b2=b(H, 1, H),
                 w3=b(H, 1, H, 1), b3=b(H, 1, 1))
    amp = rng.uniform(0.1, 5.0, (TASKS, 1))
    phase = rng.uniform(0, np.pi, (TASKS, 1))
    xs, xq = (rng.uniform(-5, 5, (TASKS, K)) for _ in range(2))
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    return theta, tuple(map(f32, (xs, amp * np.sin(xs - phase), xq, amp * np.sin(xq - phase))))


def bench_maml_jax(jax, jnp, np, rounds, round_ms):
    theta, data = maml_data(np)
    theta = {k: jnp.asarray(v[0]) for k, v in theta.items()}
    data = tuple(jnp.asarray(a) for a in data)

    def mlp(p, x):  # x (K,)
        h = jax.nn.relu(x[:, None] @ p["w1"] + p["b1"])
        h = jax.nn.relu(h @ p["w2"] + p["b2"])
        return (h @ p["w3"] + p["b3"])[:, 0]

    def loss(p, x, y):
        return jnp.mean((mlp(p, x) - y) ** 2)

    def task(p, xs, ys, xq, yq):
        g = jax.grad(loss)(p, xs, ys)
        adapted = jax.tree.map(lambda a, b: a - ALPHA * b, p, g)
        return loss(adapted, xq, yq)

    def meta(p, xs, ys, xq, yq):
        return jnp.mean(jax.vmap(task, (None, 0, 0, 0, 0))(p, xs, ys, xq, yq))

    grad = jax.jit(jax.value_and_grad(meta))

    def run():
        jax.block_until_ready(grad(theta, *data))

    return time_it(run, rounds, round_ms)


def bench_maml_numpy(np, rounds, round_ms):
    """Second-order MAML by hand, as kernels/src/maml/net.rs (batched over tasks)."""
    theta, (xs, ys, xq, yq) = maml_data(np)
    mm = np.matmul
    tr = lambda a: np.swapaxes(a, 1, 2)  # noqa: E731

    def forward(p, x):
        x = x[:, :, None]
        h1 = np.maximum(x * p["w1"] + p["b1"][:, None, :], 0)
        h2 = np.maximum(mm(h1, p["w2"]) + p["b2"][:, None, :], 0)
        return x, h1, h2, (mm(h2, p["w3"]) + p["b3"][:, None, :])[:, :, 0]

    def grad(p, x, y):
        x, h1, h2, pred = forward(p, x)
        dy = (2.0 / x.shape[1] * (pred - y))[:, :, None]
        dz2 = mm(dy, tr(p["w3"])) * (h2 > 0)
        dz1 = mm(dz2, tr(p["w2"])) * (h1 > 0)
        g = dict(w1=mm(tr(x), dz1), b1=dz1.sum(1), w2=mm(tr(h1), dz2), b2=dz2.sum(1),
                 w3=mm(tr(h2), dy), b3=dy.sum(1))
        return np.mean((pred - y) ** 2, 1), g, (x, h1, h2, dy, dz2)

    def hvp(p, cache, v):
        x, h1, h2, dy, dz2 = cache
        two_k = 2.0 / x.shape[1]
        h1_t = (x * v["w1"] + v["b1"][:, None, :]) * (h1 > 0)
        h2_t = (mm(h1_t, p["w2"]) + mm(h1, v["w2"]) + v["b2"][:, None, :]) * (h2 > 0)
        dy_t = (mm(h2_t, p["w3"]) + mm(h2, v["w3"]) + v["b3"][:, None, :]) * two_k
        dz2_t = (mm(dy_t, tr(p["w3"])) + mm(dy, tr(v["w3"]))) * (h2 > 0)
        dz1_t = (mm(dz2_t, tr(p["w2"])) + mm(dz2, tr(v["w2"]))) * (h1 > 0)
        return dict(w1=mm(tr(x), dz1_t), b1=dz1_t.sum(1),
                    w2=mm(tr(h1_t), dz2) + mm(tr(h1), dz2_t), b2=dz2_t.sum(1),
                    w3=mm(tr(h2_t), dy) + mm(tr(h2), dy_t), b3=dy_t.sum(1))

    def meta_gradient():
        loss_s, gs, cache = grad(theta, xs, ys)
        adapted = {k: theta[k] - ALPHA * gs[k] for k in theta}
        loss_q, gq, _ = grad(adapted, xq, yq)
        hv = hvp(theta, cache, gq)
        g = {k: (gq[k] - ALPHA * hv[k]).mean(0, keepdims=True) for k in theta}
        return g, loss_s.mean(), loss_q.mean()

    return time_it(meta_gradient, rounds, round_ms)


# --------------------------------------------------------------------------------------------
# A2C
# --------------------------------------------------------------------------------------------

ENVS, STEPS, OBS, HID, ACTS = 8, 5, 4, 64, 2


def a2c_data(np):
    rng = np.random.default_rng(1)
    q = lambda i, o, gain: (gain * np.linalg.qr(rng.normal(size=(max(i, o), min(i, o))))[0]  # noqa: E731
                            .reshape(max(i, o), min(i, o)))
    w = lambda i, o, gain: (q(i, o, gain) if i >= o else q(i, o, gain).T).astype(np.float32)  # noqa: E731
    zeros = lambda n: np.zeros(n, np.float32)  # noqa: E731
    params = dict(w1=w(OBS, HID, 2 ** 0.5), b1=zeros(HID), w2=w(HID, HID, 2 ** 0.5),
                  b2=zeros(HID), wp=w(HID, ACTS, 0.01), bp=zeros(ACTS), wv=w(HID, 1, 1.0),
                  bv=zeros(1))
    f = np.float32
    rollout = dict(obs=rng.normal(0, 0.1, (STEPS * ENVS, OBS)).astype(f),
                   last_obs=rng.normal(0, 0.1, (ENVS, OBS)).astype(f),
                   actions=rng.integers(0, ACTS, STEPS * ENVS),
                   rewards=np.ones((STEPS, ENVS), f),
                   dones=(rng.uniform(size=(STEPS, ENVS)) < 0.05).astype(f))
    return params, rollout


def bench_a2c_jax(jax, jnp, np, rounds, round_ms):
    params, ro = a2c_data(np)
    params = {k: jnp.asarray(v) for k, v in params.items()}
    ro = {k: jnp.asarray(v) for k, v in ro.items()}
    init, adam = adam_jax(jax, jnp, 1e-3, 0.9, 0.999, 1e-5)

    def net(p, s):
        h = jnp.tanh(jnp.tanh(s @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"])
        return h @ p["wp"] + p["bp"], (h @ p["wv"] + p["bv"])[:, 0]

    def loss(p, ro, returns):
        logits, values = net(p, ro["obs"])
        log_p = jax.nn.log_softmax(logits)
        adv = jax.lax.stop_gradient(returns - values)
        lp_a = jnp.take_along_axis(log_p, ro["actions"][:, None], 1)[:, 0]
        return -jnp.mean(adv * lp_a) + 0.5 * jnp.mean((returns - values) ** 2)

    @jax.jit
    def update(p, opt, ro):
        nxt = net(p, ro["last_obs"])[1]
        rets = []
        for t in reversed(range(STEPS)):
            nxt = ro["rewards"][t] + 0.99 * (1 - ro["dones"][t]) * nxt
            rets.append(nxt)
        returns = jnp.stack(rets[::-1]).reshape(-1)
        g = jax.grad(loss)(p, ro, returns)
        norm = jnp.sqrt(sum(jnp.sum(x * x) for x in jax.tree.leaves(g)))
        coef = jnp.minimum(0.5 / (norm + 1e-6), 1.0)
        g = jax.tree.map(lambda x: x * coef, g)
        return adam(p, g, opt)

    state = [(params, init(params))]

    def run():
        state[0] = update(state[0][0], state[0][1], ro)
        jax.block_until_ready(state[0])

    return time_it(run, rounds, round_ms)


def bench_a2c_numpy(np, rounds, round_ms):
    p, ro = a2c_data(np)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(x) for k, x in p.items()}
    t = [0]
    b = STEPS * ENVS
    onehot = np.eye(ACTS, dtype=np.float32)[ro["actions"]]

    def update():
        h = np.tanh(np.tanh(ro["last_obs"] @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"])
        nxt = (h @ p["wv"] + p["bv"])[:, 0]
        returns = np.empty((STEPS, ENVS), np.float32)
        for s in reversed(range(STEPS)):
            nxt = ro["rewards"][s] + np.float32(0.99) * (1 - ro["dones"][s]) * nxt
            returns[s] = nxt
        returns = returns.reshape(-1)
        h1 = np.tanh(ro["obs"] @ p["w1"] + p["b1"])
        h2 = np.tanh(h1 @ p["w2"] + p["b2"])
        logits, values = h2 @ p["wp"] + p["bp"], (h2 @ p["wv"] + p["bv"])[:, 0]
        z = logits - logits.max(1, keepdims=True)
        prob = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        adv = returns - values
        dlogits = -adv[:, None] * (onehot - prob) / b
        dvalues = (2 * 0.5 / b) * (values - returns)
        dh2 = dlogits @ p["wp"].T + dvalues[:, None] @ p["wv"].T
        dz2 = dh2 * (1 - h2 * h2)
        dz1 = (dz2 @ p["w2"].T) * (1 - h1 * h1)
        g = dict(w1=ro["obs"].T @ dz1, b1=dz1.sum(0), w2=h1.T @ dz2, b2=dz2.sum(0),
                 wp=h2.T @ dlogits, bp=dlogits.sum(0), wv=h2.T @ dvalues[:, None],
                 bv=dvalues.sum(keepdims=True))
        norm = np.sqrt(sum(float((x * x).sum()) for x in g.values()))
        coef = min(0.5 / (norm + 1e-6), 1.0)
        t[0] += 1
        c1, c2 = 1 - 0.9 ** t[0], 1 - 0.999 ** t[0]
        for k in p:
            gk = g[k] * coef
            m[k] = 0.9 * m[k] + 0.1 * gk
            v[k] = 0.999 * v[k] + 0.001 * gk * gk
            p[k] = p[k] - 1e-3 * (m[k] / c1) / (np.sqrt(v[k] / c2) + 1e-5)

    return time_it(update, rounds, round_ms)


# --------------------------------------------------------------------------------------------
# Ours (divan) and the table
# --------------------------------------------------------------------------------------------

# (row, our bench file, our divan bench name)
OURS = [
    ("dcgan_iteration", "gan", "dcgan_iteration"),
    ("maml_second_order", "maml", "maml_second_order"),
    ("a2c_update", "a2c", "a2c_update"),
]
UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def parse_divan(text, name):
    """(median, fastest) seconds of divan bench `name` from its table output."""
    for line in text.splitlines():
        if re.search(rf"[─ ]{re.escape(name)}\s", line) and "│" in line:
            cols = line.split("│")
            nums = [re.search(r"([\d.]+)\s*(ns|µs|us|ms|s)\b", c) for c in cols[:3]]
            if all(nums):
                v = [float(m.group(1)) * UNITS[m.group(2)] for m in nums]
                return v[2], v[0]
    raise RuntimeError(f"divan bench {name} not found in:\n{text}")


def ours(core, bench, name):
    cmd = ["cargo", "bench", "-q", "-p", "eshikaku-kernels", "--bench", bench, "--", name]
    subprocess.run(["nice", "-n", "10", "cargo", "bench", "-q", "-p", "eshikaku-kernels",
                    "--bench", bench, "--no-run"], cwd=ROOT, check=True)
    out = subprocess.run(["taskset", "-c", str(core)] + cmd, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return parse_divan(out, name)


def fmt(s):
    return f"{s * 1e3:.3f} ms" if s >= 1e-3 else f"{s * 1e6:.1f} µs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--compare", action="store_true", help="also run our cargo benches")
    ap.add_argument("--core", type=int, default=1, help="the one core everything runs on")
    ap.add_argument("--rounds", type=int, default=11, help="timed rounds per case")
    ap.add_argument("--round-ms", type=float, default=300.0, help="length of one round")
    ap.add_argument("--only", choices=["dcgan", "maml", "a2c"], help="one workload only")
    a = ap.parse_args()
    pin(a.core)
    import jax
    import jax.numpy as jnp
    import numpy as np

    r, ms = a.rounds, a.round_ms
    cases = {
        "dcgan_iteration": [
            ("JAX jit, lax.conv", lambda: bench_dcgan(jax, jnp, np, "lax", r, ms)),
            ("JAX jit, im2col GEMM", lambda: bench_dcgan(jax, jnp, np, "gemm", r, ms)),
        ],
        "maml_second_order": [
            ("JAX jit (grad of grad, vmap)", lambda: bench_maml_jax(jax, jnp, np, r, ms)),
            ("NumPy (second order by hand)", lambda: bench_maml_numpy(np, r, ms)),
        ],
        "a2c_update": [
            ("JAX jit", lambda: bench_a2c_jax(jax, jnp, np, r, ms)),
            ("NumPy", lambda: bench_a2c_numpy(np, r, ms)),
        ],
    }
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"core {a.core}, jax {jax.__version__} ({jax.default_backend()}), numpy "
          f"{np.__version__}, {r} rounds of ~{ms:.0f} ms, load before: {load}")
    print()
    print("| workload | ours (median / fastest) | peer | peer (median / fastest) "
          "| peer median ÷ ours |")
    print("|---|---|---|---|---|")
    for row, bench, name in OURS:
        if a.only and not row.startswith(a.only):
            continue
        mine = ours(a.core, bench, name) if a.compare else None
        for label, fn in cases[row]:
            med, best = fn()
            mine_s = f"{fmt(mine[0])} / {fmt(mine[1])}" if mine else "—"
            ratio = f"{med / mine[0]:.2f}×" if mine else "—"
            print(f"| {row} | {mine_s} | {label} | {fmt(med)} / {fmt(best)} | {ratio} |",
                  flush=True)
    with open("/proc/loadavg") as f:
        print(f"\nload after: {' '.join(f.read().split()[:3])}")


if __name__ == "__main__":
    sys.exit(main())
