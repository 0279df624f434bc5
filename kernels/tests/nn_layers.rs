//! Gradient checks (f64, central differences) for every layer, plus behaviour the checks
//! cannot see: output sizes, train/eval, gradient accumulation, knob errors.

mod nn_util;

use eshikaku_kernels::nn::gradcheck::{gradcheck, rel_error, weighted_sum};
use eshikaku_kernels::nn::{
    AvgPool2d, Concat, Conv2d, ConvTranspose2d, Dropout, GlobalAvgPool, LeakyReLU, Linear,
    MaxPool2d, Params, ReLU, Sigmoid, Softmax, Tanh,
};
use ndarray::{Array2, ArrayD, Ix2, s};
use nn_util::*;

fn to2(x: &ArrayD<f64>) -> Array2<f64> {
    x.clone().into_dimensionality::<Ix2>().unwrap()
}

#[test]
fn linear_gradcheck() {
    for (n, i, o) in [(4, 3, 5), (1, 7, 2)] {
        let mut lin = Linear::<f64>::new(i, o, &mut rng(1)).unwrap();
        let r = check_unary(
            &mut lin,
            randn(&[n, i], 2),
            |l, x| l.forward(&to2(x)).into_dyn(),
            |l, d| l.backward(&to2(d)).into_dyn(),
            3,
        );
        assert_eq!(r.params.len(), 2);
        assert_grads("Linear", &r);
    }
}

#[test]
fn conv2d_gradcheck() {
    // (N, C, H, W, C_out, k, stride, pad): odd sizes, stride 2, padding, batch 1
    for (n, c, h, w, o, k, st, p) in [
        (2, 3, 5, 4, 4, 3, 1, 1),
        (1, 2, 7, 6, 3, 3, 2, 0),
        (2, 2, 6, 6, 2, 4, 2, 1),
        (1, 1, 3, 3, 2, 1, 1, 0),
        // small maps, one product per output position (nn/windows.rs): DCGAN's 4×4 → 2×2,
        // 2×2 → 1×1, and 2×2 windows of a 3×3 kernel
        (2, 3, 4, 4, 4, 4, 2, 1),
        (2, 2, 2, 2, 3, 4, 2, 1),
        (2, 2, 3, 3, 2, 3, 2, 1),
    ] {
        let mut conv = Conv2d::<f64>::new(c, o, k, st, p, &mut rng(4)).unwrap();
        let r = check_unary(
            &mut conv,
            randn(&[n, c, h, w], 5),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            6,
        );
        assert_grads("Conv2d", &r);
    }
}

#[test]
fn conv_transpose2d_gradcheck_and_sizes() {
    for (n, c, h, w, o, k, st, p) in [
        (2, 3, 4, 3, 2, 4, 2, 1),
        (1, 2, 3, 3, 3, 3, 1, 1),
        (2, 2, 3, 2, 2, 3, 2, 0),
        // small maps (nn/windows.rs): DCGAN's 2×2 → 4×4 and 1×1 → 2×2
        (2, 3, 2, 2, 2, 4, 2, 1),
        (2, 2, 1, 1, 3, 4, 2, 1),
    ] {
        let mut ct = ConvTranspose2d::<f64>::new(c, o, k, st, p, &mut rng(7)).unwrap();
        let r = check_unary(
            &mut ct,
            randn(&[n, c, h, w], 8),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            9,
        );
        assert_grads("ConvTranspose2d", &r);
    }
    let mut ct = ConvTranspose2d::<f32>::new(32, 16, 4, 2, 1, &mut rng(1)).unwrap();
    assert_eq!(
        ct.output_size(4, 4).unwrap(),
        (8, 8),
        "k4 s2 p1 doubles H and W"
    );
    assert_eq!(
        ct.forward(&ndarray::Array4::zeros((2, 32, 4, 4))).dim(),
        (2, 16, 8, 8)
    );
    let ct = ConvTranspose2d::<f32>::new(4, 4, 3, 1, 1, &mut rng(1)).unwrap();
    assert_eq!(
        ct.output_size(5, 7).unwrap(),
        (5, 7),
        "k3 s1 p1 keeps H and W"
    );
}

