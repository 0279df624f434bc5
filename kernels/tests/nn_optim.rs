//! Optimisers against hand-computed steps, gradient clipping, initialisers' statistics, and a
//! tiny end-to-end fit through the `Params` trait.

mod nn_util;

use eshikaku_kernels::nn::loss::mse;
use eshikaku_kernels::nn::params::visit_array;
use eshikaku_kernels::nn::{Adam, Linear, Params, RmsProp, Sgd, Tanh, clip_grad_norm, init};
use ndarray::{Array1, Array2, Array4, array};
use nn_util::*;

/// Two scalar-vector parameters with gradients we set by hand.
struct Toy {
    p: Array1<f64>,
    g: Array1<f64>,
    q: Array1<f64>,
    gq: Array1<f64>,
}

impl Toy {
    fn new(p: f64, q: f64) -> Self {
        Self {
            p: array![p],
            g: array![0.0],
            q: array![q],
            gq: array![0.0],
        }
    }
    fn grads(&mut self, g: f64, gq: f64) {
        self.g[0] = g;
        self.gq[0] = gq;
    }
}

impl Params<f64> for Toy {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f64], &mut [f64])) {
        visit_array(&mut self.p, &mut self.g, f);
        visit_array(&mut self.q, &mut self.gq, f);
    }
}

#[test]
fn sgd_with_and_without_momentum() {
    let mut t = Toy::new(1.0, 2.0);
    let mut opt = Sgd::new(0.1, 0.0).unwrap();
    t.grads(0.5, -1.0);
    opt.step(&mut t);
    assert!((t.p[0] - 0.95).abs() < 1e-15 && (t.q[0] - 2.1).abs() < 1e-15);

    let mut t = Toy::new(1.0, 0.0);
    let mut opt = Sgd::new(0.1, 0.9).unwrap();
    t.grads(0.5, 0.0);
    opt.step(&mut t); // v = 0.5, θ = 1 − 0.05
    opt.step(&mut t); // v = 0.9·0.5 + 0.5 = 0.95, θ = 0.95 − 0.095
    assert!((t.p[0] - 0.855).abs() < 1e-15, "{}", t.p[0]);
}

#[test]
fn adam_first_steps_match_hand_computation() {
    let (lr, b1, b2, eps) = (0.1, 0.5, 0.999, 1e-8);
    let mut t = Toy::new(1.0, 0.0);
    let mut opt = Adam::new(lr, b1, b2, eps).unwrap();
    // step 1, g = 0.2: m̂ = g, v̂ = g², so θ moves by lr·g/(|g| + ε) ≈ lr
    t.grads(0.2, 0.0);
    opt.step(&mut t);
    let theta1 = 1.0 - lr * 0.2 / (0.2 + eps);
    assert!((t.p[0] - theta1).abs() < 1e-15);
    assert_eq!(t.q[0], 0.0, "a zero gradient does not move Adam");
    // step 2, g = −0.4
    t.grads(-0.4, 0.0);
    opt.step(&mut t);
    let m = b1 * (1.0 - b1) * 0.2 + (1.0 - b1) * -0.4; // −0.15
    let v = b2 * (1.0 - b2) * 0.04 + (1.0 - b2) * 0.16; // 1.9996e-4
    let m_hat = m / (1.0 - b1 * b1); // −0.2
    let v_hat = v / (1.0 - b2 * b2);
    let theta2 = theta1 - lr * m_hat / (v_hat.sqrt() + eps);
    assert!((m - -0.15f64).abs() < 1e-15 && (m_hat - -0.2f64).abs() < 1e-15);
    assert!((t.p[0] - theta2).abs() < 1e-14, "{} vs {theta2}", t.p[0]);
    assert_eq!(opt.t, 2);
}

#[test]
fn rmsprop_step_matches_pytorch_form() {
    let mut t = Toy::new(1.0, 0.0);
    let mut opt = RmsProp::new(0.01, 0.99, 1e-8).unwrap();
    t.grads(0.5, 0.0);
    opt.step(&mut t); // v = 0.01·0.25, √v = 0.05, step = 0.01·0.5/0.05 = 0.1
    assert!((t.p[0] - (1.0 - 0.01 * 0.5 / (0.05 + 1e-8))).abs() < 1e-14);
    opt.step(&mut t); // v = 0.99·0.0025 + 0.0025
    let v: f64 = 0.99 * 0.0025 + 0.01 * 0.25;
    assert!(
        (t.p[0] - (1.0 - 0.01 * 0.5 / (0.05 + 1e-8) - 0.01 * 0.5 / (v.sqrt() + 1e-8))).abs()
            < 1e-14
    );
}

#[test]
fn clip_grad_norm_scales_all_parameters_together() {
    let mut t = Toy::new(0.0, 0.0);
    t.grads(3.0, 4.0);
    let norm = clip_grad_norm(&mut t, 1.0);
    assert_eq!(norm, 5.0);
    assert!(
        (t.g[0] - 3.0 / (5.0 + 1e-6)).abs() < 1e-15 && (t.gq[0] - 4.0 / (5.0 + 1e-6)).abs() < 1e-15
    );
    t.grads(0.3, 0.4);
    assert!((clip_grad_norm(&mut t, 1.0) - 0.5).abs() < 1e-15);
    assert_eq!(
        (t.g[0], t.gq[0]),
        (0.3, 0.4),
        "below the limit nothing changes"
    );
}

