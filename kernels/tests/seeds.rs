//! Every kernel's default run meets all its goals on seeds 1 and 2 too (seed 0 is asserted by
//! each kernel's own test file). Ignored in the normal suite for time: run them with
//! `cargo test --release -p eshikaku-kernels --test seeds -- --ignored` before calling a kernel
//! done. `a3c` runs with real threads here, as the TUI runs it.

mod kernel_util;

use kernel_util::assert_goals_met;

fn seeds_1_and_2(id: &str) {
    for seed in [1, 2] {
        let (report, _) =
            kernel_util::run(id, seed, &[]).unwrap_or_else(|e| panic!("{id} seed {seed}: {e}"));
        assert_goals_met(id, &report);
    }
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn gan_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("gan");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn dcgan_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("dcgan");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn cgan_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("cgan");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn pix2pix_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("pix2pix");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn a2c_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("a2c");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn a3c_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("a3c");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn siamese_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("siamese");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn triplet_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("triplet");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn maml_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("maml");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn gcn_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("gcn");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn cam_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("cam");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn lime_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("lime");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn shap_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("shap");
}

#[test]
#[ignore = "seeds 1 and 2: run with --ignored"]
fn norm_meets_its_goals_on_seeds_1_and_2() {
    seeds_1_and_2("norm");
}
