//! Every layer and loss, run in f32, against JAX float64 goldens (`tools/peers/gen_nn.py`):
//! outputs and all gradients (input and parameters) within 1e-4 relative error, where the
//! relative error of an array is `max|ours − jax| / max(max|jax|, tiny)`.

mod nn_util;

use eshikaku_kernels::nn::loss::{
    bce, bce_with_logits, contrastive, l1, mse, quadruplet, softmax_cross_entropy,
    softmax_cross_entropy_soft, triplet,
};
use eshikaku_kernels::nn::{
    AvgPool2d, BatchNorm2d, Concat, Conv2d, ConvTranspose2d, Dropout, GlobalAvgPool, GroupNorm,
    InstanceNorm2d, LayerNorm, LeakyReLU, Linear, MaxPool2d, ReLU, Sigmoid, Softmax, Tanh,
};
use ndarray::{Array1, Array2, Array4, ArrayD, Dimension, Ix1, Ix2, Ix4, IxDyn};
use nn_util::rng;
use serde_json::Value;

const TOL: f64 = 1e-4;

struct Case<'a>(&'a Value);

impl Case<'_> {
    fn name(&self) -> &str {
        self.0["name"].as_str().unwrap()
    }
    fn cfg(&self, key: &str) -> usize {
        self.0["config"][key]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: config {key}", self.name())) as usize
    }
    fn cfg_f(&self, key: &str) -> f32 {
        self.0["config"][key].as_f64().unwrap() as f32
    }
    fn raw(&self, section: &str, key: &str) -> ArrayD<f64> {
        let t = if key.is_empty() {
            &self.0[section]
        } else {
            &self.0[section][key]
        };
        let shape: Vec<usize> = t["shape"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: {section}.{key}", self.name()))
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let data: Vec<f64> = t["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
    }
    fn get<D: Dimension>(&self, section: &str, key: &str) -> ndarray::Array<f32, D> {
        self.raw(section, key)
            .mapv(|v| v as f32)
            .into_dimensionality::<D>()
            .unwrap()
    }
    fn x4(&self, key: &str) -> Array4<f32> {
        self.get::<Ix4>("inputs", key)
    }
    fn up<D: Dimension>(&self) -> ndarray::Array<f32, D> {
        self.get::<D>("upstream", "")
    }
}

/// Compares one array with its golden; returns the relative error.
fn cmp<D: Dimension>(
    case: &Case,
    what: &str,
    got: &ndarray::Array<f32, D>,
    want: ArrayD<f64>,
) -> f64 {
    assert_eq!(got.shape(), want.shape(), "{}: {what} shape", case.name());
    let diff = got
        .iter()
        .zip(want.iter())
        .fold(0.0f64, |m, (&a, &b)| m.max((a as f64 - b).abs()));
    let scale = want.iter().fold(0.0f64, |m, &b| m.max(b.abs())).max(1e-30);
    let err = diff / scale;
    assert!(err < TOL, "{}: {what} relative error {err:e}", case.name());
    err
}

fn output<D: Dimension>(c: &Case, y: &ndarray::Array<f32, D>) -> f64 {
    cmp(c, "output", y, c.raw("output", ""))
}

fn grad<D: Dimension>(c: &Case, key: &str, g: &ndarray::Array<f32, D>) -> f64 {
    cmp(c, &format!("d{key}"), g, c.raw("grads", key))
}

/// Runs `run` on every case of a golden file and reports the largest error.
fn each(file: &str, json: &str, mut run: impl FnMut(&Case) -> f64) {
    let v: Value = serde_json::from_str(json).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(!cases.is_empty(), "{file}: no cases");
    let worst = cases.iter().map(|c| run(&Case(c))).fold(0.0f64, f64::max);
    eprintln!(
        "golden {file}: {} cases, max rel error {worst:.3e}",
        cases.len()
    );
}

fn max(errs: &[f64]) -> f64 {
    errs.iter().copied().fold(0.0, f64::max)
}

#[test]
fn linear_matches_jax() {
    each("nn_linear", include_str!("goldens/nn_linear.json"), |c| {
        let (w, b) = (c.get::<Ix2>("params", "w"), c.get::<Ix1>("params", "b"));
        let mut lin = Linear::<f32>::new(w.nrows(), w.ncols(), &mut rng(0)).unwrap();
        (lin.w, lin.b) = (w, b);
        let y = lin.forward(&c.get::<Ix2>("inputs", "x"));
        let dx = lin.backward(&c.up::<Ix2>());
        max(&[
            output(c, &y),
            grad(c, "x", &dx),
            grad(c, "w", &lin.dw),
            grad(c, "b", &lin.db),
        ])
    });
}

#[test]
fn conv2d_matches_jax() {
    each("nn_conv2d", include_str!("goldens/nn_conv2d.json"), |c| {
        let mut conv = Conv2d::<f32>::new(
            c.cfg("in"),
            c.cfg("out"),
            c.cfg("k"),
            c.cfg("stride"),
            c.cfg("padding"),
            &mut rng(0),
        )
        .unwrap();
        (conv.w, conv.b) = (c.get::<Ix4>("params", "w"), c.get::<Ix1>("params", "b"));
        let y = conv.forward(&c.x4("x"));
        let dx = conv.backward(&c.up::<Ix4>());
        max(&[
            output(c, &y),
            grad(c, "x", &dx),
            grad(c, "w", &conv.dw),
            grad(c, "b", &conv.db),
        ])
    });
}

#[test]
fn conv_transpose2d_matches_jax() {
    let mut names = Vec::new();
    each(
        "nn_conv_transpose2d",
        include_str!("goldens/nn_conv_transpose2d.json"),
        |c| {
            names.push(c.name().to_string());
            let mut ct = ConvTranspose2d::<f32>::new(
                c.cfg("in"),
                c.cfg("out"),
                c.cfg("k"),
                c.cfg("stride"),
                c.cfg("padding"),
                &mut rng(0),
            )
            .unwrap();
            (ct.w, ct.b) = (c.get::<Ix4>("params", "w"), c.get::<Ix1>("params", "b"));
            let y = ct.forward(&c.x4("x"));
            let dx = ct.backward(&c.up::<Ix4>());
            max(&[
                output(c, &y),
                grad(c, "x", &dx),
                grad(c, "w", &ct.dw),
                grad(c, "b", &ct.db),
            ])
        },
    );
    assert!(
        names.iter().any(|n| n.ends_with("k4s2p1")) && names.iter().any(|n| n.ends_with("k3s1p1"))
    );
}

#[test]
fn batch_norm2d_matches_jax() {
    each(
        "nn_batch_norm2d",
        include_str!("goldens/nn_batch_norm2d.json"),
        |c| {
            let mut bn = BatchNorm2d::<f32>::new(c.cfg("channels")).unwrap();
            (bn.gamma, bn.beta) = (
                c.get::<Ix1>("params", "gamma"),
                c.get::<Ix1>("params", "beta"),
            );
            let training = c.0["config"]["training"].as_bool().unwrap();
            let mut errs = Vec::new();
            if !training {
                bn.eval();
                (bn.running_mean, bn.running_var) = (
                    c.get::<Ix1>("consts", "running_mean"),
                    c.get::<Ix1>("consts", "running_var"),
                );
            }
            let y = bn.forward(&c.x4("x"));
            let dx = bn.backward(&c.up::<Ix4>());
            if training {
                errs.push(cmp(
                    c,
                    "running_mean",
                    &bn.running_mean,
                    c.raw("after", "running_mean"),
                ));
                errs.push(cmp(
                    c,
                    "running_var",
                    &bn.running_var,
                    c.raw("after", "running_var"),
                ));
            }
            errs.extend([
                output(c, &y),
                grad(c, "x", &dx),
                grad(c, "gamma", &bn.dgamma),
                grad(c, "beta", &bn.dbeta),
            ]);
            max(&errs)
        },
    );
}

#[test]
fn layer_norm_matches_jax() {
    each(
        "nn_layer_norm",
        include_str!("goldens/nn_layer_norm.json"),
        |c| {
            let x = c.get::<IxDyn>("inputs", "x");
            let mut ln = LayerNorm::<f32>::new(&x.shape()[1..]).unwrap();
            (ln.gamma, ln.beta) = (
                c.get::<IxDyn>("params", "gamma"),
                c.get::<IxDyn>("params", "beta"),
            );
            let y = ln.forward(&x);
            let dx = ln.backward(&c.up::<IxDyn>());
            max(&[
                output(c, &y),
                grad(c, "x", &dx),
                grad(c, "gamma", &ln.dgamma),
                grad(c, "beta", &ln.dbeta),
            ])
        },
    );
}

#[test]
fn instance_norm2d_matches_jax() {
    each(
        "nn_instance_norm2d",
        include_str!("goldens/nn_instance_norm2d.json"),
        |c| {
            let mut layer = InstanceNorm2d::<f32>::new(c.cfg("channels")).unwrap();
            (layer.gamma, layer.beta) = (
                c.get::<Ix1>("params", "gamma"),
                c.get::<Ix1>("params", "beta"),
            );
            let y = layer.forward(&c.x4("x"));
            let dx = layer.backward(&c.up::<Ix4>());
            max(&[
                output(c, &y),
                grad(c, "x", &dx),
                grad(c, "gamma", &layer.dgamma),
                grad(c, "beta", &layer.dbeta),
            ])
        },
    );
}

#[test]
fn group_norm_matches_jax() {
    each(
        "nn_group_norm",
        include_str!("goldens/nn_group_norm.json"),
        |c| {
            let mut layer = GroupNorm::<f32>::new(c.cfg("groups"), c.cfg("channels")).unwrap();
            (layer.gamma, layer.beta) = (
                c.get::<Ix1>("params", "gamma"),
                c.get::<Ix1>("params", "beta"),
            );
            let y = layer.forward(&c.x4("x"));
            let dx = layer.backward(&c.up::<Ix4>());
            max(&[
                output(c, &y),
                grad(c, "x", &dx),
                grad(c, "gamma", &layer.dgamma),
                grad(c, "beta", &layer.dbeta),
            ])
        },
    );
}

#[test]
fn activations_match_jax() {
    each(
        "nn_activation",
        include_str!("goldens/nn_activation.json"),
        |c| {
            let x = c.get::<IxDyn>("inputs", "x");
            let u = c.up::<IxDyn>();
            let (y, dx) = match c.name() {
                "relu" => {
                    let mut l = ReLU::new();
                    (l.forward(&x), l.backward(&u))
                }
                "leaky_relu" => {
                    let mut l = LeakyReLU::default();
                    (l.forward(&x), l.backward(&u))
                }
                "tanh" => {
                    let mut l = Tanh::new();
                    (l.forward(&x), l.backward(&u))
                }
                "sigmoid" => {
                    let mut l = Sigmoid::new();
                    (l.forward(&x), l.backward(&u))
                }
                name if name.starts_with("softmax") => {
                    let mut l = Softmax::new();
                    (l.forward(&x), l.backward(&u))
                }
                other => panic!("unknown activation case {other}"),
            };
            max(&[output(c, &y), grad(c, "x", &dx)])
        },
    );
}

#[test]
fn dropout_matches_jax() {
    each("nn_dropout", include_str!("goldens/nn_dropout.json"), |c| {
        let mut d = Dropout::<f32>::new(c.cfg_f("p"), 0).unwrap();
        let y = d.forward_with_mask(
            &c.get::<Ix2>("inputs", "x"),
            c.get::<IxDyn>("consts", "mask"),
        );
        let dx = d.backward(&c.up::<Ix2>());
        max(&[output(c, &y), grad(c, "x", &dx)])
    });
}

#[test]
fn pools_match_jax() {
    each("nn_pool", include_str!("goldens/nn_pool.json"), |c| {
        let x = c.x4("x");
        let kind = c.0["config"]["kind"].as_str().unwrap();
        let errs = match kind {
            "max" => {
                let mut p = MaxPool2d::new(c.cfg("k"), c.cfg("stride"), c.cfg("padding")).unwrap();
                let y = p.forward(&x);
                [output(c, &y), grad(c, "x", &p.backward(&c.up::<Ix4>()))]
            }
            "avg" => {
                let mut p = AvgPool2d::new(c.cfg("k"), c.cfg("stride"), c.cfg("padding")).unwrap();
                let y = p.forward(&x);
                [output(c, &y), grad(c, "x", &p.backward(&c.up::<Ix4>()))]
            }
            _ => {
                let mut p = GlobalAvgPool::new();
                let y = p.forward(&x);
                [output(c, &y), grad(c, "x", &p.backward(&c.up::<Ix2>()))]
            }
        };
        max(&errs)
    });
}

#[test]
fn concat_matches_jax() {
    each("nn_concat", include_str!("goldens/nn_concat.json"), |c| {
        let keys: Vec<&String> = c.0["inputs"].as_object().unwrap().keys().collect();
        let xs: Vec<Array4<f32>> = keys.iter().map(|k| c.x4(k)).collect();
        let views: Vec<_> = xs.iter().map(|x| x.view()).collect();
        let mut cat = Concat::new();
        let y = cat.forward(&views);
        let grads = cat.backward(&c.up::<Ix4>());
        let mut errs = vec![output(c, &y)];
        errs.extend(keys.iter().zip(&grads).map(|(k, g)| grad(c, k, g)));
        max(&errs)
    });
}

#[test]
fn losses_match_jax() {
    each("nn_loss", include_str!("goldens/nn_loss.json"), |c| {
        let loss_err = |l: f32| {
            let want = c.0["loss"].as_f64().unwrap();
            let err = (l as f64 - want).abs() / want.abs().max(1e-30);
            assert!(err < TOL, "{}: loss {l} vs {want}", c.name());
            err
        };
        let p2 = |k: &str| c.get::<Ix2>("inputs", k);
        let t2 = |k: &str| c.get::<Ix2>("consts", k);
        let errs: Vec<f64> = match c.name() {
            "mse" | "l1" | "bce" | "bce_with_logits" => {
                let f = match c.name() {
                    "mse" => mse::<f32, Ix2>,
                    "l1" => l1::<f32, Ix2>,
                    "bce" => bce::<f32, Ix2>,
                    _ => bce_with_logits::<f32, Ix2>,
                };
                let (l, g) = f(&p2("pred"), &t2("target"));
                vec![loss_err(l), grad(c, "pred", &g)]
            }
            "softmax_cross_entropy" => {
                let labels: Vec<usize> = c
                    .raw("consts", "labels")
                    .iter()
                    .map(|&v| v as usize)
                    .collect();
                let (l, g) = softmax_cross_entropy(&p2("pred"), &labels);
                vec![loss_err(l), grad(c, "pred", &g)]
            }
            "softmax_cross_entropy_soft" => {
                let (l, g) = softmax_cross_entropy_soft(&p2("pred"), &t2("target"));
                vec![loss_err(l), grad(c, "pred", &g)]
            }
            "contrastive" => {
                let y: Array1<f32> = c.get::<Ix1>("consts", "y");
                let (l, [g1, g2]) = contrastive(&p2("x1"), &p2("x2"), &y, c.cfg_f("margin"));
                vec![loss_err(l), grad(c, "x1", &g1), grad(c, "x2", &g2)]
            }
            "triplet" => {
                let (l, [ga, gp, gn]) = triplet(
                    &p2("anchor"),
                    &p2("positive"),
                    &p2("negative"),
                    c.cfg_f("margin"),
                );
                vec![
                    loss_err(l),
                    grad(c, "anchor", &ga),
                    grad(c, "positive", &gp),
                    grad(c, "negative", &gn),
                ]
            }
            "quadruplet" => {
                let (l, g): (f32, [Array2<f32>; 4]) = quadruplet(
                    &p2("anchor"),
                    &p2("positive"),
                    &p2("negative1"),
                    &p2("negative2"),
                    c.cfg_f("margin1"),
                    c.cfg_f("margin2"),
                );
                let mut e = vec![loss_err(l)];
                e.extend(
                    ["anchor", "positive", "negative1", "negative2"]
                        .iter()
                        .zip(&g)
                        .map(|(k, g)| grad(c, k, g)),
                );
                e
            }
            other => panic!("unknown loss case {other}"),
        };
        max(&errs)
    });
}
