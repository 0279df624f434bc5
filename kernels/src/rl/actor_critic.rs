//! The shared actor-critic network: one trunk, two heads (Mnih et al. 2016, §4).
//!
//! A3C's network is *parameter-sharing*: the policy `π(a|s)` (the actor) and the state value
//! `V(s)` (the critic) are two outputs of one branched network, so features learned for one
//! help the other, and one total loss trains both (see [`super::loss`]). Generic actor-critic
//! methods use two separate networks with two losses instead.
//!
//! ```text
//! h₁ = tanh(s W₁ + b₁)          trunk
//! h₂ = tanh(h₁ W₂ + b₂)
//! z  = h₂ W_π + b_π             policy head: logits, π(·|s) = softmax(z)
//! V  = h₂ W_v + b_v             value head
//! ```
//!
//! A batch of states goes through as one matrix product per layer (the rollout of all
//! environments at once). Weights are initialised orthogonally (Saxe et al. 2014) with gain √2
//! in the trunk, 0.01 for the policy head (so the first policy is almost uniform) and 1 for the
//! value head; biases start at 0 — the usual choice of A2C implementations (OpenAI Baselines).
//!
//! # Shapes
//! - input `s`: `(N, obs_dim)`; `h₁`, `h₂`: `(N, hidden)`
//! - output logits `z`: `(N, n_actions)`; values `V`: `(N,)`
//! - `W₁ (obs_dim, hidden)`, `W₂ (hidden, hidden)`, `W_π (hidden, n_actions)`, `W_v (hidden, 1)`

use crate::nn::{Float, Linear, NnError, Params, Tanh, init};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};
use ndarray_rand::rand::Rng;

/// What the two heads output for a batch of states.
#[derive(Debug, Clone, PartialEq)]
pub struct Heads<A: Float> {
    /// Policy logits `z`, `(N, n_actions)`; `π(·|s) = softmax(z)`.
    pub logits: Array2<A>,
    /// State values `V(s)`, `(N,)`.
    pub values: Array1<A>,
}

/// The branched network; see the module documentation.
#[derive(Debug, Clone)]
pub struct ActorCritic<A: Float> {
    pub fc1: Linear<A>,
    pub fc2: Linear<A>,
    /// The actor's output layer.
    pub policy_head: Linear<A>,
    /// The critic's output layer.
    pub value_head: Linear<A>,
    act1: Tanh<A>,
    act2: Tanh<A>,
}

impl<A: Float> ActorCritic<A> {
    /// A network `obs_dim → hidden → hidden → (n_actions, 1)` with orthogonal initialisation.
    pub fn new<R: Rng + ?Sized>(
        obs_dim: usize,
        hidden: usize,
        n_actions: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        let mut layer = |i, o, gain| -> Result<Linear<A>, NnError> {
            let mut l = Linear::new(i, o, rng)?;
            init::orthogonal(&mut l.w, gain, rng);
            l.b.fill(A::zero());
            Ok(l)
        };
        Ok(Self {
            fc1: layer(obs_dim, hidden, 2f64.sqrt())?,
            fc2: layer(hidden, hidden, 2f64.sqrt())?,
            policy_head: layer(hidden, n_actions, 0.01)?,
            value_head: layer(hidden, 1, 1.0)?,
            act1: Tanh::new(),
            act2: Tanh::new(),
        })
    }

    /// Both heads for a batch of states `(N, obs_dim)`; caches what [`Self::backward`] needs.
    pub fn forward(&mut self, s: &ArrayRef2<A>) -> Heads<A> {
        let h1 = self.act1.forward(&self.fc1.forward(s)); // (N, hidden)
        let h2 = self.act2.forward(&self.fc2.forward(&h1)); // (N, hidden)
        let logits = self.policy_head.forward(&h2); // (N, n_actions)
        let values = self.value_head.forward(&h2).remove_axis(Axis(1)); // (N, 1) -> (N,)
        Heads { logits, values }
    }

