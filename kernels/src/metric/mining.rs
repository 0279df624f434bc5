//! Triplet selection ("mining"): which `(anchor, positive, negative)` triplets of a mini-batch
//! the triplet loss is computed on, and on which distance.
//!
//! Most triplets are *easy* — the negative is already farther than the positive by the margin —
//! so their loss and gradient are zero. Under random sampling their share grows as training
//! proceeds and learning stalls; mining keeps the triplets that still teach something:
//!
//! - `random`: one triplet per anchor, positive and negative drawn at random from the batch.
//! - `semi-hard` (FaceNet, Schroff et al. 2015, §3.2): every anchor-positive pair of the
//!   batch, with the closest negative that is still *farther* than the positive,
//!   `d(a,p) < d(a,n)` — hard enough to lie inside the margin, but not so hard that it pulls the
//!   embedding towards collapse early in training. If no negative is farther than the positive,
//!   the farthest negative is used (the convention of TensorFlow Addons' semi-hard loss).
//! - `hard` (batch-hard, Hermans, Beyer & Leibe 2017, §2): for every anchor, its farthest
//!   positive and its closest negative in the batch.
//!
//! Batch-hard is used with plain Euclidean distances `‖a − p‖` (Hermans et al.); with squared
//! distances it collapses from a random start — every embedding goes to one point, where the
//! loss is stuck at `α` (a knob demonstrates it).

use crate::nn::Float;
use crate::nn::loss::triplet;
use ndarray::{Array2, ArrayRef2, Zip};
use ndarray_rand::rand::Rng;
use ndarray_rand::rand::seq::IndexedRandom;

/// How triplets are chosen from a mini-batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mining {
    Random,
    SemiHard,
    Hard,
}

impl Mining {
    /// The knob value.
    pub fn name(self) -> &'static str {
        match self {
            Mining::Random => "random",
            Mining::SemiHard => "semi-hard",
            Mining::Hard => "hard",
        }
    }
}

/// The distance the triplet loss compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distance {
    /// `‖a − b‖²` (FaceNet).
    Squared,
    /// `‖a − b‖` (Hermans et al. for batch-hard).
    Euclidean,
}

impl Distance {
    /// The knob value.
    pub fn name(self) -> &'static str {
        match self {
            Distance::Squared => "squared",
            Distance::Euclidean => "euclidean",
        }
    }

    /// The distance from a squared distance.
    pub fn from_sq(self, d2: f32) -> f32 {
        match self {
            Distance::Squared => d2,
            Distance::Euclidean => d2.sqrt(),
        }
    }
}

/// A triplet of batch row indices `[anchor, positive, negative]`.
pub type Triplet = [usize; 3];

fn same(labels: &[u8], i: usize) -> Vec<usize> {
    (0..labels.len())
        .filter(|&j| j != i && labels[j] == labels[i])
        .collect()
}

fn other(labels: &[u8], i: usize) -> Vec<usize> {
    (0..labels.len())
        .filter(|&j| labels[j] != labels[i])
        .collect()
}

/// Triplets of the batch with `labels`, chosen by `mining` from the distances `d (B, B)` (in the
/// loss's own distance). Anchors without a positive or a negative in the batch are skipped.
// quiz:begin triplet-mining
pub fn select<R: Rng + ?Sized>(
    mining: Mining,
    labels: &[u8],
    d: &Array2<f32>,
    rng: &mut R,
) -> Vec<Triplet> {
    let mut out = Vec::new();
    for a in 0..labels.len() {
        let (pos, neg) = (same(labels, a), other(labels, a));
        if pos.is_empty() || neg.is_empty() {
            continue;
        }
        let closest = |c: &[usize]| {
            c.iter()
                .copied()
                .min_by(|&i, &j| d[[a, i]].total_cmp(&d[[a, j]]))
        };
        let farthest = |c: &[usize]| {
            c.iter()
                .copied()
                .max_by(|&i, &j| d[[a, i]].total_cmp(&d[[a, j]]))
        };
        match mining {
            Mining::Random => {
                if let (Some(&p), Some(&n)) = (pos.choose(rng), neg.choose(rng)) {
                    out.push([a, p, n]);
                }
            }
            Mining::SemiHard => {
                // Negatives nearest first (ties in index order): the first one farther than p
                // is the closest of those farther than p.
                let mut by_distance = neg.clone();
                by_distance.sort_by(|&i, &j| d[[a, i]].total_cmp(&d[[a, j]]));
                for &p in &pos {
                    let mut farther = by_distance.iter().copied();
                    let closest_farther = farther.find(|&n| d[[a, n]] > d[[a, p]]);
                    if let Some(n) = closest_farther.or_else(|| farthest(&neg)) {
                        out.push([a, p, n]);
                    }
                }
            }
            // quiz:end triplet-mining
            // quiz:begin batch-hard
            Mining::Hard => {
                if let (Some(p), Some(n)) = (farthest(&pos), closest(&neg)) {
                    out.push([a, p, n]);
                }
            } // quiz:end batch-hard
        }
    }
    out
}