/// ConvTranspose2d is the adjoint of Conv2d with the same weight tensor:
/// ⟨conv(x), y⟩ = ⟨x, convT(y)⟩ when biases are zero. On 8×8 → 4×4 (im2col) and on
/// 4×4 → 2×2 (one product per position, nn/windows.rs).
#[test]
fn conv_transpose_is_the_adjoint_of_conv() {
    for (size, seed) in [(8, 12), (4, 14)] {
        let mut conv = Conv2d::<f64>::new(3, 5, 4, 2, 1, &mut rng(10)).unwrap();
        let mut ct = ConvTranspose2d::<f64>::new(5, 3, 4, 2, 1, &mut rng(11)).unwrap();
        ct.w = conv.w.clone();
        conv.b.fill(0.0);
        ct.b.fill(0.0);
        let x = to4(&randn(&[2, 3, size, size], seed));
        let y = to4(&randn(&[2, 5, size / 2, size / 2], seed + 1));
        let lhs = (&conv.forward(&x) * &y).sum();
        let rhs = (&x * &ct.forward(&y)).sum();
        assert!(
            (lhs - rhs).abs() < 1e-10 * lhs.abs().max(1.0),
            "{size}×{size}: {lhs} vs {rhs}"
        );
    }
}

#[test]
fn conv_knob_errors() {
    assert!(Conv2d::<f32>::new(0, 4, 3, 1, 1, &mut rng(1)).is_err());
    assert!(Conv2d::<f32>::new(2, 4, 3, 0, 1, &mut rng(1)).is_err());
    let conv = Conv2d::<f32>::new(2, 4, 5, 1, 0, &mut rng(1)).unwrap();
    assert!(conv.output_size(3, 8).is_err());
    assert_eq!(conv.output_size(8, 9).unwrap(), (4, 5));
    let ct = ConvTranspose2d::<f32>::new(2, 2, 1, 1, 1, &mut rng(1)).unwrap();
    assert!(
        ct.output_size(2, 2).is_err(),
        "1x1 kernel with padding 1 leaves nothing"
    );
}

#[test]
fn activations_gradcheck() {
    let x = randn_away_from_zero(&[3, 4, 2], 0.05, 20);
    let r = check_unary(
        &mut ReLU::new(),
        x.clone(),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        21,
    );
    assert_grads("ReLU", &r);
    let r = check_unary(
        &mut LeakyReLU::default(),
        x.clone(),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        22,
    );
    assert_grads("LeakyReLU", &r);
    let r = check_unary(
        &mut Tanh::new(),
        x.clone(),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        23,
    );
    assert_grads("Tanh", &r);
    let r = check_unary(
        &mut Sigmoid::new(),
        x.clone(),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        24,
    );
    assert_grads("Sigmoid", &r);
    let r = check_unary(
        &mut Softmax::new(),
        randn(&[3, 5], 25),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        26,
    );
    assert_grads("Softmax", &r);
    // the inputs really crossed the kinks' sides
    assert!(x.iter().any(|&v| v < 0.0) && x.iter().any(|&v| v > 0.0));
}

#[test]
fn activation_values() {
    let x = ndarray::array![-2.0, -0.5, 0.5, 3.0];
    assert_eq!(ReLU::new().forward(&x), ndarray::array![0.0, 0.0, 0.5, 3.0]);
    assert_eq!(
        LeakyReLU::default().forward(&x),
        ndarray::array![-0.4, -0.1, 0.5, 3.0]
    );
    let s = Sigmoid::new().forward(&ndarray::array![-800.0f64, 0.0, 800.0]);
    assert_eq!(
        s,
        ndarray::array![0.0, 0.5, 1.0],
        "no overflow at large |x|"
    );
    let p = Softmax::new().forward(&ndarray::array![[1000.0f64, 1000.0], [0.0, 2f64.ln()]]);
    assert!(rel_error(p.as_slice().unwrap(), &[0.5, 0.5, 1.0 / 3.0, 2.0 / 3.0]) < 1e-12);
    assert!(LeakyReLU::<f32>::new(f32::NAN).is_err());
}

