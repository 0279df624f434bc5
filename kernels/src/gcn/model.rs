//! The two-layer graph convolutional network of Kipf & Welling (2017), eq. 9:
//!
//! `Z = softmax(Â · ReLU(Â X W⁽⁰⁾) · W⁽¹⁾)`, with `Â = D̃^−½ (A + I) D̃^−½`.
//!
//! Each layer is "aggregate the neighbours, then transform": `H' = σ(Â H W)`. It is the
//! first-order (`K = 1`) Chebyshev filter with `λ_max ≈ 2` and one shared weight
//! `θ = θ₀ = −θ₁`, `θ(I + D^−½ A D^−½)`, renormalised to `Â` (§2.2, eqs. 6–8).
//! As in eq. 9 there is no bias: `nn::Linear`'s `b` stays 0 because it is never trained (with a
//! trained bias, member 2 — linked to both leaders — flipped sides on half the seeds).
//! Semi-supervised: the loss is the cross-entropy over the labelled nodes only (eq. 10).

use super::graph::Csr;
use crate::nn::params::visit_array;
use crate::nn::{Linear, NnError, Params, ReLU, init};
use ndarray::{Array1, Array2, ArrayRef2};
use ndarray_rand::rand::Rng;

/// `Z = Â ReLU(Â X W⁽⁰⁾) W⁽¹⁾` (logits; softmax is in the loss).
///
/// `l1`/`l2` hold `W⁽⁰⁾` and `W⁽¹⁾` (`Linear`'s `(in, out)` layout; their biases stay 0). Because
/// `Â (H W) = (Â H) W`, each layer aggregates first and then applies the `Linear`.
///
/// # Shapes
/// `X`: `(n, F)`; hidden `H`: `(n, hidden)`; `Z`: `(n, classes)`; `Â`: `(n, n)` sparse
#[derive(Debug, Clone)]
pub struct Gcn {
    pub l1: Linear<f64>,
    pub l2: Linear<f64>,
    relu: ReLU<f64>,
    /// The hidden activations `H = ReLU(Â X W⁽⁰⁾)` of the last forward.
    pub hidden: Array2<f64>,
}

impl Gcn {
    /// Glorot-uniform weights (Kipf & Welling 2017, §5.3), biases 0 and untrained.
    pub fn new<R: Rng + ?Sized>(
        features: usize,
        hidden: usize,
        classes: usize,
        rng: &mut R,
    ) -> Result<Self, NnError> {
        let mut l1 = Linear::new(features, hidden, rng)?;
        let mut l2 = Linear::new(hidden, classes, rng)?;
        init::xavier_uniform(&mut l1.w, features, hidden, 1.0, rng);
        init::xavier_uniform(&mut l2.w, hidden, classes, 1.0, rng);
        l1.b = Array1::zeros(hidden);
        l2.b = Array1::zeros(classes);
        Ok(Self {
            l1,
            l2,
            relu: ReLU::new(),
            hidden: Array2::zeros((0, 0)),
        })
    }

    /// Forward pass; returns the logits `Z`.
    // quiz:begin gcn-forward
    pub fn forward(&mut self, a_hat: &Csr, x: &ArrayRef2<f64>) -> Array2<f64> {
        let ax = a_hat.matmul(x); // Â X          (n, F)
        let h = self.relu.forward(&self.l1.forward(&ax)); // ReLU(Â X W⁽⁰⁾)   (n, hidden)
        let ah = a_hat.matmul(&h); //              (n, hidden)
        self.hidden = h;
        self.l2.forward(&ah) //            (n, classes)
    }
    // quiz:end gcn-forward

    /// Backward pass from `dL/dZ`; accumulates the weight gradients. `Â` is symmetric, so the
    /// gradient flows back through an aggregation by the same product: `dL/dH = Â·dL/d(ÂH)`.
    pub fn backward(&mut self, a_hat: &Csr, dz: &ArrayRef2<f64>) {
        let d_ah = self.l2.backward(dz); // (n, hidden)
        let dh = a_hat.matmul(&d_ah); // Âᵀ = Â
        let d_pre = self.relu.backward(&dh);
        self.l1.backward(&d_pre); // dL/d(ÂX) is not needed: X is fixed
    }
}

