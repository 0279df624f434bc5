//! `siamese`: a Siamese network trained with the contrastive loss (Hadsell, Chopra & LeCun 2006)
//! on the 8×8 digits, embedding each digit as a point of the plane.
//!
//! A pair of images `(x1, x2)` goes through the **same** network `f`; the loss looks at the
//! Euclidean distance `D = ‖f(x1) − f(x2)‖₂` of the two embeddings and the label `y` (1: same
//! class, 0: different classes):
//!
//! ```text
//! L = (1/N) Σ [ y D² + (1 − y) max(0, m − D)² ]
//! ```
//!
//! The first term pulls every same-class pair together — all the way to `D = 0`, so the whole
//! class is squeezed towards one point, the weakness the lesson discusses (the kernel reports the
//! mean intra-class distance shrinking relative to the inter-class one). The second term pushes
//! different-class pairs apart, but only until they are `m` apart.

use super::embed::{EmbeddingNet, check_loss, epoch_batches};
use super::eval::{ClassDistances, recall_at_1};
use super::report::{self, DigitSplit, Snapshot};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::loss::contrastive;
use crate::nn::{Adam, Params};
use crate::trace::{Cell, Goal, Metric, StepDecl, Table, Trace};
use ndarray::{Array1, Axis, concatenate, s};
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::seq::IndexedRandom;
use ndarray_rand::rand::{Rng, SeedableRng};

/// Target: the nearest test embedding has the same class.
pub const RECALL_AT_1: Goal = Goal::at_least("recall_at_1", 0.88);
/// Target: training shrinks the intra/inter-class distance ratio.
pub const INTRA_INTER_SHRINK: Goal = Goal::at_most("intra_inter_shrink", 0.75);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "siamese",
    title: "Siamese network と contrastive loss (距離学習)",
    summary: "ペアの距離を学習して手書き数字を 2 次元に埋め込み、同じクラスが 1 点に縮む様子を見る",
    source: "metric/siamese.rs",
    knobs: &[
        KnobSpec::int("epochs", "学習エポック数", 100, 1, 2_000),
        KnobSpec::int("batch", "ミニバッチのペア数", 128, 2, 1_442),
        KnobSpec::float("lr", "Adam の学習率", 1e-3, 1e-5, 0.1),
        KnobSpec::float(
            "margin",
            "マージン m (異なるクラスのペアを押し離す距離)",
            1.0,
            0.01,
            100.0,
        ),
        KnobSpec::float(
            "positive_fraction",
            "同じクラスのペア (y = 1) の割合",
            0.5,
            0.0,
            1.0,
        ),
        KnobSpec::int(
            "record_every",
            "何エポックごとに埋め込みを記録するか",
            10,
            1,
            1_000,
        ),
    ],
    steps: &[
        StepDecl::new("data", "データと比較対象: 画素の PCA 2 次元"),
        StepDecl::new("pairs", "ペアと contrastive loss"),
        StepDecl::new("epoch", "学習中の埋め込み空間"),
        StepDecl::new("collapse", "同じクラスは 1 点に向かって縮む"),
    ],
    goals: &[RECALL_AT_1, INTRA_INTER_SHRINK],
    run: run_knobs,
};

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub margin: f64,
    pub positive_fraction: f64,
    pub record_every: usize,
    pub seed: u64,
}

impl Config {
    pub fn from_knobs(k: &KnobValues) -> Self {
        Self {
            epochs: k.usize("epochs"),
            batch: k.usize("batch"),
            lr: k.float("lr"),
            margin: k.float("margin"),
            positive_fraction: k.float("positive_fraction"),
            record_every: k.usize("record_every"),
            seed: k.seed,
        }
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k), tr)
}

/// For each image of the batch a partner from the training set: with probability
/// `positive_fraction` of the same class (`y = 1`), otherwise of another class (`y = 0`).
fn partners(
    data: &DigitSplit,
    batch: &[usize],
    p_same: f64,
    rng: &mut StdRng,
) -> (Vec<usize>, Array1<f32>) {
    let mut idx = Vec::with_capacity(batch.len());
    let mut y = Array1::zeros(batch.len());
    for (k, &i) in batch.iter().enumerate() {
        let label = data.train_labels[i];
        let same = rng.random_bool(p_same);
        let pool = if same {
            &data.by_class[usize::from(label)]
        } else {
            &data.not_class[usize::from(label)]
        };
        // never the image itself: a pair of one image teaches nothing
        let mut j = pool.choose(rng).copied().unwrap_or(i);
        if j == i && pool.len() > 1 {
            j = pool[(pool.iter().position(|&p| p == i).unwrap_or(0) + 1) % pool.len()];
        }
        idx.push(j);
        y[k] = if same { 1.0 } else { 0.0 };
    }
    (idx, y)
}

