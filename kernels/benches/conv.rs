//! Convolution speed: the shapes of a DCGAN on 8×8 digits with batch 64.
//!
//! `cargo bench -p eshikaku-kernels` — results are recorded in BENCHMARKS.md.

use divan::Bencher;
use eshikaku_kernels::nn::{Conv2d, ConvTranspose2d};
use ndarray::Array4;
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::StandardNormal;

fn main() {
    divan::main();
}

fn randn(shape: (usize, usize, usize, usize), seed: u64) -> Array4<f32> {
    Array4::random_using(shape, StandardNormal, &mut StdRng::seed_from_u64(seed))
}

/// Conv2d (64, 16, 8, 8) → 32 channels, k3 s1 p1: forward only.
#[divan::bench]
fn conv2d_forward(bencher: Bencher) {
    let mut conv = Conv2d::<f32>::new(16, 32, 3, 1, 1, &mut StdRng::seed_from_u64(1)).unwrap();
    let x = randn((64, 16, 8, 8), 2);
    bencher.bench_local(|| conv.forward(&x));
}

/// Conv2d (64, 16, 8, 8) → 32 channels, k3 s1 p1: forward + backward (input and weight grads).
#[divan::bench]
fn conv2d_forward_backward(bencher: Bencher) {
    let mut conv = Conv2d::<f32>::new(16, 32, 3, 1, 1, &mut StdRng::seed_from_u64(1)).unwrap();
    let x = randn((64, 16, 8, 8), 2);
    let dy = randn((64, 32, 8, 8), 3);
    bencher.bench_local(|| {
        conv.forward(&x);
        conv.backward(&dy)
    });
}

/// ConvTranspose2d (64, 32, 4, 4) → 16 channels, k4 s2 p1 (→ 8×8): forward + backward.
#[divan::bench]
fn conv_transpose2d_forward_backward(bencher: Bencher) {
    let mut ct =
        ConvTranspose2d::<f32>::new(32, 16, 4, 2, 1, &mut StdRng::seed_from_u64(4)).unwrap();
    let x = randn((64, 32, 4, 4), 5);
    let dy = randn((64, 16, 8, 8), 6);
    bencher.bench_local(|| {
        ct.forward(&x);
        ct.backward(&dy)
    });
}