/// For each triplet, a second negative `n2` of a class other than the anchor's and `n1`'s, drawn
/// at random (the quadruplet loss's extra pair `(n1, n2)`, Chen et al. 2017). Triplets for which
/// the batch has no such sample are dropped.
pub fn add_second_negative<R: Rng + ?Sized>(
    triplets: &[Triplet],
    labels: &[u8],
    rng: &mut R,
) -> Vec<[usize; 4]> {
    triplets
        .iter()
        .filter_map(|&[a, p, n1]| {
            let third: Vec<usize> = (0..labels.len())
                .filter(|&j| labels[j] != labels[a] && labels[j] != labels[n1])
                .collect();
            third.choose(rng).map(|&n2| [a, p, n1, n2])
        })
        .collect()
}

/// How many of **all** valid triplets of a batch are easy (`d(a,n) ≥ d(a,p) + α`: zero loss),
/// semi-hard (`d(a,p) < d(a,n) < d(a,p) + α`) and hard (`d(a,n) ≤ d(a,p)`), FaceNet's
/// categories. Returns `[easy, semi_hard, hard]`.
///
/// Counted per anchor on its negatives' distances sorted once, two binary searches per
/// positive: `O(B² log B)` for a batch of `B` instead of visiting all `O(B³)` triplets (a
/// full-batch run has 1,442 images, about 3·10⁸ triplets).
pub fn composition(labels: &[u8], d: &Array2<f32>, margin: f32) -> [usize; 3] {
    let mut counts = [0usize; 3];
    for a in 0..labels.len() {
        let mut dan: Vec<f32> = other(labels, a).iter().map(|&n| d[[a, n]]).collect();
        dan.sort_by(f32::total_cmp);
        for p in same(labels, a) {
            let dap = d[[a, p]];
            let below_margin = dan.partition_point(|&x| x < dap + margin); // not easy
            let hard = dan.partition_point(|&x| x <= dap).min(below_margin);
            counts[0] += dan.len() - below_margin;
            counts[1] += below_margin - hard;
            counts[2] += hard;
        }
    }
    counts
}

/// The fraction of `triplets` whose hinge `d(a,p) − d(a,n) + α` is `≤ 0`: they contribute no
/// loss and no gradient.
pub fn zero_loss_fraction(triplets: &[Triplet], d: &Array2<f32>, margin: f32) -> f64 {
    if triplets.is_empty() {
        return 0.0;
    }
    let zero = triplets
        .iter()
        .filter(|&&[a, p, n]| d[[a, p]] - d[[a, n]] + margin <= 0.0)
        .count();
    zero as f64 / triplets.len() as f64
}

