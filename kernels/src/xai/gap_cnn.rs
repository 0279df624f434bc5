//! The small CNN the `cam` kernel explains: convolutions, global average pooling (GAP) and one
//! linear layer, the architecture class-activation mapping needs (Zhou et al. 2016, §2).
//!
//! `x (N,1,16,16) → conv3×3 1→8, ReLU → avg-pool 2×2 → conv3×3 8→16, ReLU = A (N,16,8,8)
//! → GAP F_k = (1/Z) Σ_{i,j} A_k(i,j) (N,16) → linear y^c = Σ_k w_k^c F_k + b^c (N,3)`
//!
//! `A` — the last convolutional feature maps — is kept after every forward pass: CAM reads it
//! directly, Grad-CAM reads the gradient of a class score with respect to it.

use super::shapes::{SIDE, ShapeSet};
use crate::KernelError;
use crate::nn::loss::softmax_cross_entropy;
use crate::nn::{Adam, AvgPool2d, Conv2d, GlobalAvgPool, Linear, NnError, Params, ReLU, init};
use crate::trace::Trace;
use ndarray::{Array2, Array4, ArrayRef2, ArrayRef4, s};
use ndarray_rand::rand::Rng;

/// Channels of the last convolution (the number of feature maps `A_k`).
pub const FEATURE_MAPS: usize = 16;

/// The network; see the module documentation.
///
/// # Shapes
/// input `(N, 1, 16, 16)`; `features` `(N, 16, 8, 8)`; logits `(N, 3)`
#[derive(Debug, Clone)]
pub struct GapCnn {
    pub conv1: Conv2d<f32>,
    relu1: ReLU<f32>,
    pool: AvgPool2d,
    pub conv2: Conv2d<f32>,
    relu2: ReLU<f32>,
    gap: GlobalAvgPool,
    /// `w (16, 3)`: column `c` holds the class weights `w_k^c` CAM projects onto `A`.
    pub fc: Linear<f32>,
    /// The last forward pass's feature maps `A`.
    pub features: Array4<f32>,
}

impl GapCnn {
    /// He-normal convolution weights `N(0, 2/fan_in)` (He et al. 2015, for ReLU), Glorot-normal
    /// output weights, zero biases. (PyTorch's default `U(±1/√fan_in)` weights and biases
    /// trained as accurately but, on some seeds, gave maps that peaked on the distractor.)
    pub fn new<R: Rng + ?Sized>(classes: usize, rng: &mut R) -> Result<Self, NnError> {
        let mut net = Self {
            conv1: Conv2d::new(1, 8, 3, 1, 1, rng)?,
            relu1: ReLU::new(),
            pool: AvgPool2d::new(2, 2, 0)?,
            conv2: Conv2d::new(8, FEATURE_MAPS, 3, 1, 1, rng)?,
            relu2: ReLU::new(),
            gap: GlobalAvgPool::new(),
            fc: Linear::new(FEATURE_MAPS, classes, rng)?,
            features: Array4::zeros((0, 0, 0, 0)),
        };
        let (fan1, _) = net.conv1.fans();
        let (fan2, _) = net.conv2.fans();
        init::he_normal(&mut net.conv1.w, fan1, rng);
        init::he_normal(&mut net.conv2.w, fan2, rng);
        init::xavier_normal(&mut net.fc.w, FEATURE_MAPS, classes, 1.0, rng);
        net.centre_class_weights();
        net.conv1.b.fill(0.0);
        net.conv2.b.fill(0.0);
        net.fc.b.fill(0.0);
        Ok(net)
    }

    /// Logits `(N, classes)`; keeps `A` in `self.features`.
    pub fn forward(&mut self, x: &ArrayRef4<f32>) -> Array2<f32> {
        let h = self.relu1.forward(&self.conv1.forward(x)); // (N, 8, 16, 16)
        let h = self.pool.forward(&h); // (N, 8, 8, 8)
        self.features = self.relu2.forward(&self.conv2.forward(&h)); // A: (N, 16, 8, 8)
        let f = self.gap.forward(&self.features); // (N, 16)
        self.fc.forward(&f) // (N, classes)
    }

    /// From `dL/dlogits` to `dL/dA` (what Grad-CAM needs); accumulates `fc`'s gradients.
    pub fn backward_to_features(&mut self, dlogits: &ArrayRef2<f32>) -> Array4<f32> {
        let df = self.fc.backward(dlogits);
        self.gap.backward(&df)
    }

    /// From `dL/dA` to `dL/dx` (what Integrated Gradients needs); accumulates the conv gradients.
    pub fn backward_from_features(&mut self, d_features: &ArrayRef4<f32>) -> Array4<f32> {
        let d = self.conv2.backward(&self.relu2.backward(d_features));
        let d = self.pool.backward(&d);
        self.conv1.backward(&self.relu1.backward(&d))
    }

    /// Subtracts the mean over classes from every row of `fc.w` and from `fc.b`.
    ///
    /// Softmax ignores a term common to all logits (`softmax(z + c·1) = softmax(z)`), so the
    /// cross-entropy cannot tell `w_k^c` from `w_k^c + u_k`: the class-common part of the
    /// weights is arbitrary, and CAM (`Σ_k w_k^c A_k`) and each logit inherit it. Fixing it at
    /// zero after every optimiser step changes no predicted probability, and makes every map
    /// and logit class-contrastive: evidence *for* this class *against* the others.
    pub fn centre_class_weights(&mut self) {
        for mut row in self.fc.w.rows_mut() {
            let mean = row.mean().unwrap_or(0.0);
            row -= mean;
        }
        let mean = self.fc.b.mean().unwrap_or(0.0);
        self.fc.b -= mean;
    }

