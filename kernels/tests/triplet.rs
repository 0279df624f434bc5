//! The `triplet` kernel: the default run (semi-hard mining) reaches Recall@1 ≥ 0.90 and shows
//! random triplets becoming useless (their zero-loss share grows to almost 1); the mining
//! strategies select what they claim; the Euclidean triplet loss passes a gradient check;
//! batch-hard on squared distances collapses; the quadruplet loss trains; the trace summary is
//! snapshotted.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::metric::mining::{self, Distance, Mining, triplet_loss};
use eshikaku_kernels::nn::gradcheck::gradcheck;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, metric, run};
use ndarray::{Array2, ArrayD, Ix2, array};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;
use std::sync::OnceLock;

fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run("triplet", 0, &[]).expect("default run"))
}

fn series(steps: &[Step], prefix: &str) -> Vec<(f64, f64)> {
    steps
        .iter()
        .flat_map(|s| &s.values)
        .filter_map(|v| match v {
            Value::Series { name, x, y } if name.starts_with(prefix) => Some((*x, *y)),
            _ => None,
        })
        .collect()
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("triplet", report);
    let recall = metric(report, "recall_at_1");
    assert!(recall > metric(report, "pca2_recall_at_1") + 0.25);
}

#[test]
fn random_triplets_stop_contributing() {
    let (report, steps) = default_run();
    let first = metric(report, "random_zero_loss_fraction_first_epoch");
    let last = metric(report, "random_zero_loss_fraction_last_epoch");
    assert!(
        first < 0.5 && last > 0.9,
        "zero-loss share {first} → {last}"
    );
    let curve = series(steps, "ランダムな 3 つ組のうち損失 0 の割合");
    assert_eq!(curve.len(), 10);
    assert!(curve[9].1 >= curve[0].1, "{curve:?}");
}

#[test]
fn random_mining_with_a_small_margin_also_learns_and_stalls() {
    let (report, _) = run("triplet", 0, &["mining=random", "margin=0.2"]).expect("runs");
    assert!(
        metric(&report, "recall_at_1") >= 0.88,
        "{:?}",
        report.metrics
    );
    let (first, last) = (
        metric(&report, "random_zero_loss_fraction_first_epoch"),
        metric(&report, "random_zero_loss_fraction_last_epoch"),
    );
    assert!(last > 0.9 && last - first > 0.5, "{first} → {last}");
}

#[test]
fn batch_hard_on_squared_distances_collapses() {
    // From a random start every embedding sits near one point. The gradient of a squared
    // distance, 2(a − b), vanishes there, so the embedding stays collapsed and every batch-hard
    // triplet keeps the loss at the margin α = 1.
    let (squared, steps) = run(
        "triplet",
        0,
        &["mining=hard", "distance=squared", "epochs=30"],
    )
    .expect("runs");
    let loss = series(&steps, "triplet loss");
    assert!(
        loss.iter().all(|&(_, l)| (l - 1.0).abs() < 0.02),
        "{loss:?}"
    );
    let collapsed = metric(&squared, "inter_class_distance");
    assert!(collapsed < 0.02, "{:?}", squared.metrics);
    // The gradient of a plain Euclidean distance, (a − b)/‖a − b‖, has unit length at any
    // scale: the same run (the default distance for hard mining) spreads the classes apart.
    let (euclidean, _) = run("triplet", 0, &["mining=hard", "epochs=30"]).expect("runs");
    let spread = metric(&euclidean, "inter_class_distance");
    assert!(spread > 3.0 * collapsed, "{spread} vs {collapsed}");
    assert!(
        metric(&euclidean, "recall_at_1") > metric(&squared, "recall_at_1"),
        "{:?} vs {:?}",
        euclidean.metrics,
        squared.metrics
    );
}

#[test]
fn quadruplet_loss_trains_and_needs_squared_distances() {
    let (report, _) = run("triplet", 0, &["loss=quadruplet"]).expect("runs");
    assert!(
        metric(&report, "recall_at_1") >= 0.90,
        "{:?}",
        report.metrics
    );
    let err = run("triplet", 0, &["loss=quadruplet", "distance=euclidean"]).err();
    assert!(
        matches!(&err, Some(KernelError::InvalidConfig(m)) if m.contains("squared")),
        "{err:?}"
    );
}

/// Distances of a hand-made batch: labels `[0, 0, 0, 1, 1]`.
fn toy() -> (Vec<u8>, Array2<f32>) {
    let d = array![
        [0.0, 1.0, 3.0, 0.5, 2.0],
        [1.0, 0.0, 0.8, 4.0, 1.5],
        [3.0, 0.8, 0.0, 2.5, 3.5],
        [0.5, 4.0, 2.5, 0.0, 1.0],
        [2.0, 1.5, 3.5, 1.0, 0.0]
    ];
    (vec![0, 0, 0, 1, 1], d)
}

