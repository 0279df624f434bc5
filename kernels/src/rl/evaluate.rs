//! Greedy evaluation: how well the learned policy balances when it stops exploring.
//!
//! During training actions are *sampled* from `π(·|s)`; for evaluation the actor takes the
//! most likely action `argmax_a π(a|s)` in every state. CartPole-v1 counts as solved when the
//! mean return over 100 such episodes reaches 475 (of at most 500).
//!
//! All episodes run together as one batch (one forward pass per time step for every episode
//! still running), from start states drawn with their own seeded generator, so an evaluation
//! of the same network always gives the same numbers.
//!
//! # Shapes
//! - observations of the running episodes: `(≤ episodes, 4)`; returns: `episodes`

use super::actor_critic::{ActorCritic, greedy_actions};
use super::cartpole::{CartPole, MAX_EPISODE_STEPS, OBS_DIM};
use ndarray::Array2;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// The outcome of a greedy evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The return of every episode (1 per step survived, at most 500).
    pub returns: Vec<f32>,
    /// `[x, θ]` per time step of the first episode, for the viewer's animation.
    pub frames: Vec<[f32; 2]>,
}

impl Evaluation {
    /// Mean return.
    pub fn mean(&self) -> f64 {
        self.returns.iter().map(|&r| f64::from(r)).sum::<f64>() / self.returns.len().max(1) as f64
    }

    /// Smallest return.
    pub fn min(&self) -> f64 {
        self.returns
            .iter()
            .map(|&r| f64::from(r))
            .fold(f64::INFINITY, f64::min)
    }

    /// How many episodes reached the 500-step limit.
    pub fn full_length(&self) -> usize {
        self.returns
            .iter()
            .filter(|&&r| r as usize >= MAX_EPISODE_STEPS)
            .count()
    }
}

/// Plays `episodes` greedy episodes with `net`, start states seeded by `seed`.
pub fn greedy_episodes(net: &mut ActorCritic<f32>, episodes: usize, seed: u64) -> Evaluation {
    let no_stop = |_| Ok::<(), std::convert::Infallible>(());
    match greedy_episodes_until(net, episodes, seed, no_stop) {
        Ok(ev) => ev,
        Err(never) => match never {},
    }
}

/// [`greedy_episodes`] that calls `tick(t)` before every time step `t` (at most
/// `MAX_EPISODE_STEPS`), so a caller can report progress or stop (its error is returned).
pub fn greedy_episodes_until<E>(
    net: &mut ActorCritic<f32>,
    episodes: usize,
    seed: u64,
    mut tick: impl FnMut(usize) -> Result<(), E>,
) -> Result<Evaluation, E> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut envs: Vec<CartPole> = (0..episodes).map(|_| CartPole::new(&mut rng)).collect();
    let mut returns = vec![0.0f32; episodes];
    let mut running: Vec<usize> = (0..episodes).collect();
    let mut frames = Vec::with_capacity(MAX_EPISODE_STEPS + 1);
    if let Some(env) = envs.first() {
        frames.push(env.frame());
    }
    let mut t = 0;
    while !running.is_empty() {
        tick(t)?;
        t += 1;
        let obs = Array2::from_shape_fn((running.len(), OBS_DIM), |(j, k)| {
            envs[running[j]].observation()[k]
        }); // (running, 4)
        let actions = greedy_actions(&net.forward(&obs).logits);
        let mut still = Vec::with_capacity(running.len());
        for (&i, a) in running.iter().zip(actions) {
            let tr = envs[i].step(a);
            returns[i] += tr.reward;
            if i == 0 {
                frames.push(envs[i].frame());
            }
            if !tr.done() {
                still.push(i);
            }
        }
        running = still;
    }
    Ok(Evaluation { returns, frames })
}
