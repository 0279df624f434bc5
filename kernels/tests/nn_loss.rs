//! Losses: gradient checks (f64) and values worked out by hand.

mod nn_util;

use eshikaku_kernels::nn::gradcheck::{GradReport, gradcheck};
use eshikaku_kernels::nn::loss::{
    bce, bce_with_logits, contrastive, l1, mse, quadruplet, softmax_cross_entropy,
    softmax_cross_entropy_soft, triplet,
};
use ndarray::{Array2, ArrayD, Ix2, array};
use nn_util::*;

fn to2(x: &ArrayD<f64>) -> Array2<f64> {
    x.clone().into_dimensionality::<Ix2>().unwrap()
}

/// Checks a loss `f(inputs) -> (L, grads)` with respect to all its differentiable inputs.
fn check_loss(
    inputs: Vec<ArrayD<f64>>,
    f: impl Fn(&[ArrayD<f64>]) -> (f64, Vec<ArrayD<f64>>),
) -> GradReport<f64> {
    let mut inputs = inputs;
    gradcheck(&mut (), &mut inputs, |_, xs| f(xs).0, |_, xs| f(xs).1, H)
}

#[test]
fn elementwise_losses_gradcheck() {
    let t = uniform(&[3, 4], 0.05, 0.95, 2);
    let y = randn_away_from_zero(&[3, 4], 0.05, 1);
    let r = check_loss(vec![y.clone()], |xs| {
        let (l, g) = mse(&xs[0], &t);
        (l, vec![g])
    });
    assert_grads("mse", &r);
    // keep y − t away from 0 for L1's kink
    let yl = &t + &randn_away_from_zero(&[3, 4], 0.05, 3);
    let r = check_loss(vec![yl], |xs| {
        let (l, g) = l1(&xs[0], &t);
        (l, vec![g])
    });
    assert_grads("l1", &r);
    let p = uniform(&[3, 4], 0.05, 0.95, 4);
    let r = check_loss(vec![p], |xs| {
        let (l, g) = bce(&xs[0], &t);
        (l, vec![g])
    });
    assert_grads("bce", &r);
    let z = randn(&[3, 4], 5).mapv(|v| 3.0 * v);
    let r = check_loss(vec![z], |xs| {
        let (l, g) = bce_with_logits(&xs[0], &t);
        (l, vec![g])
    });
    assert_grads("bce_with_logits", &r);
}

#[test]
fn elementwise_loss_values() {
    let (y, t) = (array![1.0, -2.0, 0.5, 0.0], array![0.0, 0.0, 0.5, 1.0]);
    assert_eq!(mse(&y, &t).0, (1.0 + 4.0 + 0.0 + 1.0) / 4.0);
    assert_eq!(l1(&y, &t).0, (1.0 + 2.0 + 0.0 + 1.0) / 4.0);
    assert_eq!(l1(&y, &t).1, array![0.25, -0.25, 0.0, -0.25]);
    let (p, tb) = (array![0.8, 0.1], array![1.0, 0.0]);
    let want = -(0.8f64.ln() + 0.9f64.ln()) / 2.0;
    assert!((bce(&p, &tb).0 - want).abs() < 1e-15);
    // BCE with logits equals BCE of σ(z), and stays finite where σ saturates
    let z = array![0.8f64.ln() - 0.2f64.ln(), 0.1f64.ln() - 0.9f64.ln()];
    assert!((bce_with_logits(&z, &tb).0 - want).abs() < 1e-12);
    let (l, g) = bce_with_logits(&array![1000.0f64, -1000.0], &array![0.0, 1.0]);
    assert!((l - 1000.0).abs() < 1e-9 && g == array![0.5, -0.5]);
    let (l, _) = bce(&array![0.0, 1.0], &array![1.0, 0.0]);
    assert_eq!(l, 100.0, "PyTorch clamps each log at −100");
}

#[test]
fn softmax_cross_entropy_gradcheck_and_values() {
    let labels = [2usize, 0, 1];
    let r = check_loss(vec![randn(&[3, 4], 6)], |xs| {
        let (l, g) = softmax_cross_entropy(&to2(&xs[0]), &labels);
        (l, vec![g.into_dyn()])
    });
    assert_grads("softmax_cross_entropy", &r);
    let soft = array![
        [0.1, 0.2, 0.3, 0.4],
        [0.25, 0.25, 0.25, 0.25],
        [0.7, 0.1, 0.1, 0.1]
    ];
    let r = check_loss(vec![randn(&[3, 4], 7)], |xs| {
        let (l, g) = softmax_cross_entropy_soft(&to2(&xs[0]), &soft);
        (l, vec![g.into_dyn()])
    });
    assert_grads("softmax_cross_entropy_soft", &r);
    // uniform logits: L = ln K; huge logits do not overflow
    let (l, g) = softmax_cross_entropy(&Array2::<f64>::zeros((2, 4)), &[1, 3]);
    assert!((l - 4f64.ln()).abs() < 1e-15);
    assert!((g[[0, 1]] - (0.25 - 1.0) / 2.0).abs() < 1e-15);
    let (l, _) = softmax_cross_entropy(&array![[1000.0f64, 0.0]], &[1]);
    assert!((l - 1000.0).abs() < 1e-9);
}

