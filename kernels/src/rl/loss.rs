//! The n-step advantage and A3C's single total loss (Mnih et al. 2016, §4, Algorithm S3).
//!
//! **n-step return.** After a rollout of `T = n_steps` steps, each state's return looks up to
//! `T` steps ahead and then trusts the critic:
//!
//! ```text
//! R_t = r_t + γ r_{t+1} + … + γ^{k−1} r_{t+k−1} + γ^k V(s_{t+k})      (k ≤ T − t)
//!     = r_t + γ (1 − d_t) R_{t+1},        R_T = V(s_T)  (bootstrap from the critic)
//! ```
//!
//! where `d_t = 1` ends the sum at an episode boundary. The **advantage** `A_t = R_t − V(s_t)`
//! says how much better the action taken was than the critic expected.
//!
//! **Total loss.** A3C trains its one branched network with one loss, averaged over the
//! `B = T · N` samples of a rollout:
//!
//! ```text
//! L = L_π + c_v L_V − c_H H
//! L_π = −(1/B) Σ A_t log π(a_t|s_t)            advantage policy gradient (A_t held constant)
//! L_V =  (1/B) Σ (R_t − V(s_t))²               value (critic) loss, mean squared error
//! H   =  (1/B) Σ −Σ_a π(a|s_t) log π(a|s_t)    policy entropy, a bonus: it is *subtracted*
//! ```
//!
//! Minimising `L_π` raises the log-probability of actions with positive advantage (the policy
//! gradient theorem with `V` as baseline); `L_V` regresses the critic on the n-step returns;
//! subtracting `c_H H` rewards staying random and so keeps exploring (§4, "entropy of the policy
//! … improved exploration"). `c_v = value_coef`, `c_H = entropy_coef`.
//!
//! **Gradients** with respect to the logits `z` (`p = softmax(z)`) and values:
//!
//! ```text
//! ∂L_π/∂z_{t,k} = −A_t (1[k = a_t] − p_k) / B
//! ∂(−c_H H)/∂z_{t,k} = c_H p_k (log p_k + H_t) / B,   H_t = −Σ_a p_a log p_a
//! ∂(c_v L_V)/∂V_t = 2 c_v (V_t − R_t) / B
//! ```
//!
//! # Shapes
//! - rollout rewards, dones, returns: `(T, N)`; bootstrap values: `(N,)`
//! - logits `(B, n_actions)`, values `(B,)`, actions `B`, with row `b = t · N + n`

use crate::nn::Float;
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};

/// The n-step returns `R_t = r_t + γ (1 − d_t) R_{t+1}`, `R_T = V(s_T)`, computed backwards.
///
/// `dones[t][n]` is 1 where the episode of environment `n` ended at step `t` (the return after
/// it does not flow back across the boundary). A truncated episode is bootstrapped by the caller,
/// who adds `γ V(s_final)` to its last reward and marks it done.
///
/// # Shapes
/// `rewards`, `dones`: `(T, N)`; `bootstrap`: `(N,)`; result `(T, N)`
pub fn n_step_returns<A: Float>(
    rewards: &ArrayRef2<A>,
    dones: &ArrayRef2<A>,
    bootstrap: &ArrayRef1<A>,
    gamma: A,
) -> Array2<A> {
    let mut returns = Array2::zeros(rewards.raw_dim());
    let mut next = bootstrap.to_owned(); // R_{t+1}, starting from R_T = V(s_T)
    for t in (0..rewards.nrows()).rev() {
        for n in 0..rewards.ncols() {
            // quiz:begin nstep-return
            next[n] = rewards[[t, n]] + gamma * (A::one() - dones[[t, n]]) * next[n];
            // quiz:end nstep-return
        }
        returns.row_mut(t).assign(&next);
    }
    returns
}

/// The terms of the total loss, each shown separately in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LossTerms {
    /// `L_π = −mean(A log π(a|s))`.
    pub policy: f64,
    /// `L_V = mean((R − V)²)`.
    pub value: f64,
    /// `H = mean(−Σ π log π)` (a bonus: enters the total with a minus sign).
    pub entropy: f64,
    /// `L = L_π + c_v L_V − c_H H`.
    pub total: f64,
    /// `mean(A)`, how much better than expected the rollout went on average.
    pub advantage_mean: f64,
}

impl LossTerms {
    /// `self += w · other` for every term: a batch's means from its parts' means, each part
    /// weighted by its share of the rows.
    pub fn add_weighted(&mut self, other: &Self, w: f64) {
        self.policy += w * other.policy;
        self.value += w * other.value;
        self.entropy += w * other.entropy;
        self.total += w * other.total;
        self.advantage_mean += w * other.advantage_mean;
    }
}

