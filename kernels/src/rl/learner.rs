//! What A2C and A3C share: their hyper-parameters, the gradient of one rollout, the optimiser
//! with its learning-rate schedule.
//!
//! One learning step of either algorithm (Mnih et al. 2016, Algorithm S3, lines "for i ∈ …"):
//!
//! 1. bootstrap `V(s_T)` for the state after the rollout;
//! 2. n-step returns `R_t` and advantages `A_t = R_t − V(s_t)` ([`super::loss`]);
//! 3. forward the whole rollout `(T·N, 4)` at once (in chunks of [`CHUNK_ROWS`] rows when it is
//!    larger), total loss, backward;
//! 4. clip the global gradient norm to `max_grad_norm` (as OpenAI Baselines' A2C);
//! 5. an optimiser step — on the same network (A2C) or on the shared global one (A3C).
//!
//! The learning rate decays linearly from `lr` to 0 over `total_steps` environment steps.

use super::actor_critic::ActorCritic;
use super::loss::{LossTerms, actor_critic_loss, n_step_returns};
use super::vec_env::Rollout;
use crate::KernelError;
use crate::error::CancelPoint;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::{Adam, Params, RmsProp, clip_grad_norm};
use ndarray::{Array1, s};

// The knobs both kernels declare; defaults are the calibrated ones of the issue.
pub const TOTAL_STEPS: KnobSpec = KnobSpec::int(
    "total_steps",
    "学習に使う環境ステップの総数 (全環境・全ワーカーの合計)",
    500_000,
    1_000,
    5_000_000,
);
pub const N_STEPS: KnobSpec = KnobSpec::int(
    "n_steps",
    "ロールアウトの長さ T (n-step リターンの n, A3C の t_max)",
    5,
    1,
    256,
);
pub const HIDDEN: KnobSpec =
    KnobSpec::int("hidden", "共有の幹 (trunk) の各層のユニット数", 64, 4, 512);
pub const GAMMA: KnobSpec = KnobSpec::float("gamma", "割引率 γ", 0.99, 0.0, 0.999);
pub const LR: KnobSpec = KnobSpec::float("lr", "学習率 (初期値)", 1e-3, 1e-6, 0.1);
pub const LR_DECAY: KnobSpec = KnobSpec::bool(
    "lr_decay",
    "学習率を total_steps までに線形に 0 へ減らす",
    true,
);
pub const OPTIMIZER: KnobSpec = KnobSpec::choice(
    "optimizer",
    "最適化手法 (adam: eps 1e-5, rmsprop: alpha 0.99, eps 1e-5)",
    "adam",
    &["adam", "rmsprop"],
);
pub const VALUE_COEF: KnobSpec =
    KnobSpec::float("value_coef", "価値ロスの係数 c_v", 0.5, 0.0, 10.0);
pub const ENTROPY_COEF: KnobSpec = KnobSpec::float(
    "entropy_coef",
    "エントロピーボーナスの係数 c_H (損失から引く)",
    0.0,
    0.0,
    1.0,
);
pub const MAX_GRAD_NORM: KnobSpec = KnobSpec::float(
    "max_grad_norm",
    "勾配ノルムのクリップ上限",
    0.5,
    0.01,
    100.0,
);
pub const EVAL_EPISODES: KnobSpec = KnobSpec::int(
    "eval_episodes",
    "最後の貪欲評価のエピソード数 (solved の判定は 100)",
    100,
    1,
    1_000,
);
pub const EVAL_EVERY: KnobSpec = KnobSpec::int(
    "eval_every",
    "学習曲線に貪欲方策の評価を記録する間隔 (環境ステップ)",
    25_000,
    1_000,
    5_000_000,
);

/// The hyper-parameters both kernels read from their knobs (same names in both).
#[derive(Debug, Clone, PartialEq)]
pub struct Hyper {
    /// Environment steps to train for, over all environments (and workers).
    pub total_steps: usize,
    /// Rollout length `T` (the `n` of the n-step return; A3C's `t_max`).
    pub n_steps: usize,
    /// Units in each of the two trunk layers.
    pub hidden: usize,
    /// Discount factor `γ`.
    pub gamma: f64,
    /// Initial learning rate.
    pub lr: f64,
    /// Decay the learning rate linearly to 0 over `total_steps`.
    pub lr_decay: bool,
    /// `"adam"` (eps 1e-5) or `"rmsprop"` (alpha 0.99, eps 1e-5).
    pub optimizer: &'static str,
    /// `c_v`, the weight of the value loss.
    pub value_coef: f64,
    /// `c_H`, the weight of the entropy bonus.
    pub entropy_coef: f64,
    /// Maximum global gradient norm.
    pub max_grad_norm: f64,
    /// Greedy episodes in the final evaluation.
    pub eval_episodes: usize,
    /// Environment steps between the greedy checks drawn on the learning curve.
    pub eval_every: usize,
    pub seed: u64,
}

