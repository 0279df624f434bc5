//! Normalisation layers: gradient checks, PyTorch's running-statistics rule, and the
//! GroupNorm ⇔ LayerNorm / InstanceNorm identities.

mod nn_util;

use eshikaku_kernels::nn::gradcheck::rel_error;
use eshikaku_kernels::nn::{BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm, NnError, Params};
use ndarray::{Array1, Array4, Axis, s};
use nn_util::*;

fn affine_random<L: Params<f64>>(layer: &mut L, seed: u64) {
    let mut k = 0;
    layer.visit_params(&mut |p, _| {
        let r = randn(&[p.len()], seed + k);
        for (v, r) in p.iter_mut().zip(&r) {
            *v = if k == 0 { 1.0 + 0.3 * r } else { 0.5 * r };
        }
        k += 1;
    });
}

#[test]
fn batch_norm_gradcheck_train_and_eval() {
    for (shape, seed) in [([4, 3, 2, 3], 1), ([2, 2, 3, 1], 2), ([1, 2, 3, 3], 3)] {
        let mut bn = BatchNorm2d::<f64>::new(shape[1]).unwrap();
        affine_random(&mut bn, seed);
        let r = check_unary(
            &mut bn,
            randn(&shape, seed + 10),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            seed,
        );
        assert_grads("BatchNorm2d train", &r);
        assert_eq!(r.params.len(), 2);
        bn.running_mean = Array1::from(vec![0.3, -0.2, 0.1][..shape[1]].to_vec());
        bn.running_var = Array1::from(vec![1.5, 0.7, 2.0][..shape[1]].to_vec());
        bn.eval();
        let r = check_unary(
            &mut bn,
            randn(&shape, seed + 20),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            seed,
        );
        assert_grads("BatchNorm2d eval", &r);
    }
}

#[test]
fn layer_instance_group_norm_gradcheck() {
    for (shape, seed) in [([3, 4, 2, 3], 4), ([1, 4, 3, 1], 5)] {
        let mut ln = LayerNorm::<f64>::new(&shape[1..]).unwrap();
        affine_random(&mut ln, seed);
        let r = check_unary(
            &mut ln,
            randn(&shape, seed),
            |l, x| l.forward(x),
            |l, d| l.backward(d),
            seed,
        );
        assert_grads("LayerNorm 4-D", &r);

        let mut inn = InstanceNorm2d::<f64>::new(shape[1]).unwrap();
        affine_random(&mut inn, seed);
        let r = check_unary(
            &mut inn,
            randn(&shape, seed + 1),
            |l, x| l.forward(&to4(x)).into_dyn(),
            |l, d| l.backward(&to4(d)).into_dyn(),
            seed,
        );
        assert_grads("InstanceNorm2d", &r);

        for g in [1, 2, 4] {
            let mut gn = GroupNorm::<f64>::new(g, shape[1]).unwrap();
            affine_random(&mut gn, seed);
            let r = check_unary(
                &mut gn,
                randn(&shape, seed + 2),
                |l, x| l.forward(&to4(x)).into_dyn(),
                |l, d| l.backward(&to4(d)).into_dyn(),
                seed,
            );
            assert_grads("GroupNorm", &r);
        }
    }
    // LayerNorm on feature batches (N, D).
    let mut ln = LayerNorm::<f64>::new(&[5]).unwrap();
    affine_random(&mut ln, 9);
    let r = check_unary(
        &mut ln,
        randn(&[3, 5], 9),
        |l, x| l.forward(x),
        |l, d| l.backward(d),
        9,
    );
    assert_grads("LayerNorm 2-D", &r);
}

