//! What the generative kernels (gan, dcgan, cgan, pix2pix) share: turning batches of images into sample grids,
//! histograms of the discriminator's outputs, and the digits rescaled for a tanh generator.
//!
//! The training loops themselves stay in each kernel's file, where a learner reads them.

use crate::KernelError;
use crate::data::digits::{self, Digits};
use crate::nn::activation::sigmoid;
use crate::trace::{Histogram, Image, Palette, Table};
use ndarray::{Array4, ArrayRef4, Axis};

/// Whether iteration `it` (1-based) of `total` is one of `count` evenly spaced checkpoints; the
/// last iteration always is.
pub fn is_checkpoint(it: usize, total: usize, count: usize) -> bool {
    let total = total.max(1);
    it == total || (it * count) / total != ((it - 1) * count) / total
}

/// `Ok(())` if `value` is finite and `|value| ≤ limit`, otherwise [`KernelError::Diverged`]
/// naming `what` and the training `step`.
///
/// Adversarial training with an absurd learning rate rarely produces NaN here — the stable
/// `bce_with_logits`, tanh and BatchNorm keep every number finite — it *explodes*: the
/// generator's outputs run off to ±10⁴ or D's logits to ±10⁶ while D wins perfectly. `limit` is
/// far outside anything a working run produces, so crossing it is divergence.
pub fn check_bounded(
    what: &str,
    value: f64,
    limit: f64,
    step: usize,
    hint: &str,
) -> Result<(), KernelError> {
    KernelError::check_finite(what, value, step, hint)?;
    if value.abs() > limit {
        return Err(KernelError::Diverged {
            what: format!(
                "{what} exploded to {} (limit ±{limit})",
                crate::trace::fmt_num(value)
            ),
            step,
            hint: hint.to_string(),
        });
    }
    Ok(())
}

/// The digits `(N, 1, 8, 8)` with pixels rescaled from `[0, 1]` to `[−1, 1]`, the range of a
/// generator that ends in tanh (DCGAN, Radford et al. 2016, §3).
pub fn digits_tanh(d: &Digits) -> Array4<f32> {
    crate::judge::as_images(d).mapv(|v| 2.0 * v - 1.0)
}

/// `[−1, 1] → [0, 1]`, the pixel range the judge was trained on.
pub fn to_unit(x: &ArrayRef4<f32>) -> Array4<f32> {
    x.mapv(|v| ((v + 1.0) / 2.0).clamp(0.0, 1.0))
}

/// The gutter value between tiles of a grid (a dark grey on the `[0, 1]` scale).
const GUTTER: f32 = 0.3;

/// Tiles images `(N, 1, H, W)` with pixels in `[−1, 1]` into one grey picture of `cols` columns
/// (and as many rows as needed), with a one-pixel gutter. Pixels are mapped to `[0, 1]` and
/// rounded to 1/100, which keeps a recorded trace small.
pub fn sample_grid(name: &str, images: &ArrayRef4<f32>, cols: usize) -> Image {
    let (n, _, h, w) = images.dim();
    let cols = cols.clamp(1, n.max(1));
    let rows = n.div_ceil(cols);
    let (width, height) = (cols * (w + 1) - 1, (rows * (h + 1)).saturating_sub(1));
    let mut data = vec![GUTTER; width * height];
    for (i, img) in images.axis_iter(Axis(0)).enumerate() {
        let (r, c) = (i / cols, i % cols);
        for ((_, y, x), &v) in img.indexed_iter() {
            let unit = ((v + 1.0) / 2.0).clamp(0.0, 1.0);
            data[(r * (h + 1) + y) * width + c * (w + 1) + x] = (unit * 100.0).round() / 100.0;
        }
    }
    Image {
        name: name.to_string(),
        width,
        height,
        palette: Palette::Gray,
        data,
    }
}

/// A text bar of `count / max` with at most `width` blocks.
fn bar(count: usize, max: usize, width: usize) -> String {
    let len = (count * width).div_ceil(max.max(1));
    "█".repeat(len.min(width))
}

/// Histogram of the discriminator's outputs `D(x) = σ(logit)` on real and on generated samples,
/// counts in ten bins over `[0, 1]`. Where the two piles sit shows who is winning: far apart
/// means D separates them easily, both near ½ means D cannot tell them apart.
pub fn d_histogram(name: &str, real_logits: &[f32], fake_logits: &[f32]) -> Histogram {
    const BINS: usize = 10;
    let count = |logits: &[f32]| {
        let mut c = [0usize; BINS];
        for &z in logits {
            let p = sigmoid(z);
            c[((p * BINS as f32) as usize).min(BINS - 1)] += 1;
        }
        c.map(|k| k as f64)
    };
    let bins = (0..BINS).map(|b| {
        format!(
            "{:.1}–{:.1}",
            b as f32 / BINS as f32,
            (b + 1) as f32 / BINS as f32
        )
    });
    Histogram::new(name, "D の出力", bins)
        .set("本物 x", count(real_logits))
        .set("生成 G(z)", count(fake_logits))
}

