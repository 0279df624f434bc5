//! The `cam` kernel: its default run reaches every target (accuracy, pointing game for CAM and
//! Grad-CAM, CAM ≡ ReLU-CAM ∝ Grad-CAM, Integrated Gradients completeness), records only
//! declared steps, is deterministic, and its trace summary is snapshotted.

mod kernel_util;

use eshikaku_kernels::nn::Params;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, summarize};
use eshikaku_kernels::xai::gap_cnn::GapCnn;
use eshikaku_kernels::xai::saliency::{cam, grad_cam, integrated_gradients};
use eshikaku_kernels::xai::shapes;
use kernel_util::{assert_declared_steps, assert_goals_met, declared_keys, json_bytes, metric};
use ndarray::{Axis, s};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use std::sync::OnceLock;

fn run(seed: u64, settings: &[&str]) -> (Report, Vec<Step>) {
    kernel_util::run("cam", seed, settings).expect("runs")
}

/// The default run takes several seconds: run it once for every test that reads it.
fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run(0, &[]))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("cam", report);
    // The distractor defeats the naive baseline: the maps beat "the brightest pixel" by far.
    let brightest = metric(report, "pointing_game_brightest");
    assert!(brightest < 0.2, "brightest-pixel baseline {brightest}");
    assert!(metric(report, "pointing_game_cam") > brightest + 0.6);
}

#[test]
fn grad_cam_is_relu_cam_over_z_even_untrained() {
    // The identity α_k^c = w_k^c / Z holds for any weights of a GAP + linear head.
    let mut rng = StdRng::seed_from_u64(5);
    let mut net = GapCnn::new(3, &mut rng).expect("sizes");
    let set = shapes::generate(8, 0.25, &mut rng);
    let classes = [0, 1, 2, 0, 1, 2, 0, 1];
    let (gmaps, alphas) = grad_cam(&mut net, &set.images, &classes);
    let cams = cam(&net.features, &net.fc.w, &classes);
    let z = 64.0f32;
    for i in 0..8 {
        for k in 0..alphas.ncols() {
            assert!((alphas[[i, k]] - net.fc.w[[k, classes[i]]] / z).abs() < 1e-7);
        }
        let want = cams.index_axis(Axis(0), i).mapv(|v| v.max(0.0) / z);
        let err = (&gmaps.index_axis(Axis(0), i) - &want)
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(err < 1e-6, "image {i}: {err}");
    }
}

#[test]
fn integrated_gradients_are_complete_for_more_steps() {
    let mut rng = StdRng::seed_from_u64(6);
    let mut net = GapCnn::new(3, &mut rng).expect("sizes");
    // Non-zero biases put ReLU kinks on the path α·x (with zero biases F(αx) is linear in α).
    net.conv1.b.fill(-0.2);
    net.conv2
        .b
        .iter_mut()
        .enumerate()
        .for_each(|(k, b)| *b = if k % 2 == 0 { 0.6 } else { -0.6 });
    let set = shapes::generate(1, 0.25, &mut rng);
    let x = set.images.slice(s![0, .., .., ..]);
    let err = |m: usize, net: &mut GapCnn| {
        let (ig, fx, f0) = integrated_gradients(net, &x, 1, m);
        (ig.sum() - (fx - f0)).abs() / (fx - f0).abs()
    };
    let (coarse, fine) = (err(2, &mut net), err(256, &mut net));
    assert!(coarse > 1e-3, "2 steps should visibly miss: {coarse}");
    assert!(fine < coarse / 10.0, "256 steps: {coarse} → {fine}");
    assert!(net.num_params() > 0);
}

#[test]
fn only_declared_steps_are_recorded() {
    let (_, steps) = default_run();
    assert_declared_steps("cam", steps);
    let mut firsts: Vec<&str> = Vec::new();
    for s in steps {
        if !firsts.contains(&s.key.as_str()) {
            firsts.push(&s.key);
        }
    }
    assert_eq!(firsts, declared_keys("cam"));
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let small = ["steps=20", "train_images=200", "ig_images=3", "ig_steps=8"];
    let a = serde_json::to_string(&run(3, &small).1).expect("json");
    let b = serde_json::to_string(&run(3, &small).1).expect("json");
    let c = serde_json::to_string(&run(4, &small).1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    insta::assert_snapshot!(summarize(&default_run().1));
}
