//! The embedding network `f(x)` shared by the Siamese and Triplet kernels, and the training loop
//! pieces they have in common.
//!
//! `f` maps an 8×8 digit (64 pixels) to a point of the embedding space; here the space is 2-D so
//! the learner can watch the clusters form. It is an MLP `64 → 128 → 64 → 2` with ReLU — the
//! "twin" (or triplet of) networks of the papers are **one** network with shared weights,
//! applied to every sample of a pair or triplet.
//!
//! The [`crate::nn`] layers keep only their last forward pass, so a pair or triplet is never run
//! through `f` one member at a time: the kernels stack every image that appears in the batch
//! into one `(B, 64)` matrix, run `f` once, and address the embeddings by row index. The
//! gradients of the loss with respect to each row are added up ([`scatter_rows`]) and `f`'s
//! backward pass runs once — so a row used as an anchor in one triplet and a negative in another
//! gets both contributions, exactly as in a framework with autodiff.
//!
//! # Shapes
//! images `(B, 64)` → embeddings `(B, 2)`

use crate::KernelError;
use crate::nn::{Float, Linear, NnError, Params, ReLU};
use ndarray::{Array2, ArrayRef2, Axis};
use ndarray_rand::rand::Rng;
use ndarray_rand::rand::seq::SliceRandom;

/// `f(x) = W3 relu(W2 relu(W1 x + b1) + b2) + b3`.
#[derive(Debug, Clone)]
pub struct EmbeddingNet<A: Float> {
    pub fc1: Linear<A>,
    pub fc2: Linear<A>,
    pub fc3: Linear<A>,
    relu1: ReLU<A>,
    relu2: ReLU<A>,
}

impl<A: Float> EmbeddingNet<A> {
    /// `inputs → hidden[0] → hidden[1] → dim`, PyTorch's default initialisation.
    pub fn new<R: Rng + ?Sized>(
        inputs: usize,
        hidden: [usize; 2],
        dim: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        Ok(Self {
            fc1: Linear::new(inputs, hidden[0], rng)?,
            fc2: Linear::new(hidden[0], hidden[1], rng)?,
            fc3: Linear::new(hidden[1], dim, rng)?,
            relu1: ReLU::new(),
            relu2: ReLU::new(),
        })
    }

    /// `(B, 64) → (B, dim)`, caching for [`EmbeddingNet::backward`].
    pub fn forward(&mut self, x: &ArrayRef2<A>) -> Array2<A> {
        let h1 = self.relu1.forward(&self.fc1.forward(x));
        let h2 = self.relu2.forward(&self.fc2.forward(&h1));
        self.fc3.forward(&h2)
    }

    /// `dL/df (B, dim)` → accumulates every parameter gradient (the input gradient is not
    /// needed).
    pub fn backward(&mut self, d_emb: &ArrayRef2<A>) {
        let d = self.fc3.backward(d_emb);
        let d = self.fc2.backward(&self.relu2.backward(&d));
        self.fc1.backward(&self.relu1.backward(&d));
    }

    /// Embeds a whole set in chunks (evaluation; leaves no useful cache behind).
    pub fn embed_all(&mut self, images: &ArrayRef2<A>) -> Array2<A> {
        let chunks: Vec<Array2<A>> = images
            .axis_chunks_iter(Axis(0), 512)
            .map(|c| self.forward(&c))
            .collect();
        let views: Vec<_> = chunks.iter().map(|c| c.view()).collect();
        ndarray::concatenate(Axis(0), &views).expect("chunks share the embedding width")
    }
}

impl<A: Float> Params<A> for EmbeddingNet<A> {
    /// Order: `fc1`, `fc2`, `fc3`.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.fc1.visit_params(f);
        self.fc2.visit_params(f);
        self.fc3.visit_params(f);
    }
}

/// The rows `idx` of `emb`: the members of every pair / triplet, `(N, dim)`.
pub fn gather_rows<A: Float>(emb: &Array2<A>, idx: &[usize]) -> Array2<A> {
    emb.select(Axis(0), idx)
}

/// Adds row `n` of `grad (N, dim)` to row `idx[n]` of `d_emb (B, dim)`: the gradient of a
/// gathered batch flows back to the shared embedding rows it came from.
pub fn scatter_rows<A: Float>(d_emb: &mut Array2<A>, idx: &[usize], grad: &Array2<A>) {
    for (&i, g) in idx.iter().zip(grad.rows()) {
        let mut row = d_emb.row_mut(i);
        row += &g;
    }
}

/// The training images shuffled into mini-batches of `batch` indices (the last may be
/// smaller); a new order every epoch.
pub fn epoch_batches<R: Rng + ?Sized>(n: usize, batch: usize, rng: &mut R) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order.chunks(batch.max(1)).map(<[usize]>::to_vec).collect()
}

/// The loss must stay finite; otherwise the run stops, naming the update where it diverged.
pub fn check_loss(loss: f32, step: usize) -> Result<(), KernelError> {
    KernelError::check_finite("loss", f64::from(loss), step, "try a lower lr")
}