/// Three training steps on one channel, with the expected values worked out by hand from
/// PyTorch's documented rule `r ← (1 − 0.1) r + 0.1 s` (s = batch mean, or unbiased batch var).
#[test]
fn batch_norm_running_stats_follow_pytorch_rule() {
    let mut bn = BatchNorm2d::<f64>::new(1).unwrap();
    let batch = |v: [f64; 4]| Array4::from_shape_vec((2, 1, 1, 2), v.to_vec()).unwrap();
    // batch 1: mean 2.5, biased var 1.25, unbiased var 5/3
    bn.forward(&batch([1.0, 2.0, 3.0, 4.0]));
    assert!((bn.last_mean[0] - 2.5).abs() < 1e-12 && (bn.last_var[0] - 1.25).abs() < 1e-12);
    assert!((bn.running_mean[0] - 0.25).abs() < 1e-12);
    assert!((bn.running_var[0] - (0.9 + 0.1 * 5.0 / 3.0)).abs() < 1e-12);
    // batch 2: mean 3, unbiased var 44/3 -> 0.525, 2.42666…
    bn.forward(&batch([0.0, 0.0, 4.0, 8.0]));
    assert!((bn.running_mean[0] - 0.525).abs() < 1e-12);
    assert!((bn.running_var[0] - (0.96 + 4.4 / 3.0)).abs() < 1e-12);
    // batch 3: mean −1, biased var 3, unbiased var 4 -> 0.3725, 2.584
    let x3 = batch([-2.0, -2.0, -2.0, 2.0]);
    let y_train = bn.forward(&x3);
    assert!(
        (bn.running_mean[0] - 0.3725).abs() < 1e-12,
        "{}",
        bn.running_mean[0]
    );
    assert!(
        (bn.running_var[0] - 2.584).abs() < 1e-12,
        "{}",
        bn.running_var[0]
    );
    // Training normalised x3 with its own statistics…
    let want_train = x3.mapv(|v| (v + 1.0) / (3.0f64 + 1e-5).sqrt());
    assert!(rel_error(y_train.as_slice().unwrap(), want_train.as_slice().unwrap()) < 1e-12);
    // …evaluation uses the running ones, so the same batch gives a different output.
    bn.eval();
    let y_eval = bn.forward(&x3);
    let want_eval = x3.mapv(|v| (v - 0.3725) / (2.584f64 + 1e-5).sqrt());
    assert!(rel_error(y_eval.as_slice().unwrap(), want_eval.as_slice().unwrap()) < 1e-12);
    assert!(rel_error(y_eval.as_slice().unwrap(), y_train.as_slice().unwrap()) > 0.1);
    // Evaluation leaves the running statistics alone.
    assert!(
        (bn.running_mean[0] - 0.3725).abs() < 1e-12 && (bn.running_var[0] - 2.584).abs() < 1e-12
    );
}

/// Several channels and spatial positions, against a loop that follows the rule literally.
#[test]
fn batch_norm_running_stats_many_channels() {
    let mut bn = BatchNorm2d::<f64>::new(3).unwrap();
    let (mut rm, mut rv) = (Array1::<f64>::zeros(3), Array1::<f64>::ones(3));
    for step in 0..3 {
        let x = to4(&randn(&[4, 3, 2, 2], 100 + step).mapv(|v| 2.0 * v + step as f64));
        bn.forward(&x);
        for c in 0..3 {
            let vals: Vec<f64> = x.slice(s![.., c, .., ..]).iter().copied().collect();
            let m = vals.len() as f64;
            let mean = vals.iter().sum::<f64>() / m;
            let unbiased = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0);
            rm[c] = 0.9 * rm[c] + 0.1 * mean;
            rv[c] = 0.9 * rv[c] + 0.1 * unbiased;
            assert!((bn.last_var[c] - unbiased * (m - 1.0) / m).abs() < 1e-12);
        }
    }
    assert!(rel_error(bn.running_mean.as_slice().unwrap(), rm.as_slice().unwrap()) < 1e-12);
    assert!(rel_error(bn.running_var.as_slice().unwrap(), rv.as_slice().unwrap()) < 1e-12);
}

#[test]
fn group_norm_one_group_is_layer_norm_with_channel_affine() {
    let x = to4(&randn(&[2, 4, 3, 2], 7));
    let mut gn = GroupNorm::<f64>::new(1, 4).unwrap();
    affine_random(&mut gn, 8);
    let mut ln = LayerNorm::<f64>::new(&[4, 3, 2]).unwrap();
    // LayerNorm's element-wise γ, β set constant over (H, W) within each channel.
    for c in 0..4 {
        ln.gamma.slice_mut(s![c, .., ..]).fill(gn.gamma[c]);
        ln.beta.slice_mut(s![c, .., ..]).fill(gn.beta[c]);
    }
    let (yg, yl) = (gn.forward(&x), ln.forward(&x));
    assert!(rel_error(yg.as_slice().unwrap(), yl.as_slice().unwrap()) < 1e-12);
    assert!(
        rel_error(
            gn.last_mean.as_slice().unwrap(),
            ln.last_mean.as_slice().unwrap()
        ) < 1e-12
    );
    let d = to4(&randn(&[2, 4, 3, 2], 9));
    let (dg, dl) = (gn.backward(&d), ln.backward(&d));
    assert!(rel_error(dg.as_slice().unwrap(), dl.as_slice().unwrap()) < 1e-12);
    let ln_dgamma_per_channel = ln.dgamma.sum_axis(Axis(2)).sum_axis(Axis(1));
    assert!(
        rel_error(
            gn.dgamma.as_slice().unwrap(),
            ln_dgamma_per_channel.as_slice().unwrap()
        ) < 1e-12
    );
}

