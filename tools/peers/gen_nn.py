"""Golden values for kernels/src/nn, computed independently with JAX in float64.

Run through `tools/peers/run.sh gen_nn.py` (creates the venv, installs jax[cpu] and numpy).
Writes kernels/tests/goldens/nn_<group>.json, read by kernels/tests/nn_goldens.rs.

Every layer here is written from its textbook / PyTorch definition with JAX primitives
(lax.conv_general_dilated, reduce_window, jax.nn), not ported from the Rust code. Gradients
come from jax.vjp with a seeded upstream gradient `u` (so dL/dy = u), or jax.grad for losses.

File format: {"cases": [case, ...]} where a case has
  name, config (layer knobs), inputs / params / consts (tensors), upstream (tensor, layers
  only), output (tensor) or loss (number), grads (tensor per input and parameter), and
  optionally after (state after the forward pass, e.g. BatchNorm running statistics).
A tensor is {"shape": [...], "data": [row-major values]}.
"""

import json
import os

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax import lax  # noqa: E402

EPS = 1e-5
OUT_DIR = os.path.join("kernels", "tests", "goldens")


# ---------------------------------------------------------------- helpers

def rnd(seed, shape, scale=1.0, away=0.0):
    """Seeded normal values rounded to 4 decimals (compact JSON), optionally kept `away` from 0."""
    v = np.random.RandomState(seed).standard_normal(shape) * scale
    if away > 0:
        v = np.where(v >= 0, v + away, v - away)
    return np.round(v, 4)


def uni(seed, shape, lo, hi):
    return np.round(np.random.RandomState(seed).uniform(lo, hi, shape), 4)


def tensor(a, digits=None):
    a = np.asarray(a, dtype=np.float64)
    data = a.reshape(-1).tolist()
    if digits is not None:
        data = [float(f"{v:.{digits}g}") for v in data]
    return {"shape": list(a.shape), "data": data}


def layer_case(name, config, fn, inputs, params, seed, consts=None, after=None):
    """Output and vjp of y = fn(*inputs, *params) with a seeded upstream gradient."""
    args = [jnp.asarray(v) for v in list(inputs.values()) + list(params.values())]
    y, vjp = jax.vjp(fn, *args)
    u = rnd(seed, y.shape)
    grads = vjp(jnp.asarray(u))
    names = list(inputs) + list(params)
    case = {
        "name": name,
        "config": config,
        "inputs": {k: tensor(v) for k, v in inputs.items()},
        "params": {k: tensor(v) for k, v in params.items()},
        "consts": {k: tensor(v) for k, v in (consts or {}).items()},
        "upstream": tensor(u),
        "output": tensor(y, 10),
        "grads": {k: tensor(g, 10) for k, g in zip(names, grads)},
    }
    if after is not None:
        case["after"] = {k: tensor(v, 10) for k, v in after.items()}
    return case


def loss_case(name, config, fn, inputs, consts):
    """Value and gradient of a scalar loss fn(*inputs) w.r.t. every input."""
    args = [jnp.asarray(v) for v in inputs.values()]
    val, grads = jax.value_and_grad(fn, argnums=tuple(range(len(args))))(*args)
    return {
        "name": name,
        "config": config,
        "inputs": {k: tensor(v) for k, v in inputs.items()},
        "params": {},
        "consts": {k: tensor(v) for k, v in consts.items()},
        "loss": float(f"{float(val):.12g}"),
        "grads": {k: tensor(g, 10) for k, g in zip(inputs, grads)},
    }


