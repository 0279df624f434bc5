//! How good is an embedding? Recall@1 on held-out digits, intra- / inter-class distances, and
//! the baseline the learned embedding must beat: a 2-D PCA of the raw pixels.

use ndarray::{Array1, Array2, ArrayRef2, Axis};

/// Recall@1 (Song et al. 2016's retrieval measure): every test embedding in turn is a query;
/// its nearest neighbour (Euclidean) among the *other* test embeddings is retrieved, and the
/// query counts as recalled if that neighbour has the same class. Returns the recalled fraction.
///
/// # Shapes
/// `emb (N, D)`, `labels (N,)`
pub fn recall_at_1(emb: &ArrayRef2<f32>, labels: &[u8]) -> f64 {
    let n = emb.nrows();
    if n < 2 {
        return 0.0;
    }
    let d = pairwise_sq_dist(emb);
    let hits = (0..n)
        .filter(|&i| {
            let nearest = (0..n)
                .filter(|&j| j != i)
                .min_by(|&a, &b| d[[i, a]].total_cmp(&d[[i, b]]));
            nearest.is_some_and(|j| labels[j] == labels[i])
        })
        .count();
    hits as f64 / n as f64
}

/// All squared Euclidean distances `‖e_i − e_j‖²`, `(N, D) → (N, N)`, via
/// `‖a‖² + ‖b‖² − 2 a·b` (clamped at 0 against rounding).
pub fn pairwise_sq_dist(emb: &ArrayRef2<f32>) -> Array2<f32> {
    let sq: Array1<f32> = emb.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut d = emb.dot(&emb.t()) * -2.0;
    for ((i, j), v) in d.indexed_iter_mut() {
        *v = (*v + sq[i] + sq[j]).max(0.0);
    }
    d
}

/// Mean Euclidean distance over all same-class pairs (`intra`) and all different-class pairs
/// (`inter`) of a set of embeddings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassDistances {
    pub intra: f64,
    pub inter: f64,
}

impl ClassDistances {
    pub fn of(emb: &ArrayRef2<f32>, labels: &[u8]) -> Self {
        let d = pairwise_sq_dist(emb);
        let (mut intra, mut n_intra, mut inter, mut n_inter) = (0.0, 0usize, 0.0, 0usize);
        for i in 0..emb.nrows() {
            for j in i + 1..emb.nrows() {
                let dist = f64::from(d[[i, j]]).sqrt();
                if labels[i] == labels[j] {
                    intra += dist;
                    n_intra += 1;
                } else {
                    inter += dist;
                    n_inter += 1;
                }
            }
        }
        Self {
            intra: intra / n_intra.max(1) as f64,
            inter: inter / n_inter.max(1) as f64,
        }
    }

    /// `intra / inter`: scale-free, so it can be compared across epochs and methods.
    pub fn ratio(&self) -> f64 {
        self.intra / self.inter.max(f64::MIN_POSITIVE)
    }
}

/// Principal component analysis fitted on `train (N, D)`: the mean and the top `k` eigenvectors
/// of the covariance matrix, found by power iteration with deflation (the covariance of 64
/// pixels is a 64×64 symmetric matrix, so a few hundred iterations are plenty).
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    pub mean: Array1<f64>,
    /// `(D, k)`, orthonormal columns, in order of decreasing variance.
    pub components: Array2<f64>,
}

impl Pca {
    pub fn fit(train: &ArrayRef2<f32>, k: usize) -> Self {
        let x = train.mapv(f64::from);
        let mean = x
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(x.ncols()));
        let centred = &x - &mean;
        let mut cov = centred.t().dot(&centred) / (x.nrows().max(2) - 1) as f64; // (D, D)
        let dim = cov.nrows();
        let mut components = Array2::zeros((dim, k));
        for c in 0..k {
            // deterministic start: the all-ones direction tilted by the component index
            let mut v = Array1::from_shape_fn(dim, |i| 1.0 + ((i * (c + 1)) % 7) as f64);
            for _ in 0..500 {
                let w = cov.dot(&v);
                let norm = w.dot(&w).sqrt();
                if norm <= f64::MIN_POSITIVE {
                    break;
                }
                v = w / norm;
            }
            let lambda = v.dot(&cov.dot(&v));
            // deflate: remove the found direction so the next iteration finds the next one
            let outer = v
                .view()
                .insert_axis(Axis(1))
                .dot(&v.view().insert_axis(Axis(0)));
            cov.scaled_add(-lambda, &outer);
            components.column_mut(c).assign(&v);
        }
        Self { mean, components }
    }

    /// Projects `x (N, D)` onto the components: `(x − mean) · components → (N, k)`.
    pub fn transform(&self, x: &ArrayRef2<f32>) -> Array2<f32> {
        (x.mapv(f64::from) - &self.mean)
            .dot(&self.components)
            .mapv(|v| v as f32)
    }
}

/// An embedding's rows as scatter points (the first two coordinates).
pub fn scatter_points(emb: &ArrayRef2<f32>) -> Vec<[f32; 2]> {
    emb.rows()
        .into_iter()
        .map(|r| [r[0], r.get(1).copied().unwrap_or(0.0)])
        .collect()
}

/// Class ids for a scatter plot.
pub fn scatter_classes(labels: &[u8]) -> Vec<u16> {
    labels.iter().map(|&l| u16::from(l)).collect()
}
