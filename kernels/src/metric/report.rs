//! What the Siamese and Triplet kernels share: the digits split into train / test with class
//! indices, the PCA baseline step, and snapshots of the test embedding taken every few epochs.

use super::embed::EmbeddingNet;
use super::eval::{ClassDistances, Pca, recall_at_1, scatter_classes, scatter_points};
use crate::KernelError;
use crate::data::digits::{self, CLASSES};
use crate::trace::{Cell, StepBuilder, Table, Trace};
use ndarray::{Array2, ArrayRef2};

/// The fixed stratified split of the digits (1,442 train / 355 test), with the training
/// indices of each class and of every other class (for drawing positives and negatives).
#[derive(Debug, Clone)]
pub struct DigitSplit {
    pub train: Array2<f32>,
    pub train_labels: Vec<u8>,
    pub test: Array2<f32>,
    pub test_labels: Vec<u8>,
    /// `by_class[c]`: training indices of class `c`.
    pub by_class: Vec<Vec<usize>>,
    /// `not_class[c]`: training indices of every class but `c`.
    pub not_class: Vec<Vec<usize>>,
}

impl DigitSplit {
    pub fn load() -> Self {
        let (train, test) = digits::load().split();
        let by_class: Vec<Vec<usize>> = (0..CLASSES)
            .map(|c| {
                (0..train.len())
                    .filter(|&i| usize::from(train.labels[i]) == c)
                    .collect()
            })
            .collect();
        let not_class = (0..CLASSES)
            .map(|c| {
                (0..train.len())
                    .filter(|&i| usize::from(train.labels[i]) != c)
                    .collect()
            })
            .collect();
        Self {
            train: train.images,
            train_labels: train.labels,
            test: test.images,
            test_labels: test.labels,
            by_class,
            not_class,
        }
    }
}

/// The baseline every learned embedding is compared with: the test digits projected on the two
/// principal components of the training pixels. Records the `data` step and returns its
/// Recall@1.
pub fn pca_baseline(tr: &mut Trace, data: &DigitSplit) -> Result<f64, KernelError> {
    let pca = Pca::fit(&data.train, 2);
    let proj = pca.transform(&data.test);
    let recall = recall_at_1(&proj, &data.test_labels);
    tr.step("data", |s| {
        s.scalar("訓練の枚数", data.train.nrows() as f64);
        s.scalar("テストの枚数", data.test.nrows() as f64);
        s.scatter(
            "画素の PCA 2 次元 (色 = 正解の数字)",
            scatter_points(&proj),
            scatter_classes(&data.test_labels),
        );
        s.scalar("PCA 2 次元での Recall@1", recall);
    })?;
    Ok(recall)
}

/// The test embedding at one epoch.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub epoch: usize,
    pub loss: f64,
    pub recall: f64,
    pub dist: ClassDistances,
    pub points: Vec<[f32; 2]>,
}

impl Snapshot {
    /// Embeds the test digits with `net` and measures them.
    pub fn take(net: &mut EmbeddingNet<f32>, data: &DigitSplit, epoch: usize, loss: f64) -> Self {
        let emb = net.embed_all(&data.test);
        Self {
            epoch,
            loss,
            recall: recall_at_1(&emb, &data.test_labels),
            dist: ClassDistances::of(&emb, &data.test_labels),
            points: scatter_points(&emb),
        }
    }

    /// Adds the snapshot to a step: the scatter of test embeddings and the curves.
    pub fn record(&self, s: &mut StepBuilder, loss_name: &str, labels: &[u8]) {
        let x = self.epoch as f64;
        s.scatter(
            &format!("テスト数字の埋め込み (エポック {})", self.epoch),
            self.points.clone(),
            scatter_classes(labels),
        );
        s.series(loss_name, x, self.loss);
        s.series("Recall@1 (テスト)", x, self.recall);
        s.series(
            "クラス内の平均距離 / クラス間の平均距離",
            x,
            self.dist.ratio(),
        );
        s.scalar("Recall@1", self.recall);
        s.scalar("クラス内の平均距離", self.dist.intra);
        s.scalar("クラス間の平均距離", self.dist.inter);
    }
}

/// Per class: how spread out its test embeddings are (mean distance to the class centre) and
/// how far the centre is from the nearest other centre.
pub fn class_spread(emb: &ArrayRef2<f32>, labels: &[u8]) -> Table {
    let centre = |c: usize| {
        let rows: Vec<usize> = (0..labels.len())
            .filter(|&i| usize::from(labels[i]) == c)
            .collect();
        let mean = emb
            .select(ndarray::Axis(0), &rows)
            .mean_axis(ndarray::Axis(0));
        (rows, mean)
    };
    let centres: Vec<_> = (0..CLASSES).map(centre).collect();
    let dist = |a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>| {
        f64::from((&a - &b).mapv(|v| v * v).sum()).sqrt()
    };
    let rows = centres
        .iter()
        .enumerate()
        .filter_map(|(c, (rows, mean))| {
            let mean = mean.as_ref()?;
            let radius = rows
                .iter()
                .map(|&i| dist(emb.row(i), mean.view()))
                .sum::<f64>()
                / rows.len().max(1) as f64;
            let nearest = centres
                .iter()
                .enumerate()
                .filter(|(o, _)| *o != c)
                .filter_map(|(_, (_, m))| m.as_ref().map(|m| dist(m.view(), mean.view())))
                .fold(f64::INFINITY, f64::min);
            Some([Cell::from(c), radius.into(), nearest.into()])
        })
        .collect::<Vec<_>>();
    let columns = ["数字", "中心からの平均距離", "最も近い他クラス中心まで"];
    Table::new("クラスごとの広がり (テスト)", columns).rows(rows, |r| r)
}