#[test]
fn group_norm_one_channel_per_group_is_instance_norm() {
    let x = to4(&randn(&[3, 4, 2, 3], 11));
    let mut gn = GroupNorm::<f64>::new(4, 4).unwrap();
    let mut inn = InstanceNorm2d::<f64>::new(4).unwrap();
    affine_random(&mut gn, 12);
    affine_random(&mut inn, 12);
    let (yg, yi) = (gn.forward(&x), inn.forward(&x));
    assert!(rel_error(yg.as_slice().unwrap(), yi.as_slice().unwrap()) < 1e-12);
    assert_eq!(gn.last_var.dim(), (3, 4));
    assert!(
        rel_error(
            gn.last_var.as_slice().unwrap(),
            inn.last_var.as_slice().unwrap()
        ) < 1e-12
    );
    let d = to4(&randn(&[3, 4, 2, 3], 13));
    let (dg, di) = (gn.backward(&d), inn.backward(&d));
    assert!(rel_error(dg.as_slice().unwrap(), di.as_slice().unwrap()) < 1e-12);
    assert!(rel_error(gn.dbeta.as_slice().unwrap(), inn.dbeta.as_slice().unwrap()) < 1e-12);
}

#[test]
fn group_statistics_are_over_the_documented_axes() {
    let x = to4(&randn(&[2, 6, 2, 2], 14));
    let mut gn = GroupNorm::<f64>::new(3, 6).unwrap();
    gn.forward(&x);
    assert_eq!(gn.last_mean.dim(), (2, 3));
    // group g of sample n = channels 2g, 2g+1 over all (H, W)
    let block = x.slice(s![1, 4..6, .., ..]);
    let mean = block.sum() / 8.0;
    let var = block.mapv(|v| (v - mean).powi(2)).sum() / 8.0;
    assert!((gn.last_mean[[1, 2]] - mean).abs() < 1e-12);
    assert!((gn.last_var[[1, 2]] - var).abs() < 1e-12);
    // each normalised group has mean 0 and variance ≈ 1 (ε aside)
    let y = gn.forward(&x);
    let yb = y.slice(s![0, 0..2, .., ..]);
    assert!(yb.sum().abs() < 1e-10);
    assert!((yb.mapv(|v| v * v).sum() / 8.0 - 1.0).abs() < 1e-4);
    let mut ln = LayerNorm::<f64>::new(&[6, 2, 2]).unwrap();
    ln.forward(&x);
    assert!((ln.last_mean[0] - x.slice(s![0, .., .., ..]).sum() / 24.0).abs() < 1e-12);
}

#[test]
fn bad_knobs_are_errors_not_panics() {
    assert_eq!(
        GroupNorm::<f32>::new(3, 4).unwrap_err(),
        NnError::GroupsDoNotDivideChannels {
            groups: 3,
            channels: 4
        }
    );
    assert!(GroupNorm::<f32>::new(0, 4).is_err());
    assert!(BatchNorm2d::<f32>::new(0).is_err());
    assert!(InstanceNorm2d::<f32>::new(0).is_err());
    assert!(LayerNorm::<f32>::new(&[]).is_err());
    assert!(LayerNorm::<f32>::new(&[3, 0]).is_err());
    let msg = GroupNorm::<f32>::new(3, 4).unwrap_err().to_string();
    assert!(
        msg.contains("3 groups") && msg.contains("4 channels"),
        "{msg}"
    );
}

#[test]
fn parameter_gradients_accumulate_until_zero_grad() {
    let x = to4(&randn(&[2, 2, 2, 2], 15));
    let d = to4(&randn(&[2, 2, 2, 2], 16));
    let mut bn = BatchNorm2d::<f64>::new(2).unwrap();
    bn.forward(&x);
    bn.backward(&d);
    let once = bn.dgamma.clone();
    bn.forward(&x);
    bn.backward(&d);
    assert!(
        rel_error(
            bn.dgamma.as_slice().unwrap(),
            (&once * 2.0).as_slice().unwrap()
        ) < 1e-12
    );
    bn.zero_grad();
    assert_eq!(bn.dgamma.sum(), 0.0);
    assert_eq!(bn.num_params(), 4);
}
