//! The symmetric eigenproblem `A = U Λ Uᵀ` by the cyclic Jacobi method.
//!
//! Jacobi (1846) diagonalises a symmetric matrix by plane rotations: each rotation `J(p, q, θ)`
//! zeroes one off-diagonal pair, `A ← Jᵀ A J`, and the eigenvectors are the product of all
//! rotations, `U = J₁ J₂ ⋯`. One *sweep* visits every pair `p < q` once; the off-diagonal mass
//! `off(A) = (Σ_{i≠j} a_ij²)^½` falls by exactly `2 a_pq²` per rotation and, near the end,
//! quadratically per sweep (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5,
//! Algorithms 8.5.1–8.5.3). Each rotation touches two rows and two columns, `O(n)` work, so a
//! sweep costs `O(n³)` — the cost the spectral approach to graph convolution pays.
//!
//! Chosen over a library solver (e.g. nalgebra's `SymmetricEigen`, Householder
//! tridiagonalisation + implicit QR) because it is short enough to read in full, needs no new
//! dependency, and is accurate to a few ulps of `‖A‖` even for the repeated eigenvalues a
//! graph Laplacian has; it is several times slower than LAPACK for large `n`, which the cost
//! table in the `gcn` kernel states.

use ndarray::{Array1, Array2, ArrayRef2};

/// Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.
///
/// # Shapes
/// `values`: `(n,)`; `vectors`: `(n, n)`, column `k` is the eigenvector of `values[k]`
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetricEigen {
    pub values: Array1<f64>,
    pub vectors: Array2<f64>,
    /// Sweeps the Jacobi iteration needed.
    pub sweeps: usize,
    /// Plane rotations applied in total.
    pub rotations: usize,
}

/// Why the solver gave up.
#[derive(Debug, Clone, PartialEq)]
pub enum EigenError {
    /// The input is not square or not symmetric (to `1e-12` relative), or not finite.
    NotSymmetric,
    /// `off(A)` was still above tolerance after this many sweeps.
    NoConvergence(usize),
    /// The caller's `keep_going` asked to stop ([`jacobi_eigen_until`]).
    Stopped,
}

impl std::fmt::Display for EigenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotSymmetric => f.write_str("the matrix is not square, symmetric and finite"),
            Self::NoConvergence(s) => write!(f, "Jacobi did not converge in {s} sweeps"),
            Self::Stopped => f.write_str("stopped before converging"),
        }
    }
}

/// Decomposes the symmetric matrix `a` (see the module documentation).
///
/// Sweeps until `off(A) ≤ 1e-15·‖A‖_F`; a rotation is skipped when `|a_pq|` is already below
/// `1e-18·‖A‖_F`. Each eigenvector's sign is fixed so its largest-magnitude entry is positive.
pub fn jacobi_eigen(a: &ArrayRef2<f64>, max_sweeps: usize) -> Result<SymmetricEigen, EigenError> {
    jacobi_eigen_until(a, max_sweeps, &mut || true)
}

