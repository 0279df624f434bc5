//! `triplet`: a Triplet network trained with the triplet loss (FaceNet, Schroff et al. 2015,
//! §3) on the 8×8 digits, with triplet mining and, as an option, the quadruplet loss
//! (Chen et al. 2017).
//!
//! Each training example is a triplet: an anchor `a`, a positive `p` of the same class and a
//! negative `n` of another class, all embedded by the **same** network `f`. The loss asks the
//! negative to be farther from the anchor than the positive, by a margin `α`:
//!
//! ```text
//! L = (1/N) Σ max(0, ‖f(a) − f(p)‖² − ‖f(a) − f(n)‖² + α)
//! ```
//!
//! A triplet is penalised only while the negative lies inside the positive's distance plus the
//! margin. Unlike the contrastive loss nothing pulls a class to a single point: once the margin
//! holds, the triplet contributes nothing — which is also why learning stalls when triplets are
//! drawn at random (most become easy), and why they are mined ([`super::mining`]).
//!
//! The quadruplet loss adds a second negative `n2` (of a third class) and a term that asks the
//! positive pair to be closer than the *negative pair* `(n, n2)`, which shares no sample with the
//! anchor — pushing intra-class distances below inter-class distances globally:
//! `+ max(0, ‖f(a) − f(p)‖² − ‖f(n) − f(n2)‖² + α2)` (Chen et al. 2017, §3).

use super::embed::{EmbeddingNet, check_loss, epoch_batches, gather_rows, scatter_rows};
use super::eval::pairwise_sq_dist;
use super::mining::{self, Distance, Mining, Triplet, triplet_loss, zero_loss_fraction};
use super::report::{self, DigitSplit, Snapshot};
use crate::KernelError;
use crate::kernel::KernelInfo;
use crate::knobs::{KnobSpec, KnobValues};
use crate::nn::loss::quadruplet;
use crate::nn::{Adam, Params};
use crate::trace::{Cell, Goal, Metric, StepDecl, Table, Trace};
use ndarray::{Array2, Axis};
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;

/// Target: the nearest test embedding has the same class.
pub const RECALL_AT_1: Goal = Goal::at_least("recall_at_1", 0.90);
/// Target: random triplets stop contributing (their zero-loss share grows).
pub const RANDOM_ZERO_LOSS_GROWTH: Goal = Goal::at_least("random_zero_loss_growth", 0.1);

/// The registry entry.
pub const KERNEL: KernelInfo = KernelInfo {
    id: "triplet",
    title: "Triplet network と triplet loss (距離学習, マイニング, quadruplet loss)",
    summary: "アンカー・正例・負例の 3 つ組で埋め込みを学習し、3 つ組の選び方 (マイニング) で学習の速さが変わるのを見る",
    source: "metric/triplet.rs",
    knobs: &[
        KnobSpec::int("epochs", "学習エポック数", 100, 1, 2_000),
        KnobSpec::int(
            "batch",
            "ミニバッチの画像数 (3 つ組はこの中から作る)",
            128,
            4,
            1_442,
        ),
        KnobSpec::float("lr", "Adam の学習率", 1e-3, 1e-5, 0.1),
        KnobSpec::choice(
            "mining",
            "3 つ組の選び方: random / semi-hard (FaceNet) / hard (batch-hard)",
            "semi-hard",
            &["random", "semi-hard", "hard"],
        ),
        KnobSpec::float("margin", "マージン α", 1.0, 0.0, 100.0),
        KnobSpec::choice(
            "loss",
            "損失: triplet / quadruplet (負例をもう 1 つ使う)",
            "triplet",
            &["triplet", "quadruplet"],
        ),
        KnobSpec::float(
            "margin2",
            "quadruplet loss の第 2 項のマージン α2 (α より小さく)",
            0.5,
            0.0,
            100.0,
        ),
        KnobSpec::choice(
            "distance",
            "損失で比べる距離: auto (hard なら euclidean、他は squared) / squared / euclidean",
            "auto",
            &["auto", "squared", "euclidean"],
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
        StepDecl::new("mining", "3 つ組の種類とマイニング"),
        StepDecl::new("epoch", "学習中の埋め込み空間"),
        StepDecl::new("stall", "ランダムな 3 つ組はすぐ役に立たなくなる"),
    ],
    goals: &[RECALL_AT_1, RANDOM_ZERO_LOSS_GROWTH],
    run: run_knobs,
};

/// The loss the triplets are scored with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossKind {
    Triplet,
    Quadruplet,
}

