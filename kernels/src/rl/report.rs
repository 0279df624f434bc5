//! The trace steps A2C and A3C share: the environment, the network, one rollout with its
//! n-step returns, one loss, the learning curve and the final greedy evaluation.

use super::actor_critic::{ActorCritic, policy_probs};
use super::cartpole::{self, CartPole};
use super::evaluate::{Evaluation, greedy_episodes_until};
use super::learner::{GradStats, Hyper};
use super::loss::{LossTerms, n_step_returns};
use super::vec_env::{EpisodeEnd, Rollout};
use crate::KernelError;
use crate::nn::Params;
use crate::trace::{Cell, Goal, Metric, Table, Trace};
use ndarray::{Array2, Axis, s};
use ndarray_rand::rand::Rng;
use std::collections::VecDeque;

/// CartPole-v1 counts as solved at a mean greedy return of 475 over 100 episodes.
pub const SOLVED: f64 = 475.0;

/// Target of both kernels: the greedy policy's mean return over the evaluation episodes is
/// at least [`SOLVED`].
pub const EVAL_RETURN_MEAN: Goal = Goal::at_least("eval_return_mean", SOLVED);
/// Greedy episodes per check on the learning curve.
pub const CHECK_EPISODES: usize = 10;

/// `environment`: the physics constants and one episode of a random policy.
pub fn environment<R: Rng + ?Sized>(tr: &mut Trace, rng: &mut R) -> Result<(), KernelError> {
    let mut env = CartPole::new(rng);
    let mut frames = vec![env.frame()];
    let mut ret = 0.0;
    loop {
        let t = env.step(usize::from(rng.random::<bool>()));
        ret += t.reward;
        frames.push(env.frame());
        if t.done() {
            break;
        }
    }
    tr.step("environment", |s| {
        let rows: [(&str, Cell, &str); 9] = [
            ("g", cartpole::GRAVITY.into(), "重力加速度 (m/s²)"),
            ("m_c", cartpole::MASS_CART.into(), "台車の質量 (kg)"),
            ("m", cartpole::MASS_POLE.into(), "棒の質量 (kg)"),
            ("l", cartpole::HALF_LENGTH.into(), "棒の長さの半分 (m)"),
            (
                "F",
                format!("±{}", cartpole::FORCE_MAG).into(),
                "押す力 (N)",
            ),
            ("τ", cartpole::TAU.into(), "時間刻み (s), オイラー法"),
            ("θ_max", "12°".into(), "これを超えて傾くと終了 (terminated)"),
            (
                "x_max",
                cartpole::X_THRESHOLD.into(),
                "台車がこれを超えると終了",
            ),
            (
                "T_max",
                cartpole::MAX_EPISODE_STEPS.into(),
                "打ち切り (truncated) までのステップ数",
            ),
        ];
        s.table(
            Table::new(
                "CartPole-v1 の定数 (Gymnasium と同じ)",
                ["記号", "値", "意味"],
            )
            .rows(rows, |(sym, v, meaning)| {
                [Cell::from(sym), v, meaning.into()]
            }),
        );
        s.cartpole("ランダムな方策のエピソード", frames);
        s.scalar("ランダム方策の収益", f64::from(ret));
    })
}

/// `network`: the branched network's layers and its first, almost uniform, policy.
pub fn network(tr: &mut Trace, net: &mut ActorCritic<f32>, hp: &Hyper) -> Result<(), KernelError> {
    let s0 = Array2::<f32>::zeros((1, cartpole::OBS_DIM));
    let heads = net.forward(&s0);
    let p = policy_probs(&heads.logits);
    let h = hp.hidden;
    let n_params = net.num_params();
    tr.step("network", |s| {
        let (obs, actions) = (cartpole::OBS_DIM, super::cartpole::N_ACTIONS);
        let rows = [
            (
                "fc1 + tanh",
                format!("{obs} → {h}"),
                "直交, gain √2",
                "共有の特徴",
            ),
            (
                "fc2 + tanh",
                format!("{h} → {h}"),
                "直交, gain √2",
                "共有の特徴",
            ),
            (
                "policy_head",
                format!("{h} → {actions}"),
                "直交, gain 0.01",
                "方策 π(a|s) (Actor)",
            ),
            (
                "value_head",
                format!("{h} → 1"),
                "直交, gain 1",
                "状態価値 V(s) (Critic)",
            ),
        ];
        let columns = ["層", "形", "初期化", "出力"];
        s.table(
            Table::new("1 本の幹 (trunk) と 2 つの頭 (head)", columns)
                .rows(rows, |(l, shape, init, out)| {
                    [Cell::from(l), shape.into(), init.into(), out.into()]
                }),
        );
        s.scalar("パラメータ数", n_params as f64);
        s.scalar("π(左 | s = 0)", f64::from(p[[0, 0]]));
        s.scalar("π(右 | s = 0)", f64::from(p[[0, 1]]));
        s.scalar("V(s = 0)", f64::from(heads.values[0]));
    })
}

