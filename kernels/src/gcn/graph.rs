//! Graphs as sparse matrices: the adjacency `A`, Kipf & Welling's renormalised adjacency
//! `Â = D̃^−½ (A + I) D̃^−½` and the symmetric normalised Laplacian `L = I − D^−½ A D^−½`.
//!
//! A graph convolution only ever multiplies by such a matrix, and each row has as many
//! non-zeros as the node has neighbours (+1), so the product costs `O(|E|·F)` — the reason the
//! spatial approach scales and the spectral one (an `O(n³)` eigendecomposition) does not.

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2};
use ndarray_rand::rand::Rng;

/// A square sparse matrix in compressed sparse row (CSR) form.
///
/// Row `i` holds `values[indptr[i]..indptr[i + 1]]` at columns `indices[indptr[i]..indptr[i + 1]]`.
///
/// # Shapes
/// `(n, n)` with `nnz` stored entries; `indptr` has `n + 1` entries
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    pub n: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<usize>,
    pub values: Vec<f64>,
}

impl Csr {
    /// The symmetric matrix with `off` at `(u, v)` and `(v, u)` for every edge and `diag[i]` on
    /// the diagonal (a zero diagonal entry is not stored). Edges must have `u ≠ v`, both `< n`.
    pub fn symmetric(
        n: usize,
        edges: &[(usize, usize)],
        off: impl Fn(usize, usize) -> f64,
        diag: impl Fn(usize) -> f64,
    ) -> Self {
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for &(u, v) in edges {
            rows[u].push((v, off(u, v)));
            rows[v].push((u, off(v, u)));
        }
        for (i, row) in rows.iter_mut().enumerate() {
            let d = diag(i);
            if d != 0.0 {
                row.push((i, d));
            }
            row.sort_unstable_by_key(|&(j, _)| j);
        }
        let mut m = Self {
            n,
            indptr: Vec::with_capacity(n + 1),
            indices: Vec::new(),
            values: Vec::new(),
        };
        m.indptr.push(0);
        for row in rows {
            for (j, v) in row {
                m.indices.push(j);
                m.values.push(v);
            }
            m.indptr.push(m.indices.len());
        }
        m
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.values.len()
    }

    /// `y = M x` for a batch of column signals: `(n, n)·(n, F) -> (n, F)`, `nnz·F` multiply-adds.
    ///
    /// # Panics
    /// If `x` does not have `n` rows.
    pub fn matmul(&self, x: &ArrayRef2<f64>) -> Array2<f64> {
        self.matmul_counted(x).0
    }

    /// [`Csr::matmul`], also returning the multiply-adds the loop performed, counted as it
    /// performs them (one per stored entry visited and feature column).
    ///
    /// # Panics
    /// If `x` does not have `n` rows.
    pub fn matmul_counted(&self, x: &ArrayRef2<f64>) -> (Array2<f64>, u64) {
        assert_eq!(
            x.nrows(),
            self.n,
            "Csr::matmul: x has {} rows, matrix is {}×{}",
            x.nrows(),
            self.n,
            self.n
        );
        let mut y = Array2::zeros((self.n, x.ncols()));
        let mut multiply_adds = 0u64;
        for (i, mut yi) in y.rows_mut().into_iter().enumerate() {
            for k in self.indptr[i]..self.indptr[i + 1] {
                yi.scaled_add(self.values[k], &x.row(self.indices[k])); // y_i += M_ij x_j
                multiply_adds += x.ncols() as u64;
            }
        }
        (y, multiply_adds)
    }

    /// `y = M x` for one signal: `(n, n)·(n,) -> (n,)`.
    ///
    /// # Panics
    /// If `x` does not have `n` entries.
    pub fn matvec(&self, x: &ArrayRef1<f64>) -> Array1<f64> {
        assert_eq!(x.len(), self.n, "Csr::matvec: length mismatch");
        Array1::from_shape_fn(self.n, |i| {
            (self.indptr[i]..self.indptr[i + 1])
                .map(|k| self.values[k] * x[self.indices[k]])
                .sum()
        })
    }

    /// The same matrix, dense.
    pub fn to_dense(&self) -> Array2<f64> {
        let mut d = Array2::zeros((self.n, self.n));
        for i in 0..self.n {
            for k in self.indptr[i]..self.indptr[i + 1] {
                d[[i, self.indices[k]]] = self.values[k];
            }
        }
        d
    }
}

