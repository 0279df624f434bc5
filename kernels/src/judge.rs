//! The digit **judge**: a small CNN trained once on the real 8×8 digits, used by every generative
//! kernel to score what its generator draws.
//!
//! A GAN has no loss that says "these are good digits". Papers score samples with a fixed,
//! pre-trained classifier instead: the Inception Score (Salimans et al. 2016, §4) asks an
//! Inception network for `p(y|x)`, and pix2pix's "FCN-score" (Isola et al. 2017, §4.2) asks a
//! segmentation network whether the translated image is still recognisable. Our judge plays
//! that role for digits:
//!
//! ```text
//! x (N, 1, 8, 8) ── Conv 3×3, 16, p1 ── ReLU ── Conv 3×3, 32, s2 p1 ── ReLU ── flatten ── Linear 512→10
//!                    (N, 16, 8, 8)                (N, 32, 4, 4)                 (N, 512)    (N, 10) logits
//! ```
//!
//! It is trained with Adam on the fixed training split (1,442 images) with random ±1-pixel
//! shifts as augmentation, which makes it tolerant of the small misplacements a generator makes.
//! Its accuracy on the 355 test images is what every kernel reports as `judge_accuracy`.
//!
//! Training takes about a second of CPU and depends only on [`JUDGE_SEED`], not on a kernel's
//! seed, so one process trains it once ([`shared`]) and every kernel and test scores with the
//! very same network. A kernel that needs it only at the end starts it on another thread
//! ([`start_shared`]) and collects it when it scores ([`Pending::wait`]).
//!
//! The scores computed from its probabilities are in [`score`].

pub mod score;

use crate::KernelError;
use crate::data::digits::{self, Digits};
use crate::nn::activation::softmax_last_axis;
use crate::nn::loss::softmax_cross_entropy;
use crate::nn::{Adam, Conv2d, Linear, Params, ReLU};
use crate::trace::{Handoff, Trace};
use ndarray::{Array2, Array4, ArrayRef4, Axis, s};
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::seq::SliceRandom;
use ndarray_rand::rand::{Rng, SeedableRng};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;

/// The judge's fixed seed: its weights are the same in every run of every kernel.
pub const JUDGE_SEED: u64 = 1;
/// Passes over the training split.
pub const EPOCHS: usize = 40;
/// Mini-batch size.
pub const BATCH: usize = 32;
/// Adam's learning rate.
pub const LR: f64 = 3e-3;

/// The trained classifier and its accuracy on the test split.
#[derive(Debug, Clone)]
pub struct Judge {
    net: Net,
    /// Accuracy on the 355 test digits of the fixed split.
    pub test_accuracy: f64,
    /// How many test digits that is.
    pub test_images: usize,
    /// Accuracy on the same test digits, each moved by one pixel (right, down, left or up):
    /// how much the shift augmentation bought.
    pub shifted_test_accuracy: f64,
}

/// The network: two convolutions and a linear read-out.
#[derive(Debug, Clone)]
struct Net {
    conv1: Conv2d<f32>,
    relu1: ReLU<f32>,
    conv2: Conv2d<f32>,
    relu2: ReLU<f32>,
    fc: Linear<f32>,
}

impl Net {
    fn new(rng: &mut StdRng) -> Self {
        // The sizes are constants, so construction cannot fail.
        let conv = |i, o, s, rng: &mut StdRng| {
            Conv2d::new(i, o, 3, s, 1, rng).expect("valid constant conv sizes")
        };
        let conv1 = conv(1, 16, 1, rng);
        let conv2 = conv(16, 32, 2, rng);
        let fc = Linear::new(32 * 4 * 4, digits::CLASSES, rng).expect("valid constant sizes");
        Self {
            conv1,
            relu1: ReLU::new(),
            conv2,
            relu2: ReLU::new(),
            fc,
        }
    }

    /// `(N, 1, 8, 8) -> (N, 10)` logits.
    fn forward(&mut self, x: &ArrayRef4<f32>) -> Array2<f32> {
        let n = x.len_of(Axis(0));
        let h = self.relu1.forward(&self.conv1.forward(x)); // (N, 16, 8, 8)
        let h = self.relu2.forward(&self.conv2.forward(&h)); // (N, 32, 4, 4)
        let flat = h
            .into_shape_with_order((n, 32 * 4 * 4))
            .expect("element count preserved"); // (N, 512)
        self.fc.forward(&flat)
    }