/// `rollout`: the first rollout of environment 0, with its n-step returns and advantages.
pub fn rollout(
    tr: &mut Trace,
    net: &mut ActorCritic<f32>,
    ro: &Rollout,
    hp: &Hyper,
) -> Result<(), KernelError> {
    let (t_len, n) = ro.rewards.dim();
    let bootstrap = net.forward(&ro.last_obs).values;
    let returns = n_step_returns(&ro.rewards, &ro.dones, &bootstrap, hp.gamma as f32);
    let env0_rows: Vec<usize> = (0..t_len).map(|t| t * n).collect(); // environment 0's states
    let values = net.forward(&ro.obs.select(Axis(0), &env0_rows)).values; // (T,)
    let rows = (0..t_len)
        .map(|t| {
            let v = values[t];
            let action = if ro.actions[t * n] == 1 { "右" } else { "左" };
            let (r, d, ret) = (ro.rewards[[t, 0]], ro.dones[[t, 0]], returns[[t, 0]]);
            [
                Cell::from(t),
                action.into(),
                r.into(),
                d.into(),
                v.into(),
                ret.into(),
                (ret - v).into(),
            ]
        })
        .collect::<Vec<_>>();
    tr.step("rollout", |s| {
        s.scalar("環境の数 N", n as f64)
            .scalar("ステップ数 T", t_len as f64);
        let columns = ["t", "行動", "r_t", "d_t", "V(s_t)", "R_t", "A_t"];
        let name = format!("環境 0 の R_t と A_t = R_t − V(s_t) (γ = {})", hp.gamma);
        s.table(Table::new(name, columns).rows(rows, |r| r));
        s.scalar("V(s_T) (ブートストラップ)", f64::from(bootstrap[0]));
        s.tensor("観測 s (T·N, 4)", &ro.obs.slice(s![.., ..]));
    })
}

/// `loss`: the terms of the first total loss and the gradient norm.
pub fn loss(tr: &mut Trace, g: &GradStats, hp: &Hyper) -> Result<(), KernelError> {
    let t = g.terms;
    tr.step("loss", |s| {
        s.scalar("L_π = −mean(A·log π(a|s))", t.policy);
        s.scalar("L_V = mean((R − V)²)", t.value);
        s.scalar("H = mean(−Σ π log π)", t.entropy);
        s.scalar("L = L_π + c_v·L_V − c_H·H", t.total);
        s.scalar("c_v (value_coef)", hp.value_coef);
        s.scalar("c_H (entropy_coef)", hp.entropy_coef);
        s.scalar("‖∇L‖ (クリップ前)", g.grad_norm);
        s.scalar("勾配ノルムのクリップ (max_grad_norm)", hp.max_grad_norm);
    })
}

/// Training statistics gathered between two `training` steps.
#[derive(Debug, Clone, Default)]
pub struct TrainingLog {
    /// The last 100 training episode returns.
    pub recent: VecDeque<f32>,
    pub episodes: usize,
    sum: LossTerms,
    grad_norm: f64,
    updates: usize,
    /// Env steps of the first greedy check with mean return ≥ 475.
    pub first_solved: Option<usize>,
    /// Every greedy check `(env steps, mean return)`.
    pub checks: Vec<(usize, f64)>,
}

impl TrainingLog {
    /// Adds finished training episodes.
    pub fn episodes(&mut self, ends: &[EpisodeEnd]) {
        for e in ends {
            if self.recent.len() == 100 {
                self.recent.pop_front();
            }
            self.recent.push_back(e.ret);
            self.episodes += 1;
        }
    }

