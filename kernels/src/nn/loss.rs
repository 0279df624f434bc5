//! Loss functions, each returning the loss and its gradient with respect to the prediction.
//!
//! Every loss is the **mean** over its elements (or over the batch for per-sample losses),
//! PyTorch's default `reduction = "mean"`, and returns `(L, dL/dprediction)`; multiply the
//! gradient by an upstream factor yourself if the loss is weighted (e.g. `λ_L1` in pix2pix).
//! The metric-learning losses (contrastive, triplet, quadruplet) are in [`metric`].

pub mod metric;

pub use metric::{contrastive, quadruplet, triplet};

use super::Float;
use super::activation::{sigmoid, softmax_last_axis};
use ndarray::{Array, Array2, ArrayRef, ArrayRef2, Dimension, Zip};

fn count<A: Float>(n: usize) -> A {
    A::count(n.max(1))
}

/// Applies `f(pred, target) -> (loss term, d term/d pred)` element-wise and averages.
fn elementwise_mean<A: Float, D: Dimension>(
    name: &str,
    pred: &ArrayRef<A, D>,
    target: &ArrayRef<A, D>,
    f: impl Fn(A, A) -> (A, A),
) -> (A, Array<A, D>) {
    assert_eq!(
        pred.shape(),
        target.shape(),
        "{name}: prediction and target shapes differ"
    );
    let inv_n = A::one() / count(pred.len());
    let mut grad = pred.to_owned();
    let mut total = A::zero();
    Zip::from(&mut grad).and(target).for_each(|g, &t| {
        let (l, d) = f(*g, t);
        total += l;
        *g = d * inv_n;
    });
    (total * inv_n, grad)
}

/// Mean squared error `L = mean((y − t)²)`; `dL/dy = 2 (y − t) / n`.
///
/// # Panics
/// If the shapes differ (as do all losses here).
pub fn mse<A: Float, D: Dimension>(
    pred: &ArrayRef<A, D>,
    target: &ArrayRef<A, D>,
) -> (A, Array<A, D>) {
    elementwise_mean("mse", pred, target, |y, t| {
        let d = y - t;
        (d * d, A::lit(2.0) * d)
    })
}

/// Mean absolute error `L = mean|y − t|`; `dL/dy = sign(y − t) / n` (0 where `y = t`).
/// pix2pix's L1 term, which blurs less than MSE.
pub fn l1<A: Float, D: Dimension>(
    pred: &ArrayRef<A, D>,
    target: &ArrayRef<A, D>,
) -> (A, Array<A, D>) {
    elementwise_mean("l1", pred, target, |y, t| {
        let d = y - t;
        let sign = if d > A::zero() {
            A::one()
        } else if d < A::zero() {
            -A::one()
        } else {
            A::zero()
        };
        (d.abs(), sign)
    })
}

/// Binary cross-entropy on probabilities `p ∈ [0, 1]`:
/// `L = −mean(t ln p + (1 − t) ln(1 − p))`; `dL/dp = (p − t) / (p (1 − p)) / n`.
///
/// As PyTorch, each log is clamped at −100 and `p(1 − p)` at `1e-12`, so a saturated `p` gives a
/// large finite loss rather than `inf`/`NaN`. Prefer [`bce_with_logits`] after a linear layer.
pub fn bce<A: Float, D: Dimension>(
    prob: &ArrayRef<A, D>,
    target: &ArrayRef<A, D>,
) -> (A, Array<A, D>) {
    let floor = A::lit(-100.0);
    let tiny = A::lit(1e-12);
    elementwise_mean("bce", prob, target, |p, t| {
        let (lp, lq) = (p.ln().max(floor), (A::one() - p).ln().max(floor));
        let loss = -(t * lp + (A::one() - t) * lq);
        (loss, (p - t) / (p * (A::one() - p)).max(tiny))
    })
}

/// Binary cross-entropy on logits `z` (probability `σ(z)`), numerically stable:
/// `L = mean(max(z, 0) − z t + ln(1 + e^{−|z|}))`, which equals the BCE of `σ(z)` but never
/// takes the log of 0; `dL/dz = (σ(z) − t) / n`. The standard GAN discriminator loss.
pub fn bce_with_logits<A: Float, D: Dimension>(
    logits: &ArrayRef<A, D>,
    target: &ArrayRef<A, D>,
) -> (A, Array<A, D>) {
    elementwise_mean("bce_with_logits", logits, target, |z, t| {
        let loss = z.max(A::zero()) - z * t + (-z.abs()).exp().ln_1p();
        (loss, sigmoid(z) - t)
    })
}

/// Softmax cross-entropy with class indices: `L = −(1/N) Σ_n ln softmax(z_n)[y_n]`, computed as
/// `logsumexp(z_n) − z_n[y_n]`; `dL/dz = (softmax(z) − onehot(y)) / N`
/// (ゼロから作るDeep Learning's `SoftmaxWithLoss`).
///
/// # Shapes
/// logits `(N, K)`, labels `N` values in `0..K`; gradient `(N, K)`
///
/// # Panics
/// If `labels.len() != N` or a label is `≥ K`.
pub fn softmax_cross_entropy<A: Float>(logits: &ArrayRef2<A>, labels: &[usize]) -> (A, Array2<A>) {
    let (n, k) = logits.dim();
    assert_eq!(
        labels.len(),
        n,
        "softmax_cross_entropy: {} labels for {n} rows",
        labels.len()
    );
    let mut onehot = Array2::zeros((n, k));
    for (i, &y) in labels.iter().enumerate() {
        assert!(
            y < k,
            "softmax_cross_entropy: label {y} is not below the class count {k}"
        );
        onehot[[i, y]] = A::one();
    }
    softmax_cross_entropy_soft(logits, &onehot)
}

/// Softmax cross-entropy with target distributions `t` (rows summing to 1, e.g. label smoothing):
/// `L = −(1/N) Σ_n Σ_k t_nk ln softmax(z_n)_k`; `dL/dz = (softmax(z) − t) / N`.
///
/// # Panics
/// If the shapes differ.
pub fn softmax_cross_entropy_soft<A: Float>(
    logits: &ArrayRef2<A>,
    target: &ArrayRef2<A>,
) -> (A, Array2<A>) {
    assert_eq!(
        logits.dim(),
        target.dim(),
        "softmax_cross_entropy: logits and target shapes differ"
    );
    let n = count::<A>(logits.nrows());
    let mut loss = A::zero();
    for (z, t) in logits.rows().into_iter().zip(target.rows()) {
        let m = z.fold(A::neg_infinity(), |m, &v| m.max(v));
        let lse = m + z.iter().map(|&v| (v - m).exp()).sum::<A>().ln();
        loss += Zip::from(&z)
            .and(&t)
            .fold(A::zero(), |acc, &zi, &ti| acc + ti * (lse - zi));
    }
    let mut grad = softmax_last_axis(logits);
    Zip::from(&mut grad)
        .and(target)
        .for_each(|g, &t| *g = (*g - t) / n);
    (loss / n, grad)
}