def write(group, cases):
    path = os.path.join(OUT_DIR, f"nn_{group}.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/peers/gen_nn.py", "jax": jax.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path} ({len(cases)} cases, {os.path.getsize(path) // 1024} KiB)")


# ---------------------------------------------------------------- layers in JAX

def linear(x, w, b):
    return x @ w + b  # W stored (in, out)


def conv2d(s, p):
    def f(x, w, b):
        y = lax.conv_general_dilated(x, w, (s, s), [(p, p), (p, p)], dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]
    return f


def conv_transpose2d(s, p):
    """PyTorch ConvTranspose2d, weight (in, out, k, k): a stride-1 convolution of the input
    dilated by s (s−1 zeros between pixels), padded by k−1−p, with the spatially flipped kernel
    and in/out swapped."""
    def f(x, w, b):
        k = w.shape[2]
        rhs = jnp.flip(w, axis=(2, 3)).transpose(1, 0, 2, 3)  # (out, in, k, k)
        y = lax.conv_general_dilated(x, rhs, (1, 1), [(k - 1 - p, k - 1 - p)] * 2, lhs_dilation=(s, s),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + b[None, :, None, None]
    return f


def conv_transpose_by_hand(x, w, b, s, p):
    """The definition as loops: every input pixel scatters x·W[c, o] onto the output."""
    n, cin, h, wd = x.shape
    _, cout, k, _ = w.shape
    oh, ow = (h - 1) * s - 2 * p + k, (wd - 1) * s - 2 * p + k
    full = np.zeros((n, cout, (h - 1) * s + k, (wd - 1) * s + k))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * s:i * s + k, j * s:j * s + k] += np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    return full[:, :, p:p + oh, p:p + ow] + b[None, :, None, None]


def normalize(x, axes):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    return (x - mean) / jnp.sqrt(var + EPS)


def chan(v):
    return v[None, :, None, None]


def batch_norm_train(x, g, b):
    return chan(g) * normalize(x, (0, 2, 3)) + chan(b)


def batch_norm_eval(rm, rv):
    def f(x, g, b):
        return chan(g) * (x - chan(rm)) / jnp.sqrt(chan(rv) + EPS) + chan(b)
    return f


def layer_norm(x, g, b):
    return g[None] * normalize(x, tuple(range(1, x.ndim))) + b[None]


def instance_norm(x, g, b):
    return chan(g) * normalize(x, (2, 3)) + chan(b)


def group_norm(groups):
    def f(x, g, b):
        n, c, h, w = x.shape
        xg = normalize(x.reshape(n, groups, c // groups, h, w), (2, 3, 4)).reshape(n, c, h, w)
        return chan(g) * xg + chan(b)
    return f


def max_pool(k, s, p):
    def f(x):
        return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, k, k), (1, 1, s, s), [(0, 0), (0, 0), (p, p), (p, p)])
    return f


def avg_pool(k, s, p):
    def f(x):  # count_include_pad: divide by k² everywhere
        return lax.reduce_window(x, 0.0, lax.add, (1, 1, k, k), (1, 1, s, s), [(0, 0), (0, 0), (p, p), (p, p)]) / (k * k)
    return f


# ---------------------------------------------------------------- cases

def gen_linear():
    cases = []
    for i, (n, fi, fo) in enumerate([(4, 3, 5), (1, 7, 2), (3, 6, 6)]):
        cases.append(layer_case(f"linear_{n}x{fi}_to_{fo}", {}, linear, {"x": rnd(10 + i, (n, fi))},
                                {"w": rnd(20 + i, (fi, fo), 0.5), "b": rnd(30 + i, (fo,), 0.1)}, 40 + i))
    write("linear", cases)


def gen_conv():
    cases = []
    specs = [  # (N, C, H, W, C_out, k, s, p)
        (2, 3, 5, 4, 4, 3, 1, 1),
        (1, 2, 7, 6, 3, 3, 2, 0),
        (2, 2, 6, 6, 2, 4, 2, 1),
        (1, 3, 5, 5, 2, 3, 2, 1),
        (3, 1, 4, 4, 2, 1, 1, 0),
        (2, 3, 4, 4, 4, 4, 2, 1),  # DCGAN's 4x4 -> 2x2 (7/16 of the patches padding)
        (2, 2, 2, 2, 3, 4, 2, 1),  # 2x2 -> 1x1 (3/4 padding, pix2pix's innermost layer)
    ]
    for i, (n, c, h, w, o, k, s, p) in enumerate(specs):
        cases.append(layer_case(f"conv_{n}x{c}x{h}x{w}_to_{o}_k{k}s{s}p{p}", {"in": c, "out": o, "k": k, "stride": s, "padding": p},
                                conv2d(s, p), {"x": rnd(50 + i, (n, c, h, w))},
                                {"w": rnd(60 + i, (o, c, k, k), 0.3), "b": rnd(70 + i, (o,), 0.1)}, 80 + i))
    write("conv2d", cases)

    cases = []
    specs = [  # (N, C_in, H, W, C_out, k, s, p)
        (2, 3, 4, 4, 2, 4, 2, 1),  # DCGAN: doubles H, W
        (1, 2, 5, 3, 3, 3, 1, 1),  # keeps H, W
        (2, 2, 3, 2, 2, 3, 2, 0),  # odd output
        (1, 4, 1, 1, 3, 4, 1, 0),  # DCGAN's first layer: 1x1 -> 4x4
        (2, 3, 2, 2, 2, 4, 2, 1),  # DCGAN's 2x2 -> 4x4
        (2, 2, 1, 1, 3, 4, 2, 1),  # 1x1 -> 2x2 (pix2pix's innermost up-sampling)
    ]
    for i, (n, c, h, w, o, k, s, p) in enumerate(specs):
        x, wt, b = rnd(90 + i, (n, c, h, w)), rnd(100 + i, (c, o, k, k), 0.3), rnd(110 + i, (o,), 0.1)
        y = np.asarray(conv_transpose2d(s, p)(x, wt, b))
        hand = conv_transpose_by_hand(x, wt, b, s, p)
        assert y.shape == hand.shape and np.abs(y - hand).max() < 1e-12, "ConvTranspose2d in JAX disagrees with the loops"
        cases.append(layer_case(f"convT_{n}x{c}x{h}x{w}_to_{o}_k{k}s{s}p{p}", {"in": c, "out": o, "k": k, "stride": s, "padding": p},
                                conv_transpose2d(s, p), {"x": x}, {"w": wt, "b": b}, 120 + i))
    # one case checked against numbers worked out on paper: 1 channel, 2x2 input, k2 s2 p0
    # places x[i,j]·W at the (i, j) block: a 4x4 output made of four scaled copies of W.
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = np.array([[[[1.0, -1.0], [0.5, 2.0]]]])
    y = np.asarray(conv_transpose2d(2, 0)(x, w, np.zeros(1)))[0, 0]
    assert np.array_equal(y, np.array([[1, -1, 2, -2], [0.5, 2, 1, 4], [3, -3, 4, -4], [1.5, 6, 2, 8]]))
    write("conv_transpose2d", cases)


def gen_norm():
    cases = []
    for i, shape in enumerate([(2, 3, 4, 4), (1, 2, 3, 3), (4, 2, 3, 1)]):
        n, c, h, w = shape
        x = rnd(200 + i, shape, 2.0) + 0.5
        g, b = 1.0 + rnd(210 + i, (c,), 0.3), rnd(220 + i, (c,), 0.3)
        m = n * h * w
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        after = {"running_mean": 0.1 * mean, "running_var": 0.9 + 0.1 * var * m / (m - 1)}
        cases.append(layer_case(f"bn_train_{'x'.join(map(str, shape))}", {"channels": c, "training": True}, batch_norm_train,
                                {"x": x}, {"gamma": g, "beta": b}, 230 + i, after=after))
        rm, rv = rnd(240 + i, (c,), 0.5), uni(250 + i, (c,), 0.5, 2.0)
        cases.append(layer_case(f"bn_eval_{'x'.join(map(str, shape))}", {"channels": c, "training": False}, batch_norm_eval(rm, rv),
                                {"x": x}, {"gamma": g, "beta": b}, 260 + i, consts={"running_mean": rm, "running_var": rv}))
    write("batch_norm2d", cases)

    cases = []
    for i, shape in enumerate([(3, 4, 2, 3), (5, 6), (1, 3, 2, 2)]):
        x = rnd(300 + i, shape, 1.5)
        g, b = 1.0 + rnd(310 + i, shape[1:], 0.3), rnd(320 + i, shape[1:], 0.3)
        cases.append(layer_case(f"ln_{'x'.join(map(str, shape))}", {}, layer_norm, {"x": x}, {"gamma": g, "beta": b}, 330 + i))
    write("layer_norm", cases)

    cases = []
    for i, shape in enumerate([(2, 3, 4, 4), (1, 2, 3, 5)]):
        c = shape[1]
        cases.append(layer_case(f"in_{'x'.join(map(str, shape))}", {"channels": c}, instance_norm, {"x": rnd(400 + i, shape, 1.5)},
                                {"gamma": 1.0 + rnd(410 + i, (c,), 0.3), "beta": rnd(420 + i, (c,), 0.3)}, 430 + i))
    write("instance_norm2d", cases)

    cases = []
    for i, (groups, shape) in enumerate([(2, (2, 4, 3, 3)), (1, (1, 3, 2, 5)), (3, (2, 6, 2, 2)), (4, (1, 4, 3, 1))]):
        c = shape[1]
        cases.append(layer_case(f"gn_g{groups}_{'x'.join(map(str, shape))}", {"groups": groups, "channels": c}, group_norm(groups),
                                {"x": rnd(500 + i, shape, 1.5)},
                                {"gamma": 1.0 + rnd(510 + i, (c,), 0.3), "beta": rnd(520 + i, (c,), 0.3)}, 530 + i))
    write("group_norm", cases)


def gen_activation():
    x = rnd(600, (3, 4, 2), away=0.05)
    fns = {
        "relu": jax.nn.relu,
        "leaky_relu": lambda v: jax.nn.leaky_relu(v, 0.2),
        "tanh": jnp.tanh,
        "sigmoid": jax.nn.sigmoid,
    }
    cases = [layer_case(name, {}, f, {"x": x}, {}, 610 + i) for i, (name, f) in enumerate(fns.items())]
    cases.append(layer_case("softmax", {}, lambda v: jax.nn.softmax(v, axis=-1), {"x": rnd(620, (4, 5), 2.0)}, {}, 621))
    cases.append(layer_case("softmax_1x3", {}, lambda v: jax.nn.softmax(v, axis=-1), {"x": rnd(622, (1, 3), 2.0)}, {}, 623))
    write("activation", cases)

    p = 0.3
    mask = (np.random.RandomState(630).uniform(size=(4, 6)) >= p).astype(np.float64)
    cases = [layer_case("dropout_p0.3", {"p": p}, lambda v: v * mask / (1 - p), {"x": rnd(631, (4, 6))}, {}, 632, consts={"mask": mask})]
    write("dropout", cases)


def gen_pool():
    cases = []
    for i, (shape, k, s, p) in enumerate([((2, 3, 5, 6), 2, 2, 0), ((1, 2, 7, 7), 3, 2, 1), ((2, 1, 4, 5), 3, 1, 1)]):
        x = rnd(700 + i, shape)
        cases.append(layer_case(f"max_k{k}s{s}p{p}", {"kind": "max", "k": k, "stride": s, "padding": p}, max_pool(k, s, p), {"x": x}, {}, 710 + i))
        cases.append(layer_case(f"avg_k{k}s{s}p{p}", {"kind": "avg", "k": k, "stride": s, "padding": p}, avg_pool(k, s, p), {"x": x}, {}, 720 + i))
    cases.append(layer_case("global_avg", {"kind": "global"}, lambda v: v.mean(axis=(2, 3)), {"x": rnd(730, (2, 3, 3, 4))}, {}, 731))
    write("pool", cases)

    cases = [layer_case("concat_2_3", {}, lambda a, b: jnp.concatenate([a, b], axis=1),
                        {"a": rnd(800, (2, 2, 3, 3)), "b": rnd(801, (2, 3, 3, 3))}, {}, 802),
             layer_case("concat_1_1_2", {}, lambda a, b, c: jnp.concatenate([a, b, c], axis=1),
                        {"a": rnd(803, (1, 1, 2, 2)), "b": rnd(804, (1, 1, 2, 2)), "c": rnd(805, (1, 2, 2, 2))}, {}, 806)]
    write("concat", cases)


def sqd(u, v):
    return ((u - v) ** 2).sum(axis=1)


def gen_loss():
    cases = []
    t = uni(900, (3, 4), 0.05, 0.95)
    y = rnd(901, (3, 4))
    cases.append(loss_case("mse", {}, lambda a: jnp.mean((a - t) ** 2), {"pred": y}, {"target": t}))
    yl = np.round(t + rnd(902, (3, 4), away=0.05), 4)
    cases.append(loss_case("l1", {}, lambda a: jnp.mean(jnp.abs(a - t)), {"pred": yl}, {"target": t}))
    pr = uni(903, (3, 4), 0.05, 0.95)
    cases.append(loss_case("bce", {}, lambda q: -jnp.mean(t * jnp.log(q) + (1 - t) * jnp.log(1 - q)), {"pred": pr}, {"target": t}))
    z = rnd(904, (3, 4), 3.0)
    cases.append(loss_case("bce_with_logits", {}, lambda v: -jnp.mean(t * jax.nn.log_sigmoid(v) + (1 - t) * jax.nn.log_sigmoid(-v)),
                           {"pred": z}, {"target": t}))
    labels = np.array([2, 0, 1, 3, 1])
    onehot = np.eye(4)[labels]
    cases.append(loss_case("softmax_cross_entropy", {}, lambda v: -jnp.mean(jnp.sum(onehot * jax.nn.log_softmax(v, axis=1), axis=1)),
                           {"pred": rnd(905, (5, 4), 2.0)}, {"labels": labels.astype(np.float64)}))
    soft = np.round(np.random.RandomState(906).dirichlet(np.ones(4), size=3), 4)
    soft[:, -1] = 1.0 - soft[:, :-1].sum(axis=1)
    cases.append(loss_case("softmax_cross_entropy_soft", {}, lambda v: -jnp.mean(jnp.sum(soft * jax.nn.log_softmax(v, axis=1), axis=1)),
                           {"pred": rnd(907, (3, 4))}, {"target": soft}))

    # metric losses; margins chosen so no hinge sits at its kink (checked below)
    x1, x2 = rnd(910, (6, 3)), rnd(911, (6, 3))
    yc = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 1.0])
    m = 2.0
    dist = np.sqrt(sqd(x1, x2))
    assert np.all(np.abs(dist - m) > 0.05)

    def contrastive(a, b):
        d = jnp.sqrt(sqd(a, b))
        return jnp.mean(yc * d ** 2 + (1 - yc) * jnp.maximum(0.0, m - d) ** 2)
    cases.append(loss_case("contrastive", {"margin": m}, contrastive, {"x1": x1, "x2": x2}, {"y": yc}))

    a, p_, n1, n2 = rnd(920, (5, 3)), rnd(921, (5, 3)), rnd(922, (5, 3)), rnd(923, (5, 3))
    alpha, alpha2 = 0.5, 0.25
    assert np.all(np.abs(sqd(a, p_) - sqd(a, n1) + alpha) > 0.05)
    assert np.all(np.abs(sqd(a, p_) - sqd(n1, n2) + alpha2) > 0.05)

    def triplet(a, p, n):
        return jnp.mean(jnp.maximum(0.0, sqd(a, p) - sqd(a, n) + alpha))

    def quadruplet(a, p, n, n2):
        return triplet(a, p, n) + jnp.mean(jnp.maximum(0.0, sqd(a, p) - sqd(n, n2) + alpha2))
    cases.append(loss_case("triplet", {"margin": alpha}, triplet, {"anchor": a, "positive": p_, "negative": n1}, {}))
    cases.append(loss_case("quadruplet", {"margin1": alpha, "margin2": alpha2}, quadruplet,
                           {"anchor": a, "positive": p_, "negative1": n1, "negative2": n2}, {}))
    write("loss", cases)


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    gen_linear()
    gen_conv()
    gen_norm()
    gen_activation()
    gen_pool()
    gen_loss()
