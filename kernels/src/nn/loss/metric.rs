//! Metric-learning losses on embedding batches: contrastive, triplet, quadruplet.
//!
//! Each takes `(N, D)` embeddings, averages over the `N` pairs / tuples and returns the loss and
//! the gradient for every embedding batch.

use crate::nn::Float;
use ndarray::{Array2, ArrayRef1, ArrayRef2, Zip};

fn same_shape<A>(name: &str, xs: &[&ArrayRef2<A>]) {
    for x in xs {
        assert_eq!(
            x.dim(),
            xs[0].dim(),
            "{name}: embedding batches differ in shape"
        );
    }
}

/// Squared Euclidean distance of each row pair: `‖a_n − b_n‖²`.
fn sq_dist<A: Float>(a: &ArrayRef2<A>, b: &ArrayRef2<A>) -> Vec<A> {
    a.rows()
        .into_iter()
        .zip(b.rows())
        .map(|(r, s)| {
            Zip::from(&r)
                .and(&s)
                .fold(A::zero(), |acc, &x, &y| acc + (x - y) * (x - y))
        })
        .collect()
}

/// Adds `scale · (u_n − v_n)` to row `n` of `grad` (the gradient of `‖u − v‖²` is `2(u − v)`).
fn add_diff<A: Float>(
    grad: &mut Array2<A>,
    n: usize,
    scale: A,
    u: &ArrayRef2<A>,
    v: &ArrayRef2<A>,
) {
    Zip::from(grad.row_mut(n))
        .and(u.row(n))
        .and(v.row(n))
        .for_each(|g, &a, &b| *g += scale * (a - b));
}

/// Contrastive loss (Hadsell, Chopra & LeCun 2006), label convention **`y = 1`: same class**
/// (pull together), `y = 0`: different classes (push apart until the distance reaches `margin`):
///
/// `L = (1/N) Σ_n [ y_n D_n² + (1 − y_n) max(0, m − D_n)² ]`, `D_n = ‖x1_n − x2_n‖₂`.
///
/// Gradients: `dL/dx1_n = (2/N) [ y_n − (1 − y_n) max(0, m − D_n)/D_n ] (x1_n − x2_n)`,
/// `dL/dx2_n = −dL/dx1_n`. (At `D_n = 0` with `y_n = 0` the direction is undefined; the push
/// term's gradient is taken as 0 there.) Returns `(L, [dL/dx1, dL/dx2])`.
///
/// # Shapes
/// `x1`, `x2`: `(N, D)`; `y`: `(N,)` with values 0 or 1
pub fn contrastive<A: Float>(
    x1: &ArrayRef2<A>,
    x2: &ArrayRef2<A>,
    y: &ArrayRef1<A>,
    margin: A,
) -> (A, [Array2<A>; 2]) {
    same_shape("contrastive", &[x1, x2]);
    assert_eq!(y.len(), x1.nrows(), "contrastive: one label per pair");
    let n = A::count(x1.nrows().max(1));
    let two_over_n = A::lit(2.0) / n;
    let mut d1 = Array2::zeros(x1.dim());
    let mut loss = A::zero();
    for (i, d2) in sq_dist(x1, x2).into_iter().enumerate() {
        let (yi, dist) = (y[i], d2.sqrt());
        let gap = (margin - dist).max(A::zero());
        loss += yi * d2 + (A::one() - yi) * gap * gap;
        let push = if dist > A::zero() {
            gap / dist
        } else {
            A::zero()
        };
        add_diff(
            &mut d1,
            i,
            two_over_n * (yi - (A::one() - yi) * push),
            x1,
            x2,
        );
    }
    let d2 = d1.mapv(|v| -v);
    (loss / n, [d1, d2])
}

/// Triplet loss (FaceNet, Schroff et al. 2015, eq. 1–2) on squared distances:
///
/// `L = (1/N) Σ_n max(0, ‖a_n − p_n‖² − ‖a_n − n_n‖² + α)`.
///
/// For an active triplet (positive hinge): `dL/da = (2/N)(n − p)`, `dL/dp = −(2/N)(a − p)`,
/// `dL/dn = (2/N)(a − n)`; inactive triplets contribute nothing.
/// Returns `(L, [dL/da, dL/dp, dL/dn])`.
///
/// # Shapes
/// `anchor`, `positive`, `negative`: `(N, D)`
pub fn triplet<A: Float>(
    anchor: &ArrayRef2<A>,
    positive: &ArrayRef2<A>,
    negative: &ArrayRef2<A>,
    margin: A,
) -> (A, [Array2<A>; 3]) {
    same_shape("triplet", &[anchor, positive, negative]);
    let n = A::count(anchor.nrows().max(1));
    let s = A::lit(2.0) / n;
    let [mut da, mut dp, mut dn] = [0, 1, 2].map(|_| Array2::zeros(anchor.dim()));
    let mut loss = A::zero();
    let (ap, an) = (sq_dist(anchor, positive), sq_dist(anchor, negative));
    for i in 0..anchor.nrows() {
        let hinge = ap[i] - an[i] + margin;
        if hinge > A::zero() {
            loss += hinge;
            add_diff(&mut da, i, s, negative, positive);
            add_diff(&mut dp, i, -s, anchor, positive);
            add_diff(&mut dn, i, s, anchor, negative);
        }
    }
    (loss / n, [da, dp, dn])
}

/// Quadruplet loss (Chen et al. 2017, "Beyond triplet loss", eq. 5) on squared distances: the
/// triplet term plus a second hinge that also pushes the positive pair closer than a pair of two
/// *other* classes `(n1, n2)` (which share no sample with the anchor):
///
/// `L = (1/N) Σ_n [ max(0, ‖a − p‖² − ‖a − n1‖² + α1) + max(0, ‖a − p‖² − ‖n1 − n2‖² + α2) ]`.
///
/// The paper uses a smaller `α2` than `α1` (a weaker constraint). Gradients of the second hinge
/// when active: `da += (2/N)(a − p)`, `dp −= (2/N)(a − p)`, `dn1 −= (2/N)(n1 − n2)`,
/// `dn2 += (2/N)(n1 − n2)`. Returns `(L, [dL/da, dL/dp, dL/dn1, dL/dn2])`.
///
/// # Shapes
/// all four inputs `(N, D)`
pub fn quadruplet<A: Float>(
    anchor: &ArrayRef2<A>,
    positive: &ArrayRef2<A>,
    negative1: &ArrayRef2<A>,
    negative2: &ArrayRef2<A>,
    margin1: A,
    margin2: A,
) -> (A, [Array2<A>; 4]) {
    same_shape("quadruplet", &[anchor, positive, negative1, negative2]);
    let (l1, [da, dp, dn1]) = triplet(anchor, positive, negative1, margin1);
    let (mut da, mut dp, mut dn1) = (da, dp, dn1);
    let mut dn2 = Array2::zeros(anchor.dim());
    let n = A::count(anchor.nrows().max(1));
    let s = A::lit(2.0) / n;
    let (ap, nn) = (sq_dist(anchor, positive), sq_dist(negative1, negative2));
    let mut l2 = A::zero();
    for i in 0..anchor.nrows() {
        let hinge = ap[i] - nn[i] + margin2;
        if hinge > A::zero() {
            l2 += hinge;
            add_diff(&mut da, i, s, anchor, positive);
            add_diff(&mut dp, i, -s, anchor, positive);
            add_diff(&mut dn1, i, -s, negative1, negative2);
            add_diff(&mut dn2, i, s, negative1, negative2);
        }
    }
    (l1 + l2 / n, [da, dp, dn1, dn2])
}
