//! The spectral view of graph convolution and its Chebyshev bridge to the spatial view.
//!
//! With the normalised Laplacian `L = U Λ Uᵀ` (eigenvalues `0 = λ₀ ≤ … ≤ λ_{n−1} ≤ 2`), the
//! eigenvectors play the role of Fourier modes: small `λ` ↔ signals that vary slowly across
//! edges, large `λ` ↔ signals that flip sign between neighbours.
//!
//! - Graph Fourier transform `x̂ = Uᵀ x`, inverse `x = U x̂` (Hammond et al. 2011, §3.1, eqs. 8–9).
//! - Spectral filtering `y = g_θ ⋆ x = U g_θ(Λ) Uᵀ x` (Defferrard et al. 2016, §2.1, eq. 3):
//!   multiply each frequency by `g(λ)`, go back. Needs all of `U` — `O(n³)` to get, `O(n²)` per
//!   signal to apply.
//! - Chebyshev approximation (Hammond et al. 2011, §6, eqs. 58–60; Defferrard et al. 2016,
//!   §2.1, eqs. 4–5): `g(λ) ≈ ½c₀ + Σ_{k=1}^{K} c_k T_k(λ̃)` with `λ̃ = 2λ/λ_max − 1`, hence
//!   `y ≈ ½c₀ x + Σ_k c_k T_k(L̃) x`, `L̃ = 2L/λ_max − I`, evaluated by the recurrence
//!   `T_k(L̃)x = 2 L̃ T_{k−1}(L̃)x − T_{k−2}(L̃)x`: `K` sparse products, no eigenvectors, and
//!   `K`-hop local — the filter only mixes nodes at most `K` edges apart.

use super::eigen::SymmetricEigen;
use super::graph::Csr;
use ndarray::{Array1, ArrayRef1};

/// Graph Fourier transform `x̂ = Uᵀ x`.
///
/// # Shapes
/// `x`: `(n,)` → `x̂`: `(n,)`, entry `k` belongs to eigenvalue `λ_k`
pub fn gft(eig: &SymmetricEigen, x: &ArrayRef1<f64>) -> Array1<f64> {
    eig.vectors.t().dot(x)
}

/// Inverse graph Fourier transform `x = U x̂`.
pub fn inverse_gft(eig: &SymmetricEigen, x_hat: &ArrayRef1<f64>) -> Array1<f64> {
    eig.vectors.dot(x_hat)
}

/// Spectral filtering `y = U g(Λ) Uᵀ x`: transform, scale frequency `k` by `g(λ_k)`, invert.
pub fn spectral_filter(
    eig: &SymmetricEigen,
    g: impl Fn(f64) -> f64,
    x: &ArrayRef1<f64>,
) -> Array1<f64> {
    let mut x_hat = gft(eig, x);
    for (v, &lam) in x_hat.iter_mut().zip(&eig.values) {
        *v *= g(lam);
    }
    inverse_gft(eig, &x_hat)
}

/// Chebyshev coefficients `c_k = (2/π) ∫₀^π cos(kθ) g(a(cos θ + 1)) dθ`, `a = λ_max/2`,
/// `k = 0..=K` (Hammond et al. 2011, eq. 60), by `N`-point Gauss–Chebyshev quadrature
/// `c_k ≈ (2/N) Σ_{j=1}^{N} cos(kθ_j) g(a(cos θ_j + 1))`, `θ_j = π(j − ½)/N`, which is exact
/// for the degree-`< 2N − k` part of `g`; `N = max(4(K + 1), 64)` leaves an error far below
/// the truncation error of the series.
pub fn chebyshev_coefficients(g: impl Fn(f64) -> f64, k_max: usize, lambda_max: f64) -> Vec<f64> {
    let nq = (4 * (k_max + 1)).max(64);
    let a = lambda_max / 2.0;
    let samples: Vec<(f64, f64)> = (1..=nq)
        .map(|j| {
            let theta = std::f64::consts::PI * (j as f64 - 0.5) / nq as f64;
            (theta, g(a * (theta.cos() + 1.0)))
        })
        .collect();
    (0..=k_max)
        .map(|k| {
            2.0 / nq as f64
                * samples
                    .iter()
                    .map(|&(th, gv)| (k as f64 * th).cos() * gv)
                    .sum::<f64>()
        })
        .collect()
}

