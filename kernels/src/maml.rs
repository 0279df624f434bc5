//! `maml`: Model-Agnostic Meta-Learning on the sinusoid regression of Finn, Abbeel & Levine 2017
//! (§5.1), with its cheaper approximations — first-order MAML and Reptile (Nichol et al. 2018)
//! — and the "pretrained on all tasks" baseline.
//!
//! MAML learns an initialisation `θ` shared by all tasks such that **one** SGD step on a few
//! examples of a new task already fits it well:
//!
//! ```text
//! repeat (outer loop):
//!     sample a batch of tasks T_t ~ p(T)
//!     for each task (inner loop): θ'_t = θ − α ∇_θ L_{T_t}(f_θ)          (K support points)
//!     θ ← θ − β ∇_θ Σ_t L_{T_t}(f_{θ'_t})                                  (query points)
//! ```
//!
//! The outer gradient goes *through* the inner step and so contains the Hessian of the inner
//! loss: two gradient computations per task, which is why the inner loop is kept to one or a few
//! steps in practice and why cheaper approximations exist. The submodules hold the pieces:
//! [`sine`] (tasks), [`net`] (batched MLP, gradient, exact Hessian-vector product), [`meta`]
//! (one update of each method), [`train`](mod@train) (the outer loop of one method) and [`eval`]
//! (few-shot evaluation, Figure 2's curves). Training runs the updates of [`meta`] through
//! [`engine`]: the same equations task by task on flat buffers ([`fused`]); [`parallel`] trains
//! the main method and the other three side by side on the two cores.

pub mod engine;
pub mod eval;
pub mod fused;
pub mod meta;
pub mod net;
pub mod parallel;
mod report;
pub mod sine;
pub mod train;

use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::trace::{Goal, Metric, Trace};
use eval::Adaptation;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use parallel::{Models, train_all};
use train::{Evaluation, Trained, eval_batch};

/// The paper's 5-shot results (Finn et al. 2017, §5.1): MSE after 1 and 10 gradient steps.
pub const PAPER_MAML_5SHOT: (f64, f64) = (0.67, 0.35);
/// The paper's "pretrained on all tasks" baseline, 5-shot, after 1 and 10 steps.
pub const PAPER_PRETRAINED_5SHOT: (f64, f64) = (2.41, 2.19);

/// The most `eval_tasks × eval_points × hidden` activations an evaluation may hold per array.
pub const MAX_EVAL_ACTIVATIONS: usize = 50_000_000;

