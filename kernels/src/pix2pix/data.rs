//! pix2pix's paired toy task and its image measures.
//!
//! Each 8×8 digit is upsampled to 16×16 (bilinear) to give the target `y`; the input `x` is the
//! same picture with its bottom half masked out. Learning `x → y` means completing the digit
//! from its top half — a task with an exact, paired answer, as pix2pix's tasks are.

use ndarray::{Array2, Array4, ArrayRef4, Axis, s};

/// Side of the upsampled images.
pub const SIDE: usize = 16;
/// Value written over the masked bottom half (mid-grey in `[−1, 1]`, so the mask is visible).
pub const MASK_VALUE: f32 = 0.0;

/// Bilinear resize `(N, C, H, W) -> (N, C, H·f, W·f)` with half-pixel centres and edge clamping,
/// as `torch.nn.functional.interpolate(mode="bilinear", align_corners=False)` and
/// `jax.image.resize(method="bilinear")` upsample: output pixel `o` samples the input at
/// `(o + ½)/f − ½`, clamped to `[0, H − 1]`.
pub fn upsample_bilinear(x: &ArrayRef4<f32>, f: usize) -> Array4<f32> {
    let (n, c, h, w) = x.dim();
    let (oh, ow) = (h * f, w * f);
    // (index below, index above, weight of the one above) for each output coordinate
    let taps = |size: usize, out: usize| -> Vec<(usize, usize, f32)> {
        (0..out)
            .map(|o| {
                let src = ((o as f32 + 0.5) / f as f32 - 0.5).clamp(0.0, (size - 1) as f32);
                let lo = src.floor() as usize;
                let hi = (lo + 1).min(size - 1);
                (lo, hi, src - lo as f32)
            })
            .collect()
    };
    let (ty, tx) = (taps(h, oh), taps(w, ow));
    let mut out = Array4::zeros((n, c, oh, ow));
    for ((i, ch, y, xx), v) in out.indexed_iter_mut() {
        let (y0, y1, wy) = ty[y];
        let (x0, x1, wx) = tx[xx];
        let top = x[[i, ch, y0, x0]] * (1.0 - wx) + x[[i, ch, y0, x1]] * wx;
        let bottom = x[[i, ch, y1, x0]] * (1.0 - wx) + x[[i, ch, y1, x1]] * wx;
        *v = top * (1.0 - wy) + bottom * wy;
    }
    out
}

/// The condition: the target with rows `H/2..H` replaced by [`MASK_VALUE`].
pub fn mask_bottom(y: &ArrayRef4<f32>) -> Array4<f32> {
    let mut x = y.to_owned();
    let h = x.len_of(Axis(2));
    x.slice_mut(s![.., .., h / 2.., ..]).fill(MASK_VALUE);
    x
}

/// 2×2 average pooling `(N, 1, H, W) -> (N, H/2, W/2)` as one `(H/2, W/2)` plane per image.
pub fn pool2(x: &ArrayRef4<f32>) -> Vec<Array2<f32>> {
    x.axis_iter(Axis(0))
        .map(|img| {
            let p = img.index_axis(Axis(0), 0);
            let (h, w) = (p.nrows() / 2, p.ncols() / 2);
            Array2::from_shape_fn((h, w), |(i, j)| {
                (p[[2 * i, 2 * j]]
                    + p[[2 * i + 1, 2 * j]]
                    + p[[2 * i, 2 * j + 1]]
                    + p[[2 * i + 1, 2 * j + 1]])
                    / 4.0
            })
        })
        .collect()
}

/// 16×16 images in `[−1, 1]` back to 8×8 in `[0, 1]` (2×2 average pooling), for the judge.
pub fn for_judge(x: &ArrayRef4<f32>) -> Array4<f32> {
    let planes = pool2(x);
    let (h, w) = planes.first().map_or((0, 0), |p| p.dim());
    let mut out = Array4::zeros((planes.len(), 1, h, w));
    for (i, p) in planes.iter().enumerate() {
        out.slice_mut(s![i, 0, .., ..])
            .assign(&p.mapv(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0)));
    }
    out
}

/// Sharpness: the mean gradient magnitude `√(∂x² + ∂y²)` (forward differences) of each image
/// after 2×2 average pooling, averaged over the images. Pooling first means a transposed
/// convolution's pixel-level checkerboard does not count as "sharp"; only edges at the scale of
/// the digit's strokes do. `rows` restricts it to a band of pooled rows (e.g. the bottom half,
/// which the generator had to invent); differences need both pixels inside the band.
pub fn sharpness(x: &ArrayRef4<f32>, rows: std::ops::Range<usize>) -> f64 {
    let planes = pool2(x);
    let mut total = 0.0;
    let mut count = 0usize;
    for p in &planes {
        let (h, w) = p.dim();
        for i in rows.start..rows.end.min(h) {
            for j in 0..w {
                let (Some(&right), Some(&down)) = (
                    p.get([i, j + 1]),
                    p.get([i + 1, j]).filter(|_| i + 1 < rows.end),
                ) else {
                    continue;
                };
                let (gx, gy) = (f64::from(right - p[[i, j]]), f64::from(down - p[[i, j]]));
                total += (gx * gx + gy * gy).sqrt();
                count += 1;
            }
        }
    }
    total / count.max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array;

    #[test]
    fn upsampling_keeps_constants_and_interpolates_between_pixels() {
        let c = Array4::from_elem((1, 1, 3, 3), 0.7f32);
        assert!(
            upsample_bilinear(&c, 2)
                .iter()
                .all(|&v| (v - 0.7).abs() < 1e-6)
        );
        let ramp = Array::from_shape_fn((1, 1, 1, 2), |(_, _, _, j)| j as f32);
        let up = upsample_bilinear(&ramp, 2); // samples at −0.25 (clamped), 0.25, 0.75, 1.25
        assert_eq!(up.dim(), (1, 1, 2, 4));
        let row: Vec<f32> = up.iter().take(4).copied().collect();
        assert_eq!(row, vec![0.0, 0.25, 0.75, 1.0]);
    }

    #[test]
    fn mask_and_pooling() {
        let y = Array::from_shape_fn((1, 1, 4, 4), |(_, _, i, j)| (i * 4 + j) as f32);
        let x = mask_bottom(&y);
        assert_eq!(x[[0, 0, 1, 3]], 7.0);
        assert_eq!(x[[0, 0, 2, 0]], MASK_VALUE);
        let p = pool2(&y);
        assert_eq!(p[0][[0, 0]], 2.5);
        assert_eq!(p[0][[1, 1]], 12.5);
        // pooled 2×2: gx = 2, gy = 8 at (0, 0) only
        assert!((sharpness(&y, 0..2) - 68f64.sqrt()).abs() < 1e-9);
        assert_eq!(sharpness(&Array4::zeros((2, 1, 4, 4)), 0..2), 0.0);
    }
}