impl Params<f64> for Gcn {
    /// Order: `W⁽⁰⁾, W⁽¹⁾` — the biases are not trained (they stay 0), as in eq. 9.
    fn visit_params(&mut self, f: &mut dyn FnMut(&mut [f64], &mut [f64])) {
        visit_array(&mut self.l1.w, &mut self.l1.dw, f);
        visit_array(&mut self.l2.w, &mut self.l2.dw, f);
    }
}

/// The rows of `h` projected on their first two principal components (the eigenvectors of the
/// covariance `H_cᵀ H_c / n` with the largest eigenvalues, `H_c` centred): a 2-D picture of
/// the node embedding. A one-column `h` is drawn on a line.
///
/// # Shapes
/// `h`: `(n, d)`; result: `n` points
pub fn principal_plane(h: &Array2<f64>) -> Vec<[f32; 2]> {
    let n = h.nrows().max(1) as f64;
    let centred = h - &h
        .mean_axis(ndarray::Axis(0))
        .unwrap_or_else(|| Array1::zeros(h.ncols()));
    let cov = centred.t().dot(&centred) / n;
    let d = cov.nrows();
    let axes = match super::eigen::jacobi_eigen(&cov, 100) {
        Ok(e) if d >= 2 => e.vectors.slice(ndarray::s![.., d - 2..]).to_owned(), // ascending: last two
        _ => Array2::eye(d).slice(ndarray::s![.., ..1]).to_owned(),
    };
    let p = centred.dot(&axes);
    p.rows()
        .into_iter()
        .map(|r| {
            let last = r.len() - 1;
            [r[last] as f32, if last > 0 { r[0] as f32 } else { 0.0 }]
        })
        .collect()
}

/// Semi-supervised cross-entropy over the labelled nodes only (Kipf & Welling 2017, eq. 10):
/// `L = −(1/|Y_L|) Σ_{l ∈ Y_L} ln softmax(Z_l)[y_l]`. Returns `(L, dL/dZ)`, zero on unlabelled rows.
pub fn masked_cross_entropy(
    z: &Array2<f64>,
    labelled: &[usize],
    labels: &[usize],
) -> (f64, Array2<f64>) {
    let rows = z.select(ndarray::Axis(0), labelled);
    let ys: Vec<usize> = labelled.iter().map(|&i| labels[i]).collect();
    let (loss, g) = crate::nn::loss::softmax_cross_entropy(&rows, &ys);
    let mut dz = Array2::zeros(z.raw_dim());
    for (r, &i) in labelled.iter().enumerate() {
        dz.row_mut(i).assign(&g.row(r));
    }
    (loss, dz)
}

#[cfg(test)]
mod tests {
    use super::super::graph::renormalised_adjacency;
    use super::*;
    use crate::nn::gradcheck;
    use ndarray_rand::rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = StdRng::seed_from_u64(3);
        let edges = [(0, 1), (1, 2), (2, 3), (3, 4), (1, 4)];
        let a = renormalised_adjacency(5, &edges);
        let x = Array2::from_shape_fn((5, 3), |(i, j)| ((i * 3 + j) as f64 * 0.37).sin());
        let mut model = Gcn::new(3, 4, 2, &mut rng).expect("sizes");
        let labels = [0, 0, 1, 1, 1];
        let loss = |m: &mut Gcn| masked_cross_entropy(&m.forward(&a, &x), &[0, 2, 4], &labels);
        let report = gradcheck::gradcheck(
            &mut model,
            &mut [],
            |m, _| loss(m).0,
            |m, _| {
                let dz = loss(m).1;
                m.backward(&a, &dz);
                Vec::new()
            },
            1e-6,
        );
        let err = report.max();
        assert!(err < 1e-6, "relative error {err}");
    }
}
