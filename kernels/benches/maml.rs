//! MAML meta-iteration speed: one update of each method on a meta-batch of 25 sine tasks with
//! K = 10 support and 10 query points, MLP 1-40-40-1 (MAML §5.1), in `f32`.
//!
//! `cargo bench -p eshikaku-kernels --bench maml` — results are recorded in BENCHMARKS.md.
//! Each update is computed by `maml::engine`, as training runs it, with one thread per available
//! core (pinned with `taskset -c 1`: one thread); `maml_second_order_reference` times the ndarray
//! reference of `maml::meta` for comparison.

use divan::Bencher;
use eshikaku_kernels::maml::engine::{Engine, Job};
use eshikaku_kernels::maml::meta::maml_gradient;
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
    let mut engine = Engine::new();
    let job = Job::Maml {
        inner_lr: 0.01,
        second_order: true,
    };
    bencher.bench_local(|| engine.step(job, &theta, &batch));
}

/// The same meta-gradient by the ndarray reference (`maml::meta::maml_gradient`).
#[divan::bench]
fn maml_second_order_reference(bencher: Bencher) {
    let (theta, batch) = setup();
    bencher.bench_local(|| maml_gradient(&theta, &batch, 0.01, true));
}

/// First-order MAML meta-gradient (no Hessian-vector product).
#[divan::bench]
fn maml_first_order(bencher: Bencher) {
    let (theta, batch) = setup();
    let mut engine = Engine::new();
    let job = Job::Maml {
        inner_lr: 0.01,
        second_order: false,
    };
    bencher.bench_local(|| engine.step(job, &theta, &batch));
}

/// Reptile with k = 5 inner SGD steps per task.
#[divan::bench]
fn reptile_5_steps(bencher: Bencher) {
    let (theta, batch) = setup();
    let mut engine = Engine::new();
    let job = Job::Reptile {
        inner_lr: 0.02,
        inner_steps: 5,
        max_grad_norm: 1.0,
    };
    bencher.bench_local(|| engine.step(job, &theta, &batch));
}

/// The pretrained baseline's gradient (plain regression on all 20 points of each task).
#[divan::bench]
fn pretrain(bencher: Bencher) {
    let (theta, batch) = setup();
    let mut engine = Engine::new();
    bencher.bench_local(|| engine.step(Job::Pretrain, &theta, &batch));
}