    /// `(N, 10) -> ()`: accumulates every parameter gradient.
    fn backward(&mut self, dlogits: &Array2<f32>) {
        let n = dlogits.nrows();
        let dflat = self.fc.backward(dlogits); // (N, 512)
        let dh = dflat
            .into_shape_with_order((n, 32, 4, 4))
            .expect("element count preserved");
        let dh = self.conv2.backward(&self.relu2.backward(&dh)); // (N, 16, 8, 8)
        self.conv1.backward(&self.relu1.backward(&dh));
    }
}

impl Params<f32> for Net {
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f32], &mut [f32])) {
        self.conv1.visit_params(f);
        self.conv2.visit_params(f);
        self.fc.visit_params(f);
    }
}

/// The digits of `d` as a batch `(N, 1, 8, 8)` with pixels in `[0, 1]`.
pub fn as_images(d: &Digits) -> Array4<f32> {
    d.images
        .clone()
        .into_shape_with_order((d.len(), 1, digits::SIDE, digits::SIDE))
        .expect("64 pixels per image")
}

/// Shifts each image by its own `(dy, dx) ∈ {−1, 0, 1}²`, filling with 0 (background).
fn shift_images(x: &Array4<f32>, shifts: &[(i32, i32)]) -> Array4<f32> {
    let (n, c, h, w) = x.dim();
    let mut out = Array4::zeros((n, c, h, w));
    for (i, &(dy, dx)) in shifts.iter().enumerate().take(n) {
        for ((ci, y, xx), &v) in x.slice(s![i, .., .., ..]).indexed_iter() {
            let (ty, tx) = (y as i32 + dy, xx as i32 + dx);
            if (0..h as i32).contains(&ty) && (0..w as i32).contains(&tx) {
                out[[i, ci, ty as usize, tx as usize]] = v;
            }
        }
    }
    out
}

impl Judge {
    /// Trains a judge from `seed` on the fixed training split and measures it on the test split.
    pub fn train(seed: u64) -> Self {
        match Self::train_until(seed, |_, _| Ok::<(), std::convert::Infallible>(())) {
            Ok(judge) => judge,
            Err(never) => match never {},
        }
    }

    /// [`Judge::train`] that calls `tick(epoch, EPOCHS)` before every mini-batch, so a caller
    /// can show progress or stop the training (`tick`'s error is returned).
    pub fn train_until<E>(
        seed: u64,
        mut tick: impl FnMut(usize, usize) -> Result<(), E>,
    ) -> Result<Self, E> {
        let data = digits::load();
        let (train, test) = data.split();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut net = Net::new(&mut rng);
        let mut opt = Adam::new(LR, 0.9, 0.999, 1e-8).expect("valid constant Adam settings");
        let x_train = as_images(&train);
        let labels: Vec<usize> = train.labels.iter().map(|&l| usize::from(l)).collect();
        let mut order: Vec<usize> = (0..train.len()).collect();
        for epoch in 0..EPOCHS {
            order.shuffle(&mut rng);
            for batch in order.chunks(BATCH) {
                tick(epoch, EPOCHS)?;
                // quiz:begin judge-shift
                let shifts: Vec<(i32, i32)> = batch
                    .iter()
                    .map(|_| (rng.random_range(-1..=1), rng.random_range(-1..=1)))
                    .collect();
                let xb = shift_images(&x_train.select(Axis(0), batch), &shifts);
                // quiz:end judge-shift
                let yb: Vec<usize> = batch.iter().map(|&i| labels[i]).collect();
                net.zero_grad();
                let logits = net.forward(&xb);
                let (_, dlogits) = softmax_cross_entropy(&logits, &yb);
                net.backward(&dlogits);
                opt.step(&mut net);
            }
        }
        let mut judge = Self {
            net,
            test_accuracy: 0.0,
            test_images: test.len(),
            shifted_test_accuracy: 0.0,
        };
        let x_test = as_images(&test);
        judge.test_accuracy = judge.accuracy(&x_test, &test.labels);
        let shifts: Vec<(i32, i32)> = (0..test.len())
            .map(|i| [(0, 1), (1, 0), (0, -1), (-1, 0)][i % 4])
            .collect();
        judge.shifted_test_accuracy = judge.accuracy(&shift_images(&x_test, &shifts), &test.labels);
        Ok(judge)
    }