#[test]
fn hard_mining_takes_the_farthest_positive_and_closest_negative() {
    let (labels, d) = toy();
    let t = mining::select(Mining::Hard, &labels, &d, &mut StdRng::seed_from_u64(0));
    assert_eq!(
        t,
        vec![[0, 2, 3], [1, 0, 4], [2, 0, 3], [3, 4, 0], [4, 3, 1]]
    );
}

#[test]
fn semi_hard_mining_takes_the_closest_negative_beyond_the_positive() {
    let (labels, d) = toy();
    let t = mining::select(Mining::SemiHard, &labels, &d, &mut StdRng::seed_from_u64(0));
    // anchor 0: positive 1 (d=1) → negatives farther than 1: {4 (2.0)} → 4;
    //           positive 2 (d=3) → none farther (0.5, 2.0) → the farthest negative, 4.
    assert_eq!(t[..2], [[0, 1, 4], [0, 2, 4]]);
    // anchor 1: positive 0 (d=1) → farther: 3 (4.0), 4 (1.5) → 4.
    assert_eq!(t[2], [1, 0, 4]);
    // every anchor-positive pair appears once: 3·2 + 2·1
    assert_eq!(t.len(), 8);
}

#[test]
fn random_mining_respects_the_labels() {
    let (labels, d) = toy();
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20 {
        for [a, p, n] in mining::select(Mining::Random, &labels, &d, &mut rng) {
            assert!(a != p && labels[a] == labels[p] && labels[a] != labels[n]);
        }
    }
    let quads = mining::add_second_negative(&[[0, 1, 3]], &[0, 0, 2, 1, 2], &mut rng);
    assert_eq!(quads.len(), 1);
    assert!([2, 4].contains(&quads[0][3]), "{quads:?}");
}

#[test]
fn zero_loss_fraction_counts_satisfied_margins() {
    let (_, d) = toy();
    // [0,1,4]: 1 − 2 + 0.5 < 0 → zero; [0,2,3]: 3 − 0.5 + 0.5 > 0 → active
    assert_eq!(
        mining::zero_loss_fraction(&[[0, 1, 4], [0, 2, 3]], &d, 0.5),
        0.5
    );
}

#[test]
fn euclidean_triplet_loss_gradients_match_finite_differences() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut inputs: Vec<ArrayD<f64>> = (0..3)
        .map(|_| Array2::<f64>::random_using((6, 3), StandardNormal, &mut rng).into_dyn())
        .collect();
    let as2 = |x: &ArrayD<f64>| x.clone().into_dimensionality::<Ix2>().expect("2-D");
    let report = gradcheck(
        &mut (),
        &mut inputs,
        |_, xs| {
            triplet_loss(
                Distance::Euclidean,
                &as2(&xs[0]),
                &as2(&xs[1]),
                &as2(&xs[2]),
                1.0,
            )
            .0
        },
        |_, xs| {
            let (_, g) = triplet_loss(
                Distance::Euclidean,
                &as2(&xs[0]),
                &as2(&xs[1]),
                &as2(&xs[2]),
                1.0,
            );
            g.into_iter().map(|a| a.into_dyn()).collect()
        },
        1e-6,
    );
    assert!(report.max() < 1e-6, "{report:?}");
    // The loss is active for some triplets and not others (so both branches are checked).
    let (l, _) = triplet_loss(
        Distance::Euclidean,
        &as2(&inputs[0]),
        &as2(&inputs[1]),
        &as2(&inputs[2]),
        1.0,
    );
    assert!(l > 0.0);
}

#[test]
fn only_declared_steps_are_recorded() {
    let (_, steps) = default_run();
    assert_declared_steps("triplet", steps);
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys[..2], ["data", "mining"]);
    assert_eq!(keys[keys.len() - 2..], ["stall", "metrics"]);
    assert_eq!(keys.iter().filter(|k| **k == "epoch").count(), 10);
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let short = ["epochs=2", "record_every=1"];
    let a = serde_json::to_string(&run("triplet", 3, &short).expect("runs").1).expect("json");
    let b = serde_json::to_string(&run("triplet", 3, &short).expect("runs").1).expect("json");
    let c = serde_json::to_string(&run("triplet", 4, &short).expect("runs").1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn trace_summary_snapshot() {
    let (_, steps) = default_run();
    insta::assert_snapshot!(summarize(steps));
}
