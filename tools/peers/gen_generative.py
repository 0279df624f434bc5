"""Golden values for the generative kernels (kernels/src/{judge,dcgan,pix2pix}), computed
independently with JAX in float64.

Run through `tools/peers/run.sh gen_generative.py`. Writes kernels/tests/goldens/gen_*.json,
read by kernels/tests/gen_goldens.rs.

Every network is written here from the papers' descriptions with JAX primitives; gradients come
from jax.grad. To keep the JSON small, parameters are not stored: tensor k of a network (in the
Rust `visit_params` order) holds p[i] = a_k * sin(1.3 * i + 0.7 * k) + b_k, which both sides
compute. Gradients are stored as fingerprints: their L2 norm, a weighted sum
sum_i g[i] * sin(0.37 * i + 1), and their first four values.

Cases:
- gen_dcgan.json: one DCGAN iteration's gradients (D on a real and a fake batch as two BatchNorm
  batches; G through D with the non-saturating loss), for the unconditional nets (1 input
  channel) and the conditional ones (CGAN: 10 label channels / one-hot appended to z).
- gen_pix2pix.json: the U-Net generator and PatchGAN discriminator: D's halved cGAN loss and G's
  cGAN + lambda * L1 loss; the encoder-decoder's output fingerprint.
- gen_image.json: bilinear 2x upsampling (jax.image.resize), the classifier score and class
  coverage of probability tables, and the sharpness measure.
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


# ---------------------------------------------------------------- parameters and fingerprints

def formula_params(specs):
    """specs: [(shape, a, b)] in visit order -> list of arrays."""
    out = []
    for k, (shape, a, b) in enumerate(specs):
        i = np.arange(int(np.prod(shape)), dtype=np.float64)
        out.append(jnp.asarray((a * np.sin(1.3 * i + 0.7 * k) + b).reshape(shape)))
    return out


def fingerprint(g):
    v = np.asarray(g, dtype=np.float64).reshape(-1)
    w = np.sin(0.37 * np.arange(v.size) + 1.0)
    return {"norm": float(np.sqrt((v * v).sum())), "weighted": float((v * w).sum()), "head": v[:4].tolist()}


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def spec_json(specs):
    return [{"shape": list(s), "a": a, "b": b} for s, a, b in specs]


# ---------------------------------------------------------------- layers (PyTorch semantics)

def conv(x, w, b, s, p):
    y = lax.conv_general_dilated(x, w, (s, s), [(p, p), (p, p)], dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def conv_t(x, w, b, s, p):
    """Transposed convolution, weight (in, out, k, k): by definition the adjoint (input gradient)
    of the convolution with the same weight read as OIHW, k, s, p."""
    n, _, h, wd = x.shape
    _, cout, k, _ = w.shape
    oh, ow = (h - 1) * s - 2 * p + k, (wd - 1) * s - 2 * p + k
    _, vjp = jax.vjp(lambda inp: lax.conv_general_dilated(inp, w, (s, s), [(p, p), (p, p)],
                                                          dimension_numbers=("NCHW", "OIHW", "NCHW")),
                     jnp.zeros((n, cout, oh, ow)))
    return vjp(x)[0] + b[None, :, None, None]


def bn(x, g, b):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
    return g[None, :, None, None] * (x - mean) / jnp.sqrt(var + EPS) + b[None, :, None, None]


def lrelu(x):
    return jnp.where(x > 0, x, 0.2 * x)


def bce_logits(z, t):
    return jnp.mean(jnp.maximum(z, 0) - z * t + jnp.log1p(jnp.exp(-jnp.abs(z))))


# ---------------------------------------------------------------- DCGAN / CGAN nets

def g_specs(zdim):
    return [((zdim, 64, 2, 2), 0.05, 0.0), ((64,), 0.02, 0.0), ((64,), 0.1, 1.0), ((64,), 0.1, 0.0),
            ((64, 32, 4, 4), 0.05, 0.0), ((32,), 0.02, 0.0), ((32,), 0.1, 1.0), ((32,), 0.1, 0.0),
            ((32, 1, 4, 4), 0.05, 0.0), ((1,), 0.02, 0.0)]


def d_specs(cin):
    return [((32, cin, 4, 4), 0.05, 0.0), ((32,), 0.02, 0.0), ((64, 32, 4, 4), 0.05, 0.0), ((64,), 0.02, 0.0),
            ((64,), 0.1, 1.0), ((64,), 0.1, 0.0), ((1, 64, 2, 2), 0.05, 0.0), ((1,), 0.02, 0.0)]


def generator(p, z):
    w1, b1, g1, be1, w2, b2, g2, be2, w3, b3 = p
    h = conv_t(z[:, :, None, None], w1, b1, 1, 0)           # (N, 64, 2, 2)
    h = jax.nn.relu(bn(h, g1, be1))
    h = jax.nn.relu(bn(conv_t(h, w2, b2, 2, 1), g2, be2))   # (N, 32, 4, 4)
    return jnp.tanh(conv_t(h, w3, b3, 2, 1))                 # (N, 1, 8, 8)


def discriminator(p, x):
    w1, b1, w2, b2, g2, be2, w3, b3 = p
    h = lrelu(conv(x, w1, b1, 2, 1))                         # (N, 32, 4, 4)
    h = lrelu(bn(conv(h, w2, b2, 2, 1), g2, be2))            # (N, 64, 2, 2)
    return conv(h, w3, b3, 1, 0).reshape(-1)                 # (N,)


def planes(labels, n):
    return jnp.asarray(np.eye(10)[labels][:, :, None, None] * np.ones((n, 10, 8, 8)))


def dcgan_case(name, zdim, labels):
    rs = np.random.RandomState(11 if labels is None else 12)
    n = 4
    z = np.round(rs.standard_normal((n, zdim)), 4)
    real = np.round(rs.uniform(-1, 1, (n, 1, 8, 8)), 4)
    cin = 1 if labels is None else 11
    gs, ds = g_specs(zdim + (0 if labels is None else 10)), d_specs(cin)
    gp, dp = formula_params(gs), formula_params(ds)
    g_in = z if labels is None else np.concatenate([z, np.eye(10)[labels]], axis=1)
    cond = (lambda x: x) if labels is None else (lambda x: jnp.concatenate([x, planes(labels, n)], axis=1))

    def loss_d(dp):
        fake = generator(gp, jnp.asarray(g_in))
        return (bce_logits(discriminator(dp, cond(jnp.asarray(real))), 1.0)
                + bce_logits(discriminator(dp, cond(fake)), 0.0))

    def loss_g(gp):
        return bce_logits(discriminator(dp, cond(generator(gp, jnp.asarray(g_in)))), 1.0)

    ld, gd = jax.value_and_grad(loss_d)(dp)
    lg, gg = jax.value_and_grad(loss_g)(gp)
    fake = generator(gp, jnp.asarray(g_in))
    return {
        "name": name, "z_dim": zdim, "labels": labels, "z": tensor(z), "real": tensor(real),
        "g_params": spec_json(gs), "d_params": spec_json(ds),
        "fake": fingerprint(fake), "loss_d": float(ld), "loss_g": float(lg),
        "d_grads": [fingerprint(g) for g in gd], "g_grads": [fingerprint(g) for g in gg],
    }


# ---------------------------------------------------------------- pix2pix nets

def unet_specs(skips):
    w = (lambda c: 2 * c) if skips else (lambda c: c)
    s = []
    for cin, cout, norm in [(1, 8, False), (8, 16, True), (16, 32, True), (32, 64, False)]:
        s += [((cout, cin, 4, 4), 0.05, 0.0), ((cout,), 0.02, 0.0)]
        if norm:
            s += [((cout,), 0.1, 1.0), ((cout,), 0.1, 0.0)]
    for cin, cout, norm in [(64, 32, True), (w(32), 16, True), (w(16), 8, True), (w(8), 1, False)]:
        s += [((cin, cout, 4, 4), 0.05, 0.0), ((cout,), 0.02, 0.0)]
        if norm:
            s += [((cout,), 0.1, 1.0), ((cout,), 0.1, 0.0)]
    return s


def unet(p, x, skips):
    p = list(p)
    take = lambda k: [p.pop(0) for _ in range(k)]  # noqa: E731
    w, b = take(2)
    e1 = lrelu(conv(x, w, b, 2, 1))
    w, b, g, be = take(4)
    e2 = lrelu(bn(conv(e1, w, b, 2, 1), g, be))
    w, b, g, be = take(4)
    e3 = lrelu(bn(conv(e2, w, b, 2, 1), g, be))
    w, b = take(2)
    e4 = lrelu(conv(e3, w, b, 2, 1))
    w, b, g, be = take(4)
    h = jax.nn.relu(bn(conv_t(e4, w, b, 2, 1), g, be))
    for skip in (e3, e2):
        if skips:
            h = jnp.concatenate([h, skip], axis=1)
        w, b, g, be = take(4)
        h = jax.nn.relu(bn(conv_t(h, w, b, 2, 1), g, be))
    if skips:
        h = jnp.concatenate([h, e1], axis=1)
    w, b = take(2)
    return jnp.tanh(conv_t(h, w, b, 2, 1))


PATCH_SPECS = [((8, 2, 4, 4), 0.05, 0.0), ((8,), 0.02, 0.0), ((16, 8, 4, 4), 0.05, 0.0), ((16,), 0.02, 0.0),
               ((16,), 0.1, 1.0), ((16,), 0.1, 0.0), ((1, 16, 1, 1), 0.05, 0.0), ((1,), 0.02, 0.0)]


def patchgan(p, xy):
    w1, b1, w2, b2, g2, be2, w3, b3 = p
    h = lrelu(conv(xy, w1, b1, 2, 1))
    h = lrelu(bn(conv(h, w2, b2, 2, 1), g2, be2))
    return conv(h, w3, b3, 1, 0)  # (N, 1, 4, 4)


def pix2pix_cases():
    rs = np.random.RandomState(21)
    n, lam = 3, 100.0
    y = np.round(rs.uniform(-1, 1, (n, 1, 16, 16)), 4)
    x = y.copy()
    x[:, :, 8:, :] = 0.0
    us, ps = unet_specs(True), PATCH_SPECS
    gp, dp = formula_params(us), formula_params(ps)
    pair = lambda a, b: jnp.concatenate([a, b], axis=1)  # noqa: E731

    def loss_d(dp):
        fake = unet(gp, jnp.asarray(x), True)
        return 0.5 * (bce_logits(patchgan(dp, pair(x, y)), 1.0) + bce_logits(patchgan(dp, pair(x, fake)), 0.0))

    def loss_g(gp):
        fake = unet(gp, jnp.asarray(x), True)
        return bce_logits(patchgan(dp, pair(x, fake)), 1.0) + lam * jnp.mean(jnp.abs(fake - y))

    ld, gd = jax.value_and_grad(loss_d)(dp)
    lg, gg = jax.value_and_grad(loss_g)(gp)
    es = unet_specs(False)
    enc_dec = unet(formula_params(es), jnp.asarray(x), False)
    return [{
        "name": "pix2pix_unet_patchgan", "lambda_l1": lam, "x": tensor(x), "y": tensor(y),
        "g_params": spec_json(us), "d_params": spec_json(ps),
        "fake": fingerprint(unet(gp, jnp.asarray(x), True)), "loss_d": float(ld), "loss_g": float(lg),
        "d_grads": [fingerprint(g) for g in gd], "g_grads": [fingerprint(g) for g in gg],
        "enc_dec_params": spec_json(es), "enc_dec_fake": fingerprint(enc_dec),
    }]


# ---------------------------------------------------------------- image measures and scores

def image_cases():
    rs = np.random.RandomState(31)
    img = np.round(rs.uniform(0, 1, (2, 1, 8, 8)), 4)
    up = jax.image.resize(jnp.asarray(img), (2, 1, 16, 16), method="bilinear")
    # probability tables: a confident, spread one; a collapsed one; a soft random one
    k, n = 10, 100
    spread = np.full((n, k), 0.01)
    spread[np.arange(n), np.arange(n) % k] = 0.91
    collapsed = np.full((n, k), 0.02)
    collapsed[:, 3] = 0.82
    collapsed[:4, 5] = 0.9  # 4 % of the samples read as a 5: covered
    collapsed[4:6, 7] = 0.9  # 2 % read as a 7: not covered
    soft = rs.dirichlet(np.full(k, 0.3), size=n)
    scores = []
    for name, p in [("spread", spread), ("collapsed", collapsed), ("soft", soft)]:
        p = p / p.sum(axis=1, keepdims=True)
        py = p.mean(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(p > 0, p * np.log(p / py), 0.0).sum(axis=1)
        share = np.bincount(p.argmax(axis=1), minlength=k) / n
        scores.append({"name": name, "p": tensor(np.round(p, 6) if name == "soft" else p),
                       "score": float(np.exp(kl.mean())), "coverage_3pct": int((share >= 0.03).sum())})
    # sharpness: 2x2 average pooling, then the mean forward-difference gradient magnitude
    sharp_img = np.round(rs.uniform(-1, 1, (3, 1, 16, 16)), 4)
    pooled = sharp_img.reshape(3, 8, 2, 8, 2).mean(axis=(2, 4))
    gx = pooled[:, :-1, 1:] - pooled[:, :-1, :-1]
    gy = pooled[:, 1:, :-1] - pooled[:, :-1, :-1]
    bottom = pooled[:, 4:, :]
    bgx = bottom[:, :-1, 1:] - bottom[:, :-1, :-1]
    bgy = bottom[:, 1:, :-1] - bottom[:, :-1, :-1]
    return {
        "upsample": {"input": tensor(img), "output": tensor(up)},
        "scores": scores,
        "sharpness": {"images": tensor(sharp_img), "full": float(np.sqrt(gx ** 2 + gy ** 2).mean()),
                      "bottom": float(np.sqrt(bgx ** 2 + bgy ** 2).mean())},
    }


def write(name, doc):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    write("gen_dcgan.json", {"cases": [dcgan_case("dcgan", 32, None),
                                       dcgan_case("cgan", 32, [3, 0, 7, 3])]})
    write("gen_pix2pix.json", {"cases": pix2pix_cases()})
    write("gen_image.json", image_cases())