#[test]
fn dropout_gradcheck_train_and_eval() {
    let mut d = Dropout::<f64>::new(0.4, 1).unwrap();
    // replay one mask in every forward of the check
    let r = check_unary(
        &mut d,
        randn(&[4, 6], 30),
        |l, x| {
            l.reseed(99);
            l.forward(x)
        },
        |l, g| l.backward(g),
        31,
    );
    assert_grads("Dropout train", &r);
    let kept = d.mask().unwrap().sum();
    assert!(
        kept > 5.0 && kept < 23.0,
        "about 60% of 24 kept, got {kept}"
    );
    d.eval();
    let x = randn(&[4, 6], 32);
    assert_eq!(d.forward(&x), x, "eval is the identity");
    assert_eq!(d.backward(&x), x);
}

#[test]
fn dropout_scales_kept_units_and_is_seeded() {
    let x = ArrayD::<f64>::ones(ndarray::IxDyn(&[1000]));
    let mut a = Dropout::<f64>::new(0.25, 5).unwrap();
    let mut b = Dropout::<f64>::new(0.25, 5).unwrap();
    let (ya, yb) = (a.forward(&x), b.forward(&x));
    assert_eq!(ya, yb, "same seed, same mask");
    assert!(
        ya.iter()
            .all(|&v| v == 0.0 || (v - 4.0 / 3.0).abs() < 1e-12)
    );
    let kept = ya.iter().filter(|&&v| v > 0.0).count();
    assert!(
        (700..800).contains(&kept),
        "kept {kept} of 1000 at p = 0.25"
    );
    assert!(Dropout::<f32>::new(1.0, 0).is_err() && Dropout::<f32>::new(-0.1, 0).is_err());
}

#[test]
fn pools_gradcheck() {
    // distinct values (no max ties) well apart from each other
    let x = randn(&[2, 3, 5, 6], 40);
    for (k, st, p) in [(2, 2, 0), (3, 2, 1), (3, 1, 1)] {
        let r = check_unary(
            &mut MaxPool2d::new(k, st, p).unwrap(),
            x.clone(),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            41,
        );
        assert_grads("MaxPool2d", &r);
        let r = check_unary(
            &mut AvgPool2d::new(k, st, p).unwrap(),
            x.clone(),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            42,
        );
        assert_grads("AvgPool2d", &r);
    }
    let r = check_unary(
        &mut GlobalAvgPool::new(),
        x,
        |l, x| l.forward(&to4(x)).into_dyn(),
        |l, d| l.backward(&to2(d)).into_dyn(),
        43,
    );
    assert_grads("GlobalAvgPool", &r);
    assert!(MaxPool2d::new(2, 2, 2).is_err() && AvgPool2d::new(0, 1, 0).is_err());
    assert_eq!(
        MaxPool2d::new(2, 2, 0).unwrap().output_size(7, 8).unwrap(),
        (3, 4)
    );
}

#[test]
fn max_pool_values_and_padding() {
    let x = ndarray::Array4::from_shape_fn((1, 1, 3, 3), |(_, _, i, j)| -((i * 3 + j) as f64));
    let y = MaxPool2d::new(2, 1, 1).unwrap().forward(&x);
    // padding is −∞, so corner windows see one real value
    assert_eq!(
        y.slice(s![0, 0, .., ..]).to_owned(),
        ndarray::array![
            [0.0, 0.0, -1.0, -2.0],
            [0.0, 0.0, -1.0, -2.0],
            [-3.0, -3.0, -4.0, -5.0],
            [-6.0, -6.0, -7.0, -8.0]
        ]
    );
    let y = AvgPool2d::new(2, 1, 1).unwrap().forward(&x);
    assert_eq!(y[[0, 0, 0, 0]], 0.0);
    assert_eq!(y[[0, 0, 0, 1]], -0.25, "padding counts in the average");
}