/// The triplet loss on `distance`: FaceNet's squared form ([`triplet`]) or the Euclidean form
/// of Hermans et al., `L = (1/N) Σ max(0, ‖a − p‖ − ‖a − n‖ + α)`. Returns `(L, [dL/da, dL/dp,
/// dL/dn])`.
///
/// For the Euclidean form, `∂‖u‖/∂u = u / ‖u‖`, so an active triplet gives
/// `dL/dp = −(a − p)/(N‖a − p‖)`, `dL/dn = (a − n)/(N‖a − n‖)`, `dL/da = −dL/dp − dL/dn`
/// (a zero distance contributes no gradient: its direction is undefined).
///
/// # Shapes
/// `anchor`, `positive`, `negative`: `(N, D)`
pub fn triplet_loss<A: Float>(
    distance: Distance,
    anchor: &ArrayRef2<A>,
    positive: &ArrayRef2<A>,
    negative: &ArrayRef2<A>,
    margin: A,
) -> (A, [Array2<A>; 3]) {
    if distance == Distance::Squared {
        return triplet(anchor, positive, negative, margin);
    }
    let n = A::count(anchor.nrows().max(1));
    let [mut da, mut dp, mut dn] = [0, 1, 2].map(|_| Array2::zeros(anchor.dim()));
    let mut loss = A::zero();
    let norm = |u: ndarray::ArrayView1<A>| u.iter().map(|&v| v * v).sum::<A>().sqrt();
    for i in 0..anchor.nrows() {
        let (u, w) = (
            &anchor.row(i) - &positive.row(i),
            &anchor.row(i) - &negative.row(i),
        );
        let (d_ap, d_an) = (norm(u.view()), norm(w.view()));
        let hinge = d_ap - d_an + margin;
        if hinge <= A::zero() {
            continue;
        }
        loss += hinge;
        // (a zero distance has no direction: its gradient is taken as 0)
        let gp = u.mapv(|v| {
            if d_ap > A::zero() {
                -v / (d_ap * n)
            } else {
                A::zero()
            }
        });
        let gn = w.mapv(|v| {
            if d_an > A::zero() {
                v / (d_an * n)
            } else {
                A::zero()
            }
        });
        Zip::from(da.row_mut(i))
            .and(&gp)
            .and(&gn)
            .for_each(|a, &p, &q| *a = -p - q);
        dp.row_mut(i).assign(&gp);
        dn.row_mut(i).assign(&gn);
    }
    (loss / n, [da, dp, dn])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    /// Every triplet visited, classified by the definitions.
    fn composition_by_definition(labels: &[u8], d: &Array2<f32>, margin: f32) -> [usize; 3] {
        let mut counts = [0usize; 3];
        for a in 0..labels.len() {
            for p in same(labels, a) {
                for n in other(labels, a) {
                    let (dap, dan) = (d[[a, p]], d[[a, n]]);
                    let kind = if dan >= dap + margin {
                        0
                    } else if dan > dap {
                        1
                    } else {
                        2
                    };
                    counts[kind] += 1;
                }
            }
        }
        counts
    }

    /// Semi-hard by the definition: of the negatives farther than `p`, the closest (the first in
    /// index order on ties), else the farthest negative (the last on ties).
    fn semi_hard_by_definition(labels: &[u8], d: &Array2<f32>) -> Vec<Triplet> {
        let mut out = Vec::new();
        for a in 0..labels.len() {
            let (pos, neg) = (same(labels, a), other(labels, a));
            let key = |i: &usize, j: &usize| d[[a, *i]].total_cmp(&d[[a, *j]]);
            for &p in &pos {
                let farther = neg.iter().copied().filter(|&n| d[[a, n]] > d[[a, p]]);
                let closest = farther.min_by(key);
                if let Some(n) = closest.or_else(|| neg.iter().copied().max_by(key)) {
                    out.push([a, p, n]);
                }
            }
        }
        out
    }

    #[test]
    fn semi_hard_picks_the_closest_negative_farther_than_the_positive() {
        let mut rng = StdRng::seed_from_u64(6);
        for b in [2, 7, 40] {
            let labels: Vec<u8> = (0..b).map(|_| rng.random_range(0..4)).collect();
            let d = Array2::from_shape_fn((b, b), |_| rng.random_range(0..8) as f32 * 0.5);
            let got = select(Mining::SemiHard, &labels, &d, &mut rng);
            assert_eq!(got, semi_hard_by_definition(&labels, &d), "B = {b}");
        }
    }

    #[test]
    fn composition_counts_every_triplet_as_the_definitions_do() {
        let mut rng = StdRng::seed_from_u64(5);
        for b in [2, 7, 40] {
            let labels: Vec<u8> = (0..b).map(|_| rng.random_range(0..4)).collect();
            // Distances on a coarse grid, so that ties (dan = dap, dan = dap + α) occur.
            let d = Array2::from_shape_fn((b, b), |_| rng.random_range(0..8) as f32 * 0.5);
            for margin in [0.0, 0.5, 1.0, 3.0] {
                let want = composition_by_definition(&labels, &d, margin);
                assert_eq!(
                    composition(&labels, &d, margin),
                    want,
                    "B = {b}, α = {margin}"
                );
            }
        }
    }
}
