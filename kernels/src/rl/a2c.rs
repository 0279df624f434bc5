//! `a2c`: Advantage Actor-Critic, the synchronous successor of A3C, on CartPole-v1.
//!
//! A2C (OpenAI, "OpenAI Baselines: ACKTR & A2C", 2017; Wu et al. 2017, whose experiments use it
//! as the synchronous baseline of ACKTR) keeps A3C's loss and n-step advantage but drops the
//! asynchrony: `n_envs` environments are stepped *together*, the rollouts of all of them form
//! one batch, and there is one update per rollout. The workers' experience is still decorrelated
//! (they are in different states of different episodes), while the update is an ordinary,
//! reproducible batched gradient step that uses a whole batch at once — which is why A2C is easy
//! to implement even in Python, and it performs as well as A3C.
//!
//! One iteration (CleanRL-style, the algorithm's lines marked):
//!
//! ```text
//! for update = 1, 2, …:
//!     roll out T = n_steps steps in each of the N envs with a ~ π(·|s)          (actor)
//!     R_t = r_t + γ(1 − d_t)R_{t+1},  R_T = V(s_T);   A_t = R_t − V(s_t)        (critic)
//!     L = −mean(A log π(a|s)) + c_v mean((R − V)²) − c_H mean(H(π(·|s)))
//!     θ ← Adam(θ, clip(∇θ L, 0.5)),   lr decayed linearly to 0
//! ```
//!
//! Defaults are those calibrated for this issue: 8 envs, `n_steps` 5, a 4→64→64 tanh trunk,
//! Adam 1e-3 (ε 1e-5) decayed over 500k env steps, γ 0.99, `value_coef` 0.5, `entropy_coef` 0,
//! clip 0.5, bootstrapping at the 500-step cut-off.

use super::actor_critic::ActorCritic;
use super::cartpole::{N_ACTIONS, OBS_DIM};
use super::learner::{self, Hyper, Optimizer, compute_gradients};
use super::report::{self, TrainingLog};
use super::vec_env::VecEnv;
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Metric, StepDecl, Trace};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "a2c",
    title: "A2C (同期型 Advantage Actor-Critic) で CartPole",
    summary: "8 個の CartPole を同時に進め、1 つの分岐ネットワークをトータルロスで同期的に更新して倒立振子を学習する",
    source: "rl/a2c.rs",
    knobs: &[
        learner::TOTAL_STEPS,
        KnobSpec::int("n_envs", "同時に進める環境の数 N", 8, 1, 64),
        learner::N_STEPS,
        learner::HIDDEN,
        learner::GAMMA,
        learner::LR,
        learner::LR_DECAY,
        learner::OPTIMIZER,
        learner::VALUE_COEF,
        learner::ENTROPY_COEF,
        learner::MAX_GRAD_NORM,
        learner::EVAL_EPISODES,
        learner::EVAL_EVERY,
    ],
    steps: &[
        StepDecl::new("environment", "環境: CartPole-v1"),
        StepDecl::new("network", "共有ネットワーク (Actor と Critic)"),
        StepDecl::new("rollout", "ロールアウトと n-step アドバンテージ"),
        StepDecl::new("loss", "トータルロス"),
        StepDecl::new("training", "学習の進み具合"),
        StepDecl::new("evaluation", "貪欲方策の評価 (100 エピソード)"),
    ],
    goals: &[report::EVAL_RETURN_MEAN],
    run: run_knobs,
};

/// The knobs, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub hp: Hyper,
    /// Environments stepped together.
    pub n_envs: usize,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            hp: Hyper::from_knobs(k),
            n_envs: k.usize("n_envs"),
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// Trains A2C on CartPole-v1 and evaluates the greedy policy; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let hp = &cfg.hp;
    hp.validate(cfg.n_envs)?;
    let mut rng = StdRng::seed_from_u64(hp.seed);
    report::environment(tr, &mut rng)?;
    let mut net = ActorCritic::new(OBS_DIM, hp.hidden, N_ACTIONS, &mut rng)?;
    report::network(tr, &mut net, hp)?;
    let mut envs = VecEnv::new(cfg.n_envs, &mut rng);
    let mut opt = Optimizer::new(hp)?;
    let per_update = cfg.n_envs * hp.n_steps;
    let updates = hp.total_steps / per_update;
    let mut log = TrainingLog::default();
    let mut ends = Vec::new();
    let mut next_check = hp.eval_every;
    let (label, gamma) = ("学習 (環境ステップ)", hp.gamma as f32);
    for u in 0..updates {
        let done = u * per_update;
        ends.clear();
        let keep_going = &mut || tr.progress(label, done, hp.total_steps); // a cancel point
        let rollout = envs.rollout(&mut net, hp.n_steps, gamma, &mut rng, &mut ends, keep_going)?;
        if u == 0 {
            report::rollout(tr, &mut net, &rollout, hp)?; // shown once, before the first update
        }
        let keep_going = &mut || tr.progress(label, done, hp.total_steps);
        // quiz:begin a2c-update
        let g = compute_gradients(&mut net, &rollout, hp, keep_going)?;
        KernelError::check_finite("total loss", g.terms.total, done, "try a lower lr")?;
        opt.step(&mut net, hp.lr_at(done));
        // quiz:end a2c-update
        if u == 0 {
            report::loss(tr, &g, hp)?;
        }
        log.episodes(&ends);
        log.update(&g);
        let steps_done = done + per_update;
        if steps_done >= next_check || u + 1 == updates {
            log.record(tr, &mut net, steps_done, hp.lr_at(done), hp)?;
            next_check += hp.eval_every;
        }
        tr.progress(label, steps_done, hp.total_steps)?;
    }
    let ev = report::evaluation(tr, &mut net, hp)?;
    Ok(report::metrics(&ev, &log))
}
