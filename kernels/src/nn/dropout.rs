//! Inverted dropout (Srivastava et al. 2014).

use super::{Float, NnError, Params};
use ndarray::{Array, ArrayD, ArrayRef, Dimension, Zip};
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::{Rng, SeedableRng};

/// Training: each element is kept with probability `1 − p` and scaled by `1/(1 − p)`, else set to
/// 0: `y = x ⊙ m / (1 − p)`, `m ~ Bernoulli(1 − p)`. Evaluation: `y = x`. The scaling keeps
/// `E[y] = x`, so nothing changes at test time ("inverted" dropout, as PyTorch).
/// Backward: `dL/dx = dL/dy ⊙ m / (1 − p)` with the mask of the last forward.
///
/// The mask comes from the layer's own generator, seeded in [`Dropout::new`], so runs repeat.
///
/// # Shapes
/// any; output same as input
#[derive(Debug, Clone)]
pub struct Dropout<A> {
    /// Probability of dropping an element, in `[0, 1)`.
    pub p: A,
    pub training: bool,
    rng: StdRng,
    /// `m / (1 − p)` of the last training forward, or `None` after an evaluation forward.
    scale_mask: Option<ArrayD<A>>,
}

impl<A: Float> Dropout<A> {
    /// `p` is the drop probability, in `[0, 1)`.
    pub fn new(p: A, seed: u64) -> Result<Self, NnError> {
        if !(p >= A::zero() && p < A::one()) {
            return Err(NnError::Probability {
                layer: "Dropout",
                p: p.to_string(),
            });
        }
        Ok(Self {
            p,
            training: true,
            rng: StdRng::seed_from_u64(seed),
            scale_mask: None,
        })
    }

    /// Restarts the mask generator (e.g. to replay the same masks in a gradient check).
    pub fn reseed(&mut self, seed: u64) {
        self.rng = StdRng::seed_from_u64(seed);
    }

    pub fn train(&mut self) {
        self.training = true;
    }

    pub fn eval(&mut self) {
        self.training = false;
    }

    /// The keep mask `m` (1 = kept, 0 = dropped) of the last training forward.
    pub fn mask(&self) -> Option<ArrayD<A>> {
        let one_if_kept = |v: A| if v > A::zero() { A::one() } else { A::zero() };
        self.scale_mask.as_ref().map(|s| s.mapv(one_if_kept))
    }

    pub fn forward<D: Dimension>(&mut self, x: &ArrayRef<A, D>) -> Array<A, D> {
        if !self.training {
            self.scale_mask = None;
            return x.to_owned();
        }
        let p = self.p.to_f64().unwrap_or(0.0);
        let scale = A::one() / (A::one() - self.p);
        let rng = &mut self.rng;
        let mask = x.mapv(|_| {
            if rng.random::<f64>() >= p {
                scale
            } else {
                A::zero()
            }
        });
        self.forward_with_mask(x, mask.into_dyn())
    }

    /// Training forward with a given keep mask `m` (1 = keep, 0 = drop) instead of a random one;
    /// used to replay a mask and by the golden tests.
    ///
    /// # Panics
    /// If `keep` does not have the shape of `x`.
    pub fn forward_with_mask<D: Dimension>(
        &mut self,
        x: &ArrayRef<A, D>,
        keep: ArrayD<A>,
    ) -> Array<A, D> {
        assert_eq!(
            keep.shape(),
            x.shape(),
            "Dropout: mask shape differs from the input"
        );
        let scale = A::one() / (A::one() - self.p);
        let scale_mask = keep.mapv(|m| if m > A::zero() { scale } else { A::zero() });
        let mut y = x.to_owned();
        Zip::from(&mut y)
            .and(
                scale_mask
                    .view()
                    .into_dimensionality::<D>()
                    .expect("same shape"),
            )
            .for_each(|v, &s| *v *= s);
        self.scale_mask = Some(scale_mask);
        y
    }

    /// # Panics
    /// If called with a shape other than the last output's.
    pub fn backward<D: Dimension>(&mut self, dout: &ArrayRef<A, D>) -> Array<A, D> {
        let mut dx = dout.to_owned();
        if let Some(s) = &self.scale_mask {
            assert_eq!(
                s.shape(),
                dout.shape(),
                "Dropout: dout shape differs from the output"
            );
            Zip::from(&mut dx)
                .and(s.view().into_dimensionality::<D>().expect("same shape"))
                .for_each(|d, &m| *d *= m);
        }
        dx
    }
}

impl<A: Float> Params<A> for Dropout<A> {
    /// No parameters.
    fn visit_params(&mut self, _f: &mut dyn FnMut(&mut [A], &mut [A])) {}
}