impl Hyper {
    /// Reads the shared knobs.
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            total_steps: k.usize("total_steps"),
            n_steps: k.usize("n_steps"),
            hidden: k.usize("hidden"),
            gamma: k.float("gamma"),
            lr: k.float("lr"),
            lr_decay: k.bool("lr_decay"),
            optimizer: k.choice("optimizer"),
            value_coef: k.float("value_coef"),
            entropy_coef: k.float("entropy_coef"),
            max_grad_norm: k.float("max_grad_norm"),
            eval_episodes: k.usize("eval_episodes"),
            eval_every: k.usize("eval_every"),
            seed: k.seed,
        }
    }

    /// Checks that one rollout of `envs` environments fits into the step budget.
    pub fn validate(&self, envs: usize) -> Result<(), KernelError> {
        let per_rollout = envs.saturating_mul(self.n_steps);
        if per_rollout == 0 || per_rollout > self.total_steps {
            return Err(KernelError::InvalidConfig(format!(
                "one rollout is {envs} environments × n_steps = {} = {per_rollout} steps, \
                 but total_steps = {}; raise total_steps or lower n_steps / the environment count",
                self.n_steps, self.total_steps
            )));
        }
        Ok(())
    }

    /// The learning rate after `done` of `total_steps` environment steps.
    pub fn lr_at(&self, done: usize) -> f64 {
        if !self.lr_decay {
            return self.lr;
        }
        let frac = 1.0 - done.min(self.total_steps) as f64 / self.total_steps.max(1) as f64;
        self.lr * frac
    }
}

/// What one gradient computation found (shown in the trace, summed over updates).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GradStats {
    pub terms: LossTerms,
    /// `‖∇L‖` before clipping.
    pub grad_norm: f64,
}

/// Rows of a rollout forwarded and back-propagated in one pass. Larger rollouts (only reachable
/// with large knob values: up to 64 environments × 256 steps) go in chunks, each checked for
/// cancellation first; at the default sizes (20–40 rows) there is a single pass.
pub const CHUNK_ROWS: usize = 256;

/// Steps 1–4 above: leaves the clipped gradient of the total loss in `net`'s gradients.
///
/// The loss is a mean over the `B = T·N` rows, so a chunk `c` of `b_c` rows contributes its own
/// mean loss and gradients weighted by `b_c / B`; the gradients accumulate in `net`. With one
/// chunk the weight is exactly 1 and the result is that of a single pass.
pub fn compute_gradients(
    net: &mut ActorCritic<f32>,
    rollout: &Rollout,
    hp: &Hyper,
    keep_going: &mut CancelPoint<'_>,
) -> Result<GradStats, KernelError> {
    let (t, n) = rollout.rewards.dim();
    let bootstrap = net.forward(&rollout.last_obs).values; // V(s_T), (N,)
    let returns = n_step_returns(
        &rollout.rewards,
        &rollout.dones,
        &bootstrap,
        hp.gamma as f32,
    ); // (T, N)
    let returns: Array1<f32> = returns.into_shape_with_order(t * n).map_err(|e| {
        KernelError::InvalidConfig(format!(
            "rollout of shape ({t}, {n}) cannot be flattened: {e}"
        ))
    })?; // (T·N,), row t·N + n as the observations
    net.zero_grad();
    let rows = t * n;
    let mut terms = LossTerms::default();
    for start in (0..rows).step_by(CHUNK_ROWS) {
        keep_going()?;
        let end = (start + CHUNK_ROWS).min(rows);
        let weight = (end - start) as f32 / rows as f32; // b_c / B
        let heads = net.forward(&rollout.obs.slice(s![start..end, ..])); // (b_c, 2), (b_c,)
        let out = actor_critic_loss(
            &heads.logits,
            &heads.values,
            &rollout.actions[start..end],
            &returns.slice(s![start..end]),
            hp.value_coef as f32,
            hp.entropy_coef as f32,
        );
        net.backward(&(out.dlogits * weight), &(out.dvalues * weight));
        terms.add_weighted(&out.terms, f64::from(weight));
    }
    let grad_norm = f64::from(clip_grad_norm(net, hp.max_grad_norm as f32));
    Ok(GradStats { terms, grad_norm })
}

/// The optimiser chosen by the `optimizer` knob.
#[derive(Debug, Clone)]
pub enum Optimizer {
    Adam(Adam<f32>),
    RmsProp(RmsProp<f32>),
}

impl Optimizer {
    /// Adam (`β = (0.9, 0.999)`, `ε = 1e-5`) or RMSprop (`α = 0.99`, `ε = 1e-5`), as A2C uses.
    pub fn new(hp: &Hyper) -> Result<Self, KernelError> {
        let err = |e: crate::nn::NnError| KernelError::InvalidConfig(e.to_string());
        Ok(match hp.optimizer {
            "rmsprop" => Self::RmsProp(RmsProp::new(hp.lr, 0.99, 1e-5).map_err(err)?),
            _ => Self::Adam(Adam::new(hp.lr, 0.9, 0.999, 1e-5).map_err(err)?),
        })
    }

    /// One step on `net` with learning rate `lr`.
    pub fn step(&mut self, net: &mut ActorCritic<f32>, lr: f64) {
        match self {
            Self::Adam(o) => {
                o.lr = lr as f32;
                o.step(net);
            }
            Self::RmsProp(o) => {
                o.lr = lr as f32;
                o.step(net);
            }
        }
    }
}