/// Target: 5-shot MSE after one inner step on new sine tasks (the metric is named after the variant and shots knobs).
pub const MSE_1STEP: Goal = Goal::at_most("maml_mse_5shot_1step", 0.8);
/// Target: that MSE over the pretrained baseline's.
pub const VS_PRETRAINED: Goal = Goal::at_most("maml_vs_pretrained", 0.4);
/// Target: no evaluation task's fine-tuning diverges.
pub const NONFINITE_TASKS: Goal = Goal::at_most("nonfinite_tasks", 0.0);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "maml",
    title: "MAML (メタ学習) — 正弦波回帰",
    summary: "多数の正弦波タスクに共通する初期重みを学習し、5 点・1 ステップで新しい正弦波に適応する",
    source: "maml.rs",
    knobs: &[
        KnobSpec::int(
            "iterations",
            "メタ学習の反復数 (outer loop)",
            15_000,
            1,
            200_000,
        ),
        KnobSpec::choice(
            "variant",
            "学習法: maml (2 次の MAML) / fomaml (1 次近似) / reptile",
            "maml",
            &["maml", "fomaml", "reptile"],
        ),
        KnobSpec::int(
            "compare_iterations",
            "他の 2 つの学習法をこの反復数で学習し、同じ反復数の結果と並べる (0 = 比較しない)",
            5_000,
            0,
            200_000,
        ),
        KnobSpec::int("meta_batch", "1 回の更新に使うタスク数", 25, 1, 200),
        KnobSpec::int(
            "k_shot",
            "学習時のタスクあたりの点数 K (support と query で各 K 点)",
            10,
            1,
            100,
        ),
        KnobSpec::float(
            "inner_lr",
            "inner loop の学習率 α (評価時の fine-tuning も同じ)",
            0.01,
            1e-4,
            0.5,
        ),
        KnobSpec::float("meta_lr", "outer loop (Adam) の学習率 β", 1e-3, 1e-5, 0.1),
        KnobSpec::int("hidden", "隠れ層のユニット数 (2 層)", 40, 2, 256),
        KnobSpec::int("eval_tasks", "評価に使う新しいタスクの数", 600, 1, 10_000),
        KnobSpec::int("eval_shots", "評価時の support 点数 K", 5, 1, 100),
        KnobSpec::int(
            "eval_points",
            "評価時にタスクごとに MSE を測る点数",
            100,
            1,
            1_000,
        ),
        KnobSpec::int(
            "reptile_inner_steps",
            "Reptile の inner SGD ステップ数 k",
            5,
            1,
            100,
        ),
        KnobSpec::float(
            "reptile_inner_lr",
            "Reptile の inner 学習率",
            0.02,
            1e-4,
            0.5,
        ),
        KnobSpec::float(
            "reptile_epsilon",
            "Reptile の outer ステップ幅 ε",
            0.1,
            1e-4,
            1.0,
        ),
        KnobSpec::float(
            "reptile_max_grad_norm",
            "Reptile の inner 勾配ノルムの上限 (クリッピング)",
            10.0,
            1e-3,
            1e6,
        ),
    ],
    steps: report::STEPS,
    goals: &[MSE_1STEP, VS_PRETRAINED, NONFINITE_TASKS],
    run: run_knobs,
};

/// Which meta-learning method trains the initialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// MAML with the full second-order meta-gradient.
    Maml,
    /// First-order MAML: the Hessian term of the meta-gradient is dropped.
    FoMaml,
    /// Reptile: move `θ` towards the weights after several inner SGD steps.
    Reptile,
}

impl Variant {
    /// The knob value and metric prefix.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Maml => "maml",
            Variant::FoMaml => "fomaml",
            Variant::Reptile => "reptile",
        }
    }

    /// How the learner sees it.
    pub fn label(self) -> &'static str {
        match self {
            Variant::Maml => "MAML (2 次)",
            Variant::FoMaml => "FOMAML (1 次近似)",
            Variant::Reptile => "Reptile",
        }
    }

    fn parse(name: &str) -> Self {
        match name {
            "fomaml" => Variant::FoMaml,
            "reptile" => Variant::Reptile,
            _ => Variant::Maml,
        }
    }
}

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub iterations: usize,
    pub variant: Variant,
    pub compare_iterations: usize,
    pub meta_batch: usize,
    pub k_shot: usize,
    pub inner_lr: f64,
    pub meta_lr: f64,
    pub hidden: usize,
    pub eval_tasks: usize,
    pub eval_shots: usize,
    pub eval_points: usize,
    pub reptile_inner_steps: usize,
    pub reptile_inner_lr: f64,
    pub reptile_epsilon: f64,
    pub reptile_max_grad_norm: f64,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Result<Self, KernelError> {
        let cfg = Self {
            iterations: k.usize("iterations"),
            variant: Variant::parse(k.choice("variant")),
            compare_iterations: k.usize("compare_iterations"),
            meta_batch: k.usize("meta_batch"),
            k_shot: k.usize("k_shot"),
            inner_lr: k.float("inner_lr"),
            meta_lr: k.float("meta_lr"),
            hidden: k.usize("hidden"),
            eval_tasks: k.usize("eval_tasks"),
            eval_shots: k.usize("eval_shots"),
            eval_points: k.usize("eval_points"),
            reptile_inner_steps: k.usize("reptile_inner_steps"),
            reptile_inner_lr: k.float("reptile_inner_lr"),
            reptile_epsilon: k.float("reptile_epsilon"),
            reptile_max_grad_norm: k.float("reptile_max_grad_norm"),
            seed: k.seed,
        };
        if cfg.compare_iterations > cfg.iterations {
            return Err(KernelError::InvalidConfig(format!(
                "compare_iterations = {} exceeds iterations = {}: the comparison needs the main \
                 method's result at the same number of iterations",
                cfg.compare_iterations, cfg.iterations
            )));
        }
        // The evaluation holds a (tasks, points, hidden) activation array several times over.
        let eval_size = cfg.eval_tasks * cfg.eval_points * cfg.hidden;
        if eval_size > MAX_EVAL_ACTIVATIONS {
            return Err(KernelError::InvalidConfig(format!(
                "eval_tasks × eval_points × hidden = {eval_size} activations is more than \
                 {MAX_EVAL_ACTIVATIONS} (about 200 MB per array); lower eval_tasks or eval_points"
            )));
        }
        Ok(cfg)
    }

    /// How a model trained by `method` adapts to a new task at test time.
    pub fn adaptation(&self, method: Method) -> Adaptation {
        match method {
            Method::Meta(Variant::Reptile) => Adaptation {
                lr: self.reptile_inner_lr as f32,
                max_grad_norm: Some(self.reptile_max_grad_norm as f32),
            },
            _ => Adaptation {
                lr: self.inner_lr as f32,
                max_grad_norm: None,
            },
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k)?, tr)
}

