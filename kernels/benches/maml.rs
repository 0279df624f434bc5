//! MAML meta-iteration speed: one update of each method on a meta-batch of 25 sine tasks with
//! K = 10 support and 10 query points, MLP 1-40-40-1 (MAML §5.1), in `f32`.
//!
//! `cargo bench -p eshikaku-kernels --bench maml` — results are recorded in BENCHMARKS.md.

use divan::Bencher;
use eshikaku_kernels::maml::meta::{maml_gradient, pretrain_gradient, reptile_direction};
use eshikaku_kernels::maml::net::Theta;
use eshikaku_kernels::maml::sine::TaskBatch;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

fn main() {
    divan::main();
}

fn setup() -> (Theta<f32>, TaskBatch<f32>) {
    let mut rng = StdRng::seed_from_u64(1);
    (
        Theta::init(40, &mut rng),
        TaskBatch::sample(25, 10, 10, &mut rng),
    )
}

/// Second-order MAML meta-gradient (inner step, query gradient, Hessian-vector product).
#[divan::bench]
fn maml_second_order(bencher: Bencher) {
    let (theta, batch) = setup();
    bencher.bench_local(|| maml_gradient(&theta, &batch, 0.01, true));
}

/// First-order MAML meta-gradient (no Hessian-vector product).
#[divan::bench]
fn maml_first_order(bencher: Bencher) {
    let (theta, batch) = setup();
    bencher.bench_local(|| maml_gradient(&theta, &batch, 0.01, false));
}

/// Reptile with k = 5 inner SGD steps per task.
#[divan::bench]
fn reptile_5_steps(bencher: Bencher) {
    let (theta, batch) = setup();
    bencher.bench_local(|| reptile_direction(&theta, &batch, 0.02, 5, 1.0));
}

/// The pretrained baseline's gradient (plain regression on all 20 points of each task).
#[divan::bench]
fn pretrain(bencher: Bencher) {
    let (theta, batch) = setup();
    bencher.bench_local(|| pretrain_gradient(&theta, &batch));
}