    /// Back-propagates `dL/dz (N, n_actions)` and `dL/dV (N,)` through both heads and the
    /// shared trunk, where the two gradients add up; accumulates every parameter gradient.
    ///
    /// # Panics
    /// If called before `forward` or with shapes other than the last forward's outputs.
    pub fn backward(&mut self, dlogits: &ArrayRef2<A>, dvalues: &ArrayRef1<A>) {
        let dv = dvalues.view().insert_axis(Axis(1)); // (N,) -> (N, 1)
        // The trunk feeds both heads, so its gradient is the sum of both heads' gradients.
        let dh2 = self.policy_head.backward(dlogits) + self.value_head.backward(&dv);
        let dh1 = self.fc2.backward(&self.act2.backward(&dh2));
        self.fc1.backward(&self.act1.backward(&dh1));
    }

    /// Every parameter, flattened in [`Params::visit_params`] order (a worker's copy to send).
    pub fn params_to_vec(&mut self) -> Vec<A> {
        let mut out = Vec::new();
        self.visit_params(&mut |p, _| out.extend_from_slice(p));
        out
    }

    /// Every gradient, flattened in [`Params::visit_params`] order.
    pub fn grads_to_vec(&mut self) -> Vec<A> {
        let mut out = Vec::new();
        self.visit_params(&mut |_, g| out.extend_from_slice(g));
        out
    }

    /// Overwrites the parameters with `flat` (from [`Self::params_to_vec`] of a same-shaped
    /// network): how an A3C worker syncs its local copy with the global network.
    ///
    /// # Panics
    /// If `flat` does not have exactly [`Params::num_params`] values.
    pub fn set_params(&mut self, flat: &[A]) {
        let mut rest = flat;
        self.visit_params(&mut |p, _| {
            let (head, tail) = rest.split_at(p.len());
            p.copy_from_slice(head);
            rest = tail;
        });
        assert!(
            rest.is_empty(),
            "set_params: {} values left over",
            rest.len()
        );
    }

    /// Overwrites the gradients with `flat` (a worker's gradients, applied to the global net).
    ///
    /// # Panics
    /// If `flat` does not have exactly [`Params::num_params`] values.
    pub fn set_grads(&mut self, flat: &[A]) {
        let mut rest = flat;
        self.visit_params(&mut |_, g| {
            let (head, tail) = rest.split_at(g.len());
            g.copy_from_slice(head);
            rest = tail;
        });
        assert!(
            rest.is_empty(),
            "set_grads: {} values left over",
            rest.len()
        );
    }
}

impl<A: Float> Params<A> for ActorCritic<A> {
    /// Order: `fc1`, `fc2`, `policy_head`, `value_head` (each `w`, `b`).
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [A], &mut [A])) {
        self.fc1.visit_params(f);
        self.fc2.visit_params(f);
        self.policy_head.visit_params(f);
        self.value_head.visit_params(f);
    }
}

/// `π(·|s) = softmax(z)` row by row, computed stably (`z − max z`).
///
/// # Shapes
/// `(N, n_actions) -> (N, n_actions)`
pub fn policy_probs<A: Float>(logits: &ArrayRef2<A>) -> Array2<A> {
    crate::nn::activation::softmax_last_axis(logits)
}

/// The index of the largest entry of each row: the greedy action `argmax_a π(a|s)`.
pub fn greedy_actions<A: Float>(logits: &ArrayRef2<A>) -> Vec<usize> {
    logits
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold((0, A::neg_infinity()), |best, (i, &v)| {
                    if v > best.1 { (i, v) } else { best }
                })
                .0
        })
        .collect()
}

/// Draws one action per row from `π(·|s)` (inverse-CDF sampling with one uniform each).
pub fn sample_actions<A: Float, R: Rng + ?Sized>(probs: &ArrayRef2<A>, rng: &mut R) -> Vec<usize> {
    probs
        .rows()
        .into_iter()
        .map(|p| sample_one(&p, rng))
        .collect()
}

fn sample_one<A: Float, R: Rng + ?Sized>(p: &ArrayRef1<A>, rng: &mut R) -> usize {
    let u = A::lit(rng.random::<f64>());
    let mut cum = A::zero();
    for (i, &pi) in p.iter().enumerate() {
        cum += pi;
        if u < cum {
            return i;
        }
    }
    p.len().saturating_sub(1)
}