/// The knobs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub mining: Mining,
    pub margin: f64,
    pub loss: LossKind,
    pub margin2: f64,
    pub distance: Distance,
    pub record_every: usize,
    pub seed: u64,
}

impl Config {
    /// `distance = auto` resolves to Euclidean for batch-hard triplets (Hermans et al.) and to
    /// FaceNet's squared distance otherwise; the quadruplet loss is defined on squared distances.
    pub fn from_knobs(k: &KnobValues) -> Result<Self, KernelError> {
        let mining = match k.choice("mining") {
            "random" => Mining::Random,
            "hard" => Mining::Hard,
            _ => Mining::SemiHard,
        };
        let loss = match k.choice("loss") {
            "quadruplet" => LossKind::Quadruplet,
            _ => LossKind::Triplet,
        };
        let distance = match (k.choice("distance"), mining, loss) {
            ("squared", _, _) => Distance::Squared,
            ("euclidean", _, LossKind::Quadruplet) => {
                return Err(KernelError::InvalidConfig(
                    "the quadruplet loss is defined on squared distances; use distance=squared or auto"
                        .into(),
                ));
            }
            ("euclidean", _, _) | ("auto", Mining::Hard, LossKind::Triplet) => Distance::Euclidean,
            _ => Distance::Squared,
        };
        Ok(Self {
            epochs: k.usize("epochs"),
            batch: k.usize("batch"),
            lr: k.float("lr"),
            mining,
            margin: k.float("margin"),
            loss,
            margin2: k.float("margin2"),
            distance,
            record_every: k.usize("record_every"),
            seed: k.seed,
        })
    }
}

fn run_knobs(k: &KnobValues, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    run(&Config::from_knobs(k)?, tr)
}

/// What one mini-batch update measured.
struct BatchStats {
    loss: f64,
    /// Fraction of the trained triplets with zero loss.
    selected_zero: f64,
    /// Fraction of random triplets of the same batch with zero loss (the monitor).
    random_zero: f64,
}

/// One update on the batch `rows` of the training set.
fn update(
    cfg: &Config,
    net: &mut EmbeddingNet<f32>,
    adam: &mut Adam<f32>,
    data: &DigitSplit,
    rows: &[usize],
    rng: &mut StdRng,
) -> (f32, BatchStats, Vec<Triplet>, Array2<f32>) {
    let labels: Vec<u8> = rows.iter().map(|&i| data.train_labels[i]).collect();
    let emb = net.forward(&data.train.select(Axis(0), rows)); // (B, 2), one pass for all roles
    let d = pairwise_sq_dist(&emb).mapv(|v| cfg.distance.from_sq(v)); // (B, B)
    let alpha = cfg.margin as f32;
    let triplets = mining::select(cfg.mining, &labels, &d, rng);
    let random = mining::select(Mining::Random, &labels, &d, rng);
    let mut d_emb = Array2::<f32>::zeros(emb.dim());
    let loss = if triplets.is_empty() {
        0.0
    } else {
        match cfg.loss {
            LossKind::Triplet => {
                let [a, p, n] =
                    [0, 1, 2].map(|k| triplets.iter().map(|t| t[k]).collect::<Vec<_>>());
                let (loss, grads) = triplet_loss(
                    cfg.distance,
                    &gather_rows(&emb, &a),
                    &gather_rows(&emb, &p),
                    &gather_rows(&emb, &n),
                    alpha,
                );
                for (idx, g) in [a, p, n].iter().zip(&grads) {
                    scatter_rows(&mut d_emb, idx, g);
                }
                loss
            }
            LossKind::Quadruplet => {
                let quads = mining::add_second_negative(&triplets, &labels, rng);
                let cols = [0, 1, 2, 3].map(|k| quads.iter().map(|q| q[k]).collect::<Vec<_>>());
                let [a, p, n1, n2] = cols.each_ref().map(|idx| gather_rows(&emb, idx));
                let (loss, grads) = quadruplet(&a, &p, &n1, &n2, alpha, cfg.margin2 as f32);
                for (idx, g) in cols.iter().zip(&grads) {
                    scatter_rows(&mut d_emb, idx, g);
                }
                loss
            }
        }
    };
    net.zero_grad();
    net.backward(&d_emb);
    adam.step(net);
    let stats = BatchStats {
        loss: f64::from(loss),
        selected_zero: zero_loss_fraction(&triplets, &d, alpha),
        random_zero: zero_loss_fraction(&random, &d, alpha),
    };
    (loss, stats, triplets, d)
}

