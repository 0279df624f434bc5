//! Weight initialisers. Each fills an existing array in place from a seeded generator.
//!
//! `fan_in` / `fan_out` are the numbers of inputs / outputs feeding one unit: `in` / `out` for a
//! [`Linear`](super::Linear), `C_in·kH·kW` / `C_out·kH·kW` for a convolution (each layer has a
//! `fans()` method). A fan of 0 is treated as 1.

use super::Float;
use ndarray::{Array, Array2, ArrayRef1, Axis, Dimension};
use ndarray_rand::rand::Rng;
use ndarray_rand::rand_distr::StandardNormal;

/// `N(mean, std²)` element-wise.
pub fn normal<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    mean: f64,
    std: f64,
    rng: &mut R,
) {
    a.map_inplace(|v| {
        let z: f64 = rng.sample(StandardNormal);
        *v = A::lit(mean + std * z);
    });
}

/// `U(lo, hi)` element-wise.
pub fn uniform<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    lo: f64,
    hi: f64,
    rng: &mut R,
) {
    a.map_inplace(|v| *v = A::lit(lo + (hi - lo) * rng.random::<f64>()));
}

/// `N(0, 0.02²)`: the DCGAN paper's initialisation for all conv and linear weights
/// (Radford et al. 2016, §4).
pub fn dcgan_normal<A: Float, D: Dimension, R: Rng + ?Sized>(a: &mut Array<A, D>, rng: &mut R) {
    normal(a, 0.0, 0.02, rng);
}

/// He (Kaiming) normal: `N(0, 2/fan_in)`, which keeps the activation variance constant through
/// ReLU layers (He et al. 2015, §2.2).
pub fn he_normal<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    fan_in: usize,
    rng: &mut R,
) {
    normal(a, 0.0, (2.0 / fan(fan_in)).sqrt(), rng);
}

/// He (Kaiming) uniform: `U(−√(6/fan_in), √(6/fan_in))`, same variance `2/fan_in`.
pub fn he_uniform<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    fan_in: usize,
    rng: &mut R,
) {
    let bound = (6.0 / fan(fan_in)).sqrt();
    uniform(a, -bound, bound, rng);
}

/// Xavier / Glorot uniform: `U(−b, b)` with `b = gain · √(6 / (fan_in + fan_out))`, variance
/// `gain² · 2/(fan_in + fan_out)` (Glorot & Bengio 2010, eq. 16). `gain = 1` for tanh/sigmoid.
pub fn xavier_uniform<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    fan_in: usize,
    fan_out: usize,
    gain: f64,
    rng: &mut R,
) {
    let bound = gain * (6.0 / fan(fan_in + fan_out)).sqrt();
    uniform(a, -bound, bound, rng);
}

/// Xavier / Glorot normal: `N(0, gain² · 2/(fan_in + fan_out))`.
pub fn xavier_normal<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    fan_in: usize,
    fan_out: usize,
    gain: f64,
    rng: &mut R,
) {
    normal(a, 0.0, gain * (2.0 / fan(fan_in + fan_out)).sqrt(), rng);
}

/// PyTorch's default for `Linear` / `Conv2d` weights and biases: `U(−1/√fan_in, 1/√fan_in)`
/// (Kaiming uniform with `a = √5`, which simplifies to this bound).
pub fn pytorch_default<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    fan_in: usize,
    rng: &mut R,
) {
    let bound = 1.0 / fan(fan_in).sqrt();
    uniform(a, -bound, bound, rng);
}

