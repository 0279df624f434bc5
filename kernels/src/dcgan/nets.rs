//! DCGAN's generator and discriminator for 8×8 digits (shared with [`crate::cgan`]).
//!
//! The architecture follows the guidelines of Radford et al. (2016, §3):
//!
//! - no pooling: G **up**-samples with transposed convolutions, D **down**-samples with strided
//!   convolutions;
//! - no fully connected hidden layers: the noise vector `z` is the `1×1` input of G's first
//!   transposed convolution, and D's last convolution reads its `2×2` map into one logit;
//! - BatchNorm in both networks, but not on G's output layer nor on D's input layer;
//! - ReLU inside G and tanh at its output (images in `[−1, 1]`); LeakyReLU(0.2) inside D and a
//!   sigmoid at its output — applied inside the loss (`bce_with_logits`), which is the same
//!   function computed without overflow.
//!
//! ```text
//! G: z (N, Z, 1, 1) ─ConvT k2─▶ (N, 64, 2, 2) ─BN─ReLU─ConvT k4 s2 p1─▶ (N, 32, 4, 4)
//!                   ─BN─ReLU─ConvT k4 s2 p1─▶ (N, 1, 8, 8) ─tanh
//! D: x (N, 1+K, 8, 8) ─Conv k4 s2 p1─▶ (N, 32, 4, 4) ─LReLU─Conv k4 s2 p1─▶ (N, 64, 2, 2)
//!                     ─BN─LReLU─Conv k2─▶ (N, 1, 1, 1) logit
//! ```
//!
//! `K` extra input channels carry a condition (CGAN's one-hot label as constant planes);
//! DCGAN uses `K = 0`. All conv weights are drawn from `N(0, 0.02²)` and biases start at 0 (§4).

use crate::nn::{
    BatchNorm2d, Conv2d, ConvTranspose2d, Float, LeakyReLU, NnError, Params, ReLU, Tanh, init,
};
use ndarray::{Array1, Array2, Array4, ArrayRef1, ArrayRef2, ArrayRef4, Axis};
use ndarray_rand::rand::Rng;

/// Channels after G's first layer (`4·ngf` with `ngf = 16`); the next has half.
pub const G_CHANNELS: usize = 64;
/// Channels after D's first layer (`ndf = 32`); the next has twice as many.
pub const D_CHANNELS: usize = 32;

/// Draws DCGAN's `N(0, 0.02²)` weights and zero biases.
fn dcgan_init<A: Float, R: Rng + ?Sized>(
    w: &mut ndarray::Array4<A>,
    b: &mut Array1<A>,
    rng: &mut R,
) {
    init::dcgan_normal(w, rng);
    b.fill(A::zero());
}

/// The generator `G(z)`: noise (and condition) in, an 8×8 image in `[−1, 1]` out.
///
/// # Shapes
/// input `z`: `(N, Z)`; output: `(N, 1, 8, 8)`
#[derive(Debug, Clone)]
pub struct Generator<A: Float> {
    pub up1: ConvTranspose2d<A>,
    pub bn1: BatchNorm2d<A>,
    relu1: ReLU<A>,
    pub up2: ConvTranspose2d<A>,
    pub bn2: BatchNorm2d<A>,
    relu2: ReLU<A>,
    pub up3: ConvTranspose2d<A>,
    tanh: Tanh<A>,
}

impl<A: Float> Generator<A> {
    /// A generator reading a `z_dim`-vector (noise plus any condition).
    pub fn new<R: Rng + ?Sized>(z_dim: usize, rng: &mut R) -> Result<Self, NnError> {
        let (c1, c2) = (G_CHANNELS, G_CHANNELS / 2);
        let mut g = Self {
            up1: ConvTranspose2d::new(z_dim, c1, 2, 1, 0, rng)?,
            bn1: BatchNorm2d::new(c1)?,
            relu1: ReLU::new(),
            up2: ConvTranspose2d::new(c1, c2, 4, 2, 1, rng)?,
            bn2: BatchNorm2d::new(c2)?,
            relu2: ReLU::new(),
            up3: ConvTranspose2d::new(c2, 1, 4, 2, 1, rng)?,
            tanh: Tanh::new(),
        };
        dcgan_init(&mut g.up1.w, &mut g.up1.b, rng);
        dcgan_init(&mut g.up2.w, &mut g.up2.b, rng);
        dcgan_init(&mut g.up3.w, &mut g.up3.b, rng);
        Ok(g)
    }

    /// `(N, Z) -> (N, 1, 8, 8)`.
    pub fn forward(&mut self, z: &ArrayRef2<A>) -> Array4<A> {
        let (n, zd) = z.dim();
        // (N, Z) -> (N, Z, 1, 1): the noise vector is a 1×1 image with Z channels
        let z4 = z
            .as_standard_layout()
            .into_owned()
            .into_shape_with_order((n, zd, 1, 1))
            .expect("element count preserved");
        // quiz:begin dcgan-generator
        let h = self.up1.forward(&z4); // (N, 64, 2, 2)
        let h = self.relu1.forward(&self.bn1.forward(&h));
        let h = self.up2.forward(&h); // (N, 32, 4, 4)
        let h = self.relu2.forward(&self.bn2.forward(&h));
        let h = self.up3.forward(&h); // (N, 1, 8, 8), no BatchNorm on the output layer
        self.tanh.forward(&h)
        // quiz:end dcgan-generator
    }