/// Trains the triplet network; see the module documentation.
pub fn run(cfg: &Config, tr: &mut Trace) -> Result<Vec<Metric>, KernelError> {
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let data = DigitSplit::load();
    let pca2 = report::pca_baseline(tr, &data)?;
    let mut net = EmbeddingNet::<f32>::new(64, [128, 64], 2, &mut rng)?;
    let mut adam = Adam::new(cfg.lr, 0.9, 0.999, 1e-8)?;
    let mut history = vec![Snapshot::take(&mut net, &data, 0, f64::NAN)];
    let mut zero_curve: Vec<(usize, f64, f64)> = Vec::new(); // (epoch, random, selected)
    let mut recall_epoch10 = f64::NAN;
    let mut step = 0usize;
    let mut last_batch = (Vec::new(), Array2::zeros((0, 0)));
    for epoch in 1..=cfg.epochs {
        let batches = epoch_batches(data.train.nrows(), cfg.batch, &mut rng);
        let (mut loss_sum, mut random_zero, mut selected_zero) = (0.0, 0.0, 0.0);
        for rows in &batches {
            step += 1;
            let (loss, stats, triplets, d) =
                update(cfg, &mut net, &mut adam, &data, rows, &mut rng);
            check_loss(loss, step)?;
            tr.progress("学習", epoch - 1, cfg.epochs)?;
            if step == 1 {
                record_mining(tr, cfg, rows, &data, &triplets, &d, &stats)?;
            }
            let share = 1.0 / batches.len() as f64;
            loss_sum += stats.loss * share;
            random_zero += stats.random_zero * share;
            selected_zero += stats.selected_zero * share;
            last_batch = (rows.iter().map(|&i| data.train_labels[i]).collect(), d);
        }
        zero_curve.push((epoch, random_zero, selected_zero));
        if epoch == 10 {
            recall_epoch10 = Snapshot::take(&mut net, &data, epoch, loss_sum).recall;
        }
        if epoch % cfg.record_every == 0 || epoch == cfg.epochs {
            let snap = Snapshot::take(&mut net, &data, epoch, loss_sum);
            tr.step("epoch", |s| {
                snap.record(s, "triplet loss", &data.test_labels);
                s.series(
                    "ランダムな 3 つ組のうち損失 0 の割合",
                    epoch as f64,
                    random_zero,
                );
                s.series(
                    "学習に使った 3 つ組のうち損失 0 の割合",
                    epoch as f64,
                    selected_zero,
                );
            })?;
            history.push(snap);
        }
        tr.progress("学習", epoch, cfg.epochs)?;
    }
    let last = history
        .last()
        .cloned()
        .unwrap_or_else(|| Snapshot::take(&mut net, &data, 0, f64::NAN));
    record_stall(tr, cfg, &zero_curve, &history, &last_batch)?;
    let first_zero = zero_curve.first().map_or(f64::NAN, |z| z.1);
    let last_zero = zero_curve.last().map_or(f64::NAN, |z| z.1);
    let mut metrics = vec![
        RECALL_AT_1.measure(last.recall),
        Metric::reported("pca2_recall_at_1", pca2),
    ];
    if cfg.epochs >= 10 {
        metrics.push(Metric::reported("recall_at_1_epoch10", recall_epoch10));
    }
    metrics.extend([
        Metric::reported("random_zero_loss_fraction_first_epoch", first_zero),
        Metric::reported("random_zero_loss_fraction_last_epoch", last_zero),
        RANDOM_ZERO_LOSS_GROWTH.measure(last_zero - first_zero),
        Metric::reported("intra_inter_ratio", last.dist.ratio()),
        Metric::reported("inter_class_distance", last.dist.inter),
        Metric::reported("final_loss", last.loss),
    ]);
    Ok(metrics)
}