#[test]
fn contrastive_gradcheck_and_convention() {
    // y = 1 same class (pulled), y = 0 different (pushed up to the margin)
    let y = array![1.0, 0.0, 0.0, 1.0];
    let (x1, x2) = (randn(&[4, 3], 8), randn(&[4, 3], 9));
    let d: Vec<f64> = (0..4)
        .map(|i| {
            (0..3)
                .map(|j| (x1[[i, j]] - x2[[i, j]]).powi(2))
                .sum::<f64>()
                .sqrt()
        })
        .collect();
    // margin between the distances of the two negative pairs: one active, one inactive hinge
    let margin = (d[1] + d[2]) / 2.0;
    assert!((d[1] - margin).abs() > 0.05 && (d[2] - margin).abs() > 0.05);
    let r = check_loss(vec![x1.clone(), x2.clone()], |xs| {
        let (l, [g1, g2]) = contrastive(&to2(&xs[0]), &to2(&xs[1]), &y, margin);
        (l, vec![g1.into_dyn(), g2.into_dyn()])
    });
    assert_grads("contrastive", &r);
    let (l, _) = contrastive(&to2(&x1), &to2(&x2), &y, margin);
    let want = (d[0].powi(2)
        + (margin - d[1]).max(0.0).powi(2)
        + (margin - d[2]).max(0.0).powi(2)
        + d[3].powi(2))
        / 4.0;
    assert!((l - want).abs() < 1e-12);
    // a same-class pair is pulled: the step along −gradient shrinks its distance
    let (a, b) = (array![[1.0, 0.0]], array![[0.0, 0.0]]);
    let (_, [ga, _]) = contrastive(&a, &b, &array![1.0], 1.0);
    assert!(ga[[0, 0]] > 0.0);
    let (_, [ga, _]) = contrastive(&a, &b, &array![0.0], 2.0);
    assert!(
        ga[[0, 0]] < 0.0,
        "a different-class pair inside the margin is pushed apart"
    );
}

#[test]
fn triplet_and_quadruplet_gradcheck() {
    let (a, p, n, n2) = (
        randn(&[5, 3], 10),
        randn(&[5, 3], 11),
        randn(&[5, 3], 12),
        randn(&[5, 3], 13),
    );
    let sq = |u: &ArrayD<f64>, v: &ArrayD<f64>, i: usize| {
        (0..3).map(|j| (u[[i, j]] - v[[i, j]]).powi(2)).sum::<f64>()
    };
    let hinges: Vec<f64> = (0..5).map(|i| sq(&a, &p, i) - sq(&a, &n, i)).collect();
    // a margin with some hinges active and some not, none within 0.05 of the kink
    let alpha = 0.5;
    assert!(hinges.iter().all(|h| (h + alpha).abs() > 0.05));
    assert!(hinges.iter().any(|h| h + alpha > 0.0) && hinges.iter().any(|h| h + alpha < 0.0));
    let r = check_loss(vec![a.clone(), p.clone(), n.clone()], |xs| {
        let (l, g) = triplet(&to2(&xs[0]), &to2(&xs[1]), &to2(&xs[2]), alpha);
        (l, g.into_iter().map(|g| g.into_dyn()).collect())
    });
    assert_grads("triplet", &r);
    let (l, _) = triplet(&to2(&a), &to2(&p), &to2(&n), alpha);
    assert!((l - hinges.iter().map(|h| (h + alpha).max(0.0)).sum::<f64>() / 5.0).abs() < 1e-12);

    let alpha2 = 0.25;
    let h2: Vec<f64> = (0..5)
        .map(|i| sq(&a, &p, i) - sq(&n, &n2, i) + alpha2)
        .collect();
    assert!(h2.iter().all(|h| h.abs() > 0.05) && h2.iter().any(|&h| h > 0.0));
    let r = check_loss(vec![a.clone(), p.clone(), n.clone(), n2.clone()], |xs| {
        let (l, g) = quadruplet(
            &to2(&xs[0]),
            &to2(&xs[1]),
            &to2(&xs[2]),
            &to2(&xs[3]),
            alpha,
            alpha2,
        );
        (l, g.into_iter().map(|g| g.into_dyn()).collect())
    });
    assert_eq!(r.inputs.len(), 4);
    assert_grads("quadruplet", &r);
    let (lq, _) = quadruplet(&to2(&a), &to2(&p), &to2(&n), &to2(&n2), alpha, alpha2);
    assert!((lq - l - h2.iter().map(|h| h.max(0.0)).sum::<f64>() / 5.0).abs() < 1e-12);
}
