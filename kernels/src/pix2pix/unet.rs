//! pix2pix's generator: a U-Net (Ronneberger et al. 2015) on 16×16 images, or — with the skip
//! connections removed — the plain encoder-decoder the paper compares it with (Isola et al. 2017,
//! §3.2.1, Fig. 3).
//!
//! ```text
//!  x (1, 16, 16) ─e1─▶ (8, 8, 8) ─e2─▶ (16, 4, 4) ─e3─▶ (32, 2, 2) ─e4─▶ (64, 1, 1)   encoder
//!                        │              │               │                  │
//!                        │ skip         │ skip          │ skip             d1
//!                        ▼              ▼               ▼                  ▼
//!  y (1, 16, 16) ◀─d4─ [8+8] ◀─d3─ [16+16] ◀─d2─ [32+32] ◀──────────── (32, 2, 2)    decoder
//! ```
//!
//! Encoder blocks: Conv k4 s2 p1 → BatchNorm (not on `e1`, nor on the 1×1 bottleneck `e4`, as in
//! the paper's code) → LeakyReLU(0.2). Decoder blocks: ConvT k4 s2 p1 → BatchNorm → ReLU, then
//! the skip: the encoder feature map of the same size is **concatenated along the channels**
//! (`[a, b]` above), so low-level information — here the top half of the digit, which the output
//! must repeat — can go straight across instead of squeezing through the 1×1 bottleneck. The
//! last block ends in tanh. Without skips the decoder blocks read only their own input.
//!
//! # Shapes
//! input `(N, 1, 16, 16)`; output `(N, 1, 16, 16)` in `[−1, 1]`

use crate::nn::{
    BatchNorm2d, Concat, Conv2d, ConvTranspose2d, Float, LeakyReLU, NnError, Params, ReLU, Tanh,
};
use ndarray::{Array4, ArrayRef4};
use ndarray_rand::rand::Rng;

/// Channels of the first encoder layer (`ngf` of the paper's code, 64 there).
pub const NGF: usize = 8;

/// One encoder block: Conv k4 s2 p1 → optional BatchNorm → LeakyReLU(0.2).
#[derive(Debug, Clone)]
struct Down<A: Float> {
    conv: Conv2d<A>,
    bn: Option<BatchNorm2d<A>>,
    act: LeakyReLU<A>,
}

impl<A: Float> Down<A> {
    fn new<R: Rng + ?Sized>(
        cin: usize,
        cout: usize,
        bn: bool,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        Ok(Self {
            conv: Conv2d::new(cin, cout, 4, 2, 1, rng)?,
            bn: if bn {
                Some(BatchNorm2d::new(cout)?)
            } else {
                None
            },
            act: LeakyReLU::default(),
        })
    }

    fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let h = self.conv.forward(x);
        let h = match &mut self.bn {
            Some(bn) => bn.forward(&h),
            None => h,
        };
        self.act.forward(&h)
    }

    fn backward(&mut self, d: &ArrayRef4<A>) -> Array4<A> {
        let d = self.act.backward(d);
        let d = match &mut self.bn {
            Some(bn) => bn.backward(&d),
            None => d,
        };
        self.conv.backward(&d)
    }
}

/// One decoder block: ConvT k4 s2 p1 → BatchNorm → ReLU, or → tanh for the output block.
#[derive(Debug, Clone)]
struct Up<A: Float> {
    conv: ConvTranspose2d<A>,
    bn: Option<BatchNorm2d<A>>,
    relu: ReLU<A>,
    tanh: Option<Tanh<A>>,
}

impl<A: Float> Up<A> {
    fn new<R: Rng + ?Sized>(
        cin: usize,
        cout: usize,
        last: bool,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        Ok(Self {
            conv: ConvTranspose2d::new(cin, cout, 4, 2, 1, rng)?,
            bn: if last {
                None
            } else {
                Some(BatchNorm2d::new(cout)?)
            },
            relu: ReLU::new(),
            tanh: if last { Some(Tanh::new()) } else { None },
        })
    }

    fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let h = self.conv.forward(x);
        match (&mut self.bn, &mut self.tanh) {
            (_, Some(t)) => t.forward(&h),
            (Some(bn), None) => self.relu.forward(&bn.forward(&h)),
            (None, None) => self.relu.forward(&h),
        }
    }

    fn backward(&mut self, d: &ArrayRef4<A>) -> Array4<A> {
        let d = match (&mut self.bn, &mut self.tanh) {
            (_, Some(t)) => t.backward(d),
            (Some(bn), None) => bn.backward(&self.relu.backward(d)),
            (None, None) => self.relu.backward(d),
        };
        self.conv.backward(&d)
    }
}

/// The generator: a U-Net (`skips = true`) or an encoder-decoder (`skips = false`).
///
/// # Shapes
/// input `(N, 1, H, W)` with `H`, `W` multiples of 16 (16×16 here); output the same shape, in
/// `[−1, 1]`
#[derive(Debug, Clone)]
pub struct UNet<A: Float> {
    pub skips: bool,
    down: [Down<A>; 4],
    up: [Up<A>; 4],
    cat: [Concat; 3],
}

impl<A: Float> UNet<A> {
    pub fn new<R: Rng + ?Sized>(skips: bool, rng: &mut R) -> Result<Self, NnError> {
        let c = [NGF, 2 * NGF, 4 * NGF, 8 * NGF]; // 8, 16, 32, 64
        // with skips, each decoder block after the first reads [its input, the skip]
        let wide = |ch: usize| if skips { 2 * ch } else { ch };
        Ok(Self {
            skips,
            down: [
                Down::new(1, c[0], false, rng)?,
                Down::new(c[0], c[1], true, rng)?,
                Down::new(c[1], c[2], true, rng)?,
                Down::new(c[2], c[3], false, rng)?,
            ],
            up: [
                Up::new(c[3], c[2], false, rng)?,
                Up::new(wide(c[2]), c[1], false, rng)?,
                Up::new(wide(c[1]), c[0], false, rng)?,
                Up::new(wide(c[0]), 1, true, rng)?,
            ],
            cat: [Concat::new(), Concat::new(), Concat::new()],
        })
    }

    /// `(N, 1, 16, 16) -> (N, 1, 16, 16)`.
    pub fn forward(&mut self, x: &ArrayRef4<A>) -> Array4<A> {
        let e1 = self.down[0].forward(x); // (N, 8, 8, 8)
        let e2 = self.down[1].forward(&e1); // (N, 16, 4, 4)
        let e3 = self.down[2].forward(&e2); // (N, 32, 2, 2)
        let e4 = self.down[3].forward(&e3); // (N, 64, 1, 1)
        let mut h = self.up[0].forward(&e4); // (N, 32, 2, 2)
        for (i, skip) in [e3, e2, e1].iter().enumerate() {
            // quiz:begin unet-skip
            if self.skips {
                h = self.cat[i].forward(&[h.view(), skip.view()]); // (N, 2C, H, W)
            }
            // quiz:end unet-skip
            h = self.up[i + 1].forward(&h);
        }
        h
    }

    /// `(N, 1, 16, 16) -> (N, 1, 16, 16)`: accumulates every parameter gradient, returns `dL/dx`.
    pub fn backward(&mut self, dout: &ArrayRef4<A>) -> Array4<A> {
        // gradients arriving at e3, e2, e1 through the skips
        let mut skip_grads: Vec<Option<Array4<A>>> = vec![None, None, None];
        let mut d = dout.to_owned();
        for i in (0..3).rev() {
            d = self.up[i + 1].backward(&d);
            if self.skips {
                let mut parts = self.cat[i].backward(&d).into_iter();
                d = parts.next().expect("two parts");
                skip_grads[i] = parts.next();
            }
        }
        let mut d = self.up[0].backward(&d); // at e4
        for (level, skip) in (0..4).rev().zip([
            None,
            skip_grads[0].take(),
            skip_grads[1].take(),
            skip_grads[2].take(),
        ]) {
            if let Some(s) = skip {
                d += &s; // e_k feeds both the next encoder block and the skip
            }
            d = self.down[level].backward(&d);
        }
        d
    }
}

impl<A: Float> Params<A> for UNet<A> {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        for b in &mut self.down {
            b.conv.visit_params(f);
            if let Some(bn) = &mut b.bn {
                bn.visit_params(f);
            }
        }
        for b in &mut self.up {
            b.conv.visit_params(f);
            if let Some(bn) = &mut b.bn {
                bn.visit_params(f);
            }
        }
    }
}
