//! Optimisers (SGD with momentum, Adam, RMSprop) and gradient-norm clipping.
//!
//! Each optimiser updates any [`Params`] in place from the gradients stored beside the
//! parameters, keeping its per-parameter state (velocity, moments) by position in the
//! [`Params::visit_params`] order. Use one optimiser per model (DCGAN has one for G and one for D).
//! The update rules are PyTorch's, so hyper-parameters from papers and PyTorch code carry over.

use super::{Float, NnError, Params};
use ndarray::Zip;

fn check(name: &'static str, what: &str, v: f64, ok: bool) -> Result<(), NnError> {
    if ok && v.is_finite() {
        Ok(())
    } else {
        Err(NnError::Invalid {
            layer: name,
            reason: format!("{what} = {v} is out of range"),
        })
    }
}

/// Per-parameter optimiser state: one buffer per parameter tensor, created on the first step.
#[derive(Debug, Clone, Default)]
struct State<A> {
    bufs: Vec<Vec<A>>,
}

impl<A: Float> State<A> {
    /// Creates zero buffers shaped like the model's parameters on first use.
    ///
    /// # Panics
    /// If the model's parameter layout changed since the first step (a different model was
    /// passed to the same optimiser).
    fn ensure<M: Params<A> + ?Sized>(&mut self, model: &mut M) {
        let mut lens = Vec::new();
        model.visit_params(&mut |p, _| lens.push(p.len()));
        if self.bufs.is_empty() {
            self.bufs = lens.iter().map(|&n| vec![A::zero(); n]).collect();
        }
        let have: Vec<usize> = self.bufs.iter().map(Vec::len).collect();
        assert_eq!(
            have, lens,
            "optimiser used with a model of another parameter layout"
        );
    }
}

/// Stochastic gradient descent with (heavy-ball) momentum, PyTorch's form:
/// `v ← μ v + g`, `θ ← θ − η v` (`μ = 0` is plain SGD `θ ← θ − η g`).
#[derive(Debug, Clone)]
pub struct Sgd<A> {
    pub lr: A,
    pub momentum: A,
    velocity: State<A>,
}

impl<A: Float> Sgd<A> {
    /// `lr > 0`, `momentum ∈ [0, 1)`.
    pub fn new(lr: f64, momentum: f64) -> Result<Self, NnError> {
        check("Sgd", "lr", lr, lr > 0.0)?;
        check("Sgd", "momentum", momentum, (0.0..1.0).contains(&momentum))?;
        Ok(Self {
            lr: A::lit(lr),
            momentum: A::lit(momentum),
            velocity: State::default(),
        })
    }

    pub fn step<M: Params<A> + ?Sized>(&mut self, model: &mut M) {
        self.velocity.ensure(model);
        let (lr, mu) = (self.lr, self.momentum);
        let mut bufs = self.velocity.bufs.iter_mut();
        model.visit_params(&mut |p, g| {
            let v = bufs.next().expect("one buffer per parameter");
            for ((p, &g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                *v = mu * *v + g;
                *p -= lr * *v;
            }
        });
    }
}

/// Adam (Kingma & Ba 2015, Algorithm 1):
///
/// ```text
/// m ← β1 m + (1 − β1) g          v ← β2 v + (1 − β2) g²
/// m̂ = m / (1 − β1ᵗ)              v̂ = v / (1 − β2ᵗ)
/// θ ← θ − η m̂ / (√v̂ + ε)
/// ```
///
/// DCGAN uses `η = 2e-4, β1 = 0.5` (Radford et al. 2016, §4): the default 0.9 made training
/// oscillate.
#[derive(Debug, Clone)]
pub struct Adam<A> {
    pub lr: A,
    pub beta1: A,
    pub beta2: A,
    pub eps: A,
    /// Number of steps taken.
    pub t: i32,
    m: State<A>,
    v: State<A>,
}

impl<A: Float> Adam<A> {
    /// `lr > 0`, `β1, β2 ∈ [0, 1)`, `eps > 0` (PyTorch's defaults: `0.9, 0.999, 1e-8`).
    pub fn new(lr: f64, beta1: f64, beta2: f64, eps: f64) -> Result<Self, NnError> {
        check("Adam", "lr", lr, lr > 0.0)?;
        check("Adam", "beta1", beta1, (0.0..1.0).contains(&beta1))?;
        check("Adam", "beta2", beta2, (0.0..1.0).contains(&beta2))?;
        check("Adam", "eps", eps, eps > 0.0)?;
        Ok(Self {
            lr: A::lit(lr),
            beta1: A::lit(beta1),
            beta2: A::lit(beta2),
            eps: A::lit(eps),
            t: 0,
            m: State::default(),
            v: State::default(),
        })
    }