/// [`jacobi_eigen`] that asks `keep_going` before each row `p` of a sweep (`n − p − 1`
/// rotations, `O(n²)` work) and returns [`EigenError::Stopped`] when it answers `false`: a
/// sweep of a large matrix takes seconds, and a viewer may cancel meanwhile.
pub fn jacobi_eigen_until(
    a: &ArrayRef2<f64>,
    max_sweeps: usize,
    keep_going: &mut dyn FnMut() -> bool,
) -> Result<SymmetricEigen, EigenError> {
    let n = a.nrows();
    if a.ncols() != n || a.iter().any(|v| !v.is_finite()) {
        return Err(EigenError::NotSymmetric);
    }
    let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
    if (0..n).any(|i| (0..i).any(|j| (a[[i, j]] - a[[j, i]]).abs() > 1e-12 * norm.max(1.0))) {
        return Err(EigenError::NotSymmetric);
    }
    // Row-major working copies: `m` is A, row k of `vt` is column k of U.
    let mut m: Vec<f64> = a.iter().copied().collect();
    let mut vt: Vec<f64> = Array2::<f64>::eye(n).into_iter().collect();
    let off = |m: &[f64]| -> f64 {
        (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j].powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let (mut sweeps, mut rotations) = (0, 0);
    while off(&m) > 1e-15 * norm {
        if sweeps == max_sweeps {
            return Err(EigenError::NoConvergence(sweeps));
        }
        sweeps += 1;
        for p in 0..n {
            if !keep_going() {
                return Err(EigenError::Stopped);
            }
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq.abs() <= 1e-18 * norm {
                    continue;
                }
                rotate(&mut m, &mut vt, n, p, q);
                rotations += 1;
            }
        }
    }
    // Sort ascending; fix signs.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| m[i * n + i].total_cmp(&m[j * n + j]));
    let values = Array1::from_iter(order.iter().map(|&k| m[k * n + k]));
    let mut vectors = Array2::zeros((n, n));
    for (col, &k) in order.iter().enumerate() {
        let row = &vt[k * n..(k + 1) * n];
        let big = row
            .iter()
            .fold(0.0f64, |b, &v| if v.abs() > b.abs() { v } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for (i, &v) in row.iter().enumerate() {
            vectors[[i, col]] = sign * v;
        }
    }
    Ok(SymmetricEigen {
        values,
        vectors,
        sweeps,
        rotations,
    })
}

/// One Jacobi rotation zeroing `a_pq` (Golub & Van Loan Alg. 8.5.1 `sym.schur2`):
/// `τ = (a_qq − a_pp)/(2a_pq)`, `t = sign(τ)/(|τ| + √(1 + τ²))` (the smaller angle),
/// `c = 1/√(1 + t²)`, `s = t·c`; then `A ← Jᵀ A J` and `U ← U J`.
fn rotate(m: &mut [f64], vt: &mut [f64], n: usize, p: usize, q: usize) {
    let (app, aqq, apq) = (m[p * n + p], m[q * n + q], m[p * n + q]);
    let tau = (aqq - app) / (2.0 * apq);
    let t = if tau.abs() > 1e150 {
        0.5 / tau // τ² would overflow; t ≈ 1/(2τ)
    } else {
        tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt())
    };
    let c = 1.0 / (1.0 + t * t).sqrt();
    let s = t * c;
    // Rows p and q of A (contiguous): a'_pk = c·a_pk − s·a_qk, a'_qk = s·a_pk + c·a_qk ...
    rotate_rows(m, n, p, q, c, s);
    // ... and, A being symmetric, columns p and q are the same numbers.
    for k in 0..n {
        if k != p && k != q {
            m[k * n + p] = m[p * n + k];
            m[k * n + q] = m[q * n + k];
        }
    }
    m[p * n + p] = app - t * apq;
    m[q * n + q] = aqq + t * apq;
    m[p * n + q] = 0.0;
    m[q * n + p] = 0.0;
    // Columns p and q of U are rows p and q of Uᵀ.
    rotate_rows(vt, n, p, q, c, s);
}

/// `(row_p, row_q) ← (c·row_p − s·row_q, s·row_p + c·row_q)` of an `n × n` row-major matrix.
fn rotate_rows(m: &mut [f64], n: usize, p: usize, q: usize, c: f64, s: f64) {
    let (head, tail) = m.split_at_mut(q * n);
    let (rp, rq) = (&mut head[p * n..(p + 1) * n], &mut tail[..n]);
    for (x, y) in rp.iter_mut().zip(rq.iter_mut()) {
        let (a, b) = (*x, *y);
        *x = c * a - s * b;
        *y = s * a + c * b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_by_two_closed_form() {
        // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1, −1)/√2 and (1, 1)/√2.
        let e = jacobi_eigen(&array![[2.0, 1.0], [1.0, 2.0]], 10).expect("converges");
        assert!((e.values[0] - 1.0).abs() < 1e-15 && (e.values[1] - 3.0).abs() < 1e-15);
        let h = 1.0 / 2f64.sqrt();
        assert!((e.vectors[[0, 1]] - h).abs() < 1e-15 && (e.vectors[[1, 1]] - h).abs() < 1e-15);
        assert_eq!(e.rotations, 1);
    }

    #[test]
    fn reconstructs_a_random_symmetric_matrix() {
        let n = 9;
        let b = Array2::from_shape_fn((n, n), |(i, j)| ((i * 7 + j * 3) % 11) as f64 - 5.0);
        let a = &b + &b.t();
        let e = jacobi_eigen(&a, 50).expect("converges");
        let back = e
            .vectors
            .dot(&Array2::from_diag(&e.values))
            .dot(&e.vectors.t());
        assert!((&back - &a).iter().all(|v| v.abs() < 1e-12), "A = UΛUᵀ");
        let gram = e.vectors.t().dot(&e.vectors);
        assert!(
            (gram - Array2::<f64>::eye(n))
                .iter()
                .all(|v| v.abs() < 1e-13),
            "UᵀU = I"
        );
        assert!(e.values.windows(2).into_iter().all(|w| w[0] <= w[1]));
        assert!(e.sweeps <= 12, "quadratic convergence: {} sweeps", e.sweeps);
    }

    #[test]
    fn rejects_non_symmetric_input() {
        assert_eq!(
            jacobi_eigen(&array![[1.0, 2.0], [0.0, 1.0]], 10),
            Err(EigenError::NotSymmetric)
        );
        assert_eq!(
            jacobi_eigen(&array![[f64::NAN]], 10),
            Err(EigenError::NotSymmetric)
        );
    }
}