    /// Class probabilities `p(y|x)` `(N, 10)` for images `(N, 1, 8, 8)` with pixels in `[0, 1]`.
    ///
    /// # Shapes
    /// input `(N, 1, 8, 8)`; output `(N, 10)`, rows summing to 1
    ///
    /// Layers cache their last input, so scoring runs on a private copy of the network (about
    /// 10k weights): the judge itself stays immutable and can be shared between threads.
    pub fn probabilities(&self, x: &ArrayRef4<f32>) -> Array2<f32> {
        let mut net = self.net.clone();
        let n = x.len_of(Axis(0));
        let mut out = Array2::zeros((n, digits::CLASSES));
        for start in (0..n).step_by(256) {
            let end = (start + 256).min(n);
            let logits = net.forward(&x.slice(s![start..end, .., .., ..]));
            out.slice_mut(s![start..end, ..])
                .assign(&softmax_last_axis(&logits));
        }
        out
    }

    /// The most probable class of each image.
    pub fn predict(&self, x: &ArrayRef4<f32>) -> Vec<usize> {
        score::argmax_rows(&self.probabilities(x))
    }

    /// Fraction of images whose predicted class equals `labels`.
    pub fn accuracy(&self, x: &ArrayRef4<f32>, labels: &[u8]) -> f64 {
        let pred = self.predict(x);
        let hits = pred
            .iter()
            .zip(labels)
            .filter(|&(&p, &l)| p == usize::from(l))
            .count();
        hits as f64 / pred.len().max(1) as f64
    }
}

static JUDGE: OnceLock<Judge> = OnceLock::new();

/// The judge trained once per process (with [`JUDGE_SEED`]) and shared by every kernel.
pub fn shared() -> &'static Judge {
    JUDGE.get_or_init(|| Judge::train(JUDGE_SEED))
}

/// What the judge's one-time training is called in progress reports.
const TRAINING: &str = "判定器 (judge) の学習";

/// The shared judge in training on a thread of its own, started by [`start_shared`].
///
/// A generative kernel needs the judge only to score its generator at the end, so the judge's
/// one-time training (≈ 1 s of CPU) runs on the second core while the generator trains on the
/// first. The thread records into a [`Handoff`]; dropping a `Pending` (a cancelled run) tells it
/// to stop at its next mini-batch, and the judge is then trained again by the next run that
/// needs it.
#[derive(Debug)]
pub struct Pending {
    thread: Option<JoinHandle<Option<Judge>>>,
    handoff: Arc<Handoff>,
}

/// Starts training the shared judge on another thread, unless this process already has it.
pub fn start_shared() -> Pending {
    let handoff = Arc::new(Handoff::default());
    let shared = Arc::clone(&handoff);
    let train = move || {
        let mut sink = shared.sink();
        let mut tr = Trace::new(&mut sink);
        Judge::train_until(JUDGE_SEED, |epoch, epochs| {
            tr.progress(TRAINING, epoch, epochs)
        })
        .ok()
    };
    // If no thread can be started, `wait` trains the judge on the calling thread.
    let thread = match JUDGE.get() {
        Some(_) => None,
        None => std::thread::Builder::new()
            .name("judge".into())
            .spawn(train)
            .ok(),
    };
    Pending { thread, handoff }
}

impl Pending {
    /// The shared judge: if its thread is still training (the generator finished first), waits
    /// for it, relaying its progress (a cancel point), and keeps what it trained.
    pub fn wait(mut self, tr: &mut Trace) -> Result<&'static Judge, KernelError> {
        if let Some(thread) = self.thread.take() {
            self.handoff.wait(tr, || thread.is_finished())?;
            match thread.join() {
                Ok(Some(judge)) => return Ok(JUDGE.get_or_init(|| judge)),
                Ok(None) => {} // stopped: cannot happen before `self` is dropped
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        shared_traced(tr)
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.handoff.cancel();
    }
}

/// [`shared`], reporting the one-time training to `tr` (where a cancelled run stops; the
/// judge is then trained again by the next run that needs it).
fn shared_traced(tr: &mut Trace) -> Result<&'static Judge, KernelError> {
    if let Some(judge) = JUDGE.get() {
        return Ok(judge);
    }
    let judge = Judge::train_until(JUDGE_SEED, |epoch, epochs| {
        tr.progress(TRAINING, epoch, epochs)
    })?;
    // Another thread may have finished first: both trained the same weights from JUDGE_SEED.
    Ok(JUDGE.get_or_init(|| judge))
}