/// The kinds of triplets in a batch as a table.
fn composition_table(name: String, labels: &[u8], d: &Array2<f32>, margin: f32) -> (Table, usize) {
    let counts = mining::composition(labels, d, margin);
    let total: usize = counts.iter().sum();
    let share = |k: usize| k as f64 / total.max(1) as f64;
    let kinds = ["easy (損失 0)", "semi-hard", "hard"]
        .into_iter()
        .zip(counts);
    let table = Table::new(name, ["種類", "個数", "割合"]).rows(kinds, |(kind, k)| {
        [Cell::from(kind), k.into(), share(k).into()]
    });
    (table, total)
}

/// The first mini-batch before any update: how many of all its valid triplets are easy,
/// semi-hard or hard, and what the chosen mining keeps.
fn record_mining(
    tr: &mut Trace,
    cfg: &Config,
    rows: &[usize],
    data: &DigitSplit,
    selected: &[Triplet],
    d: &Array2<f32>,
    stats: &BatchStats,
) -> Result<(), KernelError> {
    let labels: Vec<u8> = rows.iter().map(|&i| data.train_labels[i]).collect();
    let (table, total) = composition_table(
        "学習前の最初のバッチの 3 つ組".into(),
        &labels,
        d,
        cfg.margin as f32,
    );
    tr.step("mining", |s| {
        s.text(format!(
            "バッチの {} 枚から作れる (アンカー, 正例, 負例) の 3 つ組は {total} 通り。mining = {}, 距離 = {}, α = {}。",
            labels.len(),
            cfg.mining.name(),
            cfg.distance.name(),
            cfg.margin
        ));
        s.table(table);
        s.scalar("マイニングで選んだ 3 つ組の数", selected.len() as f64);
        s.scalar("選んだ 3 つ組のうち損失 0 の割合", stats.selected_zero);
        s.scalar("ランダムな 3 つ組のうち損失 0 の割合", stats.random_zero);
        s.scalar("損失", stats.loss);
    })
}

/// Why mining is needed: the zero-loss share of random triplets over the epochs.
fn record_stall(
    tr: &mut Trace,
    cfg: &Config,
    zero_curve: &[(usize, f64, f64)],
    history: &[Snapshot],
    last_batch: &(Vec<u8>, Array2<f32>),
) -> Result<(), KernelError> {
    let (table, _) = composition_table(
        "最後のバッチの 3 つ組".into(),
        &last_batch.0,
        &last_batch.1,
        cfg.margin as f32,
    );
    let every = (zero_curve.len() / 10).max(1);
    let rows = zero_curve
        .iter()
        .filter(|(e, _, _)| *e == 1 || e % every == 0)
        .map(|&(e, r, s)| [Cell::from(e), r.into(), s.into()])
        .collect::<Vec<_>>();
    let ratio = history.last().map_or(f64::NAN, |h| h.dist.ratio());
    tr.step("stall", |s| {
        let columns = ["エポック", "ランダムな 3 つ組", "学習に使った 3 つ組"];
        let name = format!(
            "エポックごとの損失 0 の割合 (mining = {})",
            cfg.mining.name()
        );
        s.table(Table::new(name, columns).rows(rows, |r| r));
        s.table(table);
        s.scalar("最終 クラス内/クラス間の平均距離", ratio);
    })
}
