//! The `siamese` kernel: the default run reaches its targets (Recall@1 ≥ 0.88 in the learned 2-D
//! embedding, far above the 2-D PCA of the pixels) and shows the contrastive loss squeezing
//! each class (the intra/inter-class distance ratio shrinks); only declared steps are recorded;
//! the trace is deterministic for a seed and its summary is snapshotted.

mod kernel_util;

use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, metric, run};
use std::sync::OnceLock;

/// The default run, shared by the tests that inspect it.
fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run("siamese", 0, &[]).expect("default run"))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("siamese", report);
    let recall = metric(report, "recall_at_1");
    let pca = metric(report, "pca2_recall_at_1");
    assert!((0.45..0.65).contains(&pca), "pca2_recall_at_1 = {pca}");
    assert!(recall > pca + 0.25, "learned {recall} vs PCA {pca}");
}

#[test]
fn same_class_pairs_are_squeezed_together() {
    let (report, steps) = default_run();
    let shrink = metric(report, "intra_inter_shrink");
    assert!(
        shrink <= 0.75,
        "intra/inter ratio shrank only to {shrink} of epoch 1"
    );
    let first = metric(report, "intra_inter_ratio_epoch1");
    let last = metric(report, "intra_inter_ratio");
    assert!(last < first, "{last} vs {first}");
    // The curve recorded every few epochs goes down overall.
    let curve: Vec<f64> = steps
        .iter()
        .flat_map(|s| &s.values)
        .filter_map(|v| match v {
            Value::Series { name, y, .. } if name.starts_with("クラス内の平均距離 /") => {
                Some(*y)
            }
            _ => None,
        })
        .collect();
    assert_eq!(curve.len(), 10);
    assert!(curve[9] < curve[0], "{curve:?}");
}

#[test]
fn epochs_show_a_scatter_of_every_test_digit() {
    let (_, steps) = default_run();
    let epochs: Vec<&Step> = steps.iter().filter(|s| s.key == "epoch").collect();
    assert_eq!(epochs.len(), 10, "every 10 of 100 epochs");
    for s in &epochs {
        let sc = s
            .values
            .iter()
            .find_map(|v| match v {
                Value::Scatter(sc) => Some(sc),
                _ => None,
            })
            .expect("a scatter per epoch step");
        assert_eq!(sc.points.len(), 355);
        assert_eq!(sc.classes.len(), 355);
        assert!(sc.classes.iter().all(|&c| c < 10));
    }
    let bytes = json_bytes(steps);
    assert!(bytes < 1_000_000, "trace is {bytes} bytes");
}

#[test]
fn only_declared_steps_are_recorded() {
    let (_, steps) = default_run();
    assert_declared_steps("siamese", steps);
    let keys: Vec<&str> = steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys[..2], ["data", "pairs"]);
    assert_eq!(keys[keys.len() - 2..], ["collapse", "metrics"]);
}

#[test]
fn same_seed_same_trace_other_seed_other_trace() {
    let short = ["epochs=2", "record_every=1"];
    let a = serde_json::to_string(&run("siamese", 3, &short).expect("runs").1).expect("json");
    let b = serde_json::to_string(&run("siamese", 3, &short).expect("runs").1).expect("json");
    let c = serde_json::to_string(&run("siamese", 4, &short).expect("runs").1).expect("json");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn extreme_knobs_run_without_panicking() {
    for settings in [
        vec!["epochs=1", "batch=2"],
        vec!["epochs=1", "positive_fraction=0"],
        vec!["epochs=1", "positive_fraction=1", "margin=100"],
        vec!["epochs=3", "record_every=1000"],
    ] {
        let (report, _) =
            run("siamese", 1, &settings).unwrap_or_else(|e| panic!("{settings:?}: {e}"));
        assert!(report.metric("recall_at_1").is_some(), "{settings:?}");
    }
}

#[test]
fn trace_summary_snapshot() {
    let (_, steps) = default_run();
    insta::assert_snapshot!(summarize(steps));
}
