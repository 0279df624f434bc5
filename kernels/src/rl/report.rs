//! The trace steps A2C and A3C share: the environment, the network, one rollout with its
//! n-step returns, one loss, the learning curve and the final greedy evaluation.

use super::actor_critic::{ActorCritic, policy_probs};
use super::cartpole::{self, CartPole};
use super::evaluate::{Evaluation, greedy_episodes};
use super::learner::{GradStats, Hyper};
use super::loss::{LossTerms, n_step_returns};
use super::vec_env::{EpisodeEnd, Rollout};
use crate::KernelError;
use crate::nn::Params;
use crate::trace::{Goal, Metric, Table, Trace, fmt_num};
use ndarray::{Array2, s};
use ndarray_rand::rand::Rng;
use std::collections::VecDeque;

/// CartPole-v1 counts as solved at a mean greedy return of 475 over 100 episodes.
pub const SOLVED: f64 = 475.0;

/// Target of both kernels: the greedy policy's mean return over the evaluation episodes is
/// at least [`SOLVED`].
pub const EVAL_RETURN_MEAN: Goal = Goal::at_least("eval_return_mean", SOLVED);
/// Greedy episodes per check on the learning curve.
pub const CHECK_EPISODES: usize = 10;

fn row<const K: usize>(cells: [String; K]) -> Vec<String> {
    cells.into()
}

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
        s.table(Table {
            name: "CartPole-v1 の定数 (Gymnasium と同じ)".into(),
            columns: vec!["記号".into(), "値".into(), "意味".into()],
            rows: vec![
                row(["g".into(), cartpole::GRAVITY.to_string(), "重力加速度 (m/s²)".into()]),
                row(["m_c".into(), cartpole::MASS_CART.to_string(), "台車の質量 (kg)".into()]),
                row(["m".into(), cartpole::MASS_POLE.to_string(), "棒の質量 (kg)".into()]),
                row(["l".into(), cartpole::HALF_LENGTH.to_string(), "棒の長さの半分 (m)".into()]),
                row(["F".into(), format!("±{}", cartpole::FORCE_MAG), "押す力 (N)".into()]),
                row(["τ".into(), cartpole::TAU.to_string(), "時間刻み (s), オイラー法".into()]),
                row(["θ_max".into(), "12°".into(), "これを超えて傾くと終了 (terminated)".into()]),
                row(["x_max".into(), cartpole::X_THRESHOLD.to_string(), "台車がこれを超えると終了".into()]),
                row(["T_max".into(), cartpole::MAX_EPISODE_STEPS.to_string(), "打ち切り (truncated) までのステップ数".into()]),
            ].into(),
        });
        s.cartpole("ランダムな方策のエピソード", frames);
        s.scalar("ランダム方策の収益", f64::from(ret));
        s.text(
            "状態は [x, ẋ, θ, θ̇] の 4 つ、行動は左 (0) か右 (1) に押すの 2 つ。1 ステップ生き延びるごとに報酬 1。\
             でたらめに押すと数十ステップで倒れる。",
        );
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
        s.table(Table {
            name: "1 本の幹 (trunk) と 2 つの頭 (head)".into(),
            columns: vec!["層".into(), "形".into(), "初期化".into(), "出力".into()],
            rows: vec![
                row([
                    "fc1 + tanh".into(),
                    format!("4 → {h}"),
                    "直交, gain √2".into(),
                    "共有の特徴".into(),
                ]),
                row([
                    "fc2 + tanh".into(),
                    format!("{h} → {h}"),
                    "直交, gain √2".into(),
                    "共有の特徴".into(),
                ]),
                row([
                    "policy_head".into(),
                    format!("{h} → 2"),
                    "直交, gain 0.01".into(),
                    "方策 π(a|s) (Actor)".into(),
                ]),
                row([
                    "value_head".into(),
                    format!("{h} → 1"),
                    "直交, gain 1".into(),
                    "状態価値 V(s) (Critic)".into(),
                ]),
            ]
            .into(),
        });
        s.scalar("パラメータ数", n_params as f64);
        s.scalar("π(左 | s = 0)", f64::from(p[[0, 0]]));
        s.scalar("π(右 | s = 0)", f64::from(p[[0, 1]]));
        s.scalar("V(s = 0)", f64::from(heads.values[0]));
        s.text("方策の頭の初期重みが小さい (gain 0.01) ので、最初の方策はほぼ五分五分のランダム。");
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
    let values = net.forward(&ro.obs).values; // (T·N,)
    let rows = (0..t_len)
        .map(|t| {
            let v = values[t * n];
            row([
                t.to_string(),
                if ro.actions[t * n] == 1 { "右" } else { "左" }.into(),
                fmt_num(f64::from(ro.rewards[[t, 0]])),
                fmt_num(f64::from(ro.dones[[t, 0]])),
                fmt_num(f64::from(v)),
                fmt_num(f64::from(returns[[t, 0]])),
                fmt_num(f64::from(returns[[t, 0]] - v)),
            ])
        })
        .collect();
    tr.step("rollout", |s| {
        s.text(format!(
            "{n} 個の環境を T = {t_len} ステップずつ進めた最初のロールアウト (環境 0 の分)。\
             R_t は後ろから R_t = r_t + γ(1 − d_t)R_(t+1) で計算し、最後は R_T = V(s_T) で打ち切る (ブートストラップ)。"
        ));
        s.table(Table {
            name: format!("環境 0 の R_t と A_t = R_t − V(s_t) (γ = {})", hp.gamma),
            columns: ["t", "行動", "r_t", "d_t", "V(s_t)", "R_t", "A_t"]
                .map(String::from)
                .into(),
            rows,
        });
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
        s.text(format!(
            "1 つの分岐ネットワークを 1 つのトータルロスで更新する。勾配のノルムは {} 以下にクリップする。\
             エントロピーは「ボーナス」なので損失からは引く。",
            hp.max_grad_norm
        ));
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
        let check = greedy_episodes(net, CHECK_EPISODES, hp.seed ^ 0xC0FFEE);
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
    let ev = greedy_episodes(net, hp.eval_episodes, hp.seed.wrapping_add(0x5EED_0001));
    let bucket = |lo: f32, hi: f32| ev.returns.iter().filter(|&&r| r >= lo && r < hi).count();
    let full = ev.full_length();
    tr.step("evaluation", |s| {
        s.table(Table {
            name: format!("貪欲方策 argmax π(a|s) で {} エピソード", ev.returns.len()),
            columns: vec!["収益".into(), "エピソード数".into()],
            rows: vec![
                row(["500 (打ち切りまで)".into(), full.to_string()]),
                row(["475–499".into(), bucket(475.0, 500.0).to_string()]),
                row(["200–474".into(), bucket(200.0, 475.0).to_string()]),
                row(["0–199".into(), bucket(0.0, 200.0).to_string()]),
            ]
            .into(),
        });
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