    /// The backward pass of training: every parameter gradient, but not `dL/dx` (the images
    /// need no gradient there, so the first convolution skips it).
    pub fn backward_params(&mut self, dlogits: &ArrayRef2<f32>) {
        let da = self.backward_to_features(dlogits);
        let d = self.conv2.backward(&self.relu2.backward(&da));
        let d = self.pool.backward(&d);
        self.conv1.backward_params(&self.relu1.backward(&d));
    }

    /// The full backward pass; returns `dL/dx`.
    pub fn backward(&mut self, dlogits: &ArrayRef2<f32>) -> Array4<f32> {
        let da = self.backward_to_features(dlogits);
        self.backward_from_features(&da)
    }
}

impl Params<f32> for GapCnn {
    /// Order: conv1, conv2, fc.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
        self.conv1.visit_params(f);
        self.conv2.visit_params(f);
        self.fc.visit_params(f);
    }
}

/// Mini-batch training knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub steps: usize,
    pub batch: usize,
}

/// Trains `net` with softmax cross-entropy on mini-batches drawn (with replacement) from `set`,
/// centring the class weights after every step, and records step `train` five times with
/// moving averages of the loss and the batch accuracy.
pub fn train<R: Rng + ?Sized>(
    net: &mut GapCnn,
    opt: &mut Adam<f32>,
    set: &ShapeSet,
    cfg: &TrainConfig,
    rng: &mut R,
    tr: &mut Trace,
) -> Result<(), KernelError> {
    let every = (cfg.steps / 5).max(1);
    let (mut loss_avg, mut acc_avg) = (0.0f64, 0.0f64);
    let mut xb = Array4::<f32>::zeros((cfg.batch, 1, SIDE, SIDE));
    let mut labels = vec![0usize; cfg.batch];
    for step in 1..=cfg.steps {
        for (b, label) in labels.iter_mut().enumerate() {
            let i = rng.random_range(0..set.labels.len());
            xb.slice_mut(s![b, .., .., ..])
                .assign(&set.images.slice(s![i, .., .., ..]));
            *label = set.labels[i];
        }
        let logits = net.forward(&xb);
        let (loss, dlogits) = softmax_cross_entropy(&logits, &labels);
        KernelError::check_finite("loss", f64::from(loss), step, "try a lower lr")?;
        net.zero_grad();
        net.backward_params(&dlogits);
        opt.step(net);
        net.centre_class_weights();
        let hits = logits
            .rows()
            .into_iter()
            .zip(&labels)
            .filter(|(r, l)| argmax(r.iter().copied()) == **l)
            .count();
        // exponential moving averages over roughly the last 50 steps
        let m = if step == 1 { 1.0 } else { 0.02 };
        loss_avg += m * (f64::from(loss) - loss_avg);
        acc_avg += m * (hits as f64 / cfg.batch as f64 - acc_avg);
        tr.progress("CNN の学習", step, cfg.steps)?;
        if step % every == 0 || step == cfg.steps {
            tr.step("train", |s| {
                s.scalar("step", step as f64)
                    .scalar("loss (移動平均)", loss_avg)
                    .scalar("バッチ正解率 (移動平均)", acc_avg);
                s.series("loss", step as f64, loss_avg);
                s.series("バッチ正解率", step as f64, acc_avg);
            })?;
        }
    }
    Ok(())
}

/// Predicted classes of `images (N, 1, 16, 16)`, in batches of 200.
pub fn predict(net: &mut GapCnn, images: &Array4<f32>) -> Vec<usize> {
    let n = images.dim().0;
    (0..n)
        .step_by(200)
        .flat_map(|lo| {
            let logits = net.forward(&images.slice(s![lo..(lo + 200).min(n), .., .., ..]));
            logits
                .rows()
                .into_iter()
                .map(|r| argmax(r.iter().copied()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Index of the largest value (the first on ties).
pub fn argmax(v: impl Iterator<Item = f32>) -> usize {
    v.enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |b, (i, x)| if x > b.1 { (i, x) } else { b },
        )
        .0
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray_rand::rand::{SeedableRng, rngs::StdRng};

    /// The layers are gradient-checked one by one in `nn`; this checks they are chained
    /// correctly: dy¹/dx of the f32 net against central differences, at f32 tolerance.
    #[test]
    fn input_gradient_matches_finite_differences() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut net = GapCnn::new(3, &mut rng).expect("sizes");
        let x = Array4::from_shape_fn((1, 1, 16, 16), |(_, _, i, j)| {
            ((i * 16 + j) as f32 * 0.61).sin()
        });
        let onehot = ndarray::array![[0.0f32, 1.0, 0.0]];
        let dx = {
            net.forward(&x);
            net.backward(&onehot)
        };
        let mut worst = 0.0f32;
        for &(i, j) in &[(3, 4), (8, 8), (12, 1), (15, 15)] {
            let h = 1e-2;
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[[0, 0, i, j]] += h;
            xm[[0, 0, i, j]] -= h;
            let num = (net.forward(&xp)[[0, 1]] - net.forward(&xm)[[0, 1]]) / (2.0 * h);
            worst = worst.max((num - dx[[0, 0, i, j]]).abs());
        }
        let scale = dx.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(
            worst <= 2e-2 * scale,
            "max |numeric − analytic| = {worst}, scale {scale}"
        );
    }
}
