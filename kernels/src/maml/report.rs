//! What the `maml` kernel shows, step by step: the task distribution, one meta-update taken apart
//! (first- vs second-order meta-gradient), the training curves, the few-shot table against the
//! paper, and the paper's Figure 2 (one new task, before and after adaptation).

use super::eval::{FewShot, adaptation_curves};
use super::meta::maml_gradient;
use super::net::{Theta, forward, mse_per_task};
use super::sine::{SineTask, TaskBatch, grid};
use super::train::Trained;
use super::{Config, Method, PAPER_MAML_5SHOT, PAPER_PRETRAINED_5SHOT};
use crate::KernelError;
use crate::trace::{Cell, StepDecl, Table, Trace};
use ndarray_rand::rand::rngs::StdRng;

/// The steps the kernel records.
pub const STEPS: &[StepDecl] = &[
    StepDecl::new("tasks", "タスクの分布 p(T): 振幅と位相の違う正弦波"),
    StepDecl::new("inner_update", "1 回のメタ更新を分解する (inner → outer)"),
    StepDecl::new("meta_train", "メタ学習 (outer loop) の進み具合"),
    StepDecl::new("pretrain", "比較: 全タスクで事前学習したモデル"),
    StepDecl::new("few_shot", "新しいタスクで 5 点から適応 (600 タスクの平均)"),
    StepDecl::new(
        "figure2",
        "論文の Figure 2: 適応前・1 ステップ後・10 ステップ後",
    ),
];

/// A few tasks of `p(T)` drawn as curves, one colour each.
pub fn tasks(tr: &mut Trace, cfg: &Config, rng: &mut StdRng) -> Result<(), KernelError> {
    let shown: Vec<SineTask> = (0..4).map(|_| SineTask::sample(rng)).collect();
    let xs = grid::<f64>(80);
    let mut points = Vec::new();
    let mut classes = Vec::new();
    for (t, task) in shown.iter().enumerate() {
        for &x in &xs {
            points.push([x as f32, task.y(x) as f32]);
            classes.push(t as u16);
        }
    }
    tr.step("tasks", |s| {
        s.scalar(
            "1 回のメタ更新のタスク数 (meta_batch)",
            cfg.meta_batch as f64,
        );
        s.scalar("support / query の点の数 K (k_shot)", cfg.k_shot as f64);
        s.scatter("p(T) から引いた 4 つのタスク", points, classes);
        s.table(
            Table::new("タスクのパラメータ", ["色", "振幅 A", "位相 φ"])
                .rows(shown.iter().enumerate(), |(t, task)| {
                    [Cell::from(t), task.amplitude.into(), task.phase.into()]
                }),
        );
    })
}

fn dot(a: &Theta<f32>, b: &Theta<f32>) -> f64 {
    a.flat()
        .iter()
        .zip(b.flat())
        .map(|(&x, y)| f64::from(x) * f64::from(y))
        .sum()
}

/// The first meta-update at a fresh initialisation, taken apart: the inner step, the query loss
/// before and after it, and how much the second-order term changes the meta-gradient.
pub fn inner_update(tr: &mut Trace, cfg: &Config, rng: &mut StdRng) -> Result<(), KernelError> {
    let theta = Theta::<f32>::init(cfg.hidden, rng);
    let batch = TaskBatch::<f32>::sample(cfg.meta_batch, cfg.k_shot, cfg.k_shot, rng);
    let alpha = cfg.inner_lr as f32;
    let second = maml_gradient(&theta, &batch, alpha, true);
    let first = maml_gradient(&theta, &batch, alpha, false);
    let query_before = mse_per_task(&forward(&theta, &batch.x_query).y, &batch.y_query).0;
    let query_before = f64::from(query_before.mean().unwrap_or(f32::NAN));
    let (g2, g1) = (&second.grad, &first.grad);
    let correction = g2.add_scaled(-1.0, g1);
    let (n1, n2, nc) = (
        dot(g1, g1).sqrt(),
        dot(g2, g2).sqrt(),
        dot(&correction, &correction).sqrt(),
    );
    let cosine = dot(g1, g2) / (n1 * n2).max(f64::MIN_POSITIVE);
    tr.step("inner_update", |s| {
        s.scalar("inner の学習率 α", cfg.inner_lr);
        s.scalar("support 損失 (適応前)", f64::from(second.loss_before));
        s.scalar("query 損失 (適応前, θ)", query_before);
        s.scalar(
            "query 損失 (1 ステップ後, θ')",
            f64::from(second.loss_after),
        );
        s.scalar("‖メタ勾配‖ 2 次 (MAML)", n2);
        s.scalar("‖メタ勾配‖ 1 次近似 (FOMAML)", n1);
        s.scalar("‖2 次の項 −α∇²L·g‖", nc);
        s.scalar("cos(MAML, FOMAML)", cosine);
        s.tensor("メタ勾配 ∂/∂W2 (MAML)", &g2.w2);
    })
}