/// Orthogonal initialisation (Saxe et al. 2014), as PyTorch's `orthogonal_`.
///
/// The array is viewed as a matrix `(shape[0], rest)`; the result has orthonormal rows (if
/// `rows ≤ cols`) or orthonormal columns (if `rows ≥ cols`), times `gain`. It is the `Q` of a
/// Gram–Schmidt QR of a standard normal matrix, which is uniformly (Haar) distributed.
/// Used for RL policy and value heads (gain √2 for hidden layers, 0.01 for the policy output).
pub fn orthogonal<A: Float, D: Dimension, R: Rng + ?Sized>(
    a: &mut Array<A, D>,
    gain: f64,
    rng: &mut R,
) {
    if a.is_empty() {
        return;
    }
    // (shape[0], ...) -> (rows, cols)
    let rows = a.shape().first().copied().unwrap_or(1);
    let cols = a.len() / rows;
    // Orthonormalise the columns of a tall (m, n) matrix Q, m ≥ n. Stored transposed: row j of
    // `qt` (n, m) is column j of Q, so every vector is contiguous (a 512 × 512 layer takes
    // milliseconds, not half a second of strided column access). Q's entries are drawn in
    // Q's row-major order, as before.
    let (m, n) = (rows.max(cols), rows.min(cols));
    let mut qt = Array2::<f64>::zeros((n, m));
    for i in 0..m {
        for j in 0..n {
            qt[[j, i]] = rng.sample(StandardNormal);
        }
    }
    for j in 0..n {
        // modified Gram–Schmidt: remove from vector j its components along the finished ones
        let (done, mut rest) = qt.view_mut().split_at(Axis(0), j);
        let mut v = rest.row_mut(0);
        for qk in done.rows() {
            let proj = column_dot(n, &v, &qk);
            v.zip_mut_with(&qk, |x, &y| *x += -proj * y); // v ← v − proj·q_k
        }
        let norm = column_dot(n, &v, &v).sqrt().max(f64::MIN_POSITIVE);
        v.mapv_inplace(|x| x / norm);
    }
    // Q (m, n) -> (rows, cols): Q itself if tall, Qᵀ = `qt` if wide.
    let q = if rows < cols { qt.view() } else { qt.t() };
    for (v, &o) in a.iter_mut().zip(q.as_standard_layout().iter()) {
        *v = A::lit(gain * o);
    }
}

/// `x · y` summed in the order the column-wise Gram–Schmidt summed it (ndarray's `dot`: one
/// running sum for strided columns, its 8-way unrolled sum when Q has a single, contiguous
/// column), so the weights — and every trained RL run — stay bit for bit what they were.
fn column_dot(n: usize, x: &ArrayRef1<f64>, y: &ArrayRef1<f64>) -> f64 {
    if n == 1 {
        return x.dot(y);
    }
    x.iter().zip(y).fold(0.0, |sum, (a, b)| sum + a * b)
}

fn fan(n: usize) -> f64 {
    n.max(1) as f64
}

#[cfg(test)]
mod orthogonal_tests {
    use super::*;
    use ndarray_rand::rand::SeedableRng;
    use ndarray_rand::rand::rngs::StdRng;

    /// Gram–Schmidt on the columns of Q in place, the straightforward (strided) way.
    fn by_columns(rows: usize, cols: usize, rng: &mut StdRng) -> Array2<f64> {
        let (m, n) = (rows.max(cols), rows.min(cols));
        let mut q = Array2::<f64>::zeros((m, n));
        q.map_inplace(|v| *v = rng.sample(StandardNormal));
        for j in 0..n {
            let (done, mut rest) = q.view_mut().split_at(Axis(1), j);
            let mut col = rest.column_mut(0);
            for qk in done.columns() {
                let proj = col.dot(&qk);
                col.scaled_add(-proj, &qk);
            }
            let norm = col.dot(&col).sqrt().max(f64::MIN_POSITIVE);
            col.mapv_inplace(|v| v / norm);
        }
        if rows < cols { q.reversed_axes() } else { q }
    }

    #[test]
    fn row_wise_gram_schmidt_is_bit_identical_to_the_column_wise_one() {
        for (rows, cols) in [(4, 64), (64, 64), (64, 2), (64, 1), (1, 9), (9, 1), (3, 3)] {
            let mut w = Array2::<f64>::zeros((rows, cols));
            orthogonal(&mut w, 1.0, &mut StdRng::seed_from_u64(7));
            let want = by_columns(rows, cols, &mut StdRng::seed_from_u64(7));
            assert_eq!(w, want, "{rows} × {cols}");
        }
    }
}