/// Node degrees `d_i = Σ_j A_ij` of an unweighted graph.
pub fn degrees(n: usize, edges: &[(usize, usize)]) -> Vec<f64> {
    let mut d = vec![0.0; n];
    for &(u, v) in edges {
        d[u] += 1.0;
        d[v] += 1.0;
    }
    d
}

/// `d^−½`, with 0 for an isolated node (as networkx does).
fn inv_sqrt(d: f64) -> f64 {
    if d > 0.0 { 1.0 / d.sqrt() } else { 0.0 }
}

/// The renormalised adjacency `Â = D̃^−½ Ã D̃^−½` with `Ã = A + I`, `D̃_ii = Σ_j Ã_ij = d_i + 1`
/// (Kipf & Welling 2017, §2, eq. 2 and the "renormalization trick" below eq. 8). Its
/// eigenvalues lie in `(−1, 1]`, so repeated products neither explode nor vanish.
pub fn renormalised_adjacency(n: usize, edges: &[(usize, usize)]) -> Csr {
    let s: Vec<f64> = degrees(n, edges)
        .iter()
        .map(|d| inv_sqrt(d + 1.0))
        .collect();
    Csr::symmetric(n, edges, |u, v| s[u] * s[v], |i| s[i] * s[i])
}

/// The symmetric normalised Laplacian `L = D^−½ (D − A) D^−½ = I − D^−½ A D^−½` (Hammond et al.
/// 2011, §5; Defferrard et al. 2016, §2.1). Symmetric positive semi-definite, eigenvalues in
/// `[0, 2]`; an isolated node gets a zero row.
pub fn normalised_laplacian(n: usize, edges: &[(usize, usize)]) -> Csr {
    let d = degrees(n, edges);
    let s: Vec<f64> = d.iter().map(|&d| inv_sqrt(d)).collect();
    Csr::symmetric(
        n,
        edges,
        |u, v| -s[u] * s[v],
        |i| if d[i] > 0.0 { 1.0 } else { 0.0 },
    )
}

/// A connected random graph on `n ≥ 3` nodes with mean degree about `mean_degree`: a ring (so
/// nothing is isolated) plus `n·(mean_degree − 2)/2` edges between uniformly drawn pairs,
/// without duplicates or self-loops. Returns edges `(u, v)` with `u < v`.
pub fn random_graph<R: Rng + ?Sized>(
    n: usize,
    mean_degree: usize,
    rng: &mut R,
) -> Vec<(usize, usize)> {
    let mut set = std::collections::BTreeSet::new();
    for i in 0..n {
        let j = (i + 1) % n;
        set.insert((i.min(j), i.max(j)));
    }
    let extra = n * mean_degree.saturating_sub(2) / 2;
    let max_edges = n * (n - 1) / 2;
    let target = (n + extra).min(max_edges);
    while set.len() < target {
        let (u, v) = (rng.random_range(0..n), rng.random_range(0..n));
        if u != v {
            set.insert((u.min(v), u.max(v)));
        }
    }
    set.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn path_graph_matrices() {
        // 0 — 1 — 2: degrees 1, 2, 1.
        let e = [(0, 1), (1, 2)];
        let l = normalised_laplacian(3, &e).to_dense();
        let h = 1.0 / 2f64.sqrt();
        let want = array![[1.0, -h, 0.0], [-h, 1.0, -h], [0.0, -h, 1.0]];
        assert!((l - want).iter().all(|v| v.abs() < 1e-15));
        let a = renormalised_adjacency(3, &e);
        // D̃ = diag(2, 3, 2): Â_01 = 1/√6, Â_11 = 1/3.
        let d = a.to_dense();
        assert!(
            (d[[0, 1]] - 1.0 / 6f64.sqrt()).abs() < 1e-15 && (d[[1, 1]] - 1.0 / 3.0).abs() < 1e-15
        );
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        assert!((a.matmul(&x) - d.dot(&x)).iter().all(|v| v.abs() < 1e-14));
        assert!(
            (a.matvec(&x.column(0)) - d.dot(&x.column(0)))
                .iter()
                .all(|v| v.abs() < 1e-14)
        );
    }

    #[test]
    fn random_graph_is_simple_and_has_the_mean_degree() {
        use ndarray_rand::rand::{SeedableRng, rngs::StdRng};
        let e = random_graph(200, 8, &mut StdRng::seed_from_u64(1));
        assert_eq!(e.len(), 200 * 8 / 2);
        assert!(e.iter().all(|&(u, v)| u < v && v < 200));
        assert!(degrees(200, &e).iter().all(|&d| d >= 2.0));
    }
}