/// One point of a training curve (averaged over the iterations since the last point).
pub fn training(
    tr: &mut Trace,
    method: Method,
    iteration: usize,
    loss_before: f64,
    loss_after: f64,
    test_mse: f64,
) -> Result<(), KernelError> {
    let x = iteration as f64;
    let test_name = format!("{}: 評価タスクの 1 ステップ後 MSE", method.name());
    match method {
        Method::Pretrained => tr.step("pretrain", |s| {
            s.series("pretrained: 学習損失", x, loss_after);
            s.series(&test_name, x, test_mse);
        }),
        Method::Meta(v) => tr.step("meta_train", |s| {
            let after = if v == super::Variant::Reptile {
                "inner の最後のステップの損失"
            } else {
                "適応後の query 損失 (メタ損失)"
            };
            s.series(&format!("{}: {after}", v.name()), x, loss_after);
            s.series(&format!("{}: 適応前の損失", v.name()), x, loss_before);
            s.series(&test_name, x, test_mse);
        }),
    }
}

/// The few-shot results of every trained model next to the paper's.
pub fn few_shot_table(
    tr: &mut Trace,
    cfg: &Config,
    main: &[&Trained],
    compared: &[Trained],
) -> Result<(), KernelError> {
    let cell = |fs: &FewShot, k: usize| fs.after(k).map_or_else(|| Cell::from("-"), Cell::from);
    let line = |t: &Trained| {
        [Cell::from(t.method.label()), t.iterations.into()]
            .into_iter()
            .chain([0, 1, 10].map(|k| cell(&t.few_shot, k)))
    };
    let paper = |(name, (one, ten)): (&str, (f64, f64))| {
        [
            Cell::from(name),
            70_000usize.into(),
            "-".into(),
            one.into(),
            ten.into(),
        ]
    };
    let columns = [
        "学習法",
        "反復数",
        "適応前",
        "1 ステップ後",
        "10 ステップ後",
    ];
    let reptile = cfg.adaptation(Method::Meta(super::Variant::Reptile));
    tr.step("few_shot", |s| {
        s.scalar("評価タスクの数", cfg.eval_tasks as f64);
        s.scalar("適応に使う点の数 K", cfg.eval_shots as f64);
        s.scalar("MSE を測る点の数 (タスクごと)", cfg.eval_points as f64);
        s.table(
            Table::new(format!("{}-shot の MSE", cfg.eval_shots), columns)
                .rows(main.iter().copied(), line)
                .rows(
                    [
                        ("論文: MAML", PAPER_MAML_5SHOT),
                        ("論文: pretrained", PAPER_PRETRAINED_5SHOT),
                    ],
                    paper,
                ),
        );
        if !compared.is_empty() {
            s.scalar(
                "Reptile の inner のステップ数",
                cfg.reptile_inner_steps as f64,
            );
            s.scalar("Reptile の inner の学習率", f64::from(reptile.lr));
            if let Some(clip) = reptile.max_grad_norm {
                s.scalar("Reptile の inner の勾配クリップ", f64::from(clip));
            }
            s.table(
                Table::new(
                    format!("同じ反復数 ({}) での比較", cfg.compare_iterations),
                    columns,
                )
                .rows(compared, line),
            );
        }
    })
}

/// The paper's Figure 2 for one evaluation task: the true sine (class 0), the prediction
/// before adaptation (1), after 1 step (2) and after 10 steps (3), and the `K` points (4).
pub fn figure2(
    tr: &mut Trace,
    cfg: &Config,
    main: &Trained,
    pretrained: &Trained,
    test: &TaskBatch<f32>,
) -> Result<(), KernelError> {
    // The first evaluation task with a clearly visible wave (amplitude ≥ 2.5), as in the paper.
    let Some(i) = test
        .tasks
        .iter()
        .position(|t| t.amplitude >= 2.5)
        .or((!test.is_empty()).then_some(0))
    else {
        return Ok(());
    };
    let task = test.tasks[i];
    let xs = test.x_support.slice(ndarray::s![i..i + 1, ..]).to_owned();
    let ys = test.y_support.slice(ndarray::s![i..i + 1, ..]).to_owned();
    let mut plots = Vec::new();
    for t in [main, pretrained] {
        let rule = cfg.adaptation(t.method);
        let (grid, truth, curves) =
            adaptation_curves(&t.theta, task, &xs, &ys, rule, &[0, 1, 10], 100);
        let mut points = Vec::new();
        let mut classes = Vec::new();
        for (class, ys) in std::iter::once(&truth).chain(&curves).enumerate() {
            for (&x, &y) in grid.iter().zip(ys) {
                points.push([x, y]);
                classes.push(class as u16);
            }
        }
        for (&x, &y) in xs.iter().zip(&ys) {
            points.push([x, y]);
            classes.push(4);
        }
        plots.push((t.method.label(), points, classes));
    }
    tr.step("figure2", |s| {
        s.scalar("新しいタスクの振幅 A", task.amplitude);
        s.scalar("新しいタスクの位相 φ", task.phase);
        s.scalar("適応に使う点の数 K", cfg.eval_shots as f64);
        for (label, points, classes) in plots {
            s.scatter(
                &format!("{label}: 適応前 → 1 → 10 ステップ"),
                points,
                classes,
            );
        }
    })
}
