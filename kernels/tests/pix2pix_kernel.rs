//! The `pix2pix` kernel: the default run reaches the targets and prints the ablation;
//! `lambda_l1 = 0` (cGAN alone) changes the behaviour as the paper describes and is reported
//! honestly.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::trace::{Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, metric, run};

#[test]
fn default_run_reaches_every_target_and_shows_the_ablation() {
    let (report, steps) = run("pix2pix", 0, &[]).expect("runs");
    assert_goals_met("pix2pix", &report);
    assert_declared_steps("pix2pix", &steps);
    let ablation = steps
        .iter()
        .find(|s| s.key == "ablation")
        .expect("ablation step");
    let table = ablation
        .values
        .iter()
        .find_map(|v| match v {
            Value::Table(t) => Some(t),
            _ => None,
        })
        .expect("ablation table");
    assert_eq!(table.rows.len(), 3);
    assert!(json_bytes(&steps) < 1_000_000);
    insta::assert_snapshot!(summarize(&steps));
}

#[test]
fn without_the_l1_term_outputs_are_sharper_but_wrong() {
    let (with_l1, _) = run("pix2pix", 0, &["iterations=300", "lambda_l1=100"]).expect("runs");
    let (cgan_only, _) = run("pix2pix", 0, &["iterations=300", "lambda_l1=0"]).expect("runs");
    let (l1_a, l1_b) = (metric(&with_l1, "test_l1"), metric(&cgan_only, "test_l1"));
    assert!(
        l1_b > 2.0 * l1_a,
        "test L1 with λ = 100: {l1_a}, λ = 0: {l1_b}"
    );
    assert!(metric(&cgan_only, "fcn_score_ratio") < metric(&with_l1, "fcn_score_ratio"));
    // more high-frequency energy (relative to the real images) without the L1 pull to the mean
    assert!(metric(&cgan_only, "hf_ratio_cgan_l1") > metric(&with_l1, "hf_ratio_cgan_l1"));
    // the missed target is reported as failing, not hidden
    let m = cgan_only.metric("test_l1").expect("metric");
    assert!(!m.pass, "{m:?}");
}

#[test]
fn absurd_learning_rate_is_divergence_at_a_named_step() {
    match run("pix2pix", 0, &["lr=50", "iterations=20"]).err() {
        Some(KernelError::Diverged { what, step, hint }) => {
            assert!(what.contains("loss"), "{what}");
            assert!(step <= 3, "step {step}");
            assert!(hint.contains("lr"));
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}