    pub fn step<M: Params<A> + ?Sized>(&mut self, model: &mut M) {
        self.m.ensure(model);
        self.v.ensure(model);
        self.t = self.t.saturating_add(1);
        let (b1, b2, eps, lr) = (self.beta1, self.beta2, self.eps, self.lr);
        let bias1 = A::one() - b1.powi(self.t);
        let bias2 = A::one() - b2.powi(self.t);
        // PyTorch's arrangement of the same update, θ ← θ − (η/(1 − β1ᵗ)) · m / (√v/√(1 − β2ᵗ) + ε):
        // one square root and one division per parameter instead of three divisions
        let (step, inv_sqrt_bias2) = (lr / bias1, A::one() / bias2.sqrt());
        let (mut ms, mut vs) = (self.m.bufs.iter_mut(), self.v.bufs.iter_mut());
        model.visit_params(&mut |p, g| {
            let (m, v) = (
                ms.next().expect("one buffer per parameter"),
                vs.next().expect("one buffer per parameter"),
            );
            // (ndarray's Zip runs this in vector registers; a zip of four slice iterators
            // ran one parameter at a time)
            Zip::from(p)
                .and(&*g)
                .and(&mut m[..])
                .and(&mut v[..])
                .for_each(|p, &g, m, v| {
                    *m = b1 * *m + (A::one() - b1) * g;
                    *v = b2 * *v + (A::one() - b2) * g * g;
                    *p -= step * *m / (v.sqrt() * inv_sqrt_bias2 + eps);
                });
        });
    }
}

/// RMSprop (Hinton's lecture 6e), PyTorch's form:
/// `v ← α v + (1 − α) g²`, `θ ← θ − η g / (√v + ε)`.
///
/// A2C (Mnih et al. 2016) uses it with `α = 0.99` and a larger `ε = 1e-5`.
#[derive(Debug, Clone)]
pub struct RmsProp<A> {
    pub lr: A,
    pub alpha: A,
    pub eps: A,
    square_avg: State<A>,
}

impl<A: Float> RmsProp<A> {
    /// `lr > 0`, `alpha ∈ [0, 1)`, `eps > 0` (PyTorch's defaults: `alpha = 0.99, eps = 1e-8`).
    pub fn new(lr: f64, alpha: f64, eps: f64) -> Result<Self, NnError> {
        check("RmsProp", "lr", lr, lr > 0.0)?;
        check("RmsProp", "alpha", alpha, (0.0..1.0).contains(&alpha))?;
        check("RmsProp", "eps", eps, eps > 0.0)?;
        Ok(Self {
            lr: A::lit(lr),
            alpha: A::lit(alpha),
            eps: A::lit(eps),
            square_avg: State::default(),
        })
    }

    pub fn step<M: Params<A> + ?Sized>(&mut self, model: &mut M) {
        self.square_avg.ensure(model);
        let (lr, a, eps) = (self.lr, self.alpha, self.eps);
        let mut bufs = self.square_avg.bufs.iter_mut();
        model.visit_params(&mut |p, g| {
            let v = bufs.next().expect("one buffer per parameter");
            for ((p, &g), v) in p.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                *v = a * *v + (A::one() - a) * g * g;
                *p -= lr * g / (v.sqrt() + eps);
            }
        });
    }
}

/// Scales all gradients of `model` together so that their global L2 norm
/// `‖g‖ = √(Σ over all parameters g²)` is at most `max_norm`, as PyTorch's `clip_grad_norm_`
/// (factor `max_norm / (‖g‖ + 1e-6)` when below 1). Returns `‖g‖` before clipping.
/// The direction of the update is kept; only its length is capped (A2C uses `max_norm = 0.5`).
pub fn clip_grad_norm<A: Float, M: Params<A> + ?Sized>(model: &mut M, max_norm: A) -> A {
    let mut sum_sq = A::zero();
    model.visit_params(&mut |_, g| sum_sq += g.iter().map(|&v| v * v).sum::<A>());
    let total = sum_sq.sqrt();
    let coef = max_norm / (total + A::lit(1e-6));
    if coef < A::one() {
        model.visit_params(&mut |_, g| g.iter_mut().for_each(|v| *v *= coef));
    }
    total
}
