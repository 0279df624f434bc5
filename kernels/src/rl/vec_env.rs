//! Several CartPole environments stepped together, and the rollouts they produce.
//!
//! A2C steps all of its environments in lock-step; each A3C worker owns a (smaller) set of its
//! own. Either way a rollout is `T = n_steps` steps of every environment, with actions drawn
//! from the current policy `a ~ π(·|s)` — the actor choosing actions — for the whole batch with
//! one forward pass per time step.
//!
//! Environments reset themselves when an episode ends. At a **termination** the return after
//! the step is 0 (`d_t = 1`). At a **truncation** (the 500-step limit) the episode was only cut
//! off, so the future is estimated by the critic: the last reward becomes `r_t + γ V(s_{t+1})`
//! with `s_{t+1}` the final state before the reset, and `d_t = 1` (as Stable-Baselines3 does).
//! Treating truncation as termination would teach the critic that balancing for 500 steps
//! leads to nothing, and the policy would get worse near the end of long episodes.
//!
//! # Shapes
//! - `obs`: `(T · N, 4)` with row `t · N + n`; `actions`: `T · N`
//! - `rewards`, `dones`: `(T, N)`; `last_obs`: `(N, 4)`, the states after the rollout

use super::actor_critic::{ActorCritic, policy_probs, sample_actions};
use super::cartpole::{CartPole, OBS_DIM};
use crate::KernelError;
use crate::error::CancelPoint;
use ndarray::{Array2, s};
use ndarray_rand::rand::Rng;

/// The end of one training episode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodeEnd {
    /// Which environment (of this set) it ran in.
    pub env: usize,
    /// The undiscounted return (= its length: reward 1 per step).
    pub ret: f32,
    /// Whether it was cut off by the 500-step limit rather than terminated.
    pub truncated: bool,
}

/// One rollout of `T` steps of `N` environments; see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    pub obs: Array2<f32>,
    pub actions: Vec<usize>,
    pub rewards: Array2<f32>,
    pub dones: Array2<f32>,
    pub last_obs: Array2<f32>,
}

/// `N` CartPole environments and the return of each one's running episode.
#[derive(Debug, Clone)]
pub struct VecEnv {
    pub envs: Vec<CartPole>,
    obs: Array2<f32>,
    running_return: Vec<f32>,
}

impl VecEnv {
    /// `n` freshly reset environments.
    pub fn new<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Self {
        Self::from_envs((0..n).map(|_| CartPole::new(rng)).collect())
    }

    /// Environments in given states (each continues its running episode).
    pub fn from_envs(envs: Vec<CartPole>) -> Self {
        let n = envs.len();
        let mut obs = Array2::zeros((n, OBS_DIM));
        for (mut row, env) in obs.rows_mut().into_iter().zip(&envs) {
            row.assign(&ndarray::arr1(&env.observation()));
        }
        Self {
            envs,
            obs,
            running_return: vec![0.0; n],
        }
    }

    /// The current observations `(N, 4)`.
    pub fn obs(&self) -> &Array2<f32> {
        &self.obs
    }

    /// Plays `n_steps` steps in every environment with actions sampled from `net`'s policy,
    /// appending every finished episode to `episodes`. `keep_going` is called before every
    /// time step (a long rollout of a large network can be cancelled part-way).
    pub fn rollout<R: Rng + ?Sized>(
        &mut self,
        net: &mut ActorCritic<f32>,
        n_steps: usize,
        gamma: f32,
        rng: &mut R,
        episodes: &mut Vec<EpisodeEnd>,
        keep_going: &mut CancelPoint<'_>,
    ) -> Result<Rollout, KernelError> {
        let n = self.envs.len();
        let mut out = Rollout {
            obs: Array2::zeros((n_steps * n, OBS_DIM)),
            actions: Vec::with_capacity(n_steps * n),
            rewards: Array2::zeros((n_steps, n)),
            dones: Array2::zeros((n_steps, n)),
            last_obs: Array2::zeros((n, OBS_DIM)),
        };
        for t in 0..n_steps {
            keep_going()?;
            out.obs
                .slice_mut(s![t * n..(t + 1) * n, ..])
                .assign(&self.obs);
            let probs = policy_probs(&net.forward(&self.obs).logits); // (N, 2)
            let actions = sample_actions(&probs, rng);
            let mut truncated = Vec::new(); // (env, final observation)
            for (i, (env, &a)) in self.envs.iter_mut().zip(&actions).enumerate() {
                let tr = env.step(a);
                self.running_return[i] += tr.reward;
                out.rewards[[t, i]] = tr.reward;
                let mut obs = tr.obs;
                if tr.done() {
                    out.dones[[t, i]] = 1.0;
                    episodes.push(EpisodeEnd {
                        env: i,
                        ret: self.running_return[i],
                        truncated: tr.truncated && !tr.terminated,
                    });
                    self.running_return[i] = 0.0;
                    if tr.truncated && !tr.terminated {
                        truncated.push((i, tr.obs));
                    }
                    obs = env.reset(rng);
                }
                self.obs.row_mut(i).assign(&ndarray::arr1(&obs));
            }
            if !truncated.is_empty() {
                // r_t ← r_t + γ V(s_final): the future of a cut-off episode, by the critic.
                let finals =
                    Array2::from_shape_fn((truncated.len(), OBS_DIM), |(j, k)| truncated[j].1[k]);
                let v = net.forward(&finals).values;
                for (j, &(i, _)) in truncated.iter().enumerate() {
                    out.rewards[[t, i]] += gamma * v[j];
                }
            }
            out.actions.extend(actions);
        }
        out.last_obs.assign(&self.obs);
        Ok(out)
    }
}