/// What a model is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Meta(Variant),
    Pretrained,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Meta(v) => v.name(),
            Method::Pretrained => "pretrained",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Meta(v) => v.label(),
            Method::Pretrained => "pretrained (全タスクで事前学習)",
        }
    }
}

/// Runs the experiment; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    report::tasks(tr, cfg, &mut rng)?;
    report::inner_update(tr, cfg, &mut rng)?;

    let test = eval_batch(cfg);
    let curve = test.first(100);
    let c = cfg.compare_iterations;
    let ev = Evaluation {
        test: &test,
        curve: &curve,
        snapshot_at: (c > 0).then_some(c),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let Models {
        main: main_run,
        main_at_compare,
        pretrained,
        compared: others,
    } = train_all(cfg, &ev, tr, threads)?;
    let compared: Vec<Trained> = main_at_compare.into_iter().chain(others).collect();
    report::few_shot_table(tr, cfg, &[&main_run, &pretrained], &compared)?;
    report::figure2(tr, cfg, &main_run, &pretrained, &test)?;

    let k = cfg.eval_shots;
    let at = |t: &Trained, step: usize| t.few_shot.after(step).unwrap_or(f64::NAN);
    let v = cfg.variant.name();
    let nonfinite = [&main_run, &pretrained]
        .into_iter()
        .chain(&compared)
        .map(|t| t.few_shot.nonfinite_tasks)
        .sum::<usize>();
    let mut metrics = vec![
        MSE_1STEP.measure_as(&format!("{v}_mse_{k}shot_1step"), at(&main_run, 1)),
        VS_PRETRAINED.measure_as(
            &format!("{v}_vs_pretrained"),
            at(&main_run, 1) / at(&pretrained, 1),
        ),
        NONFINITE_TASKS.measure(nonfinite as f64),
        Metric::reported(&format!("{v}_mse_{k}shot_10step"), at(&main_run, 10)),
        Metric::reported(&format!("pretrained_mse_{k}shot_1step"), at(&pretrained, 1)),
        Metric::reported(
            &format!("pretrained_mse_{k}shot_10step"),
            at(&pretrained, 10),
        ),
    ];
    for t in &compared {
        let name = t.method.name();
        for step in [1, 10] {
            metrics.push(Metric::reported(
                &format!("{name}_mse_{k}shot_{step}step_at_{c}"),
                at(t, step),
            ));
        }
    }
    Ok(metrics)
}