/// Trains the Siamese network; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let data = DigitSplit::load();
    let pca2 = report::pca_baseline(tr, &data)?;
    let mut net = EmbeddingNet::<f32>::new(64, [128, 64], 2, &mut rng)?;
    let mut adam = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    let margin = cfg.margin as f32;
    let mut history: Vec<Snapshot> = vec![Snapshot::take(&mut net, &data, 0, f64::NAN)];
    let mut step = 0usize;
    for epoch in 1..=cfg.epochs {
        let mut epoch_loss = 0.0;
        let batches = epoch_batches(data.train.nrows(), cfg.batch, &mut rng);
        for batch in &batches {
            step += 1;
            tr.progress("学習", epoch - 1, cfg.epochs)?;
            let (other, y) = partners(&data, batch, cfg.positive_fraction, &mut rng);
            let b = batch.len();
            // One forward pass for both members of every pair: rows 0..B are x1, B..2B are x2.
            let rows: Vec<usize> = batch.iter().chain(&other).copied().collect();
            let emb = net.forward(&data.train.select(Axis(0), &rows)); // (2B, 2)
            // quiz:begin contrastive-step
            let (e1, e2) = (emb.slice(s![..b, ..]), emb.slice(s![b.., ..]));
            let (loss, [d1, d2]) = contrastive(&e1, &e2, &y, margin);
            check_loss(loss, step)?;
            let d_emb = concatenate(Axis(0), &[d1.view(), d2.view()]).expect("same width");
            net.zero_grad();
            net.backward(&d_emb);
            adam.step(&mut net);
            // quiz:end contrastive-step
            epoch_loss += f64::from(loss) / batches.len() as f64;
            if step == 1 {
                record_pairs(tr, &e1.to_owned(), &e2.to_owned(), &y, margin)?;
            }
        }
        let recorded = epoch % cfg.record_every == 0 || epoch == cfg.epochs;
        if recorded || epoch == 1 {
            let snap = Snapshot::take(&mut net, &data, epoch, epoch_loss);
            if recorded {
                tr.step("epoch", |s| {
                    snap.record(s, "contrastive loss", &data.test_labels);
                })?;
            }
            history.push(snap);
        }
        tr.progress("学習", epoch, cfg.epochs)?;
    }
    let last = history
        .last()
        .cloned()
        .unwrap_or_else(|| Snapshot::take(&mut net, &data, 0, f64::NAN));
    // history[1] is epoch 1: the reference the shrinking is measured against.
    let first = history.get(1).map_or(f64::NAN, |h| h.dist.ratio());
    record_collapse(tr, &history, &mut net, &data)?;
    Ok(vec![
        RECALL_AT_1.measure(last.recall),
        Metric::reported("pca2_recall_at_1", pca2),
        Metric::reported("intra_inter_ratio_epoch1", first),
        Metric::reported("intra_inter_ratio", last.dist.ratio()),
        INTRA_INTER_SHRINK.measure(last.dist.ratio() / first),
        Metric::reported("intra_class_distance", last.dist.intra),
        Metric::reported("inter_class_distance", last.dist.inter),
    ])
}

/// The first mini-batch: a few pairs with their label, distance and loss term.
fn record_pairs(
    tr: &mut Trace,
    e1: &ndarray::Array2<f32>,
    e2: &ndarray::Array2<f32>,
    y: &Array1<f32>,
    margin: f32,
) -> Result<(), KernelError> {
    let rows = (0..e1.nrows().min(8))
        .map(|i| {
            // quiz:begin contrastive-term
            let d = (&e1.row(i) - &e2.row(i)).mapv(|v| v * v).sum().sqrt(); // D = ‖f(x1) − f(x2)‖₂
            let term = if y[i] > 0.5 {
                d * d
            } else {
                (margin - d).max(0.0).powi(2)
            };
            // quiz:end contrastive-term
            [
                Cell::from(i),
                y[i].into(),
                d.into(),
                term.into(),
                if y[i] > 0.5 {
                    "近づける"
                } else if d < margin {
                    "遠ざける"
                } else {
                    "何もしない"
                }
                .into(),
            ]
        })
        .collect::<Vec<_>>();
    tr.step("pairs", |s| {
        s.scalar("マージン m", f64::from(margin));
        let columns = ["ペア", "y", "D", "損失の項", "勾配の向き"];
        s.table(Table::new("学習前の最初のペア", columns).rows(rows, |r| r));
    })
}

/// The weakness of the contrastive loss: the intra-class distance keeps shrinking.
fn record_collapse(
    tr: &mut Trace,
    history: &[Snapshot],
    net: &mut EmbeddingNet<f32>,
    data: &DigitSplit,
) -> Result<(), KernelError> {
    let emb = net.embed_all(&data.test);
    let per_class = report::class_spread(&emb, &data.test_labels);
    let rows = history
        .iter()
        .map(|h| {
            [
                Cell::from(h.epoch),
                h.dist.intra.into(),
                h.dist.inter.into(),
                h.dist.ratio().into(),
                h.recall.into(),
            ]
        })
        .collect::<Vec<_>>();
    let recall_now = recall_at_1(&emb, &data.test_labels);
    let dist = ClassDistances::of(&emb, &data.test_labels);
    tr.step("collapse", |s| {
        let columns = [
            "エポック",
            "クラス内",
            "クラス間",
            "クラス内/クラス間",
            "Recall@1",
        ];
        s.table(Table::new("テスト数字の平均距離 (エポックごと)", columns).rows(rows, |r| r));
        s.table(per_class);
        s.scalar("最終 Recall@1", recall_now);
        s.scalar("最終 クラス内/クラス間", dist.ratio());
    })
}