#[test]
fn concat_gradcheck_and_split() {
    let mut cat = Concat::new();
    let mut inputs = vec![randn(&[2, 2, 3, 3], 50), randn(&[2, 3, 3, 3], 51)];
    let u = randn(&[2, 5, 3, 3], 52);
    let r = gradcheck(
        &mut cat,
        &mut inputs,
        |c, xs| {
            weighted_sum(
                &u,
                &c.forward(&[to4(&xs[0]).view(), to4(&xs[1]).view()])
                    .into_dyn(),
            )
        },
        |c, xs| {
            c.forward(&[to4(&xs[0]).view(), to4(&xs[1]).view()]);
            c.backward(&to4(&u))
                .into_iter()
                .map(|a| a.into_dyn())
                .collect()
        },
        H,
    );
    assert_eq!(r.inputs.len(), 2);
    assert_grads("Concat", &r);
    let y = cat.forward(&[to4(&inputs[0]).view(), to4(&inputs[1]).view()]);
    assert_eq!(y.slice(s![.., 2.., .., ..]), to4(&inputs[1]));
}

/// Shared weights: two forward/backward passes through one layer add their gradients.
#[test]
fn parameter_gradients_accumulate_over_passes() {
    let mut conv = Conv2d::<f64>::new(2, 3, 3, 1, 1, &mut rng(60)).unwrap();
    let (xa, xb) = (
        to4(&randn(&[2, 2, 4, 4], 61)),
        to4(&randn(&[2, 2, 4, 4], 62)),
    );
    let d = to4(&randn(&[2, 3, 4, 4], 63));
    let single = |x: &ndarray::Array4<f64>| {
        let mut c = conv.clone();
        c.zero_grad();
        c.forward(x);
        c.backward(&d);
        c.dw
    };
    let (ga, gb) = (single(&xa), single(&xb));
    conv.zero_grad();
    conv.forward(&xa);
    conv.backward(&d);
    conv.forward(&xb);
    conv.backward(&d);
    assert!(rel_error(conv.dw.as_slice().unwrap(), (&ga + &gb).as_slice().unwrap()) < 1e-12);
    conv.zero_grad();
    let mut total = 0.0;
    conv.visit_params(&mut |_, g| total += g.iter().map(|v| v.abs()).sum::<f64>());
    assert_eq!(total, 0.0);
}

/// Views and arrays with unusual strides give the same results as standard arrays.
#[test]
fn layers_accept_views_and_non_standard_layouts() {
    let x = to4(&randn(&[2, 3, 5, 5], 70));
    // same logical array, stored (H, W, N, C)-major
    let odd = x
        .view()
        .permuted_axes([2, 3, 0, 1])
        .as_standard_layout()
        .into_owned()
        .permuted_axes([2, 3, 0, 1]);
    assert!(!odd.is_standard_layout());
    let mut conv = Conv2d::<f64>::new(3, 4, 3, 2, 1, &mut rng(71)).unwrap();
    let (a, b) = (conv.forward(&x), conv.forward(&odd));
    assert_eq!(a, b);
    let mut ct = ConvTranspose2d::<f64>::new(3, 2, 4, 2, 1, &mut rng(72)).unwrap();
    assert_eq!(ct.forward(&x), ct.forward(&odd.view()));
    let mut pool = MaxPool2d::new(2, 2, 0).unwrap();
    assert_eq!(pool.forward(&x), pool.forward(&odd));
    // a transposed weight replaced by the caller is still visited and used consistently
    let mut lin = Linear::<f64>::new(3, 3, &mut rng(73)).unwrap();
    let xs = to2(&randn(&[4, 3], 74));
    let y = lin.forward(&xs);
    lin.w = lin.w.t().as_standard_layout().into_owned().reversed_axes();
    assert_eq!(lin.forward(&xs.view()), y);
    let mut n = 0;
    lin.visit_params(&mut |p, g| {
        assert_eq!(p.len(), g.len());
        n += 1;
    });
    assert_eq!(n, 2);
}
