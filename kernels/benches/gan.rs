//! Speed of one training iteration of the image GANs, as their kernels run it (batch 32).
//!
//! `cargo bench -p eshikaku-kernels --bench gan` — results are recorded in BENCHMARKS.md.
//! The loops repeat the kernels' iteration (`dcgan.rs`, `cgan.rs`, `pix2pix.rs`) on random data.

use divan::Bencher;
use eshikaku_kernels::cgan::{with_label, with_label_planes};
use eshikaku_kernels::dcgan::nets::{Discriminator, Generator};
use eshikaku_kernels::nn::loss::{bce_with_logits, l1};
use eshikaku_kernels::nn::{Adam, Params};
use eshikaku_kernels::pix2pix::patchgan::PatchGan;
use eshikaku_kernels::pix2pix::unet::UNet;
use ndarray::{Array1, Array2, Array4, Axis, concatenate, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand_distr::{StandardNormal, Uniform};

const BATCH: usize = 32;

fn main() {
    divan::main();
}

fn adam() -> Adam<f32> {
    Adam::new(2e-4, 0.5, 0.999, 1e-8).expect("valid Adam settings")
}

/// One DCGAN iteration: G(z), D on a real and a fake batch, G through the updated D.
/// With `labels`, the CGAN iteration: one-hot appended to z, label planes beside the image.
fn gan_iteration(bencher: Bencher, labels: bool) {
    let mut rng = StdRng::seed_from_u64(1);
    let extra = if labels { 10 } else { 0 };
    let mut g = Generator::<f32>::new(32 + extra, &mut rng).expect("G");
    let mut d = Discriminator::<f32>::new(1 + extra, &mut rng).expect("D");
    let (mut opt_g, mut opt_d) = (adam(), adam());
    let real = Array4::<f32>::random_using(
        (BATCH, 1, 8, 8),
        Uniform::new(-1.0, 1.0).expect("range"),
        &mut rng,
    );
    let y: Vec<usize> = (0..BATCH).map(|i| i % 10).collect();
    let (ones, zeros) = (Array1::<f32>::ones(BATCH), Array1::<f32>::zeros(BATCH));
    let cond = |x: &Array4<f32>| {
        if labels {
            with_label_planes(x, &y)
        } else {
            x.clone()
        }
    };
    let real = cond(&real);
    bencher.bench_local(|| {
        let z = Array2::<f32>::random_using((BATCH, 32), StandardNormal, &mut rng);
        let z = if labels { with_label(&z, &y) } else { z };
        let fake = cond(&g.forward(&z));
        d.zero_grad();
        let (_, grad) = bce_with_logits(&d.forward(&real), &ones);
        d.backward_params(&grad);
        let (_, grad) = bce_with_logits(&d.forward(&fake), &zeros);
        d.backward_params(&grad);
        opt_d.step(&mut d);
        g.zero_grad();
        let (_, grad) = bce_with_logits(&d.forward(&fake), &ones);
        let dx = d.input_gradient(&grad);
        g.backward(&dx.slice(s![.., 0..1, .., ..]));
        opt_g.step(&mut g);
    });
}

#[divan::bench]
fn dcgan_iteration(bencher: Bencher) {
    gan_iteration(bencher, false);
}

#[divan::bench]
fn cgan_iteration(bencher: Bencher) {
    gan_iteration(bencher, true);
}

/// One pix2pix iteration of the full model: U-Net G(x), PatchGAN on both pairs, G with
/// cGAN + 100·L1 on 16×16 images.
#[divan::bench]
fn pix2pix_iteration(bencher: Bencher) {
    let mut rng = StdRng::seed_from_u64(2);
    let mut g = UNet::<f32>::new(true, &mut rng).expect("U-Net");
    let mut d = PatchGan::<f32>::new(&mut rng).expect("PatchGAN");
    let (mut opt_g, mut opt_d) = (adam(), adam());
    let y = Array4::<f32>::random_using(
        (BATCH, 1, 16, 16),
        Uniform::new(-1.0, 1.0).expect("range"),
        &mut rng,
    );
    let mut x = y.clone();
    x.slice_mut(s![.., .., 8.., ..]).fill(0.0);
    let shape = (BATCH, 1, 4, 4);
    let (ones, zeros) = (Array4::<f32>::ones(shape), Array4::<f32>::zeros(shape));
    let pair = |a: &Array4<f32>, b: &Array4<f32>| {
        concatenate(Axis(1), &[a.view(), b.view()]).expect("pair")
    };
    let real_pair = pair(&x, &y);
    bencher.bench_local(|| {
        let fake = g.forward(&x);
        let fake_pair = pair(&x, &fake);
        d.zero_grad();
        let (_, grad) = bce_with_logits(&d.forward(&real_pair), &ones);
        d.backward_params(&(grad * 0.5));
        let (_, grad) = bce_with_logits(&d.forward(&fake_pair), &zeros);
        d.backward_params(&(grad * 0.5));
        opt_d.step(&mut d);
        g.zero_grad();
        let (_, grad) = bce_with_logits(&d.forward(&fake_pair), &ones);
        let mut dfake = d
            .input_gradient(&grad)
            .slice(s![.., 1..2, .., ..])
            .to_owned();
        dfake.scaled_add(100.0, &l1(&fake, &y).1);
        g.backward(&dfake);
        opt_g.step(&mut g);
    });
}