#[test]
fn optimiser_knobs_are_validated() {
    assert!(Sgd::<f32>::new(0.0, 0.9).is_err());
    assert!(Sgd::<f32>::new(0.1, 1.0).is_err());
    assert!(Adam::<f32>::new(1e-3, 1.0, 0.999, 1e-8).is_err());
    assert!(Adam::<f32>::new(1e-3, 0.5, 0.999, 0.0).is_err());
    assert!(Adam::<f32>::new(f64::NAN, 0.5, 0.999, 1e-8).is_err());
    assert!(RmsProp::<f32>::new(1e-3, -0.1, 1e-5).is_err());
    assert!(Adam::<f32>::new(2e-4, 0.5, 0.999, 1e-8).is_ok());
}

/// A two-layer net fitted with Adam through `Params`: the loss must fall a lot.
#[test]
fn adam_fits_a_small_regression() {
    struct Net {
        l1: Linear<f32>,
        act: Tanh<f32>,
        l2: Linear<f32>,
    }
    impl Params<f32> for Net {
        fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
            self.l1.visit_params(f);
            self.l2.visit_params(f);
        }
    }
    let mut r = rng(70);
    let mut net = Net {
        l1: Linear::new(2, 16, &mut r).unwrap(),
        act: Tanh::new(),
        l2: Linear::new(16, 1, &mut r).unwrap(),
    };
    let x = uniform(&[64, 2], -1.0, 1.0, 71)
        .mapv(|v| v as f32)
        .into_dimensionality()
        .unwrap();
    let y: Array2<f32> =
        Array2::from_shape_fn((64, 1), |(i, _)| x[[i, 0]] * x[[i, 1]] + 0.5 * x[[i, 0]]);
    let mut opt = Adam::new(0.01, 0.9, 0.999, 1e-8).unwrap();
    let mut losses = Vec::new();
    for _ in 0..300 {
        net.zero_grad();
        let h = net.act.forward(&net.l1.forward(&x));
        let out = net.l2.forward(&h);
        let (loss, d) = mse(&out, &y);
        let dh = net.act.backward(&net.l2.backward(&d));
        net.l1.backward(&dh);
        opt.step(&mut net);
        losses.push(loss);
    }
    assert!(
        losses[299] < 0.02 * losses[0],
        "loss {} -> {}",
        losses[0],
        losses[299]
    );
    assert_eq!(net.num_params(), 2 * 16 + 16 + 16 + 1);
}

fn mean_std(a: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    let m = a.iter().sum::<f64>() / n;
    (
        m,
        (a.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt(),
    )
}

#[test]
fn initialisers_have_their_documented_statistics() {
    let mut r = rng(80);
    let mut w = Array4::<f64>::zeros((64, 32, 3, 3)); // fan_in 288, fan_out 576
    init::dcgan_normal(&mut w, &mut r);
    let (m, s) = mean_std(w.as_slice().unwrap());
    assert!(
        m.abs() < 1e-3 && (s - 0.02).abs() < 5e-4,
        "N(0, 0.02): mean {m}, std {s}"
    );
    init::he_normal(&mut w, 288, &mut r);
    let (_, s) = mean_std(w.as_slice().unwrap());
    assert!(
        (s / (2.0f64 / 288.0).sqrt() - 1.0).abs() < 0.03,
        "He std {s}"
    );
    init::xavier_uniform(&mut w, 288, 576, 1.0, &mut r);
    let bound = (6.0f64 / 864.0).sqrt();
    let max = w.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
    let (_, s) = mean_std(w.as_slice().unwrap());
    assert!(max <= bound && max > 0.99 * bound && (s / (bound / 3f64.sqrt()) - 1.0).abs() < 0.03);
    init::xavier_normal(&mut w, 288, 576, 2.0, &mut r);
    let (_, s) = mean_std(w.as_slice().unwrap());
    assert!(
        (s / (2.0 * (2.0f64 / 864.0).sqrt()) - 1.0).abs() < 0.03,
        "Xavier normal std {s}"
    );
    init::pytorch_default(&mut w, 288, &mut r);
    let max = w.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
    assert!(max <= 1.0 / 288f64.sqrt() && max > 0.99 / 288f64.sqrt());
    init::he_uniform(&mut w, 288, &mut r);
    let (_, s) = mean_std(w.as_slice().unwrap());
    assert!(
        (s / (2.0f64 / 288.0).sqrt() - 1.0).abs() < 0.03,
        "He uniform std {s}"
    );
    // seeded: the same seed gives the same weights
    let (mut a, mut b) = (Array2::<f32>::zeros((3, 3)), Array2::<f32>::zeros((3, 3)));
    init::dcgan_normal(&mut a, &mut rng(1));
    init::dcgan_normal(&mut b, &mut rng(1));
    assert_eq!(a, b);
}

#[test]
fn orthogonal_init_is_orthogonal() {
    for (rows, cols) in [(4, 9), (9, 4), (5, 5)] {
        let mut w = Array2::<f64>::zeros((rows, cols));
        init::orthogonal(&mut w, 1.5, &mut rng(90));
        // rows ≤ cols: W Wᵀ = gain² I; rows ≥ cols: Wᵀ W = gain² I
        let gram = if rows <= cols {
            w.dot(&w.t())
        } else {
            w.t().dot(&w)
        };
        let k = rows.min(cols);
        let eye = Array2::<f64>::eye(k) * 2.25;
        let err = (&gram - &eye).iter().fold(0.0f64, |a, &b| a.max(b.abs()));
        assert!(err < 1e-12, "{rows}x{cols}: {err}");
    }
    let mut conv_w = Array4::<f64>::zeros((4, 2, 3, 3));
    init::orthogonal(&mut conv_w, 1.0, &mut rng(91));
    let flat = conv_w.into_shape_with_order((4, 18)).unwrap();
    let err = (&flat.dot(&flat.t()) - &Array2::<f64>::eye(4))
        .iter()
        .fold(0.0f64, |a, &b| a.max(b.abs()));
    assert!(err < 1e-12);
}