/// The loss and its gradients for one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct LossOutput<A: Float> {
    pub terms: LossTerms,
    /// `∂L/∂z`, `(B, n_actions)`.
    pub dlogits: Array2<A>,
    /// `∂L/∂V`, `(B,)`.
    pub dvalues: Array1<A>,
    /// The advantages `A = R − V`, `(B,)`.
    pub advantages: Array1<A>,
}

/// A3C's total loss `L = L_π + c_v L_V − c_H H` and its gradients; see the module docs.
///
/// # Panics
/// If the shapes disagree (a bug in the calling code, not a knob value).
pub fn actor_critic_loss<A: Float>(
    logits: &ArrayRef2<A>,
    values: &ArrayRef1<A>,
    actions: &[usize],
    returns: &ArrayRef1<A>,
    value_coef: A,
    entropy_coef: A,
) -> LossOutput<A> {
    let b = logits.nrows();
    assert!(
        values.len() == b && actions.len() == b && returns.len() == b,
        "actor_critic_loss: batch sizes differ"
    );
    let inv_b = A::one() / A::count(b.max(1));
    // log π(·|s) = z − logsumexp(z), stable with the row maximum.
    let mut log_p = logits.to_owned();
    for mut row in log_p.rows_mut() {
        let m = row.fold(A::neg_infinity(), |m, &v| m.max(v));
        let lse = m + row.mapv(|v| (v - m).exp()).sum().ln();
        row.mapv_inplace(|v| v - lse);
    }
    let p = log_p.mapv(A::exp);
    // The critic's judgement, held constant in the policy gradient (no gradient flows into V).
    // quiz:begin advantage
    let advantages = returns - values;
    // quiz:end advantage
    let entropy_rows = (&p * &log_p).sum_axis(Axis(1)).mapv(|v| -v); // H_t, (B,)

    let (mut policy, mut value) = (A::zero(), A::zero());
    let mut dlogits = Array2::zeros(logits.raw_dim());
    for (i, &a) in actions.iter().enumerate() {
        let adv = advantages[i];
        policy -= adv * log_p[[i, a]];
        value += adv * adv;
        for k in 0..logits.ncols() {
            let onehot = if k == a { A::one() } else { A::zero() };
            let pk = p[[i, k]];
            dlogits[[i, k]] = (-adv * (onehot - pk)
                + entropy_coef * pk * (log_p[[i, k]] + entropy_rows[i]))
                * inv_b;
        }
    }
    let dvalues = (values - returns).mapv(|d| A::lit(2.0) * value_coef * d * inv_b);
    let (policy, value) = (policy * inv_b, value * inv_b);
    let entropy = entropy_rows.sum() * inv_b;
    // quiz:begin total-loss
    let total = policy + value_coef * value - entropy_coef * entropy;
    // quiz:end total-loss
    let f = |v: A| v.to_f64().unwrap_or(f64::NAN);
    LossOutput {
        terms: LossTerms {
            policy: f(policy),
            value: f(value),
            entropy: f(entropy),
            total: f(total),
            advantage_mean: f(advantages.sum() * inv_b),
        },
        dlogits,
        dvalues,
        advantages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn returns_bootstrap_and_stop_at_episode_ends() {
        // T = 3 steps, N = 2 envs; env 1 ends its episode at t = 1.
        let r = array![[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]];
        let d = array![[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        let v_last = array![10.0, 20.0];
        let ret = n_step_returns(&r, &d, &v_last, 0.5);
        // env 0: R_2 = 1 + 0.5·10 = 6, R_1 = 1 + 3 = 4, R_0 = 1 + 2 = 3
        assert_eq!(ret.column(0).to_vec(), vec![3.0, 4.0, 6.0]);
        // env 1: R_2 = 1 + 10 = 11, R_1 = 1 (episode ended), R_0 = 1 + 0.5 = 1.5
        assert_eq!(ret.column(1).to_vec(), vec![1.5, 1.0, 11.0]);
    }

    #[test]
    fn uniform_policy_has_entropy_ln2_and_the_bonus_lowers_the_loss() {
        let z = array![[0.0, 0.0], [0.0, 0.0]];
        let v = array![0.0, 1.0];
        let ret = array![1.0, 1.0];
        let out = actor_critic_loss(&z, &v, &[0, 1], &ret, 0.5, 0.1);
        assert!((out.terms.entropy - 2f64.ln()).abs() < 1e-12);
        // A = [1, 0]: L_π = −(1·ln 0.5 + 0)/2, L_V = (1 + 0)/2
        assert!((out.terms.policy - 0.5 * 2f64.ln()).abs() < 1e-12);
        assert!((out.terms.value - 0.5).abs() < 1e-12);
        let want = out.terms.policy + 0.5 * 0.5 - 0.1 * 2f64.ln();
        assert!((out.terms.total - want).abs() < 1e-12);
    }
}