    /// `(N, 1, 8, 8) -> (N, Z)`: accumulates every parameter gradient, returns `dL/dz`.
    pub fn backward(&mut self, dimg: &ArrayRef4<A>) -> Array2<A> {
        let d = self.up3.backward(&self.tanh.backward(dimg));
        let d = self
            .up2
            .backward(&self.bn2.backward(&self.relu2.backward(&d)));
        let d = self
            .up1
            .backward(&self.bn1.backward(&self.relu1.backward(&d)));
        let (n, zd) = (d.len_of(Axis(0)), d.len_of(Axis(1)));
        d.into_shape_with_order((n, zd))
            .expect("element count preserved")
    }
}

impl<A: Float> Params<A> for Generator<A> {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.up1.visit_params(f);
        self.bn1.visit_params(f);
        self.up2.visit_params(f);
        self.bn2.visit_params(f);
        self.up3.visit_params(f);
    }
}

/// The discriminator `D(x)`: an 8×8 image (plus condition planes) in, one logit out;
/// `σ(logit)` is the probability that `x` is real.
///
/// # Shapes
/// input `x`: `(N, 1 + K, 8, 8)`; output: `(N,)` logits
#[derive(Debug, Clone)]
pub struct Discriminator<A: Float> {
    pub down1: Conv2d<A>,
    lrelu1: LeakyReLU<A>,
    pub down2: Conv2d<A>,
    pub bn2: BatchNorm2d<A>,
    lrelu2: LeakyReLU<A>,
    pub out: Conv2d<A>,
}

impl<A: Float> Discriminator<A> {
    /// A discriminator of images with `in_channels = 1 + K` channels.
    pub fn new<R: Rng + ?Sized>(in_channels: usize, rng: &mut R) -> Result<Self, NnError> {
        let (c1, c2) = (D_CHANNELS, 2 * D_CHANNELS);
        let mut d = Self {
            down1: Conv2d::new(in_channels, c1, 4, 2, 1, rng)?,
            lrelu1: LeakyReLU::default(),
            down2: Conv2d::new(c1, c2, 4, 2, 1, rng)?,
            bn2: BatchNorm2d::new(c2)?,
            lrelu2: LeakyReLU::default(),
            out: Conv2d::new(c2, 1, 2, 1, 0, rng)?,
        };
        dcgan_init(&mut d.down1.w, &mut d.down1.b, rng);
        dcgan_init(&mut d.down2.w, &mut d.down2.b, rng);
        dcgan_init(&mut d.out.w, &mut d.out.b, rng);
        Ok(d)
    }

    /// `(N, 1 + K, 8, 8) -> (N,)` logits.
    pub fn forward(&mut self, x: &ArrayRef4<A>) -> Array1<A> {
        let n = x.len_of(Axis(0));
        // quiz:begin dcgan-discriminator
        let h = self.lrelu1.forward(&self.down1.forward(x)); // (N, 32, 4, 4), no BN on the input layer
        let h = self.down2.forward(&h); // (N, 64, 2, 2)
        let h = self.lrelu2.forward(&self.bn2.forward(&h));
        let logit = self.out.forward(&h); // (N, 1, 1, 1)
        // quiz:end dcgan-discriminator
        logit.into_shape_with_order(n).expect("one logit per image")
    }

    /// `(N,) -> (N, 1 + K, 8, 8)`: accumulates every parameter gradient, returns `dL/dx`.
    pub fn backward(&mut self, dlogit: &ArrayRef1<A>) -> Array4<A> {
        let d = self.backward_to_input_layer(dlogit);
        self.down1.backward(&d)
    }

    /// [`Discriminator::backward`] without `dL/dx`: D's own update needs only its parameter
    /// gradients, not the gradient of the images.
    pub fn backward_params(&mut self, dlogit: &ArrayRef1<A>) {
        let d = self.backward_to_input_layer(dlogit);
        self.down1.backward_params(&d);
    }

    /// `(N,) -> (N, 1 + K, 8, 8)`: only `dL/dx`, what G's update needs from D. The convolutions'
    /// weight gradients are not computed (D's gradients afterwards are meaningless: D's next
    /// update starts from `zero_grad`).
    pub fn input_gradient(&mut self, dlogit: &ArrayRef1<A>) -> Array4<A> {
        let d = self.out.backward_input(&logit_grad(dlogit));
        let d = self
            .down2
            .backward_input(&self.bn2.backward(&self.lrelu2.backward(&d)));
        self.down1.backward_input(&self.lrelu1.backward(&d))
    }

    /// Back through every layer but the input convolution: `dL/d(pre-activation of down1)`.
    fn backward_to_input_layer(&mut self, dlogit: &ArrayRef1<A>) -> Array4<A> {
        let d = self.out.backward(&logit_grad(dlogit));
        let d = self
            .down2
            .backward(&self.bn2.backward(&self.lrelu2.backward(&d)));
        self.lrelu1.backward(&d)
    }
}

/// `(N,) -> (N, 1, 1, 1)`: the logits' gradient as the output map of D's last convolution.
fn logit_grad<A: Float>(dlogit: &ArrayRef1<A>) -> Array4<A> {
    let n = dlogit.len();
    dlogit
        .to_owned()
        .into_shape_with_order((n, 1, 1, 1))
        .expect("one logit per image")
}

impl<A: Float> Params<A> for Discriminator<A> {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.down1.visit_params(f);
        self.down2.visit_params(f);
        self.bn2.visit_params(f);
        self.out.visit_params(f);
    }
}
