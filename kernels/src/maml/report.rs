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
use crate::trace::{StepDecl, Table, Trace, fmt_num};
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

fn row(cells: impl IntoIterator<Item = String>) -> Vec<String> {
    cells.into_iter().collect()
}

fn f4(x: f64) -> String {
    format!("{x:.4}")
}

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
        s.text(format!(
            "1 つのタスク = 1 つの正弦波 y = A sin(x − φ)。振幅 A ~ U[0.1, 5.0]、位相 φ ~ U[0, π]、\
             入力 x ~ U[−5, 5]。メタ学習では 1 回の更新に {} 個のタスクを使い、各タスクから \
             K = {} 点 (support) で inner の更新をし、別の K 点 (query) でその結果を採点する。",
            cfg.meta_batch, cfg.k_shot
        ));
        s.scatter("p(T) から引いた 4 つのタスク", points, classes);
        s.table(Table {
            name: "タスクのパラメータ".into(),
            columns: row(["色".into(), "振幅 A".into(), "位相 φ".into()]),
            rows: shown
                .iter()
                .enumerate()
                .map(|(t, task)| row([t.to_string(), f4(task.amplitude), f4(task.phase)]))
                .collect(),
        });
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
        s.text(format!(
            "初期値 θ から各タスクで 1 回だけ SGD (α = {}) をして θ'_t = θ − α∇L_t(θ) を作り、\
             query 点の損失 L_t(θ'_t) を θ で微分したものがメタ勾配。θ' は θ の関数なので、\
             連鎖律で (I − α∇²L_t) が掛かる: 2 次の MAML はこのヘッセ行列の項を正確に計算し、\
             FOMAML は I で置き換える。",
            cfg.inner_lr
        ));
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
    let cell = |fs: &FewShot, k: usize| fs.after(k).map_or_else(|| "-".into(), f4);
    let line = |t: &Trained| {
        row([
            t.method.label().into(),
            t.iterations.to_string(),
            cell(&t.few_shot, 0),
            cell(&t.few_shot, 1),
            cell(&t.few_shot, 10),
        ])
    };
    let paper = |name: &str, (one, ten): (f64, f64)| {
        row([name.into(), "70000".into(), "-".into(), f4(one), f4(ten)])
    };
    let columns = || {
        row([
            "学習法",
            "反復数",
            "適応前",
            "1 ステップ後",
            "10 ステップ後",
        ]
        .map(String::from))
    };
    let mut rows: Vec<Vec<String>> = main.iter().map(|t| line(t)).collect();
    rows.push(paper("論文: MAML", PAPER_MAML_5SHOT));
    rows.push(paper("論文: pretrained", PAPER_PRETRAINED_5SHOT));
    let reptile = cfg.adaptation(Method::Meta(super::Variant::Reptile));
    tr.step("few_shot", |s| {
        s.text(format!(
            "学習に使っていない {} 個の新しい正弦波で、K = {} 点だけを使って SGD (α = {}) で \
             fine-tuning し、各タスク {} 点で MSE を測った平均。",
            cfg.eval_tasks, cfg.eval_shots, cfg.inner_lr, cfg.eval_points
        ));
        s.table(Table {
            name: format!("{}-shot の MSE", cfg.eval_shots),
            columns: columns(),
            rows: rows.into(),
        });
        if !compared.is_empty() {
            s.text(format!(
                "同じ {} 反復で 3 つの学習法を比べる。FOMAML は 2 次の項を捨てた近似、Reptile は inner の \
                 SGD を {} 回まわした重みへ θ を近づける近似 (Reptile は学習時と同じ inner 更新 — 学習率 {}、\
                 勾配ノルムを {} でクリップ — で適応させて評価する)。",
                cfg.compare_iterations,
                cfg.reptile_inner_steps,
                reptile.lr,
                reptile.max_grad_norm.unwrap_or(f32::INFINITY)
            ));
            s.table(Table {
                name: format!("同じ反復数 ({}) での比較", cfg.compare_iterations),
                columns: columns(),
                rows: compared.iter().map(line).collect(),
            });
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
        s.text(format!(
            "新しいタスク A = {:.2}, φ = {:.2} の K = {} 点 (紫) だけで適応する。色: 青 = 真の正弦波、\
             橙 = 適応前、緑 = 1 ステップ後、赤 = 10 ステップ後。",
            task.amplitude, task.phase, cfg.eval_shots
        ));
        for (label, points, classes) in plots {
            s.scatter(&format!("{label}: 適応前 → 1 → 10 ステップ"), points, classes);
        }
        s.text(format!(
            "MAML の初期値は 1 ステップで正弦波の形に近づき、点のない x の範囲も大きくは外さない。\
             事前学習モデルはタスクの平均 (ほぼ 0) を出すように学習しているので、同じ 1 ステップでは\
             ほとんど動かない (論文: MAML {} / pretrained {})。",
            fmt_num(PAPER_MAML_5SHOT.0),
            fmt_num(PAPER_PRETRAINED_5SHOT.0)
        ));
    })
}
