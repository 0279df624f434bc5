//! Deep reinforcement learning: CartPole-v1, A2C and a truly asynchronous A3C.
//!
//! Actor-critic methods learn two things at once: an **actor**, the policy `π(a|s)` that chooses
//! actions, and a **critic**, the state-value function `V(s)` that judges them. The critic's
//! judgement enters the actor's update as the **advantage** `A = R − V(s)`, computed from an
//! n-step return that looks several steps ahead. A3C (Mnih et al. 2016) runs several agents in
//! parallel, each updating a shared network at its own pace; A2C (OpenAI 2017) is its
//! synchronous version.
//!
//! - [`cartpole`]: the environment, Gymnasium's CartPole-v1 step for step;
//! - [`vec_env`]: several environments and the rollouts they produce;
//! - [`actor_critic`]: the shared network, one trunk and two heads;
//! - [`loss`]: n-step returns, advantages and the single total loss;
//! - [`learner`]: the hyper-parameters, one gradient computation, the optimiser;
//! - [`evaluate`]: greedy evaluation episodes;
//! - [`report`]: the trace steps both kernels show;
//! - [`a2c`]: the synchronous kernel; [`a3c`]: the asynchronous one, with real threads.

pub mod a2c;
pub mod a3c;
pub mod actor_critic;
pub mod cartpole;
pub mod evaluate;
pub mod learner;
pub mod loss;
pub mod report;
pub mod vec_env;