    /// Adds the statistics of one update.
    pub fn update(&mut self, g: &GradStats) {
        let t = &mut self.sum;
        t.policy += g.terms.policy;
        t.value += g.terms.value;
        t.entropy += g.terms.entropy;
        t.total += g.terms.total;
        self.grad_norm += g.grad_norm;
        self.updates += 1;
    }

    /// Mean of the last 100 training returns (0 before any episode ended).
    pub fn recent_mean(&self) -> f64 {
        self.recent.iter().map(|&r| f64::from(r)).sum::<f64>() / self.recent.len().max(1) as f64
    }

    /// `training`: a greedy check of `net` and one point of every curve at `step` env steps.
    pub fn record(
        &mut self,
        tr: &mut Trace,
        net: &mut ActorCritic<f32>,
        step: usize,
        lr: f64,
        hp: &Hyper,
    ) -> Result<(), KernelError> {
        let check = greedy_episodes_until(net, CHECK_EPISODES, hp.seed ^ 0xC0FFEE, |t| {
            tr.progress("貪欲方策のチェック", t, cartpole::MAX_EPISODE_STEPS)
        })?;
        let mean = check.mean();
        self.checks.push((step, mean));
        if mean >= SOLVED && self.first_solved.is_none() {
            self.first_solved = Some(step);
        }
        let k = self.updates.max(1) as f64;
        let avg = |v: f64| v / k;
        let (l, gn) = (self.sum, self.grad_norm);
        KernelError::check_finite("total loss", l.total, step, "try a lower lr")?;
        let x = step as f64;
        let recent = self.recent_mean();
        tr.step("training", |s| {
            s.series("学習中のエピソード収益 (直近 100 の平均)", x, recent);
            s.series("貪欲方策の収益 (10 エピソード平均)", x, mean);
            s.series("L_π (方策勾配)", x, avg(l.policy));
            s.series("L_V (価値)", x, avg(l.value));
            s.series("H (エントロピー)", x, avg(l.entropy));
            s.series("L (トータル)", x, avg(l.total));
            s.scalar("環境ステップ", x);
            s.scalar("学習率", lr);
            s.scalar("‖∇L‖ の平均 (クリップ前)", avg(gn));
            s.cartpole(&format!("{step} ステップ時点の貪欲方策"), check.frames);
        })?;
        self.sum = LossTerms::default();
        self.grad_norm = 0.0;
        self.updates = 0;
        Ok(())
    }
}

/// `evaluation`: the final greedy evaluation; returns it for the metrics.
pub fn evaluation(
    tr: &mut Trace,
    net: &mut ActorCritic<f32>,
    hp: &Hyper,
) -> Result<Evaluation, KernelError> {
    let seed = hp.seed.wrapping_add(0x5EED_0001);
    let ev = greedy_episodes_until(net, hp.eval_episodes, seed, |t| {
        tr.progress("最終評価 (貪欲方策)", t, cartpole::MAX_EPISODE_STEPS)
    })?;
    let bucket = |lo: f32, hi: f32| ev.returns.iter().filter(|&&r| r >= lo && r < hi).count();
    let full = ev.full_length();
    tr.step("evaluation", |s| {
        let rows = [
            ("500 (打ち切りまで)", full),
            ("475–499", bucket(475.0, 500.0)),
            ("200–474", bucket(200.0, 475.0)),
            ("0–199", bucket(0.0, 200.0)),
        ];
        let name = format!("貪欲方策 argmax π(a|s) で {} エピソード", ev.returns.len());
        s.table(
            Table::new(name, ["収益", "エピソード数"])
                .rows(rows, |(range, k)| [Cell::from(range), k.into()]),
        );
        s.scalar("平均収益", ev.mean());
        s.scalar("最小収益", ev.min());
        s.cartpole("学習後の貪欲方策", ev.frames.clone());
    })?;
    Ok(ev)
}

/// The metrics both kernels end with.
pub fn metrics(ev: &Evaluation, log: &TrainingLog) -> Vec<Metric> {
    let mut m = vec![
        EVAL_RETURN_MEAN.measure(ev.mean()),
        Metric::reported("eval_return_min", ev.min()),
        Metric::reported("train_return_last100", log.recent_mean()),
        Metric::reported("train_episodes", log.episodes as f64),
    ];
    // Env steps at the first greedy check ≥ 475 (absent if it never came).
    if let Some(step) = log.first_solved {
        m.push(Metric::reported("first_solved_step", step as f64));
    }
    m
}
