//! High-frequency content against the real images: the measure of pix2pix's claim that the
//! adversarial term makes outputs sharper than L1 alone (Isola et al. 2017, §3.1, §4.2).
//!
//! L1 alone regresses to the mean of the plausible answers, so its outputs carry **less**
//! high-frequency energy than real images; the PatchGAN term is meant to restore the crisp
//! local structure. "Sharper" on its own is not the claim — checkerboard noise is sharp too —
//! so each model's high-frequency energy is compared with the **real targets'**, and the
//! question is whose gap is smaller.
//!
//! With `Δ` the 5-point Laplacian `Δx[i,j] = 4·x[i,j] − x[i−1,j] − x[i+1,j] − x[i,j−1] − x[i,j+1]`
//! over the interior pixels `Ω` of a band of rows:
//!
//! - `hf(X) = 1/(N·|Ω|) · Σ_n Σ_{(i,j)∈Ω} (Δx_n[i,j])²` for images `X: (N, 1, H, W)`;
//! - `gap(G) = |1 − hf(G(x)) / hf(y)|`, the relative distance to the real images' energy;
//! - `hf_gap_reduction = gap(L1 only) − gap(cGAN + L1)`: positive when the cGAN term brings the
//!   outputs' high-frequency content closer to the real images' than L1 alone.

use super::data::pool2;
use ndarray::{Array4, ArrayRef4, Axis, s};
use std::ops::Range;

/// `hf` of the half the generator invents, at the digits' own resolution: `x: (N, 1, 16, 16)`
/// is 2×2-average-pooled to `(N, 1, 8, 8)` (the targets are 8×8 digits upsampled, so finer
/// detail is not in the real images — and a transposed convolution's pixel-level checkerboard
/// should not count as sharpness), then [`laplacian_energy`] over the bottom rows `4..8` —
/// the half the generator invents; the top half is given in the input and both models copy it
/// through the skips, so it would only dilute the comparison.
pub fn generated_hf(x: &ArrayRef4<f32>) -> f64 {
    let planes = pool2(x);
    let (h, w) = planes.first().map_or((0, 0), |p| p.dim());
    let mut pooled = Array4::zeros((planes.len(), 1, h, w));
    for (mut dst, p) in pooled.axis_iter_mut(Axis(0)).zip(&planes) {
        dst.slice_mut(s![0, .., ..]).assign(p);
    }
    laplacian_energy(&pooled, h / 2..h)
}

/// `hf(X)`: the mean squared 5-point Laplacian of `x: (N, 1, H, W)` over the interior pixels of
/// rows `rows` (the band's own first and last row are not centres, so every neighbour lies in
/// the band). 0 when the band has no interior pixel.
pub fn laplacian_energy(x: &ArrayRef4<f32>, rows: Range<usize>) -> f64 {
    let (n, _, h, w) = x.dim();
    let (top, bottom) = (rows.start + 1, rows.end.min(h).saturating_sub(1));
    let mut total = 0.0;
    let mut count = 0usize;
    for k in 0..n {
        let p = x.index_axis(Axis(0), k);
        let p = p.index_axis(Axis(0), 0);
        for i in top..bottom {
            for j in 1..w.saturating_sub(1) {
                let lap =
                    4.0 * p[[i, j]] - p[[i - 1, j]] - p[[i + 1, j]] - p[[i, j - 1]] - p[[i, j + 1]];
                total += f64::from(lap) * f64::from(lap);
                count += 1;
            }
        }
    }
    total / count.max(1) as f64
}

/// `gap = |1 − hf_out / hf_real|`: 0 when the outputs carry as much high-frequency energy as the
/// real images, 1 when they carry none (or twice as much).
pub fn hf_gap(hf_out: f64, hf_real: f64) -> f64 {
    (1.0 - hf_out / hf_real.max(1e-12)).abs()
}