/// The truncated series evaluated at one `λ`: `½c₀ + Σ_k c_k T_k(2λ/λ_max − 1)`.
pub fn chebyshev_eval(coeffs: &[f64], lambda: f64, lambda_max: f64) -> f64 {
    let t = 2.0 * lambda / lambda_max - 1.0;
    let (mut t_prev, mut t_cur) = (1.0, t);
    let mut y = 0.5 * coeffs.first().copied().unwrap_or(0.0);
    for (k, &c) in coeffs.iter().enumerate().skip(1) {
        if k > 1 {
            (t_prev, t_cur) = (t_cur, 2.0 * t * t_cur - t_prev);
        }
        y += c * t_cur;
    }
    y
}

/// `y = ½c₀ x + Σ_{k=1}^{K} c_k T_k(L̃) x` with `L̃ = 2L/λ_max − I`, by the three-term
/// recurrence on vectors: `K` sparse products with `L`, `O(K·|E|)` work, no eigenvectors.
///
/// # Shapes
/// `laplacian`: `(n, n)` sparse; `x`, result: `(n,)`
// quiz:begin cheb-recurrence
pub fn chebyshev_filter(
    laplacian: &Csr,
    coeffs: &[f64],
    lambda_max: f64,
    x: &ArrayRef1<f64>,
) -> Array1<f64> {
    // L̃ v = (2/λ_max)·L v − v
    let l_tilde = |v: &Array1<f64>| laplacian.matvec(v) * (2.0 / lambda_max) - v;
    let mut t_prev = x.to_owned(); // T₀(L̃)x = x
    let mut y = &t_prev * (0.5 * coeffs.first().copied().unwrap_or(0.0));
    if coeffs.len() < 2 {
        return y;
    }
    let mut t_cur = l_tilde(&t_prev); // T₁(L̃)x = L̃x
    y.scaled_add(coeffs[1], &t_cur);
    for &c in &coeffs[2..] {
        let t_next = l_tilde(&t_cur) * 2.0 - &t_prev; // T_k(L̃)x from the two previous terms
        y.scaled_add(c, &t_next);
        (t_prev, t_cur) = (t_cur, t_next);
    }
    y
}
// quiz:end cheb-recurrence

#[cfg(test)]
mod tests {
    use super::super::eigen::jacobi_eigen;
    use super::super::graph::normalised_laplacian;
    use super::*;
    use ndarray::array;

    #[test]
    fn chebyshev_series_of_a_polynomial_is_exact() {
        // g(λ) = λ² on [0, 2] is a degree-2 polynomial: K = 2 reproduces it exactly.
        let c = chebyshev_coefficients(|l| l * l, 2, 2.0);
        for lam in [0.0, 0.3, 1.0, 1.7, 2.0] {
            assert!((chebyshev_eval(&c, lam, 2.0) - lam * lam).abs() < 1e-13);
        }
    }

    #[test]
    fn filter_by_recurrence_equals_filter_by_eigenvectors_for_polynomials() {
        // A 5-cycle; g(λ) = 1 − λ/2 + λ³/8 is a cubic, so K = 3 is exact.
        let edges = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)];
        let l = normalised_laplacian(5, &edges);
        let eig = jacobi_eigen(&l.to_dense(), 50).expect("converges");
        let g = |x: f64| 1.0 - x / 2.0 + x.powi(3) / 8.0;
        let x = array![1.0, -2.0, 0.5, 3.0, 0.0];
        let exact = spectral_filter(&eig, g, &x);
        let cheb = chebyshev_filter(&l, &chebyshev_coefficients(g, 3, 2.0), 2.0, &x);
        assert!((exact - cheb).iter().all(|v| v.abs() < 1e-12));
        // The transform is orthonormal (Parseval) and invertible.
        let x_hat = gft(&eig, &x);
        assert!((x_hat.dot(&x_hat) - x.dot(&x)).abs() < 1e-12);
        assert!(
            (inverse_gft(&eig, &x_hat) - &x)
                .iter()
                .all(|v| v.abs() < 1e-13)
        );
    }
}
