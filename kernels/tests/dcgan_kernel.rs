//! The `dcgan` kernel: the default run (trained once, shared by the tests) reaches the issue's
//! targets; short or absurd runs report honestly.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::trace::Report;
use eshikaku_kernels::trace::{Step, Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, metric, run};
use std::sync::OnceLock;

fn default_run() -> &'static (Report, Vec<Step>) {
    static RUN: OnceLock<(Report, Vec<Step>)> = OnceLock::new();
    RUN.get_or_init(|| run("dcgan", 0, &[]).expect("runs"))
}

#[test]
fn default_run_reaches_every_target() {
    let (report, _) = default_run();
    assert_goals_met("dcgan", report);
    // the real digits are the yardstick: generated samples score below them
    assert!(metric(report, "classifier_score") < metric(report, "real_digits_classifier_score"));
}

#[test]
fn default_trace_shows_samples_histograms_and_curves() {
    let (_, steps) = default_run();
    assert_declared_steps("dcgan", steps);
    let progress: Vec<&Step> = steps.iter().filter(|s| s.key == "progress").collect();
    assert!(progress.len() >= 5);
    for s in &progress {
        assert!(
            s.values
                .iter()
                .any(|v| matches!(v, Value::Image(i) if i.width == 71))
        );
        assert!(
            s.values
                .iter()
                .any(|v| matches!(v, Value::Histogram(h) if h.bins.len() == 10))
        );
        assert!(
            s.values
                .iter()
                .any(|v| matches!(v, Value::Series { name, .. } if name == "loss_D"))
        );
    }
    assert!(json_bytes(steps) < 1_000_000, "{} bytes", json_bytes(steps));
    insta::assert_snapshot!(summarize(steps));
}

#[test]
fn a_short_run_reports_its_failing_score() {
    let (report, _) = run("dcgan", 0, &["iterations=30"]).expect("runs");
    let cs = report.metric("classifier_score").expect("metric");
    assert!(!cs.pass && cs.value < 6.0, "{cs:?}");
    assert!(!report.passed());
}

#[test]
fn absurd_learning_rate_is_divergence_at_a_named_step() {
    match run("dcgan", 0, &["lr=50", "iterations=20"]).err() {
        Some(KernelError::Diverged { what, step, hint }) => {
            assert!(what.contains("G loss"), "{what}");
            assert!(step <= 3, "step {step}");
            assert!(hint.contains("lr"));
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}

#[test]
fn same_seed_same_trace() {
    let a = run("dcgan", 2, &["iterations=16"]).expect("runs").1;
    let b = run("dcgan", 2, &["iterations=16"]).expect("runs").1;
    let c = run("dcgan", 3, &["iterations=16"]).expect("runs").1;
    assert_eq!(summarize(&a), summarize(&b));
    assert_ne!(summarize(&a), summarize(&c));
}