/// `gap(L1 only) − gap(cGAN + L1)` from the three energies; see the module documentation.
pub fn hf_gap_reduction(hf_cgan: f64, hf_l1: f64, hf_real: f64) -> f64 {
    hf_gap(hf_l1, hf_real) - hf_gap(hf_cgan, hf_real)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, Array4};

    /// A 3×3 box blur (edges clamped) of every image.
    fn blur(x: &Array4<f32>) -> Array4<f32> {
        let (_, _, h, w) = x.dim();
        Array4::from_shape_fn(x.raw_dim(), |(n, c, i, j)| {
            let mut s = 0.0;
            for di in -1i64..=1 {
                for dj in -1i64..=1 {
                    let ii = (i as i64 + di).clamp(0, h as i64 - 1) as usize;
                    let jj = (j as i64 + dj).clamp(0, w as i64 - 1) as usize;
                    s += x[[n, c, ii, jj]];
                }
            }
            s / 9.0
        })
    }

    fn strokes() -> Array4<f32> {
        Array::from_shape_fn((2, 1, 8, 8), |(n, _, i, j)| {
            if (i + n) % 4 == 1 || j == 3 {
                1.0
            } else {
                -1.0
            }
        })
    }

    #[test]
    fn a_single_spike_and_smooth_images() {
        let mut x = Array4::<f32>::zeros((1, 1, 3, 3));
        x[[0, 0, 1, 1]] = 1.0; // one interior pixel: Δ = 4
        assert_eq!(laplacian_energy(&x, 0..3), 16.0);
        // a linear ramp has no curvature; a constant has none either
        let ramp = Array::from_shape_fn((1, 1, 5, 5), |(_, _, i, j)| (i + 2 * j) as f32);
        assert_eq!(laplacian_energy(&ramp, 0..5), 0.0);
        assert_eq!(
            laplacian_energy(&Array4::from_elem((2, 1, 4, 4), 0.3), 0..4),
            0.0
        );
        // a band without interior rows has nothing to measure
        assert_eq!(laplacian_energy(&x, 0..2), 0.0);
    }

    #[test]
    fn blurring_lowers_the_energy_and_the_band_selects_rows() {
        let x = strokes();
        let sharp = laplacian_energy(&x, 0..8);
        let blurred = laplacian_energy(&blur(&x), 0..8);
        assert!(blurred < 0.5 * sharp, "{blurred} vs {sharp}");
        let mut top_only = x.clone();
        top_only.slice_mut(s![.., .., 4.., ..]).fill(0.0);
        assert_eq!(laplacian_energy(&top_only, 4..8), 0.0);
        assert!(laplacian_energy(&top_only, 0..4) > 0.0);
    }

    #[test]
    fn generated_hf_is_the_pooled_bottom_half() {
        // 16×16 images that are 8×8 `strokes()` with every pixel doubled: pooling gives them back
        let small = strokes();
        let big = Array4::from_shape_fn((2, 1, 16, 16), |(n, c, i, j)| small[[n, c, i / 2, j / 2]]);
        let want = laplacian_energy(&small, 4..8);
        assert!(want > 0.0);
        assert!((generated_hf(&big) - want).abs() < 1e-9);
        // detail only in the top (given) half counts for nothing
        let mut top = big.clone();
        top.slice_mut(s![.., .., 8.., ..]).fill(0.0);
        assert_eq!(generated_hf(&top), 0.0);
        // a pixel-level checkerboard (a transposed convolution's artefact) pools away
        let checker =
            Array4::from_shape_fn(
                (1, 1, 16, 16),
                |(_, _, i, j)| {
                    if (i + j) % 2 == 0 { 1.0 } else { -1.0 }
                },
            );
        assert_eq!(generated_hf(&checker), 0.0);
        // blurring the bottom half lowers it
        assert!(generated_hf(&blur(&big)) < generated_hf(&big));
    }

    #[test]
    fn the_gap_rewards_matching_the_real_energy_not_exceeding_it() {
        assert_eq!(hf_gap(2.0, 2.0), 0.0);
        assert_eq!(hf_gap(0.0, 2.0), 1.0);
        assert_eq!(hf_gap(4.0, 2.0), 1.0); // twice too sharp is as far off as blank
        // cGAN at 90 % of the real energy, L1 at 60 %: the gap shrinks by 0.3
        assert!((hf_gap_reduction(0.9, 0.6, 1.0) - 0.3).abs() < 1e-12);
        // overshooting (noise) is no better than blurring by the same amount
        assert!(hf_gap_reduction(1.4, 0.6, 1.0).abs() < 1e-12);
        // a blurred output loses to the real-like one
        let x = strokes();
        let (real, blurred) = (
            laplacian_energy(&x, 0..8),
            laplacian_energy(&blur(&x), 0..8),
        );
        assert!(hf_gap_reduction(real, blurred, real) > 0.5);
        assert!(hf_gap_reduction(blurred, real, real) < -0.5);
    }
}
