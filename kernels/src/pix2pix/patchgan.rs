//! pix2pix's discriminator: a PatchGAN (Isola et al. 2017, §3.2.2).
//!
//! Instead of one "real or fake" answer for the whole image, a PatchGAN answers for every
//! `N × N` patch: it is a small fully convolutional net whose output is a grid of logits, each
//! seeing only its receptive field, and the loss averages over the grid. The L1 term already
//! gets the low frequencies (the overall layout) right; the PatchGAN only has to model
//! high-frequency structure — local sharpness and texture — which needs only local patches,
//! so it has fewer parameters and works on any image size.
//!
//! It judges pairs: its input is the condition `x` and an output image `y` stacked on the channel
//! axis, since what matters is whether `y` is a plausible translation *of* `x`.
//!
//! ```text
//! [x, y] (2, 16, 16) ─Conv k4 s2 p1─▶ (8, 8, 8) ─LReLU─Conv k4 s2 p1─▶ (16, 4, 4) ─BN─LReLU
//!                    ─Conv 1×1─▶ (1, 4, 4): one logit per patch
//! ```
//!
//! Each logit sees a `10 × 10`-pixel patch (receptive field `4 + 3·2 = 10`, patches 4 pixels
//! apart), the small-image counterpart of the paper's 70×70 patches on 256×256 images.
//!
//! # Shapes
//! input `(N, 2, 16, 16)`; output `(N, 1, 4, 4)` logits

use crate::nn::{BatchNorm2d, Conv2d, Float, LeakyReLU, NnError, Params};
use ndarray::{Array4, ArrayRef4};
use ndarray_rand::rand::Rng;

/// Channels of the first layer (`ndf` of the paper's code, 64 there).
pub const NDF: usize = 8;
/// Side of the grid of patch outputs.
pub const PATCHES: usize = 4;

/// The PatchGAN discriminator on `(condition, image)` pairs.
///
/// # Shapes
/// input `(N, 2, H, W)` (condition and image stacked); output `(N, 1, H/4, W/4)` patch logits
#[derive(Debug, Clone)]
pub struct PatchGan<A: Float> {
    pub c1: Conv2d<A>,
    a1: LeakyReLU<A>,
    pub c2: Conv2d<A>,
    pub bn2: BatchNorm2d<A>,
    a2: LeakyReLU<A>,
    pub c3: Conv2d<A>,
}

impl<A: Float> PatchGan<A> {
    pub fn new<R: Rng + ?Sized>(rng: &mut R) -> Result<Self, NnError> {
        Ok(Self {
            c1: Conv2d::new(2, NDF, 4, 2, 1, rng)?,
            a1: LeakyReLU::default(),
            c2: Conv2d::new(NDF, 2 * NDF, 4, 2, 1, rng)?,
            bn2: BatchNorm2d::new(2 * NDF)?,
            a2: LeakyReLU::default(),
            c3: Conv2d::new(2 * NDF, 1, 1, 1, 0, rng)?,
        })
    }

    /// `(N, 2, 16, 16) -> (N, 1, 4, 4)` patch logits.
    pub fn forward(&mut self, xy: &ArrayRef4<A>) -> Array4<A> {
        let h = self.a1.forward(&self.c1.forward(xy)); // (N, 8, 8, 8)
        let h = self.a2.forward(&self.bn2.forward(&self.c2.forward(&h))); // (N, 16, 4, 4)
        self.c3.forward(&h) // (N, 1, 4, 4)
    }

    /// `(N, 1, 4, 4) -> (N, 2, 16, 16)`: accumulates every parameter gradient.
    pub fn backward(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let d = self.c3.backward(dout);
        let d = self.c2.backward(&self.bn2.backward(&self.a2.backward(&d)));
        self.c1.backward(&self.a1.backward(&d))
    }

    /// [`PatchGan::backward`] without the gradient of the input pairs: D's own update needs
    /// only its parameter gradients.
    pub fn backward_params(&mut self, dout: &ArrayRef4<A>) {
        let d = self.c3.backward(dout);
        let d = self.c2.backward(&self.bn2.backward(&self.a2.backward(&d)));
        self.c1.backward_params(&self.a1.backward(&d));
    }

    /// `(N, 1, 4, 4) -> (N, 2, 16, 16)`: only the gradient of the input pairs, what G's update
    /// needs; the convolutions' weight gradients are not computed (D's next update starts from
    /// `zero_grad`).
    pub fn input_gradient(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        let d = self.c3.backward_input(dout);
        let d = self
            .c2
            .backward_input(&self.bn2.backward(&self.a2.backward(&d)));
        self.c1.backward_input(&self.a1.backward(&d))
    }
}

impl<A: Float> Params<A> for PatchGan<A> {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.c1.visit_params(f);
        self.c2.visit_params(f);
        self.bn2.visit_params(f);
        self.c3.visit_params(f);
    }
}