/// The mean of `σ(logit)` over a batch: the average probability D gives to "real".
pub fn mean_prob(logits: &[f32]) -> f64 {
    logits.iter().map(|&z| f64::from(sigmoid(z))).sum::<f64>() / logits.len().max(1) as f64
}

/// One row of real digits of each class, `per_class` columns: `(10·per_class, 1, 8, 8)`.
pub fn real_examples(d: &Digits, per_class: usize) -> Array4<f32> {
    let mut idx = Vec::new();
    for class in 0..digits::CLASSES as u8 {
        idx.extend(
            d.labels
                .iter()
                .enumerate()
                .filter(|&(_, &l)| l == class)
                .map(|(i, _)| i)
                .take(per_class),
        );
    }
    digits_tanh(&d.select(&idx))
}

/// How many of the judged samples fell in each class, as a table with bars.
pub fn class_table(name: &str, counts: &[usize]) -> Table {
    let total = counts.iter().sum::<usize>().max(1);
    let max = counts.iter().copied().max().unwrap_or(1);
    Table {
        name: name.to_string(),
        columns: ["数字", "枚数", "割合 %", ""].map(String::from).to_vec(),
        rows: counts
            .iter()
            .enumerate()
            .map(|(c, &k)| {
                vec![
                    c.to_string(),
                    k.to_string(),
                    format!("{:.1}", 100.0 * k as f64 / total as f64),
                    bar(k, max, 20),
                ]
            })
            .collect(),
    }
}

/// Up to `per_class` samples of each judged class, one row per class (rows with fewer samples
/// are padded with blank `−1` tiles): `(10·per_class, 1, H, W)`, for a grid of `per_class`
/// columns.
pub fn by_class(images: &ArrayRef4<f32>, classes: &[usize], per_class: usize) -> Array4<f32> {
    let (_, c, h, w) = images.dim();
    let mut out = Array4::from_elem((digits::CLASSES * per_class, c, h, w), -1.0f32);
    for class in 0..digits::CLASSES {
        let picked = classes.iter().enumerate().filter(|&(_, &k)| k == class);
        for (slot, (i, _)) in picked.take(per_class).enumerate() {
            out.index_axis_mut(Axis(0), class * per_class + slot)
                .assign(&images.index_axis(Axis(0), i));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_evenly_spaced_and_end_at_the_last_iteration() {
        let at = |total, count| {
            (1..=total)
                .filter(|&i| is_checkpoint(i, total, count))
                .collect::<Vec<_>>()
        };
        assert_eq!(at(1000, 6), vec![167, 334, 500, 667, 834, 1000]);
        assert_eq!(
            at(2000, 8),
            vec![250, 500, 750, 1000, 1250, 1500, 1750, 2000]
        );
        assert_eq!(at(3, 8), vec![1, 2, 3]);
    }

    #[test]
    fn grid_places_tiles_with_gutters() {
        let mut imgs = Array4::from_elem((3, 1, 2, 2), -1.0f32);
        imgs[[1, 0, 0, 1]] = 1.0;
        let g = sample_grid("g", &imgs, 2);
        assert_eq!((g.width, g.height), (5, 5));
        assert_eq!(g.data[4], 1.0); // image 1 sits at columns 3..5 of row 0
        assert_eq!(g.data[2], GUTTER);
        assert_eq!(g.data[3 * 5], 0.0); // image 2 starts row 3
        assert_eq!(g.data[3 * 5 + 4], GUTTER); // no fourth image
    }

    #[test]
    fn histogram_bins_probabilities() {
        let h = d_histogram("h", &[10.0, 10.0, -10.0], &[0.0]);
        assert_eq!(h.bins.len(), 10);
        assert_eq!(h.bins[9], "0.9–1.0");
        assert_eq!(h.sets[0].values[9], 2.0);
        assert_eq!(h.sets[0].values[0], 1.0);
        assert_eq!(h.sets[1].values[5], 1.0);
        assert_eq!(h.max(), 2.0);
        assert!((mean_prob(&[0.0, 0.0]) - 0.5).abs() < 1e-12);
    }
}
