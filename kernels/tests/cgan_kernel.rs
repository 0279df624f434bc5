//! The `cgan` kernel: the default run draws the digits it is asked for; the label really reaches
//! both networks.

mod kernel_util;

use eshikaku_kernels::KernelError;
use eshikaku_kernels::cgan::{with_label, with_label_planes};
use eshikaku_kernels::trace::{Value, summarize};
use kernel_util::{assert_declared_steps, assert_goals_met, json_bytes, run};
use ndarray::{Array2, Array4, s};

#[test]
fn default_run_draws_the_requested_digits() {
    let (report, steps) = run("cgan", 0, &[]).expect("runs");
    assert_goals_met("cgan", &report);
    assert_declared_steps("cgan", &steps);
    // the progress grids have one row per requested digit: 10 rows of 8 tiles (8×8 + gutter)
    let grids = steps
        .iter()
        .filter(|s| s.key == "progress")
        .flat_map(|s| &s.values)
        .filter(|v| matches!(v, Value::Image(i) if i.height == 10 * 9 - 1 && i.width == 8 * 9 - 1))
        .count();
    assert!(grids >= 5);
    assert!(json_bytes(&steps) < 1_000_000);
    insta::assert_snapshot!(summarize(&steps));
}

#[test]
fn the_label_enters_g_as_one_hot_and_d_as_planes() {
    let z = Array2::from_elem((2, 3), 0.5f32);
    let zy = with_label(&z, &[4, 9]);
    assert_eq!(zy.dim(), (2, 13));
    assert_eq!(zy.slice(s![0, 3..]).sum(), 1.0);
    assert_eq!(zy[[0, 3 + 4]], 1.0);
    assert_eq!(zy[[1, 3 + 9]], 1.0);
    let x = Array4::from_elem((2, 1, 8, 8), -1.0f32);
    let xy = with_label_planes(&x, &[4, 9]);
    assert_eq!(xy.dim(), (2, 11, 8, 8));
    assert_eq!(xy.slice(s![0, 1 + 4, .., ..]).sum(), 64.0);
    assert_eq!(xy.slice(s![0, 1.., .., ..]).sum(), 64.0);
    assert_eq!(xy.slice(s![1, 0, .., ..]).sum(), -64.0);
}

#[test]
fn absurd_learning_rate_is_divergence_at_a_named_step() {
    match run("cgan", 0, &["lr=50", "iterations=20"]).err() {
        Some(KernelError::Diverged { what, step, .. }) => {
            assert!(what.contains("loss"), "{what}");
            assert!(step <= 3, "step {step}");
        }
        other => panic!("expected divergence, got {other:?}"),
    }
}
